// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/ipv4/tcp_input.c, reduced to in-order data on loopback: the
 * skb is queued with skb_set_owner_r() (tcp_queue_rcv()), a FIN moves the
 * state (tcp_fin()), and the owner is told (tcp_data_ready()).
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


/* tcp_queue_rcv() + tcp_fin() + tcp_data_ready(): softirq input. */
void tcp_rcv_established_sim(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	bool fin = TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN;

	/* no out-of-order queue: the wire delivers in sequence */
	WARN_ON(TCP_SKB_CB(skb)->seq != tp->rcv_nxt);
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	WRITE_ONCE(tp->rcv_nxt, TCP_SKB_CB(skb)->end_seq);
	if (fin)
		tcp_fin(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		tcp_data_ready(sk);
	/* __tcp_ack_snd_check(): loopback connections are in quickack
	 * mode: every data segment is acked at once */
	tcp_send_ack(sk);
}

/* tcp_clean_rtx_queue(): what the peer acked leaves the retransmit queue,
 * its charge with it (tcp_wmem_free_skb() -> sk_wmem_queued_add(),
 * sk_mem_uncharge()). */
static void tcp_clean_rtx_queue(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sim_rtx *r, *tmp;
	bool freed = false;

	list_for_each_entry_safe(r, tmp, &sim_tcp(sk)->rtx, list) {
		if (after(r->end_seq, tp->snd_una))
			break;
		list_del(&r->list);
		sk->sk_wmem_queued -= r->truesize;
		sk_mem_uncharge(sk, r->truesize);
		tp->packets_out--;
		free(r);
		freed = true;
	}
	if (freed)
		tp->sim_acked++;
}

/* sim-origin: net/ipv4/tcp_input.c tcp_check_space */
void tcp_check_space(struct sock *sk)
{
	/* pairs with tcp_poll() */
	smp_mb();
	if (sk->sk_socket &&
	    test_bit(SOCK_NOSPACE, &sk->sk_socket->flags)) {
		sk->sk_write_space(sk);	/* sim-edit: tcp_new_space() without tcp_sndbuf_expand() (the sim's sndbuf is set at establishment) */
		(void)0;	/* sim-edit: no chrono (tcp_chrono_stop()) */
	}
}

/* tcp_ack() of an ack up to @ack (and a window update): the retransmit
 * queue is cleaned, the write queue goes out as far as the window allows
 * (tcp_data_snd_check()), writers are told (tcp_check_space()). Runs in
 * softirq with the socket not owned, or from release_sock(). */
void tcp_ack(struct sock *sk, u32 ack)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (after(ack, tp->snd_nxt))
		return;	/* acks what was never sent: the kernel ignores it */
	if (after(ack, tp->snd_una)) {
		WRITE_ONCE(tp->snd_una, ack);
		tcp_clean_rtx_queue(sk);
	}
	if (sk->sk_state != TCP_CLOSE) {
		/* tcp_data_snd_check() -> tcp_push_pending_frames() */
		if (tcp_send_head(sk))
			__tcp_push_pending_frames(sk, SIM_TCP_MSS, tp->nonagle);
		tcp_check_space(sk);
	}
}

/* tcp_v4_rcv() of the peer's pure ack on @sk: processed now, or, while
 * the owner holds lock_sock(), left for release_sock() as a backlog skb
 * would be (the sim keeps the highest ack, not the ack skbs). */
void tcp_ack_rcv(struct sock *sk, u32 ack)
{
	struct sim_tcp_sock *st = sim_tcp(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	if (sk->sk_state == TCP_CLOSE || sock_flag(sk, SOCK_DEAD))
		return;
	if (list_empty(&st->rtx) && !tcp_send_head(sk) && !READ_ONCE(st->ack_backlog)) {
		/* Nothing to clean, nothing to send, nobody to wake: the
		 * ack only moves snd_una (past injected segments or the
		 * FIN, which the sim does not charge). The sim skips the
		 * bh lock, so that an ack changes nothing in the explored
		 * schedules of paths that never wait for send memory. */
		if (after(ack, tp->snd_una) && !after(ack, tp->snd_nxt))
			WRITE_ONCE(tp->snd_una, ack);
		return;
	}
	/* the receive runs in softirq (net_rx_action), bh off */
	local_bh_disable();
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		/* what the ack lets out goes through netif_rx() too: the
		 * peer receives it after this bh lock is dropped */
		sim_tcp_xmit_defer(true);
		tcp_ack(sk, ack);
		bh_unlock_sock(sk);
		local_bh_enable();
		sim_tcp_xmit_defer(false);
		return;
	} else if (!st->ack_backlog || after(ack, st->ack_backlog_seq)) {
		st->ack_backlog = true;
		st->ack_backlog_seq = ack;
	}
	bh_unlock_sock(sk);
	local_bh_enable();
}

/* tcp_send_ack(): tell the peer what @sk received (rcv_nxt) and that its
 * window is open. The ack leaves through loopback_xmit() -> netif_rx():
 * the peer processes it in a later softirq, never nested in @sk's bh
 * lock; the sim delivers it at sim_tcp_ack_flush(), after @sk's receive
 * (wire_deliver(), tcp_v4_do_rcv()) or at once from process context. */
void tcp_send_ack(struct sock *sk)
{
	sim_tcp(sk)->ack_due = true;
	if (!sim_spin_is_held(&sk->sk_lock.slock))
		sim_tcp_ack_flush(sk);
}

void sim_tcp_ack_flush(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!sim_tcp(sk)->ack_due)
		return;
	sim_tcp(sk)->ack_due = false;
	if (!tp->sim_peer)
		return;
	tcp_ack_rcv(&tp->sim_peer->inet_conn.icsk_inet.sk, READ_ONCE(tp->rcv_nxt));
}

/* Can @sk take @skb now? (tcp_try_rmem_schedule without pruning) */
bool tcp_try_rmem_schedule(struct sock *sk, struct sk_buff *skb)
{
	if (atomic_read(&sk->sk_rmem_alloc) > sk->sk_rcvbuf)
		return false;
	return sk_rmem_schedule(sk, skb, skb->truesize);
}


void tcp_fin(struct sock *sk)
{
	sk->sk_shutdown |= RCV_SHUTDOWN;
	sock_set_flag(sk, SOCK_DONE);
	if (sk->sk_state == TCP_ESTABLISHED)
		sk->sk_state = TCP_CLOSE_WAIT;
	else if (sk->sk_state == TCP_FIN_WAIT1 || sk->sk_state == TCP_FIN_WAIT2)
		sk->sk_state = TCP_CLOSE;	/* TIME_WAIT is not modelled */
	if (!sock_flag(sk, SOCK_DEAD) && sk->sk_state_change)
		sk->sk_state_change(sk);
}

void tcp_data_ready(struct sock *sk)
{
	sk->sk_data_ready(sk);
}

void tcp_rcv_space_adjust(struct sock *sk)
{
	tcp_sk(sk)->sim_rcv_space_adjust++;
}

/* tcp_rcv_state_process() in TCP_SYN_RECV on the handshake's last ACK:
 * tcp_init_transfer() runs the sockops program at
 * BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB (bpf_skops_established()) while the
 * child is still in TCP_SYN_RECV, then it is established and its
 * sk_state_change() called (no one sleeps on it: no struct socket). */
/* tcp_init_transfer() -> tcp_init_buffer_space() on loopback: the send
 * buffer grows to what tcp_sndbuf_expand() gives (unless SO_SNDBUF locked
 * it), and the window each side offered in its SYN (65535, unscaled). */
void tcp_init_buffer_space(struct sock *sk)
{
	if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK) && sk->sk_sndbuf < SIM_TCP_SNDBUF_LO)
		WRITE_ONCE(sk->sk_sndbuf, min(SIM_TCP_SNDBUF_LO, sysctl_tcp_wmem[2]));
	tcp_sk(sk)->max_window = 65535;
}

void tcp_rcv_synrecv_state_process(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	BUG_ON(sk->sk_state != TCP_SYN_RECV);
	tcp_init_buffer_space(sk);
	/* tcp_init_transfer() -> bpf_skops_established(); the sim's sockops
	 * run takes the bh lock itself: drop the clone's meanwhile. */
	bh_unlock_sock(sk);
	sim_sockops_established(sk, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
	bh_lock_sock(sk);
	WRITE_ONCE(tp->copied_seq, tp->rcv_nxt);
	tcp_set_state(sk, TCP_ESTABLISHED);
	sk->sk_state_change(sk);
}
