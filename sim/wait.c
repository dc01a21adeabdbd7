// SPDX-License-Identifier: GPL-2.0
/*
 * sim: wait queues and bounded sleeps (stands for kernel/sched/wait.c and
 * kernel/sched/wait_woken). See <linux/wait.h> for the sleep model.
 */
#include <stdio.h>
#include <linux/wait.h>
#include <sim/ledger.h>
#include <sim/workqueue.h>
#include <sim/task.h>
#include <sim/invariant.h>

static sim_sleep_hook_t sleep_hook;
static void *sleep_hook_arg;
static long hangs, expected_hangs;

void sim_set_sleep_hook(sim_sleep_hook_t fn, void *arg)
{
	sleep_hook = fn;
	sleep_hook_arg = arg;
}

long sim_hangs(void)
{
	return hangs;
}

void sim_expect_hangs(long n)
{
	if (!n)
		hangs = 0;
	expected_hangs = n;
}

long sim_expected_hangs(void)
{
	return expected_hangs;
}

void init_waitqueue_head(struct wait_queue_head *wq_head)
{
	spin_lock_init(&wq_head->lock);
	INIT_LIST_HEAD(&wq_head->head);
}

/* A killed sim task's wait entries (on its stack) leave their queues. */
static void unlink_entry(void *arg)
{
	struct wait_queue_entry *wq_entry = arg;

	list_del_init(&wq_entry->entry);
}

/* sim-origin: kernel/sched/wait.c add_wait_queue */
void add_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	unsigned long flags;

	wq_entry->flags &= ~WQ_FLAG_EXCLUSIVE;
	spin_lock_irqsave(&wq_head->lock, flags);
	list_add(&wq_entry->entry, &wq_head->head);	/* sim-edit: __add_wait_queue() open-coded */
	sim_task_push_cleanup(unlink_entry, wq_entry);	/* sim-edit: the task's cleanup unlinks the entry if the task is killed */
	spin_unlock_irqrestore(&wq_head->lock, flags);
}

/* sim-origin: kernel/sched/wait.c remove_wait_queue */
void remove_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	unsigned long flags;

	spin_lock_irqsave(&wq_head->lock, flags);
	list_del(&wq_entry->entry);	/* sim-edit: __remove_wait_queue() open-coded */
	sim_task_pop_cleanup(wq_entry);	/* sim-edit: the task's cleanup is popped with the entry */
	spin_unlock_irqrestore(&wq_head->lock, flags);
}

void sim_wait_entry_unlink(void *wq_entry)
{
	unlink_entry(wq_entry);
}

bool wq_has_sleeper(struct wait_queue_head *wq_head)
{
	return waitqueue_active(wq_head);
}

int woken_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			int sync, void *key)
{
	(void)mode; (void)sync; (void)key;
	wq_entry->flags |= WQ_FLAG_WOKEN;
	return 1;
}

int default_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			  int sync, void *key)
{
	return woken_wake_function(wq_entry, mode, sync, key);
}

int sim_wake_up(struct wait_queue_head *wq_head, unsigned long poll)
{
	unsigned long flags;
	struct wait_queue_entry *curr, *next;
	int woken = 0;

	spin_lock_irqsave(&wq_head->lock, flags);
	list_for_each_entry_safe(curr, next, &wq_head->head, entry) {
		if (curr->func(curr, TASK_INTERRUPTIBLE, 0, (void *)poll))
			woken++;
	}
	spin_unlock_irqrestore(&wq_head->lock, flags);
	sim_stats.wakeups += woken;
	return woken;
}

static bool woken(const void *arg)
{
	const struct wait_queue_entry *wq_entry = arg;

	return READ_ONCE(wq_entry->flags) & WQ_FLAG_WOKEN;
}

/* kernel/sched/wait.c: wait_woken() with schedule_timeout() as a sim block:
 * until a wake-up sets WQ_FLAG_WOKEN or @timeout virtual jiffies pass (the
 * scheduler advances sim_jiffies only when no task is runnable). */
static long task_wait_woken(struct wait_queue_entry *wq_entry, long timeout,
			    const char *file, int line)
{
	unsigned long start = sim_jiffies;
	struct sim_wait_for w = {
		.op = "wait_woken", .file = file, .line = line, .ready = woken,
		.arg = wq_entry, .timeout = timeout,
	};

	if (!(wq_entry->flags & WQ_FLAG_WOKEN) && timeout) {
		if (!sim_task_block(&w))
			return 0;
	}
	wq_entry->flags &= ~WQ_FLAG_WOKEN;
	if (timeout == MAX_SCHEDULE_TIMEOUT)
		return timeout;
	timeout -= (long)(sim_jiffies - start);
	return timeout > 0 ? timeout : 0;
}

long sim_wait_woken(struct wait_queue_entry *wq_entry, unsigned int mode, long timeout,
		    const char *file, int line)
{
	sim_might_sleep(file, line);
	/* An interruptible sleep with a signal pending does not sleep. */
	if ((mode & TASK_INTERRUPTIBLE) && signal_pending(current))
		return timeout;
	if (sim_sched_active())
		return task_wait_woken(wq_entry, timeout, file, line);
	if (!(wq_entry->flags & WQ_FLAG_WOKEN) && timeout && sleep_hook) {
		/* the rest of the system runs; its steps are not checked:
		 * the sleeping syscall is not over */
		sim_invariants_nest(1);
		sleep_hook(sleep_hook_arg);
		sim_invariants_nest(-1);
	}
	if (wq_entry->flags & WQ_FLAG_WOKEN) {
		wq_entry->flags &= ~WQ_FLAG_WOKEN;
		return timeout;
	}
	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		/* Nothing can ever wake this task: the kernel would hang. */
		hangs++;
		if (hangs > expected_hangs)
			fprintf(stderr, "sockmap-sim: unbounded sleep with nothing to wake it (a real kernel would block forever here)\n");
		return 0;
	}
	sim_advance_jiffies(timeout);
	return 0;
}
