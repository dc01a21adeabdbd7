// SPDX-License-Identifier: GPL-2.0
/*
 * conformance/scenarios.c: the table. Sockets are numbered 0-7; PAIR(a, b)
 * connects a to b over loopback (a connects, b is accepted). Flag values
 * are the Linux ABI's (MSG_DONTWAIT 0x40, MSG_PEEK 0x2, SPLICE_F_NONBLOCK
 * 0x2, SHUT_WR 1), spelled out so that the table includes no header of
 * either backend.
 */
#include <errno.h>
#include <stdio.h>
#include "scenarios.h"

#define DONTWAIT	0x40
#define PEEK		0x02
#define SPLICE_NB	0x02
#define SHUT_WRITE	1

#define PAIR(a, b)		{ OP_PAIR, a, b }
#define ADD(slot, s)		{ OP_MAP_ADD, s, slot }
#define MSG(v, slot)		{ OP_MSG_PROG, -1, slot, .verdict = v }
#define MSG_AC(v, slot, a, c)	{ OP_MSG_PROG, -1, slot, .verdict = v, .apply = a, .cork = c }
#define SKB(v, slot)		{ OP_SKB_PROG, -1, slot, .verdict = v }
/* the parser returns n; 0: skb->len (every chunk read is a message) */
#define STRP(v, slot, n)	{ OP_STRP_PROG, -1, slot, n, .verdict = v }
/* the parser returns -err */
#define STRP_ERR(v, slot, err)	{ OP_STRP_PROG, -1, slot, -(err), .verdict = v }
#define BYPASS()		{ OP_BYPASS, -1 }
#define SOCKOPS_ADD(slot)	{ OP_SOCKOPS_ADD, -1, slot }
#define SEND(s, n)		{ OP_SEND, s, 0, n }
#define RECV(s, n, f)		{ OP_RECV, s, 0, n, f }
#define SPLICE(s, n, f)		{ OP_SPLICE, s, 0, n, f }
#define SPLICE_OUT(s, n)	{ OP_SPLICE_OUT, s, 0, n, SPLICE_NB }
#define PIPE_READ(n)		{ OP_PIPE_READ, -1, 0, n }
#define NONBLOCK(s)		{ OP_NONBLOCK, s }
#define RCVTIMEO(s, ms)		{ OP_RCVTIMEO, s, ms }
#define FIONREAD(s)		{ OP_FIONREAD, s }
#define POLL(s)			{ OP_POLL, s }
#define SHUTDOWN(s, how)	{ OP_SHUTDOWN, s, how }
#define CLOSE(s)		{ OP_CLOSE, s }
#define SETTLE()		{ OP_SETTLE, -1 }
#define RECV_SHUTRD(s, n)	{ OP_RECV_SHUTRD, s, 0, n }
#define LISTEN(l)		{ OP_LISTEN, l }
#define CONNECT(c, l)		{ OP_CONNECT, c, l }
#define ACCEPT(s, l)		{ OP_ACCEPT, s, l }
#define ACCEPT_WAIT(s, l, c)	{ OP_ACCEPT_WAIT, s, l, .len = c }
#define SNDBUF(s, v)		{ OP_SNDBUF, s, v }
#define RCVBUF(s, v)		{ OP_RCVBUF, s, v }
#define FILL(s, n)		{ OP_FILL, s, 0, n, DONTWAIT }
#define PUMP(r, w, n)		{ OP_PUMP, r, w, n, DONTWAIT }
#define DELETE(slot)		{ OP_MAP_DELETE, -1, slot }
#define WARNS()			{ OP_WARNS, -1 }
#define SO_ERROR(s)		{ OP_SO_ERROR, s }
#define RECV_FAULT(s, n, good)	{ OP_RECV_FAULT, s, good, n, DONTWAIT }
/* one byte from 0 (corked), one from 2 (plain TCP): not contiguous in the
 * task's page fragment */
#define TWO_BYTES()		SEND(0, 1), SEND(2, 1)

/* TX->RX: 0 sends, its sk_msg verdict redirects to the ingress of 1 (slot 1). */
#define TXRX_SETUP(v)	PAIR(0, 1), MSG(v, 1), ADD(0, 0), ADD(1, 1)
/* RX->RX: 0 sends to 1 over TCP; 1's sk_skb verdict redirects to 3's ingress. */
#define RXRX_SETUP(v)	PAIR(0, 1), PAIR(2, 3), SKB(v, 1), ADD(0, 1), ADD(1, 3)

const struct conf_scenario conf_scenarios[] = {
	{ "plain_tcp", "control: a TCP pair outside any map", {
		PAIR(0, 1), SEND(0, 1000), FIONREAD(1), POLL(1), RECV(1, 4096, DONTWAIT), POLL(1),
		NONBLOCK(1), SEND(0, 1500), SPLICE(1, 65536, 0), PIPE_READ(65536),
		SPLICE(1, 65536, 0) } },
	{ "in_map_no_prog", "control: both sockets in the map, no program", {
		PAIR(0, 1), ADD(0, 0), ADD(1, 1), SEND(0, 1000), RECV(1, 4096, DONTWAIT),
		NONBLOCK(1), SEND(0, 1500), SPLICE(1, 65536, 0), PIPE_READ(65536) } },
	{ "txrx_recv", "TX->RX redirect to ingress, recv()", {
		TXRX_SETUP(V_REDIR_INGRESS), SEND(0, 1000), FIONREAD(1),
		RECV(1, 300, PEEK), RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT), POLL(1) } },
	{ "txrx_splice_whole", "TX->RX, one splice of everything, then recv() as control", {
		TXRX_SETUP(V_REDIR_INGRESS), NONBLOCK(1), SEND(0, 3000), POLL(1),
		SPLICE(1, 65536, 0), PIPE_READ(65536), POLL(1), RECV(1, 4096, DONTWAIT) } },
	{ "txrx_splice_chunked", "TX->RX, splice in 1000-byte chunks", {
		TXRX_SETUP(V_REDIR_INGRESS), NONBLOCK(1), SEND(0, 3000),
		SPLICE(1, 1000, 0), SPLICE(1, 1000, 0), SPLICE(1, 1000, 0),
		SPLICE(1, 1000, 0), PIPE_READ(65536), RECV(1, 4096, DONTWAIT) } },
	{ "txrx_splice_empty", "TX->RX, splice with nothing queued", {
		TXRX_SETUP(V_REDIR_INGRESS), NONBLOCK(1), SPLICE(1, 1000, 0),
		SPLICE(1, 1000, SPLICE_NB) } },
	{ "txrx_splice_blocking_timeout", "TX->RX, blocking socket: SPLICE_F_NONBLOCK is about the pipe only", {
		TXRX_SETUP(V_REDIR_INGRESS), RCVTIMEO(1, 200), SPLICE(1, 1000, SPLICE_NB),
		SEND(0, 500), SPLICE(1, 1000, SPLICE_NB), PIPE_READ(65536),
		RECV(1, 4096, DONTWAIT) } },
	{ "txrx_drop", "TX->RX, SK_DROP", {
		TXRX_SETUP(V_DROP), SEND(0, 1000), FIONREAD(1), RECV(1, 4096, DONTWAIT) } },
	{ "txrx_drop_sticky", "TX->RX, the redirect's slot empty (SK_DROP), then filled", {
		PAIR(0, 1), MSG(V_REDIR_INGRESS, 1), ADD(0, 0), SEND(0, 100), ADD(1, 1),
		SEND(0, 200), FIONREAD(1), RECV(1, 4096, DONTWAIT), SEND(0, 300),
		RECV(1, 4096, DONTWAIT) } },
	{ "txrx_verdict_then_pass", "a program whose first run redirects 100 bytes (apply_bytes) to 3's ingress and whose later runs pass (fixes 8)", {
		PAIR(0, 1), PAIR(2, 3), MSG_AC(V_REDIR_THEN_PASS, 3, 100, 0), ADD(0, 0), ADD(3, 3),
		SEND(0, 300), SETTLE(), FIONREAD(3), RECV(3, 4096, DONTWAIT), FIONREAD(1),
		RECV(1, 4096, DONTWAIT) } },
	{ "txrx_pass", "sk_msg SK_PASS: plain TCP underneath", {
		TXRX_SETUP(V_PASS), SEND(0, 1000), RECV(1, 4096, DONTWAIT), NONBLOCK(1),
		SEND(0, 700), SPLICE(1, 65536, 0), PIPE_READ(65536) } },
	{ "txrx_apply_bytes", "TX->RX with apply_bytes 500", {
		PAIR(0, 1), MSG_AC(V_REDIR_INGRESS, 1, 500, 0), ADD(0, 0), ADD(1, 1),
		SEND(0, 1200), FIONREAD(1), NONBLOCK(1), SPLICE(1, 700, 0),
		PIPE_READ(65536), RECV(1, 4096, DONTWAIT) } },
	{ "txrx_cork_bytes", "TX->RX with cork_bytes 1000", {
		PAIR(0, 1), MSG_AC(V_REDIR_INGRESS, 1, 0, 1000), ADD(0, 0), ADD(1, 1),
		SEND(0, 600), FIONREAD(1), SEND(0, 600), FIONREAD(1),
		RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_recv", "RX->RX: sk_skb verdict redirects to another socket's ingress", {
		RXRX_SETUP(V_REDIR_INGRESS), SEND(0, 1000), SETTLE(), FIONREAD(3), POLL(3), POLL(1),
		RECV(3, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_splice", "RX->RX, splice on the target", {
		RXRX_SETUP(V_REDIR_INGRESS), NONBLOCK(3), SEND(0, 2000), SETTLE(),
		SPLICE(3, 65536, 0), PIPE_READ(65536), RECV(3, 4096, DONTWAIT) } },
	{ "rxrx_pass_splice", "sk_skb SK_PASS: the skb goes to the socket's own psock queue", {
		PAIR(0, 1), SKB(V_PASS, 1), ADD(0, 1), NONBLOCK(1), SEND(0, 1000), SETTLE(),
		FIONREAD(1), SPLICE(1, 65536, 0), PIPE_READ(65536), RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_pass_after_partial_read", "sk_skb SK_PASS: the socket joins the map with an skb half read", {
		PAIR(0, 1), SEND(0, 17), SETTLE(), RECV(1, 16, DONTWAIT), SKB(V_PASS, 1), ADD(0, 1),
		SEND(0, 10), SETTLE(), FIONREAD(1), RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_drop", "sk_skb SK_DROP", {
		PAIR(0, 1), SKB(V_DROP, 1), ADD(0, 1), SEND(0, 1000), SETTLE(),
		FIONREAD(1), RECV(1, 4096, DONTWAIT) } },
	{ "peer_shutdown", "TX->RX, then the sender shuts down writing", {
		TXRX_SETUP(V_REDIR_INGRESS), NONBLOCK(1), SEND(0, 1000), SHUTDOWN(0, SHUT_WRITE),
		SETTLE(), POLL(1), SPLICE(1, 65536, 0), PIPE_READ(65536), RECV(1, 4096, DONTWAIT),
		RECV(1, 4096, DONTWAIT) } },
	{ "txrx_recv_woken_by_shutdown", "TX->RX target, no sk_skb verdict: a blocking recv woken by shutdown(SHUT_RD) (fixes 11)", {
		TXRX_SETUP(V_REDIR_INGRESS), RECV_SHUTRD(1, 4096), RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_recv_woken_by_shutdown", "sk_skb verdict: a blocking recv woken by shutdown(SHUT_RD) (fixes 11)", {
		PAIR(0, 1), SKB(V_PASS, 1), ADD(0, 1), RECV_SHUTRD(1, 4096), RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_reads_after_fin", "sk_skb SK_PASS: three reads after EOF, then the socket leaves the map (fixes 9)", {
		PAIR(0, 1), SKB(V_PASS, 1), ADD(0, 1), SEND(0, 10), SHUTDOWN(0, SHUT_WRITE), SETTLE(),
		RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT),
		RECV(1, 4096, DONTWAIT), DELETE(0), FIONREAD(1), RECV(1, 4096, DONTWAIT) } },
	{ "close_with_data_queued", "TX->RX, the receiver closes with data queued", {
		TXRX_SETUP(V_REDIR_INGRESS), SEND(0, 1000), CLOSE(1), SETTLE(),
		SEND(0, 1000), SEND(0, 1000) } },
	{ "cork_full_flush", "cork 64, 1-byte sends interleaved with another socket's (patch 8)", {
		PAIR(0, 1), PAIR(2, 3), MSG_AC(V_REDIR_INGRESS, 1, 0, 64), ADD(0, 0), ADD(1, 1),
		TWO_BYTES(), TWO_BYTES(), TWO_BYTES(), TWO_BYTES(), TWO_BYTES(), TWO_BYTES(),
		TWO_BYTES(), TWO_BYTES(), TWO_BYTES(), TWO_BYTES(), TWO_BYTES(), TWO_BYTES(),
		TWO_BYTES(), TWO_BYTES(), TWO_BYTES(), TWO_BYTES(), TWO_BYTES(),
		FIONREAD(1), SEND(0, 1), FIONREAD(1) } },
	{ "cork_after_apply", "apply 300, cork 200: the cork's tail after a partial send (patch 9)", {
		PAIR(0, 1), MSG_AC(V_REDIR_INGRESS, 1, 300, 200), ADD(0, 0), ADD(1, 1),
		SEND(0, 4650), FIONREAD(1), SEND(0, 4674), FIONREAD(1) } },
	{ "cork_apply_rest", "apply 700, cork 3000: the rest of the cork (patch 10)", {
		PAIR(0, 1), MSG_AC(V_REDIR_INGRESS, 1, 700, 3000), ADD(0, 0), ADD(1, 1),
		SEND(0, 500), SEND(0, 500), SEND(0, 500), SEND(0, 500), SEND(0, 500),
		SEND(0, 500), FIONREAD(1), RECV(1, 65536, DONTWAIT), SEND(0, 700),
		FIONREAD(1) } },
	/* fixes/0006: below it sg.start stays on the element the faulting
	 * read consumed: the next reads fail with EFAULT, and the close puts
	 * that element's page a second time, which breaks 6.12.117 later on
	 * (a boot of its own there) */
	{ "txrx_recv_fault_at_boundary", "cork 2 makes a msg of two 1-byte elements; a read whose buffer faults after its first byte, then good reads (fixes/0006)", {
		PAIR(0, 1), PAIR(2, 3), MSG_AC(V_REDIR_INGRESS, 1, 0, 2), ADD(0, 0), ADD(1, 1),
		TWO_BYTES(), SEND(0, 1), FIONREAD(1), RECV_FAULT(1, 16, 1), FIONREAD(1),
		RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT), FIONREAD(1) },
		.breaks_below = "fixes" },
	/* fixes/0013: a redirect that fails on the target (here EPIPE from
	 * tcp_sendmsg_locked(): 2 is shut for writing, so no send buffer
	 * size is involved) freed the whole cork while send() had reported
	 * each byte; with the fix the cork stays and goes to the next
	 * target the program picks */
	{ "txtx_cork_redirect_fails", "cork 100 to the egress of 2, shut for writing: the redirect fails (EPIPE); then slot 1 holds 4 (fixes/0013)", {
		PAIR(0, 1), PAIR(2, 3), PAIR(4, 5), MSG_AC(V_REDIR_EGRESS, 1, 0, 100), ADD(0, 0),
		ADD(1, 2), SHUTDOWN(2, SHUT_WRITE), NONBLOCK(0), SEND(0, 60), SEND(0, 60),
		ADD(1, 4), SEND(0, 60), SEND(0, 60), SETTLE(), FIONREAD(5),
		RECV(5, 4096, DONTWAIT), FIONREAD(1) } },
	/* found by fuzz_world: a NULL page dereference in
	 * sk_msg_memcopy_from_iter() on 6.12.117 (the booted kernel panics) */
	{ "cork_apply1_pass", "apply 1, cork 100, SK_PASS: a second send after a partial cork", {
		PAIR(0, 1), MSG_AC(V_PASS, 1, 1, 100), ADD(0, 0),
		SEND(0, 256), FIONREAD(1), SEND(0, 256), FIONREAD(1), RECV(1, 65536, DONTWAIT) },
		.oops_below = "fixes" },
	{ "proxy", "sockops/SOCKHASH bypass; the proxy 1|2 splices both ways (Go io.Copy)", {
		BYPASS(), PAIR(0, 1), PAIR(2, 3), NONBLOCK(1), NONBLOCK(2),
		SEND(0, 3000), SPLICE(1, 65536, 0), SPLICE_OUT(2, 65536),
		RECV(3, 65536, DONTWAIT),
		SEND(3, 2000), SPLICE(2, 65536, 0), SPLICE_OUT(1, 65536),
		RECV(0, 65536, DONTWAIT),
		RECV(1, 65536, DONTWAIT), RECV(2, 65536, DONTWAIT) } },
	{ "proxy_large", "the proxy with 200 KiB each way, splice until EAGAIN", {
		BYPASS(), PAIR(0, 1), PAIR(2, 3), NONBLOCK(1), NONBLOCK(2), NONBLOCK(0),
		SEND(0, 200000), SPLICE(1, 65536, 0), SPLICE_OUT(2, 65536),
		SPLICE(1, 65536, 0), SPLICE_OUT(2, 65536),
		SPLICE(1, 65536, 0), SPLICE_OUT(2, 65536),
		SPLICE(1, 65536, 0), SPLICE_OUT(2, 65536),
		SPLICE(1, 65536, 0),
		RECV(3, 262144, DONTWAIT), RECV(1, 262144, DONTWAIT) } },
	/* a server: the client's bytes arrive before accept() */
	{ "accept_after_data", "control: plain TCP, the client sends before the server accepts", {
		LISTEN(0), NONBLOCK(0), ACCEPT(2, 0), POLL(0), CONNECT(1, 0), POLL(0),
		SEND(1, 1500), SETTLE(), ACCEPT(2, 0), POLL(0), FIONREAD(2), POLL(2),
		RECV(2, 4096, DONTWAIT), SEND(2, 700), RECV(1, 4096, DONTWAIT) } },
	{ "bypass_accept_after_data", "the bypass: the client's message goes to the ingress of a child not yet accepted", {
		BYPASS(), LISTEN(0), CONNECT(1, 0), SEND(1, 900), SETTLE(), POLL(0),
		ACCEPT(2, 0), FIONREAD(2), POLL(2), RECV(2, 300, PEEK), RECV(2, 4096, DONTWAIT),
		RECV(2, 4096, DONTWAIT), SEND(2, 400), RECV(1, 4096, DONTWAIT) } },
	{ "bypass_accept_after_data_splice", "the bypass, data before accept(), the server splices (a proxy)", {
		BYPASS(), LISTEN(0), CONNECT(1, 0), SEND(1, 2000), SETTLE(), ACCEPT(2, 0),
		NONBLOCK(2), POLL(2), SPLICE(2, 65536, 0), PIPE_READ(65536),
		RECV(2, 4096, DONTWAIT) } },
	{ "bypass_client_close_before_accept", "the bypass: the client sends and closes before the server accepts", {
		BYPASS(), LISTEN(0), CONNECT(1, 0), SEND(1, 1000), CLOSE(1), SETTLE(),
		ACCEPT(2, 0), POLL(2), FIONREAD(2), RECV(2, 4096, DONTWAIT),
		RECV(2, 4096, DONTWAIT), POLL(2), SEND(2, 10) } },
	{ "accept_woken_by_connect", "control: a blocking accept() is woken by the connection", {
		LISTEN(0), RCVTIMEO(0, 2000), ACCEPT_WAIT(2, 0, 1), POLL(0), SEND(1, 100),
		RECV(2, 4096, DONTWAIT) } },
	{ "listener_skb_verdict_accept_not_woken", "a listener in the map with an sk_skb verdict: a blocking accept() is not woken", {
		LISTEN(0), SKB(V_PASS, 0), ADD(0, 0), RCVTIMEO(0, 2000), ACCEPT_WAIT(2, 0, 1),
		POLL(0), SEND(1, 100), RECV(2, 4096, DONTWAIT) } },
	{ "sockops_skb_pass_before_accept", "sockops puts the child in the map (sk_skb pass) before accept(); data before accept()", {
		SKB(V_PASS, 0), SOCKOPS_ADD(0), LISTEN(0), CONNECT(1, 0), SEND(1, 1200), SETTLE(),
		ACCEPT(2, 0), SETTLE(), FIONREAD(2), POLL(2), RECV(2, 4096, DONTWAIT),
		RECV(2, 4096, DONTWAIT), SEND(1, 300), SETTLE(), FIONREAD(2),
		RECV(2, 4096, DONTWAIT) } },
	{ "sockops_skb_redirect_from_unaccepted_child", "the child's sk_skb verdict redirects to 3's ingress: nothing runs before accept()", {
		PAIR(4, 3), SKB(V_REDIR_INGRESS, 1), ADD(1, 3), SOCKOPS_ADD(0), LISTEN(0),
		CONNECT(1, 0), SEND(1, 1000), SETTLE(), FIONREAD(3), ACCEPT(2, 0), SETTLE(),
		FIONREAD(3), SEND(1, 500), SETTLE(), FIONREAD(3), RECV(3, 4096, DONTWAIT),
		RECV(2, 4096, DONTWAIT) } },
	{ "listener_skb_verdict_accept", "a listener in the map with an sk_skb verdict: its child drops what comes after accept()", {
		LISTEN(0), SKB(V_PASS, 0), ADD(0, 0), CONNECT(1, 0), POLL(0), SEND(1, 100),
		SETTLE(), ACCEPT(2, 0), FIONREAD(2), RECV(2, 4096, DONTWAIT), SEND(1, 300),
		SEND(1, 50), SETTLE(), FIONREAD(2), POLL(2), RECV(2, 4096, DONTWAIT),
		SEND(2, 200), RECV(1, 4096, DONTWAIT) } },
	/* the listener closes with children it never handed out */
	{ "close_listener_unaccepted", "control: plain TCP, the listener closes with two children queued", {
		LISTEN(0), CONNECT(1, 0), CONNECT(2, 0), ACCEPT(3, 0), SEND(2, 1000), CLOSE(0),
		SETTLE(), POLL(2), SEND(2, 10), RECV(2, 4096, DONTWAIT), RECV(2, 4096, DONTWAIT),
		SEND(2, 10), POLL(1), SEND(1, 500), RECV(3, 4096, DONTWAIT), SEND(3, 200),
		RECV(1, 4096, DONTWAIT) } },
	{ "bypass_close_listener_unaccepted", "the bypass: the listener closes with a child (and its psock) unaccepted", {
		BYPASS(), LISTEN(0), CONNECT(1, 0), CONNECT(2, 0), ACCEPT(3, 0), SEND(2, 1000),
		CLOSE(0), SETTLE(), POLL(2), SEND(2, 10), RECV(2, 4096, DONTWAIT),
		RECV(2, 4096, DONTWAIT), SEND(2, 10), POLL(1), SEND(1, 500),
		RECV(3, 4096, DONTWAIT), SEND(3, 200), RECV(1, 4096, DONTWAIT) } },
	/* backpressure: the target's peer does not read; small buffers */
	{ "txtx_backpressure", "TX->TX to a socket whose peer does not read: -EAGAIN, then the reader drains", {
		PAIR(0, 1), PAIR(2, 3), SNDBUF(2, 16384), RCVBUF(3, 16384),
		MSG(V_REDIR_EGRESS, 1), ADD(0, 0), ADD(1, 2), FILL(0, 524288),
		RECV(1, 4096, DONTWAIT), PUMP(3, 0, 524288), RECV(3, 4096, DONTWAIT),
		RECV(1, 4096, DONTWAIT) } },
	{ "txrx_ingress_no_backpressure", "TX->RX to a socket that does not read, small SO_RCVBUF: ingress_msg takes everything", {
		TXRX_SETUP(V_REDIR_INGRESS), RCVBUF(1, 16384), FILL(0, 524288), FIONREAD(1),
		POLL(1), PUMP(1, 0, 524288), RECV(1, 4096, DONTWAIT) } },
	{ "rxtx_backpressure", "RX->TX to a socket whose peer does not read: the backlog waits, nothing pushes back", {
		PAIR(0, 1), PAIR(2, 3), SNDBUF(2, 16384), RCVBUF(3, 16384),
		SKB(V_REDIR_EGRESS, 1), ADD(0, 1), ADD(1, 2), FILL(0, 524288), SETTLE(),
		RECV(1, 4096, DONTWAIT), PUMP(3, 0, 524288), RECV(3, 4096, DONTWAIT),
		RECV(1, 4096, DONTWAIT) } },
	/* the parser + verdict mode (BPF_SK_SKB_STREAM_PARSER and
	 * BPF_SK_SKB_STREAM_VERDICT): the strparser cuts what arrives on 1
	 * into messages of the parser's length, the verdict runs on each;
	 * a verdict-only twin where it tells the difference */
	{ "strp_pass_split", "parser + verdict, SK_PASS, msg_len 1000: one message in two segments (300 + 700)", {
		PAIR(0, 1), STRP(V_PASS, 0, 1000), ADD(0, 1), SEND(0, 300), SETTLE(),
		FIONREAD(1), POLL(1), RECV(1, 4096, DONTWAIT), SEND(0, 700), SETTLE(),
		FIONREAD(1), POLL(1), RECV(1, 4096, DONTWAIT), POLL(1), RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_pass_split", "twin of strp_pass_split, verdict only: every segment is read at once", {
		PAIR(0, 1), SKB(V_PASS, 0), ADD(0, 1), SEND(0, 300), SETTLE(),
		FIONREAD(1), POLL(1), RECV(1, 4096, DONTWAIT), SEND(0, 700), SETTLE(),
		FIONREAD(1), POLL(1), RECV(1, 4096, DONTWAIT), POLL(1), RECV(1, 4096, DONTWAIT) } },
	{ "strp_pass_several_per_segment", "parser + verdict, SK_PASS, msg_len 100: three messages in one segment, peek, reads across messages", {
		PAIR(0, 1), STRP(V_PASS, 0, 100), ADD(0, 1), SEND(0, 300), SETTLE(), FIONREAD(1),
		POLL(1), RECV(1, 64, PEEK), FIONREAD(1), RECV(1, 150, DONTWAIT), FIONREAD(1),
		RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT), POLL(1) } },
	{ "strp_pass_skb_len", "parser + verdict, SK_PASS, the parser returns skb->len: every segment is a message", {
		PAIR(0, 1), STRP(V_PASS, 0, 0), ADD(0, 1), SEND(0, 300), SETTLE(), FIONREAD(1),
		SEND(0, 700), SETTLE(), FIONREAD(1), RECV(1, 500, DONTWAIT), RECV(1, 4096, DONTWAIT),
		RECV(1, 4096, DONTWAIT) } },
	{ "strp_redirect_ingress", "parser + verdict, msg_len 100, redirect to 3's ingress: 250 + 250 bytes", {
		PAIR(0, 1), PAIR(2, 3), STRP(V_REDIR_INGRESS, 1, 100), ADD(0, 1), ADD(1, 3),
		SEND(0, 250), SETTLE(), FIONREAD(3), POLL(3), POLL(1), SEND(0, 250), SETTLE(),
		FIONREAD(3), RECV(3, 4096, DONTWAIT), RECV(3, 4096, DONTWAIT), FIONREAD(1),
		RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_redirect_ingress_twice", "twin of strp_redirect_ingress, verdict only", {
		RXRX_SETUP(V_REDIR_INGRESS), SEND(0, 250), SETTLE(), FIONREAD(3), POLL(3), POLL(1),
		SEND(0, 250), SETTLE(), FIONREAD(3), RECV(3, 4096, DONTWAIT),
		RECV(3, 4096, DONTWAIT), FIONREAD(1), RECV(1, 4096, DONTWAIT) } },
	{ "strp_redirect_egress", "parser + verdict, msg_len 100, redirect to 3's egress: 2 receives", {
		PAIR(0, 1), PAIR(2, 3), STRP(V_REDIR_EGRESS, 1, 100), ADD(0, 1), ADD(1, 3),
		SEND(0, 250), SETTLE(), RECV(2, 4096, DONTWAIT), SEND(0, 250), SETTLE(),
		RECV(2, 4096, DONTWAIT), RECV(2, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT),
		RECV(3, 4096, DONTWAIT) } },
	{ "rxtx_redirect_egress", "twin of strp_redirect_egress, verdict only", {
		PAIR(0, 1), PAIR(2, 3), SKB(V_REDIR_EGRESS, 1), ADD(0, 1), ADD(1, 3),
		SEND(0, 250), SETTLE(), RECV(2, 4096, DONTWAIT), SEND(0, 250), SETTLE(),
		RECV(2, 4096, DONTWAIT), RECV(2, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT),
		RECV(3, 4096, DONTWAIT) } },
	{ "strp_pass_splice", "parser + verdict, SK_PASS, msg_len 100: splice on the receiver", {
		PAIR(0, 1), STRP(V_PASS, 0, 100), ADD(0, 1), NONBLOCK(1), SEND(0, 300), SETTLE(),
		POLL(1), SPLICE(1, 65536, 0), PIPE_READ(65536), RECV(1, 4096, DONTWAIT),
		SEND(0, 50), SETTLE(), SPLICE(1, 65536, 0), POLL(1), RECV(1, 4096, DONTWAIT) } },
	{ "strp_parser_error", "the parser returns -EPROTO: the strparser aborts (sk_err), the segment stays queued", {
		PAIR(0, 1), STRP_ERR(V_PASS, 0, EPROTO), ADD(0, 1), NONBLOCK(1), SEND(0, 100),
		SETTLE(), POLL(1), FIONREAD(1), RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT),
		SO_ERROR(1), POLL(1), RECV(1, 4096, DONTWAIT), SEND(0, 100), SETTLE(), POLL(1),
		RECV(1, 4096, DONTWAIT), SPLICE(1, 65536, 0), PIPE_READ(65536),
		RECV(1, 4096, DONTWAIT), POLL(1) } },
	{ "strp_msg_too_big", "msg_len 10000 with SO_RCVBUF 4096 (sk_rcvbuf 8192): the strparser aborts, -EMSGSIZE", {
		PAIR(0, 1), RCVBUF(1, 4096), STRP(V_PASS, 0, 10000), ADD(0, 1), SEND(0, 1000),
		SETTLE(), POLL(1), FIONREAD(1), RECV(1, 4096, DONTWAIT), SO_ERROR(1),
		RECV(1, 4096, DONTWAIT) } },
	{ "strp_msg_fits", "twin of strp_msg_too_big: msg_len 10000, the default SO_RCVBUF", {
		PAIR(0, 1), STRP(V_PASS, 0, 10000), ADD(0, 1), SEND(0, 1000), SETTLE(), POLL(1),
		FIONREAD(1), RECV(1, 4096, DONTWAIT), SO_ERROR(1), SEND(0, 9000), SETTLE(),
		FIONREAD(1), RECV(1, 16384, DONTWAIT) } },
	{ "strp_msg_timeout", "a message not complete within SO_RCVTIMEO (150 ms): the strparser's timer aborts it", {
		PAIR(0, 1), STRP(V_PASS, 0, 1000), ADD(0, 1), RCVTIMEO(1, 150), SEND(0, 300),
		POLL(1), SETTLE(), SETTLE(), SETTLE(), POLL(1), RECV(1, 4096, DONTWAIT),
		RECV(1, 4096, DONTWAIT), SEND(0, 700), SETTLE(), POLL(1), FIONREAD(1),
		RECV(1, 4096, DONTWAIT) } },
	{ "strp_copied_seq_twice", "msg_len 150 over three 100-byte segments, read after the third; the socket leaves the map", {
		PAIR(0, 1), STRP(V_PASS, 0, 150), ADD(0, 1), SEND(0, 100), SETTLE(), SEND(0, 100),
		SETTLE(), SEND(0, 100), SETTLE(), FIONREAD(1), RECV(1, 4096, DONTWAIT), POLL(1),
		DELETE(0), SETTLE(), FIONREAD(1), POLL(1), SEND(0, 200), SETTLE(), FIONREAD(1),
		RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT) } },
	{ "strp_copied_seq_whole_msgs", "msg_len 100, three 100-byte segments read after the third; the socket leaves the map", {
		PAIR(0, 1), STRP(V_PASS, 0, 100), ADD(0, 1), SEND(0, 100), SETTLE(), SEND(0, 100),
		SETTLE(), SEND(0, 100), SETTLE(), FIONREAD(1), RECV(1, 4096, DONTWAIT), POLL(1),
		DELETE(0), SETTLE(), FIONREAD(1), POLL(1), SEND(0, 300), SETTLE(), FIONREAD(1),
		RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT) } },
	{ "strp_delete_partial", "msg_len 1000: the socket leaves the map with 600 bytes of a message held by the strparser", {
		PAIR(0, 1), STRP(V_PASS, 0, 1000), ADD(0, 1), SEND(0, 600), SETTLE(), FIONREAD(1),
		DELETE(0), SETTLE(), FIONREAD(1), POLL(1), RECV(1, 4096, DONTWAIT), SEND(0, 400),
		SETTLE(), FIONREAD(1), RECV(1, 4096, DONTWAIT), RECV(1, 4096, DONTWAIT) } },
	/* WARNs 6.12.117: runs only when named. It ends before the next
	 * segment: a kernel coalesces that into the skb recv() stalls on
	 * (tcp_try_coalesce()), which the sim's TCP does not model */
	{ "strp_copied_seq_warn", "strp_copied_seq_whole_msgs, then a segment that ends where copied_seq points: recv() WARNs", {
		PAIR(0, 1), STRP(V_PASS, 0, 100), ADD(0, 1), SEND(0, 100), SETTLE(), SEND(0, 100),
		SETTLE(), SEND(0, 100), SETTLE(), RECV(1, 4096, DONTWAIT), DELETE(0), SETTLE(),
		FIONREAD(1), SEND(0, 200), SETTLE(), FIONREAD(1), POLL(1), RECV(1, 4096, DONTWAIT),
		WARNS(), RECV(1, 4096, DONTWAIT), WARNS(), FIONREAD(1) }, .warns = true },
	{ "strp_copied_seq_read_each", "twin of strp_copied_seq_twice: 1 reads each message as it completes", {
		PAIR(0, 1), STRP(V_PASS, 0, 150), ADD(0, 1), SEND(0, 100), SETTLE(),
		RECV(1, 4096, DONTWAIT), SEND(0, 100), SETTLE(), RECV(1, 4096, DONTWAIT),
		SEND(0, 100), SETTLE(), RECV(1, 4096, DONTWAIT), POLL(1), DELETE(0), SETTLE(),
		FIONREAD(1), POLL(1), SEND(0, 200), SETTLE(), FIONREAD(1), RECV(1, 4096, DONTWAIT),
		RECV(1, 4096, DONTWAIT) } },
	{ "rxrx_pass_delete_unread", "sk_skb SK_PASS: the socket leaves the map with bytes unread on its psock", {
		PAIR(0, 1), SKB(V_PASS, 0), ADD(0, 1), SEND(0, 100), SETTLE(), FIONREAD(1),
		DELETE(0), SETTLE(), SEND(0, 200), SETTLE(), FIONREAD(1), POLL(1),
		RECV(1, 4096, DONTWAIT), WARNS(), RECV(1, 4096, DONTWAIT), WARNS(),
		FIONREAD(1) }, .warns = true },
};

const size_t conf_nr_scenarios = sizeof(conf_scenarios) / sizeof(conf_scenarios[0]);

const char *conf_op_name(enum conf_op op)
{
	static const char *const names[] = {
		[OP_END] = "END", [OP_PAIR] = "PAIR", [OP_MAP_ADD] = "MAP_ADD",
		[OP_MSG_PROG] = "MSG_PROG", [OP_SKB_PROG] = "SKB_PROG",
		[OP_BYPASS] = "BYPASS", [OP_SOCKOPS_ADD] = "SOCKOPS_ADD", [OP_SEND] = "SEND", [OP_RECV] = "RECV",
		[OP_SPLICE] = "SPLICE", [OP_SPLICE_OUT] = "SPLICE_OUT",
		[OP_PIPE_READ] = "PIPE_READ", [OP_NONBLOCK] = "NONBLOCK",
		[OP_RCVTIMEO] = "RCVTIMEO", [OP_FIONREAD] = "FIONREAD",
		[OP_SHUTDOWN] = "SHUTDOWN", [OP_POLL] = "POLL", [OP_CLOSE] = "CLOSE", [OP_SETTLE] = "SETTLE",
		[OP_RECV_SHUTRD] = "RECV_SHUTRD", [OP_LISTEN] = "LISTEN",
		[OP_CONNECT] = "CONNECT", [OP_ACCEPT] = "ACCEPT",
		[OP_ACCEPT_WAIT] = "ACCEPT_WAIT",
		[OP_SNDBUF] = "SNDBUF", [OP_RCVBUF] = "RCVBUF", [OP_FILL] = "FILL",
		[OP_PUMP] = "PUMP", [OP_MAP_DELETE] = "MAP_DELETE", [OP_WARNS] = "WARNS",
		[OP_STRP_PROG] = "STRP_PROG", [OP_SO_ERROR] = "SO_ERROR",
		[OP_RECV_FAULT] = "RECV_FAULT",
	};

	return names[op];
}

const char *conf_verdict_name(enum conf_verdict v)
{
	static const char *const names[] = {
		[V_PASS] = "pass", [V_DROP] = "drop",
		[V_REDIR_INGRESS] = "redirect-ingress", [V_REDIR_EGRESS] = "redirect-egress",
		[V_REDIR_THEN_PASS] = "redirect-ingress-then-pass",
	};

	return names[v];
}

const char *conf_errname(int err)
{
	static char buf[16];

	switch (-err) {
	case EAGAIN: return "-EAGAIN";
	case EACCES: return "-EACCES";
	case EPIPE: return "-EPIPE";
	case ENOTCONN: return "-ENOTCONN";
	case ECONNRESET: return "-ECONNRESET";
	case EFAULT: return "-EFAULT";
	case EINVAL: return "-EINVAL";
	case ENOSPC: return "-ENOSPC";
	case ENOMEM: return "-ENOMEM";
	case ESPIPE: return "-ESPIPE";
	case EBADF: return "-EBADF";
	case EOPNOTSUPP: return "-EOPNOTSUPP";
	case EINTR: return "-EINTR";
	case EPROTO: return "-EPROTO";
	case EMSGSIZE: return "-EMSGSIZE";
	case ETIMEDOUT: return "-ETIMEDOUT";
	case ENODATA: return "-ENODATA";
	}
	snprintf(buf, sizeof(buf), "-%d", -err);
	return buf;
}

void conf_format_step(const struct conf_step *s, char *buf, size_t size)
{
	const char *name = conf_op_name(s->op);

	switch (s->op) {
	case OP_PAIR:
		snprintf(buf, size, "%s %d %d", name, s->sock, s->arg);
		break;
	case OP_MAP_ADD:
		snprintf(buf, size, "%s slot%d=%d", name, s->arg, s->sock);
		break;
	case OP_MSG_PROG:
	case OP_SKB_PROG:
		snprintf(buf, size, "%s %s slot%d%s%.0u%s%.0u", name, conf_verdict_name(s->verdict),
			 s->arg, s->apply ? " apply=" : "", s->apply, s->cork ? " cork=" : "", s->cork);
		break;
	case OP_STRP_PROG:
		if (s->len > 0)
			snprintf(buf, size, "%s %s slot%d msg_len=%d", name,
				 conf_verdict_name(s->verdict), s->arg, s->len);
		else if (!s->len)
			snprintf(buf, size, "%s %s slot%d msg_len=skb->len", name,
				 conf_verdict_name(s->verdict), s->arg);
		else
			snprintf(buf, size, "%s %s slot%d parser=%s", name,
				 conf_verdict_name(s->verdict), s->arg, conf_errname(s->len));
		break;
	case OP_SEND:
	case OP_RECV:
	case OP_SPLICE:
	case OP_SPLICE_OUT:
		if (s->op == OP_SEND || s->op == OP_RECV)
			snprintf(buf, size, "%s %d len=%d%s%s", name, s->sock, s->len,
				 s->flags & DONTWAIT ? " DONTWAIT" : "",
				 s->op == OP_RECV && (s->flags & PEEK) ? " PEEK" : "");
		else
			snprintf(buf, size, "%s %d len=%d%s", name, s->sock, s->len,
				 s->flags & SPLICE_NB ? " F_NONBLOCK" : "");
		break;
	case OP_PIPE_READ:
		snprintf(buf, size, "%s len=%d", name, s->len);
		break;
	case OP_RECV_FAULT:
		snprintf(buf, size, "%s %d len=%d fault_at=%d DONTWAIT", name, s->sock, s->len,
			 s->arg);
		break;
	case OP_CONNECT:
	case OP_ACCEPT:
		snprintf(buf, size, "%s %d listener=%d", name, s->sock, s->arg);
		break;
	case OP_ACCEPT_WAIT:
		snprintf(buf, size, "%s %d listener=%d connecting=%d", name, s->sock, s->arg,
			 s->len);
		break;
	case OP_FILL:
		snprintf(buf, size, "%s %d len=%d DONTWAIT", name, s->sock, s->len);
		break;
	case OP_PUMP:
		snprintf(buf, size, "%s %d<-%d len=%d", name, s->sock, s->arg, s->len);
		break;
	case OP_MAP_DELETE:
	case OP_SOCKOPS_ADD:
		snprintf(buf, size, "%s slot%d", name, s->arg);
		break;
	case OP_RECV_SHUTRD:
		snprintf(buf, size, "%s %d len=%d", name, s->sock, s->len);
		break;
	case OP_RCVTIMEO:
	case OP_SHUTDOWN:
	case OP_SNDBUF:
	case OP_RCVBUF:
		snprintf(buf, size, "%s %d %d", name, s->sock, s->arg);
		break;
	case OP_NONBLOCK:
	case OP_FIONREAD:
	case OP_POLL:
	case OP_SO_ERROR:
	case OP_CLOSE:
	case OP_LISTEN:
		snprintf(buf, size, "%s %d", name, s->sock);
		break;
	default:
		snprintf(buf, size, "%s", name);
	}
}
