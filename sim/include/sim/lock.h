/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: spinlocks, rwlocks and mutexes. Stands for include/linux/spinlock.h,
 * include/linux/rwlock.h, include/linux/mutex.h, include/linux/lockdep.h
 * and might_sleep() from include/linux/kernel.h.
 *
 * Locks are pthread locks that check what lockdep would: taking a lock the
 * thread already holds (self-deadlock), releasing one it does not hold,
 * sleeping with a spinlock held or inside an RCU read-side section. Each
 * violation is a BUG with the lock's name and the call site.
 */
#ifndef _SIM_LOCK_H
#define _SIM_LOCK_H

#include <pthread.h>
#include <sim/compiler.h>
#include <sim/bug.h>

typedef struct spinlock {
	pthread_mutex_t m;
	const char *name;
	/* sim: test fields */
	pthread_t owner;
	bool held;
} spinlock_t;

typedef struct {
	pthread_rwlock_t rw;
	/* sim: test fields */
	int readers;
	bool writer;
} rwlock_t;

struct mutex {
	pthread_mutex_t m;
	const char *name;
	/* sim: test fields */
	pthread_t owner;
	bool held;
	bool destroyed;
};

#define __SPIN_LOCK_UNLOCKED(lockname)					\
	{ .m = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP, .name = #lockname }
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

void sim_spin_lock_init(spinlock_t *lock, const char *name);
void sim_spin_lock(spinlock_t *lock, const char *file, int line);
void sim_spin_unlock(spinlock_t *lock, const char *file, int line);
bool sim_spin_is_held(const spinlock_t *lock);
void sim_rwlock_init(rwlock_t *lock);
void sim_read_lock(rwlock_t *lock, const char *file, int line);
void sim_read_unlock(rwlock_t *lock, const char *file, int line);
void sim_write_lock(rwlock_t *lock, const char *file, int line);
void sim_write_unlock(rwlock_t *lock, const char *file, int line);
void sim_mutex_init(struct mutex *lock, const char *name);
void sim_mutex_lock(struct mutex *lock, const char *file, int line);
void sim_mutex_unlock(struct mutex *lock, const char *file, int line);
void sim_mutex_destroy(struct mutex *lock);
bool sim_mutex_is_held(const struct mutex *lock);
void sim_might_sleep(const char *file, int line);
/* Number of spinlocks (and write/read rwlocks) this thread holds. */
int sim_atomic_depth(void);

#define spin_lock_init(l)	sim_spin_lock_init((l), #l)
#define spin_lock(l)		sim_spin_lock((l), __FILE__, __LINE__)
#define spin_unlock(l)		sim_spin_unlock((l), __FILE__, __LINE__)
#define spin_lock_bh(l)		spin_lock(l)
#define spin_unlock_bh(l)	spin_unlock(l)
#define spin_lock_irqsave(l, f)	do { (f) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f) do { (void)(f); spin_unlock(l); } while (0)
#define rwlock_init(l)		sim_rwlock_init(l)
#define read_lock_bh(l)		sim_read_lock((l), __FILE__, __LINE__)
#define read_unlock_bh(l)	sim_read_unlock((l), __FILE__, __LINE__)
#define write_lock_bh(l)	sim_write_lock((l), __FILE__, __LINE__)
#define write_unlock_bh(l)	sim_write_unlock((l), __FILE__, __LINE__)
#define mutex_init(l)		sim_mutex_init((l), #l)
#define mutex_lock(l)		sim_mutex_lock((l), __FILE__, __LINE__)
#define mutex_unlock(l)		sim_mutex_unlock((l), __FILE__, __LINE__)
#define mutex_destroy(l)	sim_mutex_destroy(l)
#define might_sleep()		sim_might_sleep(__FILE__, __LINE__)
#define lockdep_assert_held(l)						\
	BUG_ON(!_Generic((l), spinlock_t *: sim_spin_is_held((const spinlock_t *)(l)), \
			 struct mutex *: sim_mutex_is_held((const struct mutex *)(l))))
#define local_bh_disable()	do { } while (0)
#define local_bh_enable()	do { } while (0)
#define preempt_disable()	do { } while (0)
#define preempt_enable()	do { } while (0)
#define migrate_disable()	do { } while (0)
#define migrate_enable()	do { } while (0)

#endif /* _SIM_LOCK_H */
