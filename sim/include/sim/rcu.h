/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: RCU. Stands for include/linux/rcupdate.h.
 *
 * Readers and grace periods are liburcu's (urcu-memb): rcu_read_lock(),
 * rcu_read_unlock() and synchronize_rcu() are the real thing. Callbacks the
 * kernel defers past a grace period (queue_rcu_work) are kept on a list the
 * sim drains at sim_rcu_barrier(), after a synchronize_rcu(), so they run
 * when the test says so and every run is reproducible.
 */
#ifndef _SIM_RCU_H
#define _SIM_RCU_H

#ifndef _LGPL_SOURCE
#define _LGPL_SOURCE
#endif
#include <urcu.h>

#include <sim/compiler.h>
#include <sim/bug.h>

/* The kernel's rcu_assign_pointer() accepts an integer (cast through
 * uintptr_t, as sock.h's sk_user_data helpers rely on); liburcu's does not. */
#undef rcu_assign_pointer
#define rcu_assign_pointer(p, v)					\
	do {								\
		uintptr_t _r_a_p__v = (uintptr_t)(v);			\
		smp_store_release(&(p), (__typeof__(p))_r_a_p__v);	\
	} while (0)
#define rcu_dereference_protected(p, c)					\
	({ WARN_ON(!(c)); (p); })
#define rcu_dereference_check(p, c)	rcu_dereference(p)
#define rcu_dereference_raw(p)		rcu_dereference(p)
#define rcu_access_pointer(p)		READ_ONCE(p)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)
#define rcu_read_lock_bh()		rcu_read_lock()
#define rcu_read_unlock_bh()		rcu_read_unlock()
#define rcu_read_lock_held()		rcu_read_ongoing()

/* Drain every deferred RCU callback: synchronize_rcu(), then run them. */
void sim_rcu_barrier(void);

#endif /* _SIM_RCU_H */
