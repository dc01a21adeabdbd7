// SPDX-License-Identifier: GPL-2.0
/*
 * sim: deterministic workqueue and deferred RCU callbacks (stands for
 * kernel/workqueue.c and the call_rcu() half of kernel/rcu/).
 */
#include <stdio.h>
#include <sim/workqueue.h>
#include <sim/rcu.h>
#include <sim/lock.h>
#include <sim/ledger.h>

static struct workqueue_struct system_wq_struct = { .name = "events" };
struct workqueue_struct *system_wq = &system_wq_struct;
unsigned long sim_jiffies = 100000;

static LIST_HEAD(pending);		/* work_struct.entry, queueing order */
static LIST_HEAD(rcu_pending);		/* rcu_work.rcu_entry */
static struct work_struct *running;

static bool queue(struct work_struct *work)
{
	if (work->pending)
		return false;
	work->pending = true;
	list_add_tail(&work->entry, &pending);
	return true;
}

bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay)
{
	if (dwork->work.pending)
		return false;
	dwork->work.due = sim_jiffies + delay;
	return queue(&dwork->work);
}

bool schedule_work(struct work_struct *work)
{
	if (work->pending)
		return false;
	work->due = 0;
	return queue(work);
}

bool delayed_work_pending(const struct delayed_work *dwork)
{
	return dwork->work.pending;
}

bool cancel_work_sync(struct work_struct *work)
{
	sim_might_sleep(__FILE__, __LINE__);
	/* A work item cannot wait for itself to finish: the kernel deadlocks. */
	BUG_ON(running == work);
	if (!work->pending)
		return false;
	list_del_init(&work->entry);
	work->pending = false;
	return true;
}

bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	return cancel_work_sync(&dwork->work);
}

bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork)
{
	(void)wq;
	if (rwork->rcu_pending || rwork->work.pending)
		return false;
	rwork->rcu_pending = true;
	list_add_tail(&rwork->rcu_entry, &rcu_pending);
	return true;
}

void sim_rcu_barrier(void)
{
	struct rcu_work *rwork, *tmp;

	if (list_empty(&rcu_pending))
		return;
	synchronize_rcu();
	/* The grace period has elapsed for everything queued so far. */
	list_for_each_entry_safe(rwork, tmp, &rcu_pending, rcu_entry) {
		list_del_init(&rwork->rcu_entry);
		rwork->rcu_pending = false;
		rwork->work.due = 0;
		queue(&rwork->work);
	}
}

static bool is_due(struct work_struct *work)
{
	return (long)(sim_jiffies - work->due) >= 0;
}

int sim_run_work(void)
{
	int ran = 0;
	struct list_head batch;

	/* Run what is queued now; work queued while running waits for the
	 * next call, as a new work item would on a real workqueue. */
	INIT_LIST_HEAD(&batch);
	list_splice_init(&pending, &batch);
	while (!list_empty(&batch)) {
		struct work_struct *work = list_first_entry(&batch, struct work_struct, entry);

		list_del_init(&work->entry);
		if (!is_due(work)) {
			list_add_tail(&work->entry, &pending);
			continue;
		}
		work->pending = false;
		running = work;
		sim_stats.work_runs++;
		work->func(work);
		running = NULL;
		ran++;
	}
	return ran;
}

void sim_advance_jiffies(unsigned long ticks)
{
	sim_jiffies += ticks;
}

int sim_work_pending(void)
{
	int n = 0;
	struct list_head *p;

	list_for_each(p, &pending)
		n++;
	list_for_each(p, &rcu_pending)
		n++;
	return n;
}
