// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_rxtx: the RX->TX path. An skb arrives on A from A2 over the
 * loopback wire; A's sk_skb verdict redirects it to B's egress (flags 0):
 * sk_psock_verdict_data_ready -> tcp_read_skb -> sk_psock_verdict_recv ->
 * sk_psock_verdict_apply -> tcp_eat_skb(A) + sk_psock_skb_redirect -> B's
 * psock->ingress_skb, psock->work scheduled. The test runs the work:
 * sk_psock_backlog -> sk_psock_handle_skb(!ingress) -> sock_writeable(B)
 * -> skb_send_sock(B) -> B's sk_prot->sendmsg (tcp_sendmsg: B's psock has
 * no sk_msg program) -> the wire -> B2, a plain TCP socket that reads.
 *
 *   A2 --wire--> A (slot 0) --[skb verdict: redirect slot 1, flags 0]
 *                                      |
 *                            B's psock->ingress_skb
 *                                      |  sim_run_work(): sk_psock_backlog
 *   B (slot 1) --skb_send_sock--> wire --> B2 --recvmsg--> user
 *
 *   slot 2 stays empty.
 *
 * Ownership: tcp_read_skb() gives the skb to A with skb_set_owner_sk_safe()
 * (skb_orphan: A's receive memory is released at once; destructor
 * sock_efree: the skb holds a reference on A until it is freed). The
 * verdict has consumed the bytes for A (tcp_eat_skb: copied_seq). The skb
 * is freed when the backlog has sent all of it, or when B's psock is
 * destroyed (__sk_psock_zap_ingress), whichever comes first.
 *
 * skb_send_sock() sends the linear head through a kvec (B copies it into
 * its page frag) and each page frag with MSG_SPLICE_PAGES (B's skb takes a
 * reference on the page: no copy). In the sim each sendmsg becomes one
 * skb, so B2 gets one skb per piece.
 */
#include "sim_test.h"
#include <sim/pipe.h>

#define SLOT_A		0
#define SLOT_B		1
#define SLOT_EMPTY	2

struct rxtx {
	struct sock *a, *a2, *b, *b2;
	struct bpf_map *map;
	struct bpf_prog *prog;
	struct sim_verdict v;
};

static struct rxtx fx;

/* (A2, A) and (B, B2) loopback pairs; A and B in the map; the sk_skb
 * verdict, attached as @type, does @action towards slot @key, egress. */
static void rxtx_setup_attach(enum sim_action action, u32 key,
			      enum bpf_attach_type type)
{
	memset(&fx, 0, sizeof(fx));
	sim_tcp_pair(&fx.a2, &fx.a, "A2", "A");
	sim_tcp_pair(&fx.b, &fx.b2, "B", "B2");
	fx.map = sim_sockmap_create(3);
	fx.v = (struct sim_verdict){ .action = action, .map = fx.map, .key = key,
				     .flags = 0 };
	fx.prog = sim_prog_skb_verdict(&fx.v);
	assert_int_equal(sim_prog_attach(fx.prog, fx.map, type), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_A, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_B, fx.b, BPF_ANY), 0);
}

static void rxtx_setup(enum sim_action action, u32 key)
{
	rxtx_setup_attach(action, key, BPF_SK_SKB_VERDICT);
}

static int rmem(struct sock *sk)
{
	return atomic_read(&sk->sk_rmem_alloc);
}

/* A FIN arrives as an empty skb charged with its truesize until read. */
#define FIN_TRUESIZE	((int)sim_skb_alloc_truesize(0))

/* References on a socket besides skbs: its file, the hash table, and
 * its psock while it has one. */
#define SOCK_REFS_WITH_PSOCK	3

/* Make stream bytes [off, off+len) arrive on A as one skb of @shape. */
static void inject(size_t off, size_t len, const struct sim_skb_shape *shape)
{
	void *data = sim_pattern_buf(0, off, len);
	int ret = sim_inject(fx.a, data, len, shape);

	free(data);	/* before any assert can fail */
	assert_int_equal(ret, 0);
}

static void inject_linear(size_t off, size_t len)
{
	struct sim_skb_shape shape = { .headlen = len };

	inject(off, len, &shape);
}

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

static struct sk_psock *b_psock(void)
{
	struct sk_psock *psock = sk_psock(fx.b);

	assert_non_null(psock);
	return psock;
}

/* A consumed @len bytes (tcp_eat_skb) and holds no receive memory. */
#define assert_a_consumed(len)						\
	do {								\
		assert_int_equal(tcp_sk(fx.a)->copied_seq, (len));	\
		assert_int_equal(tcp_sk(fx.a)->rcv_nxt, (len));		\
		assert_int_equal(rmem(fx.a), 0);			\
		assert_int_equal(fx.a->sk_forward_alloc, 0);		\
		assert_true(skb_queue_empty(&fx.a->sk_receive_queue));	\
	} while (0)

/* B forwarded everything and keeps nothing. */
#define assert_b_idle()							\
	do {								\
		struct sk_psock *__p = b_psock();			\
									\
		assert_true(skb_queue_empty(&__p->ingress_skb));	\
		assert_int_equal(__p->work_state.len, 0);		\
		assert_int_equal(__p->work_state.off, 0);		\
		assert_false(delayed_work_pending(&__p->work));		\
		assert_true(list_empty(&__p->ingress_msg));		\
		assert_int_equal(fx.b->sk_forward_alloc, 0);		\
		assert_int_equal(fx.b->sk_wmem_queued, 0);		\
		assert_int_equal(rmem(fx.b), 0);			\
		assert_true(skb_queue_empty(&fx.b->sk_write_queue));	\
	} while (0)

/* B2 has read everything: no receive memory left. */
#define assert_b2_drained()						\
	do {								\
		assert_int_equal(rmem(fx.b2), 0);			\
		assert_int_equal(fx.b2->sk_forward_alloc, 0);		\
		assert_int_equal(tcp_inq(fx.b2), 0);			\
	} while (0)

/* ---- each skb shape, each verdict attach type: parameter rows ---------- */

struct shape_row {
	const char *name;
	enum bpf_attach_type attach;
	size_t len;
	struct sim_skb_shape shape;
	unsigned int pieces;	/* sendmsg calls of skb_send_sock: skbs at B2 */
};

#define SHAPE_ROWS(prefix, type)					\
	{ prefix "_slab_head_only", type, 1000,				\
	  { .headlen = 1000 }, 1 },					\
	{ prefix "_frags_only", type, 10000,				\
	  { .headlen = 0, .frag_size = 4096 }, 3 },			\
	{ prefix "_head_and_frags", type, 500 + 8192,			\
	  { .headlen = 500, .frag_size = 4096 }, 3 },			\
	{ prefix "_one_byte", type, 1,					\
	  { .headlen = 1 }, 1 },					\
	{ prefix "_64k_in_16_frags", type, 65536,			\
	  { .headlen = 0, .frag_size = 4096 }, 16 },			\
	{ prefix "_fraglist", type, 100 + 2000,				\
	  { .headlen = 100, .head_frag = true, .fraglist = 2 }, 3 }

static const struct shape_row shape_rows[] = {
	SHAPE_ROWS("test_tcp_bpf_rxtx_delivered_skb_verdict", BPF_SK_SKB_VERDICT),
	SHAPE_ROWS("test_tcp_bpf_rxtx_delivered_stream_verdict",
		   BPF_SK_SKB_STREAM_VERDICT),
};

/* selftest: test_sockmap, every non-base test: its sk_skb stream verdict
 * (bpf_prog2) redirects each received skb with
 * bpf_sk_redirect_map(skb, &sock_map, ret, 0), to a socket's egress */
/* An skb of row->shape arriving on A is consumed by A's verdict at once
 * (copied_seq, no receive memory left), waits on B's ingress_skb holding a
 * reference on A, and reaches B2 intact when B's backlog runs, in one
 * sendmsg per linear part or page frag; nothing is left anywhere. */
static void test_tcp_bpf_rxtx_delivered(void **state)
{
	const struct shape_row *row = *state;

	rxtx_setup_attach(SIM_REDIRECT, SLOT_B, row->attach);

	inject(0, row->len, &row->shape);

	assert_int_equal(fx.prog->runs, 1);
	assert_a_consumed(row->len);
	assert_int_equal(skb_queue_len(&b_psock()->ingress_skb), 1);
	assert_true(delayed_work_pending(&b_psock()->work));
	assert_int_equal(refcount_read(&fx.a->sk_refcnt), SOCK_REFS_WITH_PSOCK + 1);
	assert_int_equal(tcp_inq(fx.b2), 0);

	assert_int_equal(sim_run_work(), 1);

	assert_int_equal(tcp_sk(fx.b)->snd_nxt, row->len);
	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), row->pieces);
	assert_int_equal(tcp_inq(fx.b2), row->len);
	assert_int_equal(refcount_read(&fx.a->sk_refcnt), SOCK_REFS_WITH_PSOCK);
	assert_b_idle();
	recv_expect(fx.b2, 0, row->len, row->len + 1, MSG_DONTWAIT);
	assert_b2_drained();
	assert_int_equal(sim_live(SIM_SKB), 0);
	assert_int_equal(sim_work_pending(), 0);
}

/* ---- what is shared, what is copied ------------------------------------ */

/* An skb of a 500-byte slab head and two 4096-byte page frags: B copies
 * the head into its page frag (a kvec sendmsg; slab memory is never
 * referenced), and B2's next two skbs reference the very frag pages that
 * arrived on A (MSG_SPLICE_PAGES). Once the source skb is freed, B2's
 * skbs hold the only references on those pages. */
static void test_tcp_bpf_rxtx_head_copied_frags_shared(void **state)
{
	struct sim_skb_shape shape = { .headlen = 500, .frag_size = 4096 };
	struct page *src[2];
	struct sk_buff *skb;
	int i = 0;

	(void)state;
	rxtx_setup(SIM_REDIRECT, SLOT_B);
	inject(0, 500 + 8192, &shape);
	skb = skb_peek(&b_psock()->ingress_skb);
	assert_true(PageSlab(virt_to_head_page(skb->head)));
	assert_int_equal(skb_shinfo(skb)->nr_frags, 2);
	for (i = 0; i < 2; i++)
		src[i] = skb_frag_page(&skb_shinfo(skb)->frags[i]);

	assert_int_equal(sim_run_work(), 1);

	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 3);
	i = 0;
	skb_queue_walk(&fx.b2->sk_receive_queue, skb) {
		struct page *page = skb_frag_page(&skb_shinfo(skb)->frags[0]);

		assert_int_equal(skb_shinfo(skb)->nr_frags, 1);
		if (i == 0) {	/* the head: copied into B's page frag */
			assert_int_equal(skb->len, 500);
			assert_ptr_equal(page, current->task_frag.page);
			assert_false(PageSlab(page));
		} else {	/* a frag: the page that arrived on A */
			assert_int_equal(skb->len, 4096);
			assert_ptr_equal(page, src[i - 1]);
			assert_int_equal(page_count(page), 1);
		}
		i++;
	}
	recv_expect(fx.b2, 0, 500 + 8192, 16384, MSG_DONTWAIT);
	assert_b2_drained();
	assert_int_equal(sim_live(SIM_PAGE), 1);	/* the task frag */
}

/* ---- the backlog ------------------------------------------------------- */

/* Until B's backlog runs, B2 has nothing and was not woken; sim_run_work()
 * runs it once and B2 gets both skbs, in order, with one wake-up each. */
static void test_tcp_bpf_rxtx_backlog_not_run_nothing_at_peer(void **state)
{
	unsigned long ready;
	int inq = -1;

	(void)state;
	rxtx_setup(SIM_REDIRECT, SLOT_B);
	ready = fx.b2->sim_data_ready;
	inject_linear(0, 300);
	inject_linear(300, 200);

	assert_int_equal(skb_queue_len(&b_psock()->ingress_skb), 2);
	assert_int_equal(sim_fionread(fx.b2, &inq), 0);
	assert_int_equal(inq, 0);
	assert_int_equal(fx.b2->sim_data_ready, ready);
	assert_int_equal(tcp_sk(fx.b)->snd_nxt, 0);

	assert_int_equal(sim_run_work(), 1);

	assert_int_equal(sim_fionread(fx.b2, &inq), 0);
	assert_int_equal(inq, 500);
	assert_int_equal(fx.b2->sim_data_ready - ready, 2);
	assert_b_idle();
	recv_expect(fx.b2, 0, 500, 1000, MSG_DONTWAIT);
	assert_b2_drained();
}

/*
 * B not writeable (sock_writeable: sk_wmem_alloc below sk_sndbuf / 2):
 * here as if sk_sndbuf / 2 bytes of B's skbs were still in flight.
 * sk_psock_handle_skb() returns -EAGAIN before sending anything; the
 * backlog records where it stopped (work_state: the whole first skb, off
 * 0), restores the skb's redirect, and reschedules itself one jiffy later.
 * The work is not due before that jiffy; once B is writeable again and the
 * jiffy has passed, the next run sends both skbs in order.
 */
static void test_tcp_bpf_rxtx_backlog_eagain_retries(void **state)
{
	struct sk_psock *psock;
	int in_flight;

	(void)state;
	rxtx_setup(SIM_REDIRECT, SLOT_B);
	psock = b_psock();
	in_flight = fx.b->sk_sndbuf >> 1;
	refcount_add(in_flight, &fx.b->sk_wmem_alloc);
	assert_false(sock_writeable(fx.b));
	inject_linear(0, 1000);
	inject_linear(1000, 500);

	assert_int_equal(sim_run_work(), 1);

	assert_int_equal(tcp_sk(fx.b)->snd_nxt, 0);
	assert_int_equal(tcp_inq(fx.b2), 0);
	assert_int_equal(skb_queue_len(&psock->ingress_skb), 2);
	assert_int_equal(psock->work_state.len, 1000);
	assert_int_equal(psock->work_state.off, 0);
	assert_ptr_equal(skb_bpf_redirect_fetch(skb_peek(&psock->ingress_skb)), fx.b);
	assert_true(delayed_work_pending(&psock->work));
	assert_int_equal(sim_run_work(), 0);		/* due in one jiffy */
	assert_false(refcount_sub_and_test(in_flight, &fx.b->sk_wmem_alloc));
	assert_int_equal(sim_run_work(), 0);
	sim_advance_jiffies(1);
	assert_int_equal(sim_run_work(), 1);

	assert_int_equal(tcp_inq(fx.b2), 1500);
	assert_b_idle();
	recv_expect(fx.b2, 0, 1500, 2000, MSG_DONTWAIT);
	assert_b2_drained();
	assert_int_equal(sim_live(SIM_SKB), 0);
}

/* ---- a partial send, resumed: parameter rows ---------------------------- */

struct resume_row {
	const char *name;
	size_t len;
	struct sim_skb_shape shape;
	size_t taken_first;	/* bytes B2 took before its window shut */
	size_t sent_first;	/* bytes B sent before its send buffer filled */
};

/*
 * B's SO_SNDBUF 1 (SOCK_MIN_SNDBUF) and B2's SO_RCVBUF 1 (SOCK_MIN_RCVBUF):
 * B2 takes segments while its sk_rmem_alloc is within sk_rcvbuf, then
 * its window shuts; the next segment waits on B2's wire, charged to B,
 * and once B's sk_wmem_queued reaches sk_sndbuf, tcp_sendmsg_locked()
 * (MSG_DONTWAIT from skb_send_sock()) returns -EAGAIN.
 *   head_and_frags: B2 takes the head (500) and frag 0 (4096); frag 1
 *     waits on the wire; frag 2 finds B's send buffer full.
 *   fraglist: B2 takes the head (100) and frag_list skb 0 (4000); skb 1
 *     waits; skb 2 finds the buffer full: off points into the frag_list.
 */
static const struct resume_row resume_rows[] = {
	{ "test_tcp_bpf_rxtx_partial_send_resumes_head_and_frags", 500 + 3 * 4096,
	  { .headlen = 500, .frag_size = 4096 }, 500 + 4096, 500 + 2 * 4096 },
	{ "test_tcp_bpf_rxtx_partial_send_resumes_fraglist", 100 + 3 * 4000,
	  { .headlen = 100, .head_frag = true, .fraglist = 3 }, 100 + 4000, 100 + 2 * 4000 },
};

/*
 * B's send buffer fills in the middle of an skb (RX->TX to a slow
 * reader). skb_send_sock() returns what B took; the backlog advances off
 * and calls it again: -EAGAIN, nothing sent: work_state keeps (len, off)
 * and the work is rescheduled one jiffy later (sk_psock_backlog()). B2
 * reads: its window update lets the waiting segment in and acks it, B's
 * retransmit queue drains (tcp_clean_rtx_queue()), tcp_check_space() ->
 * sk_psock_write_space() schedules the work, which resumes at off. Three
 * reads of B2 get every byte once, in order; B ends with nothing charged.
 */
static void test_tcp_bpf_rxtx_partial_send_resumes(void **state)
{
	const struct resume_row *row = *state;
	static unsigned char buf[1 << 15];
	struct sk_psock *psock;
	size_t got = 0;
	int rounds = 0, ret;

	rxtx_setup(SIM_REDIRECT, SLOT_B);
	psock = b_psock();
	sim_set_sndbuf(fx.b, 1);
	sim_set_rcvbuf(fx.b2, 1);
	assert_int_equal(fx.b->sk_sndbuf, SOCK_MIN_SNDBUF);
	assert_int_equal(fx.b2->sk_rcvbuf, SOCK_MIN_RCVBUF);
	inject(0, row->len, &row->shape);

	assert_int_equal(sim_run_work(), 1);

	assert_int_equal(tcp_inq(fx.b2), row->taken_first);
	assert_int_equal(sim_outq(fx.b), row->sent_first - row->taken_first);
	assert_true(fx.b->sk_wmem_queued >= fx.b->sk_sndbuf);
	assert_false(sk_stream_memory_free(fx.b));
	assert_int_equal(psock->work_state.off, row->sent_first);
	assert_int_equal(psock->work_state.len, row->len - row->sent_first);
	assert_true(delayed_work_pending(&psock->work));

	while (got < row->len) {
		ret = sim_recv(fx.b2, buf + got, sizeof(buf) - got, MSG_DONTWAIT);
		assert_true(ret > 0);
		got += ret;
		sim_advance_jiffies(1);
		sim_run_work();
		assert_true(++rounds <= 3);
	}
	assert_int_equal(rounds, 3);
	assert_int_equal(got, row->len);
	assert_pattern(buf, 0, 0, row->len);
	assert_int_equal(sim_outq(fx.b), 0);
	assert_b_idle();
	assert_b2_drained();
}

/* ---- verdicts -------------------------------------------------------------- */

/* selftest: sockmap_basic "sockmap skb_verdict fionread on drop" */
/* A drop verdict: sk_psock_verdict_apply() eats the bytes for A
 * (tcp_eat_skb: copied_seq advances, so A's FIONREAD is 0) and frees the
 * skb at once, counted in A's sk_drops; no work is scheduled, B2 gets
 * nothing. */
static void test_tcp_bpf_rxtx_drop_verdict(void **state)
{
	int inq = -1;

	(void)state;
	rxtx_setup(SIM_DROP, SLOT_B);

	inject_linear(0, 1000);

	assert_int_equal(fx.prog->runs, 1);
	assert_a_consumed(1000);
	assert_int_equal(atomic_read(&fx.a->sk_drops), 1);
	assert_int_equal(sim_fionread(fx.a, &inq), 0);
	assert_int_equal(inq, 0);
	assert_int_equal(sim_live(SIM_SKB), 0);
	assert_int_equal(refcount_read(&fx.a->sk_refcnt), SOCK_REFS_WITH_PSOCK);
	assert_int_equal(sim_work_pending(), 0);
	assert_int_equal(tcp_sk(fx.b)->snd_nxt, 0);
	assert_b_idle();
	assert_b2_drained();
}

/* The verdict redirects to slot 2, which is empty: bpf_sk_redirect_map
 * returns SK_DROP: the same as a drop verdict. */
static void test_tcp_bpf_rxtx_redirect_to_empty_slot_drops(void **state)
{
	(void)state;
	rxtx_setup(SIM_REDIRECT, SLOT_EMPTY);

	inject_linear(0, 1000);

	assert_a_consumed(1000);
	assert_int_equal(atomic_read(&fx.a->sk_drops), 1);
	assert_int_equal(sim_live(SIM_SKB), 0);
	assert_int_equal(sim_work_pending(), 0);
	assert_b_idle();
	assert_b2_drained();
}

/* ---- teardown races ----------------------------------------------------- */

/* B closed with two skbs still on its ingress_skb: sock_map_close() stops
 * the psock (SK_PSOCK_TX_ENABLED cleared), so the pending backlog run
 * returns at once; sk_psock_destroy() after the grace period drops both
 * skbs (__sk_psock_zap_ingress), which releases their references on A.
 * Nothing reaches B2 but B's FIN; the bytes stay consumed on A's side. */
static void test_tcp_bpf_rxtx_close_b_with_skbs_in_ingress_skb(void **state)
{
	char buf[16];

	(void)state;
	rxtx_setup(SIM_REDIRECT, SLOT_B);
	inject_linear(0, 100);
	inject_linear(100, 200);
	assert_int_equal(skb_queue_len(&b_psock()->ingress_skb), 2);
	assert_int_equal(refcount_read(&fx.a->sk_refcnt), SOCK_REFS_WITH_PSOCK + 2);

	sim_close(fx.b);
	sim_quiesce();

	fx.b = NULL;
	assert_null(sim_map_lookup(fx.map, SLOT_B));
	assert_int_equal(sim_live(SIM_SOCK), 3);	/* A, A2, B2 */
	assert_int_equal(sim_live(SIM_PSOCK), 1);	/* A's */
	assert_int_equal(sim_live(SIM_SKB), 1);		/* B's FIN at B2 */
	assert_int_equal(refcount_read(&fx.a->sk_refcnt), SOCK_REFS_WITH_PSOCK);
	assert_a_consumed(300);
	assert_int_equal(rmem(fx.b2), FIN_TRUESIZE);
	assert_int_equal(sim_recv(fx.b2, buf, sizeof(buf), MSG_DONTWAIT), 0);	/* EOF */
	assert_b2_drained();
	assert_int_equal(sim_live(SIM_SKB), 0);
}

/*
 * A closed while B's backlog still holds A's skb (B not writeable, so the
 * backlog keeps retrying). A's psock is destroyed, but A's struct sock
 * lives on: the skb's destructor is sock_efree, and its reference is the
 * last one. When B becomes writeable the backlog sends the data (a closed
 * socket's bytes still reach B2), kfree_skb runs sock_efree, and A is
 * freed, with its accounting already at zero (skb_orphan at read time).
 */
static void test_tcp_bpf_rxtx_close_a_backlog_holds_its_skb(void **state)
{
	int in_flight;

	(void)state;
	rxtx_setup(SIM_REDIRECT, SLOT_B);
	in_flight = fx.b->sk_sndbuf >> 1;
	refcount_add(in_flight, &fx.b->sk_wmem_alloc);
	inject_linear(0, 1000);
	assert_int_equal(sim_run_work(), 1);		/* -EAGAIN, retry later */

	sim_close(fx.a);
	sim_quiesce();		/* the backlog still retries: a state, not an error */

	assert_int_equal(sim_live(SIM_PSOCK), 1);	/* B's */
	assert_int_equal(sim_live(SIM_SOCK), 4);	/* A still there */
	assert_true(sock_flag(fx.a, SOCK_DEAD));
	assert_int_equal(refcount_read(&fx.a->sk_refcnt), 1);	/* the skb's */
	assert_ptr_equal(skb_peek(&b_psock()->ingress_skb)->sk, fx.a);
	assert_true(delayed_work_pending(&b_psock()->work));
	assert_int_equal(tcp_inq(fx.b2), 0);

	assert_false(refcount_sub_and_test(in_flight, &fx.b->sk_wmem_alloc));
	sim_advance_jiffies(1);
	assert_int_equal(sim_run_work(), 1);

	assert_int_equal(sim_live(SIM_SOCK), 3);	/* A freed by sock_efree */
	fx.a = NULL;
	assert_b_idle();
	recv_expect(fx.b2, 0, 1000, 2000, MSG_DONTWAIT);
	assert_b2_drained();
}

/*
 * B removed from the map between the verdict and the backlog run: the map
 * held the psock's only reference, so sk_psock_drop() restores tcp_prot,
 * clears sk_user_data and stops the psock at once. The backlog run that
 * was already scheduled finds SK_PSOCK_TX_ENABLED clear and returns
 * without sending; sk_psock_destroy() after the grace period drops the
 * skb (counted in B's sk_drops) and A gets its reference back. B stays a
 * working plain TCP socket: what it sends itself reaches B2 alone.
 */
static void test_tcp_bpf_rxtx_map_delete_b_before_backlog(void **state)
{
	unsigned char buf[200];

	(void)state;
	rxtx_setup(SIM_REDIRECT, SLOT_B);
	inject_linear(0, 500);

	assert_int_equal(sim_map_delete(fx.map, SLOT_B), 0);

	assert_null(sk_psock(fx.b));
	assert_ptr_equal(fx.b->sk_prot, &tcp_prot);
	assert_int_equal(sim_run_work(), 1);		/* the backlog: no-op */
	assert_int_equal(tcp_sk(fx.b)->snd_nxt, 0);
	assert_int_equal(sim_live(SIM_SKB), 1);		/* until the grace period */
	sim_quiesce();
	assert_int_equal(sim_live(SIM_SKB), 0);
	assert_int_equal(sim_live(SIM_PSOCK), 1);	/* A's */
	assert_int_equal(atomic_read(&fx.b->sk_drops), 1);
	assert_int_equal(refcount_read(&fx.a->sk_refcnt), SOCK_REFS_WITH_PSOCK);
	assert_a_consumed(500);
	assert_int_equal(tcp_inq(fx.b2), 0);

	assert_int_equal(sim_send_pattern(fx.b, 1, 0, 100, 0), 100);
	assert_int_equal(sim_recv(fx.b2, buf, sizeof(buf), MSG_DONTWAIT), 100);
	assert_pattern(buf, 1, 0, 100);	/* stream 1: B's own bytes only */
	assert_b2_drained();
}

/* B2, a plain TCP socket, splices what B's backlog sent, in 700-byte
 * chunks: tcp_splice_read() shares the frag pages skb_send_sock() passed
 * on by reference and copies the rest. */
static void test_tcp_bpf_rxtx_peer_splices_chunked(void **state)
{
	struct sim_skb_shape shape = { .headlen = 100, .frag_size = 4096 };
	struct pipe_inode_info *pipe;
	unsigned char buf[700];

	(void)state;
	rxtx_setup(SIM_REDIRECT, SLOT_B);
	inject(0, 8292, &shape);
	sim_run_work();
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b2, true);
	for (size_t off = 0; off < 8292; off += 700) {
		size_t n = min((size_t)700, 8292 - off);

		assert_int_equal(sim_splice_read(fx.b2, pipe, n, SPLICE_F_NONBLOCK), n);
		assert_int_equal(sim_pipe_read(pipe, buf, sizeof(buf)), n);
		assert_pattern(buf, 0, off, n);
	}
	assert_int_equal(rmem(fx.b2), 0);
	assert_int_equal(tcp_inq(fx.b2), 0);
}

static const struct CMUnitTest fixed_tests[] = {
	SIM_TEST(test_tcp_bpf_rxtx_head_copied_frags_shared),
	SIM_TEST(test_tcp_bpf_rxtx_backlog_not_run_nothing_at_peer),
	SIM_TEST(test_tcp_bpf_rxtx_backlog_eagain_retries),
	SIM_TEST(test_tcp_bpf_rxtx_drop_verdict),
	SIM_TEST(test_tcp_bpf_rxtx_redirect_to_empty_slot_drops),
	SIM_TEST(test_tcp_bpf_rxtx_close_b_with_skbs_in_ingress_skb),
	SIM_TEST(test_tcp_bpf_rxtx_close_a_backlog_holds_its_skb),
	SIM_TEST(test_tcp_bpf_rxtx_map_delete_b_before_backlog),
	SIM_TEST(test_tcp_bpf_rxtx_peer_splices_chunked),
};

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(shape_rows) + ARRAY_SIZE(resume_rows) +
			       ARRAY_SIZE(fixed_tests)];
	size_t n = 0;

	/* One named test per parameter row (KUNIT_ARRAY_PARAM style). */
	for (size_t i = 0; i < ARRAY_SIZE(shape_rows); i++) {
		tests[n] = (struct CMUnitTest)SIM_TEST(test_tcp_bpf_rxtx_delivered);
		tests[n].name = shape_rows[i].name;
		tests[n++].initial_state = (void *)&shape_rows[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(resume_rows); i++) {
		tests[n] = (struct CMUnitTest)SIM_TEST(test_tcp_bpf_rxtx_partial_send_resumes);
		tests[n].name = resume_rows[i].name;
		tests[n++].initial_state = (void *)&resume_rows[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	return sim_run_group_invariants("tcp_bpf_rxtx", tests, n);
}
