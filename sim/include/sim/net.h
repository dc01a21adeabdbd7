/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the test-facing socket API, the syscalls a test makes. Sockets are
 * connected loopback TCP pairs; every call goes through the socket layer
 * (struct proto_ops -> sk->sk_prot), so a socket in a sockmap reaches the
 * real tcp_bpf functions exactly as a syscall would.
 */
#ifndef _SIM_NET_H
#define _SIM_NET_H

#include <net/sock.h>
#include <net/tcp.h>
#include <sim/world.h>
#include <sim/workqueue.h>

/* A TCP socket and its file: what the sim allocates per socket. */
struct sim_tcp_sock {
	struct tcp_sock tp;		/* first: struct sock is at offset 0 */
	struct sk_buff_head wire;	/* skbs in flight towards this socket */
	bool wire_flushing;		/* sim_tcp_wire_flush() is delivering */
	struct sk_buff *requeued;	/* last backlog skb put back on the wire */
	bool softirq_pending;		/* a softirq task will deliver the wire */
	bool rwnd_closed;		/* refused a segment: its window is shut until it reads */
	struct list_head rtx;		/* struct sim_rtx: segments sent, not yet acked */
	bool ack_backlog;		/* an ack arrived while lock_sock() was held */
	u32 ack_backlog_seq;		/* ... acking up to here */
	bool ack_due;			/* tcp_send_ack() not yet delivered */
	bool rx_pending;		/* on the deferred-delivery list */
	bool backlog_dropped;		/* the full backlog dropped a segment */
	struct delayed_work probe_timer; /* ICSK_TIME_PROBE0: held data goes out */
	struct socket socket;		/* the file side (sk->sk_socket) */
	struct file file;		/* socket.file */
	struct sim_resource res;	/* open "fd", closed at world end */
	bool fd_open;
	bool accept_pending;		/* a child in its listener's accept queue */
	struct list_head sim_all;	/* sim_tcp_socks, until sk_free() */
};

/*
 * The retransmit queue (tcp_rtx_queue): a segment stays charged to its
 * sender (sk_wmem_queued, sk_forward_alloc) from tcp_skb_entail() until
 * the peer acks it (tcp_clean_rtx_queue). The kernel keeps the skb there
 * and transmits a clone sharing its data; the sim hands the skb itself to
 * the wire and keeps its sequence range and truesize here.
 */
struct sim_rtx {
	struct list_head list;
	u32 end_seq;
	unsigned int truesize;
};

/* Every sock the sim created and sk_free() has not freed yet. */
extern struct list_head sim_tcp_socks;

static inline struct sim_tcp_sock *sim_tcp(struct sock *sk)
{
	return (struct sim_tcp_sock *)sk;
}

/*
 * The loopback wire's receive context. Off (the default, and always
 * outside sim_sched_run()): a segment is received synchronously inside the
 * sender's call. On, while tasks run: the sender queues the segment on the
 * peer's wire and raises a SOFTIRQ task on its own CPU ("softirq rx B",
 * net_rx_action -> tcp_v4_rcv: bh_lock_sock, the backlog if the owner holds
 * lock_sock, else the receive queue and sk_data_ready, where the sk_skb
 * verdict runs). Per world: sim_world_begin() turns it off.
 */
void sim_tcp_wire_softirq(bool on);
/* Protocol memory (pages) still charged; then forget it. For explored
 * scenarios that assert a kernel bug corrupting the accounting: each
 * schedule starts from zero again. */
long sim_tcp_memory_forget(void);

/* Listening sockets (127.0.0.1, a port of their own, backlog 128). */
struct sock *sim_tcp_listen(const char *name);
struct sock *sim_tcp6_listen(const char *name);
/* connect() to @listener: returns the (established) active socket. The
 * passive side, the child @child_name, is established too, has been seen by
 * the sockops programs (PASSIVE_ESTABLISHED) and waits in the listener's
 * accept queue without a struct socket (sk->sk_socket == NULL); reach it
 * with sim_tcp_peer() until accept() returns it. */
struct sock *sim_tcp_connect_to(struct sock *listener, const char *name,
				const char *child_name);
/* accept(): the next child of @listener, now with its socket and an fd the
 * world owns; NULL with *err (-EAGAIN: nothing queued). */
struct sock *sim_tcp_accept_err(struct sock *listener, int *err);
struct sock *sim_tcp_accept(struct sock *listener);
/* The other end of @sk's connection, or NULL once either end is gone. */
struct sock *sim_tcp_peer(struct sock *sk);

/* socketpair-like: two connected, established TCP sockets. */
void sim_tcp_pair(struct sock **a, struct sock **b, const char *name_a,
		  const char *name_b);
int sim_send(struct sock *sk, const void *buf, size_t len, int flags);
int sim_recv(struct sock *sk, void *buf, size_t len, int flags);
int sim_fionread(struct sock *sk, int *val);
int sim_poll(struct sock *sk);	/* tcp_poll()'s EPOLLIN/RDHUP/ERR bits */
int sim_so_error(struct sock *sk);	/* getsockopt(SO_ERROR): a positive errno, or 0 */
int sim_shutdown(struct sock *sk, int how);	/* SHUT_RD=0, SHUT_WR=1, SHUT_RDWR=2 */
void sim_close(struct sock *sk);
/* Make @len bytes arrive on @sk from its peer as ONE skb: the first
 * @headlen bytes in the skb's kmalloc'd (slab) linear head, the rest in
 * page frags of up to @frag_size bytes (fresh pages). Returns 0, or
 * -EMSGSIZE if that needs more than MAX_SKB_FRAGS frags, or -ENOMEM if
 * an allocation failed (sim_fail_alloc): then nothing was sent. */
int sim_inject_skb(struct sock *sk, const void *data, size_t len,
		   size_t headlen, size_t frag_size);

/* The general form: an skb of any shape the receive path can see. */
struct sim_skb_shape {
	size_t headlen;		/* bytes in the linear head */
	bool head_frag;		/* heads in page fragments (build_skb), not slab */
	size_t frag_size;	/* then page frags of this size (0: no frags) */
	unsigned int fraglist;	/* or: the rest split over this many frag_list skbs (GRO) */
};
int sim_inject(struct sock *sk, const void *data, size_t len,
	       const struct sim_skb_shape *shape);

/* A connected pair of IPv6 TCP sockets (tcpv6_prot, inet6_stream_ops). */
void sim_tcp6_pair(struct sock **a, struct sock **b, const char *name_a,
		   const char *name_b);
void sim_set_rcvtimeo(struct sock *sk, long jiffies);
void sim_set_nonblock(struct sock *sk, bool nonblock);	/* O_NONBLOCK on the fd */
/* setsockopt(SO_SNDBUF / SO_RCVBUF): twice @val (at least the minimum),
 * and locked against autotuning, as sock_setsockopt() does. */
void sim_set_sndbuf(struct sock *sk, int val);
void sim_set_rcvbuf(struct sock *sk, int val);
/* Unsent (write queue) and sent-unacked (retransmit queue) bytes, as
 * SIOCOUTQ reports them: write_seq - snd_una. */
int sim_outq(struct sock *sk);
/* 200 ms pass (TCP_RTO_MIN): the probe timer sends what MSG_MORE (a
 * cork) left on a write queue; the due work runs (sim_run_work()). */
void sim_tcp_timers_fire(void);
void sim_tcp_wire_flush(struct sock *sk);
/* A segment the receiver dropped goes back on its wire for the peer to
 * retransmit, in sequence order among those still in flight. */
void sim_tcp_wire_requeue(struct sock *sk, struct sk_buff *skb);
void sim_tcp_set_mem_limits(long low, long pressure, long high);
long sim_tcp_memory_allocated(void);

#endif /* _SIM_NET_H */
