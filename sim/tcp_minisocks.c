// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/ipv4/tcp_minisocks.c: the passive side of a connection, the
 * child a listener clones when the handshake's last ACK arrives
 * (tcp_create_openreq_child(), which gives back the listener's original
 * proto through the real tcp_bpf_clone()) and its first input
 * (tcp_child_process(): established, then the listener is woken).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sim/ledger.h>
#include <sim/net.h>
#include <sim/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>

/* tcp_create_openreq_child(): the clone of @sk (inet_csk_clone_lock(),
 * bh-locked, TCP_SYN_RECV) with the connection's sequence numbers. The
 * sim's initial sequence numbers are 0 on both sides, as for a pair. A
 * listener in a sockmap has a tcp_bpf proto, which the clone copied;
 * tcp_bpf_clone() puts back sk_prot_creator: the child has no psock. */
struct sock *tcp_create_openreq_child(const struct sock *sk,
				      struct request_sock *req)
{
	struct sock *newsk = inet_csk_clone_lock(sk, req, GFP_ATOMIC);
	struct tcp_sock *newtp;

	if (!newsk)
		return NULL;
	newtp = tcp_sk(newsk);
	WRITE_ONCE(newtp->copied_seq, 0);
	WRITE_ONCE(newtp->rcv_nxt, 0);
	newtp->snd_una = 0;
	WRITE_ONCE(newtp->snd_nxt, 0);
	newtp->write_seq = 0;
	WRITE_ONCE(newtp->urg_data, 0);
	tcp_bpf_clone(sk, newsk);
	return newsk;
}

/* tcp_child_process(): the handshake's ACK is the child's first input
 * (tcp_rcv_state_process() in TCP_SYN_RECV: established, sockops
 * PASSIVE_ESTABLISHED), then the listener is woken (its sk_data_ready)
 * and the child bh-unlocked. The child is never owned by a user here: it
 * has no file yet. The caller's reference (the kernel's sock_put() at the
 * end) is the sim's hash table reference, kept. */
int tcp_child_process(struct sock *parent, struct sock *child)
{
	int state = child->sk_state;

	BUG_ON(sock_owned_by_user(child));
	tcp_rcv_synrecv_state_process(child);
	/* Wakeup parent, send SIGIO */
	if (state == TCP_SYN_RECV && child->sk_state != state)
		parent->sk_data_ready(parent);
	bh_unlock_sock(child);
	return 0;
}
