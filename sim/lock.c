// SPDX-License-Identifier: GPL-2.0
/*
 * sim: locks with lockdep-style checks (stands for kernel/locking/spinlock.c,
 * kernel/locking/rwlock.c, kernel/locking/mutex.c, kernel/softirq.c's
 * local_bh_disable/enable and kernel/locking/lockdep.c's checks). The
 * scheduler, held-lock stacks and the order graph are in sim/task.c.
 */
#include <stdio.h>
#include <sim/lock.h>
#include <sim/task.h>
#include <sim/rcu.h>

#define LNAME(l)	((l)->name ? (l)->name : "?")

int sim_atomic_depth(void)
{
	return *sim_task_atomic();
}

int sim_bh_depth(void)
{
	return *sim_task_bh();
}

/* kernel/softirq.c: __local_bh_disable_ip() / __local_bh_enable_ip() */
void sim_local_bh_disable(const char *file, int line)
{
	(void)file; (void)line;
	(*sim_task_bh())++;
}

void sim_local_bh_enable(const char *file, int line)
{
	int *bh = sim_task_bh();

	if (*bh <= 0)
		sim_bug(file, line, "local_bh_enable", "local_bh_enable() without local_bh_disable()");
	/* Pending softirqs of this CPU may run now: a scheduling point. */
	if (--(*bh) == 0 && sim_sched_on)
		sim_sched_point_at("local_bh_enable", NULL, file, line);
}

static bool spin_free(const void *arg)
{
	return !((const spinlock_t *)arg)->owner;
}

static void spin_force_release(void *lock)
{
	((spinlock_t *)lock)->owner = NULL;
}

void sim_spin_lock_init(spinlock_t *lock, const char *name)
{
	lock->name = name;
	lock->owner = NULL;
}

/* Wait until @ready(@lock): a task blocks; with no task running nothing
 * could ever release the lock, so that is the BUG the pthread lock was. */
static void contend(const void *lock, const char *op, const char *name,
		    bool (*ready)(const void *), struct sim_task *const *holder,
		    const char *file, int line)
{
	struct sim_wait_for w = {
		.op = op, .name = name, .file = file, .line = line,
		.ready = ready, .arg = lock, .holder = holder, .timeout = -1,
		.lock = true, .held_lock = lock,
	};

	if (!sim_sched_active())
		sim_bug(file, line, op, "lockdep: %s is held by another task and no task can release it",
			name);
	sim_task_block(&w);
}

void sim_spin_lock(spinlock_t *lock, const char *file, int line)
{
	struct sim_task *me = sim_task_self();

	if (lock->owner == me)
		sim_bug(file, line, "spin_lock", "lockdep: recursive locking on %s", LNAME(lock));
	if (sim_sched_on)
		sim_sched_point_at("spin_lock", lock->name, file, line);
	if (lock->owner)
		contend(lock, "spin_lock", LNAME(lock), spin_free, &lock->owner, file, line);
	lock->owner = me;
	(*sim_task_atomic())++;
	sim_lock_acquired(lock, LNAME(lock), "spin_lock", spin_force_release, file, line);
}

void sim_spin_unlock(spinlock_t *lock, const char *file, int line)
{
	if (lock->owner != sim_task_self())
		sim_bug(file, line, "spin_unlock",
			"lockdep: unlocking %s, which this task does not hold", LNAME(lock));
	lock->owner = NULL;
	(*sim_task_atomic())--;
	sim_lock_released(lock, "spin_unlock", file, line);
	if (sim_sched_on)
		sim_sched_point_at("spin_unlock", lock->name, file, line);
}

bool sim_spin_is_held(const spinlock_t *lock)
{
	return lock->owner == sim_task_self();
}

void sim_rwlock_init(rwlock_t *lock, const char *name)
{
	lock->name = name;
	lock->readers = 0;
	lock->writer = NULL;
}

static bool rw_no_writer(const void *arg)
{
	return !((const rwlock_t *)arg)->writer;
}

static bool rw_free(const void *arg)
{
	const rwlock_t *l = arg;

	return !l->writer && !l->readers;
}

static void read_force_release(void *lock)
{
	((rwlock_t *)lock)->readers--;
}

static void write_force_release(void *lock)
{
	((rwlock_t *)lock)->writer = NULL;
}

void sim_read_lock(rwlock_t *lock, const char *file, int line)
{
	if (lock->writer == sim_task_self())
		sim_bug(file, line, "read_lock",
			"lockdep: read_lock on an rwlock write-locked by this task");
	if (sim_sched_on)
		sim_sched_point_at("read_lock", lock->name, file, line);
	if (lock->writer)
		contend(lock, "read_lock", LNAME(lock), rw_no_writer, &lock->writer, file, line);
	lock->readers++;
	(*sim_task_atomic())++;
	sim_lock_acquired(lock, LNAME(lock), "read_lock", read_force_release, file, line);
}

void sim_read_unlock(rwlock_t *lock, const char *file, int line)
{
	if (lock->readers <= 0)
		sim_bug(file, line, "read_unlock", "lockdep: read_unlock without read_lock");
	lock->readers--;
	(*sim_task_atomic())--;
	sim_lock_released(lock, "read_unlock", file, line);
	if (sim_sched_on)
		sim_sched_point_at("read_unlock", lock->name, file, line);
}

void sim_write_lock(rwlock_t *lock, const char *file, int line)
{
	struct sim_task *me = sim_task_self();

	if (lock->writer == me)
		sim_bug(file, line, "write_lock", "lockdep: recursive write_lock");
	if (lock->readers && !sim_sched_active())
		sim_bug(file, line, "write_lock",
			"lockdep: write_lock while %d reader(s) hold it (deadlock)",
			lock->readers);
	if (sim_sched_on)
		sim_sched_point_at("write_lock", lock->name, file, line);
	if (lock->writer || lock->readers)
		contend(lock, "write_lock", LNAME(lock), rw_free,
			lock->writer ? &lock->writer : NULL, file, line);
	lock->writer = me;
	(*sim_task_atomic())++;
	sim_lock_acquired(lock, LNAME(lock), "write_lock", write_force_release, file, line);
}

void sim_write_unlock(rwlock_t *lock, const char *file, int line)
{
	if (lock->writer != sim_task_self())
		sim_bug(file, line, "write_unlock", "lockdep: write_unlock without write_lock");
	lock->writer = NULL;
	(*sim_task_atomic())--;
	sim_lock_released(lock, "write_unlock", file, line);
	if (sim_sched_on)
		sim_sched_point_at("write_unlock", lock->name, file, line);
}

static bool mutex_free(const void *arg)
{
	return !((const struct mutex *)arg)->owner;
}

static void mutex_force_release(void *lock)
{
	((struct mutex *)lock)->owner = NULL;
}

void sim_mutex_init(struct mutex *lock, const char *name)
{
	lock->name = name;
	lock->owner = NULL;
	lock->destroyed = false;
}

void sim_mutex_lock(struct mutex *lock, const char *file, int line)
{
	struct sim_task *me = sim_task_self();

	sim_might_sleep(file, line);
	if (lock->destroyed)
		sim_bug(file, line, "mutex_lock", "mutex_lock on destroyed mutex %s",
			lock->name);
	if (lock->owner == me)
		sim_bug(file, line, "mutex_lock", "lockdep: recursive locking on %s", LNAME(lock));
	if (sim_sched_on)
		sim_sched_point_at("mutex_lock", lock->name, file, line);
	if (lock->owner)
		contend(lock, "mutex_lock", LNAME(lock), mutex_free, &lock->owner, file, line);
	lock->owner = me;
	sim_lock_acquired(lock, LNAME(lock), "mutex_lock", mutex_force_release, file, line);
}

void sim_mutex_unlock(struct mutex *lock, const char *file, int line)
{
	if (!sim_mutex_is_held(lock))
		sim_bug(file, line, "mutex_unlock",
			"lockdep: unlocking %s, which this task does not hold",
			lock->name);
	lock->owner = NULL;
	sim_lock_released(lock, "mutex_unlock", file, line);
	if (sim_sched_on)
		sim_sched_point_at("mutex_unlock", lock->name, file, line);
}

void sim_mutex_destroy(struct mutex *lock)
{
	if (lock->owner)
		sim_bug(__FILE__, __LINE__, "mutex_destroy",
			"mutex_destroy on held mutex %s", lock->name);
	lock->destroyed = true;
}

bool sim_mutex_is_held(const struct mutex *lock)
{
	return lock->owner == sim_task_self();
}
