/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the current task. Stands for include/linux/sched.h and
 * include/linux/sched/signal.h: the test thread's task, or the sim task
 * (sim/task.c) running now, each with its own task_frag (sk_page_frag()
 * hands it to TCP sockets, as in the kernel), comm and a pending-signal
 * flag tests can raise. cond_resched() is a scheduling point.
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

/* Per thread; the test thread's task by default (sim/task.c). */
extern __thread struct task_struct *sim_current;
#define current (sim_current)

static inline int signal_pending(struct task_struct *p)
{
	return READ_ONCE(p->sigpending);
}

#define sched_annotate_sleep()	do { } while (0)
void sim_sched_point_at(const char *op, const char *name, const char *file, int line);
#define cond_resched()	sim_sched_point_at("cond_resched", NULL, __FILE__, __LINE__)

#endif /* _SIM_SCHED_H */
