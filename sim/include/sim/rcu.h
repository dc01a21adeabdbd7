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
#include <sim/list.h>
#include <sim/ledger.h>
#include <stddef.h>

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

/*
 * call_rcu() (kernel/rcu/tree.c) and kfree_rcu() (include/linux/rcupdate.h):
 * the callback becomes due when the grace period that began at the call
 * has elapsed (the readers then in a read-side section have left it); the
 * kworker runs due callbacks while tasks run, otherwise sim_rcu_barrier()
 * does (sim/workqueue.c), never behind the test's back.
 */
struct rcu_head;
typedef void (*rcu_callback_t)(struct rcu_head *head);
struct rcu_head {
	rcu_callback_t func;
	/* sim: waiting for a grace period */
	struct list_head sim_entry;
	struct sim_rcu_snap sim_gp;	/* readers at call time */
	size_t sim_kfree_off;		/* kfree_rcu(): offset of the head in the object */
	struct sim_site sim_site;	/* kfree_rcu(): its call site */
};

void call_rcu(struct rcu_head *head, rcu_callback_t func);
void sim_kfree_rcu(struct rcu_head *head, size_t off, struct sim_site site);
#define kfree_rcu(ptr, rhf)						\
	sim_kfree_rcu(&(ptr)->rhf, offsetof(__typeof__(*(ptr)), rhf), SIM_SITE)

/* include/linux/rculist.h: the hlist RCU primitives. */
#define hlist_first_rcu(head)	(*((struct hlist_node __rcu **)(&(head)->first)))
#define hlist_next_rcu(node)	(*((struct hlist_node __rcu **)(&(node)->next)))
#define hlist_pprev_rcu(node)	(*((struct hlist_node __rcu **)((node)->pprev)))

static inline void hlist_del_rcu(struct hlist_node *n)
{
	__hlist_del(n);
	WRITE_ONCE(n->pprev, (struct hlist_node **)LIST_POISON2);
}

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	WRITE_ONCE(n->pprev, &h->first);
	rcu_assign_pointer(hlist_first_rcu(h), n);
	if (first)
		WRITE_ONCE(first->pprev, &n->next);
}

#define hlist_for_each_entry_rcu(pos, head, member, cond...)		\
	for (pos = hlist_entry_safe(rcu_dereference_raw(hlist_first_rcu(head)), \
			__typeof__(*(pos)), member);			\
	     pos;							\
	     pos = hlist_entry_safe(rcu_dereference_raw(hlist_next_rcu(	\
			&(pos)->member)), __typeof__(*(pos)), member))

/* Drain every deferred RCU callback: synchronize_rcu(), then run them. */
void sim_rcu_barrier(void);

#endif /* _SIM_RCU_H */
