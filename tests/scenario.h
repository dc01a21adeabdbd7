/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenarios of the cost report (tests/report.c, make run) and of the
 * benchmark (bench/bench.c, make bench): the four sockmap data paths and
 * the seed's proxy hop, set up, fed and drained the same way in both, so
 * that the two measure the same code. One world at a time (the static
 * `w`); the caller begins and ends the sim world around it.
 */
#ifndef _SIM_SCENARIO_H
#define _SIM_SCENARIO_H

#include <stdlib.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/pipe.h>
#include <sim/series.h>
#include "sim_bypass.h"

enum path { TXRX, RXRX, TXTX, RXTX, NR_PATHS, PROXY = NR_PATHS };

static const char *const path_names[NR_PATHS + 1] = {
	[TXRX] = "TX->RX", [RXRX] = "RX->RX", [TXTX] = "TX->TX", [RXTX] = "RX->TX",
	[PROXY] = "PROXY",
};

static struct {
	struct sock *a, *a2, *b, *b2;
	struct bpf_map *map;
	struct sim_verdict v;
	struct sim_parser parser;
} w;

/* Period 4 GiB (as sim_pattern()): longer than any row's transfer. */
static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 8) * 7 + (i >> 16) * 13 + (i >> 24) * 17 + 1);
}

static bool ingress(enum path p)
{
	return p == TXRX || p == RXRX;
}

/* @strp_len: the parser mode's message length (RX paths), or 0 */
static void setup(enum path p, u32 strp_len)
{
	bool tx = p == TXRX || p == TXTX;
	struct bpf_prog *prog;

	sim_tcp_pair(&w.a, &w.a2, "A", "A2");
	sim_tcp_pair(&w.b, &w.b2, "B", "B2");
	w.map = sim_sockmap_create(2);
	w.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = w.map, .key = 1,
				    .flags = ingress(p) ? BPF_F_INGRESS : 0 };
	if (strp_len) {
		w.parser = (struct sim_parser){ .msg_len = strp_len };
		if (sim_prog_attach(sim_prog_stream_parser(&w.parser), w.map,
				    BPF_SK_SKB_STREAM_PARSER))
			abort();
	}
	prog = tx ? sim_prog_msg_verdict(&w.v) : sim_prog_skb_verdict(&w.v);
	if (sim_prog_attach(prog, w.map, tx ? BPF_SK_MSG_VERDICT :
			    strp_len ? BPF_SK_SKB_STREAM_VERDICT : BPF_SK_SKB_VERDICT) ||
	    sim_map_update(w.map, 0, w.a, BPF_ANY) || sim_map_update(w.map, 1, w.b, BPF_ANY))
		abort();
}

static bool send_msg(enum path p, const void *buf, size_t len)
{
	bool tx = p == TXRX || p == TXTX;
	int n = sim_send(tx ? w.a : w.a2, buf, len, 0);

	sim_run_work();		/* the backlog of the RX paths */
	return n == (int)len;
}

/* Receive @want bytes into @in: recv(), or splice() + read(pipe). */
static size_t consume(struct sock *rx, struct pipe_inode_info *pipe,
		      unsigned char *in, size_t want)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n;

		if (!pipe) {
			n = sim_recv(rx, in + got, want - got, MSG_DONTWAIT);
		} else {
			n = sim_splice_read(rx, pipe, want - got, SPLICE_F_NONBLOCK);
			if (n > 0)
				BUG_ON(sim_pipe_read(pipe, in + got, n) != n);
		}
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

/* The seed's proxy (see tests/report.c): client C -> P1, the proxy moves
 * P1 -> P2, P2 -> server S; every socket joins the bypass's SOCKHASH
 * (@max_entries) when established, both connections accepted from
 * listeners. */
struct proxy {
	struct sock *c, *p1, *p2, *s, *lp, *ls;
	struct sim_bypass bp;
	struct pipe_inode_info *pipe;
};

static void proxy_open(struct proxy *px, u32 max_entries)
{
	*px = (struct proxy){};
	if (sim_bypass_setup(&px->bp, max_entries))
		abort();
	px->lp = sim_tcp_listen("proxy-listen");
	px->ls = sim_tcp_listen("server-listen");
	sim_bypass_connect(px->lp, &px->c, &px->p1, "client", "proxy-in");
	sim_bypass_connect(px->ls, &px->p2, &px->s, "proxy-out", "server");
	sim_set_nonblock(px->p1, true);
	sim_set_nonblock(px->p2, true);
	px->pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
}

/* The proxy's hop for one message of @size bytes, as Go's io.Copy does it:
 * splice P1 -> pipe, splice pipe -> P2, until the message is through or
 * the splice moves nothing. Returns the bytes moved; *@short_send is set
 * if the pipe -> P2 splice moved less than the pipe held. */
static size_t proxy_hop_splice(struct sock *p1, struct sock *p2,
			       struct pipe_inode_info *pipe, size_t size, bool *short_send)
{
	size_t moved = 0;
	ssize_t n;

	while (moved < size) {
		n = sim_splice_read(p1, pipe, size - moved, SPLICE_F_NONBLOCK);
		if (n <= 0)
			break;
		if (sim_splice_to_socket(pipe, p2, n, SPLICE_F_NONBLOCK) != n)
			*short_send = true;
		moved += n;
	}
	return moved;
}

#endif /* _SIM_SCENARIO_H */
