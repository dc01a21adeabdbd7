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

/* ---- listeners: the accept queue ---------------------------------------- */

/* inet_reqsk_alloc(): a request sock of @sk_listener, slab memory (the
 * ledger counts it). Two references: the handshake's (tcp_check_req()'s
 * caller puts it when the child is queued) and the accept queue's (put by
 * accept() or inet_csk_listen_stop()). */
struct request_sock *reqsk_alloc(struct sock *sk_listener)
{
	struct request_sock *req = kzalloc(sizeof(*req), GFP_ATOMIC);

	if (!req)
		return NULL;
	req->rsk_listener = sk_listener;
	sock_hold(sk_listener);
	refcount_set(&req->rsk_refcnt, 2);
	return req;
}

/* reqsk_put() -> __reqsk_free(): the listener's reference goes with it. */
void reqsk_put(struct request_sock *req)
{
	if (refcount_dec_and_test(&req->rsk_refcnt)) {
		sock_put(req->rsk_listener);
		kfree(req);
	}
}

/* reqsk_queue_remove() */
static struct request_sock *reqsk_queue_remove(struct request_sock_queue *queue,
					       struct sock *parent)
{
	struct request_sock *req;

	spin_lock_bh(&queue->rskq_lock);
	req = queue->rskq_accept_head;
	if (req) {
		parent->sk_ack_backlog--;	/* sk_acceptq_removed() */
		WRITE_ONCE(queue->rskq_accept_head, req->dl_next);
		if (queue->rskq_accept_head == NULL)
			queue->rskq_accept_tail = NULL;
	}
	spin_unlock_bh(&queue->rskq_lock);
	return req;
}

static bool reqsk_queue_empty(const struct request_sock_queue *queue)
{
	return READ_ONCE(queue->rskq_accept_head) == NULL;
}

/* inet_csk_listen_start() without ports and hash tables: the accept queue,
 * then TCP_LISTEN. */
int inet_csk_listen_start(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	spin_lock_init(&icsk->icsk_accept_queue.rskq_lock);	/* reqsk_queue_alloc() */
	icsk->icsk_accept_queue.rskq_accept_head = NULL;
	icsk->icsk_accept_queue.rskq_accept_tail = NULL;
	sk->sk_ack_backlog = 0;
	sk->sk_state = TCP_LISTEN;	/* inet_sk_state_store() */
	return 0;
}

/* inet_csk_clone_lock(): sk_clone_lock(), then the child is in SYN_RECV
 * with an empty accept queue of its own; no ULP to clone (inet_clone_ulp:
 * the sim has no ULPs). */
struct sock *inet_csk_clone_lock(const struct sock *sk,
				 const struct request_sock *req,
				 const gfp_t priority)
{
	struct sock *newsk = sk_clone_lock(sk, priority);

	(void)req;
	if (newsk) {
		struct inet_connection_sock *newicsk = inet_csk(newsk);

		newsk->sk_state = TCP_SYN_RECV;	/* inet_sk_set_state() */
		/* listeners have SOCK_RCU_FREE, not the children */
		sock_reset_flag(newsk, SOCK_RCU_FREE);
		/* Deinitialize accept_queue to trap illegal accesses. */
		memset(&newicsk->icsk_accept_queue, 0, sizeof(newicsk->icsk_accept_queue));
	}
	return newsk;
}

/* sim-origin: net/ipv4/inet_connection_sock.c inet_csk_wait_for_connect */
static int inet_csk_wait_for_connect(struct sock *sk, long timeo)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);	/* sim-edit: the sim's woken wait for DEFINE_WAIT() */
	int err;

	add_wait_queue(sk_sleep(sk), &wait);	/* sim-edit: added once (no exclusive waiters in the sim) */
	for (;;) {	/* sim-edit: prepare_to_wait_exclusive() is the add_wait_queue() above */
		release_sock(sk);
		if (reqsk_queue_empty(&icsk->icsk_accept_queue))
			timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);	/* sim-edit: wait_woken() for schedule_timeout() */
		/* sim-edit: no sched_annotate_sleep() */
		lock_sock(sk);
		err = 0;
		if (!reqsk_queue_empty(&icsk->icsk_accept_queue))
			break;
		err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			break;
		err = -EAGAIN;
		if (!timeo)
			break;
	}
	remove_wait_queue(sk_sleep(sk), &wait);	/* sim-edit: remove_wait_queue() for finish_wait() */
	return err;
}

/* inet_csk_accept() without TCP Fast Open and memcg. */
struct sock *inet_csk_accept(struct sock *sk, struct proto_accept_arg *arg)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct request_sock_queue *queue = &icsk->icsk_accept_queue;
	struct request_sock *req;
	struct sock *newsk;
	int error;

	lock_sock(sk);
	error = -EINVAL;
	if (sk->sk_state != TCP_LISTEN)
		goto out_err;
	if (reqsk_queue_empty(queue)) {
		long timeo = sock_rcvtimeo(sk, arg->flags & O_NONBLOCK);

		error = -EAGAIN;
		if (!timeo)
			goto out_err;
		error = inet_csk_wait_for_connect(sk, timeo);
		if (error)
			goto out_err;
	}
	req = reqsk_queue_remove(queue, sk);
	arg->is_empty = reqsk_queue_empty(queue);
	newsk = req->sk;
	release_sock(sk);
	reqsk_put(req);
	return newsk;
out_err:
	release_sock(sk);
	arg->err = error;
	return NULL;
}

/* sim-origin: net/ipv4/inet_connection_sock.c inet_child_forget */
static void inet_child_forget(struct sock *sk, struct request_sock *req,
			      struct sock *child)
{
	sk->sk_prot->disconnect(child, O_NONBLOCK);

	sock_orphan(child);

	/* sim-edit: no orphan count, no TCP Fast Open (tfo_listener) */
	(void)req;	/* sim-edit: req only serves TCP Fast Open */
	inet_csk_destroy_sock(child);
	sock_put(child);	/* sim-edit: the accept queue's reference: the sim's inet_csk_destroy_sock() puts the hash table's (no inet_unhash() in the sim), the kernel's puts this one */
}

/* sim-origin: net/ipv4/inet_connection_sock.c inet_csk_reqsk_queue_add */
struct sock *inet_csk_reqsk_queue_add(struct sock *sk,
				      struct request_sock *req,
				      struct sock *child)
{
	struct request_sock_queue *queue = &inet_csk(sk)->icsk_accept_queue;

	spin_lock(&queue->rskq_lock);
	if (unlikely(sk->sk_state != TCP_LISTEN)) {
		inet_child_forget(sk, req, child);
		child = NULL;
	} else {
		req->sk = child;
		req->dl_next = NULL;
		if (queue->rskq_accept_head == NULL)
			WRITE_ONCE(queue->rskq_accept_head, req);
		else
			queue->rskq_accept_tail->dl_next = req;
		queue->rskq_accept_tail = req;
		sk->sk_ack_backlog++;	/* sim-edit: sk_acceptq_added() open-coded */
	}
	spin_unlock(&queue->rskq_lock);
	return child;
}

/* inet_csk_listen_stop() without reuseport migration and TCP Fast Open:
 * every child still in the accept queue is disconnected, orphaned and
 * destroyed (sk_prot->destroy: sock_map_destroy() for one in a map), never
 * closed. */
void inet_csk_listen_stop(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct request_sock_queue *queue = &icsk->icsk_accept_queue;
	struct request_sock *req;

	while ((req = reqsk_queue_remove(queue, sk)) != NULL) {
		struct sock *child = req->sk;

		sim_tcp(child)->accept_pending = false;
		local_bh_disable();
		bh_lock_sock(child);
		WARN_ON(sock_owned_by_user(child));
		sock_hold(child);
		inet_child_forget(sk, req, child);
		reqsk_put(req);
		bh_unlock_sock(child);
		local_bh_enable();
		sock_put(child);
	}
	WARN_ON_ONCE(sk->sk_ack_backlog);
}
