/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: deterministic workqueues. Stands for include/linux/workqueue.h.
 *
 * Work never runs behind the test's back: schedule_delayed_work() and
 * queue_rcu_work() only record the item; sim_run_work() (or sim_quiesce())
 * runs what is due, in queueing order, on the calling thread. Delays are in
 * virtual jiffies (sim_jiffies), advanced only by the sim. While sim tasks
 * run (sim/task.c), a kworker task runs due items (an rcu_work once its
 * grace period has elapsed) at the scheduler's choice, and
 * cancel_work_sync() blocks until a running instance has finished.
 */
#ifndef _SIM_WORKQUEUE_H
#define _SIM_WORKQUEUE_H

#include <sim/compiler.h>
#include <sim/list.h>
#include <sim/task.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
	/* sim: test fields */
	struct list_head entry;
	bool pending;
	unsigned long due;	/* jiffy at which it may run */
	const char *name;
};

struct delayed_work {
	struct work_struct work;
};

struct rcu_work {
	struct work_struct work;
	/* sim: waiting for a grace period */
	struct list_head rcu_entry;
	bool rcu_pending;
	struct sim_rcu_snap gp;		/* readers at queueing time */
};

struct workqueue_struct {
	const char *name;
};

extern struct workqueue_struct *system_wq;
extern unsigned long sim_jiffies;
#define jiffies sim_jiffies

#define INIT_WORK(w, f)							\
	do {								\
		(w)->func = (f);					\
		INIT_LIST_HEAD(&(w)->entry);				\
		(w)->pending = false;					\
		(w)->due = 0;						\
		(w)->name = #f;						\
	} while (0)
#define INIT_DELAYED_WORK(dw, f)					\
	INIT_WORK(&(dw)->work, f)
#define INIT_RCU_WORK(rw, f)						\
	do {								\
		INIT_WORK(&(rw)->work, f);				\
		INIT_LIST_HEAD(&(rw)->rcu_entry);			\
		(rw)->rcu_pending = false;				\
	} while (0)

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

static inline struct rcu_work *to_rcu_work(struct work_struct *work)
{
	return container_of(work, struct rcu_work, work);
}

bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay);
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
		      unsigned long delay);
bool cancel_delayed_work(struct delayed_work *dwork);
/*
 * create_singlethread_workqueue(): an ordered workqueue. The sim's work
 * runs in queueing order on one worker whatever the queue, so a queue is
 * only a name; queues are never destroyed (kstrp lives as long as the
 * kernel), so they come from a small static pool, not the ledger.
 */
struct workqueue_struct *sim_alloc_ordered_workqueue(const char *name);
#define create_singlethread_workqueue(name) sim_alloc_ordered_workqueue(name)
bool schedule_work(struct work_struct *work);
bool cancel_delayed_work_sync(struct delayed_work *dwork);
bool cancel_delayed_work(struct delayed_work *dwork);
bool cancel_work_sync(struct work_struct *work);
bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork);
bool delayed_work_pending(const struct delayed_work *dwork);

/* sim: run every work item that is due; returns how many ran. */
int sim_run_work(void);
/* sim: advance virtual time by @ticks jiffies. */
void sim_advance_jiffies(unsigned long ticks);
/* sim: number of queued work items (due or not). */
int sim_work_pending(void);

#endif /* _SIM_WORKQUEUE_H */
