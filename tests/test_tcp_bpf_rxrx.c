// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_rxrx: the RX->RX path ("rx-verdict-ingress", the seed's benchmark
 * mode). An skb arrives on A from the loopback wire; A's sk_skb verdict
 * redirects it to B's ingress; B's backlog (psock->work, run by the test)
 * turns it into an sk_msg on B's ingress_msg; B reads.
 *
 *   wire -> A: sk_psock_verdict_data_ready -> tcp_read_skb ->
 *        sk_psock_verdict_recv -> verdict -> sk_psock_skb_redirect ->
 *   B ingress_skb --sim_run_work()--> sk_psock_backlog ->
 *        sk_psock_skb_ingress -> B ingress_msg -> recv()/splice()
 */
#include "sim_test.h"
#include <sim/pipe.h>
#include <sim/series.h>

#define SERIES_SPLICE	(SIM_LEVEL_AT_LEAST(COPY))
#define SERIES_ZEROCOPY	(SIM_LEVEL_AT_LEAST(FULL))

static struct {
	struct sock *a, *a2, *b, *b2;
	struct bpf_map *map;
	struct sim_verdict v;
} fx;

/* A (slot 0) and B (slot 1) in a map whose sk_skb verdict (attached as
 * @type) does @action to slot @key with BPF_F_INGRESS. A verdict that
 * keeps the skb on A (SK_PASS, or a redirect to A's own ingress) goes
 * through sk_psock_skb_ingress_self(): KBUG_INGRESS_SELF_UNSCHEDULED. */
static void rxrx_setup(enum bpf_attach_type type, enum sim_action action, u32 key)
{
	if (action == SIM_PASS || (action == SIM_REDIRECT && key == 0))
		sim_invariants_expect(SIM_INV_FWD_NONNEG, KBUG_INGRESS_SELF_UNSCHEDULED);
	sim_tcp_pair(&fx.a, &fx.a2, "A", "A2");
	sim_tcp_pair(&fx.b, &fx.b2, "B", "B2");
	fx.map = sim_sockmap_create(3);
	fx.v = (struct sim_verdict){ .action = action, .map = fx.map, .key = key,
				     .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(&fx.v), fx.map, type), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
}

/* @len bytes of stream 0 from offset @off arrive on @sk as one skb. */
static void inject(struct sock *sk, size_t off, size_t len,
		   const struct sim_skb_shape *shape)
{
	void *data = sim_pattern_buf(0, off, len);
	int ret = sim_inject(sk, data, len, shape);

	free(data);
	assert_int_equal(ret, 0);
}

/* ---- every skb shape, both verdict program types ------------------------ */

struct shape_row {
	const char *name;
	enum bpf_attach_type type;
	size_t len;
	struct sim_skb_shape shape;
};

#define SV BPF_SK_SKB_STREAM_VERDICT
#define KV BPF_SK_SKB_VERDICT
static const struct shape_row shape_rows[] = {
	{ "test_tcp_bpf_rxrx_recv_1_byte_head_skb_verdict", KV, 1, { .headlen = 1 } },
	{ "test_tcp_bpf_rxrx_recv_1_byte_head_stream_verdict", SV, 1, { .headlen = 1 } },
	{ "test_tcp_bpf_rxrx_recv_head_only_skb_verdict", KV, 1000, { .headlen = 1000 } },
	{ "test_tcp_bpf_rxrx_recv_head_only_stream_verdict", SV, 1000, { .headlen = 1000 } },
	{ "test_tcp_bpf_rxrx_recv_frags_only_skb_verdict", KV, 12288, { .frag_size = 4096 } },
	{ "test_tcp_bpf_rxrx_recv_frags_only_stream_verdict", SV, 12288, { .frag_size = 4096 } },
	{ "test_tcp_bpf_rxrx_recv_head_and_frags_skb_verdict", KV, 8292, { .headlen = 100, .frag_size = 4096 } },
	{ "test_tcp_bpf_rxrx_recv_head_and_frags_stream_verdict", SV, 8292, { .headlen = 100, .frag_size = 4096 } },
	{ "test_tcp_bpf_rxrx_recv_64k_frags_skb_verdict", KV, 65536, { .frag_size = 4096 } },
	{ "test_tcp_bpf_rxrx_recv_64k_frags_stream_verdict", SV, 65536, { .frag_size = 4096 } },
	{ "test_tcp_bpf_rxrx_recv_head_frag_skb_verdict", KV, 1500, { .headlen = 1500, .head_frag = true } },
	{ "test_tcp_bpf_rxrx_recv_fraglist_skb_verdict", KV, 3000, { .headlen = 200, .fraglist = 2 } },
};

/* selftest: test_sockmap "txmsg test skb" (the rx-verdict-ingress mode of
 * the seed benchmark). The skb waits on B's ingress_skb until the backlog
 * runs; then B reads every byte, and B's accounting returns to zero. */
static void test_tcp_bpf_rxrx_recv_shape(void **state)
{
	const struct shape_row *row = *state;

	rxrx_setup(row->type, SIM_REDIRECT, 1);
	inject(fx.a, 0, row->len, &row->shape);
	assert_int_equal(sim_psock_backlog_len(fx.b), 1);
	assert_int_equal(sim_psock_queued(fx.b), 0);
	assert_int_equal(sim_recv(fx.b, (char[1]){ 0 }, 1, MSG_DONTWAIT), -EAGAIN);
	assert_int_equal(sim_run_work(), 1);
	assert_int_equal(sim_psock_backlog_len(fx.b), 0);
	assert_int_equal(sim_psock_queued(fx.b), row->len);
	sim_recv_expect(fx.b, 0, row->len);
	assert_int_equal(sim_psock_queued(fx.b), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
	/* A's stack consumed the skb: copied_seq caught up (tcp_eat_skb) */
	assert_int_equal(tcp_sk(fx.a)->copied_seq, tcp_sk(fx.a)->rcv_nxt);
}

/* ---- consumers ------------------------------------------------------------ */

static const struct sim_skb_shape head_and_frags = { .headlen = 100, .frag_size = 4096 };

/* Partial reads of 1000 bytes through head and frags. */
static void test_tcp_bpf_rxrx_partial_reads(void **state)
{
	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 8292, &head_and_frags);
	sim_run_work();
	for (size_t off = 0; off < 8292; off += 1000) {
		size_t n = min((size_t)1000, 8292 - off);
		unsigned char buf[1000];

		assert_int_equal(sim_recv(fx.b, buf, n, MSG_DONTWAIT), n);
		assert_pattern(buf, 0, off, n);
		assert_int_equal(sim_psock_queued(fx.b), 8292 - off - n);
	}
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* MSG_PEEK leaves the data (and msg_tot_len) in place. */
static void test_tcp_bpf_rxrx_peek_then_read(void **state)
{
	unsigned char buf[600];

	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 600, &(struct sim_skb_shape){ .headlen = 200, .frag_size = 400 });
	sim_run_work();
	assert_int_equal(sim_recv(fx.b, buf, 600, MSG_PEEK | MSG_DONTWAIT), 600);
	assert_pattern(buf, 0, 0, 600);
	assert_int_equal(sim_psock_queued(fx.b), 600);
	sim_recv_expect(fx.b, 0, 600);
}

/* FIONREAD on B counts what the backlog moved to ingress_msg. */
static void test_tcp_bpf_rxrx_fionread(void **state)
{
	int avail = -1;

	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 5000, &head_and_frags);
	assert_int_equal(sim_fionread(fx.b, &avail), 0);
	assert_int_equal(avail, 0);		/* still on ingress_skb */
	sim_run_work();
	assert_int_equal(sim_fionread(fx.b, &avail), 0);
	assert_int_equal(avail, 5000);
	sim_recv_expect(fx.b, 0, 5000);
}

/* Splice of head + frags: zero-copy hands B the frag pages themselves and
 * copies the slab head into a page fragment; always-copy shares nothing. */
static void test_tcp_bpf_rxrx_splice_head_copied_frags_shared(void **state)
{
	struct pipe_inode_info *pipe;
	struct page *frag0;
	struct sk_msg *msg;
	unsigned char buf[8292];

	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 8292, &head_and_frags);
	sim_run_work();
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b, true);
	msg = list_first_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	frag0 = sg_page(&msg->sg.data[1]);
	if (!SERIES_SPLICE) {
		assert_int_equal(sim_splice_read(fx.b, pipe, 8292, SPLICE_F_NONBLOCK), -EAGAIN);
		sim_recv_expect(fx.b, 0, 8292);
		return;
	}
	assert_int_equal(sim_splice_read(fx.b, pipe, 8292, SPLICE_F_NONBLOCK), 8292);
	assert_false(PageSlab(compound_head(sim_pipe_peek(pipe, 0)->page)));
	if (SERIES_ZEROCOPY) {
		assert_int_equal(sim_pipe_nr_bufs(pipe), 3);
		assert_ptr_equal(sim_pipe_peek(pipe, 1)->page, frag0);
	} else {
		assert_ptr_not_equal(sim_pipe_peek(pipe, 1)->page, frag0);
	}
	assert_int_equal(sim_pipe_read(pipe, buf, sizeof(buf)), 8292);
	assert_pattern(buf, 0, 0, 8292);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* Splice in 777-byte chunks across head and frag boundaries. */
static void test_tcp_bpf_rxrx_splice_chunked(void **state)
{
	struct pipe_inode_info *pipe;
	unsigned char buf[777];

	(void)state;
	rxrx_setup(SV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 8292, &head_and_frags);
	sim_run_work();
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b, true);
	if (!SERIES_SPLICE) {
		assert_int_equal(sim_splice_read(fx.b, pipe, 777, SPLICE_F_NONBLOCK), -EAGAIN);
		sim_recv_expect(fx.b, 0, 8292);
		return;
	}
	for (size_t off = 0; off < 8292; off += 777) {
		size_t n = min((size_t)777, 8292 - off);

		assert_int_equal(sim_splice_read(fx.b, pipe, n, SPLICE_F_NONBLOCK), n);
		assert_int_equal(sim_pipe_read(pipe, buf, sizeof(buf)), n);
		assert_pattern(buf, 0, off, n);
	}
	assert_int_equal(sim_psock_queued(fx.b), 0);
}

/* Does pipe buffer @buf hold bytes from [@start, @end)? */
static bool pipe_buf_in(const struct pipe_buffer *buf, const void *start,
			const void *end)
{
	const char *p = (const char *)page_address(buf->page) + buf->offset;

	return p < (const char *)end && p + buf->len > (const char *)start;
}

/* The linear data of an skb on the frag_list is copied too, also when the
 * head is a page fragment (build_skb(), not slab): the zero-copy splice
 * takes references on frag pages only, as skb_splice_bits() copies every
 * linear part through linear_to_page(). A GRO skb: 200 bytes of head and
 * one frag_list skb of 2800, both heads page fragments. */
static void test_tcp_bpf_rxrx_splice_fraglist_linear_copied(void **state)
{
	static const struct sim_skb_shape gro = { .headlen = 200, .head_frag = true,
						  .fraglist = 1 };
	const void *head[2], *end[2];	/* the two linear parts */
	struct pipe_inode_info *pipe;
	const struct sk_buff *child;
	struct sk_msg *msg;
	unsigned char buf[3000];

	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 3000, &gro);
	sim_run_work();
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b, true);
	if (!SERIES_SPLICE) {
		assert_int_equal(sim_splice_read(fx.b, pipe, 3000, SPLICE_F_NONBLOCK), -EAGAIN);
		sim_recv_expect(fx.b, 0, 3000);
		return;
	}
	msg = list_first_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	assert_non_null(msg->skb);
	child = skb_shinfo(msg->skb)->frag_list;
	assert_non_null(child);
	assert_null(child->next);
	assert_int_equal(skb_headlen(child), 2800);
	assert_false(PageSlab(virt_to_page(child->head)));
	head[0] = msg->skb->head;
	end[0] = skb_end_pointer(msg->skb);
	head[1] = child->head;
	end[1] = skb_end_pointer(child);
	/* the splice consumes msg and frees the skbs */
	assert_int_equal(sim_splice_read(fx.b, pipe, 3000, SPLICE_F_NONBLOCK), 3000);
	for (unsigned int i = 0; i < sim_pipe_nr_bufs(pipe); i++) {
		const struct pipe_buffer *pb = sim_pipe_peek(pipe, i);

		assert_false(pipe_buf_in(pb, head[0], end[0]));
		assert_false(pipe_buf_in(pb, head[1], end[1]));
	}
	assert_int_equal(sim_pipe_read(pipe, buf, sizeof(buf)), 3000);
	assert_pattern(buf, 0, 0, 3000);
	assert_int_equal(sim_psock_queued(fx.b), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* Linear data copied by the zero-copy splice goes into B's page fragment
 * (sk_page_frag(), a 32 KiB page): a chunk longer than what is left of it
 * is cut there, and the rest goes into the next page. 40 skbs of a
 * 1000-byte slab head, spliced one at a time into a 64-slot pipe that
 * keeps them all (a page frag whose only reference is its own starts
 * again at 0): the 33rd chunk is cut after 768 bytes. */
static void test_tcp_bpf_rxrx_splice_linear_fills_page_frag(void **state)
{
	enum { N = 40, LEN = 1000 };
	static const struct sim_skb_shape head = { .headlen = LEN };
	struct pipe_inode_info *pipe;
	unsigned char *buf;
	unsigned int nr;

	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	for (size_t i = 0; i < N; i++)
		inject(fx.a, i * LEN, LEN, &head);
	sim_run_work();
	assert_int_equal(sim_psock_queued(fx.b), N * LEN);
	pipe = sim_pipe_create(64);
	sim_set_nonblock(fx.b, true);
	if (!SERIES_SPLICE) {
		assert_int_equal(sim_splice_read(fx.b, pipe, LEN, SPLICE_F_NONBLOCK), -EAGAIN);
		sim_recv_expect(fx.b, 0, N * LEN);
		return;
	}
	for (size_t i = 0; i < N; i++)
		assert_int_equal(sim_splice_read(fx.b, pipe, LEN, SPLICE_F_NONBLOCK), LEN);
	nr = sim_pipe_nr_bufs(pipe);
	for (unsigned int j = 0; j < nr; j++) {
		const struct pipe_buffer *pb = sim_pipe_peek(pipe, j);

		assert_false(PageSlab(pb->page));
		assert_true(pb->offset + pb->len <= PAGE_SIZE << compound_order(pb->page));
	}
	if (SERIES_ZEROCOPY) {
		/* chunks 1-32 and 768 bytes of 33 in one page, the rest in a second */
		assert_int_equal(nr, N + 1);
		assert_int_equal(sim_pipe_peek(pipe, 32)->offset, 32 * LEN);
		assert_int_equal(sim_pipe_peek(pipe, 32)->len, 32768 - 32 * LEN);
		assert_int_equal(sim_pipe_peek(pipe, 33)->offset, 0);
		assert_ptr_not_equal(sim_pipe_peek(pipe, 33)->page, sim_pipe_peek(pipe, 32)->page);
	} else {
		/* the copying splice: a page of its own per chunk (or two) */
		assert_in_range(nr, N, 2 * N);
	}
	buf = malloc(N * LEN);
	assert_non_null(buf);
	assert_int_equal(sim_pipe_read(pipe, buf, N * LEN), N * LEN);
	assert_pattern(buf, 0, 0, N * LEN);
	free(buf);
	assert_int_equal(sim_psock_queued(fx.b), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* ---- backlog and teardown ------------------------------------------------ */

/* B over its receive buffer: sk_psock_skb_ingress() says -EAGAIN, the
 * backlog keeps the skb (and where it stopped) and retries a jiffy later;
 * once B has read, the retry delivers. */
static void test_tcp_bpf_rxrx_backlog_eagain_resumes(void **state)
{
	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	fx.b->sk_rcvbuf = 1;
	inject(fx.a, 0, 1000, &(struct sim_skb_shape){ .headlen = 1000 });
	inject(fx.a, 1000, 1000, &(struct sim_skb_shape){ .headlen = 1000 });
	assert_int_equal(sim_run_work(), 1);
	/* the first got in (rmem 0 <= rcvbuf), the second did not */
	assert_int_equal(sim_psock_queued(fx.b), 1000);
	assert_int_equal(sim_psock_backlog_len(fx.b), 1);
	assert_true(delayed_work_pending(&sk_psock(fx.b)->work));
	assert_int_equal(sim_run_work(), 0);	/* not due before a jiffy */
	sim_recv_expect(fx.b, 0, 1000);
	sim_advance_jiffies(1);
	assert_int_equal(sim_run_work(), 1);
	assert_int_equal(sim_psock_backlog_len(fx.b), 0);
	sim_recv_expect(fx.b, 1000, 1000);
}

/* B closed with skbs still on its ingress_skb: dropped with the psock. */
static void test_tcp_bpf_rxrx_receiver_closed_backlog_pending(void **state)
{
	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 3000, &head_and_frags);
	assert_int_equal(sim_psock_backlog_len(fx.b), 1);
	sim_close(fx.b);
	sim_quiesce();
	/* the only skb left is B's FIN, waiting on B2's receive queue */
	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 1);
	assert_int_equal(sim_live(SIM_SKB), 1);
	assert_int_equal(atomic_read(&fx.a->sk_rmem_alloc), 0);
}

/*
 * An skb with more pieces than an sk_msg has room for (MAX_MSG_FRAGS + 1
 * scatterlist entries, the last marked end): a GRO skb's frag_list of 20
 * segments behind a 10-byte head is 21 entries. At B's backlog
 * sk_psock_skb_ingress_enqueue()'s skb_to_sgvec() stops at the end mark
 * with -EMSGSIZE, the skb is linearized (its frag_list copied into one
 * new head: skb_linearize() -> __pskb_pull_tail()) and mapped again as
 * one entry; B reads every byte. A skb of exactly 18 pieces (a head and
 * 17 frags) fits and is mapped without a copy.
 */
static void test_tcp_bpf_rxrx_more_pieces_than_msg_linearized(void **state)
{
	static const struct sim_skb_shape fits = { .headlen = 100, .frag_size = 1 };
	static const struct sim_skb_shape gro = { .headlen = 10, .fraglist = 20 };
	u64 copied;

	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);

	inject(fx.a, 0, 100 + MAX_SKB_FRAGS, &fits);
	copied = sim_stats.bytes_copied;
	sim_run_work();
	assert_int_equal(sim_stats.bytes_copied, copied);	/* mapped as is */
	assert_int_equal(sim_psock_queued(fx.b), 100 + MAX_SKB_FRAGS);
	sim_recv_expect(fx.b, 0, 100 + MAX_SKB_FRAGS);

	inject(fx.a, 100 + MAX_SKB_FRAGS, 2010, &gro);
	copied = sim_stats.bytes_copied;
	sim_run_work();
	/* the 2000 bytes of the frag_list (at least) copied into a new head */
	assert_true(sim_stats.bytes_copied - copied >= 2000);
	assert_int_equal(sim_psock_queued(fx.b), 2010);
	sim_recv_expect(fx.b, 100 + MAX_SKB_FRAGS, 2010);
	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
	assert_int_equal(tcp_sk(fx.a)->copied_seq, tcp_sk(fx.a)->rcv_nxt);
}

/* A closed while B's backlog holds A's skb: the skb keeps A alive
 * (sock_efree reference from tcp_read_skb) until the backlog re-owns it
 * to B; B still reads every byte. */
static void test_tcp_bpf_rxrx_sender_closed_backlog_pending(void **state)
{
	long socks;

	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 3000, &head_and_frags);
	socks = sim_live(SIM_SOCK);
	sim_close(fx.a);
	sim_rcu_barrier();
	assert_int_equal(sim_live(SIM_SOCK), socks);	/* held by the skb */
	sim_quiesce();					/* backlog runs */
	assert_int_equal(sim_live(SIM_SOCK), socks - 1);
	sim_recv_expect(fx.b, 0, 3000);
}

/*
 * kernel behaviour (6.12.117, not changed by the series; found by the
 * fuzzer's crowd): a FIN that arrives on a socket whose sk_skb verdict
 * redirects is redirected too. The peer's FIN reaches A as an skb of its
 * own (the verdict took A's data), and tcp_read_skb() hands it to the
 * verdict like data: a 0-length skb on B's backlog. sk_psock_backlog()
 * takes the 0 that sk_psock_handle_skb() returns for it as a hard error:
 * sk_psock_report_error(EPIPE) on B and TX disabled. B reads what came
 * before; then the empty msg with C's FIN makes B's recv() return 0, a
 * false end of stream on a connection (B <-> B2) that is fine, and
 * tcp_bpf_recvmsg_parser() counts that FIN in B's copied_seq, past
 * rcv_nxt (KBUG_REDIRECTED_FIN_COUNTED); from level fixes the next
 * recv() returns -EPIPE, then -EAGAIN (6.12.117 returns 0 at every read,
 * counting the FIN each time: fixes/0009); what any other socket
 * redirects to B from then on is dropped.
 *   C2 --> C --verdict--> B        C2 sends 1000 then closes: C's FIN
 *   A2 --> A --verdict--> B        A2's later 500 bytes never reach B
 */
static void test_tcp_bpf_rxrx_peer_fin_breaks_target(void **state)
{
	struct sock *c, *c2;

	(void)state;
	sim_invariants_expect(SIM_INV_COPIED_SEQ, KBUG_REDIRECTED_FIN_COUNTED);
	rxrx_setup(KV, SIM_REDIRECT, 1);
	sim_tcp_pair(&c, &c2, "C", "C2");
	assert_int_equal(sim_map_update(fx.map, 2, c, BPF_ANY), 0);
	assert_int_equal(sim_send_pattern(c2, 0, 0, 1000, 0), 1000);
	sim_close(c2);
	sim_quiesce();
	assert_int_equal(fx.b->sk_err, EPIPE);
	assert_false(sk_psock_test_state(sk_psock(fx.b), SK_PSOCK_TX_ENABLED));
	sim_recv_expect(fx.b, 0, 1000);
	/* C's FIN, read as B's own end of stream (and counted in B's
	 * copied_seq: KBUG_REDIRECTED_FIN_COUNTED), then the error */
	assert_int_equal(sim_recv(fx.b, (char[1]){ 0 }, 1, MSG_DONTWAIT), 0);
	assert_int_equal(tcp_sk(fx.b)->copied_seq - tcp_sk(fx.b)->rcv_nxt, 1);
	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		/* and again at every read (KBUG_FIN_COUNTED_TWICE): the
		 * error never surfaces */
		assert_int_equal(sim_recv(fx.b, (char[1]){ 0 }, 1, MSG_DONTWAIT), 0);
		assert_int_equal(tcp_sk(fx.b)->copied_seq - tcp_sk(fx.b)->rcv_nxt, 2);
		assert_int_equal(fx.b->sk_err, EPIPE);
	} else {
		assert_int_equal(sim_recv(fx.b, (char[1]){ 0 }, 1, MSG_DONTWAIT), -EPIPE);
		assert_int_equal(fx.b->sk_err, 0);
		assert_int_equal(sim_recv(fx.b, (char[1]){ 0 }, 1, MSG_DONTWAIT), -EAGAIN);
	}

	assert_int_equal(sim_send_pattern(fx.a2, 1, 0, 500, 0), 500);
	sim_quiesce();
	assert_int_equal(sim_recv(fx.b, (char[1]){ 0 }, 1, MSG_DONTWAIT),
			 SIM_LEVEL_AT_LEAST(FIXES) ? -EAGAIN : 0);
	assert_int_equal(sim_psock_queued(fx.b), 0);
	assert_int_equal(tcp_sk(fx.a)->copied_seq, tcp_sk(fx.a)->rcv_nxt);
	sim_close(c);
}

/*
 * kernel behaviour (6.12.117, not changed by the series; the fuzzer's
 * tests/fuzz/open/world-fionread-minus-one, seed
 * regress-fionread-redirected-fin): what KBUG_REDIRECTED_FIN_COUNTED
 * leaves behind once the target leaves the map. A2 closes; A's verdict
 * redirects A's FIN to B (sk_psock_verdict_recv() runs it on the 0-length
 * skb), B's backlog queues it as an empty msg (and takes the 0 it returns
 * as EPIPE), and B's recv() returns 0 for it: tcp_bpf_recvmsg_parser()'s
 * is_next_msg_fin() branch does seq++ without looking at msg->sk, so B's
 * copied_seq is rcv_nxt + 1 though B's own connection (B <-> B2) carried
 * no FIN. With B deleted from the map:
 *   - FIONREAD on B is tcp_inq(): rcv_nxt - copied_seq = -1;
 *   - B2's next segment of 1 byte ends at copied_seq: tcp_recvmsg() WARNs
 *     "TCP recvmsg seq # bug 2" (and tcp_cleanup_rbuf()'s "cleanup rbuf
 *     bug"), reads nothing (returns the backlog's EPIPE) and leaves it
 *     queued for ever;
 *   - B2's next 100 bytes are read whole, the stuck byte WARNs again at
 *     every recv() that walks past it.
 * With a 1-byte send first the bytes are lost; with a longer one the
 * first byte of it would be (read from offset 1).
 *   B2 --> B                 A2 --> A --verdict--> B (A2's FIN)
 */
static void test_tcp_bpf_rxrx_peer_fin_then_delete_fionread_negative(void **state)
{
	struct tcp_sock *tp;
	unsigned char buf[128];
	int inq;

	(void)state;
	sim_invariants_expect(SIM_INV_COPIED_SEQ, KBUG_REDIRECTED_FIN_COUNTED);
	rxrx_setup(KV, SIM_REDIRECT, 1);
	tp = tcp_sk(fx.b);
	sim_close(fx.a2);
	fx.a2 = NULL;
	sim_quiesce();
	assert_int_equal(fx.b->sk_err, EPIPE);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), 0);
	assert_int_equal(tp->copied_seq - tp->rcv_nxt, 1);
	assert_int_equal(sim_map_delete(fx.map, 1), 0);
	sim_quiesce();
	assert_null(sk_psock(fx.b));
	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, -1);

	/* B's own stream: one byte, then 100 */
	assert_int_equal(sim_send_pattern(fx.b2, 1, 0, 1, 0), 1);
	assert_int_equal(tp->rcv_nxt, tp->copied_seq);
	sim_expect_warnings(2);
	/* nothing read: the backlog's EPIPE surfaces (tcp_recvmsg()) */
	assert_int_equal(fx.b->sk_err, EPIPE);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), -EPIPE);
	assert_int_equal(sim_warnings(), 2);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 1);
	assert_int_equal(sim_send_pattern(fx.b2, 1, 1, 100, 0), 100);
	/* the walk passes the stuck byte twice (before and after the 100),
	 * then tcp_cleanup_rbuf() finds it at the head */
	sim_expect_warnings(5);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), 100);
	assert_int_equal(sim_warnings(), 5);
	assert_pattern(buf, 1, 1, 100);
	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, 0);
}

/* B leaves the map between the verdict and the backlog run: the psock
 * stops (TX disabled), the backlog does nothing, and the skb is freed
 * with the psock: the data is lost, nothing leaks. */
static void test_tcp_bpf_rxrx_map_delete_before_backlog(void **state)
{
	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 1);
	inject(fx.a, 0, 3000, &head_and_frags);
	assert_int_equal(sim_map_delete(fx.map, 1), 0);
	sim_quiesce();
	assert_null(sk_psock(fx.b));
	assert_int_equal(sim_live(SIM_SKB), 0);
	assert_int_equal(sim_recv(fx.b, (char[1]){ 0 }, 1, MSG_DONTWAIT), -EAGAIN);
}

/* selftest: sockmap_basic "sockmap skb_verdict fionread on drop": a drop
 * verdict consumes the data on A (copied_seq advances), nothing moves. */
static void test_tcp_bpf_rxrx_drop_verdict(void **state)
{
	int avail = -1;

	(void)state;
	rxrx_setup(KV, SIM_DROP, 1);
	inject(fx.a, 0, 2000, &head_and_frags);
	assert_int_equal(sim_work_pending(), 0);
	assert_int_equal(tcp_sk(fx.a)->copied_seq, tcp_sk(fx.a)->rcv_nxt);
	assert_int_equal(sim_fionread(fx.a, &avail), 0);
	assert_int_equal(avail, 0);
	assert_int_equal(sim_live(SIM_SKB), 0);
	assert_int_equal(sim_psock_queued(fx.b), 0);
}

/* Redirect to an empty slot: bpf_sk_redirect_map() says SK_DROP. */
static void test_tcp_bpf_rxrx_redirect_to_empty_slot_drops(void **state)
{
	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 2);
	inject(fx.a, 0, 2000, &head_and_frags);
	assert_int_equal(sim_work_pending(), 0);
	assert_int_equal(sim_live(SIM_SKB), 0);
	assert_int_equal(sim_psock_queued(fx.b), 0);
}

/* SK_PASS with a verdict program: the skb goes to A's own ingress through
 * sk_psock_skb_ingress_self(), without the backlog. */
static void test_tcp_bpf_rxrx_pass_to_self(void **state)
{
	(void)state;
	rxrx_setup(KV, SIM_PASS, 0);
	inject(fx.a, 0, 2000, &head_and_frags);
	assert_int_equal(sim_work_pending(), 0);
	assert_int_equal(sim_psock_queued(fx.a), 2000);
	sim_recv_expect(fx.a, 0, 2000);
	assert_int_equal(tcp_sk(fx.a)->copied_seq, tcp_sk(fx.a)->rcv_nxt);
}

/* KBUG_INGRESS_SELF_UNSCHEDULED (a candidate, found by the accounting
 * invariants; not fixed): the skb came in charged to A (sk_rmem_schedule()
 * then skb_set_owner_r() on receive); tcp_read_skb() re-owns it with
 * skb_set_owner_sk_safe(), whose skb_orphan() runs sock_rfree(): the
 * truesize is uncharged and sk_mem_reclaim() gives the whole pages back to
 * tcp memory_allocated. sk_psock_skb_ingress_self() then charges the
 * truesize again with skb_set_owner_r(), without sk_rmem_schedule():
 * sk_forward_alloc is -truesize and no page of memory_allocated covers
 * the queued skb (the tcp_mem limits do not see it) until it is read.
 * sk_psock_skb_ingress() (a redirect to another socket) schedules first. */
static void test_tcp_bpf_rxrx_pass_to_self_forward_alloc_unscheduled(void **state)
{
	struct sk_msg *msg;
	int truesize;

	(void)state;
	rxrx_setup(KV, SIM_PASS, 0);
	inject(fx.a, 0, 2000, &head_and_frags);
	msg = list_first_entry(&sk_psock(fx.a)->ingress_msg, struct sk_msg, list);
	assert_non_null(msg->skb);
	truesize = (int)msg->skb->truesize;
	assert_int_equal(atomic_read(&fx.a->sk_rmem_alloc), truesize);
	assert_int_equal(fx.a->sk_forward_alloc, -truesize);
	assert_int_equal(sim_tcp_memory_allocated(), 0);
	assert_int_equal(sim_invariant_expected_hits(SIM_INV_FWD_NONNEG), 1);
	sim_recv_expect(fx.a, 0, 2000);
	assert_int_equal(atomic_read(&fx.a->sk_rmem_alloc), 0);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
}

/* SK_PASS, then splice: tcp_bpf_splice_read_parser() accounts the bytes
 * that came from A's own stack in copied_seq, as recvmsg does (caught the
 * mutant tests/mutants/14-splice-copied-seq-not-advanced). Pristine: the
 * splice moves nothing and recv() does the accounting. */
static void test_tcp_bpf_rxrx_pass_to_self_splice_advances_copied_seq(void **state)
{
	struct pipe_inode_info *pipe;
	unsigned char buf[2000];

	(void)state;
	rxrx_setup(KV, SIM_PASS, 0);
	sim_set_nonblock(fx.a, true);
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	inject(fx.a, 0, 2000, &head_and_frags);
	assert_int_equal(tcp_sk(fx.a)->rcv_nxt - tcp_sk(fx.a)->copied_seq, 2000);
	if (!SERIES_SPLICE) {
		assert_int_equal(sim_splice_read(fx.a, pipe, 65536, 0), -EAGAIN);
		sim_recv_expect(fx.a, 0, 2000);
	} else {
		assert_int_equal(sim_splice_read(fx.a, pipe, 65536, 0), 2000);
		assert_int_equal(sim_pipe_read(pipe, buf, sizeof(buf)), 2000);
		assert_pattern(buf, 0, 0, 2000);
	}
	assert_int_equal(tcp_sk(fx.a)->copied_seq, tcp_sk(fx.a)->rcv_nxt);
	assert_int_equal(sim_psock_queued(fx.a), 0);
	sim_pipe_close(pipe);
}

/* fixes/0014 (found by fuzz_world's map add; conformance
 * rxrx_pass_after_partial_read shows the same on the booted 6.12.117 and
 * on 6.18): A has read 16 of an skb's 17 bytes when it joins the map with
 * an SK_PASS verdict. The next arrival runs sk_psock_verdict_data_ready(),
 * whose tcp_read_skb() hands the half-read skb to the verdict whole,
 * ignoring copied_seq: the 16 bytes already read are queued again, and A
 * reads 27 bytes where 11 were left, each counted in copied_seq, which
 * runs 16 past rcv_nxt. From level fixes tcp_read_skb() pulls the bytes
 * already read off the head skb (the sim's copy of tcp.c follows the
 * patch): A reads bytes 16-26 once each, and copied_seq ends at rcv_nxt. */
static void test_tcp_bpf_rxrx_regress_added_after_partial_read(void **state)
{
	bool fixed = SIM_LEVEL_AT_LEAST(FIXES);
	unsigned char buf[64];

	(void)state;
	sim_invariants_expect(SIM_INV_FWD_NONNEG, KBUG_INGRESS_SELF_UNSCHEDULED);
	if (!fixed)
		sim_invariants_expect(SIM_INV_COPIED_SEQ, KBUG_READ_SKB_IGNORES_COPIED_SEQ);
	sim_tcp_pair(&fx.a, &fx.a2, "A", "A2");
	fx.map = sim_sockmap_create(1);
	fx.v = (struct sim_verdict){ .action = SIM_PASS };
	assert_int_equal(sim_send_pattern(fx.a2, 0, 0, 17, 0), 17);
	assert_int_equal(sim_recv(fx.a, buf, 16, MSG_DONTWAIT), 16);
	assert_pattern(buf, 0, 0, 16);
	assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(&fx.v), fx.map, KV), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);

	assert_int_equal(sim_send_pattern(fx.a2, 0, 17, 10, 0), 10);

	assert_int_equal(sim_work_pending(), 0);
	if (!fixed) {
		assert_int_equal(sim_psock_queued(fx.a), 27);
		assert_int_equal(sim_recv(fx.a, buf, sizeof(buf), MSG_DONTWAIT), 27);
		assert_pattern(buf, 0, 0, 27);		/* bytes 0-15 a second time */
	} else {
		assert_int_equal(sim_psock_queued(fx.a), 11);
		assert_int_equal(sim_recv(fx.a, buf, sizeof(buf), MSG_DONTWAIT), 11);
		assert_pattern(buf, 0, 16, 11);		/* bytes 16-26, once */
	}
	assert_int_equal(sim_recv(fx.a, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
	/* each byte read counts in copied_seq: 16 past rcv_nxt, or none */
	assert_int_equal(tcp_sk(fx.a)->copied_seq - tcp_sk(fx.a)->rcv_nxt, fixed ? 0 : 16);
	if (!fixed)
		assert_true(sim_invariant_expected_hits(SIM_INV_COPIED_SEQ) > 0);
}

/* Redirect to A itself with BPF_F_INGRESS is turned into SK_PASS. */
static void test_tcp_bpf_rxrx_redirect_to_self_is_pass(void **state)
{
	(void)state;
	rxrx_setup(KV, SIM_REDIRECT, 0);
	inject(fx.a, 0, 2000, &head_and_frags);
	assert_int_equal(sim_work_pending(), 0);
	sim_recv_expect(fx.a, 0, 2000);
}

/* fixes/0009: with a verdict program, the peer's FIN is a zero-length
 * sk_msg (its skb carries TCPHDR_FIN). 6.12.117's
 * tcp_bpf_recvmsg_parser() counts it in copied_seq and leaves it queued:
 * every recv() after it returns 0 and counts the FIN again, so copied_seq
 * runs ahead of rcv_nxt, one per read. With the fix the FIN's msg is
 * consumed when it is counted: copied_seq stays at rcv_nxt, and so it
 * does for the series' splice_read (level copy), which handles the FIN
 * the same way. */
static void test_tcp_bpf_rxrx_regress_recv_after_fin_counts_it_once(void **state)
{
	char buf[10];
	u32 rcv_nxt;

	(void)state;
	rxrx_setup(KV, SIM_PASS, 0);
	if (!SIM_LEVEL_AT_LEAST(FIXES))
		sim_invariants_expect(SIM_INV_COPIED_SEQ, KBUG_FIN_COUNTED_TWICE);
	assert_int_equal(sim_shutdown(fx.a2, 1 /* SHUT_WR */), 0);
	rcv_nxt = tcp_sk(fx.a)->rcv_nxt;
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(sim_recv(fx.a, buf, sizeof(buf), MSG_DONTWAIT), 0);
		assert_int_equal(tcp_sk(fx.a)->copied_seq - rcv_nxt,
				 SIM_LEVEL_AT_LEAST(FIXES) ? 0 : i - 1);
	}
	assert_int_equal(tcp_sk(fx.a)->rcv_nxt, rcv_nxt);
	if (SIM_LEVEL_AT_LEAST(FIXES))
		assert_true(sk_psock_queue_empty(sk_psock(fx.a)));
	else	/* the 2nd and 3rd reads: copied_seq past rcv_nxt */
		assert_int_equal(sim_invariant_expected_hits(SIM_INV_COPIED_SEQ), 2);
}

/* fixes/0009 on the series' splice_read: the FIN counts once, and every
 * splice() after EOF returns 0 with copied_seq at rcv_nxt. Below level
 * copy splice() is tcp_splice_read(), which never touches the psock. */
static void test_tcp_bpf_rxrx_regress_splice_after_fin_counts_it_once(void **state)
{
	struct pipe_inode_info *pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	u32 rcv_nxt;

	(void)state;
	rxrx_setup(KV, SIM_PASS, 0);
	assert_int_equal(sim_shutdown(fx.a2, 1 /* SHUT_WR */), 0);
	rcv_nxt = tcp_sk(fx.a)->rcv_nxt;
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(sim_splice_read(fx.a, pipe, 4096, SPLICE_F_NONBLOCK), 0);
		assert_int_equal((s32)(tcp_sk(fx.a)->copied_seq - rcv_nxt),
				 SIM_LEVEL_AT_LEAST(COPY) ? 0 : -1);
	}
	assert_int_equal(sim_pipe_nr_bufs(pipe), 0);
	sim_pipe_close(pipe);
}

/* The TCP shim: a segment that arrives while its socket's owner holds
 * lock_sock() waits in the socket backlog, and release_sock() processes
 * it (tcp_v4_do_rcv -> tcp_data_queue), which schedules its receive
 * memory as tcp_v4_rcv() does for one received at once. The shim used to
 * charge it with skb_set_owner_r() alone, so sk_forward_alloc went below
 * zero and tcp memory_allocated never counted the page. */
static void test_tcp_bpf_rxrx_socket_backlog_segment_schedules_memory(void **state)
{
	struct sock *x, *y;
	long pages = sim_tcp_memory_allocated();
	unsigned int truesize;

	(void)state;
	sim_tcp_pair(&x, &y, "X", "Y");
	lock_sock(x);
	inject(x, 0, 1000, &head_and_frags);
	assert_non_null(x->sk_backlog.tail);
	assert_int_equal(atomic_read(&x->sk_rmem_alloc), 0);
	release_sock(x);
	assert_null(x->sk_backlog.tail);
	assert_int_equal(skb_queue_len(&x->sk_receive_queue), 1);
	truesize = skb_peek(&x->sk_receive_queue)->truesize;
	assert_int_equal(atomic_read(&x->sk_rmem_alloc), truesize);
	assert_int_equal(x->sk_forward_alloc, sk_mem_pages(truesize) * PAGE_SIZE - truesize);
	assert_int_equal(sim_tcp_memory_allocated() - pages, sk_mem_pages(truesize));
	sim_recv_expect(x, 0, 1000);
	assert_int_equal(atomic_read(&x->sk_rmem_alloc), 0);
	assert_int_equal(x->sk_forward_alloc, 0);
	assert_int_equal(sim_tcp_memory_allocated(), pages);
}

/* When the backlog's segment cannot be charged and the receive queue is
 * not empty, tcp_data_queue() drops it and the peer sends it again: the
 * shim puts it back on the wire, and the backlog's later segments after
 * it, in order; the reader's window update lets them in. */
static void test_tcp_bpf_rxrx_socket_backlog_no_memory_resent_in_order(void **state)
{
	struct sock *x, *y;
	long pages = sim_tcp_memory_allocated();

	(void)state;
	sim_tcp_pair(&x, &y, "X", "Y");
	inject(x, 0, 8292, &head_and_frags);
	lock_sock(x);
	inject(x, 8292, 8292, &head_and_frags);
	inject(x, 2 * 8292, 8292, &head_and_frags);
	sim_fail_alloc(SIM_SOCK, 0, 1);
	release_sock(x);
	assert_int_equal(skb_queue_len(&x->sk_receive_queue), 1);
	assert_int_equal(skb_queue_len(&sim_tcp(x)->wire), 2);
	assert_int_equal(x->sk_forward_alloc,
			 sk_mem_pages(atomic_read(&x->sk_rmem_alloc)) * PAGE_SIZE -
			 atomic_read(&x->sk_rmem_alloc));
	sim_recv_expect(x, 0, 8292);
	assert_int_equal(skb_queue_len(&sim_tcp(x)->wire), 0);
	sim_recv_expect(x, 8292, 2 * 8292);
	assert_int_equal(atomic_read(&x->sk_rmem_alloc), 0);
	assert_int_equal(x->sk_forward_alloc, 0);
	assert_int_equal(sim_tcp_memory_allocated(), pages);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_rxrx_partial_reads),
		SIM_TEST(test_tcp_bpf_rxrx_peek_then_read),
		SIM_TEST(test_tcp_bpf_rxrx_fionread),
		SIM_TEST(test_tcp_bpf_rxrx_splice_head_copied_frags_shared),
		SIM_TEST(test_tcp_bpf_rxrx_splice_chunked),
		SIM_TEST(test_tcp_bpf_rxrx_splice_fraglist_linear_copied),
		SIM_TEST(test_tcp_bpf_rxrx_splice_linear_fills_page_frag),
		SIM_TEST(test_tcp_bpf_rxrx_backlog_eagain_resumes),
		SIM_TEST(test_tcp_bpf_rxrx_receiver_closed_backlog_pending),
		SIM_TEST(test_tcp_bpf_rxrx_sender_closed_backlog_pending),
		SIM_TEST(test_tcp_bpf_rxrx_more_pieces_than_msg_linearized),
		SIM_TEST(test_tcp_bpf_rxrx_map_delete_before_backlog),
		SIM_TEST(test_tcp_bpf_rxrx_peer_fin_breaks_target),
		SIM_TEST(test_tcp_bpf_rxrx_peer_fin_then_delete_fionread_negative),
		SIM_TEST(test_tcp_bpf_rxrx_drop_verdict),
		SIM_TEST(test_tcp_bpf_rxrx_redirect_to_empty_slot_drops),
		SIM_TEST(test_tcp_bpf_rxrx_pass_to_self),
		SIM_TEST(test_tcp_bpf_rxrx_pass_to_self_forward_alloc_unscheduled),
		SIM_TEST(test_tcp_bpf_rxrx_redirect_to_self_is_pass),
		SIM_TEST(test_tcp_bpf_rxrx_regress_recv_after_fin_counts_it_once),
		SIM_TEST(test_tcp_bpf_rxrx_regress_splice_after_fin_counts_it_once),
		SIM_TEST(test_tcp_bpf_rxrx_pass_to_self_splice_advances_copied_seq),
		SIM_TEST(test_tcp_bpf_rxrx_regress_added_after_partial_read),
		SIM_TEST(test_tcp_bpf_rxrx_socket_backlog_segment_schedules_memory),
		SIM_TEST(test_tcp_bpf_rxrx_socket_backlog_no_memory_resent_in_order),
	};
	struct CMUnitTest all[ARRAY_SIZE(tests) + ARRAY_SIZE(shape_rows)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(shape_rows); i++) {
		all[n] = (struct CMUnitTest)SIM_TEST(test_tcp_bpf_rxrx_recv_shape);
		all[n].name = shape_rows[i].name;
		all[n++].initial_state = (void *)&shape_rows[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		all[n++] = tests[i];
	return sim_run_group_invariants("tcp_bpf_rxrx", all, n);
}
