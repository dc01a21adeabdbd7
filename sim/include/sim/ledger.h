/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the ownership ledger and the cost counters.
 *
 * Every page, slab object, skb, sk_msg, psock and sock the kernel code
 * allocates is recorded with its call site. Misuse that the kernel would
 * catch with a VM_BUG_ON or a crash (a page put once too often, a reference
 * taken on slab memory, an object freed twice) is recorded as a violation
 * with both call sites and never executed, so the test can report it (or,
 * in the ledger's own tests, assert it). Freed memory is really freed, so
 * AddressSanitizer sees any later use.
 */
#ifndef _SIM_LEDGER_H
#define _SIM_LEDGER_H

#include <stdio.h>
#include <sim/compiler.h>

/*
 * SIM_BOOKKEEPING: 1 in every build but the bench variant (bench/bench.mk
 * compiles it with -DSIM_BENCH). There the sim keeps what the kernel code
 * needs and what the figures count (refcounts, memory, locks, wake-ups,
 * the live counts and the cost counters), but not its own checking: no
 * record per object (call sites, double-free and wrong-kind detection),
 * no accounting invariants after each step, no poisoning of new memory and
 * no quarantine of freed page descriptors. The ASan build checks all of
 * that; the bench variant measures the kernel code, not the checks.
 */
#ifdef SIM_BENCH
#define SIM_BOOKKEEPING 0
#else
#define SIM_BOOKKEEPING 1
#endif

enum sim_kind {
	SIM_PAGE,	/* alloc_pages(): one entry per (compound) allocation */
	SIM_SLAB,	/* kmalloc() objects not classified below */
	SIM_SKB,	/* struct sk_buff */
	SIM_SK_MSG,	/* kmalloc() of sizeof(struct sk_msg) */
	SIM_PSOCK,	/* kmalloc() of sizeof(struct sk_psock) */
	SIM_SOCK,	/* struct sock (tcp_sock) */
	SIM_PIPE_BUF,	/* pipe buffers holding a page */
	SIM_KIND_NR,
};

struct sim_site {
	const char *file;
	int line;
	const char *func;
};

#define SIM_SITE ((struct sim_site){ __FILE__, __LINE__, __func__ })

/* Cost counters: what the kernel code did, counted in the shims. */
struct sim_stats {
	u64 bytes_copied;	/* memcpy'd by kernel code: iov copies, page copies */
	u64 uaccess_faults;	/* user copies cut short by sim_uaccess_fault_after() */
	u64 page_get;		/* page references taken (get_page) */
	u64 page_put;		/* page references dropped (put_page) */
	u64 allocs[SIM_KIND_NR];
	u64 frees[SIM_KIND_NR];
	u64 lock_sock;		/* lock_sock / lock_sock_fast acquisitions */
	u64 data_ready;		/* sk_data_ready calls */
	u64 wakeups;		/* waiters woken on a socket wait queue */
	u64 work_runs;		/* work items executed */
	u64 skb_copies;		/* skb data copied by skb_copy_bits & co */
};

extern struct sim_stats sim_stats;

const char *sim_kind_name(enum sim_kind kind);
long sim_live(enum sim_kind kind);
/* Record an allocation/free of an object the ledger tracks by pointer. */
void sim_ledger_add(enum sim_kind kind, const void *ptr, size_t size, struct sim_site site);
/* Returns false (and records a violation) if @ptr is not live. */
bool sim_ledger_del(enum sim_kind kind, const void *ptr, struct sim_site site);
/* Is @ptr a live object of @kind? */
bool sim_ledger_is_live(enum sim_kind kind, const void *ptr);
/* Call @fn on every live object of @kind, in allocation order; @fn must
 * not allocate or free objects the ledger tracks. */
void sim_ledger_for_each(enum sim_kind kind, void (*fn)(const void *ptr, void *arg),
			 void *arg);
/* Where was @ptr allocated (NULL if unknown)? */
const struct sim_site *sim_ledger_site(const void *ptr);

/* kmalloc sizes classified as their own kind (sk_msg, psock). */
void sim_ledger_classify(size_t size, enum sim_kind kind);

/* A violation: recorded, printed, counted; the teardown fails on it. */
__attribute__((format(printf, 2, 3)))
void sim_violation(struct sim_site site, const char *fmt, ...);
long sim_violations(void);
const char *sim_last_violation(void);
/* The test expects exactly @n violations (the ledger's own tests). */
void sim_expect_violations(long n);
long sim_expected_violations(void);

/* Print every live allocation with its call site. */
void sim_ledger_report(FILE *out);

/* Fault injection: skip @skip allocations of @kind, then fail @count.
 * SIM_SOCK stands for socket memory scheduling: __sk_mem_schedule() fails
 * as under memory pressure (socks themselves are never failed). */
void sim_fail_alloc(enum sim_kind kind, int skip, int count);
bool sim_should_fail(enum sim_kind kind);

/* Forget freed-object descriptors and reset injected faults. */
void sim_ledger_reset(void);

#endif /* _SIM_LEDGER_H */
