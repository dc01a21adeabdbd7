// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/ipv4/tcp_output.c: a segment leaves (tcp_xmit(), standing for
 * tcp_transmit_skb() and the ack that follows at once on loopback), FIN
 * and RST, and sk_forced_mem_schedule().
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

/* sim-origin: net/ipv4/tcp_output.c sk_forced_mem_schedule */
void sk_forced_mem_schedule(struct sock *sk, int size)
{
	int delta, amt;

	delta = size - sk->sk_forward_alloc;
	if (delta <= 0)
		return;
	amt = sk_mem_pages(delta);
	sk_forward_alloc_add(sk, amt << PAGE_SHIFT);
	sk_memory_allocated_add(sk, amt);
	/* sim-edit: no memcg */
}

void tcp_xmit(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sock *peer = tp->sim_peer ? &tp->sim_peer->inet_conn.icsk_inet.sk : NULL;

	TCP_SKB_CB(skb)->seq = tp->snd_nxt;
	TCP_SKB_CB(skb)->end_seq = tp->snd_nxt + skb->len +
		!!(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN);
	tp->snd_nxt = TCP_SKB_CB(skb)->end_seq;
	tp->snd_una = tp->snd_nxt;	/* acked at once on loopback */
	if (!peer) {
		kfree_skb(skb);
		return;
	}
	__skb_queue_tail(&sim_tcp(peer)->wire, skb);
	sim_tcp_wire_flush(peer);
}

void tcp_send_fin(struct sock *sk)
{
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL | __GFP_NOFAIL);

	BUG_ON(!skb);
	TCP_SKB_CB(skb)->tcp_flags = TCPHDR_FIN | TCPHDR_ACK;
	tcp_xmit(sk, skb);
}

/* The peer of @sk is reset: tcp_reset(). */
void tcp_send_active_reset(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sock *peer;

	if (!tp->sim_peer)
		return;
	peer = &tp->sim_peer->inet_conn.icsk_inet.sk;
	if (peer->sk_state == TCP_CLOSE)
		return;
	/* tcp_reset() -> tcp_done_with_error(): no SOCK_DONE, that is FIN's */
	WRITE_ONCE(peer->sk_err, ECONNRESET);
	peer->sk_shutdown = SHUTDOWN_MASK;
	peer->sk_state = TCP_CLOSE;
	sk_error_report(peer);
	if (peer->sk_state_change)
		peer->sk_state_change(peer);
}
