// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: the benchmark driver. One binary per series level, built in
 * the bench variant (bench/bench.mk: -O2, no sanitizers, the sim's own
 * bookkeeping compiled out, <sim/ledger.h> SIM_BOOKKEEPING); bench/run.py
 * runs the three of them and makes the table, the CSV and the plots.
 *
 * Rows: a path and a consumer, for each message size.
 *   TX->RX  A sends; A's sk_msg verdict redirects to B's ingress; B consumes
 *   RX->RX  A2 sends to A; A's sk_skb verdict redirects to B's ingress;
 *           B's backlog runs; B consumes (the seed's rx-verdict-ingress)
 *   PROXY   the seed's proxy: C sends to P1, the proxy moves the message to
 *           P2 (whose sk_msg verdict puts it on S's ingress), S receives;
 *           only the proxy's hop is measured
 * Consumers: "read" (recv(); on the proxy hop recv() from P1 then send()
 * to P2, as io.Copy does without splice) and "splice": tcp_bpf's
 * splice_read at this binary's level (splice-zc: full series, splice-cp:
 * level copy, splice-unpatched: the pristine files, where splice moves
 * nothing), then read(pipe) (on the proxy hop: splice(pipe -> P2)).
 * The scenarios are tests/scenario.h, as make run's (tests/report.c).
 *
 * Modes (stdout is CSV, one line per row; stderr progress):
 *   time        --runs N timed runs per row, each moving about --bytes
 *               bytes (at least 64 messages): one line per run with the
 *               nanoseconds of process CPU time in the measured section
 *               (--reverse 1: splice rows before read rows; --verify 1:
 *               every byte of every message checked, as bench-smoke does)
 *   callgrind   one run of 64 measured messages per row, collection on
 *               only around the measured section, one callgrind dump per
 *               row (named by the row); run under valgrind --tool=callgrind
 *               --collect-atstart=no
 * The measured section: TX->RX, RX->RX the messages' sends and consumes,
 * one section per run; PROXY the proxy's hops, one section per batch.
 *               (--queued 1, make experiments: then the consumer-behind
 *               rows, "read-q" and "<splice>-q": 64 messages queued on B,
 *               then taken in as few calls as possible, see run_queued())
 *   granularity bytes per splice call and pipe slots used: messages
 *               queued on B, then splice() into a 16-slot pipe (drained
 *               between calls) until all have moved; and the same bytes
 *               sent on a plain TCP connection (tcp_splice_read)
 * Size "mix" (0 in the driver): the messages cycle through MIX_SIZES,
 * small and large interleaved (make experiments: the copybreak's mixed
 * rows). Each cg and time line ends with what sim_stats counted in the
 * measured section (allocations, lock_sock(), sk_data_ready, sleepers
 * woken, work items run, page references taken, pipe buffers filled; see
 * emit()): counts, not timings, the same in every run. Deferred work runs only when the driver
 * says: after each send (send_msg()) and whenever a consumer finds less
 * than a message (consume_all()), so the work figures are per message.
 * Every row checks that each byte arrived intact, in order (or, on the
 * pristine files, that splice moved nothing) and that the world tore
 * down with no leak; a failed check is exit status 1 and a line naming
 * the row. No timing is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <malloc.h>
#include <valgrind/callgrind.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/ledger.h>
#include <sim/pipe.h>
#include <sim/series.h>
#include <sim/workqueue.h>
#include "../tests/scenario.h"

#define WARMUP_MSGS	4	/* before measuring: page frags, first allocations */
#define CG_MSGS		64	/* measured messages per callgrind row */
#define MIN_MSGS	64

/* size "mix": small messages between larger ones, the copybreak's worst
 * and best cases in one stream (mean 835 bytes) */
static const size_t mix_sizes[] = { 64, 64, 1024, 64, 200, 4096, 64, 100 };
#define MIX_MAX		4096
#define MIX_MEAN	835

/* The size of message @m of a row of size @size (0: "mix"). */
static size_t msg_len(size_t size, u64 m)
{
	return size ? size : mix_sizes[m % ARRAY_SIZE(mix_sizes)];
}

/* The largest message of a row. */
static size_t max_len(size_t size)
{
	return size ? size : MIX_MAX;
}

static const char *size_name(size_t size, char *buf, size_t n)
{
	if (size)
		snprintf(buf, n, "%zu", size);
	else
		snprintf(buf, n, "mix");
	return buf;
}

static const char *level_name(void)
{
	static const char *const names[] = { "pristine", "fixes", "copy", "full" };

	return names[SIM_SERIES_LEVEL];
}

static const char *splice_consumer(void)
{
	if (SIM_LEVEL_AT_LEAST(FULL))
		return "splice-zc";
	if (SIM_LEVEL_AT_LEAST(COPY))
		return "splice-cp";
	return "splice-unpatched";
}

enum mode { MODE_TIME, MODE_CALLGRIND, MODE_GRAN };

struct row {
	enum path path;
	bool splice;
	size_t size;
	/* results */
	u64 msgs, bytes, ns;
	bool data_ok, moved_nothing, ledger_ok;
	struct sim_stats st;	/* counted in the measured section */
};

/* Add what sim_stats counted since @before to @acc. */
static void stats_acc(struct sim_stats *acc, const struct sim_stats *before)
{
	const u64 *now = (const u64 *)&sim_stats, *b = (const u64 *)before;
	u64 *a = (u64 *)acc;

	for (size_t i = 0; i < sizeof(*acc) / sizeof(u64); i++)
		a[i] += now[i] - b[i];
}

static const char *row_consumer(const struct row *r)
{
	return r->splice ? splice_consumer() : "read";
}

/*
 * The clock: CPU time of the process (every thread: a sim task's work
 * counts), so that time the machine gives to other jobs is not counted.
 * Read at the start and end of a measured section of many messages, not
 * per message.
 */
static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The measured section starts / ends: the clock, and callgrind's
 * collection (a no-op outside valgrind). */
static u64 measure_on(enum mode mode)
{
	if (mode == MODE_CALLGRIND)
		CALLGRIND_TOGGLE_COLLECT;
	return now_ns();
}

static u64 measure_off(enum mode mode, u64 t0)
{
	u64 t = now_ns() - t0;

	if (mode == MODE_CALLGRIND)
		CALLGRIND_TOGGLE_COLLECT;
	return t;
}

static bool verify_all;	/* --verify: every byte of every message (bench-smoke) */

/*
 * The message: the pattern at offset 0 (pat()), its first 8 bytes
 * overwritten with its sequence number (messages of 8 bytes or more), so
 * the measured loop only stamps and checks 8 bytes per message; every
 * byte is checked in the warm-up, for the last message of each run, and
 * for every message with --verify.
 */
static void fill(unsigned char *buf, size_t len, u64 off)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pat(off + i);
}

static void stamp(unsigned char *buf, size_t len, u64 seq)
{
	if (len >= sizeof(seq))
		memcpy(buf, &seq, sizeof(seq));
}

static bool check(const unsigned char *in, size_t len, u64 seq, bool all)
{
	size_t i = 0;

	if (len >= sizeof(seq)) {
		if (memcmp(in, &seq, sizeof(seq)))
			return false;
		i = sizeof(seq);
	}
	if (all)
		for (; i < len; i++)
			if (in[i] != pat(i))
				return false;
	return true;
}

/*
 * consume() until @want bytes arrived, running the due work between
 * tries. A message that does not fit in B's receive buffer (RX->RX, 128
 * KiB and more) stops B's backlog at -EAGAIN until B has read; the
 * backlog retries one jiffy later (sk_psock_backlog's delayed work), so
 * virtual time moves on by a jiffy when nothing else is due.
 */
static size_t consume_all(struct sock *tx, struct sock *rx, struct pipe_inode_info *pipe,
			  unsigned char *in, size_t want)
{
	size_t got = consume(rx, pipe, in, want);

	for (int round = 0; got < want && round < 64; round++) {
		if (!sim_run_work()) {
			if (sim_work_pending())
				sim_advance_jiffies(1);
			else if (sim_outq(tx))
				sim_tcp_timers_fire();	/* what the sender held back */
			else
				break;
		}
		got += consume(rx, pipe, in + got, want - got);
	}
	return got;
}

/*
 * TX->RX / RX->RX: @warm unmeasured messages, then @n measured in one
 * section (send + consume each). Ends early if a message does not arrive
 * whole.
 */
static void run_ingress(struct row *r, enum mode mode, u64 warm, u64 n)
{
	unsigned char *buf = malloc(max_len(r->size)), *in = malloc(max_len(r->size));
	struct sock *tx, *rx;
	struct pipe_inode_info *pipe = NULL;
	struct sim_stats before = {};
	u64 t0 = 0;

	sim_world_begin();
	setup(r->path, 0);
	tx = r->path == TXRX ? w.a : w.a2;
	rx = w.b;
	if (r->splice) {
		pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
		sim_set_nonblock(rx, true);
	}
	fill(buf, max_len(r->size), 0);
	r->data_ok = true;
	for (u64 m = 0; m < warm + n; m++) {
		bool measured = m >= warm, sent;
		size_t got, len = msg_len(r->size, m);

		if (m == warm) {
			before = sim_stats;
			t0 = measure_on(mode);
		}
		stamp(buf, len, m);
		sent = send_msg(r->path, buf, len);
		got = consume_all(tx, rx, pipe, in, len);
		if (measured) {
			r->msgs++;
			r->bytes += got;
		}
		if (!sent || got != len) {
			r->moved_nothing = r->splice && !SIM_LEVEL_AT_LEAST(COPY) && !got;
			r->data_ok = false;
			break;
		}
		if (!check(in, got, m, !measured || verify_all || m == warm + n - 1))
			r->data_ok = false;
	}
	if (r->msgs) {
		r->ns = measure_off(mode, t0);
		stats_acc(&r->st, &before);
	}
	if (pipe)
		sim_pipe_close(pipe);
	r->ledger_ok = sim_world_end() == 0;
	free(buf);
	free(in);
}

/* The proxy's hop without splice: recv() from P1, send() to P2. */
static size_t proxy_hop_read(struct proxy *px, unsigned char *tmp, size_t size, bool *short_send)
{
	size_t moved = 0;

	while (moved < size) {
		int n = sim_recv(px->p1, tmp, size - moved, MSG_DONTWAIT);

		if (n <= 0)
			break;
		if (sim_send(px->p2, tmp, n, MSG_DONTWAIT) != n)
			*short_send = true;
		moved += n;
	}
	return moved;
}

/* Messages per proxy batch: up to 64 KiB queued on P1, at most 64. */
static u64 proxy_batch(size_t size)
{
	u64 b = 65536 / size;

	return b < 1 ? 1 : b > 64 ? 64 : b;
}

/*
 * The proxy: in batches, C sends a batch to P1 (not measured), the proxy
 * moves each message of it to P2 (measured: only the hop), S receives the
 * batch (not measured). @warm messages first (one batch at a time, not
 * measured), then @n measured.
 */
static void run_proxy(struct row *r, enum mode mode, u64 warm, u64 n)
{
	size_t maxl = max_len(r->size);
	unsigned char *buf = malloc(maxl), *in = malloc(maxl), *tmp = malloc(maxl);
	u64 batch = proxy_batch(r->size ? r->size : MIX_MEAN), m = 0;
	bool short_send = false;
	struct proxy px;

	sim_world_begin();
	proxy_open(&px, 8);
	fill(buf, maxl, 0);
	r->data_ok = true;
	while (m < warm + n && r->data_ok) {
		bool measured = m >= warm;
		u64 k = measured ? min_t(u64, batch, warm + n - m) : 1, t0 = 0, queued = 0;
		struct sim_stats before = {};

		for (u64 j = 0; j < k; j++) {
			size_t len = msg_len(r->size, m + j);

			stamp(buf, len, m + j);
			if (sim_send(px.c, buf, len, MSG_DONTWAIT) != (int)len)
				r->data_ok = false;
			queued += len;
		}
		if (measured) {
			before = sim_stats;
			t0 = measure_on(mode);
		}
		for (u64 j = 0; j < k; j++) {
			size_t moved, len = msg_len(r->size, m + j);

			if (r->splice)
				moved = proxy_hop_splice(px.p1, px.p2, px.pipe, len, &short_send);
			else
				moved = proxy_hop_read(&px, tmp, len, &short_send);
			if (measured) {
				r->msgs++;
				r->bytes += moved;
			}
			if (moved != len) {
				r->moved_nothing = r->splice && !moved && !SIM_LEVEL_AT_LEAST(COPY) &&
						   sk_psock(px.p1)->msg_tot_len == (int)queued;
				r->data_ok = false;
				break;
			}
			queued -= len;
		}
		if (measured) {
			r->ns += measure_off(mode, t0);
			stats_acc(&r->st, &before);
		}
		if (!r->data_ok)
			break;
		for (u64 j = 0; j < k; j++, m++) {
			size_t len = msg_len(r->size, m);
			size_t got = consume(px.s, NULL, in, len);

			if (short_send || got != len ||
			    !check(in, got, m, !measured || verify_all || m == warm + n - 1))
				r->data_ok = false;
		}
	}
	r->ledger_ok = sim_world_end() == 0;
	free(buf);
	free(in);
	free(tmp);
}

static bool row_ok(const struct row *r)
{
	return r->ledger_ok && (r->data_ok || r->moved_nothing);
}

static void row_fail(const struct row *r)
{
	char sz[24];

	fprintf(stderr, "sockmap-sim: bench: %s %s %s B (level %s): %s\n",
		path_names[r->path], row_consumer(r), size_name(r->size, sz, sizeof(sz)), level_name(),
		!r->ledger_ok ? "the world did not tear down clean (leak or violation)" :
		"the bytes did not arrive intact");
}

/*
 * One row's line (stdout, CSV), named "level,path,consumer@suffix,size":
 * mode,level,path,consumer,size,run,msgs,bytes,ns,moved_nothing, then the
 * measured section's counts: allocs (pages, slab objects, skbs, sk_msgs,
 * psocks, socks),lock_sock,data_ready,wakeups,work_runs,page_get, and
 * pipe buffers filled (the sim's ledger counts them as allocations; the
 * kernel's pipe ring is allocated with the pipe). In callgrind mode the dump of the row's
 * instructions is named the same. Returns 1 if the row failed its check.
 */
static int emit(enum mode mode, struct row *r, int run, const char *suffix)
{
	char name[96], sz[24];
	u64 allocs = 0;

	snprintf(name, sizeof(name), "%s,%s,%s%s,%s", level_name(), path_names[r->path],
		 row_consumer(r), suffix, size_name(r->size, sz, sizeof(sz)));
	if (mode == MODE_CALLGRIND)
		CALLGRIND_DUMP_STATS_AT(name);
	for (int k = 0; k < SIM_KIND_NR; k++)
		if (k != SIM_PIPE_BUF)
			allocs += r->st.allocs[k];
	printf("%s,%s,%d,%llu,%llu,%llu,%d,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n",
	       mode == MODE_CALLGRIND ? "cg" : "time", name, run,
	       (unsigned long long)r->msgs, (unsigned long long)r->bytes,
	       (unsigned long long)r->ns, r->moved_nothing, (unsigned long long)allocs,
	       (unsigned long long)r->st.lock_sock, (unsigned long long)r->st.data_ready,
	       (unsigned long long)r->st.wakeups, (unsigned long long)r->st.work_runs,
	       (unsigned long long)r->st.page_get,
	       (unsigned long long)r->st.allocs[SIM_PIPE_BUF]);
	fflush(stdout);
	if (!row_ok(r)) {
		row_fail(r);
		return 1;
	}
	return 0;
}

/* Messages per timed run: about @bytes, at least MIN_MSGS. */
static u64 msgs_for(size_t size, u64 bytes)
{
	u64 n = bytes / (size ? size : MIX_MEAN);

	return n < MIN_MSGS ? MIN_MSGS : n;
}

/*
 * Granularity: @q messages of @size queued on B (TX->RX or RX->RX through
 * the map; or "tcp": B2 sends them on a plain connection, no map), then
 * splice(B -> 16-slot pipe, everything queued) until all bytes moved,
 * the pipe read empty between calls. One line: calls, bytes of the first
 * call, pipe slots used in all.
 */
static int run_gran(const char *what, size_t size, u64 q)
{
	unsigned char *buf = malloc(max_len(size)), *in = malloc(65536);
	u64 total = 0, moved = 0, first = 0, calls = 0, slots = 0, off = 0;
	char sz[24];
	struct pipe_inode_info *pipe;
	bool plain = !strcmp(what, "tcp"), data_ok = true;
	enum path p = !strcmp(what, "RX->RX") ? RXRX : TXRX;
	struct sock *rx;
	int ledger;

	sim_world_begin();
	if (plain) {
		sim_tcp_pair(&w.b, &w.b2, "B", "B2");
	} else {
		setup(p, 0);
	}
	rx = w.b;
	sim_set_nonblock(rx, true);
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	for (u64 m = 0; m < q; m++) {
		size_t len = msg_len(size, m);

		fill(buf, len, total);	/* one stream: pattern at its offset */
		total += len;
		if (plain) {
			if (sim_send(w.b2, buf, len, 0) != (int)len)
				data_ok = false;
		} else if (!send_msg(p, buf, len)) {
			data_ok = false;
		}
	}
	for (int idle = 0; moved < total && idle < 64; ) {
		ssize_t n = sim_splice_read(rx, pipe, total - moved, SPLICE_F_NONBLOCK);

		if (n <= 0) {
			/* B's backlog stopped at its receive buffer (RX->RX):
			 * it retries a jiffy later, as in consume_all() */
			idle++;
			if (!sim_run_work() && sim_work_pending())
				sim_advance_jiffies(1);
			continue;
		}
		calls++;
		if (calls == 1)
			first = n;
		slots += sim_pipe_nr_bufs(pipe);
		moved += n;
		while (n > 0) {
			ssize_t k = sim_pipe_read(pipe, in, n > 65536 ? 65536 : n);

			BUG_ON(k <= 0);
			for (ssize_t i = 0; i < k; i++)
				if (in[i] != pat(off + i))
					data_ok = false;
			off += k;
			n -= k;
		}
	}
	sim_pipe_close(pipe);
	ledger = sim_world_end();
	/* level,path,consumer,size,queued_msgs,queued_bytes,calls,first_call_bytes,bytes_moved,slots */
	printf("gran,%s,%s,%s,%s,%llu,%llu,%llu,%llu,%llu,%llu\n", level_name(), what,
	       plain ? "splice-tcp" : splice_consumer(), size_name(size, sz, sizeof(sz)),
	       (unsigned long long)q,
	       (unsigned long long)total, (unsigned long long)calls,
	       (unsigned long long)first, (unsigned long long)moved, (unsigned long long)slots);
	fflush(stdout);
	free(buf);
	free(in);
	if (ledger || (moved && (!data_ok || moved != total)) ||
	    (!moved && (plain || SIM_LEVEL_AT_LEAST(COPY)))) {
		fprintf(stderr, "sockmap-sim: bench: granularity %s %s B (level %s): %s\n",
			what, size_name(size, sz, sizeof(sz)), level_name(), ledger ? "the world did not tear down clean" :
			"the bytes did not arrive intact");
		return 1;
	}
	return 0;
}

/*
 * --queued 1 (callgrind mode; make experiments): the consumer behind, as
 * in the granularity rows, and the lazy work policy. Measured, the whole
 * path: @q messages are sent with no work run after them, then B takes
 * everything in as few calls as it can: recv() of all that is queued
 * ("read-q"), or splice(B -> 16-slot pipe) and read(pipe) until all moved
 * ("<splice consumer>-q"), running the due work only when it finds
 * nothing; what is still due at the end runs too. What a splice copybreak
 * or an ingress batch changes: how many calls, pipe buffers, page
 * references, locks and wake-ups a batch of small messages costs, with
 * the costs that move between sender and receiver all counted.
 * PROXY: C sends @q messages to P1, then the proxy's hop, in as few calls
 * as it can: recv(P1) + send(P2) of up to 64 KiB, or splice(P1 -> pipe) +
 * splice(pipe -> P2); then S receives; all measured.
 */
static void run_queued_proxy(struct row *r, enum mode mode, u64 q)
{
	unsigned char *buf = malloc(max_len(r->size)), *in = malloc(65536);
	struct sim_stats before;
	u64 total = 0, moved = 0, off = 0, t0;
	struct proxy px;

	sim_world_begin();
	proxy_open(&px, 8);
	r->data_ok = true;
	before = sim_stats;
	t0 = measure_on(mode);
	for (u64 m = 0; m < q; m++) {
		size_t len = msg_len(r->size, m);

		fill(buf, len, total);
		total += len;
		if (sim_send(px.c, buf, len, MSG_DONTWAIT) != (int)len)
			r->data_ok = false;
	}
	while (moved < total) {
		ssize_t n, k;

		if (r->splice) {
			n = sim_splice_read(px.p1, px.pipe, total - moved, SPLICE_F_NONBLOCK);
			if (n <= 0)
				break;
			k = sim_splice_to_socket(px.pipe, px.p2, n, SPLICE_F_NONBLOCK);
		} else {
			n = sim_recv(px.p1, in, min_t(u64, total - moved, 65536), MSG_DONTWAIT);
			if (n <= 0)
				break;
			k = sim_send(px.p2, in, n, MSG_DONTWAIT);
		}
		if (k != n)
			r->data_ok = false;
		moved += n;
	}
	while (off < moved) {
		size_t got = consume(px.s, NULL, in, min_t(u64, moved - off, 65536));

		if (!got)
			break;
		for (size_t i = 0; i < got; i++)
			if (in[i] != pat(off + i))
				r->data_ok = false;
		off += got;
	}
	while (sim_run_work())	/* what is still due runs inside the section */
		;
	r->ns = measure_off(mode, t0);
	stats_acc(&r->st, &before);
	r->msgs = q;
	r->bytes = moved;
	if (moved != total) {
		r->moved_nothing = r->splice && !moved && !SIM_LEVEL_AT_LEAST(COPY);
		r->data_ok = false;
	}
	if (off != moved)
		r->data_ok = false;
	r->ledger_ok = sim_world_end() == 0;
	free(buf);
	free(in);
}

static void run_queued(struct row *r, enum mode mode, u64 q)
{
	unsigned char *buf = malloc(max_len(r->size)), *in = malloc(65536);
	struct pipe_inode_info *pipe = NULL;
	struct sim_stats before;
	u64 total = 0, off = 0, t0;
	struct sock *rx;

	sim_world_begin();
	setup(r->path, 0);
	rx = w.b;
	sim_set_nonblock(rx, true);
	if (r->splice)
		pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	r->data_ok = true;
	before = sim_stats;
	t0 = measure_on(mode);
	for (u64 m = 0; m < q; m++) {
		size_t len = msg_len(r->size, m);

		fill(buf, len, total);	/* one stream: pattern at its offset */
		total += len;
		/* no work runs here: the lazy policy */
		if (sim_send(r->path == TXRX ? w.a : w.a2, buf, len, 0) != (int)len)
			r->data_ok = false;
	}
	for (int idle = 0; off < total && idle < 64; ) {
		ssize_t n;

		if (pipe)
			n = sim_splice_read(rx, pipe, total - off, SPLICE_F_NONBLOCK);
		else
			n = sim_recv(rx, in, min_t(u64, total - off, 65536), MSG_DONTWAIT);
		if (n <= 0) {
			/* B's backlog stopped at its receive buffer: as run_gran() */
			idle++;
			if (!sim_run_work() && sim_work_pending())
				sim_advance_jiffies(1);
			continue;
		}
		while (n > 0) {
			ssize_t k = pipe ? sim_pipe_read(pipe, in, n > 65536 ? 65536 : n) : n;

			BUG_ON(k <= 0);
			for (ssize_t i = 0; i < k; i++)
				if (in[i] != pat(off + i))
					r->data_ok = false;
			off += k;
			n -= k;
		}
	}
	while (sim_run_work())	/* what is still due runs inside the section */
		;
	r->ns = measure_off(mode, t0);
	stats_acc(&r->st, &before);
	r->msgs = q;
	r->bytes = off;
	if (off != total) {
		r->moved_nothing = r->splice && !off && !SIM_LEVEL_AT_LEAST(COPY);
		r->data_ok = false;
	}
	if (pipe)
		sim_pipe_close(pipe);
	r->ledger_ok = sim_world_end() == 0;
	free(buf);
	free(in);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench --mode time|callgrind|granularity [--sizes 64,256,...,mix] [--runs N] [--bytes B] [--paths TX->RX,RX->RX,PROXY] [--verify 0|1] [--reverse 0|1] [--queued 0|1]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	size_t sizes[32];
	int nsizes = 0, runs = 5, bad = 0, reverse = 0, queued = 0;
	u64 bytes = 8u << 20;
	enum mode mode = MODE_TIME;
	const char *sizes_arg = "64,256,1024,4096,16384,65536,262144";
	const char *paths_arg = "TX->RX,RX->RX,PROXY";
	static const enum path paths[] = { TXRX, RXRX, PROXY };

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--mode")) {
			i++;
			mode = !strcmp(argv[i], "time") ? MODE_TIME :
			       !strcmp(argv[i], "callgrind") ? MODE_CALLGRIND :
			       !strcmp(argv[i], "granularity") ? MODE_GRAN : (usage(), MODE_TIME);
		} else if (!strcmp(argv[i], "--sizes")) {
			sizes_arg = argv[++i];
		} else if (!strcmp(argv[i], "--runs")) {
			runs = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--bytes")) {
			bytes = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--reverse")) {
			reverse = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--queued")) {
			queued = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--verify")) {
			verify_all = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--paths")) {
			paths_arg = argv[++i];
		} else {
			usage();
		}
	}
	for (const char *s = sizes_arg; *s && nsizes < 32; ) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);

		if (!strncmp(s, "mix", 3) && (s[3] == ',' || !s[3])) {
			sizes[nsizes++] = 0;	/* "mix" */
			s += s[3] ? 4 : 3;
			continue;
		}
		if (end == s || !v || v > (1u << 20)) {
			fprintf(stderr, "sockmap-sim: bench: bad message size in '%s' (1 B to 1 MiB)\n", sizes_arg);
			return 2;
		}
		sizes[nsizes++] = v;
		s = *end == ',' ? end + 1 : end;
	}
	if (runs < 1) {
		fprintf(stderr, "sockmap-sim: bench: --runs must be at least 1\n");
		return 2;
	}
	/*
	 * glibc's allocator behind the sim's pages and slab: no mmap() per
	 * large buffer and no trimming of the heap, so that a row does not
	 * pay page faults for memory an earlier row gave back (they would
	 * land on whichever row runs first).
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 1024 << 20);
	sim_init();

	if (mode == MODE_GRAN) {
		static const char *const what[] = { "TX->RX", "RX->RX", "tcp" };

		for (int k = 0; k < 3; k++) {
			/* plain TCP is the same in every build: the full one has it */
			if (k == 2 && !SIM_LEVEL_AT_LEAST(FULL))
				continue;
			for (int i = 0; i < nsizes; i++) {
				/* 64 messages, at most 1 MiB queued (one at least) */
				u64 q = max_len(sizes[i]) * 64 <= (1u << 20) ? 64 :
					(1u << 20) / sizes[i];

				bad |= run_gran(what[k], sizes[i], q ? q : 1);
			}
		}
		return bad;
	}

	/* Time mode: every path and consumer once at the largest size, not
	 * measured, so that the heap has grown before the first measured row. */
	for (unsigned int p = 0; mode == MODE_TIME && p < sizeof(paths) / sizeof(paths[0]); p++) {
		for (int c = 0; c < 2 && strstr(paths_arg, path_names[paths[p]]); c++) {
			struct row r = { .path = paths[p], .splice = c,
					 .size = max_len(sizes[nsizes - 1]) };

			if (paths[p] == PROXY)
				run_proxy(&r, mode, WARMUP_MSGS, MIN_MSGS);
			else
				run_ingress(&r, mode, WARMUP_MSGS, MIN_MSGS);
		}
	}
	for (unsigned int p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
		if (!strstr(paths_arg, path_names[paths[p]]))
			continue;
		/* --reverse 1: splice rows before read rows (run.py alternates) */
		for (int cc = 0; cc < 2; cc++) {
			int c = reverse ? 1 - cc : cc;

			for (int i = 0; i < nsizes; i++) {
				int nruns = mode == MODE_CALLGRIND ? 1 : runs;

				for (int run = 0; run < nruns; run++) {
					struct row r = { .path = paths[p], .splice = c, .size = sizes[i] };
					u64 n = mode == MODE_CALLGRIND ? CG_MSGS : msgs_for(sizes[i], bytes);


					if (paths[p] == PROXY)
						run_proxy(&r, mode, WARMUP_MSGS, n);
					else
						run_ingress(&r, mode, WARMUP_MSGS, n);
					bad |= emit(mode, &r, run, "");
					if (r.moved_nothing)
						break;	/* nothing to time again */
				}
			}
		}
	}
	/* --queued: the consumer behind (callgrind mode) */
	for (unsigned int p = 0; queued && mode == MODE_CALLGRIND && p < ARRAY_SIZE(paths); p++) {
		if (!strstr(paths_arg, path_names[paths[p]]))
			continue;
		for (int c = 0; c < 2; c++) {
			for (int i = 0; i < nsizes; i++) {
				struct row r = { .path = paths[p], .splice = c, .size = sizes[i] };
				/* 64 messages, at most 64 KiB queued (below every
				 * receive buffer: no push-back), one at least */
				u64 cap = 65536;
				u64 mean = sizes[i] ? sizes[i] : MIX_MEAN;
				u64 q = mean * 64 <= cap ? 64 : cap / mean;

				if (paths[p] == PROXY)
					run_queued_proxy(&r, mode, q ? q : 1);
				else
					run_queued(&r, mode, q ? q : 1);
				bad |= emit(mode, &r, 0, "-q");
			}
		}
	}
	return bad;
}
