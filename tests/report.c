// SPDX-License-Identifier: GPL-2.0
/*
 * make run: the TX->RX cost report. For each message size, A sends N
 * messages that its sk_msg verdict redirects to B's ingress and B reads
 * them with recv(); the shims' counters say what the real tcp_bpf/skmsg
 * code did per message: bytes copied, page references, allocations,
 * lock_sock() calls, sk_data_ready calls and wake-ups. Each row is checked:
 * every byte arrived intact and the world tore down with a clean ledger.
 * FORMAT=csv prints CSV instead of the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/ledger.h>

#define NR_MSGS 64

struct row {
	const char *path;
	const char *consumer;
	size_t size;
	u64 bytes;
	struct sim_stats s;
	bool data_ok, ledger_ok;
};

static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 8) * 7 + 1);
}

static void run_txrx_read(struct row *r)
{
	struct sim_verdict v = { .action = SIM_REDIRECT, .key = 1, .flags = BPF_F_INGRESS };
	unsigned char *buf = malloc(r->size), *in = malloc(r->size);
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
	r->data_ok = true;
	memset(&sim_stats, 0, sizeof(sim_stats));	/* count the data path only */
	for (int m = 0; m < NR_MSGS; m++) {
		size_t got = 0;

		for (size_t i = 0; i < r->size; i++)
			buf[i] = pat(off + i);
		if (sim_send(a, buf, r->size, 0) != (int)r->size)
			r->data_ok = false;
		while (got < r->size) {
			int n = sim_recv(b, in + got, r->size - got, MSG_DONTWAIT);

			if (n <= 0) {
				r->data_ok = false;
				break;
			}
			got += n;
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
	double msgs = NR_MSGS, bytes = r->bytes ? (double)r->bytes : 1;
	u64 allocs = 0;

	for (int k = 0; k < SIM_KIND_NR; k++)
		allocs += r->s.allocs[k];
	if (csv) {
		printf("%s,%s,%zu,%llu,%.3f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%d\n",
		       r->path, r->consumer, r->size, (unsigned long long)r->bytes,
		       r->s.bytes_copied / bytes, r->s.page_get / msgs,
		       r->s.page_put / msgs, allocs / msgs, r->s.lock_sock / msgs,
		       r->s.data_ready / msgs, r->s.wakeups / msgs,
		       r->data_ok && r->ledger_ok);
		return;
	}
	printf("%-6s %-6s %7zu %9llu %8.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f   %s\n",
	       r->path, r->consumer, r->size, (unsigned long long)r->bytes,
	       r->s.bytes_copied / bytes, r->s.page_get / msgs, r->s.page_put / msgs,
	       allocs / msgs, r->s.lock_sock / msgs, r->s.data_ready / msgs,
	       r->s.wakeups / msgs,
	       r->data_ok && r->ledger_ok ? "ok" : (r->data_ok ? "LEDGER" : "DATA"));
}

int main(void)
{
	static const size_t sizes[] = { 64, 1024, 16384, 65536 };
	const char *fmt = getenv("FORMAT");
	bool csv = fmt && !strcmp(fmt, "csv");
	int bad = 0;

	sim_init();
	if (csv)
		printf("path,consumer,msg_size,bytes,copies_per_byte,page_get_per_msg,page_put_per_msg,allocs_per_msg,lock_sock_per_msg,data_ready_per_msg,wakeups_per_msg,verified\n");
	else
		printf("sockmap-sim: real skmsg.c/tcp_bpf.c of Linux 6.12.117, %d messages per row\n"
		       "%-6s %-6s %7s %9s %8s %7s %7s %7s %7s %7s %7s   %s\n",
		       NR_MSGS, "path", "recv", "msgsize", "bytes", "copy/B", "get/m",
		       "put/m", "alloc/m", "lock/m", "ready/m", "wake/m", "check");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct row r = { .path = "TX->RX", .consumer = "read", .size = sizes[i] };

		run_txrx_read(&r);
		print_row(&r, csv);
		bad += !(r.data_ok && r.ledger_ok);
	}
	return bad ? 1 : 0;
}
