// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_txtx: the TX->TX path. A sends through tcp_bpf_sendmsg(); its
 * sk_msg verdict redirects to B's egress (flags 0): tcp_bpf_send_verdict
 * -> tcp_bpf_sendmsg_redir(!ingress) -> tcp_bpf_push -> tcp_sendmsg_locked
 * on B, which hands the sk_msg's pages to B's skbs (MSG_SPLICE_PAGES). B's
 * skbs cross the loopback wire to B2, a plain TCP socket outside the map,
 * which reads them with tcp_recvmsg (or splices them, tcp_splice_read).
 *
 *   A (slot 0) --sendmsg--> [msg verdict: redirect slot 1, flags 0]
 *                                      |
 *   B (slot 1) --tcp_bpf_push--> wire --> B2 --recvmsg--> user
 *
 *   A2: A's peer (nothing reaches it); slot 2 stays empty.
 *
 * Accounting: A's sk_msg is charged to A's sk_forward_alloc while A holds
 * it (sk_msg_alloc; sk_wmem_queued is never touched), uncharged once B has
 * sent it (tcp_bpf_send_verdict: sk_mem_uncharge(sk, sent)). B's
 * tcp_sendmsg_locked charges and, the sim's wire acking at once, releases
 * B's send memory. B2 holds each skb's truesize in sk_rmem_alloc until the
 * skb is read to its end. In the sim each tcp_sendmsg_locked() call becomes
 * one skb, so B2's queue shows how many tcp_bpf_push rounds B made.
 *
 * Pages: the sk_msg's data lives in current->task_frag (order-3, 32 KiB):
 * the frag holds one reference, each sg element one more until
 * tcp_bpf_push sent it, each of B's skbs one more until B2 has read it.
 * A's bytes are copied once into the sk_msg page on send and once out on
 * B2's read(); in between only page references move.
 */
#include "sim_test.h"
#include <sim/pipe.h>
#include <sim/series.h>

/* psock->eval after a drop without apply_bytes: 6.12.117 leaves it
 * __SK_DROP (the drop sticks), fixes/0007 resets it. */
#define DROP_EVAL_AFTER	(SIM_LEVEL_AT_LEAST(FIXES) ? __SK_NONE : __SK_DROP)

#define SLOT_A		0
#define SLOT_B		1
#define SLOT_EMPTY	2

struct txtx {
	struct sock *a, *a2, *b, *b2;
	struct bpf_map *map;
	struct bpf_prog *prog;
	struct sim_verdict v;
};

static struct txtx fx;

/* (A, A2) and (B, B2) loopback pairs; A and B in the map; the sk_msg
 * verdict does @action towards slot @key of the map, egress. */
static void txtx_setup(enum sim_action action, u32 key, u32 apply, u32 cork)
{
	memset(&fx, 0, sizeof(fx));
	sim_tcp_pair(&fx.a, &fx.a2, "A", "A2");
	sim_tcp_pair(&fx.b, &fx.b2, "B", "B2");
	fx.map = sim_sockmap_create(3);
	fx.v = (struct sim_verdict){ .action = action, .map = fx.map, .key = key,
				     .flags = 0, .apply_bytes = apply,
				     .cork_bytes = cork };
	fx.prog = sim_prog_msg_verdict(&fx.v);
	assert_int_equal(sim_prog_attach(fx.prog, fx.map, BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_A, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_B, fx.b, BPF_ANY), 0);
}

static int rmem(struct sock *sk)
{
	return atomic_read(&sk->sk_rmem_alloc);
}

/* A FIN arrives as an empty skb charged with its truesize until read. */
#define FIN_TRUESIZE	((int)sim_skb_alloc_truesize(0))

/* B2's receive memory for @skbs skbs carrying @bytes in page frags. */
static int b2_rmem(unsigned int skbs, size_t bytes)
{
	return (int)(skbs * sim_skb_alloc_truesize(0) + bytes);
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

/* A holds nothing: no charge, no cork, no redirect target, no open
 * apply_bytes window, and nothing went over A's own wire. (psock->eval is
 * checked by each test: a drop leaves it at __SK_DROP.) */
#define assert_a_idle()							\
	do {								\
		struct sk_psock *__p = sk_psock(fx.a);			\
									\
		assert_int_equal(fx.a->sk_forward_alloc, 0);		\
		assert_int_equal(fx.a->sk_wmem_queued, 0);		\
		assert_null(__p->cork);					\
		assert_null(__p->sk_redir);				\
		assert_int_equal(__p->apply_bytes, 0);			\
		assert_int_equal(tcp_sk(fx.a)->snd_nxt, 0);		\
		assert_int_equal(tcp_inq(fx.a2), 0);			\
	} while (0)

/* The verdict's decision is spent: the next send runs the program. */
#define assert_a_verdict_spent()					\
	assert_int_equal(sk_psock(fx.a)->eval, __SK_NONE)

/* B forwarded everything and keeps nothing. */
#define assert_b_idle()							\
	do {								\
		struct sk_psock *__p = sk_psock(fx.b);			\
									\
		assert_int_equal(fx.b->sk_forward_alloc, 0);		\
		assert_int_equal(fx.b->sk_wmem_queued, 0);		\
		assert_int_equal(rmem(fx.b), 0);			\
		assert_true(skb_queue_empty(&fx.b->sk_write_queue));	\
		assert_true(skb_queue_empty(&fx.b->sk_receive_queue));	\
		assert_true(list_empty(&__p->ingress_msg));		\
		assert_int_equal(__p->msg_tot_len, 0);			\
		assert_true(skb_queue_empty(&__p->ingress_skb));	\
	} while (0)

/* B2 has read everything: no receive memory left. */
#define assert_b2_drained()						\
	do {								\
		assert_int_equal(rmem(fx.b2), 0);			\
		assert_int_equal(fx.b2->sk_forward_alloc, 0);		\
		assert_int_equal(tcp_inq(fx.b2), 0);			\
	} while (0)

/* ---- whole message: one parameter row per size -------------------------- */

struct size_row {
	const char *name;
	size_t len;
	unsigned int elems;	/* sg elements of the sk_msg */
};

/*
 * The task frag is fresh at the start of a test: up to 32 KiB is one sg
 * element; 65536 bytes fill two 32 KiB frag pages, two elements.
 */
static const struct size_row size_rows[] = {
	{ "test_tcp_bpf_txtx_whole_msg_1", 1, 1 },
	{ "test_tcp_bpf_txtx_whole_msg_100", 100, 1 },
	{ "test_tcp_bpf_txtx_whole_msg_4096", 4096, 1 },
	{ "test_tcp_bpf_txtx_whole_msg_10000", 10000, 1 },
	{ "test_tcp_bpf_txtx_whole_msg_65536", 65536, 2 },
};

/* selftest: test_sockmap "txmsg test redirect" */
/* selftest: sockmap_listen "sockmap IPv4 test_msg_redir_to_connected" */
/* One message of row->len bytes goes A -> B's egress -> B2 in one verdict
 * run and one tcp_bpf_push round per sg element (tcp_rate_check_app_limited
 * counts the rounds twice: tcp_bpf_push() calls it, then
 * tcp_sendmsg_locked()); B2 reads it whole; A, B and B2 end with nothing
 * charged, and only the frag's own page reference is left. */
static void test_tcp_bpf_txtx_whole_msg(void **state)
{
	const struct size_row *row = *state;

	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, row->len, 0), row->len);

	assert_int_equal(fx.prog->runs, 1);
	assert_int_equal(tcp_sk(fx.b)->sim_app_limited, 2 * row->elems);
	assert_int_equal(tcp_sk(fx.b)->snd_nxt, row->len);
	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), row->elems);
	assert_int_equal(rmem(fx.b2), b2_rmem(row->elems, row->len));
	assert_int_equal(tcp_inq(fx.b2), row->len);
	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	assert_a_idle();
	assert_a_verdict_spent();
	assert_b_idle();

	recv_expect(fx.b2, 0, row->len, row->len + 1, MSG_DONTWAIT);

	assert_b2_drained();
	assert_int_equal(sim_live(SIM_SKB), 0);
	assert_int_equal(sim_live(SIM_PAGE), 1);
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* ---- reading at B2 ---------------------------------------------------- */

/* B's skb references A's sk_msg page: B2's data is the very page A's
 * bytes were copied into (MSG_SPLICE_PAGES in tcp_bpf_push), at the
 * element's offset; the sk_msg dropped its own reference once sent. */
static void test_tcp_bpf_txtx_peer_skb_references_msg_page(void **state)
{
	struct page *page;
	struct sk_buff *skb;
	skb_frag_t *frag;

	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	page = current->task_frag.page;

	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 300, 0), 300);

	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 2);
	skb = skb_peek_next(skb_peek(&fx.b2->sk_receive_queue),
			    &fx.b2->sk_receive_queue);
	assert_int_equal(skb_headlen(skb), 0);
	assert_int_equal(skb_shinfo(skb)->nr_frags, 1);
	frag = &skb_shinfo(skb)->frags[0];
	assert_ptr_equal(skb_frag_page(frag), page);
	assert_int_equal(skb_frag_off(frag), 100);
	assert_int_equal(skb_frag_size(frag), 300);
	assert_int_equal(page_count(page), 1 + 2);	/* frag + two skbs */
	recv_expect(fx.b2, 0, 400, 1000, MSG_DONTWAIT);
	assert_int_equal(page_count(page), 1);
	assert_b2_drained();
}

/* A 10000-byte message is one skb at B2; reading it 3000 bytes at a time
 * returns every byte in order; tcp_inq shrinks with each read, while the
 * skb's receive memory is released only when the last byte is read
 * (tcp_eat_recv_skb). */
static void test_tcp_bpf_txtx_partial_reads_at_peer(void **state)
{
	const int truesize = b2_rmem(1, 10000);
	size_t off = 0;

	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 10000, 0), 10000);
	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 1);

	while (off < 9000) {
		recv_expect(fx.b2, off, 3000, 3000, MSG_DONTWAIT);
		off += 3000;
		assert_int_equal(tcp_inq(fx.b2), 10000 - off);
		assert_int_equal(rmem(fx.b2), truesize);
	}
	recv_expect(fx.b2, 9000, 1000, 3000, MSG_DONTWAIT);

	assert_b2_drained();
	assert_int_equal(sim_recv(fx.b2, &off, 1, MSG_DONTWAIT), -EAGAIN);
	assert_a_idle();
	assert_b_idle();
}

/* MSG_PEEK at B2 copies across B's two skbs without consuming anything;
 * the read after it gets the same bytes. */
static void test_tcp_bpf_txtx_peek_at_peer_then_read(void **state)
{
	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 200, 0), 200);

	recv_expect(fx.b2, 0, 150, 150, MSG_PEEK | MSG_DONTWAIT);

	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 2);
	assert_int_equal(tcp_inq(fx.b2), 300);
	assert_int_equal(rmem(fx.b2), b2_rmem(2, 300));
	recv_expect(fx.b2, 0, 300, 300, MSG_DONTWAIT);
	assert_b2_drained();
}

/* Three sends, three verdict runs, three skbs at B2, one read. */
static void test_tcp_bpf_txtx_several_msgs_one_read(void **state)
{
	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 200, 0), 200);
	assert_int_equal(sim_send_pattern(fx.a, 0, 300, 300, 0), 300);

	assert_int_equal(fx.prog->runs, 3);
	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 3);
	assert_int_equal(rmem(fx.b2), b2_rmem(3, 600));
	recv_expect(fx.b2, 0, 600, 4096, MSG_DONTWAIT);
	assert_b2_drained();
	assert_a_idle();
	assert_a_verdict_spent();
	assert_b_idle();
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* FIONREAD at B2 (plain tcp_ioctl: tcp_inq) counts what B sent, then what
 * is left after a partial read. B itself, in the map, reports nothing
 * (tcp_bpf_ioctl: its ingress_msg and receive queue are empty). */
static void test_tcp_bpf_txtx_fionread_at_peer(void **state)
{
	int inq = -1;

	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 200, 0), 200);

	assert_int_equal(sim_fionread(fx.b2, &inq), 0);
	assert_int_equal(inq, 300);
	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, 0);

	recv_expect(fx.b2, 0, 150, 150, MSG_DONTWAIT);
	assert_int_equal(sim_fionread(fx.b2, &inq), 0);
	assert_int_equal(inq, 150);
	recv_expect(fx.b2, 150, 150, 150, MSG_DONTWAIT);
	assert_int_equal(sim_fionread(fx.b2, &inq), 0);
	assert_int_equal(inq, 0);
	assert_b2_drained();
}

/* B2 is a plain TCP socket: splice goes through tcp_splice_read() on
 * every series level. The pipe buffer takes a reference on the frag page
 * of B's skb, which is A's sk_msg page: from A's send to B2's pipe the
 * bytes were copied once. */
static void test_tcp_bpf_txtx_peer_splices(void **state)
{
	struct pipe_inode_info *pipe;
	unsigned char buf[1001];
	struct page *page;

	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);
	sim_set_nonblock(fx.b2, true);
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 1000, 0), 1000);
	page = current->task_frag.page;

	assert_int_equal(sim_splice_read(fx.b2, pipe, 1000, SPLICE_F_NONBLOCK), 1000);

	assert_int_equal(sim_pipe_nr_bufs(pipe), 1);
	assert_ptr_equal(sim_pipe_peek(pipe, 0)->page, page);
	assert_int_equal(sim_pipe_peek(pipe, 0)->offset, 0);
	assert_int_equal(sim_pipe_peek(pipe, 0)->len, 1000);
	assert_int_equal(page_count(page), 1 + 1);	/* frag + pipe */
	assert_b2_drained();
	assert_int_equal(sim_splice_read(fx.b2, pipe, 1000, SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(sim_pipe_read(pipe, buf, sizeof(buf)), 1000);
	assert_pattern(buf, 0, 0, 1000);
	assert_int_equal(page_count(page), 1);
	assert_int_equal(sim_live(SIM_PIPE_BUF), 0);
	sim_pipe_close(pipe);
}

/* ---- verdict options -------------------------------------------------- */

/* selftest: test_sockmap "txmsg test apply" */
/* apply_bytes 10 on a 100-byte send: after each 10 bytes psock->eval goes
 * back to __SK_NONE and the verdict runs again, redirecting again: ten
 * verdict runs, ten tcp_bpf_push calls of 10 bytes (MSG_MORE on all but
 * the last, which ends the element). MSG_MORE corks B: each partial
 * segment stays on B's write queue (tcp_push() -> TCP_NAGLE_CORK) and the
 * next 10 bytes are appended to it, the contiguous page range merged into
 * its one frag (skb_splice_from_iter()); the last push, without MSG_MORE,
 * sends it: one 100-byte skb at B2 holding one reference on the sk_msg
 * page. */
static void test_tcp_bpf_txtx_apply_bytes_verdict_per_chunk(void **state)
{
	struct sk_buff *skb;

	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 10, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);

	assert_int_equal(fx.prog->runs, 10);
	assert_int_equal(tcp_sk(fx.b)->sim_app_limited, 2 * 10);	/* push + sendmsg_locked */
	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 1);
	skb_queue_walk(&fx.b2->sk_receive_queue, skb) {
		assert_int_equal(skb->len, 100);
		assert_int_equal(skb_shinfo(skb)->nr_frags, 1);
		assert_ptr_equal(skb_frag_page(&skb_shinfo(skb)->frags[0]),
				 current->task_frag.page);
	}
	assert_int_equal(page_count(current->task_frag.page), 1 + 1);
	assert_a_idle();
	assert_a_verdict_spent();
	assert_b_idle();

	recv_expect(fx.b2, 0, 100, 1000, MSG_DONTWAIT);
	assert_b2_drained();
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* selftest: test_sockmap "txmsg test cork" */
/* cork_bytes 200: a 100-byte send is held in A's psock->cork (charged to
 * A, nothing on B's wire); the second 100-byte send reaches 200, the
 * verdict runs again and B pushes both as one 200-byte element. */
static void test_tcp_bpf_txtx_cork_bytes_delivers_when_reached(void **state)
{
	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 200);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_non_null(sk_psock(fx.a)->cork);
	assert_int_equal(sim_live(SIM_SK_MSG), 1);
	assert_int_equal(fx.a->sk_forward_alloc, PAGE_SIZE - 100);
	assert_int_equal(tcp_sk(fx.b)->snd_nxt, 0);
	assert_int_equal(tcp_inq(fx.b2), 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 100, 0), 100);

	assert_int_equal(fx.prog->runs, 2);
	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	assert_int_equal(tcp_sk(fx.b)->sim_app_limited, 2);	/* push + sendmsg_locked */
	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 1);
	assert_int_equal(rmem(fx.b2), b2_rmem(1, 200));
	assert_a_idle();
	assert_b_idle();
	recv_expect(fx.b2, 0, 200, 1000, MSG_DONTWAIT);
	assert_b2_drained();
}

/* selftest: test_sockmap "txmsg test drop" */
/* A drop verdict: send() fails with -EACCES, B sends nothing, A's pages
 * and charge are released. 6.12.117's tcp_bpf_send_verdict() returns from
 * the __SK_DROP case before the code that resets psock->eval, so eval
 * stays __SK_DROP; from level fixes (fixes/0007) it is reset (see
 * ..._drop_verdict_sticky). */
static void test_tcp_bpf_txtx_drop_verdict_eacces(void **state)
{
	(void)state;
	txtx_setup(SIM_DROP, SLOT_B, 0, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);

	assert_int_equal(fx.prog->runs, 1);
	assert_int_equal(sk_psock(fx.a)->eval, DROP_EVAL_AFTER);
	assert_int_equal(tcp_sk(fx.b)->snd_nxt, 0);
	assert_int_equal(skb_queue_len(&fx.b2->sk_receive_queue), 0);
	assert_b2_drained();
	assert_a_idle();
	assert_b_idle();
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/*
 * fixes/0007: a drop decision covers the send that made it. 6.12.117's
 * __SK_DROP case of tcp_bpf_send_verdict() returns -EACCES without
 * resetting psock->eval (only the success path does, when apply_bytes is
 * 0), and the verdict runs only while eval is __SK_NONE. So after one
 * drop, with no apply_bytes window, every later send on A is dropped
 * without running the program, even though it now says "redirect to B".
 * From level fixes the program runs again and B sends the 100 bytes.
 * test_sockmap "txmsg test drop" cannot tell: its program always drops.
 */
static void test_tcp_bpf_txtx_drop_verdict_sticky(void **state)
{
	(void)state;
	txtx_setup(SIM_DROP, SLOT_B, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);
	fx.v.action = SIM_REDIRECT;	/* the program changes its mind */

	if (SIM_LEVEL_AT_LEAST(FIXES)) {
		assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
		assert_int_equal(fx.prog->runs, 2);
		assert_int_equal(sk_psock(fx.a)->eval, __SK_NONE);
		assert_int_equal(tcp_sk(fx.b)->snd_nxt, 100);
		recv_expect(fx.b2, 0, 100, 1000, MSG_DONTWAIT);
		assert_b2_drained();
		assert_a_idle();
		assert_b_idle();
		assert_int_equal(page_count(current->task_frag.page), 1);
		return;
	}
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);

	assert_int_equal(fx.prog->runs, 1);
	assert_int_equal(sk_psock(fx.a)->eval, DROP_EVAL_AFTER);
	assert_int_equal(tcp_sk(fx.b)->snd_nxt, 0);
	assert_b2_drained();
	assert_a_idle();
	assert_b_idle();
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* The verdict redirects to slot 2, which is empty: bpf_msg_redirect_map
 * returns SK_DROP, so the send fails with -EACCES (and eval stays
 * __SK_DROP, as for a drop verdict). */
static void test_tcp_bpf_txtx_redirect_to_empty_slot_drops(void **state)
{
	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_EMPTY, 0, 0);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);

	assert_int_equal(sk_psock(fx.a)->eval, DROP_EVAL_AFTER);
	assert_int_equal(tcp_sk(fx.b)->snd_nxt, 0);
	assert_b2_drained();
	assert_a_idle();
	assert_b_idle();
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* ---- B goes away ------------------------------------------------------ */

/* B closed before A sends: sock_map_close() took B out of the map, so the
 * verdict finds slot 1 empty (SK_DROP) and A's send fails with -EACCES
 * before tcp_bpf_sendmsg_redir() is ever reached. Nothing leaks; B2 sees
 * B's FIN (EOF) and nothing else. */
static void test_tcp_bpf_txtx_b_closed_before_send_eacces(void **state)
{
	char buf[16];

	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);
	sim_close(fx.b);
	sim_quiesce();
	assert_null(sim_map_lookup(fx.map, SLOT_B));
	assert_int_equal(sim_live(SIM_SOCK), 3);	/* A, A2, B2 */

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);

	assert_int_equal(fx.prog->runs, 1);
	assert_int_equal(sk_psock(fx.a)->eval, DROP_EVAL_AFTER);
	assert_a_idle();
	assert_int_equal(page_count(current->task_frag.page), 1);
	assert_int_equal(rmem(fx.b2), FIN_TRUESIZE);
	assert_int_equal(sim_recv(fx.b2, buf, sizeof(buf), MSG_DONTWAIT), 0);	/* EOF */
	assert_b2_drained();
}

/*
 * B closed while A's apply_bytes window still points at it. apply_bytes 50
 * and a 30-byte send leave psock->eval = __SK_REDIRECT with 20 bytes to go
 * and psock->sk_redir holding a reference on B. B closes: out of the map,
 * psock gone, but its struct sock lives on through that reference. A's
 * next send skips the verdict (eval is not __SK_NONE) and calls
 * tcp_bpf_sendmsg_redir(B), which finds no psock: -EPIPE. The whole
 * 30-byte sk_msg is freed (sk_msg_free, not just the 20-byte window), so
 * send() returns -EPIPE, not a short count (the real kernel also raises
 * SIGPIPE without MSG_NOSIGNAL; the sim does not model signals). The
 * window was used up, so A drops both references and B is freed.
 */
static void test_tcp_bpf_txtx_b_closed_inside_apply_window_epipe(void **state)
{
	struct sk_psock *psock;
	char buf[64];

	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 50, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 30, 0), 30);
	psock = sk_psock(fx.a);
	assert_int_equal(psock->eval, __SK_REDIRECT);
	assert_int_equal(psock->apply_bytes, 20);
	assert_ptr_equal(psock->sk_redir, fx.b);
	sim_close(fx.b);
	sim_quiesce();
	assert_int_equal(sim_live(SIM_SOCK), 4);	/* B kept by psock->sk_redir */
	assert_int_equal(refcount_read(&fx.b->sk_refcnt), 1);
	assert_true(sock_flag(fx.b, SOCK_DEAD));
	assert_null(sk_psock(fx.b));

	assert_int_equal(sim_send_pattern(fx.a, 0, 30, 30, 0), -EPIPE);

	assert_int_equal(fx.prog->runs, 1);
	assert_int_equal(sim_live(SIM_SOCK), 3);	/* B freed */
	fx.b = NULL;
	assert_a_idle();
	assert_a_verdict_spent();
	recv_expect(fx.b2, 0, 30, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(sim_recv(fx.b2, buf, sizeof(buf), MSG_DONTWAIT), 0);	/* EOF */
	assert_b2_drained();
	assert_int_equal(page_count(current->task_frag.page), 1);
}

/* B shut down for writing stays in the map (a FIN_WAIT1 socket may be a
 * redirect target), so the verdict redirects, and tcp_bpf_push's
 * tcp_sendmsg_locked() on B fails with -EPIPE (SEND_SHUTDOWN): the sk_msg
 * is freed and A's send() returns -EPIPE. B2 got only B's FIN. */
static void test_tcp_bpf_txtx_b_shutdown_wr_epipe(void **state)
{
	char buf[16];

	(void)state;
	txtx_setup(SIM_REDIRECT, SLOT_B, 0, 0);
	assert_int_equal(sim_shutdown(fx.b, 1 /* SHUT_WR */), 0);
	assert_ptr_equal(sim_map_lookup(fx.map, SLOT_B), fx.b);

	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EPIPE);

	assert_int_equal(fx.prog->runs, 1);
	/* tcp_bpf_push(), then tcp_sendmsg_locked() before its SEND_SHUTDOWN check */
	assert_int_equal(tcp_sk(fx.b)->sim_app_limited, 2);
	assert_a_idle();
	assert_a_verdict_spent();
	assert_b_idle();
	assert_int_equal(page_count(current->task_frag.page), 1);
	assert_int_equal(sim_recv(fx.b2, buf, sizeof(buf), MSG_DONTWAIT), 0);	/* EOF */
	assert_b2_drained();
}

static const struct CMUnitTest fixed_tests[] = {
	SIM_TEST(test_tcp_bpf_txtx_peer_skb_references_msg_page),
	SIM_TEST(test_tcp_bpf_txtx_partial_reads_at_peer),
	SIM_TEST(test_tcp_bpf_txtx_peek_at_peer_then_read),
	SIM_TEST(test_tcp_bpf_txtx_several_msgs_one_read),
	SIM_TEST(test_tcp_bpf_txtx_fionread_at_peer),
	SIM_TEST(test_tcp_bpf_txtx_peer_splices),
	SIM_TEST(test_tcp_bpf_txtx_apply_bytes_verdict_per_chunk),
	SIM_TEST(test_tcp_bpf_txtx_cork_bytes_delivers_when_reached),
	SIM_TEST(test_tcp_bpf_txtx_drop_verdict_eacces),
	SIM_TEST(test_tcp_bpf_txtx_drop_verdict_sticky),
	SIM_TEST(test_tcp_bpf_txtx_redirect_to_empty_slot_drops),
	SIM_TEST(test_tcp_bpf_txtx_b_closed_before_send_eacces),
	SIM_TEST(test_tcp_bpf_txtx_b_closed_inside_apply_window_epipe),
	SIM_TEST(test_tcp_bpf_txtx_b_shutdown_wr_epipe),
};

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(size_rows) + ARRAY_SIZE(fixed_tests)];
	size_t n = 0;

	/* One named test per parameter row (KUNIT_ARRAY_PARAM style). */
	for (size_t i = 0; i < ARRAY_SIZE(size_rows); i++) {
		tests[n] = (struct CMUnitTest)SIM_TEST(test_tcp_bpf_txtx_whole_msg);
		tests[n].name = size_rows[i].name;
		tests[n++].initial_state = (void *)&size_rows[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	return sim_run_group_invariants("tcp_bpf_txtx", tests, n);
}
