/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the current task. Stands for include/linux/sched.h and
 * include/linux/sched/signal.h: one task, the test thread, with its
 * task_frag (sk_page_frag() hands it to TCP sockets, as in the kernel) and
 * a pending-signal flag tests can raise.
 */
#ifndef _SIM_SCHED_H
#define _SIM_SCHED_H

#include <sim/compiler.h>
#include <linux/mm.h>

#define MAX_SCHEDULE_TIMEOUT	LONG_MAX
#define TASK_RUNNING		0x0000
#define TASK_INTERRUPTIBLE	0x0001
#define TASK_UNINTERRUPTIBLE	0x0002
#define HZ			1000

struct task_struct {
	struct page_frag task_frag;
	int sigpending;
	const char *comm;
};

extern struct task_struct sim_task;
#define current (&sim_task)

static inline int signal_pending(struct task_struct *p)
{
	return READ_ONCE(p->sigpending);
}

#define sched_annotate_sleep()	do { } while (0)
#define cond_resched()		do { } while (0)

#endif /* _SIM_SCHED_H */
