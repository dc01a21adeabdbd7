// SPDX-License-Identifier: GPL-2.0
/*
 * make run: the TX->RX cost report. For each message size, A sends N
 * messages that its sk_msg verdict redirects to B's ingress and B reads
 * them with recv(), or splices them into a pipe and reads the pipe (the
 * series variant this binary was built with decides which splice: none
 * on pristine 6.12.117, always-copy with patches 1-4, zero-copy with the
 * full series); the shims' counters say what the real tcp_bpf/skmsg
 * code did per message: bytes copied, page references, allocations,
 * lock_sock() calls, sk_data_ready calls and wake-ups. Each row is checked:
 * every byte arrived intact and the world tore down with a clean ledger.
 * Figures are per message sent (a row that stops early, like the unpatched
 * splice, divides by the messages it sent). FORMAT=csv prints CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/ledger.h>
#include <sim/pipe.h>

#define NR_MSGS 64

struct row {
	const char *path;
	const char *consumer;
	size_t size;
	u64 bytes;
	struct sim_stats s;
	bool data_ok, ledger_ok;
	bool moved_nothing;	/* the expected result of an unpatched splice */
	int msgs;		/* messages sent */
};

static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 8) * 7 + 1);
}

static const char *splice_label(void)
{
	if (SIM_SERIES_APPLIED >= 5)
		return "splice-zc";
	if (SIM_SERIES_APPLIED >= 4)
		return "splice-cp";
	return "splice-unpatched";
}

/* Receive @want bytes into @in: recv(), or splice() + read(pipe). */
static size_t consume(struct row *r, struct sock *b, struct pipe_inode_info *pipe,
		      unsigned char *in, size_t want)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n;

		if (!pipe) {
			n = sim_recv(b, in + got, want - got, MSG_DONTWAIT);
		} else {
			n = sim_splice_read(b, pipe, want - got, SPLICE_F_NONBLOCK);
			if (n > 0)
				BUG_ON(sim_pipe_read(pipe, in + got, n) != n);
		}
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

static void run_txrx(struct row *r)
{
	struct sim_verdict v = { .action = SIM_REDIRECT, .key = 1, .flags = BPF_F_INGRESS };
	unsigned char *buf = malloc(r->size), *in = malloc(r->size);
	struct pipe_inode_info *pipe = NULL;
	bool splice = strcmp(r->consumer, "read");
	struct bpf_map *map;
	struct sock *a, *b;
	size_t off = 0;

	sim_world_begin();
	sim_tcp_pair(&a, &b, "A", "B");
	map = sim_sockmap_create(2);
	v.map = map;
	if (sim_prog_attach(sim_prog_msg_verdict(&v), map, BPF_SK_MSG_VERDICT) ||
	    sim_map_update(map, 0, a, BPF_ANY) || sim_map_update(map, 1, b, BPF_ANY))
		abort();
	if (splice) {
		pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
		sim_set_nonblock(b, true);
	}
	r->data_ok = true;
	memset(&sim_stats, 0, sizeof(sim_stats));	/* count the data path only */
	for (int m = 0; m < NR_MSGS; m++) {
		size_t got;

		for (size_t i = 0; i < r->size; i++)
			buf[i] = pat(off + i);
		if (sim_send(a, buf, r->size, 0) != (int)r->size)
			r->data_ok = false;
		r->msgs++;
		got = consume(r, b, pipe, in, r->size);
		if (got != r->size) {
			/* without the series splice moves nothing: say so */
			r->moved_nothing = splice && SIM_SERIES_APPLIED < 4 && !got;
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

static void print_row(const struct row *r, bool csv)
{
	double msgs = r->msgs ? r->msgs : 1, bytes = r->bytes ? (double)r->bytes : 1;
	char copies[16] = "-";
	u64 allocs = 0;

	for (int k = 0; k < SIM_KIND_NR; k++)
		allocs += r->s.allocs[k];
	if (csv) {
		printf("%s,%s,%zu,%llu,%.3f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%d\n",
		       r->path, r->consumer, r->size, (unsigned long long)r->bytes,
		       r->s.bytes_copied / bytes, r->s.page_get / msgs,
		       r->s.page_put / msgs, allocs / msgs, r->s.lock_sock / msgs,
		       r->s.data_ready / msgs, r->s.wakeups / msgs,
		       r->ledger_ok && (r->data_ok || r->moved_nothing));
		return;
	}
	if (r->bytes)
		snprintf(copies, sizeof(copies), "%.2f", r->s.bytes_copied / bytes);
	printf("%-6s %-16s %7zu %9llu %8s %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f   %s\n",
	       r->path, r->consumer, r->size, (unsigned long long)r->bytes,
	       copies, r->s.page_get / msgs, r->s.page_put / msgs,
	       allocs / msgs, r->s.lock_sock / msgs, r->s.data_ready / msgs,
	       r->s.wakeups / msgs,
	       !r->ledger_ok ? "LEDGER" : r->data_ok ? "ok" :
	       r->moved_nothing ? "ok: splice moves nothing (EAGAIN), recv() would" : "DATA");
}

static bool ok(const struct row *r)
{
	return r->ledger_ok && (r->data_ok || r->moved_nothing);
}

/* report [--splice-only] [--no-header] */
int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 1024, 16384, 65536 };
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
		printf("path,consumer,msg_size,bytes,copies_per_byte,page_get_per_msg,page_put_per_msg,allocs_per_msg,lock_sock_per_msg,data_ready_per_msg,wakeups_per_msg,verified\n");
	else if (header)
		printf("sockmap-sim: real skmsg.c/tcp_bpf.c of Linux 6.12.117, %d messages per row\n"
		       "%-6s %-16s %7s %9s %8s %7s %7s %7s %7s %7s %7s   %s\n",
		       NR_MSGS, "path", "consumer", "msgsize", "bytes", "copy/B", "get/m",
		       "put/m", "alloc/m", "lock/m", "ready/m", "wake/m", "check");
	for (int c = splice_only; c < 2; c++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct row r = { .path = "TX->RX", .size = sizes[i],
					 .consumer = c ? splice_label() : "read" };

			run_txrx(&r);
			print_row(&r, csv);
			bad += !ok(&r);
		}
	}
	return bad ? 1 : 0;
}
