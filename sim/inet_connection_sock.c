// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/ipv4/inet_connection_sock.c: the end of a TCP socket.
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

/* inet_csk_destroy_sock() + sk_stream_kill_queues() */
void inet_csk_destroy_sock(struct sock *sk)
{
	WARN_ON(sk->sk_state != TCP_CLOSE);
	WARN_ON(!sock_flag(sk, SOCK_DEAD));
	if (sk->sk_prot->unhash)
		sk->sk_prot->unhash(sk);
	sk->sk_prot->destroy(sk);
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	WARN_ON(!skb_queue_empty(&sk->sk_write_queue));
	sk_mem_reclaim_final(sk);
	WARN_ON(sk->sk_wmem_queued);
	sock_put(sk);	/* the hash table's reference */
}
