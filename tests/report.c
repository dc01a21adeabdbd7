// SPDX-License-Identifier: GPL-2.0
/*
 * make run: the cost report of the four sockmap data paths.
 *
 *   TX->RX  A sends; A's sk_msg verdict redirects to B's ingress; B receives
 *   RX->RX  A2 sends to A over the wire; A's sk_skb verdict redirects to B's
 *           ingress (B's backlog runs); B receives
 *   TX->TX  A sends; A's sk_msg verdict redirects to B's egress; B2 receives
 *   RX->TX  A2 sends to A; A's sk_skb verdict redirects to B's egress (B's
 *           backlog sends it); B2 receives
 *
 * The receiver uses recv() ("read") or splices into a pipe and reads the
 * pipe. For the ingress paths the splice is tcp_bpf's and depends on how
 * much of the series this binary was built with: none on pristine
 * 6.12.117 ("splice-unpatched": moves nothing), always-copy with patches
 * 1-4 ("splice-cp"), zero-copy with the full series ("splice-zc"); for the
 * egress paths B2 is a plain TCP socket ("splice-tcp": tcp_splice_read).
 *
 *
 *   PROXY   the seed's deployment: sockops puts every socket into a SOCKHASH,
 *           an sk_msg program redirects each message to the peer's ingress;
 *           client C sends to P1, the proxy moves P1 -> pipe -> P2 the way
 *           Go's io.Copy does (splice, splice), P2's send goes to S's
 *           ingress, S receives. One row per hop: "C send", "P splice-..."
 *           (tcp_bpf's splice_read, then splice_to_socket -> tcp_bpf_sendmsg
 *           with MSG_SPLICE_PAGES), "S recv". Unpatched, the proxy's splice
 *           moves nothing. Both connections are accepted from listeners,
 *           as a real proxy and server do: the server sides joined the
 *           SOCKHASH at PASSIVE_ESTABLISHED, before accept().
 *   PROXY x32  the same with 32 connections through the proxy at once (128
 *           sockets in a SOCKHASH of 128 entries, so 128 buckets, some
 *           shared), the messages taken in turn by each connection.
 *
 *   strp    (RX->RX, RX->TX, consumer "strp ...") the parser mode: A's map
 *           has a stream parser (BPF_SK_SKB_STREAM_PARSER) beside a
 *           STREAM_VERDICT, so the real strparser frames A's stream into
 *           messages of msgsize bytes (a fixed length, as a length header
 *           would give) and the verdict runs once per message. A2 writes
 *           the 64 messages as one stream in sends of STRP_SEG bytes (one
 *           segment each), so a small message shares its segment with
 *           others and a large one spans many; the receiver reads what has
 *           arrived after every send, and at the end every byte must have
 *           arrived intact. Figures are per message, as above.
 *
 *   read-slow  (TX->TX, RX->TX) egress push-back: B's send buffer and B2's
 *           receive buffer at their minimums, B2 reads only when the path
 *           is pushed back (A's MSG_DONTWAIT send returns short or -EAGAIN;
 *           on RX->TX, B's backlog stopped at -EAGAIN), and then reads what
 *           it has; the backlog retries one jiffy later. The check column
 *           says how often the path was pushed back.
 *
 * The counters come from the shims around the real skmsg.c/tcp_bpf.c and
 * include the whole path, the sender's copy from user memory included.
 * Figures are per message sent (a row that stops early, like the unpatched
 * splice, divides by the messages it sent). Each row is checked: every byte
 * arrived intact and the world tore down with a clean ledger.
 * FORMAT=csv prints CSV. The paths' set-up, sends and consumers and the
 * proxy are tests/scenario.h, which make bench (bench/bench.c) shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/ledger.h>
#include <sim/pipe.h>
#include <sim/series.h>
#include "scenario.h"

#define NR_MSGS 64

struct row {
	enum path path;
	const char *consumer;
	size_t size;
	u64 bytes;
	struct sim_stats s;
	bool data_ok, ledger_ok;
	bool moved_nothing;	/* the expected result of an unpatched splice */
	int msgs;		/* messages sent */
	int pushbacks;		/* read-slow: sends cut short, backlogs stopped */
	bool strp;		/* the parser mode (see the header) */
};

#define STRP_SEG	1448	/* the strp rows' send size: an Ethernet MSS */

static const char *splice_label(enum path p)
{
	if (!ingress(p))
		return "splice-tcp";
	if (SIM_LEVEL_AT_LEAST(FULL))
		return "splice-zc";
	if (SIM_LEVEL_AT_LEAST(COPY))
		return "splice-cp";
	return "splice-unpatched";
}

static void run(struct row *r)
{
	unsigned char *buf = malloc(r->size), *in = malloc(r->size);
	struct pipe_inode_info *pipe = NULL;
	bool splice = strcmp(r->consumer, "read");
	struct sock *rx;
	size_t off = 0;

	sim_world_begin();
	setup(r->path, 0);
	rx = ingress(r->path) ? w.b : w.b2;
	if (splice) {
		pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
		sim_set_nonblock(rx, true);
	}
	r->data_ok = true;
	memset(&sim_stats, 0, sizeof(sim_stats));	/* count the data path only */
	for (int m = 0; m < NR_MSGS; m++) {
		size_t got;

		for (size_t i = 0; i < r->size; i++)
			buf[i] = pat(off + i);
		if (!send_msg(r->path, buf, r->size))
			r->data_ok = false;
		r->msgs++;
		got = consume(rx, pipe, in, r->size);
		if (got != r->size) {
			/* without the series splice moves nothing: say so */
			r->moved_nothing = splice && ingress(r->path) &&
					   !SIM_LEVEL_AT_LEAST(COPY) && !got;
			r->data_ok = false;
			r->bytes += got;
			break;
		}
		for (size_t i = 0; i < got; i++)
			if (in[i] != pat(off + i))
				r->data_ok = false;
		off += r->size;
		r->bytes += got;
	}
	r->s = sim_stats;
	r->ledger_ok = sim_world_end() == 0;
	free(buf);
	free(in);
}

/* The strp rows: 64 messages of r->size bytes, framed by A's stream
 * parser, written by A2 in sends of STRP_SEG bytes; the receiver reads
 * whatever has arrived after each send. */
static void run_strp(struct row *r)
{
	size_t total = (size_t)NR_MSGS * r->size, off = 0, got = 0;
	unsigned char *buf = malloc(STRP_SEG), *in = malloc(65536);
	struct pipe_inode_info *pipe = NULL;
	bool splice = strcmp(r->consumer, "strp read");
	struct sock *rx;

	sim_world_begin();
	setup(r->path, r->size);
	rx = ingress(r->path) ? w.b : w.b2;
	if (splice)
		pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	sim_set_nonblock(rx, true);
	r->data_ok = true;
	memset(&sim_stats, 0, sizeof(sim_stats));
	while (off < total || got < total) {
		size_t len = min_t(size_t, STRP_SEG, total - off), n;

		if (len) {
			for (size_t i = 0; i < len; i++)
				buf[i] = pat(off + i);
			if (!send_msg(r->path, buf, len))
				r->data_ok = false;
			off += len;
		}
		n = consume(rx, pipe, in, min_t(size_t, 65536, total - got));
		for (size_t i = 0; i < n; i++)
			if (in[i] != pat(got + i))
				r->data_ok = false;
		got += n;
		if (!len && !n)
			break;	/* everything sent, nothing more arrives */
	}
	r->msgs = NR_MSGS;
	r->bytes = got;
	if (got != total) {
		r->data_ok = false;
		r->moved_nothing = splice && ingress(r->path) && !SIM_LEVEL_AT_LEAST(COPY) && !got;
	}
	r->s = sim_stats;
	if (pipe)
		sim_pipe_close(pipe);
	r->ledger_ok = sim_world_end() == 0;
	free(buf);
	free(in);
}

/* Add what sim_stats counted since @before to @acc. */
static void stats_acc(struct sim_stats *acc, const struct sim_stats *before)
{
	const u64 *now = (const u64 *)&sim_stats, *b = (const u64 *)before;
	u64 *a = (u64 *)acc;

	for (size_t i = 0; i < sizeof(*acc) / sizeof(u64); i++)
		a[i] += now[i] - b[i];
}

enum hop { HOP_SEND, HOP_PROXY, HOP_RECV, NR_HOPS };

/* The proxy rows of one message size: @r[hop]. */
static void run_proxy(struct row r[NR_HOPS], size_t size)
{
	unsigned char *buf = malloc(size), *in = malloc(size);
	struct proxy px;
	struct sim_stats before;
	bool data_ok = true, nothing = false, short_send = false;
	size_t off = 0;
	int msgs = 0;

	sim_world_begin();
	proxy_open(&px, 8);
	memset(&sim_stats, 0, sizeof(sim_stats));
	for (int m = 0; m < NR_MSGS; m++) {
		size_t moved, got;

		for (size_t i = 0; i < size; i++)
			buf[i] = pat(off + i);
		msgs++;
		before = sim_stats;
		if (sim_send(px.c, buf, size, MSG_DONTWAIT) != (int)size)
			data_ok = false;
		stats_acc(&r[HOP_SEND].s, &before);
		r[HOP_SEND].bytes += size;

		before = sim_stats;
		moved = proxy_hop_splice(px.p1, px.p2, px.pipe, size, &short_send);
		if (short_send)
			data_ok = false;
		stats_acc(&r[HOP_PROXY].s, &before);
		r[HOP_PROXY].bytes += moved;
		if (moved != size) {
			nothing = !moved && !SIM_LEVEL_AT_LEAST(COPY) &&
				  sk_psock(px.p1)->msg_tot_len == (int)size;
			data_ok = false;
			break;
		}

		before = sim_stats;
		got = consume(px.s, NULL, in, size);
		stats_acc(&r[HOP_RECV].s, &before);
		r[HOP_RECV].bytes += got;
		if (got != size)
			data_ok = false;
		for (size_t i = 0; i < got; i++)
			if (in[i] != pat(off + i))
				data_ok = false;
		off += size;
	}
	bool ledger_ok = sim_world_end() == 0;

	for (int h = 0; h < NR_HOPS; h++) {
		r[h].path = PROXY;
		r[h].size = size;
		r[h].msgs = msgs;
		r[h].data_ok = data_ok;
		r[h].ledger_ok = ledger_ok;
		r[h].moved_nothing = nothing;
	}
	free(buf);
	free(in);
}

/* Read what B2 has (MSG_DONTWAIT) into @in at @got; check it. */
static void slow_drain(struct row *r, unsigned char *in, size_t *got)
{
	ssize_t n;

	while ((n = sim_recv(w.b2, in, 65536, MSG_DONTWAIT)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (in[i] != pat(*got + i))
				r->data_ok = false;
		*got += n;
	}
}

/* B's backlog stopped at -EAGAIN (RX->TX): it retries one jiffy later. */
static bool backlog_stuck(void)
{
	struct sk_psock *psock = sk_psock(w.b);

	return psock && (psock->work_state.len ||
			 !skb_queue_empty(&psock->ingress_skb));
}

/* The read-slow rows: egress with a reader that reads only when pushed
 * back (see the header). */
static void run_slow(struct row *r)
{
	unsigned char *buf = malloc(r->size), *in = malloc(65536);
	size_t off = 0, got = 0, total = (size_t)NR_MSGS * r->size;
	bool tx = r->path == TXTX;
	int rounds = 0;

	sim_world_begin();
	setup(r->path, 0);
	sim_set_sndbuf(w.b, 1);
	sim_set_rcvbuf(w.b2, 1);
	r->data_ok = true;
	memset(&sim_stats, 0, sizeof(sim_stats));
	for (int m = 0; m < NR_MSGS; m++) {
		size_t sent = 0;

		for (size_t i = 0; i < r->size; i++)
			buf[i] = pat(off + i);
		while (sent < r->size && rounds++ < 100000) {
			int n = sim_send(tx ? w.a : w.a2, buf + sent, r->size - sent,
					 MSG_DONTWAIT);

			if (n < 0 && n != -EAGAIN) {
				r->data_ok = false;
				break;
			}
			if (n > 0)
				sent += n;
			sim_run_work();
			if (sent < r->size || backlog_stuck()) {
				r->pushbacks++;
				slow_drain(r, in, &got);
				sim_advance_jiffies(1);
				sim_run_work();
			}
		}
		if (sent < r->size)
			r->data_ok = false;
		r->msgs++;
		off += r->size;
	}
	while (got < off && rounds++ < 100000) {
		slow_drain(r, in, &got);
		sim_advance_jiffies(1);
		sim_run_work();
	}
	r->bytes = got;
	if (got != total)
		r->data_ok = false;
	r->s = sim_stats;
	r->ledger_ok = sim_world_end() == 0;
	free(buf);
	free(in);
}

#define NR_CONNS 32

/* The proxy rows with NR_CONNS connections at once: @r[hop]. */
static void run_proxy_many(struct row r[NR_HOPS], size_t size)
{
	struct sock *c[NR_CONNS], *p1[NR_CONNS], *p2[NR_CONNS], *s[NR_CONNS], *lp, *ls;
	unsigned char *buf = malloc(size), *in = malloc(size);
	size_t off[NR_CONNS] = { 0 };
	struct pipe_inode_info *pipe;
	struct sim_bypass bp = {};
	struct sim_stats before;
	bool data_ok = true, short_send = false;
	int msgs = 0;

	sim_world_begin();
	if (sim_bypass_setup(&bp, 4 * NR_CONNS))
		abort();
	lp = sim_tcp_listen("proxy-listen");
	ls = sim_tcp_listen("server-listen");
	for (int j = 0; j < NR_CONNS; j++) {
		sim_bypass_connect(lp, &c[j], &p1[j], "client", "proxy-in");
		sim_bypass_connect(ls, &p2[j], &s[j], "proxy-out", "server");
		sim_set_nonblock(p1[j], true);
		sim_set_nonblock(p2[j], true);
	}
	pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
	memset(&sim_stats, 0, sizeof(sim_stats));
	for (int m = 0; m < NR_MSGS; m++) {
		int j = m % NR_CONNS;
		size_t moved, got;

		/* each connection its own stream: pattern offset by j */
		for (size_t i = 0; i < size; i++)
			buf[i] = pat(off[j] + i + j);
		msgs++;
		before = sim_stats;
		if (sim_send(c[j], buf, size, MSG_DONTWAIT) != (int)size)
			data_ok = false;
		stats_acc(&r[HOP_SEND].s, &before);
		r[HOP_SEND].bytes += size;

		before = sim_stats;
		moved = proxy_hop_splice(p1[j], p2[j], pipe, size, &short_send);
		if (short_send)
			data_ok = false;
		stats_acc(&r[HOP_PROXY].s, &before);
		r[HOP_PROXY].bytes += moved;
		if (moved != size) {
			data_ok = false;
			break;
		}

		before = sim_stats;
		got = consume(s[j], NULL, in, size);
		stats_acc(&r[HOP_RECV].s, &before);
		r[HOP_RECV].bytes += got;
		if (got != size)
			data_ok = false;
		for (size_t i = 0; i < got; i++)
			if (in[i] != pat(off[j] + i + j))
				data_ok = false;
		off[j] += size;
	}
	bool ledger_ok = sim_world_end() == 0;

	for (int h = 0; h < NR_HOPS; h++) {
		r[h].path = PROXY;
		r[h].size = size;
		r[h].msgs = msgs;
		r[h].data_ok = data_ok;
		r[h].ledger_ok = ledger_ok;
	}
	free(buf);
	free(in);
}

static bool ok(const struct row *r)
{
	return r->ledger_ok && (r->data_ok || r->moved_nothing);
}

static void print_row(const struct row *r, bool csv)
{
	double msgs = r->msgs ? r->msgs : 1, bytes = r->bytes ? (double)r->bytes : 1;
	char copies[16] = "-";
	u64 allocs = 0;

	for (int k = 0; k < SIM_KIND_NR; k++)
		allocs += r->s.allocs[k];
	if (csv) {
		printf("%s,%s,%zu,%llu,%.3f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%d\n",
		       path_names[r->path], r->consumer, r->size,
		       (unsigned long long)r->bytes, r->s.bytes_copied / bytes,
		       r->s.page_get / msgs, r->s.page_put / msgs, allocs / msgs,
		       r->s.allocs[SIM_PAGE] / msgs, r->s.allocs[SIM_SLAB] / msgs,
		       r->s.allocs[SIM_SKB] / msgs, r->s.allocs[SIM_SK_MSG] / msgs,
		       r->s.lock_sock / msgs, r->s.data_ready / msgs,
		       r->s.wakeups / msgs, r->s.work_runs / msgs, ok(r));
		return;
	}
	char check[48];

	if (r->bytes)
		snprintf(copies, sizeof(copies), "%.2f", r->s.bytes_copied / bytes);
	snprintf(check, sizeof(check), "%s", !r->ledger_ok ? "LEDGER" : r->data_ok ? "ok" :
		 r->moved_nothing ? "ok: splice moves nothing (EAGAIN), recv() would" : "DATA");
	if (r->ledger_ok && r->data_ok && r->pushbacks)
		snprintf(check, sizeof(check), "ok: pushed back %d times", r->pushbacks);
	printf("%-6s %-16s %7zu %9llu %8s %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f   %s\n",
	       path_names[r->path], r->consumer, r->size, (unsigned long long)r->bytes,
	       copies, r->s.page_get / msgs, r->s.page_put / msgs, allocs / msgs,
	       r->s.lock_sock / msgs, r->s.data_ready / msgs, r->s.wakeups / msgs,
	       r->s.work_runs / msgs, check);
}

static const char *strp_splice_label(enum path p)
{
	if (!ingress(p))
		return "strp splice-tcp";
	if (SIM_LEVEL_AT_LEAST(FULL))
		return "strp splice-zc";
	if (SIM_LEVEL_AT_LEAST(COPY))
		return "strp splice-cp";
	return "strp splice-unp";
}

static const char *proxy_splice_label(void)
{
	if (SIM_LEVEL_AT_LEAST(FULL))
		return "P splice-zc";
	if (SIM_LEVEL_AT_LEAST(COPY))
		return "P splice-cp";
	return "P splice-unpat";
}

/* report [--splice-only] [--no-header]: --splice-only prints the rows that
 * depend on the series level (tcp_bpf's splice on the ingress paths). */
int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 1024, 16384, 65536 };
	static const size_t proxy_sizes[] = { 64, 1024, 16384, 65536, 262144 };
	static const size_t many_sizes[] = { 1024, 16384 };
	static const size_t slow_sizes[] = { 4096, 16384, 65536 };
	const char *fmt = getenv("FORMAT");
	bool csv = fmt && !strcmp(fmt, "csv");
	bool splice_only = false, header = true;
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--splice-only"))
			splice_only = true;
		else if (!strcmp(argv[i], "--no-header"))
			header = false;
	}
	sim_init();
	if (header && csv)
		printf("path,consumer,msg_size,bytes,copies_per_byte,page_get_per_msg,page_put_per_msg,allocs_per_msg,page_allocs_per_msg,slab_allocs_per_msg,skb_allocs_per_msg,sk_msg_allocs_per_msg,lock_sock_per_msg,data_ready_per_msg,wakeups_per_msg,work_runs_per_msg,verified\n");
	else if (header)
		printf("sockmap-sim: real skmsg.c/tcp_bpf.c of Linux 6.12.117, %d messages per row\n"
		       "%-6s %-16s %7s %9s %8s %7s %7s %7s %7s %7s %7s %7s   %s\n",
		       NR_MSGS, "path", "consumer", "msgsize", "bytes", "copy/B", "get/m",
		       "put/m", "alloc/m", "lock/m", "ready/m", "wake/m", "work/m", "check");
	for (int p = 0; p < NR_PATHS; p++) {
		if (splice_only && !ingress(p))
			continue;
		for (int c = splice_only; c < 2; c++) {
			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				struct row r = { .path = p, .size = sizes[i],
						 .consumer = c ? splice_label(p) : "read" };

				run(&r);
				print_row(&r, csv);
				bad += !ok(&r);
			}
		}
	}
	for (int p = RXRX; p <= RXTX; p += RXTX - RXRX) {
		if (splice_only && !ingress(p))
			continue;
		for (int c = splice_only; c < 2; c++) {
			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				struct row r = { .path = p, .size = sizes[i], .strp = true,
						 .consumer = c ? strp_splice_label(p) : "strp read" };

				run_strp(&r);
				print_row(&r, csv);
				bad += !ok(&r);
			}
		}
	}
	for (size_t i = 0; i < sizeof(proxy_sizes) / sizeof(proxy_sizes[0]); i++) {
		struct row r[NR_HOPS] = {
			[HOP_SEND] = { .consumer = "C send" },
			[HOP_PROXY] = { .consumer = proxy_splice_label() },
			[HOP_RECV] = { .consumer = "S recv" },
		};

		run_proxy(r, proxy_sizes[i]);
		for (int h = splice_only ? HOP_PROXY : 0; h < (splice_only ? HOP_PROXY + 1 : NR_HOPS); h++)
			print_row(&r[h], csv);
		bad += !ok(&r[HOP_PROXY]);
	}
	if (splice_only || !SIM_LEVEL_AT_LEAST(COPY))
		return bad ? 1 : 0;
	for (size_t i = 0; i < sizeof(many_sizes) / sizeof(many_sizes[0]); i++) {
		static char label[NR_HOPS][24];
		struct row r[NR_HOPS] = {};

		snprintf(label[HOP_SEND], sizeof(label[0]), "C send x%d", NR_CONNS);
		snprintf(label[HOP_PROXY], sizeof(label[0]), "%s x%d", proxy_splice_label(), NR_CONNS);
		snprintf(label[HOP_RECV], sizeof(label[0]), "S recv x%d", NR_CONNS);
		for (int h = 0; h < NR_HOPS; h++)
			r[h].consumer = label[h];
		run_proxy_many(r, many_sizes[i]);
		for (int h = 0; h < NR_HOPS; h++)
			print_row(&r[h], csv);
		bad += !ok(&r[HOP_PROXY]);
	}
	for (int p = TXTX; p <= RXTX; p++) {
		for (size_t i = 0; i < sizeof(slow_sizes) / sizeof(slow_sizes[0]); i++) {
			struct row r = { .path = p, .size = slow_sizes[i], .consumer = "read-slow" };

			run_slow(&r);
			print_row(&r, csv);
			bad += !ok(&r) || !r.pushbacks;
		}
	}
	return bad ? 1 : 0;
}
