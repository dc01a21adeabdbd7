// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/ipv4/tcp_ipv4.c (and tcp_ipv6.c's tcpv6_prot): struct proto
 * tcp_prot, and the receive entry points tcp_v4_rcv() (deliver now, or to
 * the socket backlog while the owner holds the lock) and tcp_v4_do_rcv()
 * (a segment that waited in the backlog).
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

struct proto tcp_prot = {
	.name			= "TCP",
	.close			= tcp_close,
	.disconnect		= tcp_disconnect,
	.accept			= inet_csk_accept,
	.ioctl			= tcp_ioctl,
	.shutdown		= tcp_shutdown,
	.destroy		= tcp_v4_destroy_sock,
	.sendmsg		= tcp_sendmsg,
	.recvmsg		= tcp_recvmsg,
	.splice_read		= tcp_splice_read,
	.backlog_rcv		= tcp_v4_do_rcv,
	.psock_update_sk_prot	= tcp_bpf_update_proto,
	.memory_allocated	= &tcp_memory_allocated,
	.sysctl_mem		= sysctl_tcp_mem,
	.sysctl_wmem		= sysctl_tcp_wmem,
	.sysctl_rmem		= sysctl_tcp_rmem,
	.obj_size		= sizeof(struct tcp_sock),
};

/* tcpv6_prot: the same TCP, another struct proto (tcp_bpf keeps a second
 * set of protos for it and checks its ops, tcp_bpf_assert_proto_ops()). */
struct proto tcpv6_prot;

static int tcpv6_prot_init(void)
{
	tcpv6_prot = tcp_prot;
	strcpy(tcpv6_prot.name, "TCPv6");
	return 0;
}
core_initcall(tcpv6_prot_init);

/* tcp_v4_do_rcv() for a segment that waited in the socket backlog
 * (__release_sock()): a closed socket drops it; tcp_data_queue() schedules its receive memory now,
 * as tcp_v4_rcv() did for one received at once. When that fails,
 * tcp_data_queue() drops a segment with data if the receive queue is not
 * empty (the peer retransmits it: here it goes back on the wire, in
 * sequence order, and so do the backlog's later segments of the same
 * pass), and otherwise forces the charge. A later segment of the pass
 * finds a hole before it also when the wire was delivered meanwhile (a
 * window update the pass sent took the requeued segments to the
 * backlog's next pass): the sim has no out-of-order queue, so it goes
 * back on the wire too, behind them. */
int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sim_tcp_sock *st = sim_tcp(sk);
	bool hole = after(TCP_SKB_CB(skb)->seq, tcp_sk(sk)->rcv_nxt);

	/* tcp_rcv_state_process(), case TCP_CLOSE: the socket was closed
	 * (or reset) while the segment waited in its backlog: discarded
	 * (SKB_DROP_REASON_TCP_CLOSE). The sim's tcp_close() goes straight
	 * to TCP_CLOSE; the kernel's __tcp_close() runs the backlog in
	 * FIN_WAIT1 with RCV_SHUTDOWN set, where a data segment aborts the
	 * connection (TCPABORTONDATA) and is dropped too; the RST it
	 * sends the peer is not modelled, as for a segment the wire brings
	 * to a closed socket (wire_deliver()). */
	if (sk->sk_state == TCP_CLOSE) {
		kfree_skb(skb);
		return 0;
	}
	if (hole || st->requeued || !tcp_try_rmem_schedule(sk, skb)) {
		if (hole || st->requeued ||
		    (skb_queue_len(&sk->sk_receive_queue) && skb->len)) {
			sim_tcp_wire_requeue(sk, skb);
			st->requeued = skb;
			st->rwnd_closed = true;
			return 0;
		}
		sk_forced_mem_schedule(sk, skb->truesize);
	}
	tcp_rcv_established_sim(sk, skb);
	sim_tcp_ack_flush(sk);	/* the owner's context: no bh lock held */
	return 0;
}

/* tcp_add_backlog()'s limit: twice sk_rcvbuf, half sk_sndbuf, 64 KiB of
 * headroom; sk_add_backlog() refuses (sk_rcvqueues_full()) when the
 * backlog and the receive queue together are past it. */
static bool tcp_add_backlog(struct sock *sk, struct sk_buff *skb)
{
	u64 limit;

	limit = ((u64)READ_ONCE(sk->sk_rcvbuf)) << 1;
	limit += ((u32)READ_ONCE(sk->sk_sndbuf)) >> 1;
	limit += 64 * 1024;
	limit = min_t(u64, limit, UINT_MAX);
	/* sk_rcvqueues_full() */
	if ((unsigned int)sk->sk_backlog.len + atomic_read(&sk->sk_rmem_alloc) >
	    (unsigned int)limit)
		return true;	/* -ENOBUFS: dropped */
	/* __sk_add_backlog() */
	if (!sk->sk_backlog.tail)
		sk->sk_backlog.head = skb;
	else
		sk->sk_backlog.tail->next = skb;
	sk->sk_backlog.tail = skb;
	skb->next = NULL;
	sk->sk_backlog.len += skb->truesize;
	return false;
}

/* tcp_v4_rcv(): deliver now, or to the backlog while the owner holds it. */
bool tcp_v4_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_state == TCP_CLOSE || sock_flag(sk, SOCK_DEAD))
		return false;
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		if (!tcp_try_rmem_schedule(sk, skb)) {
			bh_unlock_sock(sk);
			return false;
		}
		tcp_rcv_established_sim(sk, skb);
	} else if (tcp_add_backlog(sk, skb)) {
		bh_unlock_sock(sk);
		/* SKB_DROP_REASON_SOCKET_BACKLOG: tcp_v4_rcv()'s
		 * sk_drops_add(); the sender retransmits it: in the sim it
		 * waits on the wire, unacked, charged to its sender */
		sk_drops_add(sk, skb);
		sim_tcp(sk)->backlog_dropped = true;
		return false;
	}
	bh_unlock_sock(sk);
	return true;
}

void tcp_v4_destroy_sock(struct sock *sk)
{
	tcp_write_queue_purge(sk);
}

/* tcp_v4_syn_recv_sock(): the child of listener @sk for @req (the
 * addresses are the caller's: sim_tcp_connect_to()); no route, no port
 * inheritance, no ehash: the sim's wire finds the child through its peer. */
struct sock *tcp_v4_syn_recv_sock(const struct sock *sk, struct request_sock *req)
{
	return tcp_create_openreq_child(sk, req);
}
