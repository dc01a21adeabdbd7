/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: watched fields. Stands for what KCSAN (kernel/kcsan/) and lockdep's
 * lock-protection annotations do for a handful of fields the sockmap code
 * shares between contexts: while tasks run, a READ_ONCE()/WRITE_ONCE() of a
 * registered field is a scheduling point (WRITE_ONCE evaluates its value
 * first, then passes the point, then stores: a read-modify-write such as
 * sk_forward_alloc_add() can be torn), and every such access is checked,
 * Eraser-style, against the field's lock rule: two accesses by different
 * tasks, one of them a write without the rule's lock, the other not
 * ordered before it (vector clocks over lock release/acquire, work
 * queueing/running and task start: sim_hb_release()), is a lock-set
 * report naming both sites and the locks each task held (once per field
 * and site pair). An access made with exclusive ownership (the rule's
 * "exclusive" state: the object is unreachable but by this task) forgets
 * the other tasks' accesses: they happened before the last reference was
 * dropped. Unregistered fields cost one test of a global.
 *
 * Fields are registered where the sim creates the object (sim/socket.c for
 * a sock, sim/sockmap.c for a psock) and forgotten when its memory goes
 * (kfree(), sk_free()).
 */
#ifndef _SIM_WATCH_H
#define _SIM_WATCH_H

#include <sim/compiler.h>

/* The lock rule of a field: is the current task allowed to touch it? */
enum sim_watch_rule {
	SIM_RULE_SOCK,		/* lock_sock(sk) owned, or sk->sk_lock.slock held
				 * (sk_free() forgets the field: the last
				 * reference is exclusive) */
	SIM_RULE_PSOCK,		/* psock->ingress_lock held; exclusive once the
				 * psock's refcount is zero (sk_psock_destroy) */
	SIM_RULE_SPINLOCK,	/* the spinlock_t @lock held */
};

void sim_watch_register(const volatile void *addr, size_t size, const char *name,
			const char *owner, enum sim_watch_rule rule, const void *lock);
/* Forget every field inside [addr, addr + size). */
void sim_watch_forget(const void *addr, size_t size);
/* Is a field at @addr watched already? */
bool sim_watch_registered(const volatile void *addr);
int sim_watch_fields(void);

/* Lock-set reports since the world began; the world fixture fails on
 * unexpected ones (sim_lockset_expect(n): exactly n). */
long sim_lockset_reports(void);
const char *sim_lockset_last_report(void);
/* Did any report since the world began mention @needle? */
bool sim_lockset_reported(const char *needle);
void sim_lockset_expect(long n);
long sim_lockset_expected(void);
void sim_lockset_reset(void);
/* Accesses by the field's name since the world began (a test that
 * relies on the hooks can check that they ran). */
long sim_watch_accesses(const char *name);

/* sim/task.c: a run begins / ends. */
void sim_watch_run_begin(void);
void sim_watch_run_end(void);

/* The kernel call site of an accounting shim (sk_mem_charge() etc.), set
 * by the shim's call-site macro in <net/sock.h> for the reports. */
struct sim_acct_site {
	const char *file, *func, *what;
	int line;
};
extern __thread struct sim_acct_site sim_acct_site;

#endif /* _SIM_WATCH_H */
