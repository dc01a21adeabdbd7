// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz/fuzz_world.c: the socket/psock/pipe world under libFuzzer
 * (and replayed by the gcc build, tests/fuzz/replay.c).
 *
 * The world: a loopback pair A <-> B and a plain pair C <-> D. A and B sit
 * in a SOCKMAP (slots 0 and 1) whose sk_msg verdict the input chooses; B
 * is non-blocking; B reads with recv() or with splice into a pipe plus
 * read(pipe). Whatever the verdict (SK_PASS: over TCP; redirect to B's
 * ingress), every byte A sends is for B, so the oracle is exact:
 *
 *   - after every operation: the bytes B has received are, in order, a
 *     prefix of the bytes A's send() calls reported as sent;
 *   - at the end, with no injected allocation failure and no drop verdict,
 *     after draining B: received + what A's cork still holds == sent;
 *   - with SK_DROP, B receives nothing;
 *   - the world's own checks at teardown: the ownership ledger (no leak, no
 *     double free, no reference on slab memory), socket and protocol
 *     memory accounting back to zero, no WARN, no hang.
 * A violation prints one line "sockmap-sim: oracle: ..." and traps.
 *
 * Modelled 6.12.117 behaviour: below patch 10 of the series (the pristine
 * files, patches 1-4), cork_bytes together with apply_bytes corrupts and
 * loses data in tcp_bpf_sendmsg() (the bugs patches 9 and 10 fix, shown on
 * the booted 6.12.117 by make conformance); for those worlds the data
 * checks are off and only the world's own checks run. At every level, a
 * corked msg whose redirect fails (an allocation failure at the target)
 * is freed while send() reports success (tcp_bpf_send_verdict() sets ret
 * to 0 for a cork whatever the redirect returned): once a fault was
 * injected into a corking world, the data checks are off too.
 *
 * Input layout (all sizes clamped, at most MAX_OPS operations):
 *   byte 0  the world: bits 0-1 verdict (0 pass, 1 redirect ingress to B,
 *           2 drop, 3 redirect ingress to B), bit 2 B splices (else recv),
 *           bits 3-4 apply_bytes {0, 1, 700, 4096}, bits 5-6 cork_bytes
 *           {0, 1, 100, 3000}, bit 7 a one-buffer pipe (else 16)
 *   then operations, an opcode byte (modulo OP_NR) and its arguments:
 *     OP_SEND       u16 len (0 -> 1)        A sends len bytes (MSG_DONTWAIT)
 *     OP_READ       u16 len                 B reads (recv or splice + pipe read)
 *     OP_PEEK       u16 len                 B recv(MSG_PEEK): must match too
 *     OP_OTHER      u8 len                  C sends to D (shares the page frag)
 *     OP_WORK                               run deferred work
 *     OP_FIONREAD                           FIONREAD on B: >= 0, <= unread
 *     OP_FAIL       u8 kind, u8 skip, u8 n  fail allocations (sim_fail_alloc)
 *     OP_DRAIN_OTHER                        D reads everything
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/ledger.h>
#include <sim/pipe.h>
#include <sim/workqueue.h>

#define MAX_OPS		64
#define MAX_STREAM	(1u << 20)

enum { OP_SEND, OP_READ, OP_PEEK, OP_OTHER, OP_WORK, OP_FIONREAD, OP_FAIL,
       OP_DRAIN_OTHER, OP_NR };

static const u32 apply_tab[] = { 0, 1, 700, 4096 };
static const u32 cork_tab[] = { 0, 1, 100, 3000 };
static const enum sim_kind fail_kinds[] = { SIM_PAGE, SIM_SLAB, SIM_SKB, SIM_SK_MSG, SIM_SOCK };

/* SOCKMAP_SIM_FUZZ_TRACE=1: print every operation and its result (to
 * read a reproducer). */
static bool trace;
#define TRACE(...) do { if (trace) fprintf(stderr, "  fuzz: " __VA_ARGS__); } while (0)

static struct {
	struct sock *a, *b, *c, *d;
	struct bpf_map *map;
	struct pipe_inode_info *pipe;
	struct sim_verdict v;
	bool splice, drop, faults, cork_bugs, corking;
	size_t sent, received;
	unsigned char *buf;
} w;

static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 8) * 7 + 1);
}

#define oracle(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "sockmap-sim: oracle: " __VA_ARGS__); \
			fprintf(stderr, "\n");				\
			__builtin_trap();				\
		}							\
	} while (0)

struct input {
	const u8 *p;
	size_t n;
};

static unsigned int take(struct input *in, int bytes)
{
	unsigned int v = 0;

	for (int i = 0; i < bytes; i++) {
		v = v << 8 | (in->n ? *in->p : 0);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

static size_t corked(struct sock *sk)
{
	struct sk_psock *psock = sk_psock(sk);

	return psock && psock->cork ? psock->cork->sg.size : 0;
}

/* B got @n bytes in w.buf: they must continue A's stream. */
static void got(size_t n, bool peek)
{
	if (w.cork_bugs) {
		w.received += peek ? 0 : n;
		return;
	}
	for (size_t i = 0; i < n; i++)
		oracle(w.buf[i] == pat(w.received + i),
		       "B's byte %zu is 0x%02x, A sent 0x%02x", w.received + i, w.buf[i],
		       pat(w.received + i));
	oracle(w.received + n <= w.sent, "B received %zu bytes, A sent only %zu",
	       w.received + n, w.sent);
	oracle(!w.drop || !n, "B received %zu bytes under SK_DROP", n);
	if (!peek)
		w.received += n;
}

static void b_read(size_t len)
{
	long n;

	if (!len)
		len = 1;
	if (!w.splice) {
		n = sim_recv(w.b, w.buf, len, MSG_DONTWAIT);
		TRACE("recv %zu -> %ld\n", len, n);
		if (n > 0)
			got(n, false);
		return;
	}
	n = sim_splice_read(w.b, w.pipe, len, SPLICE_F_NONBLOCK);
	TRACE("splice %zu -> %ld\n", len, n);
	oracle(n <= (long)len, "splice of %zu returned %ld", len, n);
	/* read what the pipe holds (all of it, or at most len) */
	n = sim_pipe_read(w.pipe, w.buf, MAX_STREAM);
	if (n > 0)
		got(n, false);
}

static void world_begin(u8 cfg)
{
	memset(&w.v, 0, sizeof(w.v));
	w.sent = w.received = 0;
	w.faults = false;
	sim_world_begin();
	sim_tcp_pair(&w.a, &w.b, "A", "B");
	sim_tcp_pair(&w.c, &w.d, "C", "D");
	sim_set_nonblock(w.b, true);
	sim_set_nonblock(w.d, true);
	w.map = sim_sockmap_create(2);
	w.splice = cfg & 4;
	w.drop = (cfg & 3) == 2;
	w.corking = cfg >> 5 & 3;
	w.cork_bugs = SIM_SERIES_APPLIED < 10 && w.corking && (cfg >> 3 & 3);
	w.v = (struct sim_verdict){
		.action = (cfg & 3) == 0 ? SIM_PASS : w.drop ? SIM_DROP : SIM_REDIRECT,
		.map = w.map, .key = 1, .flags = BPF_F_INGRESS,
		.apply_bytes = apply_tab[(cfg >> 3) & 3],
		.cork_bytes = cork_tab[(cfg >> 5) & 3],
	};
	oracle(!sim_prog_attach(sim_prog_msg_verdict(&w.v), w.map, BPF_SK_MSG_VERDICT),
	       "attach failed");
	oracle(!sim_map_update(w.map, 0, w.a, BPF_ANY), "map update A failed");
	oracle(!sim_map_update(w.map, 1, w.b, BPF_ANY), "map update B failed");
	w.pipe = sim_pipe_create(cfg & 0x80 ? 1 : PIPE_DEF_BUFFERS);
}


static void world_end(void)
{
	size_t before;

	for (int k = 0; k < SIM_KIND_NR; k++)	/* faults off for the drain */
		sim_fail_alloc(k, 0, 0);
	sim_run_work();
	do {
		before = w.received;
		b_read(MAX_STREAM);
	} while (w.received != before);
	if (!w.faults && !w.drop && !w.cork_bugs)
		oracle(w.received + corked(w.a) == w.sent,
		       "A sent %zu bytes, B received %zu, A's cork holds %zu: %zu lost",
		       w.sent, w.received, corked(w.a), w.sent - w.received - corked(w.a));
	sim_pipe_close(w.pipe);
	sim_close(w.a);
	sim_close(w.b);
	sim_close(w.c);
	sim_close(w.d);
	sim_map_close(w.map);
	oracle(!sim_world_end(), "the world's teardown checks failed (see above)");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sim_init();
	w.buf = malloc(MAX_STREAM);
	trace = getenv("SOCKMAP_SIM_FUZZ_TRACE");
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };
	unsigned char *sendbuf = w.buf;

	if (!size)
		return 0;
	world_begin(take(&in, 1));
	for (int op = 0; op < MAX_OPS && in.n; op++) {
		unsigned int len;
		long n;
		int val;

		switch (take(&in, 1) % OP_NR) {
		case OP_SEND:
			len = take(&in, 2) + 1;
			for (unsigned int i = 0; i < len; i++)
				sendbuf[i] = pat(w.sent + i);
			n = sim_send(w.a, sendbuf, len, MSG_DONTWAIT);
			TRACE("send %u -> %ld (cork %zu)\n", len, n, corked(w.a));
			/* 6.12.117 (patch 9): may return more than it was given */
			oracle(n <= (long)len || w.cork_bugs, "send of %u returned %ld", len, n);
			if (n > 0)
				w.sent += n;
			break;
		case OP_READ:
			b_read(take(&in, 2));
			break;
		case OP_PEEK:
			len = take(&in, 2) + 1;
			n = sim_recv(w.b, w.buf, len, MSG_DONTWAIT | MSG_PEEK);
			if (n > 0)
				got(n, true);
			break;
		case OP_OTHER:
			len = take(&in, 1) + 1;
			memset(sendbuf, 0x5a, len);
			sim_send(w.c, sendbuf, len, MSG_DONTWAIT);
			break;
		case OP_WORK:
			sim_run_work();
			break;
		case OP_FIONREAD:
			oracle(!sim_fionread(w.b, &val), "FIONREAD failed");
			oracle(val >= 0 && (size_t)val <= w.sent - w.received,
			       "FIONREAD %d with %zu bytes unread", val, w.sent - w.received);
			break;
		case OP_FAIL: {
			enum sim_kind kind = fail_kinds[take(&in, 1) % ARRAY_SIZE(fail_kinds)];
			int skip = take(&in, 1) % 8, count = take(&in, 1) % 4;

			sim_fail_alloc(kind, skip, count);
			TRACE("fail %s skip %d count %d\n", sim_kind_name(kind), skip, count);
			w.faults |= count > 0;
			w.cork_bugs |= count > 0 && w.corking;
			break;
		}
		case OP_DRAIN_OTHER:
			while (sim_recv(w.d, w.buf, MAX_STREAM, MSG_DONTWAIT) > 0)
				;
			break;
		}
	}
	world_end();
	return 0;
}
