/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: spinlocks, rwlocks, mutexes and bh disabling. Stands for
 * include/linux/spinlock.h, include/linux/rwlock.h, include/linux/mutex.h,
 * include/linux/bottom_half.h, include/linux/lockdep.h and might_sleep()
 * from include/linux/kernel.h.
 *
 * A lock is its owner (a sim task) and a name: only one task runs at a
 * time (sim/task.c), so no host lock is needed. Every lock checks what
 * lockdep would: taking a lock the task already holds (self-deadlock),
 * releasing one it does not hold, sleeping with a spinlock held, in an RCU
 * read-side section or in softirq context. Each violation is a BUG with the
 * lock's name and the call site.
 *
 * While tasks run (sim_sched_run()), acquiring and releasing are
 * scheduling points, a contended lock blocks its task until it is free
 * (a spinning spinlock is "not runnable until released"), each task keeps
 * a held-lock stack with acquisition sites, and lockdep's lock-order graph
 * and softirq-state checks run (sim/task.c). With no task running, a
 * contended lock could never be released: it is a BUG, as before.
 *
 * local_bh_disable()/local_bh_enable() keep a per-task count; the _bh lock
 * variants are the plain lock plus that count. The count decides when a
 * softirq task may run on the task's CPU (see sim/task.c).
 */
#ifndef _SIM_LOCK_H
#define _SIM_LOCK_H

#include <sim/compiler.h>
#include <sim/bug.h>

struct sim_task;

typedef struct spinlock {
	const char *name;
	/* sim: test fields */
	struct sim_task *owner;
} spinlock_t;

typedef struct {
	const char *name;
	/* sim: test fields */
	int readers;
	struct sim_task *writer;
} rwlock_t;

struct mutex {
	const char *name;
	/* sim: test fields */
	struct sim_task *owner;
	bool destroyed;
};

#define __SPIN_LOCK_UNLOCKED(lockname)	{ .name = #lockname }
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define __MUTEX_INITIALIZER(lockname)	{ .name = #lockname }
#define DEFINE_MUTEX(mutexname)	struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

void sim_spin_lock_init(spinlock_t *lock, const char *name);
void sim_spin_lock(spinlock_t *lock, const char *file, int line);
void sim_spin_unlock(spinlock_t *lock, const char *file, int line);
bool sim_spin_is_held(const spinlock_t *lock);
void sim_rwlock_init(rwlock_t *lock, const char *name);
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
void sim_local_bh_disable(const char *file, int line);
void sim_local_bh_enable(const char *file, int line);
/* Number of spinlocks (and write/read rwlocks) the current task holds. */
int sim_atomic_depth(void);
/* The current task's bh-disable count. */
int sim_bh_depth(void);

#define spin_lock_init(l)	sim_spin_lock_init((l), #l)
#define spin_lock(l)		sim_spin_lock((l), __FILE__, __LINE__)
#define spin_unlock(l)		sim_spin_unlock((l), __FILE__, __LINE__)
#define spin_lock_bh(l)							\
	do {								\
		sim_local_bh_disable(__FILE__, __LINE__);		\
		sim_spin_lock((l), __FILE__, __LINE__);			\
	} while (0)
#define spin_unlock_bh(l)						\
	do {								\
		sim_spin_unlock((l), __FILE__, __LINE__);		\
		sim_local_bh_enable(__FILE__, __LINE__);		\
	} while (0)
#define spin_lock_irqsave(l, f)	do { (f) = 0; spin_lock_bh(l); } while (0)
#define spin_unlock_irqrestore(l, f) do { (void)(f); spin_unlock_bh(l); } while (0)
#define rwlock_init(l)		sim_rwlock_init((l), #l)
#define read_lock_bh(l)							\
	do {								\
		sim_local_bh_disable(__FILE__, __LINE__);		\
		sim_read_lock((l), __FILE__, __LINE__);			\
	} while (0)
#define read_unlock_bh(l)						\
	do {								\
		sim_read_unlock((l), __FILE__, __LINE__);		\
		sim_local_bh_enable(__FILE__, __LINE__);		\
	} while (0)
#define write_lock_bh(l)						\
	do {								\
		sim_local_bh_disable(__FILE__, __LINE__);		\
		sim_write_lock((l), __FILE__, __LINE__);		\
	} while (0)
#define write_unlock_bh(l)						\
	do {								\
		sim_write_unlock((l), __FILE__, __LINE__);		\
		sim_local_bh_enable(__FILE__, __LINE__);		\
	} while (0)
#define read_lock(l)		sim_read_lock((l), __FILE__, __LINE__)
#define read_unlock(l)		sim_read_unlock((l), __FILE__, __LINE__)
#define write_lock(l)		sim_write_lock((l), __FILE__, __LINE__)
#define write_unlock(l)		sim_write_unlock((l), __FILE__, __LINE__)
#define mutex_init(l)		sim_mutex_init((l), #l)
#define mutex_lock(l)		sim_mutex_lock((l), __FILE__, __LINE__)
#define mutex_unlock(l)		sim_mutex_unlock((l), __FILE__, __LINE__)
#define mutex_destroy(l)	sim_mutex_destroy(l)
#define might_sleep()		sim_might_sleep(__FILE__, __LINE__)
#define might_sleep_if(cond)	do { if (cond) might_sleep(); } while (0)
#define lockdep_assert_held(l)						\
	BUG_ON(!_Generic((l), spinlock_t *: sim_spin_is_held((const spinlock_t *)(l)), \
			 struct mutex *: sim_mutex_is_held((const struct mutex *)(l))))
#define local_bh_disable()	sim_local_bh_disable(__FILE__, __LINE__)
#define local_bh_enable()	sim_local_bh_enable(__FILE__, __LINE__)
/* One task runs at a time and is preempted only at scheduling points. */
#define preempt_disable()	do { } while (0)
#define preempt_enable()	do { } while (0)
#define migrate_disable()	do { } while (0)
#define migrate_enable()	do { } while (0)

#endif /* _SIM_LOCK_H */
