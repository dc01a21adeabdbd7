// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_txrx: the TX->RX path. A sends through tcp_bpf_sendmsg(); its
 * sk_msg verdict redirects to B's ingress (bpf_tcp_ingress ->
 * B's psock->ingress_msg); B reads through tcp_bpf_recvmsg().
 *
 *   A (slot 0) --sendmsg--> [msg verdict: redirect slot 1, BPF_F_INGRESS]
 *                                      |
 *   B (slot 1) <--recvmsg-- ingress_msg
 *
 * Accounting of bytes on B's ingress_msg (bpf_tcp_ingress): each byte is
 * in psock->msg_tot_len, in sk_rmem_alloc and charged to sk_forward_alloc,
 * which holds whole pages, so with R bytes queued
 * sk_forward_alloc == (PAGE_SIZE - R % PAGE_SIZE) % PAGE_SIZE.
 * A's charge for its sk_msg goes away once the bytes are redirected.
 *
 * Pages: sk_msg data lives in current->task_frag (order-3, 32 KiB); the
 * frag holds one reference, each sg element on B's queue one more.
 */
#include "sim_test.h"
#include <sim/series.h>
#include <sim/experiments.h>

struct txrx {
	struct sock *a, *b;
	struct bpf_map *map;
	struct bpf_prog *prog;
	struct sim_verdict v;
};

static struct txrx fx;

/* A and B: the two ends of a loopback pair, both in the map. */
static void txrx_setup(enum sim_action action, u32 apply, u32 cork)
{
	memset(&fx, 0, sizeof(fx));
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = action, .map = fx.map, .key = 1,
				     .flags = BPF_F_INGRESS, .apply_bytes = apply,
				     .cork_bytes = cork };
	fx.prog = sim_prog_msg_verdict(&fx.v);
	assert_int_equal(sim_prog_attach(fx.prog, fx.map, BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
}

static u32 msg_tot_len(struct sock *sk)
{
	struct sk_psock *psock = sk_psock(sk);

	return psock ? psock->msg_tot_len : 0;
}

static int rmem(struct sock *sk)
{
	return atomic_read(&sk->sk_rmem_alloc);
}

/* sk_forward_alloc with @charged bytes charged (see the header). */
static int fwd_alloc(u32 charged)
{
	return (PAGE_SIZE - charged % PAGE_SIZE) % PAGE_SIZE;
}

/* A FIN arrives as an empty skb, queued on sk_receive_queue (as
 * tcp_data_queue does) and charged with its truesize until it is read. */
#define FIN_TRUESIZE	((int)sim_skb_alloc_truesize(0))

/* Number of sk_msgs on @sk's ingress_msg. */
static int ingress_msgs(struct sock *sk)
{
	struct sk_psock *psock = sk_psock(sk);
	struct sk_msg *msg;
	int n = 0;

	assert_non_null(psock);
	list_for_each_entry(msg, &psock->ingress_msg, list)
		n++;
	return n;
}

static struct sk_msg *first_ingress_msg(struct sock *sk)
{
	struct sk_psock *psock = sk_psock(sk);

	assert_non_null(psock);
	return list_first_entry_or_null(&psock->ingress_msg, struct sk_msg, list);
}

/* experiments/0002 (<sim/experiments.h>): the bytes of B's ingress still
 * batched, counted in msg_tot_len and sk_rmem_alloc but not yet charged
 * to sk_forward_alloc; 0 without the experiment. */
static u32 b_batched(void)
{
#if SIM_EXP_INGRESS_BATCH
	return sk_psock(fx.b) ? sk_psock(fx.b)->batch_len : 0;
#else
	return 0;
#endif
}

/* experiments/0002: B's backlog work moves the batch to ingress_msg (the
 * tests that look at ingress_msg itself); nothing without the experiment. */
static void b_flush_batch(void)
{
	if (SIM_EXP_INGRESS_BATCH)
		sim_run_work();
}

/* experiments/0003: B's ingress msgs are charged to the psock's own
 * forward allocation, not sk_forward_alloc; -1 without the experiment. */
static int b_ingress_fwd(void)
{
#if SIM_EXP_LOCKLESS_INGRESS
	return sk_psock(fx.b) ? atomic_read(&sk_psock(fx.b)->ingress_fwd) : 0;
#else
	return -1;
#endif
}

/* B has @queued bytes on ingress_msg and nothing else charged: its
 * forward allocation is what whole pages leave over (with experiment
 * 0003 the psock's, sk_forward_alloc staying 0). */
#define assert_b_queued(queued)						\
	do {								\
		assert_int_equal(msg_tot_len(fx.b), (queued));		\
		assert_int_equal(rmem(fx.b), (queued));			\
		if (SIM_EXP_LOCKLESS_INGRESS) {				\
			assert_int_equal(fx.b->sk_forward_alloc, 0);	\
			assert_int_equal(b_ingress_fwd(), fwd_alloc(queued)); \
		} else {						\
			assert_int_equal(fx.b->sk_forward_alloc,	\
					 fwd_alloc((queued) - b_batched())); \
		}							\
	} while (0)

/* Receive into a @buflen-byte buffer, assert that @len bytes came back
 * and that they are stream bytes [off, off+len). (A static buffer: a
 * failing assert leaves nothing for LeakSanitizer to report.) */
static void recv_expect(struct sock *sk, size_t off, size_t len, size_t buflen,
			int flags)
{
	static unsigned char buf[1 << 17];

	assert_true(buflen <= sizeof(buf));
	assert_int_equal(sim_recv(sk, buf, buflen, flags), len);
	assert_pattern(buf, 0, off, len);
}

/* selftest: test_sockmap "txmsg test ingress redirect" */
/* One message redirected to B's ingress and read whole. */
static void test_tcp_bpf_txrx_whole(void **state)
{
	char buf[200];

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(msg_tot_len(fx.b), 100);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 100);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), 100);
	assert_pattern(buf, 0, 0, 100);
	assert_int_equal(msg_tot_len(fx.b), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
}

/* ---- partial reads: one parameter row per (message size, chunk) --------- */

struct chunk_row {
	const char *name;
	size_t msg_len;
	size_t chunk;
};

/*
 * A 10000-byte message is one sg element (the frag page is 32 KiB). A
 * 40000-byte message is two: 32768 bytes on the first frag page, 7232 on
 * the next; the 32768 row ends a read exactly on the element boundary.
 */
static const struct chunk_row chunk_rows[] = {
	{ "test_tcp_bpf_txrx_partial_read_chunk_1", 10000, 1 },
	{ "test_tcp_bpf_txrx_partial_read_chunk_7", 10000, 7 },
	{ "test_tcp_bpf_txrx_partial_read_chunk_100", 10000, 100 },
	{ "test_tcp_bpf_txrx_partial_read_chunk_4096", 10000, 4096 },
	{ "test_tcp_bpf_txrx_partial_read_chunk_4097", 10000, 4097 },
	{ "test_tcp_bpf_txrx_partial_read_chunk_msg_size", 10000, 10000 },
	{ "test_tcp_bpf_txrx_partial_read_two_elems_chunk_4097", 40000, 4097 },
	{ "test_tcp_bpf_txrx_partial_read_two_elems_chunk_32768", 40000, 32768 },
	{ "test_tcp_bpf_txrx_partial_read_two_elems_chunk_32769", 40000, 32769 },
	{ "test_tcp_bpf_txrx_partial_read_two_elems_chunk_msg_size", 40000, 40000 },
};

/* Reading one message in chunks of row->chunk bytes returns every byte in
 * order; after each read msg_tot_len, sk_rmem_alloc and sk_forward_alloc
 * account exactly for the rest, and the drained queue says -EAGAIN. */
static void test_tcp_bpf_txrx_partial_read(void **state)
{
	const struct chunk_row *row = *state;
	size_t off = 0;

	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, row->msg_len, 0), row->msg_len);
	assert_int_equal(sk_msg_elem_used(first_ingress_msg(fx.b)),
			 row->msg_len > 32768 ? 2 : 1);

	while (off < row->msg_len) {
		size_t n = min(row->chunk, row->msg_len - off);

		recv_expect(fx.b, off, n, row->chunk, MSG_DONTWAIT);
		off += n;
		assert_b_queued(row->msg_len - off);
	}

	assert_int_equal(ingress_msgs(fx.b), 0);
	assert_int_equal(page_count(current->task_frag.page), 1);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
	assert_int_equal(sim_recv(fx.b, &off, 1, MSG_DONTWAIT), -EAGAIN);
}

/* ---- reading ------------------------------------------------------------ */

/* Three queued messages come back in order from one large read. */
static void test_tcp_bpf_txrx_several_msgs_one_read(void **state)
{
	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 200, 0), 200);
	assert_int_equal(sim_send_pattern(fx.a, 0, 300, 300, 0), 300);
	assert_int_equal(ingress_msgs(fx.b), 3);

	recv_expect(fx.b, 0, 600, 4096, MSG_DONTWAIT);

	assert_int_equal(ingress_msgs(fx.b), 0);
	assert_b_queued(0);
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* MSG_PEEK copies across queued messages without consuming anything;
 * the read after it gets the same bytes. */
static void test_tcp_bpf_txrx_peek_then_read(void **state)
{
	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 100, 0), 100);

	recv_expect(fx.b, 0, 150, 150, MSG_PEEK | MSG_DONTWAIT);
	assert_int_equal(ingress_msgs(fx.b), 2);
	assert_b_queued(200);

	recv_expect(fx.b, 0, 200, 200, MSG_DONTWAIT);
	assert_b_queued(0);
}

/* MSG_DONTWAIT on an empty ingress queue: -EAGAIN at once, no wait. */
static void test_tcp_bpf_txrx_dontwait_empty_eagain(void **state)
{
	unsigned long before;
	char buf[16];

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	before = jiffies;

	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);

	assert_int_equal(jiffies, before);
	assert_b_queued(0);
}

/* A blocking recv with SO_RCVTIMEO = 10 jiffies on an empty queue waits
 * (tcp_msg_wait_data) for exactly the timeout and returns -EAGAIN: no
 * hang (the teardown checks that no unbounded wait happened). */
static void test_tcp_bpf_txrx_rcvtimeo_empty_eagain(void **state)
{
	unsigned long before;
	char buf[16];

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	sim_set_rcvtimeo(fx.b, 10);
	before = jiffies;

	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), 0), -EAGAIN);

	assert_int_equal(jiffies - before, 10);
	assert_int_equal(sim_hangs(), 0);
	assert_b_queued(0);
}

/* Each redirected message wakes B's reader (sk_psock_data_ready). */
static void test_tcp_bpf_txrx_data_ready_per_msg(void **state)
{
	unsigned long before;

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	before = fx.b->sim_data_ready;

	for (int i = 0; i < 3; i++)
		assert_int_equal(sim_send_pattern(fx.a, 0, 100 * i, 100, 0), 100);

	if (SIM_EXP_INGRESS_BATCH) {
		/* experiments/0002: one for the batch, when the work moves it */
		assert_int_equal(fx.b->sim_data_ready - before, 0);
		b_flush_batch();
		assert_int_equal(fx.b->sim_data_ready - before, 1);
	} else {
		assert_int_equal(fx.b->sim_data_ready - before, 3);
	}
	recv_expect(fx.b, 0, 300, 300, MSG_DONTWAIT);
	assert_b_queued(0);
}

/* ---- verdicts ------------------------------------------------------------- */

/* selftest: test_sockmap "txmsg test apply" */
/* apply_bytes 10 on a 100-byte send: after each 10 bytes the verdict runs
 * again (tcp_bpf_send_verdict: psock->eval back to __SK_NONE), and each
 * run redirects again: ten 10-byte messages on B, ten verdict runs. All
 * but the last share A's element page by reference (bpf_tcp_ingress
 * get_page()s a partly transferred element). */
static void test_tcp_bpf_txrx_apply_bytes_redirects_every_chunk(void **state)
{
	struct sk_msg *msg;

	(void)state;
	txrx_setup(SIM_REDIRECT, 10, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	b_flush_batch();	/* experiments/0002: the last 10 bytes were batched */

	assert_int_equal(fx.prog->runs, 10);
	assert_int_equal(ingress_msgs(fx.b), 10);
	list_for_each_entry(msg, &sk_psock(fx.b)->ingress_msg, list)
		assert_int_equal(msg->sg.size, 10);
	assert_int_equal(page_count(current->task_frag.page), 1 + 10);
	assert_b_queued(100);
	assert_int_equal(fx.a->sk_forward_alloc, 0);

	recv_expect(fx.b, 0, 100, 1000, MSG_DONTWAIT);
	assert_b_queued(0);
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* apply_bytes 30 on a 100-byte send leaves 20 bytes of the last window
 * open (30+30+30+10): psock->eval stays __SK_REDIRECT, so the next send's
 * first 20 bytes are redirected without running the verdict, then it
 * runs again for the rest. */
static void test_tcp_bpf_txrx_apply_bytes_window_spans_sends(void **state)
{
	static const u32 sizes[] = { 30, 30, 30, 10, 20, 30 };
	struct sk_msg *msg;
	size_t i = 0;

	(void)state;
	txrx_setup(SIM_REDIRECT, 30, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(fx.prog->runs, 4);
	assert_int_equal(sk_psock(fx.a)->apply_bytes, 20);

	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 50, 0), 50);
	b_flush_batch();	/* experiments/0002: 10 and 30 were batched */

	assert_int_equal(fx.prog->runs, 5);
	assert_int_equal(ingress_msgs(fx.b), ARRAY_SIZE(sizes));
	list_for_each_entry(msg, &sk_psock(fx.b)->ingress_msg, list)
		assert_int_equal(msg->sg.size, sizes[i++]);
	assert_b_queued(150);
	recv_expect(fx.b, 0, 150, 1000, MSG_DONTWAIT);
	assert_b_queued(0);
}

/* selftest: test_sockmap "txmsg test cork" */
/* cork_bytes 200: a 100-byte send is held in psock->cork (still charged
 * to A, nothing on B); a second 100-byte send reaches 200 and the verdict
 * delivers both as one 200-byte message. */
static void test_tcp_bpf_txrx_cork_bytes_delivers_when_reached(void **state)
{
	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 200);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_non_null(sk_psock(fx.a)->cork);
	assert_int_equal(ingress_msgs(fx.b), 0);
	assert_b_queued(0);
	assert_int_equal(fx.a->sk_forward_alloc, fwd_alloc(100));

	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 100, 0), 100);
	b_flush_batch();	/* experiments/0002: the 200-byte msg was batched */

	assert_null(sk_psock(fx.a)->cork);
	assert_int_equal(fx.prog->runs, 2);
	assert_int_equal(ingress_msgs(fx.b), 1);
	assert_int_equal(first_ingress_msg(fx.b)->sg.size, 200);
	assert_b_queued(200);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
	recv_expect(fx.b, 0, 200, 1000, MSG_DONTWAIT);
	assert_b_queued(0);
}

/* selftest: test_sockmap "txmsg test hanging corks" */
/* Corked bytes never reach B if A closes first: sock_map_close ->
 * sk_psock_stop -> sk_psock_cork_free frees them. B gets only A's FIN
 * (charged to B's rmem until read) and reads EOF. */
static void test_tcp_bpf_txrx_cork_pending_freed_on_close(void **state)
{
	char buf[16];

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 200);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_live(SIM_SK_MSG), 1);	/* psock->cork */

	sim_close(fx.a);
	sim_quiesce();

	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	assert_int_equal(page_count(current->task_frag.page), 1);
	assert_int_equal(msg_tot_len(fx.b), 0);
	assert_int_equal(rmem(fx.b), FIN_TRUESIZE);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), 0);	/* EOF */
	assert_b_queued(0);
}

/* selftest: test_sockmap "txmsg test drop" */
/* A drop verdict: send() fails with -EACCES, nothing reaches B, A's pages
 * and charge are released. */
static void test_tcp_bpf_txrx_drop_verdict_eacces(void **state)
{
	char buf[16];

	(void)state;
	txrx_setup(SIM_DROP, 0, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);

	assert_int_equal(ingress_msgs(fx.b), 0);
	assert_b_queued(0);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
	assert_int_equal(page_count(current->task_frag.page), 1);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
}

/* selftest: test_sockmap "txmsg test passthrough" */
/* A pass verdict sends over the loopback wire (tcp_bpf_push ->
 * tcp_sendmsg_locked with MSG_SPLICE_PAGES: the skb frag references the
 * sk_msg page). B's skb sits in sk_receive_queue, not ingress_msg, and
 * tcp_bpf_recvmsg falls back to tcp_recvmsg to read it. */
static void test_tcp_bpf_txrx_pass_verdict_over_wire(void **state)
{
	struct sk_buff *skb;

	(void)state;
	txrx_setup(SIM_PASS, 0, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);

	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 1);
	skb = skb_peek(&fx.b->sk_receive_queue);
	assert_int_equal(skb->len, 100);
	assert_int_equal(msg_tot_len(fx.b), 0);
	assert_int_equal(rmem(fx.b), sim_skb_alloc_truesize(0) + 100);
	assert_int_equal(page_count(current->task_frag.page), 2);	/* frag + skb frag */
	assert_int_equal(fx.a->sk_forward_alloc, 0);

	recv_expect(fx.b, 0, 100, 200, MSG_DONTWAIT);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 0);
	assert_int_equal(tcp_sk(fx.b)->copied_seq, 100);
	assert_int_equal(rmem(fx.b), 0);
	assert_int_equal(fx.b->sk_forward_alloc, 0);
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* A redirect to a map slot that has been emptied: the verdict's
 * bpf_msg_redirect_map finds no socket and returns SK_DROP: -EACCES. */
static void test_tcp_bpf_txrx_redirect_to_empty_slot_drops(void **state)
{
	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_map_delete(fx.map, 1), 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);

	assert_int_equal(fx.a->sk_forward_alloc, 0);
	assert_int_equal(rmem(fx.b), 0);
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* fixes/0007 (found by fuzz_world's map add; conformance
 * txrx_drop_sticky): a drop verdict covers its msg only.
 *   1. B's slot is emptied: A's redirect finds no socket, SK_DROP;
 *   2. B is put back; A sends 200 bytes.
 * 6.12.117 returns -EACCES from the drop case with psock->eval still
 * __SK_DROP (only the pass and redirect cases reset it): step 2 is
 * dropped without running the program, and every later send on A too
 * (the booted 6.12.117 and the host's 6.18 do the same). With the fix the
 * program runs again and redirects the 200 bytes to B. */
static void test_tcp_bpf_txrx_regress_drop_verdict_sticks(void **state)
{
	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_map_delete(fx.map, 1), 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
	assert_int_equal(fx.prog->runs, 1);

	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		assert_int_equal(sk_psock(fx.a)->eval, __SK_DROP);
		assert_int_equal(sim_send_pattern(fx.a, 0, 0, 200, 0), -EACCES);
		assert_int_equal(fx.prog->runs, 1);	/* the program did not run */
		assert_int_equal(sk_psock(fx.a)->eval, __SK_DROP);
		assert_int_equal(ingress_msgs(fx.b), 0);
		assert_b_queued(0);
	} else {
		assert_int_equal(sk_psock(fx.a)->eval, __SK_NONE);
		assert_int_equal(sim_send_pattern(fx.a, 0, 0, 200, 0), 200);
		assert_int_equal(fx.prog->runs, 2);
		assert_int_equal(sk_psock(fx.a)->eval, __SK_NONE);
		assert_b_queued(200);
		recv_expect(fx.b, 0, 200, 4096, MSG_DONTWAIT);
		assert_b_queued(0);
	}
	assert_int_equal(fx.a->sk_forward_alloc, 0);
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* fixes/0008: a verdict does not carry over to the next run on the same
 * msg. The program redirects its first run's 100 bytes (apply_bytes 100)
 * to B's ingress and passes everything after (a program reading a map the
 * control plane changed).
 *   1. A sends 300 bytes: run 1 redirects bytes 0-99; the window is used
 *      up, the verdict runs again on the rest of the same msg;
 *   2. run 2 returns SK_PASS and calls no helper.
 * 6.12.117 finds run 1's sk_redir and apply_bytes on the msg: the pass
 * becomes a redirect of the next 100 bytes, and so on: all 300 bytes on
 * B's ingress_msg in three runs. With the fix run 2 passes: bytes 100-299
 * go over TCP to A's peer, B, into its receive queue. */
static void test_tcp_bpf_txrx_regress_verdict_not_carried_over(void **state)
{
	static const struct sim_verdict pass = { .action = SIM_PASS };

	(void)state;
	txrx_setup(SIM_REDIRECT, 100, 0);
	fx.v.then = &pass;
	fx.v.then_after = 1;

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 300, 0), 300);

	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		assert_int_equal(fx.prog->runs, 3);
		assert_int_equal(ingress_msgs(fx.b), 3);
		assert_b_queued(300);
		assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 0);
		recv_expect(fx.b, 0, 300, 4096, MSG_DONTWAIT);
		assert_b_queued(0);
	} else {
		assert_int_equal(fx.prog->runs, 2);
		assert_int_equal(ingress_msgs(fx.b), 1);
		assert_int_equal(msg_tot_len(fx.b), 100);
		assert_int_equal(tcp_sk(fx.b)->rcv_nxt, 200);	/* over the wire */
		recv_expect(fx.b, 0, 100, 4096, MSG_DONTWAIT);
		recv_expect(fx.b, 100, 200, 4096, MSG_DONTWAIT);
		assert_int_equal(msg_tot_len(fx.b), 0);
		assert_int_equal(rmem(fx.b), 0);
	}
	assert_int_equal(sk_psock(fx.a)->apply_bytes, 0);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
}

/* fixes/0008, the cork_bytes part: run 1 redirects 100 bytes (apply_bytes
 * 100) with cork_bytes 200, which a 250-byte send already satisfies; run 2,
 * on the 150 bytes left of the same msg, passes and corks nothing. With
 * run 1's cork_bytes left on the msg, the rest would wait in psock->cork
 * for 50 bytes nobody asked for. */
static void test_tcp_bpf_txrx_regress_cork_bytes_not_carried_over(void **state)
{
	static const struct sim_verdict pass = { .action = SIM_PASS };

	(void)state;
	txrx_setup(SIM_REDIRECT, 100, 200);
	fx.v.then = &pass;
	fx.v.then_after = 1;

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 250, 0), 250);
	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		/* run 1's sk_redir too: the rest is redirected, and corked */
		assert_non_null(sk_psock(fx.a)->cork);
		assert_int_equal(sk_psock(fx.a)->cork->sg.size, 150);
		assert_int_equal(ingress_msgs(fx.b), 1);
		assert_b_queued(100);
		recv_expect(fx.b, 0, 100, 4096, MSG_DONTWAIT);
		return;
	}
	assert_int_equal(fx.prog->runs, 2);
	assert_null(sk_psock(fx.a)->cork);
	assert_int_equal(sk_psock(fx.a)->cork_bytes, 0);
	assert_int_equal(msg_tot_len(fx.b), 100);
	assert_int_equal(tcp_sk(fx.b)->rcv_nxt, 150);	/* over the wire */
	recv_expect(fx.b, 0, 100, 4096, MSG_DONTWAIT);
	recv_expect(fx.b, 100, 150, 4096, MSG_DONTWAIT);
	assert_int_equal(msg_tot_len(fx.b), 0);
	assert_int_equal(rmem(fx.b), 0);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
}

/* ---- sizes ------------------------------------------------------------------ */

/* A 10000-byte message (more than a page) is one sg element in a 32 KiB
 * frag page, and reads back whole. */
static void test_tcp_bpf_txrx_msg_larger_than_page(void **state)
{
	struct sk_msg *msg;

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 10000, 0), 10000);

	msg = first_ingress_msg(fx.b);
	assert_int_equal(sk_msg_elem_used(msg), 1);
	assert_int_equal(msg->sg.data[msg->sg.start].length, 10000);
	assert_b_queued(10000);
	recv_expect(fx.b, 0, 10000, 16384, MSG_DONTWAIT);
	assert_b_queued(0);
}

/* A 64 KiB message sent while a 100-byte one is still queued (so the
 * frag page is not reused from offset 0) spans three frag pages: 32668
 * bytes (the rest of page 1, shared with the first message), 32768 (page
 * 2, referenced only by this element), 100 (page 3, the frag's current
 * page): three sg elements. One read returns both messages in order and
 * frees pages 1 and 2. */
static void test_tcp_bpf_txrx_msg_64k_spans_three_frag_pages(void **state)
{
	struct sk_msg *msg;
	u32 i;

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);

	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 65536, 0), 65536);

	assert_int_equal(ingress_msgs(fx.b), 2);
	msg = list_last_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	assert_int_equal(sk_msg_elem_used(msg), 3);
	i = msg->sg.start;
	assert_int_equal(msg->sg.data[i].length, 32668);
	assert_int_equal(page_count(sg_page(&msg->sg.data[i])), 2);	/* + 1st msg */
	sk_msg_iter_var_next(i);
	assert_int_equal(msg->sg.data[i].length, 32768);
	assert_int_equal(page_count(sg_page(&msg->sg.data[i])), 1);
	sk_msg_iter_var_next(i);
	assert_int_equal(msg->sg.data[i].length, 100);
	assert_ptr_equal(sg_page(&msg->sg.data[i]), current->task_frag.page);
	assert_int_equal(sim_live(SIM_PAGE), 3);
	assert_b_queued(65636);

	recv_expect(fx.b, 0, 65636, 65636, MSG_DONTWAIT);
	assert_b_queued(0);
	assert_int_equal(sim_live(SIM_PAGE), 1);
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* fixes/0006: a read whose user buffer faults at an element boundary
 * leaves sg.start on the first element it did not consume.
 *   1. A sends 100 bytes, then 65536: the second msg on B's ingress_msg is
 *      three elements, 32668 + 32768 + 100 bytes (see above);
 *   2. B reads the first msg;
 *   3. B reads with a user buffer that faults after 32668 bytes: the
 *      first element is copied and its page reference dropped, the copy
 *      of the second moves nothing (copy_page_to_iter() returns 0):
 *      recv() returns 32668;
 *   4. B reads again with a good buffer.
 * 6.12.117 leaves sg.start on the consumed element (length 0, page put):
 * step 4 returns -EFAULT with 32868 bytes queued, and purging the psock
 * puts that page again (the ledger reports the refcount underflow). With
 * the fix step 4 returns the 32868 bytes. */
static void test_tcp_bpf_txrx_regress_copy_fault_at_element_boundary(void **state)
{
	struct sk_msg *msg;
	char *buf = malloc(65536);

	(void)state;
	assert_non_null(buf);
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 65536, 0), 65536);
	recv_expect(fx.b, 0, 100, 100, MSG_DONTWAIT);
	msg = first_ingress_msg(fx.b);
	assert_int_equal(sk_msg_elem_used(msg), 3);
	assert_int_equal(msg->sg.data[msg->sg.start].length, 32668);

	sim_uaccess_fault_after(32668);
	assert_int_equal(sim_recv(fx.b, buf, 65536, MSG_DONTWAIT), 32668);
	assert_int_equal(sim_stats.uaccess_faults, 1);
	sim_uaccess_fault_after(-1);
	assert_pattern(buf, 0, 100, 32668);
	assert_b_queued(32868);
	assert_ptr_equal(first_ingress_msg(fx.b), msg);

	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		/* stuck on a consumed element whose page was already put */
		assert_int_equal(msg->sg.data[msg->sg.start].length, 0);
		assert_int_equal(sim_recv(fx.b, buf, 65536, MSG_DONTWAIT), -EFAULT);
		assert_int_equal(sim_recv(fx.b, buf, 65536, MSG_DONTWAIT), -EFAULT);
		assert_b_queued(32868);
		/* sk_psock_destroy() -> sk_msg_free() puts it a second time */
		sim_expect_violations(1);
		free(buf);
		return;
	}
	assert_int_equal(msg->sg.data[msg->sg.start].length, 32768);
	assert_int_equal(sim_recv(fx.b, buf, 65536, MSG_DONTWAIT), 32868);
	assert_pattern(buf, 0, 32768, 32868);
	assert_b_queued(0);
	free(buf);
}

/* Once every reference but the frag's is gone, skb_page_frag_refill()
 * reuses the frag page from offset 0: the next message lands where the
 * drained one was. */
static void test_tcp_bpf_txrx_drained_frag_page_reused_from_start(void **state)
{
	struct page *page;
	struct sk_msg *msg;

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	recv_expect(fx.b, 0, 100, 100, MSG_DONTWAIT);
	page = current->task_frag.page;
	assert_int_equal(page_count(page), 1);

	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 200, 0), 200);
	b_flush_batch();	/* experiments/0002: the 200-byte msg was batched */

	msg = first_ingress_msg(fx.b);
	assert_ptr_equal(sg_page(&msg->sg.data[msg->sg.start]), page);
	assert_int_equal(msg->sg.data[msg->sg.start].offset, 0);
	assert_int_equal(sim_live(SIM_PAGE), 1);
	assert_b_queued(200);
	recv_expect(fx.b, 100, 200, 200, MSG_DONTWAIT);
	assert_b_queued(0);
}

/* Three 20000-byte sends take frag page 1 [0, 20000), pages 1 and 2
 * [20000, 32768) + [0, 7232), and page 2 [7232, 27232): messages of 1, 2
 * and 1 elements. One read returns the 60000 bytes in order. */
static void test_tcp_bpf_txrx_several_sends_several_frag_pages(void **state)
{
	static const u32 elems[] = { 1, 2, 1 };
	struct sk_msg *msg;
	size_t i = 0;

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);

	for (int s = 0; s < 3; s++)
		assert_int_equal(sim_send_pattern(fx.a, 0, 20000 * s, 20000, 0), 20000);

	assert_int_equal(ingress_msgs(fx.b), 3);
	list_for_each_entry(msg, &sk_psock(fx.b)->ingress_msg, list)
		assert_int_equal(sk_msg_elem_used(msg), elems[i++]);
	assert_int_equal(sim_live(SIM_PAGE), 2);
	assert_b_queued(60000);

	recv_expect(fx.b, 0, 60000, 65536, MSG_DONTWAIT);
	assert_b_queued(0);
	assert_int_equal(sim_live(SIM_PAGE), 1);
}

/* ---- FIONREAD --------------------------------------------------------------- */

/* FIONREAD (tcp_bpf_ioctl) reports msg_tot_len: all queued bytes, then
 * what is left after each partial read. */
static void test_tcp_bpf_txrx_fionread_tracks_partial_reads(void **state)
{
	int inq = -1;

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 200, 0), 200);
	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, 300);

	recv_expect(fx.b, 0, 150, 150, MSG_DONTWAIT);
	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, 150);

	recv_expect(fx.b, 150, 150, 150, MSG_DONTWAIT);
	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, 0);
	assert_b_queued(0);
}

/* With a pass verdict the bytes sit in B's sk_receive_queue. B's psock
 * has no skb verdict, so tcp_bpf_ioctl adds tcp_inq() to msg_tot_len and
 * FIONREAD reports them. */
static void test_tcp_bpf_txrx_fionread_pass_counts_receive_queue(void **state)
{
	int inq = -1;

	(void)state;
	txrx_setup(SIM_PASS, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);

	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, 100);

	recv_expect(fx.b, 0, 40, 40, MSG_DONTWAIT);
	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, 60);
	recv_expect(fx.b, 40, 60, 100, MSG_DONTWAIT);
	assert_int_equal(rmem(fx.b), 0);
	assert_int_equal(fx.b->sk_forward_alloc, 0);
}

/* ---- teardown --------------------------------------------------------------- */

/* B closed with two unread messages: its psock is destroyed after the
 * grace period (sk_psock_destroy -> __sk_psock_purge_ingress_msg), which
 * frees the messages and their pages; B's sock is freed with zero rmem
 * and forward alloc (sk_free WARNs otherwise); B leaves the map. */
static void test_tcp_bpf_txrx_close_b_with_unread_data(void **state)
{
	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 200, 0), 200);
	assert_int_equal(sim_live(SIM_SK_MSG), 2);

	sim_close(fx.b);
	sim_quiesce();

	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	assert_int_equal(sim_live(SIM_PSOCK), 1);	/* A's */
	assert_int_equal(sim_live(SIM_SOCK), 1);	/* A */
	assert_null(sim_map_lookup(fx.map, 1));
	assert_int_equal(page_count(current->task_frag.page), 1);
	/* tcp_close() counts only sk_receive_queue as unread, so B sends a
	 * FIN, not a reset, although 300 bytes were discarded. */
	assert_int_equal(fx.a->sk_err, 0);
	assert_true(fx.a->sk_shutdown & RCV_SHUTDOWN);
	assert_int_equal(rmem(fx.a), FIN_TRUESIZE);
	assert_int_equal(fx.a->sk_forward_alloc, fwd_alloc(FIN_TRUESIZE));
}

/* Deleting B from the map drops the map's psock reference: sk_psock_drop
 * restores tcp_prot and clears sk_user_data at once, so the queued bytes
 * are no longer readable (recv goes to tcp_recvmsg: -EAGAIN); they are
 * freed by sk_psock_destroy after the grace period. The data is lost,
 * not leaked. */
static void test_tcp_bpf_txrx_map_delete_b_drops_queued_data(void **state)
{
	char buf[200];

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);

	assert_int_equal(sim_map_delete(fx.map, 1), 0);

	assert_null(sk_psock(fx.b));
	assert_ptr_equal(fx.b->sk_prot, &tcp_prot);
	assert_int_equal(rmem(fx.b), 100);	/* until the grace period */
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
	sim_quiesce();
	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	assert_int_equal(sim_live(SIM_PSOCK), 1);	/* A's */
	assert_int_equal(rmem(fx.b), 0);
	assert_int_equal(fx.b->sk_forward_alloc, 0);
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* A closed after sending: what was already redirected stays on B's
 * ingress_msg and is read in full; then B reads A's FIN: EOF (0). */
static void test_tcp_bpf_txrx_close_a_b_still_reads(void **state)
{
	char buf[16];

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 100, 0), 100);

	sim_close(fx.a);
	sim_quiesce();

	assert_int_equal(sim_live(SIM_PSOCK), 1);	/* B's */
	assert_int_equal(msg_tot_len(fx.b), 200);
	assert_int_equal(rmem(fx.b), 200 + FIN_TRUESIZE);
	if (SIM_EXP_LOCKLESS_INGRESS) {
		/* experiments/0003: the FIN's charge on sk_forward_alloc, the
		 * msgs' on the psock's ingress_fwd */
		assert_int_equal(fx.b->sk_forward_alloc, fwd_alloc(FIN_TRUESIZE));
		assert_int_equal(b_ingress_fwd(), fwd_alloc(200));
	} else {
		assert_int_equal(fx.b->sk_forward_alloc, fwd_alloc(200 + FIN_TRUESIZE));
	}
	recv_expect(fx.b, 0, 200, 1000, MSG_DONTWAIT);
	assert_int_equal(msg_tot_len(fx.b), 0);
	assert_int_equal(rmem(fx.b), FIN_TRUESIZE);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), 0);	/* EOF */
	assert_b_queued(0);
}

/* bpf(BPF_PROG_DETACH) of the map's sk_msg verdict (sock_map_prog_detach):
 * the map forgets the program, a second detach finds nothing (-ENOENT);
 * a socket already in the map keeps the program in its psock and still
 * redirects, a socket linked afterwards gets none. */
static void test_tcp_bpf_txrx_prog_detach_keeps_linked_psocks(void **state)
{
	struct sock *c, *d;

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);

	assert_int_equal(sim_prog_detach(fx.prog, fx.map, BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_prog_detach(fx.prog, fx.map, BPF_SK_MSG_VERDICT), -ENOENT);
	assert_ptr_equal(sk_psock(fx.a)->progs.msg_parser, fx.prog);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(fx.prog->runs, 1);
	assert_b_queued(100);

	/* C replaces A in slot 0: A's only link goes, and its psock. */
	sim_tcp_pair(&c, &d, "C", "D");
	assert_int_equal(sim_map_update(fx.map, 0, c, BPF_ANY), 0);
	assert_non_null(sk_psock(c));
	assert_null(sk_psock(c)->progs.msg_parser);
	assert_null(sk_psock(fx.a));

	recv_expect(fx.b, 0, 100, 200, MSG_DONTWAIT);
	assert_b_queued(0);
}

static const struct CMUnitTest fixed_tests[] = {
	SIM_TEST(test_tcp_bpf_txrx_whole),
	SIM_TEST(test_tcp_bpf_txrx_several_msgs_one_read),
	SIM_TEST(test_tcp_bpf_txrx_peek_then_read),
	SIM_TEST(test_tcp_bpf_txrx_dontwait_empty_eagain),
	SIM_TEST(test_tcp_bpf_txrx_rcvtimeo_empty_eagain),
	SIM_TEST(test_tcp_bpf_txrx_data_ready_per_msg),
	SIM_TEST(test_tcp_bpf_txrx_apply_bytes_redirects_every_chunk),
	SIM_TEST(test_tcp_bpf_txrx_apply_bytes_window_spans_sends),
	SIM_TEST(test_tcp_bpf_txrx_cork_bytes_delivers_when_reached),
	SIM_TEST(test_tcp_bpf_txrx_cork_pending_freed_on_close),
	SIM_TEST(test_tcp_bpf_txrx_drop_verdict_eacces),
	SIM_TEST(test_tcp_bpf_txrx_pass_verdict_over_wire),
	SIM_TEST(test_tcp_bpf_txrx_redirect_to_empty_slot_drops),
	SIM_TEST(test_tcp_bpf_txrx_prog_detach_keeps_linked_psocks),
	SIM_TEST(test_tcp_bpf_txrx_regress_drop_verdict_sticks),
	SIM_TEST(test_tcp_bpf_txrx_regress_verdict_not_carried_over),
	SIM_TEST(test_tcp_bpf_txrx_regress_cork_bytes_not_carried_over),
	SIM_TEST(test_tcp_bpf_txrx_msg_larger_than_page),
	SIM_TEST(test_tcp_bpf_txrx_msg_64k_spans_three_frag_pages),
	SIM_TEST(test_tcp_bpf_txrx_regress_copy_fault_at_element_boundary),
	SIM_TEST(test_tcp_bpf_txrx_drained_frag_page_reused_from_start),
	SIM_TEST(test_tcp_bpf_txrx_several_sends_several_frag_pages),
	SIM_TEST(test_tcp_bpf_txrx_fionread_tracks_partial_reads),
	SIM_TEST(test_tcp_bpf_txrx_fionread_pass_counts_receive_queue),
	SIM_TEST(test_tcp_bpf_txrx_close_b_with_unread_data),
	SIM_TEST(test_tcp_bpf_txrx_map_delete_b_drops_queued_data),
	SIM_TEST(test_tcp_bpf_txrx_close_a_b_still_reads),
};

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(fixed_tests) + ARRAY_SIZE(chunk_rows)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	/* One named test per parameter row (KUNIT_ARRAY_PARAM style). */
	for (size_t i = 0; i < ARRAY_SIZE(chunk_rows); i++)
		tests[n++] = (struct CMUnitTest){
			.name = chunk_rows[i].name,
			.test_func = test_tcp_bpf_txrx_partial_read,
			.setup_func = sim_setup,
			.teardown_func = sim_teardown,
			.initial_state = (void *)&chunk_rows[i],
		};

	return sim_run_group_invariants("tcp_bpf_txrx", tests, n);
}
