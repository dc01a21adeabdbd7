/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: wait queues. Stands for include/linux/wait.h and kernel/sched/wait.c.
 *
 * While sim tasks run (sim/task.c), wait_woken() blocks the task until a
 * wake-up sets WQ_FLAG_WOKEN or its timeout expires in virtual jiffies
 * (which advance only when no task is runnable); a sleep nothing can end is
 * reported by the scheduler as a lost wake-up / hang, naming its site.
 *
 * With no task running the sim is single-threaded, so a sleep cannot be
 * ended by another CPU. wait_woken() instead runs the world's sleep hook (a
 * test callback standing for "what the rest of the system does while this
 * task sleeps"), then returns at once if a wake-up arrived, or consumes the
 * whole timeout in virtual time. A sleep with MAX_SCHEDULE_TIMEOUT that
 * nothing ends would hang the kernel: it is counted as a hang (the test
 * fails unless it expects one) and returns 0, so every wait is bounded.
 */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H

#include <sim/compiler.h>
#include <sim/list.h>
#include <sim/lock.h>
#include <sim/sched.h>

struct wait_queue_entry;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry,
				 unsigned int mode, int flags, void *key);

#define WQ_FLAG_EXCLUSIVE	0x01
#define WQ_FLAG_WOKEN		0x02

struct wait_queue_entry {
	unsigned int flags;
	void *private;
	wait_queue_func_t func;
	struct list_head entry;
};

struct wait_queue_head {
	spinlock_t lock;
	struct list_head head;
};
typedef struct wait_queue_head wait_queue_head_t;
typedef struct wait_queue_entry wait_queue_entry_t;

#define EPOLLIN		0x00000001
#define EPOLLPRI	0x00000002
#define EPOLLOUT	0x00000004
#define EPOLLERR	0x00000008
#define EPOLLHUP	0x00000010
#define EPOLLRDNORM	0x00000040
#define EPOLLRDBAND	0x00000080
#define EPOLLWRNORM	0x00000100
#define EPOLLWRBAND	0x00000200
#define EPOLLRDHUP	0x00002000

int woken_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			int sync, void *key);
int default_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			  int sync, void *key);

#define DEFINE_WAIT_FUNC(name, function)				\
	struct wait_queue_entry name = {				\
		.private	= current,				\
		.func		= function,				\
		.entry		= LIST_HEAD_INIT((name).entry),		\
	}

void init_waitqueue_head(struct wait_queue_head *wq_head);
void add_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);
void remove_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);
long sim_wait_woken(struct wait_queue_entry *wq_entry, unsigned int mode, long timeout,
		    const char *file, int line);
#define wait_woken(e, m, t)	sim_wait_woken((e), (m), (t), __FILE__, __LINE__)
/* Wake every waiter; returns how many were woken. */
int sim_wake_up(struct wait_queue_head *wq_head, unsigned long poll);
bool wq_has_sleeper(struct wait_queue_head *wq_head);

#define wake_up_interruptible(wq)		((void)sim_wake_up((wq), 0))
#define wake_up_interruptible_all(wq)		((void)sim_wake_up((wq), 0))
#define wake_up_interruptible_poll(wq, m)	((void)sim_wake_up((wq), (m)))
#define wake_up_interruptible_sync_poll(wq, m)	((void)sim_wake_up((wq), (m)))

static inline int waitqueue_active(struct wait_queue_head *wq_head)
{
	return !list_empty(&wq_head->head);
}

/* sim: unlink a wait entry (the cleanup of a killed sim task). */
void sim_wait_entry_unlink(void *wq_entry);

/* sim: the world's sleep hook and the hang counter. */
typedef void (*sim_sleep_hook_t)(void *arg);
void sim_set_sleep_hook(sim_sleep_hook_t fn, void *arg);
long sim_hangs(void);
void sim_expect_hangs(long n);
long sim_expected_hangs(void);

#endif /* _LINUX_WAIT_H */
