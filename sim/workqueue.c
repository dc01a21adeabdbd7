// SPDX-License-Identifier: GPL-2.0
/*
 * sim: deterministic workqueue and deferred RCU callbacks (stands for
 * kernel/workqueue.c and the call_rcu() half of kernel/rcu/). While tasks
 * run, the kworker task (sim_kworker_fn) runs what is due concurrently
 * with them; otherwise sim_run_work() runs it on the calling thread.
 */
#include <stdio.h>
#include <sim/workqueue.h>
#include <sim/rcu.h>
#include <sim/lock.h>
#include <sim/ledger.h>
#include <linux/slab.h>
#include <sim/task.h>
#include <sim/invariant.h>

static struct workqueue_struct system_wq_struct = { .name = "events" };
struct workqueue_struct *system_wq = &system_wq_struct;
unsigned long sim_jiffies = 100000;

static LIST_HEAD(pending);		/* work_struct.entry, queueing order */
static LIST_HEAD(rcu_pending);		/* rcu_work.rcu_entry */
static LIST_HEAD(rcu_cbs);		/* rcu_head.sim_entry: call_rcu() */
static struct work_struct *running;
static struct sim_task *running_task;

static bool queue(struct work_struct *work)
{
	sim_hb_release(work);	/* the queuer's past happens-before the work */
	if (work->pending)
		return false;
	work->pending = true;
	list_add_tail(&work->entry, &pending);
	return true;
}

/* While tasks run, queueing wakes the kworker: a scheduling point. */
static bool queued(struct work_struct *work, const char *op)
{
	if (sim_sched_on)
		sim_sched_point_at(op, work->name, __FILE__, __LINE__);
	return true;
}

bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay)
{
	if (dwork->work.pending)
		return false;
	dwork->work.due = sim_jiffies + delay;
	return queue(&dwork->work) && queued(&dwork->work, "schedule_delayed_work");
}

bool schedule_work(struct work_struct *work)
{
	if (work->pending)
		return false;
	work->due = 0;
	return queue(work) && queued(work, "schedule_work");
}

bool delayed_work_pending(const struct delayed_work *dwork)
{
	return dwork->work.pending;
}

static bool not_running(const void *arg)
{
	return running != arg;
}

bool cancel_work_sync(struct work_struct *work)
{
	bool was_pending;

	sim_might_sleep(__FILE__, __LINE__);
	if (sim_sched_on)
		sim_sched_point_at("cancel_work_sync", work->name, __FILE__, __LINE__);
	was_pending = work->pending;
	/* A work item cannot wait for itself to finish: the kernel deadlocks. */
	BUG_ON(running == work && running_task == sim_task_self());
	if (work->pending) {
		list_del_init(&work->entry);
		work->pending = false;
	}
	if (running == work) {
		/* __flush_work(): wait for the running instance to finish. */
		struct sim_wait_for w = {
			.op = "cancel_work_sync", .name = work->name,
			.file = __FILE__, .line = __LINE__, .ready = not_running,
			.arg = work, .holder = &running_task, .timeout = -1,
			.lock = true,
		};

		sim_task_block(&w);
	}
	return was_pending;
}

/* cancel_delayed_work(): take a pending item off the queue; does not wait
 * for a running instance (del_timer() of a timer, as sk_stop_timer()). */
bool cancel_delayed_work(struct delayed_work *dwork)
{
	if (!dwork->work.pending)
		return false;
	list_del_init(&dwork->work.entry);
	dwork->work.pending = false;
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
	sim_hb_release(&rwork->work);
	sim_rcu_snapshot(&rwork->gp);
	list_add_tail(&rwork->rcu_entry, &rcu_pending);
	return queued(&rwork->work, "queue_rcu_work");
}

/* kernel/rcu/tree.c: call_rcu() */
void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	head->func = func;
	sim_rcu_snapshot(&head->sim_gp);
	list_add_tail(&head->sim_entry, &rcu_cbs);
}

static void kfree_rcu_cb(struct rcu_head *head)
{
	sim_kfree((char *)head - head->sim_kfree_off, head->sim_site);
}

/* include/linux/rcupdate.h: kfree_rcu(ptr, rhf) */
void sim_kfree_rcu(struct rcu_head *head, size_t off, struct sim_site site)
{
	head->sim_kfree_off = off;
	head->sim_site = site;
	call_rcu(head, kfree_rcu_cb);
}

/* Run the call_rcu() callbacks whose grace period has elapsed (all of
 * those queued before this call, with @all), in call order. */
static bool rcu_cbs_run(bool all)
{
	struct rcu_head *head, *tmp;
	LIST_HEAD(batch);
	bool ran = false;

	list_splice_init(&rcu_cbs, &batch);
	list_for_each_entry_safe(head, tmp, &batch, sim_entry) {
		if (!all && !sim_rcu_snap_elapsed(&head->sim_gp))
			continue;
		list_del_init(&head->sim_entry);
		head->func(head);	/* may free head, may call_rcu() again */
		ran = true;
	}
	/* The ones not due keep their order, ahead of any queued since. */
	list_splice_init(&batch, &rcu_cbs);
	return ran;
}

void sim_rcu_barrier(void)
{
	struct rcu_work *rwork, *tmp;

	if (list_empty(&rcu_pending) && list_empty(&rcu_cbs))
		return;
	synchronize_rcu();
	rcu_cbs_run(true);
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
		running_task = sim_task_self();
		sim_stats.work_runs++;
		work->func(work);
		running = NULL;
		running_task = NULL;
		ran++;
	}
	if (ran)
		sim_invariants_step("work");
	return ran;
}

/* ---- the kworker: work runs concurrently while tasks run ---- */

/* rcu_works whose grace period elapsed join the queue. */
static void rcu_works_due(void)
{
	struct rcu_work *rwork, *tmp;

	rcu_cbs_run(false);

	list_for_each_entry_safe(rwork, tmp, &rcu_pending, rcu_entry) {
		if (!sim_rcu_snap_elapsed(&rwork->gp))
			continue;
		list_del_init(&rwork->rcu_entry);
		rwork->rcu_pending = false;
		rwork->work.due = 0;
		queue(&rwork->work);
	}
}

static struct work_struct *first_due(void)
{
	struct work_struct *work;

	list_for_each_entry(work, &pending, entry)
		if (is_due(work))
			return work;
	return NULL;
}

bool sim_kworker_has_work(void)
{
	struct rcu_work *rwork;

	struct rcu_head *head;

	if (first_due())
		return true;
	list_for_each_entry(head, &rcu_cbs, sim_entry)
		if (sim_rcu_snap_elapsed(&head->sim_gp))
			return true;
	list_for_each_entry(rwork, &rcu_pending, rcu_entry)
		if (sim_rcu_snap_elapsed(&rwork->gp))
			return true;
	return false;
}

long sim_kworker_next_due(void)
{
	struct work_struct *work;
	long next = -1;

	list_for_each_entry(work, &pending, entry) {
		long d = (long)(work->due - sim_jiffies);

		if (d < 0)
			d = 0;
		if (next < 0 || d < next)
			next = d;
	}
	return next;
}

bool sim_kworker_ready(const void *arg)
{
	(void)arg;
	return sim_kworker_has_work() || sim_sched_others_done();
}

/* kernel/workqueue.c: worker_thread() -> process_one_work() */
void sim_kworker_fn(void *arg)
{
	(void)arg;
	for (;;) {
		struct work_struct *work;
		struct sim_wait_for w = {
			.op = "worker_thread", .file = __FILE__, .line = __LINE__,
			.ready = sim_kworker_ready,
		};

		rcu_works_due();
		work = first_due();
		if (!work) {
			if (sim_sched_others_done())
				return;
			/* Idle until work is due; the scheduler treats the
			 * first delayed item as this wait's timer. */
			w.timeout = -1;
			sim_task_block(&w);
			continue;
		}
		/* The function may free its work item (sk_psock_destroy()
		 * frees the psock holding its rwork): not touched after. */
		const char *name = work->name;

		list_del_init(&work->entry);
		work->pending = false;
		running = work;
		running_task = sim_task_self();
		sim_stats.work_runs++;
		sim_hb_acquire(work);
		work->func(work);
		running = NULL;
		running_task = NULL;
		sim_sched_point_at("process_one_work", name, __FILE__, __LINE__);
	}
}

void sim_work_abandon(void)
{
	running = NULL;
	running_task = NULL;
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
	list_for_each(p, &rcu_cbs)
		n++;
	return n;
}
