// SPDX-License-Identifier: GPL-2.0
/*
 * sim: locks with lockdep-style checks (stands for kernel/locking/).
 */
#include <stdio.h>
#include <sim/lock.h>
#include <sim/rcu.h>

static __thread int atomic_depth;	/* spinlocks + rwlocks held */

int sim_atomic_depth(void)
{
	return atomic_depth;
}

void sim_spin_lock_init(spinlock_t *lock, const char *name)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&lock->m, &a);
	pthread_mutexattr_destroy(&a);
	lock->name = name;
	lock->held = false;
}

void sim_spin_lock(spinlock_t *lock, const char *file, int line)
{
	int err = pthread_mutex_lock(&lock->m);

	if (err)
		sim_bug(file, line, "spin_lock", "lockdep: %s on %s (%s)",
			err == EDEADLK ? "recursive locking" : "lock failure",
			lock->name ? lock->name : "?", strerror(err));
	lock->owner = pthread_self();
	lock->held = true;
	atomic_depth++;
}

void sim_spin_unlock(spinlock_t *lock, const char *file, int line)
{
	if (!lock->held || !pthread_equal(lock->owner, pthread_self()))
		sim_bug(file, line, "spin_unlock",
			"lockdep: unlocking %s, which this thread does not hold",
			lock->name ? lock->name : "?");
	lock->held = false;
	atomic_depth--;
	pthread_mutex_unlock(&lock->m);
}

bool sim_spin_is_held(const spinlock_t *lock)
{
	return lock->held && pthread_equal(lock->owner, pthread_self());
}

void sim_rwlock_init(rwlock_t *lock)
{
	pthread_rwlock_init(&lock->rw, NULL);
	lock->readers = 0;
	lock->writer = false;
}

void sim_read_lock(rwlock_t *lock, const char *file, int line)
{
	if (lock->writer)
		sim_bug(file, line, "read_lock",
			"lockdep: read_lock on an rwlock write-locked by this thread");
	if (pthread_rwlock_rdlock(&lock->rw))
		sim_bug(file, line, "read_lock", "lockdep: read_lock failed");
	__atomic_fetch_add(&lock->readers, 1, __ATOMIC_SEQ_CST);
	atomic_depth++;
}

void sim_read_unlock(rwlock_t *lock, const char *file, int line)
{
	if (__atomic_load_n(&lock->readers, __ATOMIC_SEQ_CST) <= 0)
		sim_bug(file, line, "read_unlock", "lockdep: read_unlock without read_lock");
	__atomic_fetch_sub(&lock->readers, 1, __ATOMIC_SEQ_CST);
	atomic_depth--;
	pthread_rwlock_unlock(&lock->rw);
}

void sim_write_lock(rwlock_t *lock, const char *file, int line)
{
	int err;

	if (lock->writer)
		sim_bug(file, line, "write_lock", "lockdep: recursive write_lock");
	if (lock->readers)
		sim_bug(file, line, "write_lock",
			"lockdep: write_lock while %d reader(s) hold it (deadlock)",
			lock->readers);
	err = pthread_rwlock_wrlock(&lock->rw);
	if (err)
		sim_bug(file, line, "write_lock", "lockdep: write_lock failed: %s",
			strerror(err));
	lock->writer = true;
	atomic_depth++;
}

void sim_write_unlock(rwlock_t *lock, const char *file, int line)
{
	if (!lock->writer)
		sim_bug(file, line, "write_unlock", "lockdep: write_unlock without write_lock");
	lock->writer = false;
	atomic_depth--;
	pthread_rwlock_unlock(&lock->rw);
}

void sim_mutex_init(struct mutex *lock, const char *name)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&lock->m, &a);
	pthread_mutexattr_destroy(&a);
	lock->name = name;
	lock->held = false;
	lock->destroyed = false;
}

void sim_mutex_lock(struct mutex *lock, const char *file, int line)
{
	int err;

	sim_might_sleep(file, line);
	if (lock->destroyed)
		sim_bug(file, line, "mutex_lock", "mutex_lock on destroyed mutex %s",
			lock->name);
	err = pthread_mutex_lock(&lock->m);
	if (err)
		sim_bug(file, line, "mutex_lock", "lockdep: %s on %s",
			err == EDEADLK ? "recursive locking" : "lock failure",
			lock->name);
	lock->owner = pthread_self();
	lock->held = true;
}

void sim_mutex_unlock(struct mutex *lock, const char *file, int line)
{
	if (!sim_mutex_is_held(lock))
		sim_bug(file, line, "mutex_unlock",
			"lockdep: unlocking %s, which this thread does not hold",
			lock->name);
	lock->held = false;
	pthread_mutex_unlock(&lock->m);
}

void sim_mutex_destroy(struct mutex *lock)
{
	if (lock->held)
		sim_bug(__FILE__, __LINE__, "mutex_destroy",
			"mutex_destroy on held mutex %s", lock->name);
	lock->destroyed = true;
	pthread_mutex_destroy(&lock->m);
}

bool sim_mutex_is_held(const struct mutex *lock)
{
	return lock->held && pthread_equal(lock->owner, pthread_self());
}

void sim_might_sleep(const char *file, int line)
{
	if (atomic_depth)
		sim_bug(file, line, "might_sleep",
			"sleeping function called with %d spinlock(s) held",
			atomic_depth);
	if (rcu_read_ongoing())
		sim_bug(file, line, "might_sleep",
			"sleeping function called inside an RCU read-side section");
}
