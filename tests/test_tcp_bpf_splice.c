// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_splice: splice(2) from a sockmap socket into a pipe, on the TX->RX
 * path. A's sk_msg verdict redirects to B's ingress; B splices.
 *
 *   A --sendmsg--> verdict --> B ingress_msg --splice--> pipe --read--> user
 *
 * The expectations depend on the series level the kernel files carry
 * (sim/series.h): at pristine and fixes there is no tcp_bpf splice_read, so
 * splice() sees an empty sk_receive_queue and says -EAGAIN while the data
 * waits on ingress_msg (the bug); at copy each chunk is copied into a page
 * of its own; at full the sk_msg's own pages go to the pipe by reference.
 */
#include "sim_test.h"
#include <sim/pipe.h>
#include <sim/series.h>
#include <sim/experiments.h>

#define SERIES_SPLICE	(SIM_LEVEL_AT_LEAST(COPY))
#define SERIES_ZEROCOPY	(SIM_LEVEL_AT_LEAST(FULL))

static struct {
	struct sock *a, *b;
	struct bpf_map *map;
	struct sim_verdict v;
	struct pipe_inode_info *pipe;
} fx;

/* @skb_v: an sk_skb verdict for the map too (NULL: none). Programs are
 * attached before the sockets join the map, as the kernel requires. A
 * passing one keeps what arrives on B through sk_psock_skb_ingress_self():
 * KBUG_INGRESS_SELF_UNSCHEDULED (tests/test_tcp_bpf_rxrx.c). */
static void splice_setup_family(int family, unsigned int pipe_bufs,
				struct sim_verdict *skb_v)
{
	if (family == AF_INET6)
		sim_tcp6_pair(&fx.a, &fx.b, "A6", "B6");
	else
		sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map,
				     .key = 1, .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.map,
					 BPF_SK_MSG_VERDICT), 0);
	if (skb_v)
		assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(skb_v), fx.map,
						 BPF_SK_SKB_VERDICT), 0);
	if (skb_v && skb_v->action == SIM_PASS)
		sim_invariants_expect(SIM_INV_FWD_NONNEG, KBUG_INGRESS_SELF_UNSCHEDULED);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
	sim_set_nonblock(fx.b, true);
	fx.pipe = sim_pipe_create(pipe_bufs);
}

static void splice_setup_progs(unsigned int pipe_bufs, struct sim_verdict *skb_v)
{
	splice_setup_family(AF_INET, pipe_bufs, skb_v);
}

static void splice_setup(unsigned int pipe_bufs)
{
	splice_setup_progs(pipe_bufs, NULL);
}

static u32 queued(struct sock *sk)
{
	return sk_psock(sk)->msg_tot_len;
}

/* Read @len bytes from the pipe and check they are stream bytes [off, off+len). */
static void pipe_expect(size_t off, size_t len)
{
	unsigned char *buf = malloc(len + 1);

	assert_non_null(buf);
	assert_int_equal(sim_pipe_read(fx.pipe, buf, len + 1), len);
	assert_pattern(buf, 0, off, len);
	free(buf);
}

/* Without the series splice() cannot see ingress_msg: -EAGAIN, data intact. */
static void expect_unpatched_eagain(size_t len)
{
	unsigned char *buf = malloc(len);

	assert_int_equal(sim_splice_read(fx.b, fx.pipe, len, SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 0);
	assert_int_equal(queued(fx.b), len);
	assert_int_equal(sim_recv(fx.b, buf, len, 0), len);	/* recv() sees it */
	assert_pattern(buf, 0, 0, len);
	free(buf);
}

/* A sends @len bytes; B splices them all into the pipe. Returns false
 * when the kernel files predate the series: the pristine behaviour was
 * checked instead and the test is over. */
static bool send_then_splice(size_t len)
{
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, len, 0), len);
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(len);
		return false;
	}
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, len, SPLICE_F_NONBLOCK), len);
	return true;
}

/* seed: "splice(2) cannot read from it ... TCPConn.WriteTo returns 0 bytes" */
static void test_tcp_bpf_splice_whole_msg(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	if (!send_then_splice(1000))
		return;
	assert_int_equal(queued(fx.b), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
	pipe_expect(0, 1000);
}

/* splice/0005 (level full): the pipe buffer is the sk_msg's own page, one reference more. */
static void test_tcp_bpf_splice_zero_copy_shares_msg_page(void **state)
{
	struct sk_msg *msg;
	struct page *page;
	u32 offset;
	int refs;

	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 300, 0), 300);
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(300);
		return;
	}
	msg = list_first_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	page = sg_page(&msg->sg.data[msg->sg.start]);
	offset = msg->sg.data[msg->sg.start].offset;
	refs = page_count(page);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 300, SPLICE_F_NONBLOCK), 300);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 1);
	if (SERIES_ZEROCOPY) {
		/* the pipe took a reference; the consumed sk_msg dropped its own */
		assert_ptr_equal(sim_pipe_peek(fx.pipe, 0)->page, page);
		assert_int_equal(sim_pipe_peek(fx.pipe, 0)->offset, offset);
		assert_ptr_equal(sim_pipe_peek(fx.pipe, 0)->ops, &nosteal_pipe_buf_ops);
		assert_int_equal(page_count(page), refs);
	} else {
		/* always-copy: a page of its own, never the sk_msg's */
		assert_ptr_not_equal(sim_pipe_peek(fx.pipe, 0)->page, page);
		assert_int_equal(page_count(sim_pipe_peek(fx.pipe, 0)->page), 1);
		assert_ptr_equal(sim_pipe_peek(fx.pipe, 0)->ops, &default_pipe_buf_ops);
		assert_int_equal(page_count(page), refs - 1);
	}
	pipe_expect(0, 300);
}

struct chunk_row {
	const char *name;
	size_t chunk;
};

static const struct chunk_row chunk_rows[] = {
	{ "test_tcp_bpf_splice_chunked_1", 1 },
	{ "test_tcp_bpf_splice_chunked_7", 7 },
	{ "test_tcp_bpf_splice_chunked_1000", 1000 },
	{ "test_tcp_bpf_splice_chunked_4095", 4095 },
	{ "test_tcp_bpf_splice_chunked_4096", 4096 },
	{ "test_tcp_bpf_splice_chunked_4097", 4097 },
	{ "test_tcp_bpf_splice_chunked_8192", 8192 },
};

/* Splice a 12000-byte message in chunks of @chunk, draining the pipe after
 * each call; every byte arrives once, in order. */
static void test_tcp_bpf_splice_chunked(void **state)
{
	const struct chunk_row *row = *state;
	const size_t total = 12000;
	size_t off = 0;

	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, total, 0), total);
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(total);
		return;
	}
	while (off < total) {
		size_t want = min(row->chunk, total - off);
		ssize_t n = sim_splice_read(fx.b, fx.pipe, want, SPLICE_F_NONBLOCK);

		assert_true(n > 0 && (size_t)n <= want);
		pipe_expect(off, n);
		off += n;
		assert_int_equal(queued(fx.b), total - off);
	}
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 1, SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* 20 messages of 100 bytes into a 16-buffer pipe: it fills, the rest waits
 * on ingress_msg, the pipe drains and splicing continues. */
static void test_tcp_bpf_splice_pipe_full_then_drain(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	for (int i = 0; i < 20; i++)
		assert_int_equal(sim_send_pattern(fx.a, 0, i * 100, 100, 0), 100);
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(2000);
		return;
	}
	if (SIM_EXP_SPLICE_COPYBREAK) {
		/* experiments/0001: each 100-byte chunk is copied onto the
		 * end of one page-fragment buffer; the pipe never fills */
		assert_int_equal(sim_splice_read(fx.b, fx.pipe, 2000, SPLICE_F_NONBLOCK), 2000);
		assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 1);
		pipe_expect(0, 2000);
		assert_int_equal(queued(fx.b), 0);
		return;
	}
	/* one buffer per message: 16 fit */
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 2000, SPLICE_F_NONBLOCK), 1600);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 16);
	assert_int_equal(queued(fx.b), 400);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 2000, SPLICE_F_NONBLOCK), -EAGAIN);
	pipe_expect(0, 1600);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 2000, SPLICE_F_NONBLOCK), 400);
	pipe_expect(1600, 400);
	assert_int_equal(queued(fx.b), 0);
}

/* SPLICE_F_NONBLOCK is about the pipe; an O_NONBLOCK socket with nothing
 * queued says -EAGAIN at once. */
static void test_tcp_bpf_splice_nonblock_empty_eagain(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 0);
}

/* A blocking socket waits for SO_RCVTIMEO even with SPLICE_F_NONBLOCK,
 * then says -EAGAIN (as on the real kernel, patched or not). */
static void test_tcp_bpf_splice_blocking_waits_rcvtimeo(void **state)
{
	unsigned long before;

	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b, false);
	sim_set_rcvtimeo(fx.b, 50);
	before = sim_jiffies;
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), -EAGAIN);
	assert_true(sim_jiffies - before >= 50);
}

/* recv() and splice() take turns on one socket: bytes stay in order. */
static void test_tcp_bpf_splice_interleaved_with_recv(void **state)
{
	unsigned char buf[300];

	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 900, 0), 900);
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(900);
		return;
	}
	assert_int_equal(sim_recv(fx.b, buf, 300, 0), 300);
	assert_pattern(buf, 0, 0, 300);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 300, SPLICE_F_NONBLOCK), 300);
	pipe_expect(300, 300);
	assert_int_equal(sim_recv(fx.b, buf, 300, 0), 300);
	assert_pattern(buf, 0, 600, 300);
	assert_int_equal(queued(fx.b), 0);
}

/* B, then A, are closed while the spliced pages sit in the pipe: the pipe
 * still reads them, and they are freed once, by the pipe. */
static void test_tcp_bpf_splice_close_socks_pages_in_pipe(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	if (!send_then_splice(5000))
		return;
	sim_close(fx.b);
	sim_close(fx.a);
	sim_map_close(fx.map);
	sim_quiesce();		/* psocks destroyed, socks freed */
	assert_int_equal(sim_live(SIM_PSOCK), 0);
	assert_int_equal(sim_live(SIM_SOCK), 0);
	pipe_expect(0, 5000);
	assert_int_equal(sim_live(SIM_PIPE_BUF), 0);
}

/* B leaves the map (psock torn down) with pages in the pipe. */
static void test_tcp_bpf_splice_map_delete_pages_in_pipe(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	if (!send_then_splice(3000))
		return;
	assert_int_equal(sim_map_delete(fx.map, 1), 0);
	sim_quiesce();
	assert_null(sk_psock(fx.b));
	pipe_expect(0, 3000);
}

/* The pipe is closed unread: its buffers release their pages. */
static void test_tcp_bpf_splice_pipe_closed_unread(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	if (!send_then_splice(3000))
		return;
	assert_true(sim_live(SIM_PIPE_BUF) > 0);
	sim_pipe_close(fx.pipe);
	assert_int_equal(sim_live(SIM_PIPE_BUF), 0);
}

/* A shuts down its sending side: B's splice sees end of file (0), patched
 * or not (the FIN arrives on sk_receive_queue; tcp_splice_read reads it). */
static void test_tcp_bpf_splice_peer_shutdown_eof(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_shutdown(fx.a, 1 /* SHUT_WR */), 0);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), 0);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 0);
}

/* RX, SK_PASS to self: an skb with 100 bytes of slab head and 1000 bytes
 * in a page frag becomes an sk_msg on B's own ingress. Zero-copy splice
 * copies the head (slab memory must not be referenced) into a page frag
 * and hands the frag page itself to the pipe; always-copy never shares. */
static void test_tcp_bpf_splice_skb_head_copied_frag_shared(void **state)
{
	struct sim_verdict pass = { .action = SIM_PASS };
	struct sk_msg *msg;
	struct page *head_page, *frag_page;
	void *data = sim_pattern_buf(0, 0, 1100);	/* freed before any assert */

	(void)state;
	splice_setup_progs(PIPE_DEF_BUFFERS, &pass);
	assert_int_equal(sim_inject_skb(fx.b, data, 1100, 100, 1000), 0);
	free(data);
	assert_int_equal(queued(fx.b), 1100);
	msg = list_first_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	assert_non_null(msg->skb);
	head_page = sg_page(&msg->sg.data[0]);
	frag_page = sg_page(&msg->sg.data[1]);
	assert_true(PageSlab(head_page));
	assert_false(PageSlab(frag_page));
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(1100);
		return;
	}
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 1100, SPLICE_F_NONBLOCK), 1100);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 2);
	assert_ptr_not_equal(sim_pipe_peek(fx.pipe, 0)->page, head_page);
	assert_false(PageSlab(sim_pipe_peek(fx.pipe, 0)->page));
	if (SERIES_ZEROCOPY)
		assert_ptr_equal(sim_pipe_peek(fx.pipe, 1)->page, frag_page);
	else
		assert_ptr_not_equal(sim_pipe_peek(fx.pipe, 1)->page, frag_page);
	/* the skb is gone with its sk_msg; the frag page lives on in the pipe */
	assert_int_equal(queued(fx.b), 0);
	pipe_expect(0, 1100);
}

/* Allocation failure with nothing spliced yet: -ENOMEM, the data stays
 * queued, and the next splice moves it. Always-copy fails on its page for
 * the copy; zero-copy on the page fragment for the slab head's copy. */
static void test_tcp_bpf_splice_alloc_failure_enomem(void **state)
{
	struct sim_verdict pass = { .action = SIM_PASS };
	void *data = sim_pattern_buf(0, 0, 600);

	(void)state;
	splice_setup_progs(PIPE_DEF_BUFFERS, &pass);
	assert_int_equal(sim_inject_skb(fx.b, data, 600, 600, 1), 0);
	free(data);
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(600);
		return;
	}
	/* zero-copy: the order-3 frag page, then its order-0 fallback */
	sim_fail_alloc(SIM_PAGE, 0, SERIES_ZEROCOPY ? 2 : 1);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 600, SPLICE_F_NONBLOCK), -ENOMEM);
	assert_int_equal(queued(fx.b), 600);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 0);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 600, SPLICE_F_NONBLOCK), 600);
	pipe_expect(0, 600);
}

/* A GRO-style skb: its head and the heads of its frag_list skbs are page
 * fragments (not slab). Linear data is still never handed out by
 * reference: zero-copy copies all of it into the task's page fragment. */
static void test_tcp_bpf_splice_fraglist_heads_copied(void **state)
{
	struct sim_verdict pass = { .action = SIM_PASS };
	struct sim_skb_shape shape = { .headlen = 100, .head_frag = true,
				       .fraglist = 2 };
	void *data = sim_pattern_buf(0, 0, 2100);
	struct page *heads[3];
	struct sk_msg *msg;

	(void)state;
	splice_setup_progs(PIPE_DEF_BUFFERS, &pass);
	assert_int_equal(sim_inject(fx.b, data, 2100, &shape), 0);
	free(data);
	msg = list_first_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	assert_int_equal(sk_msg_elem_used(msg), 3);	/* head + 2 frag_list skbs */
	for (int e = 0; e < 3; e++)
		heads[e] = compound_head(sg_page(&msg->sg.data[e]));
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(2100);
		return;
	}
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 2100, SPLICE_F_NONBLOCK), 2100);
	for (unsigned int i = 0; i < sim_pipe_nr_bufs(fx.pipe); i++)
		for (int e = 0; e < 3; e++)
			assert_ptr_not_equal(compound_head(sim_pipe_peek(fx.pipe, i)->page),
					     heads[e]);
	pipe_expect(0, 2100);
}

/* splice_read called with an offset or for 0 bytes (in-kernel callers):
 * -ESPIPE and 0, as tcp_splice_read() answers. */
static void test_tcp_bpf_splice_offset_espipe_len_zero(void **state)
{
	struct socket *sock;
	loff_t pos = 1;

	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 10, 0), 10);
	sock = fx.b->sk_socket;
	assert_int_equal(sock->ops->splice_read(sock, &pos, fx.pipe, 10, 0), -ESPIPE);
	pos = 0;
	assert_int_equal(sock->ops->splice_read(sock, &pos, fx.pipe, 0, 0), 0);
	assert_int_equal(queued(fx.b), 10);
}

/* Another CPU drops the psock between inet_splice_read() reading sk_prot
 * and the call: the tcp_bpf splice_read finds no psock and falls back to
 * tcp_splice_read(). */
static void test_tcp_bpf_splice_psock_gone_falls_back(void **state)
{
	ssize_t (*splice_read)(struct socket *, loff_t *, struct pipe_inode_info *,
			       size_t, unsigned int);
	loff_t pos = 0;

	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	splice_read = fx.b->sk_prot->splice_read;
	assert_int_equal(sim_map_delete(fx.map, 1), 0);
	sim_quiesce();
	assert_null(sk_psock(fx.b));
	assert_int_equal(splice_read(fx.b->sk_socket, &pos, fx.pipe, 10, 0), -EAGAIN);
}

/* With a verdict program (tcp_bpf_splice_read_parser): the peer's FIN is a
 * zero-length sk_msg; splice says end of file, and again after. */
static void test_tcp_bpf_splice_parser_fin_eof(void **state)
{
	struct sim_verdict pass = { .action = SIM_PASS };

	(void)state;
	splice_setup_progs(PIPE_DEF_BUFFERS, &pass);
	assert_int_equal(sim_shutdown(fx.a, 1 /* SHUT_WR */), 0);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), 0);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), 0);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 0);
}

/* The peer resets (closes with unread data): splice reports ECONNRESET
 * once, then end of file (RCV_SHUTDOWN). */
static void test_tcp_bpf_splice_peer_reset(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_inject_skb(fx.a, "unread", 6, 6, 1), 0);
	sim_close(fx.a);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), -ECONNRESET);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), 0);
}

/* shutdown(B, SHUT_RD): nothing to wait for, end of file. */
static void test_tcp_bpf_splice_after_shut_rd_eof(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_shutdown(fx.b, 0 /* SHUT_RD */), 0);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), 0);
}

/* A blocking splice with a signal pending: -ERESTARTSYS, no sleep. */
static void test_tcp_bpf_splice_signal_pending(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b, false);
	current->sigpending = 1;
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), -ERESTARTSYS);
	current->sigpending = 0;
}

static void disconnect_b(void *arg)
{
	struct sock *b = arg;

	/* tcp_disconnect() on another CPU: bumps sk_disconnects, wakes */
	b->sk_disconnects++;
	sk_error_report(b);
	sim_set_sleep_hook(NULL, NULL);
}

/* The socket is disconnected while splice sleeps: -EPIPE. */
static void test_tcp_bpf_splice_disconnect_while_waiting(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b, false);
	sim_set_sleep_hook(disconnect_b, fx.b);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), -EPIPE);
}

static void a_sends_100(void *arg)
{
	(void)arg;
	sim_set_sleep_hook(NULL, NULL);		/* once */
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
}

/* A blocking splice on an empty queue; while it sleeps A sends and the
 * redirect wakes B. Patched: splice returns the data. Pristine 6.12.117:
 * the data lands on ingress_msg, which tcp_splice_read() does not watch,
 * so it would sleep forever: the sim counts that hang (the seed's bug on a
 * blocking socket). */
static void test_tcp_bpf_splice_blocking_woken_by_redirect(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b, false);
	sim_set_sleep_hook(a_sends_100, NULL);
	if (!SERIES_SPLICE) {
		sim_expect_hangs(1);
		assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, 0), -EAGAIN);
		assert_int_equal(sim_hangs(), 1);
		assert_int_equal(queued(fx.b), 100);
		return;
	}
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, 0), 100);
	pipe_expect(0, 100);
}

static void peer_injects_100(void *arg)
{
	void *data = sim_pattern_buf(0, 0, 100);

	(void)arg;
	sim_set_sleep_hook(NULL, NULL);		/* once */
	assert_int_equal(sim_inject_skb(fx.b, data, 100, 0, 100), 0);
	free(data);
}

/* No verdict program: while splice sleeps, plain TCP data arrives on
 * sk_receive_queue; tcp_bpf hands over to tcp_splice_read(). */
static void test_tcp_bpf_splice_blocking_woken_by_tcp_data(void **state)
{
	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	sim_set_nonblock(fx.b, false);
	sim_set_sleep_hook(peer_injects_100, NULL);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, 0), 100);
	pipe_expect(0, 100);
}

/* No verdict program: plain TCP data already waits on sk_receive_queue and
 * the psock's queue is empty: tcp_bpf hands over to tcp_splice_read() at
 * once (at every level: below copy, splice is tcp_splice_read() itself). */
static void test_tcp_bpf_splice_tcp_data_queued_falls_back(void **state)
{
	void *data = sim_pattern_buf(0, 0, 100);

	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_inject_skb(fx.b, data, 100, 0, 100), 0);
	free(data);
	assert_int_equal(queued(fx.b), 0);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 1);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), 100);
	pipe_expect(0, 100);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 0);
	assert_int_equal(tcp_sk(fx.b)->copied_seq, tcp_sk(fx.b)->rcv_nxt);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* IPv6 sockets use the second set of tcp_bpf protos, built from tcpv6_prot
 * after tcp_bpf_assert_proto_ops() checked it. */
static void test_tcp_bpf_splice_ipv6(void **state)
{
	(void)state;
	splice_setup_family(AF_INET6, PIPE_DEF_BUFFERS, NULL);
	assert_int_equal(fx.b->sk_family, AF_INET6);
	if (!send_then_splice(700))
		return;
	pipe_expect(0, 700);
}

/* Data that reached B's sk_receive_queue before its verdict program was
 * attached (the "pre-accept" case tcp_bpf_recvmsg_parser() handles): the
 * splice runs the verdict over it first, then splices it. */
static void test_tcp_bpf_splice_parser_data_before_verdict(void **state)
{
	struct sim_verdict pass = { .action = SIM_PASS };
	void *data = sim_pattern_buf(0, 0, 400);

	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	assert_int_equal(sim_inject_skb(fx.b, data, 400, 0, 400), 0);
	free(data);
	fx.map = sim_sockmap_create(2);
	assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(&pass), fx.map,
					 BPF_SK_SKB_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 1);
	sim_set_nonblock(fx.b, true);
	fx.pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	/* patched: tcp_data_ready() runs the verdict, which moves the skb to
	 * ingress_msg, and that is spliced; pristine: tcp_splice_read()
	 * reads sk_receive_queue directly. Same bytes either way. */
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 400, SPLICE_F_NONBLOCK), 400);
	pipe_expect(0, 400);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 0);
}

/* The verdict program drops everything, the peer's FIN included: no FIN
 * reaches ingress_msg, but SOCK_DONE is set, so splice says end of file. */
static void test_tcp_bpf_splice_drop_verdict_then_fin_eof(void **state)
{
	struct sim_verdict drop = { .action = SIM_DROP };

	(void)state;
	splice_setup_progs(PIPE_DEF_BUFFERS, &drop);
	assert_int_equal(sim_shutdown(fx.a, 1 /* SHUT_WR */), 0);
	assert_true(sock_flag(fx.b, SOCK_DONE));
	assert_int_equal(queued(fx.b), 0);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 100, SPLICE_F_NONBLOCK), 0);
}

/* One skb of 18 pieces (slab head + MAX_SKB_FRAGS page frags) becomes an
 * sk_msg of 18 scatterlist elements; splicing it in 700-byte chunks crosses
 * element boundaries in the middle of chunks. */
static void test_tcp_bpf_splice_many_sg_entries_chunked(void **state)
{
	struct sim_verdict pass = { .action = SIM_PASS };
	const size_t total = 500 + MAX_SKB_FRAGS * 1000;
	void *data = sim_pattern_buf(0, 0, total);
	struct sk_msg *msg;
	size_t off = 0;

	(void)state;
	splice_setup_progs(PIPE_DEF_BUFFERS, &pass);
	assert_int_equal(sim_inject_skb(fx.b, data, total, 500, 1000), 0);
	free(data);
	msg = list_first_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	assert_int_equal(sk_msg_elem_used(msg), 1 + MAX_SKB_FRAGS);
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(total);
		return;
	}
	while (off < total) {
		size_t want = min((size_t)700, total - off);

		assert_int_equal(sim_splice_read(fx.b, fx.pipe, want, SPLICE_F_NONBLOCK), want);
		pipe_expect(off, want);
		off += want;
	}
	assert_int_equal(queued(fx.b), 0);
}

/* An sk_msg whose ring wraps (elements in slots 16, 17, 0, 1, 2), handed to
 * B's ingress by tcp_bpf_sendmsg_redir() as tcp_bpf_send_verdict() and
 * kTLS do: bpf_tcp_ingress() keeps the ring positions, so B's queued msg
 * wraps too; splicing it in 150-byte chunks walks across the wrap.
 *
 *   slot:  0   1   2   3 ...  15  16  17
 *          D   E   .   .      .   A   B     (A..E: 100 bytes each)
 *              end^               ^start
 */
static void test_tcp_bpf_splice_wrapped_ring(void **state)
{
	void *data = sim_pattern_buf(0, 0, 500);
	struct sk_msg msg;
	struct iov_iter iter;
	size_t off = 0;

	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	sk_msg_init(&msg);
	msg.sg.start = msg.sg.end = msg.sg.curr = NR_MSG_FRAG_IDS - 2;
	lock_sock(fx.a);
	for (int i = 0; i < 5; i++)	/* coalescing off: one element each */
		assert_int_equal(sk_msg_alloc(fx.a, &msg, msg.sg.size + 100, msg.sg.end), 0);
	iov_iter_ubuf(&iter, ITER_SOURCE, data, 500);
	assert_int_equal(sk_msg_memcopy_from_iter(fx.a, &iter, &msg, 500), 100);
	release_sock(fx.a);
	free(data);
	assert_int_equal(msg.sg.start, NR_MSG_FRAG_IDS - 2);
	assert_int_equal(msg.sg.end, 3);

	assert_int_equal(tcp_bpf_sendmsg_redir(fx.b, true, &msg, 500, 0), 0);
	assert_int_equal(msg.sg.size, 0);	/* every element moved to B */
	lock_sock(fx.a);
	sk_mem_uncharge(fx.a, 500);		/* as tcp_bpf_send_verdict() */
	release_sock(fx.a);
	assert_int_equal(queued(fx.b), 500);
	if (!SERIES_SPLICE) {
		expect_unpatched_eagain(500);
		return;
	}
	while (off < 500) {
		size_t want = min((size_t)150, 500 - off);

		assert_int_equal(sim_splice_read(fx.b, fx.pipe, want, SPLICE_F_NONBLOCK), want);
		pipe_expect(off, want);
		off += want;
	}
	assert_int_equal(queued(fx.b), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* The proxy's second hop: B's spliced data goes on from the pipe into
 * another socket C (splice_to_socket: sendmsg with MSG_SPLICE_PAGES), and
 * C's peer D reads it. The page D's skb carries is the very page the pipe
 * held (with zero-copy, the sender's sk_msg page). */
static void test_tcp_bpf_splice_pipe_onward_to_socket(void **state)
{
	struct sock *c, *d;
	struct page *page;
	struct sk_buff *skb;
	unsigned char buf[1000];

	(void)state;
	splice_setup(PIPE_DEF_BUFFERS);
	sim_tcp_pair(&c, &d, "C", "D");
	if (!send_then_splice(1000))
		return;
	page = sim_pipe_peek(fx.pipe, 0)->page;
	assert_int_equal(sim_splice_to_socket(fx.pipe, c, 1000, SPLICE_F_NONBLOCK), 1000);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 0);
	skb = skb_peek(&d->sk_receive_queue);
	assert_non_null(skb);
	assert_ptr_equal(skb_frag_page(&skb_shinfo(skb)->frags[0]), page);
	assert_int_equal(sim_recv(d, buf, sizeof(buf), MSG_DONTWAIT), 1000);
	assert_pattern(buf, 0, 0, 1000);
}

/* Control: a plain TCP socket (no sockmap) splices a GRO-style skb whose
 * data sits on its frag_list, through tcp_splice_read(). */
static void test_tcp_bpf_splice_plain_tcp_fraglist(void **state)
{
	struct sim_skb_shape shape = { .headlen = 100, .fraglist = 3 };
	void *data = sim_pattern_buf(0, 0, 3100);
	struct sock *c, *d;

	(void)state;
	sim_tcp_pair(&c, &d, "C", "D");
	fx.pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	sim_set_nonblock(d, true);
	assert_int_equal(sim_inject(d, data, 3100, &shape), 0);
	free(data);
	assert_int_equal(sim_splice_read(d, fx.pipe, 3100, SPLICE_F_NONBLOCK), 3100);
	pipe_expect(0, 3100);
	assert_int_equal(skb_queue_len(&d->sk_receive_queue), 0);
	assert_int_equal(atomic_read(&d->sk_rmem_alloc), 0);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_splice_whole_msg),
		SIM_TEST(test_tcp_bpf_splice_zero_copy_shares_msg_page),
		SIM_TEST(test_tcp_bpf_splice_pipe_full_then_drain),
		SIM_TEST(test_tcp_bpf_splice_nonblock_empty_eagain),
		SIM_TEST(test_tcp_bpf_splice_blocking_waits_rcvtimeo),
		SIM_TEST(test_tcp_bpf_splice_interleaved_with_recv),
		SIM_TEST(test_tcp_bpf_splice_close_socks_pages_in_pipe),
		SIM_TEST(test_tcp_bpf_splice_map_delete_pages_in_pipe),
		SIM_TEST(test_tcp_bpf_splice_pipe_closed_unread),
		SIM_TEST(test_tcp_bpf_splice_peer_shutdown_eof),
		SIM_TEST(test_tcp_bpf_splice_skb_head_copied_frag_shared),
		SIM_TEST(test_tcp_bpf_splice_alloc_failure_enomem),
		SIM_TEST(test_tcp_bpf_splice_fraglist_heads_copied),
		SIM_TEST(test_tcp_bpf_splice_offset_espipe_len_zero),
		SIM_TEST(test_tcp_bpf_splice_psock_gone_falls_back),
		SIM_TEST(test_tcp_bpf_splice_parser_fin_eof),
		SIM_TEST(test_tcp_bpf_splice_peer_reset),
		SIM_TEST(test_tcp_bpf_splice_after_shut_rd_eof),
		SIM_TEST(test_tcp_bpf_splice_signal_pending),
		SIM_TEST(test_tcp_bpf_splice_disconnect_while_waiting),
		SIM_TEST(test_tcp_bpf_splice_blocking_woken_by_redirect),
		SIM_TEST(test_tcp_bpf_splice_blocking_woken_by_tcp_data),
		SIM_TEST(test_tcp_bpf_splice_tcp_data_queued_falls_back),
		SIM_TEST(test_tcp_bpf_splice_ipv6),
		SIM_TEST(test_tcp_bpf_splice_parser_data_before_verdict),
		SIM_TEST(test_tcp_bpf_splice_drop_verdict_then_fin_eof),
		SIM_TEST(test_tcp_bpf_splice_many_sg_entries_chunked),
		SIM_TEST(test_tcp_bpf_splice_wrapped_ring),
		SIM_TEST(test_tcp_bpf_splice_pipe_onward_to_socket),
		SIM_TEST(test_tcp_bpf_splice_plain_tcp_fraglist),
	};
	struct CMUnitTest all[ARRAY_SIZE(tests) + ARRAY_SIZE(chunk_rows)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		all[n++] = tests[i];
	for (size_t i = 0; i < ARRAY_SIZE(chunk_rows); i++) {
		all[n] = (struct CMUnitTest)SIM_TEST(test_tcp_bpf_splice_chunked);
		all[n].name = chunk_rows[i].name;
		all[n++].initial_state = (void *)&chunk_rows[i];
	}
	return sim_run_group_invariants("tcp_bpf_splice", all, n);
}
