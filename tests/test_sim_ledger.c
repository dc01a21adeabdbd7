// SPDX-License-Identifier: GPL-2.0
/*
 * sim_ledger: the ownership ledger, WARN counting and fault injection must
 * not pass silently. Each test commits one kind of misuse on purpose and
 * asserts that the sim records it (a violation with a useful message, a
 * counted WARN, a failed world check), then declares it with
 * sim_expect_violations()/sim_expect_warnings() so the fixture teardown
 * accepts exactly that and nothing more.
 */
#include "sim_test.h"
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

/* Capture what the sim prints on stderr during a step, so the expected
 * diagnostics are asserted instead of cluttering the test output. No
 * assert may run between capture_begin() and capture_end(): CMocka
 * reports failures on stderr. */
struct capture {
	int saved_fd;
	FILE *file;
	char text[4096];
};

static void capture_begin(struct capture *c)
{
	fflush(stderr);
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved_fd = dup(STDERR_FILENO);
	assert_true(c->saved_fd >= 0);
	assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

static const char *capture_end(struct capture *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_fd, STDERR_FILENO);
	close(c->saved_fd);
	rewind(c->file);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->file);
	c->text[n] = 0;
	fclose(c->file);
	return c->text;
}

#define assert_contains(text, needle)					\
	do {								\
		if (!strstr((text), (needle)))				\
			fail_msg("\"%s\" not in the sim's output:\n%s",	\
				 (needle), (text));			\
	} while (0)

/* A page put once too often is a violation naming the freed page, and the
 * extra put is not executed. */
static void test_sim_ledger_double_put_page(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	assert_non_null(page);
	put_page(page);
	assert_int_equal(sim_violations(), 0);
	sim_expect_violations(1);

	put_page(page);

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "freed page"));
	assert_non_null(strstr(sim_last_violation(), "test_sim_ledger.c"));
}

/* get_page() on a freed page is a violation too (a use after free). */
static void test_sim_ledger_get_page_after_free(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	assert_non_null(page);
	put_page(page);
	sim_expect_violations(1);

	get_page(page);

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "freed page"));
}

/* A reference on slab memory (kmalloc'd, PG_slab) is refused: the kernel
 * must copy slab data, not reference its page. The refcount is unchanged. */
static void test_sim_ledger_get_page_on_slab(void **state)
{
	void *obj = kmalloc(128, GFP_KERNEL);
	struct page *page;

	(void)state;
	assert_non_null(obj);
	page = virt_to_page(obj);
	assert_true(PageSlab(compound_head(page)));
	sim_expect_violations(1);

	get_page(page);

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "slab memory"));
	assert_int_equal(page_count(page), 1);
	kfree(obj);
}

/* put_page() on slab memory is refused the same way. */
static void test_sim_ledger_put_page_on_slab(void **state)
{
	void *obj = kmalloc(128, GFP_KERNEL);

	(void)state;
	assert_non_null(obj);
	sim_expect_violations(1);

	put_page(virt_to_page(obj));

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "slab memory"));
	assert_true(sim_ledger_is_live(SIM_SLAB, obj));
	kfree(obj);
}

/* kfree() twice: the second is a violation reporting both call sites'
 * file, and is not executed. */
static void test_sim_ledger_kfree_twice(void **state)
{
	void *obj = kmalloc(64, GFP_KERNEL);

	(void)state;
	assert_non_null(obj);
	kfree(obj);
	sim_expect_violations(1);

	kfree(obj);

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "twice"));
}

/* kfree() of page-allocator memory is a violation (wrong allocator). */
static void test_sim_ledger_kfree_of_page_memory(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	assert_non_null(page);
	sim_expect_violations(1);

	kfree(page_address(page));

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "not a kmalloc object"));
	assert_true(sim_ledger_is_live(SIM_PAGE, page));
	put_page(page);
}

/* End the world with @c capturing stderr (begun by the caller, so what
 * happened before is in the report too); it must fail exactly one check.
 * Returns the captured report. */
static const char *world_end_fails_once(struct capture *c)
{
	int rc = sim_world_end();
	const char *out = capture_end(c);

	assert_int_equal(rc, 1);
	return out;
}

/* A leaked page makes sim_world_end() fail (one failed check: the page
 * count). The test then frees the page and opens a fresh world, so the
 * fixture's own teardown passes. */
static void test_sim_ledger_leaked_page_fails_world_end(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct capture c;
	const char *out;

	(void)state;
	assert_non_null(page);

	capture_begin(&c);
	out = world_end_fails_once(&c);

	assert_contains(out, "1 page object(s) leaked");
	assert_contains(out, "test_sim_ledger.c");	/* the alloc site */
	put_page(page);
	sim_world_begin();
}

/* A leaked kmalloc object fails the world check the same way. */
static void test_sim_ledger_leaked_slab_fails_world_end(void **state)
{
	void *obj = kmalloc(32, GFP_KERNEL);
	struct capture c;
	const char *out;

	(void)state;
	assert_non_null(obj);

	capture_begin(&c);
	out = world_end_fails_once(&c);

	assert_contains(out, "1 slab object(s) leaked");
	kfree(obj);
	sim_world_begin();
}

/* A leak a test declares (sim_expect_leaks(): a kernel bug shown on
 * purpose) passes the world check at exactly the declared count; one
 * object more or less fails it, named with the count expected. */
static void test_sim_ledger_expected_leak_counted_exactly(void **state)
{
	void *a = kmalloc(32, GFP_KERNEL), *b = kmalloc(32, GFP_KERNEL), *d;
	struct capture c;
	const char *out;

	(void)state;
	sim_expect_leaks(SIM_SLAB, 2);
	assert_int_equal(sim_world_end(), 0);

	sim_world_begin();
	d = kmalloc(32, GFP_KERNEL);

	sim_expect_leaks(SIM_SLAB, 2);
	capture_begin(&c);
	out = world_end_fails_once(&c);
	assert_contains(out, "1 slab object(s) leaked, expected 2");

	sim_world_begin();
	kfree(a);
	kfree(b);
	kfree(d);
	sim_world_begin();
}

/* A violation nobody declared fails the world check. */
static void test_sim_ledger_undeclared_violation_fails_world_end(void **state)
{
	void *obj = kmalloc(32, GFP_KERNEL);
	struct capture c;
	const char *out;

	(void)state;
	assert_non_null(obj);
	capture_begin(&c);
	kfree(obj);
	kfree(obj);

	out = world_end_fails_once(&c);

	assert_contains(out, "1 ledger violation(s), expected 0");
	sim_world_begin();
}

/* An unexpected WARN fails the world check. */
static void test_sim_ledger_undeclared_warning_fails_world_end(void **state)
{
	struct capture c;
	const char *out;

	(void)state;
	capture_begin(&c);
	WARN_ON(1);

	out = world_end_fails_once(&c);

	assert_contains(out, "1 WARN(s), expected 0");
	assert_contains(out, "test_sim_ledger.c");	/* the WARN site */
	sim_world_begin();
}

/* refcount_t underflow (dec_and_test on 0) is a counted WARN and the
 * counter saturates instead of wrapping, as in the kernel. */
static void test_sim_ledger_refcount_underflow_warns(void **state)
{
	refcount_t r = REFCOUNT_INIT(1);

	(void)state;
	assert_true(refcount_dec_and_test(&r));
	assert_int_equal(sim_warnings(), 0);
	sim_expect_warnings(1);

	assert_false(refcount_dec_and_test(&r));

	assert_int_equal(sim_warnings(), 1);
	assert_int_equal((int)refcount_read(&r), REFCOUNT_SATURATED);
}

/* refcount_inc() from 0 (a use after free) is a counted WARN. */
static void test_sim_ledger_refcount_inc_from_zero_warns(void **state)
{
	refcount_t r = REFCOUNT_INIT(0);

	(void)state;
	sim_expect_warnings(1);

	refcount_inc(&r);

	assert_int_equal(sim_warnings(), 1);
	assert_int_equal((int)refcount_read(&r), REFCOUNT_SATURATED);
}

/* WARN_ON counts each true condition and returns it; false costs nothing. */
static void test_sim_ledger_warn_on_counted(void **state)
{
	(void)state;
	assert_false(WARN_ON(0));
	assert_int_equal(sim_warnings(), 0);
	sim_expect_warnings(1);

	assert_true(WARN_ON(1));

	assert_int_equal(sim_warnings(), 1);
}

/* WARN_ON_ONCE counts every hit: no "once" state survives between hits
 * (or tests). */
static void test_sim_ledger_warn_on_once_counts_every_hit(void **state)
{
	(void)state;
	sim_expect_warnings(3);

	WARN_ON_ONCE(1);
	WARN_ON_ONCE(1);
	WARN_ON_ONCE(1);

	assert_int_equal(sim_warnings(), 3);
}

/* sim_fail_alloc(SIM_SLAB, 1, 1): the first kmalloc succeeds, the second
 * returns NULL, the third succeeds again. */
static void test_sim_ledger_fail_alloc_kmalloc_null(void **state)
{
	void *p1, *p2, *p3;
	long live = sim_live(SIM_SLAB);

	(void)state;
	sim_fail_alloc(SIM_SLAB, 1, 1);

	p1 = kmalloc(16, GFP_KERNEL);
	p2 = kmalloc(16, GFP_KERNEL);
	p3 = kmalloc(16, GFP_KERNEL);

	assert_non_null(p1);
	assert_null(p2);
	assert_non_null(p3);
	assert_int_equal(sim_live(SIM_SLAB), live + 2);
	kfree(p1);
	kfree(p3);
}

/* sim_fail_alloc(SIM_PAGE, 0, 1): the next page allocation fails. */
static void test_sim_ledger_fail_alloc_page_null(void **state)
{
	struct page *page;

	(void)state;
	sim_fail_alloc(SIM_PAGE, 0, 1);

	assert_null(alloc_page(GFP_KERNEL));

	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	put_page(page);
}

/* A reference on a tail page of a compound (order-3) page goes to the
 * head, as for folios: the block lives until the last reference. */
static void test_sim_ledger_compound_tail_refs_head(void **state)
{
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);

	(void)state;
	assert_non_null(head);

	get_page(head + 5);

	assert_int_equal(page_count(head), 2);
	assert_int_equal(page_count(head + 5), 2);
	put_page(head);
	assert_true(sim_ledger_is_live(SIM_PAGE, head));
	put_page(head + 5);
	assert_false(sim_ledger_is_live(SIM_PAGE, head));
}

/* The memory of a freed page block or kmalloc object is poisoned (ASan
 * reports any access) and not handed out again in the same world; a new
 * page holds the "uninitialised" pattern, a __GFP_ZERO one zeroes. */
static void test_sim_ledger_freed_memory_poisoned_not_reused(void **state)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP, 3), *again;
	unsigned char *mem, *obj = kmalloc(100, GFP_KERNEL);
	struct page *zero;

	(void)state;
	assert_non_null(page);
	assert_non_null(obj);
	mem = page_address(page);
	assert_int_equal(mem[0], 0x5a);
	assert_int_equal(mem[(PAGE_SIZE << 3) - 1], 0x5a);
	put_page(page);
	kfree(obj);
#ifdef __SANITIZE_ADDRESS__
	assert_true(__asan_address_is_poisoned(mem));
	assert_true(__asan_address_is_poisoned(mem + (PAGE_SIZE << 3) - 1));
	assert_true(__asan_address_is_poisoned(obj));
#endif
	again = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	assert_non_null(again);
	assert_ptr_not_equal(page_address(again), mem);
	memset(page_address(again), 1, PAGE_SIZE << 3);
	put_page(again);
	zero = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_ZERO, 3);
	assert_non_null(zero);
	assert_ptr_not_equal(page_address(zero), mem);
	assert_int_equal(((unsigned char *)page_address(zero))[(PAGE_SIZE << 3) - 1], 0);
	put_page(zero);
}

/* alloc_skb() sizes its head as kmalloc_reserve() does: SKB_HEAD_ALIGN()
 * (data and shared info), from the 640-byte small head cache when it
 * fits, else rounded up to its kmalloc size class (two pages at most,
 * whole page orders above); the skb gets all of it as tailroom, and
 * truesize counts it (SKB_TRUESIZE of the room before the shared info). */
static void test_sim_ledger_skb_head_rounded_as_kmalloc(void **state)
{
	static const struct { unsigned int size, slab; } rows[] = {
		{ 0, 640 }, { 300, 640 }, { 1500, 2048 }, { 5000, 8192 },
		{ 9000, 16384 },
	};
	const unsigned int shinfo = SKB_DATA_ALIGN(sizeof(struct skb_shared_info));

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct sk_buff *skb = alloc_skb(rows[i].size, GFP_KERNEL);
		unsigned int room = rows[i].slab - shinfo;

		assert_non_null(skb);
		assert_int_equal(skb_end_offset(skb), room);
		assert_int_equal(skb->truesize, SKB_TRUESIZE(room));
		assert_int_equal(sim_skb_alloc_truesize(rows[i].size), skb->truesize);
		assert_true(sim_ledger_is_live(SIM_SLAB, skb->head));
		kfree_skb(skb);
	}
}

/* ---- the accounting invariants (<sim/invariant.h>) ----------------------
 * Each named invariant is shown to fire on a state broken on purpose, with
 * its one-line report, and the state is restored so the teardown is clean.
 * The world: A redirects to B's ingress (a 100-byte sk_msg queued on B,
 * charged by bpf_tcp_ingress()), and C's peer D has a 100-byte skb on its
 * receive queue (charged by skb_set_owner_r()). */
static struct {
	struct sock *a, *b, *c, *d;
	struct bpf_map *map;
	struct sim_verdict v;
	char why[256];
	int hook_calls;
} inv;

static void inv_world(void)
{
	struct sock *a2, *b2;

	sim_tcp_pair(&inv.a, &a2, "A", "A2");
	sim_tcp_pair(&inv.b, &b2, "B", "B2");
	sim_tcp_pair(&inv.c, &inv.d, "C", "D");
	inv.map = sim_sockmap_create(2);
	inv.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = inv.map,
				      .key = 1, .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&inv.v), inv.map,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(inv.map, 0, inv.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(inv.map, 1, inv.b, BPF_ANY), 0);
	assert_int_equal(sim_send_pattern(inv.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(inv.c, 0, 0, 100, 0), 100);
	assert_int_equal(sk_psock(inv.b)->msg_tot_len, 100);
	assert_int_equal(atomic_read(&inv.b->sk_rmem_alloc), 100);
	assert_int_equal(skb_queue_len(&inv.d->sk_receive_queue), 1);
}

#define assert_inv(sk, inv_id, needle1, needle2)			\
	do {								\
		assert_int_equal(sim_sock_invariants((sk), inv.why, sizeof(inv.why)), \
				 (inv_id));				\
		assert_contains(inv.why, (needle1));			\
		assert_contains(inv.why, (needle2));			\
	} while (0)

/* The rules hold on real queues: a queued sk_msg (sg.size), a queued skb
 * (truesize), and a psock a map delete detached whose ingress_msg still
 * holds the charge until sk_psock_destroy() after the grace period. */
static void test_sim_ledger_invariants_hold_on_queued_data(void **state)
{
	(void)state;
	inv_world();
	assert_int_equal(sim_sock_invariants(inv.b, inv.why, sizeof(inv.why)), SIM_INV_OK);
	assert_int_equal(sim_sock_invariants(inv.d, inv.why, sizeof(inv.why)), SIM_INV_OK);
	assert_int_equal(sim_sock_rmem_expected(inv.d),
			 (int)skb_peek(&inv.d->sk_receive_queue)->truesize);
	assert_int_equal(sim_map_delete(inv.map, 1), 0);
	assert_null(sk_psock(inv.b));
	assert_int_equal(sim_sock_rmem_expected(inv.b), 100);
	assert_sock_invariants(inv.b);
	sim_quiesce();
	assert_int_equal(sim_sock_rmem_expected(inv.b), 0);
	assert_sock_invariants(inv.b);
}

static void test_sim_ledger_invariant_msg_tot_len_fires(void **state)
{
	(void)state;
	inv_world();
	sk_psock(inv.b)->msg_tot_len += 7;
	assert_inv(inv.b, SIM_INV_MSG_TOT_LEN, "invariant msg_tot_len broken on B",
		   "expected 100 (sum of sg.size over ingress_msg), psock->msg_tot_len is 107");
	sk_psock(inv.b)->msg_tot_len -= 7;
	assert_sock_invariants(inv.b);
}

/* An extra charge on the msg side and on the skb side. */
static void test_sim_ledger_invariant_rmem_alloc_fires(void **state)
{
	int d_rmem;

	(void)state;
	inv_world();
	atomic_add(1, &inv.b->sk_rmem_alloc);
	assert_inv(inv.b, SIM_INV_RMEM_ALLOC, "invariant rmem_alloc broken on B",
		   "expected 100 (charged by the queued msgs and skbs), sk->sk_rmem_alloc is 101");
	atomic_sub(1, &inv.b->sk_rmem_alloc);
	d_rmem = atomic_read(&inv.d->sk_rmem_alloc);
	atomic_sub(d_rmem, &inv.d->sk_rmem_alloc);	/* as if the skb were not charged */
	assert_inv(inv.d, SIM_INV_RMEM_ALLOC, "invariant rmem_alloc broken on D",
		   "sk->sk_rmem_alloc is 0");
	atomic_add(d_rmem, &inv.d->sk_rmem_alloc);
	assert_sock_invariants(inv.b);
	assert_sock_invariants(inv.d);
}

static void test_sim_ledger_invariant_forward_alloc_nonneg_fires(void **state)
{
	int fwd;

	(void)state;
	inv_world();
	fwd = inv.b->sk_forward_alloc;
	inv.b->sk_forward_alloc = -1;
	assert_inv(inv.b, SIM_INV_FWD_NONNEG, "invariant forward_alloc_nonneg broken on B",
		   "expected >= 0, sk->sk_forward_alloc is -1");
	inv.b->sk_forward_alloc = fwd;
	assert_sock_invariants(inv.b);
}

/* Idle means exactly 0: PAGE_SIZE - 1 is a byte charged and never
 * uncharged (what fixes/0004's bug leaves), which 0 <= fwd < PAGE_SIZE let
 * through. With data queued the reserve may be anything >= 0. */
static void test_sim_ledger_invariant_forward_alloc_idle_fires(void **state)
{
	char buf[200];

	(void)state;
	inv_world();
	inv.b->sk_forward_alloc += (int)PAGE_SIZE;	/* not idle: allowed */
	assert_sock_invariants(inv.b);
	inv.b->sk_forward_alloc -= (int)PAGE_SIZE;
	assert_int_equal(sim_recv(inv.b, buf, sizeof(buf), MSG_DONTWAIT), 100);
	assert_int_equal(inv.b->sk_forward_alloc, 0);
	inv.b->sk_forward_alloc = (int)PAGE_SIZE - 1;
	assert_inv(inv.b, SIM_INV_FWD_IDLE, "invariant forward_alloc_idle broken on B",
		   "sk->sk_forward_alloc is 4095");
	inv.b->sk_forward_alloc = 0;
	assert_sock_invariants(inv.b);
}

/* sk_wmem_queued is what the write and retransmit queues hold: a charge
 * the queues do not account for (or a release they still do) fires. */
static void test_sim_ledger_invariant_wmem_queued_fires(void **state)
{
	struct sock *a, *b;

	(void)state;
	sim_tcp_pair(&a, &b, "A", "B");
	assert_int_equal(sim_send_pattern(a, 0, 0, 100, MSG_MORE), 100);	/* corked */
	assert_int_equal(a->sk_wmem_queued, skb_peek(&a->sk_write_queue)->truesize);
	assert_sock_invariants(a);
	a->sk_wmem_queued += 1;
	assert_inv(a, SIM_INV_WMEM_QUEUED, "invariant wmem_queued broken on A",
		   "sk->sk_wmem_queued is");
	a->sk_wmem_queued -= 1;
	assert_sock_invariants(a);
	assert_int_equal(sim_send_pattern(a, 0, 100, 1, 0), 1);	/* pushed, acked */
	assert_int_equal(a->sk_wmem_queued, 0);
	assert_sock_invariants(a);
}

static void test_sim_ledger_invariant_copied_seq_fires(void **state)
{
	struct tcp_sock *tp;

	(void)state;
	inv_world();
	tp = tcp_sk(inv.d);
	tp->copied_seq = tp->rcv_nxt + 3;
	assert_inv(inv.d, SIM_INV_COPIED_SEQ, "invariant copied_seq broken on D",
		   "(3 past)");
	tp->copied_seq -= 3;
	assert_sock_invariants(inv.d);
}

static void record_hook(const char *msg)
{
	snprintf(inv.why, sizeof(inv.why), "%s", msg);
	inv.hook_calls++;
}

/* With the invariants on, the step after which one breaks reports it to
 * the fail hook (the fixture's fails the test there), naming the step. */
static void test_sim_ledger_invariant_step_reports_to_hook(void **state)
{
	int avail;

	(void)state;
	inv_world();
	inv.hook_calls = 0;
	sim_invariants_set_fail_hook(record_hook);
	sim_invariants_auto(true);
	assert_int_equal(sim_fionread(inv.b, &avail), 0);
	assert_int_equal(inv.hook_calls, 0);
	atomic_add(1, &inv.b->sk_rmem_alloc);
	assert_int_equal(sim_fionread(inv.b, &avail), 0);
	atomic_sub(1, &inv.b->sk_rmem_alloc);
	sim_invariants_set_fail_hook(sim_invariant_failed);
	assert_int_equal(inv.hook_calls, 1);
	assert_contains(inv.why, "after FIONREAD: invariant rmem_alloc broken on B");
	assert_false(sim_invariants_auto_on());	/* one report per test */
}

/* Without a hook (make run, fuzz harnesses) the break is counted and
 * fails sim_world_end(). */
static void test_sim_ledger_invariant_step_fails_world_end(void **state)
{
	struct capture c;
	const char *out;
	int avail;

	(void)state;
	inv_world();
	sim_invariants_set_fail_hook(NULL);
	sim_invariants_auto(true);
	sk_psock(inv.b)->msg_tot_len += 1;
	capture_begin(&c);
	(void)sim_fionread(inv.b, &avail);
	sk_psock(inv.b)->msg_tot_len -= 1;
	out = world_end_fails_once(&c);
	sim_invariants_set_fail_hook(sim_invariant_failed);
	assert_contains(out, "after FIONREAD: invariant msg_tot_len broken on B");
	assert_contains(out, "1 broken accounting invariant(s) after a step");
	sim_world_begin();
}

/* A kernel bug declared for one invariant: its break is counted and
 * printed once with the bug's name; the other invariants still fail. */
static void test_sim_ledger_invariant_expected_bug_counted(void **state)
{
	struct capture c;
	const char *out;
	char buf[200];
	int avail;

	(void)state;
	inv_world();
	assert_int_equal(sim_recv(inv.b, buf, sizeof(buf), MSG_DONTWAIT), 100);
	inv.hook_calls = 0;
	sim_invariants_set_fail_hook(record_hook);
	sim_invariants_expect(SIM_INV_FWD_IDLE, "test_bug: a leftover on purpose");
	sim_invariants_auto(true);
	inv.b->sk_forward_alloc = 1;
	capture_begin(&c);
	(void)sim_fionread(inv.b, &avail);
	(void)sim_fionread(inv.b, &avail);
	out = capture_end(&c);
	assert_int_equal(sim_invariant_expected_hits(SIM_INV_FWD_IDLE), 2);
	assert_int_equal(inv.hook_calls, 0);
	assert_contains(out, "after FIONREAD: invariant forward_alloc_idle broken on B");
	assert_contains(out, "the kernel bug test_bug: a leftover on purpose");
	tcp_sk(inv.b)->copied_seq = tcp_sk(inv.b)->rcv_nxt + 1;
	(void)sim_fionread(inv.b, &avail);
	tcp_sk(inv.b)->copied_seq -= 1;
	inv.b->sk_forward_alloc = 0;
	sim_invariants_set_fail_hook(sim_invariant_failed);
	assert_int_equal(inv.hook_calls, 1);
	assert_contains(inv.why, "invariant copied_seq broken on B");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_sim_ledger_double_put_page),
		SIM_TEST(test_sim_ledger_get_page_after_free),
		SIM_TEST(test_sim_ledger_get_page_on_slab),
		SIM_TEST(test_sim_ledger_put_page_on_slab),
		SIM_TEST(test_sim_ledger_kfree_twice),
		SIM_TEST(test_sim_ledger_kfree_of_page_memory),
		SIM_TEST(test_sim_ledger_leaked_page_fails_world_end),
		SIM_TEST(test_sim_ledger_leaked_slab_fails_world_end),
		SIM_TEST(test_sim_ledger_expected_leak_counted_exactly),
		SIM_TEST(test_sim_ledger_undeclared_violation_fails_world_end),
		SIM_TEST(test_sim_ledger_undeclared_warning_fails_world_end),
		SIM_TEST(test_sim_ledger_refcount_underflow_warns),
		SIM_TEST(test_sim_ledger_refcount_inc_from_zero_warns),
		SIM_TEST(test_sim_ledger_warn_on_counted),
		SIM_TEST(test_sim_ledger_warn_on_once_counts_every_hit),
		SIM_TEST(test_sim_ledger_fail_alloc_kmalloc_null),
		SIM_TEST(test_sim_ledger_fail_alloc_page_null),
		SIM_TEST(test_sim_ledger_compound_tail_refs_head),
		SIM_TEST(test_sim_ledger_freed_memory_poisoned_not_reused),
		SIM_TEST(test_sim_ledger_skb_head_rounded_as_kmalloc),
		SIM_TEST(test_sim_ledger_invariants_hold_on_queued_data),
		SIM_TEST(test_sim_ledger_invariant_msg_tot_len_fires),
		SIM_TEST(test_sim_ledger_invariant_rmem_alloc_fires),
		SIM_TEST(test_sim_ledger_invariant_forward_alloc_nonneg_fires),
		SIM_TEST(test_sim_ledger_invariant_forward_alloc_idle_fires),
		SIM_TEST(test_sim_ledger_invariant_wmem_queued_fires),
		SIM_TEST(test_sim_ledger_invariant_copied_seq_fires),
		SIM_TEST(test_sim_ledger_invariant_step_reports_to_hook),
		SIM_TEST(test_sim_ledger_invariant_step_fails_world_end),
		SIM_TEST(test_sim_ledger_invariant_expected_bug_counted),
	};

	return SIM_RUN_GROUP("sim_ledger", tests);
}
