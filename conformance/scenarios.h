/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conformance/scenarios.h: the scenarios every backend runs, written once.
 *
 * A scenario is a list of operations on up to 8 sockets (made as loopback
 * TCP pairs, or by listen/connect/accept), one SOCKMAP of 8 slots, one
 * pipe and, for the proxy, the sockops/SOCKHASH bypass. Each backend (runner-sim.c: the sim;
 * runner-syscall.c: real sockets and raw bpf(2)) executes the operations
 * in order and prints one line per operation:
 *
 *   <scenario> <index> <op and arguments> => <observation>
 *
 * The observation is what a user would see: the return value, or -ERRNO;
 * for a receive, the byte count and an FNV-1a hash of the bytes (so the
 * data itself is compared across backends); for FIONREAD, the value; for
 * POLL, the readable bits (poll=IN|RDHUP|ERR, or poll=0); for WARNS, the
 * kernel warnings so far (warns=N). Every
 * SEND sends the next bytes of the sending socket's own pattern stream, the
 * same on every backend. compare.py lines the outputs up.
 */
#ifndef _CONFORMANCE_SCENARIOS_H
#define _CONFORMANCE_SCENARIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_SOCKS	8
#define CONF_MAX_OPS	48
#define CONF_MAP_SLOTS	8
#define CONF_BUF	(1024 * 1024)

enum conf_op {
	OP_END,
	OP_PAIR,	/* sock = connecting side, arg = accepted side */
	OP_MAP_ADD,	/* sockmap slot arg = sock */
	OP_MSG_PROG,	/* sk_msg verdict on the map: verdict, arg = slot, apply, cork */
	OP_SKB_PROG,	/* sk_skb (BPF_SK_SKB_VERDICT) verdict: verdict, arg = slot */
	OP_BYPASS,	/* sockops fills a SOCKHASH by 4-tuple; sk_msg to the peer's ingress */
	OP_SOCKOPS_ADD,	/* sockops puts each passive child (PASSIVE_ESTABLISHED)
			 * into sockmap slot arg */
	OP_SEND,	/* send(sock, len bytes of its stream, flags) */
	OP_RECV,	/* recv(sock, len, flags) */
	OP_SPLICE,	/* splice(sock -> the pipe, len, flags) */
	OP_SPLICE_OUT,	/* splice(the pipe -> sock, len, flags) */
	OP_PIPE_READ,	/* read(the pipe, len); the pipe is O_NONBLOCK */
	OP_NONBLOCK,	/* O_NONBLOCK on sock */
	OP_RCVTIMEO,	/* SO_RCVTIMEO of arg ms on sock */
	OP_FIONREAD,	/* ioctl(sock, FIONREAD) */
	OP_POLL,	/* poll(sock, POLLIN | POLLRDHUP, 0): IN, RDHUP, ERR bits */
	OP_SHUTDOWN,	/* shutdown(sock, arg) */
	OP_CLOSE,	/* close(sock) */
	OP_SETTLE,	/* let deferred work run (the RX paths' backlog) */
	OP_RECV_SHUTRD,	/* a blocking recv(sock, len, 0); once it sleeps, another
			 * context calls shutdown(sock, SHUT_RD): its result */
	OP_LISTEN,	/* sock = a listening socket on 127.0.0.1 */
	OP_CONNECT,	/* sock = a new socket connected to listener arg; the
			 * child waits in arg's accept queue */
	OP_ACCEPT,	/* sock = accept(arg) */
	OP_ACCEPT_WAIT,	/* sock = a blocking accept(arg) (its SO_RCVTIMEO bounds
			 * it); once it sleeps, another context connects socket
			 * len to arg: whether the accept was woken or returned
			 * at its timeout */
	OP_SNDBUF,	/* setsockopt(sock, SO_SNDBUF, arg) */
	OP_RCVBUF,	/* setsockopt(sock, SO_RCVBUF, arg) */
	OP_FILL,	/* send(sock, MSG_DONTWAIT) until -EAGAIN or len bytes */
	OP_PUMP,	/* until sock has read len bytes: recv (DONTWAIT) on sock,
			 * send (DONTWAIT) the rest of arg's first len bytes,
			 * settle when nothing moved */
	OP_MAP_DELETE,	/* delete sockmap slot arg */
	OP_WARNS,	/* kernel warnings (WARN) since the scenario began */
	OP_STRP_PROG,	/* stream parser + stream verdict (BPF_SK_SKB_STREAM_PARSER,
			 * BPF_SK_SKB_STREAM_VERDICT): verdict, arg = slot; the
			 * parser returns len (> 0), skb->len (0) or the error
			 * len (< 0, -errno) */
	OP_SO_ERROR,	/* getsockopt(sock, SO_ERROR) */
	OP_RECV_FAULT,	/* recvmsg(sock, len, flags) into a buffer whose bytes
			 * from arg on fault (the iovec after the first arg
			 * bytes is an unmapped page) */
};

enum conf_verdict {
	V_PASS,
	V_DROP,
	V_REDIR_INGRESS,
	V_REDIR_EGRESS,
	/* sk_msg only: the program's first run redirects to the slot's
	 * ingress (with its apply/cork), every later run passes without a
	 * helper call (a program reading state that changed: a run counter
	 * in an array map) */
	V_REDIR_THEN_PASS,
};

struct conf_step {
	enum conf_op op;
	int sock;
	int arg;
	int len;
	int flags;
	enum conf_verdict verdict;
	unsigned int apply, cork;
};

struct conf_scenario {
	const char *name;
	const char *what;
	struct conf_step steps[CONF_MAX_OPS];
	/* crashes 6.12.117 (and the sim, which predicts it) below this series
	 * level (kernel-port.mk's names: "fixes", ...): runs only when named
	 * on the command line */
	const char *oops_below;
	/* WARNs 6.12.117 (the sim predicts it and counts it; WARNS observes
	 * it): vm/boot.sh fails a boot whose kernel warned, so it runs only
	 * when named on the command line, and never on the host */
	bool warns;
	/* corrupts 6.12.117 below this series level without a report of its
	 * own (a page put a second time at teardown; the kernel breaks
	 * later): a boot of its own on each VM kernel (conformance-vm, the
	 * runner's --alone list), never on the host; the sim runs it with
	 * the others, and below that level its ledger's report of the double
	 * put is expected */
	const char *breaks_below;
};

extern const struct conf_scenario conf_scenarios[];
extern const size_t conf_nr_scenarios;

/* Byte @i of socket @sock's send stream; the period (4 GiB) is longer
 * than any scenario's transfer, so a lost 64 KiB and a duplicated one
 * change the fnv of what was read. */
static inline unsigned char conf_pattern(int sock, size_t i)
{
	return (unsigned char)(i * 31 + (i >> 8) * 7 + (i >> 16) * 13 +
			       (i >> 24) * 17 + sock * 101 + 1);
}

static inline uint32_t conf_fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

const char *conf_op_name(enum conf_op op);
const char *conf_verdict_name(enum conf_verdict v);
/* "-EAGAIN" for -EAGAIN etc. */
const char *conf_errname(int err);
/* Format the operation of @s into @buf. */
void conf_format_step(const struct conf_step *s, char *buf, size_t size);

#endif /* _CONFORMANCE_SCENARIOS_H */
