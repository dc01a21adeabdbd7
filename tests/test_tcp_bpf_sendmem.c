// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_sendmem: send memory and TCP's push-back, on plain sockets and
 * on the egress redirect paths, with a reader that does not keep up.
 *
 * The model (sim/tcp.c, tcp_output.c, tcp_input.c, loopback.c): a send
 * appends to the write queue's tail skb (size goal: one loopback MSS),
 * charged to sk_wmem_queued and sk_forward_alloc; a sent segment stays
 * charged until the peer acks it; a receiver out of receive memory shuts
 * its window (later data stays on the sender's write queue) until it
 * reads; sk_stream_memory_free() false makes a send wait or return
 * -EAGAIN. Small buffers (SO_SNDBUF / SO_RCVBUF 1: the minimums) keep
 * every test to a few segments.
 *
 *   A --send--> [A: write queue | rtx] --wire--> B (window: rcvbuf)
 *                      charged until B acks
 */
#include "sim_test.h"
#include <sim/series.h>

#define SLOT_A		0
#define SLOT_B		1

struct sendmem {
	struct sock *a, *a2, *b, *b2;
	struct bpf_map *map;
	struct bpf_prog *prog;
	struct sim_verdict v;
	size_t sent, got;
	unsigned char rbuf[1 << 19];
};

static struct sendmem fx;

/* @sk has nothing charged for sending, nothing queued or in flight, and
 * every skb_set_owner_w() was given back. */
#define assert_send_idle(sk)						\
	do {								\
		assert_int_equal((sk)->sk_wmem_queued, 0);		\
		assert_int_equal(refcount_read(&(sk)->sk_wmem_alloc), 1); \
		assert_int_equal(sim_outq(sk), 0);			\
		assert_null(skb_peek(&(sk)->sk_write_queue));		\
		assert_int_equal((sk)->sk_forward_alloc, 0);		\
	} while (0)

/* Read what @sk has (MSG_DONTWAIT) into fx.rbuf at fx.got. */
static int drain(struct sock *sk)
{
	int n = 0, ret;

	while ((ret = sim_recv(sk, fx.rbuf + fx.got, sizeof(fx.rbuf) - fx.got,
			       MSG_DONTWAIT)) > 0) {
		fx.got += ret;
		n += ret;
	}
	assert_int_equal(ret, fx.got == sizeof(fx.rbuf) ? 0 : -EAGAIN);
	return n;
}

static void small_buffers(struct sock *snd, struct sock *rcv)
{
	sim_set_sndbuf(snd, 1);
	sim_set_rcvbuf(rcv, 1);
	assert_int_equal(snd->sk_sndbuf, SOCK_MIN_SNDBUF);
	assert_int_equal(rcv->sk_rcvbuf, SOCK_MIN_RCVBUF);
}

/* TX->TX: A's sk_msg verdict redirects to B's egress (cork_bytes
 * @cork_bytes when non-zero); B's send buffer and B2's receive buffer at
 * their minimums. */
static void txtx_setup(u32 cork_bytes)
{
	sim_tcp_pair(&fx.a, &fx.a2, "A", "A2");
	sim_tcp_pair(&fx.b, &fx.b2, "B", "B2");
	small_buffers(fx.b, fx.b2);
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map,
				     .key = SLOT_B, .cork_bytes = cork_bytes };
	fx.prog = sim_prog_msg_verdict(&fx.v);
	assert_int_equal(sim_prog_attach(fx.prog, fx.map, BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_A, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_B, fx.b, BPF_ANY), 0);
}

/* ---- plain sockets ---------------------------------------------------- */

/* A loopback connection's send buffer is what tcp_sndbuf_expand() gives
 * at establishment (`ss -m`: tb2626560); a send is acked at once by a
 * peer with room, so A ends with nothing charged and sk_wmem_alloc back
 * at 1 (loopback_xmit() orphans each skb). One send of 100 KiB: two
 * segments of the loopback MSS (65483) and the rest. */
static void test_tcp_bpf_sendmem_plain_acked_at_once(void **state)
{
	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	assert_int_equal(fx.a->sk_sndbuf, 2626560);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100000, 0), 100000);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 2);
	assert_int_equal(skb_peek(&fx.b->sk_receive_queue)->len, 65483);
	assert_int_equal(tcp_sk(fx.a)->snd_una, 100000);
	assert_send_idle(fx.a);
	fx.got = 0;
	assert_int_equal(drain(fx.b), 100000);
	assert_pattern(fx.rbuf, 0, 0, 100000);
}

/* selftest: none (tcp(7): a non-blocking send returns what it could
 * queue, then EAGAIN) */
/* B reads nothing. The first send fills one segment (65483, the size
 * goal) and B takes it (its sk_rmem_alloc was within sk_rcvbuf), but
 * A's charge for it stays until B's ack, which A processes at
 * release_sock(): the send returns 65483 of 65536. Later segments find
 * B's window shut: they stay charged to A (in flight on B's wire, then
 * on A's write queue) until sk_wmem_queued reaches sk_sndbuf, and a
 * MSG_DONTWAIT send returns -EAGAIN with SOCK_NOSPACE set. B reads: its
 * acks release A's memory, the rest goes out; nothing lost, nothing left
 * charged. */
static void test_tcp_bpf_sendmem_plain_dontwait_partial_then_eagain(void **state)
{
	size_t len = 4 * 65536;
	int ret, sends = 0;

	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	small_buffers(fx.a, fx.b);

	fx.sent = fx.got = 0;
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 65536, MSG_DONTWAIT), 65483);
	fx.sent = 65483;
	assert_int_equal(tcp_inq(fx.b), 65483);
	assert_send_idle(fx.a);	/* acked at release_sock() */
	while ((ret = sim_send_pattern(fx.a, 0, fx.sent, len - fx.sent,
				       MSG_DONTWAIT)) > 0) {
		fx.sent += ret;
		assert_true(++sends < 10);
	}
	assert_int_equal(ret, -EAGAIN);
	assert_true(fx.sent < len);
	assert_true(fx.a->sk_wmem_queued >= fx.a->sk_sndbuf);
	assert_false(sk_stream_memory_free(fx.a));
	assert_true(test_bit(SOCK_NOSPACE, &sim_tcp(fx.a)->socket.flags));
	assert_true(sim_tcp(fx.b)->rwnd_closed);
	assert_int_equal(tcp_inq(fx.b) + sim_outq(fx.a), fx.sent);
	assert_int_equal(refcount_read(&fx.a->sk_wmem_alloc), 1);

	while (fx.got < len) {
		assert_true(drain(fx.b) > 0 || fx.sent < len);
		if (fx.sent < len) {
			ret = sim_send_pattern(fx.a, 0, fx.sent, len - fx.sent,
					       MSG_DONTWAIT);
			assert_true(ret > 0 || ret == -EAGAIN);
			if (ret > 0)
				fx.sent += ret;
		}
		assert_true(++sends < 100);
	}
	assert_pattern(fx.rbuf, 0, 0, len);
	assert_false(test_bit(SOCK_NOSPACE, &sim_tcp(fx.a)->socket.flags));
	assert_send_idle(fx.a);
}

/* While B's window is shut, A's small sends are appended to the write
 * queue's tail skb (tcp_sendmsg_locked(): copy = size_goal - skb->len):
 * ten 100-byte sends make one skb, which B gets whole once it reads. */
static void test_tcp_bpf_sendmem_small_sends_coalesce_while_window_shut(void **state)
{
	struct sk_buff *skb;
	int i;

	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	sim_set_rcvbuf(fx.b, 1);
	/* 4000 taken, 4000 refused: B's window shuts */
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 4000, 0), 4000);
	assert_int_equal(sim_send_pattern(fx.a, 0, 4000, 4000, 0), 4000);
	assert_true(sim_tcp(fx.b)->rwnd_closed);
	for (i = 0; i < 10; i++)
		assert_int_equal(sim_send_pattern(fx.a, 0, 8000 + 100 * i, 100, 0), 100);
	assert_int_equal(skb_queue_len(&fx.a->sk_write_queue), 1);
	skb = skb_peek(&fx.a->sk_write_queue);
	assert_int_equal(skb->len, 1000);
	assert_int_equal(skb_shinfo(skb)->nr_frags, 1);	/* one page frag, merged */
	assert_int_equal(sim_outq(fx.a), 5000);

	fx.got = 0;
	while (fx.got < 9000)
		assert_true(drain(fx.b) > 0);
	assert_pattern(fx.rbuf, 0, 0, 9000);
	assert_send_idle(fx.a);
}

/* A segment built by the driver (sim_inject()) stands for the next one
 * A's TCP sends: it follows what A's write queue held while B's window
 * was shut, and B reads the stream in order (a cold cflite-check found
 * the injected bytes overtaking the queued ones). */
static void test_tcp_bpf_sendmem_inject_after_queued_data(void **state)
{
	struct sim_skb_shape shape = { .headlen = 17 };
	void *buf;

	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	sim_set_rcvbuf(fx.b, 1);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 4000, 0), 4000);
	assert_int_equal(sim_send_pattern(fx.a, 0, 4000, 4000, 0), 4000);
	assert_int_equal(sim_send_pattern(fx.a, 0, 8000, 1000, 0), 1000);
	assert_true(sim_tcp(fx.b)->rwnd_closed);
	assert_int_equal(sim_outq(fx.a), 5000);
	assert_int_equal(skb_queue_len(&fx.a->sk_write_queue), 1);

	buf = sim_pattern_buf(0, 9000, 17);
	assert_int_equal(sim_inject(fx.b, buf, 17, &shape), 0);
	free(buf);
	assert_null(skb_peek(&fx.a->sk_write_queue));	/* sent ahead of it */
	assert_int_equal(tcp_sk(fx.a)->write_seq, tcp_sk(fx.a)->snd_nxt);

	fx.got = 0;
	while (fx.got < 9017)
		assert_true(drain(fx.b) > 0);
	assert_pattern(fx.rbuf, 0, 0, 9017);
	assert_send_idle(fx.a);
}

/* MSG_MORE: tcp_push() corks a partial segment (TCP_NAGLE_CORK); the next
 * sends append to it; a send without MSG_MORE pushes it: B gets one skb.
 * A segment left corked goes out when the probe timer fires (200 ms). */
static void test_tcp_bpf_sendmem_msg_more_corks_until_push(void **state)
{
	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, MSG_MORE), 100);
	assert_int_equal(sim_send_pattern(fx.a, 0, 100, 100, MSG_MORE), 100);
	assert_int_equal(tcp_inq(fx.b), 0);
	assert_int_equal(skb_queue_len(&fx.a->sk_write_queue), 1);
	assert_int_equal(fx.a->sk_wmem_queued, skb_peek(&fx.a->sk_write_queue)->truesize);
	assert_int_equal(sim_send_pattern(fx.a, 0, 200, 100, 0), 100);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 1);
	assert_int_equal(tcp_inq(fx.b), 300);
	assert_send_idle(fx.a);

	assert_int_equal(sim_send_pattern(fx.a, 0, 300, 50, MSG_MORE), 50);
	assert_int_equal(tcp_inq(fx.b), 300);
	sim_tcp_timers_fire();
	assert_int_equal(tcp_inq(fx.b), 350);
	assert_int_equal(skb_queue_len(&fx.b->sk_receive_queue), 2);
	assert_send_idle(fx.a);
	fx.got = 0;
	assert_int_equal(drain(fx.b), 350);
	assert_pattern(fx.rbuf, 0, 0, 350);
}

/* B is owned (lock_sock) while A sends: segments go to B's backlog until
 * tcp_add_backlog()'s limit (2 * rcvbuf + sndbuf / 2 + 64 KiB); the next
 * is dropped and counted in sk_drops; A keeps it charged (unacked) and it
 * comes again after release_sock(): every byte arrives once, in order. */
static void test_tcp_bpf_sendmem_backlog_limit_drops(void **state)
{
	size_t len = 4 * 65483;

	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	sim_set_rcvbuf(fx.b, 1);
	sim_set_sndbuf(fx.b, 1);
	lock_sock(fx.b);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, len, MSG_DONTWAIT), len);
	assert_int_equal(atomic_read(&fx.b->sk_drops), 1);
	assert_true(fx.b->sk_backlog.len > 2 * fx.b->sk_rcvbuf + fx.b->sk_sndbuf / 2);
	assert_int_equal(sim_outq(fx.a), len);	/* nothing acked yet */
	assert_true(fx.a->sk_wmem_queued > 0);
	release_sock(fx.b);

	fx.got = 0;
	while (fx.got < len)
		assert_true(drain(fx.b) > 0);
	assert_pattern(fx.rbuf, 0, 0, len);
	assert_int_equal(atomic_read(&fx.b->sk_drops), 1);
	assert_send_idle(fx.a);
}

/* A blocking send larger than what A's buffer and B's window hold: A's
 * task sleeps in sk_stream_wait_memory() and B's reading task wakes it
 * (ack -> tcp_check_space() -> sk_stream_write_space()), until all is
 * sent and read. Two tasks under the sim's scheduler, no free-running
 * thread. */
static void send_a_blocking(void *arg)
{
	(void)arg;
	fx.sent = sim_send_pattern(fx.a, 0, 0, 3 * 65536, 0);
}

static void recv_b_blocking(void *arg)
{
	int ret;

	(void)arg;
	while (fx.got < 3 * 65536) {
		ret = sim_recv(fx.b, fx.rbuf + fx.got, sizeof(fx.rbuf) - fx.got, 0);
		if (ret <= 0)
			break;
		fx.got += ret;
	}
}

static void test_tcp_bpf_sendmem_blocking_sender_woken_by_reader(void **state)
{
	u64 wakeups;

	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	small_buffers(fx.a, fx.b);
	fx.sent = fx.got = 0;
	wakeups = sim_stats.wakeups;
	sim_task_start("send A", send_a_blocking, NULL);
	sim_task_start("recv B", recv_b_blocking, NULL);
	assert_int_equal(sim_sched_run(NULL), SIM_SCHED_OK);
	assert_int_equal(fx.sent, 3 * 65536);
	assert_int_equal(fx.got, 3 * 65536);
	assert_pattern(fx.rbuf, 0, 0, 3 * 65536);
	assert_true(sim_stats.wakeups > wakeups);
	assert_send_idle(fx.a);
}

/* ---- egress redirect to a slow reader --------------------------------- */

/* TX->TX: A's sk_msg verdict redirects to B's egress; B's buffer is small
 * and B2 reads only between A's sends. tcp_bpf_push() -> B's
 * tcp_sendmsg_locked() (MSG_DONTWAIT from A's send) returns -EAGAIN once
 * B's send buffer is full; tcp_bpf_send_verdict() frees the rest of the
 * msg and takes it off A's count: A's send returns what B took (or
 * -EAGAIN), nothing is lost, A sends the rest again. */
static void test_tcp_bpf_sendmem_txtx_slow_reader(void **state)
{
	size_t len = 128 * 1024;
	int ret, eagain = 0, partial = 0, rounds = 0;

	(void)state;
	txtx_setup(0);

	fx.sent = fx.got = 0;
	while (fx.got < len) {
		/* A sends until B pushes back, then B2 reads once */
		while (fx.sent < len) {
			size_t n = min_t(size_t, 16384, len - fx.sent);

			ret = sim_send_pattern(fx.a, 0, fx.sent, n, MSG_DONTWAIT);
			assert_true(ret > 0 || ret == -EAGAIN);
			if (ret == -EAGAIN) {
				eagain++;
				break;
			}
			fx.sent += ret;
			if (ret < (int)n) {
				partial++;
				break;
			}
		}
		drain(fx.b2);
		assert_true(++rounds < 1000);
	}
	assert_int_equal(fx.got, len);
	assert_pattern(fx.rbuf, 0, 0, len);
	assert_true(partial + eagain > 0);
	assert_int_equal(tcp_inq(fx.a2), 0);	/* nothing took A's own path */
	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	assert_send_idle(fx.b);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
	fprintf(stderr, "# txtx slow reader: %d rounds, %d partial, %d -EAGAIN\n",
		rounds, partial, eagain);
}

/*
 * kernel bug (6.12.117, fixes/0013; found by the world fuzzer): TX->TX
 * with cork_bytes. When the corked msg goes out and B's egress pushes
 * back (-EAGAIN from B's tcp_sendmsg_locked(), B's send buffer full),
 * tcp_bpf_send_verdict() frees the cork and sets ret to 0 for a cork
 * whatever the redirect returned: send() counts the corked bytes as
 * sent, and they are gone. A sends 3000 100-byte messages (cork 300, B's
 * send buffer and B2's receive buffer at their minimums), B2 then reads
 * everything: the first skb's worth arrives in order, most of the rest
 * never does, though every send() reported its 100 bytes and nothing is
 * left queued or charged. (B's write queue takes corks into its tail skb
 * without looking at the send buffer until that skb is full, 64 KiB on
 * loopback: the push-back, and the loss, start there.)
 *
 * From level fixes what B did not take stays A's cork: A's later sends
 * append to it and each runs the program again, so the cork goes out as
 * soon as B has room. A full cork that cannot go out fails the send with
 * -EAGAIN. B2 reads, A sends more, until every byte reported sent has
 * arrived in order except what the last cork holds (below cork_bytes).
 */
static void test_tcp_bpf_sendmem_txtx_cork_on_pushback(void **state)
{
	size_t reported = 0, corked;
	int sends, eagain = 0, rounds = 0, ret;
	struct sk_msg *cork;

	(void)state;
	txtx_setup(300);

	/* 3000 sends, 1000 corks: every send reports its 100 bytes, or from
	 * level fixes -EAGAIN once the cork is full */
	for (sends = 0; sends < 3000; sends++) {
		ret = sim_send_pattern(fx.a, 0, reported, 100, MSG_DONTWAIT);
		if (ret == -EAGAIN && SIM_LEVEL_AT_LEAST(FIXES)) {
			eagain++;
			continue;
		}
		assert_int_equal(ret, 100);
		reported += 100;
	}
	fx.got = 0;
	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		assert_null(sk_psock(fx.a)->cork);
		while (drain(fx.b2) > 0)
			sim_quiesce();
		fprintf(stderr, "# txtx cork pushback: %zu bytes reported sent, %zu received\n",
			reported, fx.got);
		/* what B took before its first push-back arrived in order;
		 * most of the rest is gone (66683 of 300000 here) */
		assert_true(fx.got > 65483 && fx.got < reported / 2);
		assert_pattern(fx.rbuf, 0, 0, 65483);
	} else {
		/* the cork holds what B did not take */
		assert_non_null(sk_psock(fx.a)->cork);
		for (;;) {
			while (drain(fx.b2) > 0)
				sim_quiesce();
			cork = sk_psock(fx.a)->cork;
			corked = cork ? cork->sg.size : 0;
			assert_int_equal(fx.got + corked, reported);
			if (corked < 300)
				break;
			assert_true(++rounds < 1000);
			/* the next send runs the program on the cork again */
			ret = sim_send_pattern(fx.a, 0, reported, 100, MSG_DONTWAIT);
			if (ret == -EAGAIN) {
				eagain++;
				continue;
			}
			assert_int_equal(ret, 100);
			reported += 100;
		}
		fprintf(stderr, "# txtx cork pushback: %zu bytes reported sent, %zu received, "
			"%zu corked, %d -EAGAIN, %d sends to flush\n",
			reported, fx.got, corked, eagain, rounds);
		assert_pattern(fx.rbuf, 0, 0, fx.got);
		assert_true(fx.got > reported - 300);
	}
	assert_int_equal(sim_live(SIM_SK_MSG), SIM_LEVEL_AT_LEAST(FIXES) && sk_psock(fx.a)->cork ? 1 : 0);
	if (!SIM_LEVEL_AT_LEAST(FIXES))
		assert_int_equal(fx.a->sk_forward_alloc, 0);
	assert_send_idle(fx.b);
}

/*
 * fixes/0013 with a full cork: TX->TX, cork 300, and B's egress full
 * before A sends (B sent to B2 until -EAGAIN; B2 does not read yet).
 * C's 1-byte sends between A's keep A's bytes apart in the task's page
 * fragment, so each of A's sends is an element of the cork of its own.
 * Below level fixes every send reports its 100 bytes and what B refuses
 * is freed. From level fixes the cork keeps what B refuses, fills its
 * MAX_MSG_FRAGS elements, and the send that finds it full and cannot
 * flush it fails with -EAGAIN (a full cork with ret 0 would spin in
 * tcp_bpf_sendmsg(): nothing copied, the loop never ends). Once B2
 * reads, A's next sends flush it: B2 gets B's own bytes, then every byte
 * A's sends reported, in order.
 */
static void test_tcp_bpf_sendmem_txtx_full_cork_pushback(void **state)
{
	size_t reported = 0, filled = 0;
	int i, ret, eagain = 0, rounds = 0;
	struct sk_msg *cork;
	struct sock *c, *d;

	(void)state;
	txtx_setup(300);
	sim_tcp_pair(&c, &d, "C", "D");
	while ((ret = sim_send_pattern(fx.b, 1, filled, 4096, MSG_DONTWAIT)) > 0)
		filled += ret;
	assert_int_equal(ret, -EAGAIN);

	for (i = 0; i < 40; i++) {
		ret = sim_send_pattern(fx.a, 0, reported, 100, MSG_DONTWAIT);
		if (ret == -EAGAIN) {
			eagain++;
			break;
		}
		assert_int_equal(ret, 100);
		reported += 100;
		assert_int_equal(sim_send(c, "x", 1, MSG_DONTWAIT), 1);
	}
	cork = sk_psock(fx.a)->cork;
	fprintf(stderr, "# txtx full cork: B filled with %zu bytes, %zu reported sent by A, "
		"%d -EAGAIN, cork %u bytes in %u elements\n", filled, reported, eagain,
		cork ? cork->sg.size : 0, cork ? sk_msg_elem_used(cork) : 0);
	fx.got = 0;
	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		assert_int_equal(eagain, 0);
		while (drain(fx.b2) > 0)
			sim_quiesce();
		/* B's own bytes; of what A's sends reported, less arrived
		 * or is still corked */
		assert_pattern(fx.rbuf, 1, 0, filled);
		fprintf(stderr, "# txtx full cork: %zu of A's bytes arrived\n", fx.got - filled);
		assert_true(fx.got - filled + (cork ? cork->sg.size : 0) < reported);
	} else {
		assert_int_equal(eagain, 1);
		assert_non_null(cork);
		assert_true(sk_msg_full(cork));
		for (;;) {
			while (drain(fx.b2) > 0)
				sim_quiesce();
			cork = sk_psock(fx.a)->cork;
			if (!cork || cork->sg.size < 300)
				break;
			assert_true(++rounds < 100);
			/* the next send runs the program on the cork again */
			ret = sim_send_pattern(fx.a, 0, reported, 100, MSG_DONTWAIT);
			if (ret == 100)
				reported += 100;
			else
				assert_int_equal(ret, -EAGAIN);
		}
		assert_pattern(fx.rbuf, 1, 0, filled);
		assert_int_equal(fx.got - filled + (cork ? cork->sg.size : 0), reported);
		assert_pattern(fx.rbuf + filled, 0, 0, fx.got - filled);
	}
	assert_send_idle(fx.b);
}

/* TX->TX, blocking: A's send (no MSG_DONTWAIT) redirects to B's egress;
 * B's tcp_sendmsg_locked() sleeps in sk_stream_wait_memory() (B's lock
 * released, A's too: tcp_bpf_send_verdict() dropped it around the
 * redirect) until B2's reading task acks B's segments. One send of
 * 192 KiB returns whole; B2 reads every byte in order. */
static void send_a_txtx_blocking(void *arg)
{
	(void)arg;
	fx.sent = sim_send_pattern(fx.a, 0, 0, 3 * 65536, 0);
}

static void recv_b2_blocking(void *arg)
{
	int ret;

	(void)arg;
	while (fx.got < 3 * 65536) {
		ret = sim_recv(fx.b2, fx.rbuf + fx.got, sizeof(fx.rbuf) - fx.got, 0);
		if (ret <= 0)
			break;
		fx.got += ret;
	}
}

static void test_tcp_bpf_sendmem_txtx_blocking_sender_woken_by_reader(void **state)
{
	u64 wakeups;

	(void)state;
	txtx_setup(0);

	fx.sent = fx.got = 0;
	wakeups = sim_stats.wakeups;
	sim_task_start("send A", send_a_txtx_blocking, NULL);
	sim_task_start("recv B2", recv_b2_blocking, NULL);
	assert_int_equal(sim_sched_run(NULL), SIM_SCHED_OK);
	assert_int_equal(fx.sent, 3 * 65536);
	assert_int_equal(fx.got, 3 * 65536);
	assert_pattern(fx.rbuf, 0, 0, 3 * 65536);
	assert_true(sim_stats.wakeups > wakeups);
	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	assert_send_idle(fx.b);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
}

/* RX->TX: A2 sends to A, whose sk_skb verdict redirects to B's egress;
 * B2 reads slowly. The psock backlog's skb_send_sock() (MSG_DONTWAIT)
 * gets -EAGAIN from B's full send buffer: sk_psock_backlog() keeps its
 * place (work_state) and runs again, one jiffy later or when B's acks
 * free space (sk_psock_write_space()). Everything reaches B2 once, in
 * order; A, B and the psock end with nothing charged. */
static void test_tcp_bpf_sendmem_rxtx_slow_reader(void **state)
{
	size_t len = 256 * 1024;
	int rounds = 0;

	(void)state;
	sim_tcp_pair(&fx.a2, &fx.a, "A2", "A");
	sim_tcp_pair(&fx.b, &fx.b2, "B", "B2");
	small_buffers(fx.b, fx.b2);
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map,
				     .key = SLOT_B };
	fx.prog = sim_prog_skb_verdict(&fx.v);
	assert_int_equal(sim_prog_attach(fx.prog, fx.map, BPF_SK_SKB_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_A, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_B, fx.b, BPF_ANY), 0);

	assert_int_equal(sim_send_pattern(fx.a2, 0, 0, len, MSG_DONTWAIT), len);
	assert_send_idle(fx.a2);	/* A's verdict took every segment */
	fx.got = 0;
	sim_run_work();
	assert_true(sk_psock(fx.b)->work_state.len > 0);	/* stopped at -EAGAIN */
	assert_true(delayed_work_pending(&sk_psock(fx.b)->work));
	while (fx.got < len) {
		drain(fx.b2);
		sim_advance_jiffies(1);
		sim_run_work();
		assert_true(++rounds < 1000);
	}
	assert_int_equal(fx.got, len);
	assert_pattern(fx.rbuf, 0, 0, len);
	assert_true(skb_queue_empty(&sk_psock(fx.b)->ingress_skb));
	assert_int_equal(sk_psock(fx.b)->work_state.len, 0);
	assert_send_idle(fx.b);
	assert_int_equal(atomic_read(&fx.a->sk_rmem_alloc), 0);
	fprintf(stderr, "# rxtx slow reader: %d rounds\n", rounds);
}

/* kernel behaviour (6.12.117, not changed by the series): while B's send
 * buffer stays full, sk_psock_backlog() reschedules itself one jiffy after
 * each -EAGAIN (schedule_delayed_work(&psock->work, 1)) instead of waiting
 * for B's write space: the backlog polls, each run taking the work mutex
 * and calling skb_send_sock() -> tcp_sendmsg() on B to get -EAGAIN again,
 * every jiffy until B2 reads. Ten jiffies, ten fruitless runs. */
static void test_tcp_bpf_sendmem_rxtx_backlog_polls_while_full(void **state)
{
	size_t len = 64 * 1024;
	u32 off, left;
	u64 runs;
	int i;

	(void)state;
	sim_tcp_pair(&fx.a2, &fx.a, "A2", "A");
	sim_tcp_pair(&fx.b, &fx.b2, "B", "B2");
	small_buffers(fx.b, fx.b2);
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map,
				     .key = SLOT_B };
	fx.prog = sim_prog_skb_verdict(&fx.v);
	assert_int_equal(sim_prog_attach(fx.prog, fx.map, BPF_SK_SKB_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_A, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, SLOT_B, fx.b, BPF_ANY), 0);
	assert_int_equal(sim_send_pattern(fx.a2, 0, 0, len, MSG_DONTWAIT), len);
	assert_int_equal(sim_run_work(), 1);
	off = sk_psock(fx.b)->work_state.off;
	left = sk_psock(fx.b)->work_state.len;
	assert_true(left > 0);
	runs = sim_stats.work_runs;
	for (i = 0; i < 10; i++) {
		assert_int_equal(sim_run_work(), 0);	/* not due yet */
		sim_advance_jiffies(1);
		assert_int_equal(sim_run_work(), 1);	/* -EAGAIN again */
		assert_int_equal(sk_psock(fx.b)->work_state.off, off);
		assert_int_equal(sk_psock(fx.b)->work_state.len, left);
		assert_true(delayed_work_pending(&sk_psock(fx.b)->work));
	}
	assert_int_equal(sim_stats.work_runs - runs, 10);

	fx.got = 0;
	while (fx.got < len) {
		drain(fx.b2);
		sim_advance_jiffies(1);
		sim_run_work();
		assert_true(++i < 100);
	}
	assert_pattern(fx.rbuf, 0, 0, len);
	assert_send_idle(fx.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_sendmem_plain_acked_at_once),
		SIM_TEST(test_tcp_bpf_sendmem_plain_dontwait_partial_then_eagain),
		SIM_TEST(test_tcp_bpf_sendmem_small_sends_coalesce_while_window_shut),
		SIM_TEST(test_tcp_bpf_sendmem_inject_after_queued_data),
		SIM_TEST(test_tcp_bpf_sendmem_msg_more_corks_until_push),
		SIM_TEST(test_tcp_bpf_sendmem_backlog_limit_drops),
		SIM_TEST(test_tcp_bpf_sendmem_blocking_sender_woken_by_reader),
		SIM_TEST(test_tcp_bpf_sendmem_txtx_slow_reader),
		SIM_TEST(test_tcp_bpf_sendmem_txtx_cork_on_pushback),
		SIM_TEST(test_tcp_bpf_sendmem_txtx_full_cork_pushback),
		SIM_TEST(test_tcp_bpf_sendmem_txtx_blocking_sender_woken_by_reader),
		SIM_TEST(test_tcp_bpf_sendmem_rxtx_slow_reader),
		SIM_TEST(test_tcp_bpf_sendmem_rxtx_backlog_polls_while_full),
	};

	return sim_run_group_invariants("tcp_bpf_sendmem", tests, ARRAY_SIZE(tests));
}
