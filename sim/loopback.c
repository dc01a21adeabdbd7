// SPDX-License-Identifier: GPL-2.0
/*
 * sim: the loopback device and net_rx_action() between two sockets: each
 * socket's "wire" holds the segments in flight towards it. A receiver out
 * of receive memory leaves skbs on the wire; they are delivered when it
 * reads (window update).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sim/ledger.h>
#include <sim/net.h>
#include <sim/invariant.h>
#include <sim/sockmap.h>
#include <sim/watch.h>
#include <sim/task.h>
#include <sim/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/inet_common.h>
#include <linux/splice.h>
#include <linux/init.h>

/* Deliver what waits on the wire towards @sk (receive window opened).
 * A window update sent while @sk is receiving (a verdict consuming the
 * skb calls tcp_cleanup_rbuf() from tcp_v4_rcv()) lets the peer's next
 * segment in after this one, in the loop below: never from inside
 * tcp_v4_rcv(), which would take the socket's bh lock twice. */
static bool wire_softirq;

void sim_tcp_wire_softirq(bool on)
{
	wire_softirq = on;
}

static void wire_deliver(struct sock *sk);

/* net_rx_action() on the sender's CPU: the segments queued towards @arg. */
static void wire_rx_softirq(void *arg)
{
	struct sock *sk = arg;

	sim_tcp(sk)->softirq_pending = false;
	wire_deliver(sk);
	sock_put(sk);
}

/* Segments transmitted while an ack is processed in softirq (under the
 * sender's bh lock) wait on their wire until the deferral ends. */
static int xmit_defer;
static struct sock *rx_pending[64];
static int rx_npending;

void sim_tcp_xmit_defer(bool on)
{
	if (on) {
		xmit_defer++;
		return;
	}
	if (--xmit_defer)
		return;
	while (rx_npending) {
		struct sock *sk = rx_pending[--rx_npending];

		sim_tcp(sk)->rx_pending = false;
		sim_tcp_wire_flush(sk);
		sock_put(sk);
	}
}

void sim_tcp_wire_flush(struct sock *sk)
{
	struct sim_tcp_sock *st = sim_tcp(sk);

	if (xmit_defer) {
		if (!st->rx_pending) {
			BUG_ON(rx_npending >= (int)ARRAY_SIZE(rx_pending));
			st->rx_pending = true;
			sock_hold(sk);
			rx_pending[rx_npending++] = sk;
		}
		return;
	}

	if (wire_softirq && sim_sched_active() && !sim_in_softirq()) {
		char name[32];

		if (st->softirq_pending)
			return;
		/* A run holds SIM_MAX_TASKS tasks, finished ones included
		 * (a kworker's long egress send raises a softirq per
		 * segment): past that the segment is received at once, in
		 * the sender's context, as without softirq tasks. */
		if (sim_task_slot_free()) {
			st->softirq_pending = true;
			sock_hold(sk);
			snprintf(name, sizeof(name), "softirq rx %s",
				 sk->sim_name ? sk->sim_name : "?");
			sim_task_start_on(name, SIM_TASK_SOFTIRQ, sim_task_cpu(sim_task_self()),
					  wire_rx_softirq, sk);
			return;
		}
	}
	/* tcp_v4_rcv() finds the socket with a reference
	 * (__inet_lookup_skb(), refcounted) and drops it when the segment
	 * is done: a close that runs meanwhile (another task, preempted
	 * into) does not free the socket under the receive */
	sock_hold(sk);
	wire_deliver(sk);
	sock_put(sk);
}

void sim_tcp_wire_requeue(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff_head *wire = &sim_tcp(sk)->wire;
	struct sk_buff *pos;

	skb_queue_walk(wire, pos) {
		if (after(TCP_SKB_CB(pos)->seq, TCP_SKB_CB(skb)->seq)) {
			__skb_queue_before(wire, pos, skb);
			return;
		}
	}
	__skb_queue_tail(wire, skb);
}

static void wire_deliver(struct sock *sk)
{
	struct sim_tcp_sock *st = sim_tcp(sk);
	struct sk_buff *skb;

	if (st->wire_flushing)
		return;
	st->wire_flushing = true;
	while ((skb = skb_peek(&st->wire)) != NULL) {
		bool taken;

		__skb_unlink(skb, &st->wire);
		if (skb == st->requeued)
			st->requeued = NULL;
		/* the receive runs in softirq (net_rx_action), bh off */
		local_bh_disable();
		taken = tcp_v4_rcv(sk, skb);
		local_bh_enable();
		if (!taken) {
			if (sk->sk_state == TCP_CLOSE || sock_flag(sk, SOCK_DEAD)) {
				kfree_skb(skb);	/* peer gone: RST, data lost */
				continue;
			}
			/* out of receive memory (or backlog room): the window
			 * is shut; the segment waits, charged to its sender */
			__skb_queue_head(&st->wire, skb);
			st->rwnd_closed = true;
			break;
		}
		sim_tcp_ack_flush(sk);
	}
	if (skb_queue_empty(&st->wire) && st->rwnd_closed &&
	    !(sk->sk_state == TCP_CLOSE || sock_flag(sk, SOCK_DEAD))) {
		/* all that waited is in: the window opens (window update) */
		st->rwnd_closed = false;
		tcp_send_ack(sk);
	}
	st->wire_flushing = false;
	sim_tcp_ack_flush(sk);
}
