// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_proxy: the seed's deployment end to end. A sockops program puts
 * every established loopback socket into a SOCKHASH keyed by its 4-tuple;
 * an sk_msg program redirects every message to the peer socket's ingress
 * (bpf_msg_redirect_hash with BPF_F_INGRESS: the "TCP stack bypass"). A
 * proxy between client and server copies both directions the way Go's
 * io.Copy does on Linux: splice(socket -> pipe), then splice(pipe -> the
 * other socket), i.e. tcp_bpf_splice_read of the series on the way in and
 * splice_to_socket -> tcp_bpf_sendmsg(MSG_SPLICE_PAGES) on the way out.
 *
 *   client C <-> P1 [proxy: pipe up, pipe down] P2 <-> server S
 *
 * Each case is a row of a table: message sizes (a sweep of one size or a
 * seeded mix), the verdict's apply_bytes/cork_bytes, the pipes' capacity.
 * Both directions run at once, interleaved message by message; the
 * client's and the server's bytes are checked in order as they arrive, and
 * at the end every byte sent is either delivered or, with cork_bytes, still
 * held in the sender's cork (counted exactly). On pristine 6.12.117 the
 * proxy's splice moves nothing (-EAGAIN, non-blocking; a blocking one would
 * sleep forever) while recv() on the same socket has all the data.
 */
#include "sim_test.h"
#include <sim/pipe.h>
#include <sim/series.h>
#include "sim_bypass.h"

struct proxy_case {
	const char *name;
	size_t size;		/* every message this size; 0: a seeded mix */
	int msgs;		/* messages per direction */
	u32 apply_bytes, cork_bytes;
	unsigned int pipe_bufs;
	size_t max_size;	/* a mix's larger messages cut to this; 0: none */
};

/* One direction: @tx sends stream @stream, the proxy moves it from @in
 * through @pipe to @out, @rx receives it. */
struct dir {
	struct sock *tx, *in, *out, *rx;
	struct pipe_inode_info *pipe;
	unsigned int stream;
	size_t sent, moved, received;
	unsigned char rbuf[65536];
};

static struct {
	struct sock *lp, *ls;	/* the proxy's and the server's listeners */
	struct sock *c, *p1, *p2, *s;
	struct sim_bypass bp;
	struct dir up, down;
} px;

#define RBUF sizeof(px.up.rbuf)

/* The sk_msg program of the next proxy_setup(), if not the bypass's own. */
static sim_prog_fn next_msg_fn;

static void proxy_setup(const struct proxy_case *pc)
{
	px.bp.opts = (struct sim_bypass_opts){ pc->apply_bytes, pc->cork_bytes };
	px.bp.msg_fn = next_msg_fn;
	next_msg_fn = NULL;
	assert_int_equal(sim_bypass_setup(&px.bp, 8), 0);
	/* The proxy listens and accepts the client; the server listens and
	 * accepts the proxy's connection. Each accepted socket was put in the
	 * hash by sockops (PASSIVE_ESTABLISHED) before accept(). */
	px.lp = sim_tcp_listen("proxy-listen");
	px.ls = sim_tcp_listen("server-listen");
	sim_bypass_connect(px.lp, &px.c, &px.p1, "client", "proxy-in");
	sim_bypass_connect(px.ls, &px.p2, &px.s, "proxy-out", "server");
	/* two TCP_LISTEN_CB (not inserted), then all four sockets in the hash */
	assert_int_equal(px.bp.ops->runs, 6);
	/* Go's netpoller: every socket non-blocking */
	sim_set_nonblock(px.c, true);
	sim_set_nonblock(px.p1, true);
	sim_set_nonblock(px.p2, true);
	sim_set_nonblock(px.s, true);
	px.up = (struct dir){ px.c, px.p1, px.p2, px.s,
			      sim_pipe_create(pc->pipe_bufs), 1 };
	px.down = (struct dir){ px.s, px.p2, px.p1, px.c,
				sim_pipe_create(pc->pipe_bufs), 2 };
}

/* The proxy's io.Copy for one direction, until splice has nothing more:
 * returns the bytes it moved. Every byte spliced into the pipe must be
 * sent on: splice_to_socket() returns exactly what it was given. */
static size_t pump(struct dir *d)
{
	size_t moved = 0;

	for (;;) {
		ssize_t in = sim_splice_read(d->in, d->pipe, 1 << 20, SPLICE_F_NONBLOCK);

		if (in == -EAGAIN)
			break;
		if (in <= 0)
			fail_msg("splice from %s after %zu bytes: %zd",
				 d->in->sk_prot_creator ? "proxy" : "?", d->moved + moved, in);
		assert_int_equal(sim_splice_to_socket(d->pipe, d->out, in, SPLICE_F_NONBLOCK), in);
		assert_int_equal(sim_pipe_nr_bufs(d->pipe), 0);
		moved += in;
	}
	d->moved += moved;
	return moved;
}

/* The far end reads whatever has arrived; every byte in stream order. */
static void drain(struct dir *d)
{
	for (;;) {
		int n = sim_recv(d->rx, d->rbuf, RBUF, MSG_DONTWAIT);

		if (n == -EAGAIN)
			break;
		assert_true(n > 0);
		assert_pattern(d->rbuf, d->stream, d->received, n);
		d->received += n;
	}
}

/* Send one message of @len bytes with non-blocking sends, letting the proxy
 * and the far end run whenever the sender would block. */
static void send_msg(struct dir *d, size_t len)
{
	size_t done = 0;
	int stalls = 0;

	while (done < len) {
		int n = sim_send_pattern(d->tx, d->stream, d->sent, len - done, MSG_DONTWAIT);

		if (n == -EAGAIN) {
			assert_true(++stalls < 64);	/* bounded: it must drain */
			pump(d);
			drain(d);
			continue;
		}
		if (n <= 0)
			fail_msg("send of %zu bytes at offset %zu of stream %u: %d",
				 len - done, d->sent, d->stream, n);
		done += n;
		d->sent += n;
	}
}

/* Bytes @sk's cork still holds (cork_bytes not reached yet). */
static size_t corked(struct sock *sk)
{
	struct sk_psock *psock = sk_psock(sk);

	return psock && psock->cork ? psock->cork->sg.size : 0;
}

static size_t msg_size(const struct proxy_case *pc, u32 *rng)
{
	size_t n;

	if (pc->size)
		return pc->size;
	/* xorshift32; sizes spread over 1 B .. 64 KiB, small ones common */
	*rng ^= *rng << 13;
	*rng ^= *rng >> 17;
	*rng ^= *rng << 5;
	n = 1 + (*rng % 65536) % (1u << (1 + *rng % 16));
	return pc->max_size && n > pc->max_size ? pc->max_size : n;
}

static void proxy_teardown(void)
{
	sim_pipe_close(px.up.pipe);
	sim_pipe_close(px.down.pipe);
	sim_close(px.c);
	sim_close(px.p1);
	sim_close(px.p2);
	sim_close(px.s);
	sim_close(px.lp);
	sim_close(px.ls);
	sim_map_close(px.bp.hash);
}

/* Series applied: every byte through, both directions at once. */
static void run_patched(const struct proxy_case *pc)
{
	u32 rng = 0x5eed1234;

	for (int i = 0; i < pc->msgs; i++) {
		send_msg(&px.up, msg_size(pc, &rng));
		send_msg(&px.down, msg_size(pc, &rng));
		pump(&px.up);
		pump(&px.down);
		drain(&px.up);
		drain(&px.down);
	}
	for (struct dir *d = &px.up; d; d = d == &px.up ? &px.down : NULL) {
		pump(d);
		drain(d);
		/* Every byte is accounted for: what the sender's cork holds
		 * never reached the proxy, what the proxy's outbound cork
		 * holds never reached the far end. */
		assert_int_equal(d->moved + corked(d->tx), d->sent);
		assert_int_equal(d->received + corked(d->out), d->moved);
		if (!pc->cork_bytes)
			assert_int_equal(d->received, d->sent);
		else
			assert_true(corked(d->tx) < pc->cork_bytes &&
				    corked(d->out) < pc->cork_bytes);
		assert_int_equal(sk_psock(d->in)->msg_tot_len, 0);
		assert_int_equal(sk_psock(d->rx)->msg_tot_len, 0);
	}
	assert_true(px.bp.msg->runs > 0);
}

/* Pristine 6.12.117: the proxy's splice sees an empty receive queue and
 * moves nothing; recv() on the same socket has every byte (the seed's bug). */
static void run_unpatched(const struct proxy_case *pc)
{
	u32 rng = 0x5eed1234;
	struct dir *d = &px.up;

	for (int i = 0; i < pc->msgs && i < 4; i++)
		send_msg(d, msg_size(pc, &rng));
	assert_int_equal(sim_splice_read(d->in, d->pipe, 1 << 20, SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(sim_pipe_nr_bufs(d->pipe), 0);
	/* the control: recv() from the proxy's socket */
	d->rx = d->in;
	drain(d);
	assert_int_equal(d->received + corked(d->tx), d->sent);
	assert_int_equal(px.s->sk_rmem_alloc.counter, 0);	/* nothing reached S */
}

static void test_proxy_case(void **state)
{
	const struct proxy_case *pc = *state;

	proxy_setup(pc);
	if (SIM_LEVEL_AT_LEAST(COPY))
		run_patched(pc);
	else
		run_unpatched(pc);
	proxy_teardown();
}

/* Blocking splice on pristine 6.12.117 with data queued: sleeps forever
 * (Go's io.Copy, which waits in the netpoller, never wakes). The sim
 * counts the hang instead of sleeping. */
static void test_proxy_blocking_splice_unpatched_hangs(void **state)
{
	static const struct proxy_case pc = { "blocking", 1000, 1, 0, 0, PIPE_DEF_BUFFERS };

	(void)state;
	proxy_setup(&pc);
	send_msg(&px.up, 1000);
	sim_set_nonblock(px.p1, false);
	if (SIM_LEVEL_AT_LEAST(COPY)) {
		assert_int_equal(sim_splice_read(px.p1, px.up.pipe, 4096, 0), 1000);
		assert_int_equal(sim_splice_to_socket(px.up.pipe, px.p2, 1000, 0), 1000);
		px.up.moved = 1000;
		drain(&px.up);
		assert_int_equal(px.up.received, 1000);
	} else {
		sim_expect_hangs(1);
		sim_splice_read(px.p1, px.up.pipe, 4096, 0);
		assert_int_equal(sim_hangs(), 1);
		assert_int_equal(sk_psock(px.p1)->msg_tot_len, 1000);
	}
	proxy_teardown();
}

/* fixes/0001: a full cork is flushed, not failed with -ENOSPC. Client and
 * server send one byte each in turn: both corks take their bytes from
 * current->task_frag, so no two elements of a cork are contiguous and
 * the 18th byte finds a cork of MAX_MSG_FRAGS elements. 6.12.117 fails
 * that send() with -ENOSPC and flushes nothing. */
static void test_proxy_cork_full_send_flushes(void **state)
{
	static const struct proxy_case pc = { "cork_64", 1, 200, 0, 64, PIPE_DEF_BUFFERS };
	int n;

	(void)state;
	proxy_setup(&pc);
	if (SIM_LEVEL_AT_LEAST(COPY)) {
		run_patched(&pc);
		proxy_teardown();
		return;
	}
	for (int i = 0; i < MAX_MSG_FRAGS; i++) {
		assert_int_equal(sim_send_pattern(px.c, 1, i, 1, MSG_DONTWAIT), 1);
		assert_int_equal(sim_send_pattern(px.s, 2, i, 1, MSG_DONTWAIT), 1);
	}
	assert_true(sk_msg_full(sk_psock(px.c)->cork));
	n = sim_send_pattern(px.c, 1, MAX_MSG_FRAGS, 1, MSG_DONTWAIT);
	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		assert_int_equal(n, -ENOSPC);
		assert_int_equal(corked(px.c), MAX_MSG_FRAGS);		/* not flushed */
		assert_int_equal(sk_psock(px.p1)->msg_tot_len, 0);
		proxy_teardown();
		return;
	}
	/* the fix without the splice: the full cork goes to P1, the new byte
	 * starts the next cork; P1 reads the flushed bytes with recv() */
	assert_int_equal(n, 1);
	assert_int_equal(corked(px.c), 1);
	assert_int_equal(sk_psock(px.p1)->msg_tot_len, MAX_MSG_FRAGS);
	assert_int_equal(atomic_read(&px.p1->sk_rmem_alloc), MAX_MSG_FRAGS);
	assert_int_equal(sim_recv(px.p1, px.up.rbuf, sizeof(px.up.rbuf), MSG_DONTWAIT),
			 MAX_MSG_FRAGS);
	assert_pattern(px.up.rbuf, 1, 0, MAX_MSG_FRAGS);
	assert_int_equal(sk_psock(px.p1)->msg_tot_len, 0);
	assert_int_equal(atomic_read(&px.p1->sk_rmem_alloc), 0);
	proxy_teardown();
}

/* fixes/0002: a send appends to a cork after the data the cork holds. With
 * apply 300 and cork 200, a 4650-byte send goes out 300 bytes at a time and
 * its last 150 bytes are corked, with sg.copybreak still at 4650. 6.12.117
 * then copies the next send's first 174 bytes at offset 4650 of the
 * element, leaves 4500 bytes of it unwritten, and send() returns 9174 for
 * 4674 bytes: the count splice_to_socket() trusts on the proxy's hop. */
static void test_proxy_cork_after_apply_appends_at_tail(void **state)
{
	static const struct proxy_case pc = { "apply_300_cork_200", 0, 0, 300, 200, PIPE_DEF_BUFFERS };
	int n;

	(void)state;
	proxy_setup(&pc);
	assert_int_equal(sim_send_pattern(px.c, 1, 0, 4650, MSG_DONTWAIT), 4650);
	assert_int_equal(sk_psock(px.p1)->msg_tot_len, 4500);
	assert_int_equal(corked(px.c), 150);
	n = sim_send_pattern(px.c, 1, 4650, 4674, MSG_DONTWAIT);
	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		assert_int_equal(n, 9174);	/* more than it was given */
		proxy_teardown();
		return;
	}
	assert_int_equal(n, 4674);
	px.up.sent = 4650 + 4674;
	px.up.rx = px.up.in;
	drain(&px.up);
	assert_int_equal(px.up.received + corked(px.c), px.up.sent);
	assert_true(corked(px.c) < 200);
	proxy_teardown();
}

/* fixes/0003: a cork redirected with apply_bytes smaller than the cork keeps
 * the rest. With apply 700 and cork 3000, the 3000 corked bytes of six
 * 500-byte sends go out 700 at a time; the rest is corked again. 6.12.117
 * sends 700 and frees the other 2300, which send() reported as sent. */
static void test_proxy_cork_apply_keeps_rest(void **state)
{
	static const struct proxy_case pc = { "apply_700_cork_3000", 0, 48, 700, 3000, 2 };

	(void)state;
	proxy_setup(&pc);
	for (int i = 0; i < 6; i++)
		send_msg(&px.up, 500);
	assert_int_equal(px.up.sent, 3000);
	assert_int_equal(sk_psock(px.p1)->msg_tot_len, 700);
	if (!SIM_LEVEL_AT_LEAST(FIXES)) {
		/* bytes 700..2999 are nowhere */
		assert_int_equal(corked(px.c), 0);
		assert_int_equal(atomic_read(&px.p1->sk_rmem_alloc), 700);
		px.up.rx = px.up.in;
		drain(&px.up);
		assert_int_equal(px.up.received, 700);
		proxy_teardown();
		return;
	}
	assert_int_equal(corked(px.c), 2300);
	/* the rest waits for the 700 bytes the cork still lacks (fixes/0004
	 * sets this once the cork exists, also for a detached rest) */
	assert_int_equal(sk_psock(px.c)->cork_bytes, 700);
	proxy_teardown();
}

/* The verdict of the fixes/0003 tests below: runs 1 and 2 (the first send,
 * which corks, and the flush of the 3000-byte cork) redirect 700 bytes at a
 * time with cork 3000; from run 3, the rest of the cork, @later decides. */
static enum sk_action later_verdict;
static int then_runs;

static unsigned int msg_then(const struct bpf_prog *prog, void *ctx)
{
	struct sk_msg *msg = ctx;
	const struct sim_bypass *bp = prog->priv;
	struct sim_tuple key = sim_sk_tuple(msg->sk, true);

	if (++then_runs > 2) {
		/* a msg keeps the cork_bytes an earlier run set: clear it */
		bpf_msg_cork_bytes(msg, 0);
		return later_verdict;
	}
	bpf_msg_apply_bytes(msg, 700);
	bpf_msg_cork_bytes(msg, 3000);
	return bpf_msg_redirect_hash(msg, bp->hash, &key, BPF_F_INGRESS);
}

static void cork_rest_setup(enum sk_action later)
{
	static const struct proxy_case pc = { "rest", 0, 0, 0, 0, PIPE_DEF_BUFFERS };

	later_verdict = later;
	then_runs = 0;
	next_msg_fn = msg_then;
	proxy_setup(&pc);
	for (int i = 0; i < 5; i++)
		send_msg(&px.up, 500);
	assert_int_equal(corked(px.c), 2500);
}

/* fixes/0003: the verdict on the rest of a cork drops it. The rest is freed
 * (the ledger checks the kept cork is too), this send still counts its own
 * 500 bytes, which went into the cork and out with its first 700 bytes. */
static void test_proxy_cork_rest_dropped(void **state)
{
	(void)state;
	cork_rest_setup(SK_DROP);
	assert_int_equal(sim_send_pattern(px.c, 1, 2500, 500, MSG_DONTWAIT), 500);
	assert_int_equal(sk_psock(px.p1)->msg_tot_len, 700);
	assert_int_equal(corked(px.c), 0);
	assert_int_equal(px.c->sk_wmem_queued, 0);
	px.up.rx = px.up.in;
	drain(&px.up);
	assert_int_equal(px.up.received, 700);
	proxy_teardown();
}

/* splice/0003: a splice that stops at a full pipe after consuming a whole
 * element moves the msg's sg.start past it, so the next splice goes on
 * with the next element. A 2000-byte message whose two elements straddle
 * a page fragment boundary, through a one-buffer pipe (zero-copy: one
 * element per pipe buffer). Before the fix the second splice met the
 * consumed, zero-length element and failed with -EFAULT. */
static void test_proxy_splice_resumes_after_full_pipe(void **state)
{
	static const struct proxy_case pc = { "resume", 0, 0, 0, 0, 1 };
	struct page_frag *pfrag;
	struct sk_msg *msg;
	size_t base;
	ssize_t n;

	(void)state;
	proxy_setup(&pc);
	/* leave 768 bytes in the task's page fragment (sk_page_frag()); the
	 * first message stays queued, so the fragment is not recycled */
	pfrag = &current->task_frag;
	send_msg(&px.up, (pfrag->page ? pfrag->size - pfrag->offset : 32768) - 768);
	base = px.up.sent;
	send_msg(&px.up, 2000);
	msg = sk_psock_next_msg(sk_psock(px.p1), sk_psock_peek_msg(sk_psock(px.p1)));
	assert_non_null(msg);
	assert_int_equal(msg->sg.size, 2000);
	assert_int_equal(sk_msg_elem(msg, msg->sg.start)->length, 768);
	if (!SIM_LEVEL_AT_LEAST(COPY)) {
		assert_int_equal(sim_splice_read(px.p1, px.up.pipe, 4096, SPLICE_F_NONBLOCK), -EAGAIN);
		px.up.rx = px.up.in;
		drain(&px.up);
		assert_int_equal(px.up.received, px.up.sent);
		proxy_teardown();
		return;
	}
	for (size_t off = 0; off < px.up.sent; off += n) {
		n = sim_splice_read(px.p1, px.up.pipe, 65536, SPLICE_F_NONBLOCK);
		if (n <= 0)
			fail_msg("splice at byte %zu of %zu: %zd", off, px.up.sent, n);
		assert_int_equal(sim_pipe_read(px.up.pipe, px.up.rbuf, sizeof(px.up.rbuf)), n);
		assert_pattern(px.up.rbuf, 1, off, n);
		if (off == base && SIM_LEVEL_AT_LEAST(FULL))
			assert_int_equal(n, 768);	/* one element per buffer */
	}
	assert_int_equal(sk_psock(px.p1)->msg_tot_len, 0);
	assert_int_equal(atomic_read(&px.p1->sk_rmem_alloc), 0);
	proxy_teardown();
}

#define SWEEP(sz, n) { "sweep_" #sz, sz, n, 0, 0, PIPE_DEF_BUFFERS }

static const struct proxy_case cases[] = {
	SWEEP(1, 8), SWEEP(2, 8), SWEEP(63, 8), SWEEP(64, 8), SWEEP(100, 8),
	SWEEP(1000, 8), SWEEP(4095, 4), SWEEP(4096, 4), SWEEP(4097, 4),
	SWEEP(16384, 4), SWEEP(65535, 3), SWEEP(65536, 3), SWEEP(65537, 3),
	SWEEP(131072, 2), SWEEP(262144, 2),
	{ "mixed", 0, 64, 0, 0, PIPE_DEF_BUFFERS },
	{ "mixed_pipe_1buf", 0, 48, 0, 0, 1 },
	{ "mixed_pipe_2bufs", 0, 48, 0, 0, 2 },
	{ "sweep_262144_pipe_1buf", 262144, 1, 0, 0, 1 },
	{ "sweep_65537_pipe_2bufs", 65537, 2, 0, 0, 2 },
	{ "mixed_apply_1000", 0, 48, 1000, 0, PIPE_DEF_BUFFERS },
#if SIM_LEVEL_AT_LEAST(FIXES)
	/* apply_bytes with cork_bytes: 6.12.117 corrupts and loses data
	 * (see the fixes/0002 and fixes/0003 tests below) */
	{ "mixed_apply_700_cork_3000_pipe_2bufs", 0, 48, 700, 3000, 2 },
	{ "mixed_apply_300_cork_200", 0, 48, 300, 200, PIPE_DEF_BUFFERS },
#endif
	/* One msg per byte, and the accounting invariants walk every queued
	 * msg after each step, 16 msgs moved per splice: a 44 KiB send cost
	 * minutes. Two pages still span elements and fill the pipe often. */
	{ "mixed_apply_1", 0, 16, 1, 0, PIPE_DEF_BUFFERS, 8192 },
	{ "sweep_65536_apply_4096", 65536, 2, 4096, 0, PIPE_DEF_BUFFERS },
	{ "mixed_cork_4096", 0, 48, 0, 4096, PIPE_DEF_BUFFERS },
	{ "mixed_cork_100", 0, 48, 0, 100, PIPE_DEF_BUFFERS },
};

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 6];
	static char names[ARRAY_SIZE(cases)][64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(names[i], sizeof(names[i]), "test_proxy_%s", cases[i].name);
		tests[i] = (struct CMUnitTest){
			.name = names[i], .test_func = test_proxy_case,
			.setup_func = sim_setup, .teardown_func = sim_teardown,
			.initial_state = (void *)&cases[i],
		};
	}
	tests[ARRAY_SIZE(cases)] = (struct CMUnitTest)
		SIM_TEST(test_proxy_blocking_splice_unpatched_hangs);
	tests[ARRAY_SIZE(cases) + 1] = (struct CMUnitTest)
		SIM_TEST(test_proxy_cork_full_send_flushes);
	tests[ARRAY_SIZE(cases) + 2] = (struct CMUnitTest)
		SIM_TEST(test_proxy_cork_apply_keeps_rest);
	tests[ARRAY_SIZE(cases) + 3] = (struct CMUnitTest)
		SIM_TEST(test_proxy_splice_resumes_after_full_pipe);
	tests[ARRAY_SIZE(cases) + 4] = (struct CMUnitTest)
		SIM_TEST(test_proxy_cork_after_apply_appends_at_tail);
	tests[ARRAY_SIZE(cases) + 5] = (struct CMUnitTest)
		SIM_TEST(test_proxy_cork_rest_dropped);
	return SIM_RUN_GROUP_INVARIANTS("tcp_bpf_proxy", tests);
}
