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

	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	WRITE_ONCE(tp->rcv_nxt, TCP_SKB_CB(skb)->end_seq);
	if (fin)
		tcp_fin(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		tcp_data_ready(sk);
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
void tcp_rcv_synrecv_state_process(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	BUG_ON(sk->sk_state != TCP_SYN_RECV);
	/* tcp_init_transfer() -> bpf_skops_established(); the sim's sockops
	 * run takes the bh lock itself: drop the clone's meanwhile. */
	bh_unlock_sock(sk);
	sim_sockops_established(sk, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
	bh_lock_sock(sk);
	WRITE_ONCE(tp->copied_seq, tp->rcv_nxt);
	tcp_set_state(sk, TCP_ESTABLISHED);
	sk->sk_state_change(sk);
}
