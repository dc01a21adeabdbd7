/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: TCP. Stands for include/net/tcp.h, include/linux/tcp.h,
 * include/net/inet_sock.h and include/net/inet_connection_sock.h; bodies in
 * sim/tcp.c stand for net/ipv4/tcp.c and the loopback path.
 *
 * The wire is instantaneous and lossless: tcp_sendmsg_locked() on one end
 * builds skbs (slab head, data in page frags, as TCP does) on its write
 * queue and sends them as the peer's window and MSG_MORE allow to the
 * peer's sk_receive_queue (or its backlog while the peer is owned by a
 * lock_sock() holder), then calls the peer's sk_data_ready; the sender
 * keeps each segment charged until the peer acks it.
 */
#ifndef _TCP_H
#define _TCP_H

#include <net/sock.h>
#include <linux/skbuff.h>

enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
	TCP_NEW_SYN_RECV,
	TCP_BOUND_INACTIVE,
	TCP_MAX_STATES
};

/* include/net/tcp_states.h */
#define TCPF_ESTABLISHED	(1 << TCP_ESTABLISHED)
#define TCPF_TIME_WAIT		(1 << TCP_TIME_WAIT)
#define TCPF_LISTEN		(1 << TCP_LISTEN)
#define TCPF_NEW_SYN_RECV	(1 << TCP_NEW_SYN_RECV)
#define TCPF_SYN_SENT		(1 << TCP_SYN_SENT)
#define TCPF_SYN_RECV		(1 << TCP_SYN_RECV)
#define TCPF_FIN_WAIT1		(1 << TCP_FIN_WAIT1)
#define TCPF_FIN_WAIT2		(1 << TCP_FIN_WAIT2)
#define TCPF_CLOSE		(1 << TCP_CLOSE)
#define TCPF_CLOSE_WAIT		(1 << TCP_CLOSE_WAIT)
#define TCPF_LAST_ACK		(1 << TCP_LAST_ACK)
#define TCPF_CLOSING		(1 << TCP_CLOSING)

/* include/net/sock.h helpers that need the states (sock_map.c). The sim
 * has TCP sockets only: the UDP, unix and vsock tests are the kernel's
 * and answer false; sk_hashed() is asked of UDP sockets only (loud). */
#ifndef AF_VSOCK
#define AF_VSOCK	40
#endif
#ifndef SOCK_SEQPACKET
#define SOCK_SEQPACKET	5
#endif

static inline bool sk_fullsock(const struct sock *sk)
{
	return (1 << sk->sk_state) & ~(TCPF_TIME_WAIT | TCPF_NEW_SYN_RECV);
}

static inline bool sk_is_refcounted(struct sock *sk)
{
	/* Only full sockets have sk->sk_flags. */
	return !sk_fullsock(sk) || !sock_flag(sk, SOCK_RCU_FREE);
}

static inline bool sk_is_udp(const struct sock *sk)
{
	return sk_is_inet(sk) && sk->sk_type == SOCK_DGRAM &&
	       sk->sk_protocol == IPPROTO_UDP;
}

static inline bool sk_is_stream_unix(const struct sock *sk)
{
	return sk->sk_family == AF_UNIX && sk->sk_type == SOCK_STREAM;
}

static inline bool sk_is_vsock(const struct sock *sk)
{
	return sk->sk_family == AF_VSOCK;
}

static inline bool sk_hashed(const struct sock *sk)
{
	(void)sk;
	SIM_UNREACHABLE("sk_hashed(): UDP sockets in a sockmap");
	return false;
}

#define TCPHDR_FIN	0x01
#define TCPHDR_SYN	0x02
#define TCPHDR_RST	0x04
#define TCPHDR_PSH	0x08
#define TCPHDR_ACK	0x10

struct tcp_skb_cb {
	__u32 seq;
	__u32 end_seq;
	__u8 tcp_flags;
	__u8 eor:1;		/* Is skb MSG_EOR marked? */
};

#define TCP_SKB_CB(__skb)	((struct tcp_skb_cb *)&((__skb)->cb[0]))

/* include/net/tcp.h: tcp_push()'s nonagle bits */
#define TCP_NAGLE_OFF		1	/* Nagle's algo is disabled */
#define TCP_NAGLE_CORK		2	/* Socket is corked	    */
#define TCP_NAGLE_PUSH		4	/* Cork is overridden for already queued data */

struct tcp_ulp_ops {
	char name[16];
};

struct inet_sock {
	struct sock sk;
	__be32 inet_saddr;
	__be32 inet_daddr;
	__be16 inet_sport;
	__be16 inet_dport;
};

/* include/net/request_sock.h: the accept queue of a listener holds one
 * request sock per connection whose handshake completed; req->sk is the
 * child (established, no struct socket yet) that accept() returns. */
struct request_sock {
	struct request_sock *dl_next;
	struct sock *rsk_listener;
	struct sock *sk;
	refcount_t rsk_refcnt;
};

struct request_sock_queue {
	spinlock_t rskq_lock;
	struct request_sock *rskq_accept_head;
	struct request_sock *rskq_accept_tail;
};

struct inet_connection_sock {
	struct inet_sock icsk_inet;
	struct request_sock_queue icsk_accept_queue;
	const struct tcp_ulp_ops *icsk_ulp_ops;
	void *icsk_ulp_data;
};

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	u32 rcv_nxt;
	u32 copied_seq;
	u32 write_seq;
	u32 snd_nxt;
	u32 snd_una;
	u32 urg_data;
	u32 urg_seq;
	u32 pushed_seq;		/* last pushed seq (tcp_mark_push) */
	u32 max_window;		/* largest window the peer offered */
	u32 packets_out;	/* segments sent and not yet acked */
	u8 nonagle;		/* TCP_NAGLE_OFF/CORK/PUSH bits */
	/* sim: test fields */
	struct tcp_sock *sim_peer;	/* the other end of the loopback wire */
	unsigned long sim_acks;		/* __tcp_cleanup_rbuf() window updates */
	unsigned long sim_rcv_space_adjust;
	unsigned long sim_app_limited;
	unsigned long sim_acked;	/* acks that freed retransmit queue space */
};

/* include/net/tcp.h: sequence number arithmetic */
static inline bool before(__u32 seq1, __u32 seq2)
{
	return (__s32)(seq1 - seq2) < 0;
}
#define after(seq2, seq1)	before(seq1, seq2)

static inline struct inet_sock *inet_sk(const struct sock *sk)
{
	return (struct inet_sock *)sk;
}

static inline struct inet_connection_sock *inet_csk(const struct sock *sk)
{
	return (struct inet_connection_sock *)sk;
}

static inline struct tcp_sock *tcp_sk(const struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static inline bool inet_csk_has_ulp(const struct sock *sk)
{
	/* every sim socket is a connection socket (INET_FLAGS_IS_ICSK) */
	return !!inet_csk(sk)->icsk_ulp_ops;
}

extern struct proto tcp_prot;
extern struct proto tcpv6_prot;
extern const struct proto_ops inet_stream_ops;
extern const struct proto_ops inet6_stream_ops;

int tcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
int tcp_sendmsg_locked(struct sock *sk, struct msghdr *msg, size_t size);
int tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		int *addr_len);
int tcp_ioctl(struct sock *sk, int cmd, int *karg);
void tcp_close(struct sock *sk, long timeout);
void tcp_v4_destroy_sock(struct sock *sk);
void tcp_shutdown(struct sock *sk, int how);
void sk_forced_mem_schedule(struct sock *sk, int size);
int tcp_read_skb(struct sock *sk, skb_read_actor_t recv_actor);
int tcp_read_sock_noack(struct sock *sk, read_descriptor_t *desc,
			sk_read_actor_t recv_actor, bool noack, u32 *copied_seq);
int tcp_read_sock(struct sock *sk, read_descriptor_t *desc,
		  sk_read_actor_t recv_actor);
struct sk_buff *tcp_recv_skb(struct sock *sk, u32 seq, u32 *off);
int tcp_peek_len(struct socket *sock);
ssize_t tcp_splice_read(struct socket *sk, loff_t *ppos,
			struct pipe_inode_info *pipe, size_t len,
			unsigned int flags);
void tcp_rcv_space_adjust(struct sock *sk);
void __tcp_cleanup_rbuf(struct sock *sk, int copied);
void tcp_cleanup_rbuf(struct sock *sk, int copied);
void tcp_data_ready(struct sock *sk);
void tcp_rate_check_app_limited(struct sock *sk);
int tcp_inq(struct sock *sk);
void tcp_update_ulp(struct sock *sk, struct proto *p,
		    void (*write_space)(struct sock *sk));
int inet_recv_error(struct sock *sk, struct msghdr *msg, int len, int *addr_len);

/* net/ipv4/tcp_bpf.c */
struct sk_psock;
struct sk_msg;
struct strparser;
int tcp_bpf_update_proto(struct sock *sk, struct sk_psock *psock, bool restore);
void tcp_bpf_clone(const struct sock *sk, struct sock *newsk);
int tcp_bpf_sendmsg_redir(struct sock *sk, bool ingress, struct sk_msg *msg,
			  u32 bytes, int flags);
int tcp_bpf_strp_read_sock(struct strparser *strp, read_descriptor_t *desc,
			   sk_read_actor_t recv_actor);
void tcp_eat_skb(struct sock *sk, struct sk_buff *skb);

#endif /* _TCP_H */
