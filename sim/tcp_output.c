// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/ipv4/tcp_output.c: the write queue goes out as the peer's
 * window and Nagle/cork allow (tcp_write_xmit(), __tcp_push_pending_frames()),
 * a segment leaves (tcp_xmit(), standing for tcp_transmit_skb() down to
 * loopback_xmit()) and stays on the retransmit queue until acked, the
 * probe timer, FIN and RST, and sk_forced_mem_schedule().
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

/* net/core/sock.c sock_wfree(): a transmitted skb gives back what
 * skb_set_owner_w() added to sk_wmem_alloc (tcp_wfree() for TCP; no TSQ
 * in the sim). */
static void sock_wfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	WARN_ON(refcount_sub_and_test(skb->truesize, &sk->sk_wmem_alloc));
}

/* tcp_transmit_skb() -> ip_queue_xmit() -> loopback_xmit() -> netif_rx():
 * the segment leaves owned by its sender (skb_set_owner_w(): sk_wmem_alloc
 * += truesize), loopback_xmit() orphans it at once (sock_wfree()), and it
 * is queued towards the peer. */
void tcp_xmit(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sock *peer = tp->sim_peer ? &tp->sim_peer->inet_conn.icsk_inet.sk : NULL;

	TCP_SKB_CB(skb)->seq = tp->snd_nxt;
	TCP_SKB_CB(skb)->end_seq = tp->snd_nxt + skb->len +
		!!(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN);
	tp->snd_nxt = TCP_SKB_CB(skb)->end_seq;
	/* skb_set_owner_w() */
	skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = sock_wfree;
	refcount_add(skb->truesize, &sk->sk_wmem_alloc);
	/* loopback_xmit(): skb_orphan() before netif_rx() */
	skb_orphan(skb);
	if (!peer) {
		kfree_skb(skb);
		return;
	}
	__skb_queue_tail(&sim_tcp(peer)->wire, skb);
	sim_tcp_wire_flush(peer);
}

/* tcp_snd_wnd_test(): the peer's receive window. The sim's receiver shuts
 * it when it refuses a segment for want of receive memory (the segment
 * waits on its wire) and opens it when it has taken what waited. */
static bool tcp_snd_wnd_test(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	return !tp->sim_peer ||
	       !sim_tcp(&tp->sim_peer->inet_conn.icsk_inet.sk)->rwnd_closed;
}

/* tcp_nagle_test() for the last skb of the queue: a partial segment waits
 * under TCP_NAGLE_CORK (MSG_MORE, TCP_CORK); TCP_NAGLE_PUSH overrides.
 * Nagle's own test (tcp_minshall_check(): a small segment unacked) is not
 * modelled: the sim's peer acks every segment as it takes it. */
static bool tcp_nagle_test(const struct sk_buff *skb, unsigned int cur_mss,
			   int nonagle)
{
	if (nonagle & TCP_NAGLE_PUSH)
		return true;
	if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
		return true;
	return !(skb->len < cur_mss && (nonagle & TCP_NAGLE_CORK));
}

/* tcp_event_new_data_sent(): the skb leaves the write queue for the
 * retransmit queue, where its charge stays until the peer acks it. */
static void tcp_send_one(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sim_rtx *r = malloc(sizeof(*r));

	if (!r)
		abort();
	__skb_unlink(skb, &sk->sk_write_queue);
	/* the sequence numbers tcp_skb_entail() and the copies gave it */
	WARN_ON(TCP_SKB_CB(skb)->seq != tp->snd_nxt);
	r->end_seq = tp->snd_nxt + skb->len;
	r->truesize = skb->truesize;
	list_add_tail(&r->list, &sim_tcp(sk)->rtx);
	tp->packets_out++;
	tcp_xmit(sk, skb);	/* the skb may be gone when this returns */
}

/* tcp_write_xmit(): send what the window and Nagle allow from the head of
 * the write queue. @force: the window is ignored (the FIN and the data
 * before it of a closing socket: the kernel sends them as the window
 * opens, after close() returned; the sim puts them on the peer's wire,
 * where they wait for the window as a refused segment does). */
static bool tcp_write_xmit(struct sock *sk, unsigned int mss_now, int nonagle,
			   bool force)
{
	struct sk_buff *skb;
	bool sent = false;

	while ((skb = tcp_send_head(sk)) != NULL) {
		if (!force && !tcp_snd_wnd_test(sk))
			break;
		if (!force && !tcp_nagle_test(skb, mss_now,
					      skb_peek_next(skb, &sk->sk_write_queue) ?
					      TCP_NAGLE_PUSH : nonagle))
			break;
		tcp_send_one(sk, skb);
		sent = true;
	}
	return !sent && tcp_send_head(sk);
}

/* The probe timer (ICSK_TIME_PROBE0, TCP_RTO_MIN on loopback) fired:
 * tcp_probe_timer() -> tcp_send_probe0() -> tcp_write_wakeup() sends what
 * waits at the head of the write queue if the window allows, cork or not:
 * data held by MSG_MORE goes out after 200 ms. Softirq: deferred while
 * the owner holds the socket (TCP_WRITE_TIMER_DEFERRED: the sim re-arms
 * it one jiffy later). The sim sends the whole write queue the window
 * allows (the kernel sends the head and the rest as the ack comes back). */
static void tcp_probe_timer_fn(struct work_struct *work)
{
	struct sim_tcp_sock *st = container_of(to_delayed_work(work),
					       struct sim_tcp_sock, probe_timer);
	struct sock *sk = &st->tp.inet_conn.icsk_inet.sk;

	local_bh_disable();
	bh_lock_sock(sk);
	if (sock_owned_by_user(sk) && sk->sk_state != TCP_CLOSE) {
		schedule_delayed_work(&st->probe_timer, 1);	/* keeps the reference */
		bh_unlock_sock(sk);
		local_bh_enable();
		return;
	}
	if (sk->sk_state != TCP_CLOSE && tcp_send_head(sk)) {
		sim_tcp_xmit_defer(true);
		if (!tcp_sk(sk)->packets_out &&
		    tcp_write_xmit(sk, SIM_TCP_MSS, TCP_NAGLE_PUSH, false))
			tcp_check_probe_timer(sk);	/* window still shut */
		bh_unlock_sock(sk);
		local_bh_enable();
		sim_tcp_xmit_defer(false);
	} else {
		bh_unlock_sock(sk);
		local_bh_enable();
	}
	sock_put(sk);	/* the timer's reference */
}

void sim_tcp_timers_init(struct sock *sk)
{
	INIT_DELAYED_WORK(&sim_tcp(sk)->probe_timer, tcp_probe_timer_fn);
}

/* tcp_check_probe_timer(): arm the probe timer (sk_reset_timer() takes a
 * reference) when nothing is in flight to bring an ack back. */
void tcp_check_probe_timer(struct sock *sk)
{
	struct sim_tcp_sock *st = sim_tcp(sk);

	if (!tcp_sk(sk)->packets_out && !delayed_work_pending(&st->probe_timer)) {
		sock_hold(sk);
		schedule_delayed_work(&st->probe_timer, TCP_RTO_MIN);
	}
}

/* inet_csk_clear_xmit_timers() at close: sk_stop_timer(). */
void tcp_clear_xmit_timers(struct sock *sk)
{
	if (cancel_delayed_work(&sim_tcp(sk)->probe_timer))
		__sock_put(sk);
}

/* sim-origin: net/ipv4/tcp_output.c __tcp_push_pending_frames */
void __tcp_push_pending_frames(struct sock *sk, unsigned int cur_mss,
			       int nonagle)
{
	/* If we are closed, the bytes will have to remain here.
	 * In time closedown will finish, we empty the write queue and
	 * all will be happy.
	 */
	if (unlikely(sk->sk_state == TCP_CLOSE))
		return;

	if (tcp_write_xmit(sk, cur_mss, nonagle, false))	/* sim-edit: no sk_gfp_mask(), no push_one/gfp arguments; the sim's tcp_write_xmit() takes force */
		tcp_check_probe_timer(sk);
}

/* tcp_push_one(): send the skb a full segment just completed. */
void tcp_push_one(struct sock *sk, unsigned int mss_now)
{
	tcp_write_xmit(sk, mss_now, TCP_NAGLE_PUSH, false);
}

/* The write queue of a socket about to send its FIN goes out now,
 * window or not (see tcp_write_xmit()). */
void tcp_write_queue_flush(struct sock *sk)
{
	tcp_write_xmit(sk, SIM_TCP_MSS, TCP_NAGLE_PUSH, true);
}

/* tcp_wmem_free_skb() of every skb of the write and retransmit queues:
 * tcp_write_queue_purge() at tcp_v4_destroy_sock() (and tcp_done()). */
void tcp_write_queue_purge(struct sock *sk)
{
	struct sim_rtx *r, *tmp;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)) != NULL) {
		sk->sk_wmem_queued -= skb->truesize;
		sk_mem_uncharge(sk, skb->truesize);
		__kfree_skb(skb);
	}
	list_for_each_entry_safe(r, tmp, &sim_tcp(sk)->rtx, list) {
		list_del(&r->list);
		sk->sk_wmem_queued -= r->truesize;
		sk_mem_uncharge(sk, r->truesize);
		free(r);
	}
	tcp_sk(sk)->packets_out = 0;
	sk_mem_reclaim(sk);
}

void tcp_send_fin(struct sock *sk)
{
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL | __GFP_NOFAIL);

	BUG_ON(!skb);
	TCP_SKB_CB(skb)->tcp_flags = TCPHDR_FIN | TCPHDR_ACK;
	tcp_write_queue_flush(sk);	/* the FIN goes after the data queued before it */
	/* tcp_queue_skb(): the FIN takes a sequence number */
	WRITE_ONCE(tcp_sk(sk)->write_seq, tcp_sk(sk)->write_seq + 1);
	tcp_xmit(sk, skb);
}

/* The peer of @sk is reset: tcp_reset(). The RST reaches the peer
 * through tcp_v4_rcv(), which holds the reference its socket lookup took
 * (__inet_lookup_skb(), refcounted) until the segment is done: a close
 * of the peer in another task, preempted into during the wake-ups, does
 * not free it under them. */
void tcp_send_active_reset(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sock *peer;

	if (!tp->sim_peer)
		return;
	peer = &tp->sim_peer->inet_conn.icsk_inet.sk;
	if (peer->sk_state == TCP_CLOSE)
		return;
	sock_hold(peer);
	/* tcp_reset() -> tcp_done_with_error(): no SOCK_DONE, that is FIN's */
	WRITE_ONCE(peer->sk_err, ECONNRESET);
	peer->sk_shutdown = SHUTDOWN_MASK;
	peer->sk_state = TCP_CLOSE;
	sk_error_report(peer);
	if (peer->sk_state_change)
		peer->sk_state_change(peer);
	sock_put(peer);
}
