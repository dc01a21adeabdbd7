// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_regressions: every crash the fuzzer (tests/fuzz/) found, as a named
 * test. Each says what the fuzzer's input was, what was wrong, and where
 * it was fixed; below the fixing patch's level it asserts the 6.12.117
 * behaviour.
 */
#include <unistd.h>
#include <sim/pipe.h>
/* the world harness itself, for its concurrent groups (its statics too) */
#include "fuzz/fuzz_world.c"
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
	/* 157 bytes went to TCP, 1 verdict at a time, each push with
	 * MSG_MORE (1 byte of a longer element): they wait corked on A's
	 * write queue, coalesced into one skb, until the probe timer sends
	 * them 200 ms later; 99 wait in the psock's cork */
	assert_int_equal(sim_outq(fx.a), 157);
	assert_int_equal(skb_queue_len(&fx.a->sk_write_queue), 1);
	assert_int_equal(tcp_inq(a2), 0);
	sim_tcp_timers_fire();
	assert_int_equal(sim_outq(fx.a), 0);
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
	sim_tcp_timers_fire();	/* the corked pushes go out */
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


/* ---- the world harness's concurrent groups (issue 14 item 8) ---- */

/* tests/fuzz/seeds/world/group-recv-vs-backlog.ops, compiled: "world
 * mode=rx verdict=redirect; inject 3000 frags; inject 1000 slab; group
 * sched=2,1,2 x11,0 x5,1,1,2,2,0,0 { read b 2000; fionread b }; read b
 * 65535" */
static const u8 group_recv_vs_backlog[] = {
	0x05, 0x00, 0x02, 0x0b, 0xb7, 0x02, 0x02, 0x03, 0xe7, 0x00, 0x13, 0x00,
	0x03, 0x02, 0x07, 0xcf, 0x09, 0x02, 0x18, 0x02, 0x01, 0x02, 0x02, 0x02,
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x01, 0x02, 0x02, 0x00, 0x00, 0x03, 0x02, 0xff, 0xfe,
};

/* Run one input through fuzz_world's LLVMFuzzerTestOneInput; an oracle
 * violation returns -1 (its line in oracle_reason) instead of trapping.
 * @quiet: stderr (traces, the expected violation's report) to /dev/null. */
static int fuzz_world_run(const u8 *data, size_t size, bool quiet)
{
	static bool initialised;
	volatile int saved = -1, ret = 0;
	jmp_buf jb;

	if (!initialised) {
		LLVMFuzzerInitialize(NULL, NULL);
		initialised = true;
	}
	if (quiet) {
		fflush(stderr);
		saved = dup(2);
		assert_true(saved >= 0);
		assert_true(freopen("/dev/null", "w", stderr) != NULL);
	}
	oracle_reason[0] = 0;
	oracle_jmp = &jb;
	if (!setjmp(jb))
		LLVMFuzzerTestOneInput(data, size);
	else
		ret = -1;
	oracle_jmp = NULL;
	if (quiet) {
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
	}
	return ret;
}

/* fuzz_world's concurrent group: "read b 2000" and "fionread b" run as
 * tasks while the kworker runs B's backlog (N2's scenario, fixed by
 * fixes/0010; below level fixes the harness keeps the kworker out). The
 * choice bytes make them interleave: at level full
 *   kworker    backlog starts moving the skbs to B's ingress_msg
 *   FIONREAD   preempts it (byte 1), ...
 *   kworker    ... 11 points of backlog, then recv B for 5, FIONREAD,
 *              the backlog again, ... (schedule '2.1.2x11.0x5.1x2.2x2.0.1.2x54.0x22')
 * and recv B gets 2000 bytes; at level pristine recv and FIONREAD
 * preempt each other and find nothing yet ('0.1.0x13'). The same input
 * gives the same schedule, traced or not. Every byte of S0 reaches B
 * once, in order (the harness's exact oracle, and the counts here); the
 * world's teardown checks ledger and accounting. */
static void test_fuzz_world_group_recv_vs_backlog_interleaves(void **state)
{
	char schedule[sizeof(gstats.schedule)];
	long live[SIM_KIND_NR];
	bool traced = trace;
	int err;

	(void)state;
	for (int k = 0; k < SIM_KIND_NR; k++)
		live[k] = sim_live(k);
	if (fuzz_world_run(group_recv_vs_backlog, sizeof(group_recv_vs_backlog), false))
		fail_msg("oracle: %s", oracle_reason);
	assert_int_equal(gstats.groups, 1);
	/* recv and FIONREAD, and the kworker from level fixes */
	assert_int_equal(gstats.max_tasks, SIM_LEVEL_AT_LEAST(FIXES) ? 3 : 2);
	assert_true(gstats.choices > 1);
	assert_true(gstats.preemptions >= 1);
	/* the bytes: all of S0, at B, exactly */
	assert_false(w.lossy || w.moved || w.nodata);
	assert_int_equal(w.sent[0], 4000);
	assert_int_equal(w.sent[1], 0);
	assert_int_equal(w.t[SK_B][0].got, 4000);
	assert_int_equal(w.t[SK_B][0].pos, 4000);
	assert_int_equal(delivered(0), 4000);
	assert_int_equal(delivered(1), 0);
	/* ledger and accounting after the harness's teardown */
	for (int k = 0; k < SIM_KIND_NR; k++)
		assert_int_equal(sim_live(k), live[k]);
	assert_int_equal(sim_tcp_memory_allocated(), 0);
	assert_int_equal(sim_warnings(), 0);
	assert_int_equal(sim_lockset_reports(), 0);

	/* deterministic: again, and once more traced (to /dev/null) */
	snprintf(schedule, sizeof(schedule), "%s", gstats.schedule);
	assert_int_equal(fuzz_world_run(group_recv_vs_backlog, sizeof(group_recv_vs_backlog),
					false), 0);
	assert_string_equal(gstats.schedule, schedule);
	trace = true;
	err = fuzz_world_run(group_recv_vs_backlog, sizeof(group_recv_vs_backlog), true);
	trace = traced;
	assert_int_equal(err, 0);
	assert_string_equal(gstats.schedule, schedule);
	assert_int_equal(w.t[SK_B][0].got, 4000);
}

/* fuzz_world's concurrent groups, found once the fuzzer ran faster: a
 * task's shutdown() sends a FIN, which the sim's loopback delivers to the
 * peer in the sender's context (wire_deliver()), while another task,
 * preempted into, closes that peer. The sim delivered without a reference
 * on the peer, so the close freed it under the receive (ASan: a
 * use-after-free in sim_tcp_ack_flush(), or in bh_lock_sock() from
 * tcp_v4_rcv()). The kernel's tcp_v4_rcv() holds the reference its
 * socket lookup took (__inet_lookup_skb(), refcounted); so does the sim's
 * wire now. Each input runs to its end; the harness's teardown checks
 * ledger and accounting, and this test that nothing is left. */
static const u8 group_close_during_fin[] = {
	0x74, 0x00, 0x13, 0x03, 0xff, 0x6c, 0x65, 0x61, 0x6e, 0x7c, 0x75, 0x70,
	0x5f, 0x72, 0x62, 0x75, 0x66, 0x00, 0x03, 0xe7, 0x08, 0x03, 0x02, 0x00,
	0xd5, 0xfc, 0xfd, 0x00, 0x01, 0x3e, 0xfd, 0x0f, 0x9f, 0x02, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x08,
	0x03, 0x02, 0xff, 0xfa,
};

static const u8 group_close_during_receive[] = {
	0x5b, 0x73, 0x6b, 0x01, 0x66, 0x73, 0x6b, 0xff, 0xfe, 0xfe, 0x8e, 0xad,
	0x6f, 0x63, 0x03, 0xfe,
};

/* The same for the RST of a close with unread data (a 60 s make fuzz of
 * world crashed on it after 43 s): two tasks close a socket each, one of them B with
 * bytes unread; B's close resets its peer (tcp_send_active_reset()) and
 * is preempted in the peer's wake-ups, while the other task's close of
 * that peer frees it: ASan, a use-after-free in sock_def_wakeup(). The
 * sim's reset now holds the reference tcp_v4_rcv()'s lookup holds. */
static const u8 group_reset_during_peer_close[] = {
	0x5b, 0x01, 0x70, 0x6c, 0x1e, 0x61, 0x63, 0x73, 0x6b, 0x5f, 0x66, 0xff,
	0xfe, 0x72, 0x05, 0x24, 0xfe, 0x0f, 0x43, 0xff, 0xff, 0xf9, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xfe
};

static void test_fuzz_world_group_close_during_peer_receive(void **state)
{
	const struct { const u8 *data; size_t size; } in[] = {
		{ group_close_during_fin, sizeof(group_close_during_fin) },
		{ group_close_during_receive, sizeof(group_close_during_receive) },
		{ group_reset_during_peer_close, sizeof(group_reset_during_peer_close) },
	};
	long live[SIM_KIND_NR];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		for (int k = 0; k < SIM_KIND_NR; k++)
			live[k] = sim_live(k);
		if (fuzz_world_run(in[i].data, in[i].size, true))
			fail_msg("input %zu: oracle: %s", i, oracle_reason);
		assert_true(gstats.groups >= 1);
		for (int k = 0; k < SIM_KIND_NR; k++)
			assert_int_equal(sim_live(k), live[k]);
		assert_int_equal(sim_tcp_memory_allocated(), 0);
	}
}

/* fuzz_world's concurrent groups (was tests/fuzz/open/world-egress-skb-
 * leak; seed regress-group-egress-close-backlog): a TX world whose
 * verdict redirects A's send to B's egress, B2's receive buffer at its
 * minimum; a group of A's send(40000), A's SO_SNDBUF to its minimum and
 * B2's close, with one preemption:
 *   1. B2's close takes lock_sock(B2) and is preempted;
 *   2. A's send: tcp_bpf_sendmsg() -> tcp_bpf_push() ->
 *      tcp_sendmsg_locked(B): B's segments reach B2's tcp_v4_rcv(), which
 *      finds B2 owned and queues them on its backlog (32768 + 7232 bytes);
 *   3. the close goes on: B2 in TCP_CLOSE, orphaned, destroyed
 *      (inet_csk_destroy_sock()), then release_sock() runs the backlog.
 * The sim's tcp_v4_do_rcv() received them as on an established socket:
 * the first was queued on the dead socket, the second put back on its
 * (already purged) wire: that skb, its 640-byte head and its 32 KiB frag
 * leaked at teardown, at every level. The kernel's __tcp_close() runs the
 * backlog in FIN_WAIT1 with RCV_SHUTDOWN set, where tcp_rcv_state_process()
 * aborts the connection on data and drops the segment, and drops any
 * segment in TCP_CLOSE; the sim's close goes straight to TCP_CLOSE and its
 * tcp_v4_do_rcv() now drops there. A shim defect (sim/tcp_ipv4.c). */
static const u8 group_egress_close_backlog[] = {
	0x03, 0x00, 0x15, 0x07, 0x13, 0x01, 0x00, 0x9c, 0x3f, 0x15, 0x00, 0x0e,
	0x03, 0x03, 0x02, 0xfe, 0x03,
};

static void test_fuzz_world_group_egress_close_drops_backlog(void **state)
{
	long live[SIM_KIND_NR];

	(void)state;
	for (int k = 0; k < SIM_KIND_NR; k++)
		live[k] = sim_live(k);
	if (fuzz_world_run(group_egress_close_backlog, sizeof(group_egress_close_backlog),
			   true))
		fail_msg("oracle: %s", oracle_reason);
	assert_int_equal(gstats.groups, 1);
	assert_int_equal(gstats.preemptions, 1);
	/* A's send went out whole; B2 closed before it read any of it */
	assert_int_equal(w.sent[0], 40000);
	assert_true(w.lossy);
	assert_int_equal(delivered(0), 0);
	/* the two segments B2's close found in its backlog are gone */
	for (int k = 0; k < SIM_KIND_NR; k++)
		assert_int_equal(sim_live(k), live[k]);
	assert_int_equal(sim_tcp_memory_allocated(), 0);
	assert_int_equal(sim_warnings(), 0);
}

/* fuzz_world's concurrent groups, a harness defect (was tests/fuzz/open/
 * world-fionread-negative-group; seed regress-group-fionread-strp-ahead):
 * an RX parser world (SK_PASS, messages of 39995 bytes) in the state of
 * KBUG_STRP_COPIED_SEQ_OVERWRITTEN: A2's 40707 and 129 bytes, the message
 * read, A's copied_seq 39995 past rcv_nxt, A deleted from the map. A group
 * of FIONREAD on A and a 4097-byte skb arriving on A: the FIONREAD runs
 * first and answers tcp_inq() = -39995, as the kernel does in that state;
 * the oracle compared it with the state after the group, when the skb had
 * moved rcv_nxt (-35898 is the bound there) and reported a violation. A
 * group's FIONREAD is now checked against the bounds the state had during
 * the group (the lowest rcv_nxt, the highest copied_seq). */
static const u8 group_fionread_strp_ahead[] = {
	0x04, 0x80, 0x00, 0x9c, 0x3b, 0x00, 0x9f, 0x02, 0x00, 0x00, 0x80, 0x03,
	0x00, 0xff, 0x00, 0x0b, 0x00, 0x13, 0x00, 0x09, 0x00, 0x02, 0x10, 0x00,
	0x00, 0x00,
};

static void test_fuzz_world_group_fionread_checked_against_group_state(void **state)
{
	long long inq_after;

	(void)state;
	if (fuzz_world_run(group_fionread_strp_ahead, sizeof(group_fionread_strp_ahead), true))
		fail_msg("oracle: %s", oracle_reason);
	/* A's rcv_nxt - copied_seq after the input's last operation */
	assert_true(fuzz_state_get("A", "rcv_nxt - copied_seq", &inq_after));
	assert_int_equal(gstats.groups, 1);
	assert_int_equal(gstats.preemptions, 0);
	/* the FIONREAD task ran first: the value of the state before the
	 * skb, which the state after the group no longer allows */
	assert_int_equal(gt[0].op.code, OP_FIONREAD);
	assert_int_equal(gt[0].val, -39995);
	assert_int_equal(inq_after, -39995 + 4097);
	assert_true(inq_after - 1 > gt[0].val);
	assert_int_equal(w.sent[0], 40707 + 129 + 4097);
	assert_true(w.lossy);
}

/* fuzz_world, a harness defect (minimized from tests/fuzz/open/
 * world-recvmsg-seq-warn; seed regress-strp-fionread-no-verdict): an RX
 * parser world (SK_PASS, every chunk a message) in the state of
 * KBUG_STRP_COPIED_SEQ_OVERWRITTEN (A's copied_seq past rcv_nxt once A left
 * the map); the skb verdict is detached and A added again: its psock has
 * no verdict program, and 6.12.117's tcp_bpf_ioctl() then answers
 * msg_tot_len + tcp_inq(), negative as tcp_inq() alone is without a psock.
 * The oracle allowed the negative FIONREAD only without a psock; it now
 * asks what FIONREAD counts (fionread_counts_inq()). The recv()s between
 * WARN "TCP recvmsg seq # bug 2", which the harness expected already. */
static const u8 strp_fionread_no_verdict[] = {
	0x04, 0x80, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x03, 0xe7, 0x00,
	0x03, 0xe7, 0x08, 0x03, 0x00, 0xff, 0xfe, 0x09, 0x00, 0x0b, 0x00, 0x00,
	0x63, 0x00, 0x0c, 0x00, 0x11, 0x00, 0x09, 0x00, 0x03, 0x00, 0xff, 0xfe,
	0x09, 0x00,
};

static void test_fuzz_world_strp_fionread_psock_without_verdict(void **state)
{
	long long inq;

	(void)state;
	if (fuzz_world_run(strp_fionread_no_verdict, sizeof(strp_fionread_no_verdict), true))
		fail_msg("oracle: %s", oracle_reason);
	assert_true(w.strp);
	/* A is in the map again, copied_seq past rcv_nxt at the end */
	assert_true(w.in_map[0]);
	assert_true(fuzz_state_get("A", "rcv_nxt - copied_seq", &inq));
	assert_true(inq < 0);
	assert_true(w.gap_warns > 0);
	assert_true(w.lossy);
}

/* A scheduler verdict other than ok ends the input as an oracle
 * violation naming the group and its schedule. Here the group is
 * replayed (SOCKMAP_SIM_FUZZ_SCHEDULE) with a schedule whose first choice
 * is task 15, which does not exist: the run diverges before any task
 * runs (sim/task.c kills them all), so the world is intact and the
 * harness's own teardown then finds every byte and nothing leaked. */
static void test_fuzz_world_group_scheduler_verdict_is_a_violation(void **state)
{
	int err;

	(void)state;
	setenv("SOCKMAP_SIM_FUZZ_SCHEDULE", "0:f", 1);
	err = fuzz_world_run(group_recv_vs_backlog, sizeof(group_recv_vs_backlog), true);
	unsetenv("SOCKMAP_SIM_FUZZ_SCHEDULE");
	assert_int_equal(err, -1);
	assert_non_null(strstr(oracle_reason, "group 0: scheduler verdict diverged: "
					      "schedule diverged at choice 0: task 15 is not runnable"));
	assert_non_null(strstr(oracle_reason, "SCHEDULE=''"));
	assert_int_equal(gstats.groups, 1);
	assert_int_equal(sim_sched_choices(), 0);
	/* nothing ran: both skbs still wait for B's backlog */
	assert_int_equal(w.sent[0], 4000);
	assert_int_equal(delivered(0), 0);
	assert_int_equal(sk_psock(w.sk[SK_B])->msg_tot_len, 0);
	/* the rest of the input is not run; the harness's end drains the
	 * world (the backlog, B's recv) and checks it, as for any input */
	oracle_jmp = NULL;
	world_end();
	assert_int_equal(w.t[SK_B][0].got, 4000);
	assert_int_equal(delivered(0), 4000);
	assert_int_equal(sim_tcp_memory_allocated(), 0);
}

/* fuzz_world at level copy (a 90 s make fuzz): a parser world reaches
 * KBUG_STRP_COPIED_SEQ_OVERWRITTEN through the series' parser
 * splice_read (below level copy, splice() returns -EAGAIN there): A's
 * copied_seq about 64 KiB past rcv_nxt, A out of the map, A2's FIN alone
 * on A's receive queue. A peek finds the FIN (found_fin_ok) and leaves
 * it at the head, where tcp_cleanup_rbuf() WARNs ("cleanup rbuf bug"),
 * as 6.12.117 does for any skb that ends before copied_seq. The oracle
 * expected that WARN for skbs of data only (seq_ahead()). */
static const u8 strp_peek_fin_behind_copied_seq[] = {
	0x04, 0x81, 0x00, 0x00, 0x00, 0x00, 0xff, 0x63, 0x70, 0x5f, 0x63, 0x6c,
	0x65, 0x61, 0x6e, 0x19, 0x04, 0xff, 0x00, 0xe7, 0x0c, 0xb4
};

static void test_fuzz_world_strp_peek_fin_behind_copied_seq(void **state)
{
	(void)state;
	if (fuzz_world_run(strp_peek_fin_behind_copied_seq,
			   sizeof(strp_peek_fin_behind_copied_seq), true))
		fail_msg("oracle: %s", oracle_reason);
	assert_int_equal(w.gap_warns, SIM_LEVEL_AT_LEAST(COPY) ? 1 : 0);
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
		SIM_TEST(test_fuzz_world_group_recv_vs_backlog_interleaves),
		SIM_TEST(test_fuzz_world_group_scheduler_verdict_is_a_violation),
		SIM_TEST(test_fuzz_world_group_close_during_peer_receive),
		SIM_TEST(test_fuzz_world_strp_peek_fin_behind_copied_seq),
		SIM_TEST(test_fuzz_world_group_egress_close_drops_backlog),
		SIM_TEST(test_fuzz_world_group_fionread_checked_against_group_state),
		SIM_TEST(test_fuzz_world_strp_fionread_psock_without_verdict),
	};

	return SIM_RUN_GROUP_INVARIANTS("fuzz_regressions", tests);
}
