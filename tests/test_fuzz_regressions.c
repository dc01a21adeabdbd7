// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_regressions: every crash the fuzzer (tests/fuzz/) found, as a named
 * test. Each says what the fuzzer's input was, what was wrong, and where
 * it was fixed; below the fixing patch's level it asserts the 6.12.117
 * behaviour.
 */
#include <sim/pipe.h>
#include "sim_test.h"
#include <sim/series.h>

static struct {
	struct sock *a, *b;
	struct bpf_map *map;
	struct sim_verdict v;
} fx;

/* TX->RX: A's sk_msg verdict redirects to B's ingress with @apply/@cork. */
static void txrx_setup(u32 apply, u32 cork)
{
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map, .key = 1,
				     .flags = BPF_F_INGRESS, .apply_bytes = apply,
				     .cork_bytes = cork };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.map,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
}

/* @sk has exactly stream 0's bytes [@off, @off + @len) to read. */
static void recv_all_expect(struct sock *sk, size_t off, size_t len)
{
	unsigned char *buf = malloc(len + 1);
	size_t n = 0;
	int ret;

	assert_non_null(buf);
	while (n <= len && (ret = sim_recv(sk, buf + n, len + 1 - n, MSG_DONTWAIT)) > 0)
		n += ret;
	assert_int_equal(n, len);
	assert_pattern(buf, 0, off, len);
	free(buf);
}

/* fuzz_world, found in 2 s: "world apply=700 cork=3000; fail sk_msg 0 1;
 * send 1; send 1" leaked a page. The first send's cork cannot be
 * allocated: -ENOMEM, but 6.12.117 has already set psock->cork_bytes. The
 * second send then returns its byte as sent and leaves it, with its page
 * reference, in the on-stack msg: lost and leaked. Fixed by fixes/0004 (level fixes). */
static void test_fuzz_cork_alloc_failure_keeps_no_cork_bytes(void **state)
{
	struct sk_psock *psock;
	struct page *frag;
	int fwd;

	(void)state;
	txrx_setup(700, 3000);
	psock = sk_psock(fx.a);
	sim_fail_alloc(SIM_SK_MSG, 0, 1);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 1, MSG_DONTWAIT), -ENOMEM);
	assert_null(psock->cork);
	if (SIM_LEVEL_AT_LEAST(FIXES)) {
		assert_int_equal(psock->cork_bytes, 0);
		/* the verdict stands (redirect, 700 bytes): the byte goes */
		assert_int_equal(sim_send_pattern(fx.a, 0, 0, 1, MSG_DONTWAIT), 1);
		assert_null(psock->cork);
		assert_int_equal(sk_psock(fx.b)->msg_tot_len, 1);
		return;
	}
	assert_int_equal(psock->cork_bytes, 2999);	/* and no cork */
	fwd = fx.a->sk_forward_alloc;
	/* A is idle after it, yet its forward alloc is a page less a byte */
	sim_invariants_expect(SIM_INV_FWD_IDLE, KBUG_CORK_BYTES_WITHOUT_CORK);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 1, MSG_DONTWAIT), 1);
	assert_true(sim_invariant_expected_hits(SIM_INV_FWD_IDLE) > 0);
	assert_null(psock->cork);
	assert_int_equal(psock->cork_bytes, 2998);
	assert_int_equal(sk_psock(fx.b)->msg_tot_len, 0);	/* the byte is nowhere */
	/* its element's reference on the task's page fragment is never
	 * dropped (the leak the fuzzer saw), and its byte stays charged to A.
	 * Undo both, so the teardown checks everything else. */
	assert_int_equal((fwd - fx.a->sk_forward_alloc + PAGE_SIZE) % PAGE_SIZE, 1);
	frag = current->task_frag.page;
	assert_non_null(frag);
	put_page(frag);
	sk_mem_uncharge(fx.a, 1);
}

/* fuzz_world, found in 6 s (a sim bug, fixed in sim/tcp.c): "world
 * mode=rx verdict=redirect; fail sock 2 1; send 65279; inject 1 slab".
 * Under memory pressure A's receive window closes and A2's last segment
 * waits on the wire. The injected skb flushes the wire: A receives that
 * segment, its verdict consumes it (tcp_eat_skb -> tcp_cleanup_rbuf), and
 * the sim's window update delivered the next segment from inside
 * tcp_v4_rcv(): A's bh lock taken twice (lockdep BUG). A window update
 * lets the peer's next segment in after the current one, never inside. */
static void test_fuzz_window_update_while_receiving(void **state)
{
	struct sock *a2, *b2;
	unsigned char *buf, *data;
	size_t len = 65279, n = 0;
	int ret;

	(void)state;
	sim_tcp_pair(&fx.a, &a2, "A", "A2");
	sim_tcp_pair(&fx.b, &b2, "B", "B2");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map, .key = 1,
				     .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(&fx.v), fx.map,
					 BPF_SK_SKB_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
	sim_fail_alloc(SIM_SOCK, 2, 1);
	assert_int_equal(sim_send_pattern(a2, 0, 0, len, MSG_DONTWAIT), len);
	assert_true(skb_queue_len(&sim_tcp(fx.a)->wire) > 0);	/* a segment waits */
	data = sim_pattern_buf(0, len, 1);
	assert_int_equal(sim_inject(fx.a, data, 1, &(struct sim_skb_shape){ .headlen = 1 }), 0);
	free(data);
	assert_int_equal(skb_queue_len(&sim_tcp(fx.a)->wire), 0);
	sim_run_work();		/* B's backlog: the redirected skbs to B's queue */
	buf = malloc(len + 2);
	assert_non_null(buf);
	while ((ret = sim_recv(fx.b, buf + n, len + 2 - n, MSG_DONTWAIT)) > 0)
		n += ret;
	assert_int_equal(n, len + 1);
	assert_pattern(buf, 0, 0, len + 1);
	free(buf);
}

/* fuzz_world, found in 1 s (a sim bug, fixed in sim/skbuff.c, sim/mm.c):
 * a close with an skb allocation failure pending hit BUG_ON(!skb) in the
 * sim's tcp_send_fin(), whose allocation is __GFP_NOFAIL. The kernel's
 * fault injection never fails __GFP_NOFAIL (should_failslab(),
 * should_fail_alloc_page()); the sim's now does not either, and the
 * pending failure hits the next allocation that may fail. */
static void test_fuzz_close_with_skb_failure_pending(void **state)
{
	struct sock *b2;
	struct sk_buff *skb;

	(void)state;
	sim_tcp_pair(&fx.b, &b2, "B", "B2");
	sim_fail_alloc(SIM_SKB, 0, 1);
	sim_close(fx.b);	/* the FIN */
	assert_int_equal(b2->sk_state, TCP_CLOSE_WAIT);
	assert_null(alloc_skb(0, GFP_KERNEL));	/* the failure still pending */
	skb = alloc_skb(0, GFP_KERNEL);
	assert_non_null(skb);
	kfree_skb(skb);
	sim_close(b2);
}

/* fuzz_world, found in 14 s on the pristine files: "world verdict=pass
 * apply=1 cork=100; send 256; send 256" panics 6.12.117 (the booted
 * kernel: BUG: kernel NULL pointer dereference, sg_virt() from
 * sk_msg_memcopy_from_iter(), tcp_bpf_sendmsg(); make conformance
 * CONF_SCENARIOS=cork_apply1_pass). The first send leaves a cork of 99
 * bytes whose sg.copybreak still says where the send's last element
 * ended; the second send appends a new, empty element and copies at the
 * stale copybreak's element: past the end of the ring, a NULL page.
 * Fixed by fixes/0002 (tcp_bpf_cork_set_tail; level fixes). */
static void test_fuzz_cork_apply1_second_send(void **state)
{
	struct sk_psock *psock;
	struct sk_msg *cork;
	struct sock *a2;

	(void)state;
	sim_tcp_pair(&fx.a, &a2, "A", "A2");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_PASS, .apply_bytes = 1, .cork_bytes = 100 };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.map,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 256, MSG_DONTWAIT), 256);
	psock = sk_psock(fx.a);
	cork = psock->cork;
	assert_non_null(cork);
	/* 157 bytes went out over TCP, 1 verdict at a time; 99 wait */
	assert_int_equal(cork->sg.size, 99);
	assert_int_equal(cork->sg.end, (cork->sg.start + 1) % NR_MSG_FRAG_IDS);
	assert_int_equal(sk_msg_elem(cork, cork->sg.start)->length, 99);
	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		/* the stale copybreak: the next send would crash */
		assert_int_equal(cork->sg.copybreak, 256);
		recv_all_expect(a2, 0, 157);
		return;
	}
	assert_int_equal(cork->sg.copybreak, 99);
	assert_int_equal(sim_send_pattern(fx.a, 0, 256, 256, MSG_DONTWAIT), 256);
	cork = psock->cork;
	assert_non_null(cork);
	recv_all_expect(a2, 0, 512 - cork->sg.size);
}

/* fuzz_world under AFL++, on the full series: "world verdict=egress
 * apply=4096 cork=100; send 4000; fail sk_msg 0 1; send 150". The second
 * send goes out for the 96 bytes left of apply_bytes, the verdict corks
 * the other 54, and the cork cannot be allocated: 6.12.117 sets *copied
 * to 0 and send() fails with -ENOMEM, while B2 receives the 96 bytes (an
 * application sending them again duplicates them). Fixed by fixes/0005 (level fixes):
 * send() returns the 96 bytes it sent. */
static void test_fuzz_cork_alloc_failure_after_partial_send(void **state)
{
	struct sock *a2, *b2;
	unsigned char *buf = malloc(8192);
	int n = 0, ret;

	(void)state;
	assert_non_null(buf);
	sim_tcp_pair(&fx.a, &a2, "A", "A2");
	sim_tcp_pair(&fx.b, &b2, "B", "B2");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map, .key = 1,
				     .apply_bytes = 4096, .cork_bytes = 100 };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.map,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 4000, MSG_DONTWAIT), 4000);
	assert_int_equal(sk_psock(fx.a)->apply_bytes, 96);
	sim_fail_alloc(SIM_SK_MSG, 0, 1);	/* the cork */
	ret = sim_send_pattern(fx.a, 0, 4000, 150, MSG_DONTWAIT);
	assert_null(sk_psock(fx.a)->cork);
	while (n < 8192) {
		int got = sim_recv(b2, buf + n, 8192 - n, MSG_DONTWAIT);

		if (got <= 0)
			break;
		n += got;
	}
	assert_int_equal(n, 4096);	/* the 96 bytes went out */
	assert_pattern(buf, 0, 0, 4096);
	free(buf);
	assert_int_equal(ret, SIM_LEVEL_AT_LEAST(FIXES) ? 96 : -ENOMEM);
}

/* cflite-check (5 s of libFuzzer on the seeds, in CI): "fail slab 0 1;
 * pipe-close" hit BUG_ON(!pipe->bufs) in the sim's sim_pipe_create(): the
 * test's new pipe took the failure armed for the kernel's paths. A sim
 * bug, fixed in sim/pipe.c: a test's pipe(2) is a fixture and never fails;
 * the armed failure stays pending for the next allocation that may. */
static void test_fuzz_pipe_create_with_slab_failure_pending(void **state)
{
	struct pipe_inode_info *pipe;
	void *p;

	(void)state;
	sim_fail_alloc(SIM_SLAB, 0, 1);
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	assert_non_null(pipe);
	assert_int_equal(sim_pipe_nr_bufs(pipe), 0);
	assert_null(kmalloc(13, GFP_KERNEL));	/* the failure still pending */
	p = kmalloc(13, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
	sim_pipe_close(pipe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_fuzz_cork_alloc_failure_keeps_no_cork_bytes),
		SIM_TEST(test_fuzz_window_update_while_receiving),
		SIM_TEST(test_fuzz_close_with_skb_failure_pending),
		SIM_TEST(test_fuzz_cork_apply1_second_send),
		SIM_TEST(test_fuzz_cork_alloc_failure_after_partial_send),
		SIM_TEST(test_fuzz_pipe_create_with_slab_failure_pending),
	};

	return SIM_RUN_GROUP_INVARIANTS("fuzz_regressions", tests);
}
