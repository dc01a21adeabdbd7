/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: RCU. Stands for include/linux/rcupdate.h and the grace-period half
 * of kernel/rcu/tree.c.
 *
 * Readers are per task: rcu_read_lock() nests a counter and is a
 * scheduling point on entry, rcu_read_unlock() on exit (sim/task.c).
 * synchronize_rcu() blocks the caller until every task that was in a
 * read-side section (or had bh disabled or a spinlock held, which are
 * read-side sections too since the RCU flavours were consolidated) when it
 * began has passed a quiescent state; with no task running it returns at
 * once, and it is a BUG inside a read-side section. Callbacks the kernel
 * defers past a grace period (queue_rcu_work) become due when their grace
 * period has elapsed: the kworker runs them while tasks run, otherwise
 * sim_rcu_barrier() (at sim_quiesce()) does, when the test says so.
 */
#ifndef _SIM_RCU_H
#define _SIM_RCU_H

#include <sim/compiler.h>
#include <sim/bug.h>
#include <sim/lock.h>
#include <sim/task.h>

#define rcu_read_lock()		sim_rcu_read_lock(__FILE__, __LINE__)
#define rcu_read_unlock()	sim_rcu_read_unlock(__FILE__, __LINE__)
#define rcu_read_lock_bh()						\
	do {								\
		sim_local_bh_disable(__FILE__, __LINE__);		\
		sim_rcu_read_lock(__FILE__, __LINE__);			\
	} while (0)
#define rcu_read_unlock_bh()						\
	do {								\
		sim_rcu_read_unlock(__FILE__, __LINE__);		\
		sim_local_bh_enable(__FILE__, __LINE__);		\
	} while (0)
#define rcu_read_lock_held()	sim_rcu_read_lock_held()

/* The kernel's rcu_assign_pointer() accepts an integer (cast through
 * uintptr_t, as sock.h's sk_user_data helpers rely on). */
#define rcu_assign_pointer(p, v)					\
	do {								\
		uintptr_t _r_a_p__v = (uintptr_t)(v);			\
		smp_store_release(&(p), (__typeof__(p))_r_a_p__v);	\
	} while (0)
#define rcu_dereference(p)						\
	({ __typeof__(p) _r_d_p = __atomic_load_n(&(p), __ATOMIC_CONSUME); _r_d_p; })
#define rcu_dereference_protected(p, c)					\
	({ WARN_ON(!(c)); (p); })
#define rcu_dereference_check(p, c)	rcu_dereference(p)
#define rcu_dereference_raw(p)		rcu_dereference(p)
#define rcu_access_pointer(p)		READ_ONCE(p)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)

void synchronize_rcu(void);

/* Drain every deferred RCU callback: synchronize_rcu(), then run them. */
void sim_rcu_barrier(void);

#endif /* _SIM_RCU_H */
