/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: what the TCP shim's files (sim/tcp.c, tcp_input.c, tcp_output.c,
 * tcp_ipv4.c, loopback.c, af_inet.c, inet_connection_sock.c, socket.c)
 * call across each other. Each file stands for the kernel file it is
 * named after; the kernel declares most of these in include/net/tcp.h,
 * with arguments the sim does not model.
 */
#ifndef _SIM_TCP_H
#define _SIM_TCP_H

#include <net/sock.h>
#include <net/tcp.h>

/* net/ipv4/tcp.c and tcp_ipv4.c: TCP's memory limits */
extern atomic_long_t tcp_memory_allocated;
extern long sysctl_tcp_mem[3];
extern int sysctl_tcp_rmem[3];
extern int sysctl_tcp_wmem[3];

/* tcp_input.c */
void tcp_rcv_established_sim(struct sock *sk, struct sk_buff *skb);
bool tcp_try_rmem_schedule(struct sock *sk, struct sk_buff *skb);
void tcp_fin(struct sock *sk);

/* The segment size on loopback (MTU 65536, IPv4, timestamps): mss_now,
 * and tcp_xmit_size_goal() of it (one segment: gso_max_size 65536). */
#define SIM_TCP_MSS		65483
/* tcp_sndbuf_expand() at establishment on loopback: 2 * TCP_INIT_CWND *
 * (roundup_pow_of_two(mss + MAX_TCP_HEADER + shinfo) + sk_buff): what
 * `ss -m` shows as tb2626560 for a loopback connection. */
#define SIM_TCP_SNDBUF_LO	2626560

/* tcp.c */
void tcp_push(struct sock *sk, int flags, int mss_now, int nonagle,
	      int size_goal);

/* tcp_input.c */
void tcp_ack_rcv(struct sock *sk, u32 ack);	/* tcp_v4_rcv() of a pure ack */
void tcp_ack(struct sock *sk, u32 ack);
void tcp_send_ack(struct sock *sk);
void sim_tcp_ack_flush(struct sock *sk);	/* deliver @sk's ack due */

/* loopback.c: while deferred, tcp_xmit() queues on the peer's wire and the
 * wires are delivered when the deferral ends (net_rx_action after the
 * softirq that transmitted). */
void sim_tcp_xmit_defer(bool on);
void tcp_check_space(struct sock *sk);

/* tcp_output.c */
void tcp_xmit(struct sock *sk, struct sk_buff *skb);
void __tcp_push_pending_frames(struct sock *sk, unsigned int cur_mss,
			       int nonagle);
void tcp_push_one(struct sock *sk, unsigned int mss_now);
#define TCP_RTO_MIN	((unsigned)(HZ / 5))
void sim_tcp_timers_init(struct sock *sk);
void tcp_check_probe_timer(struct sock *sk);
void tcp_clear_xmit_timers(struct sock *sk);
void tcp_write_queue_flush(struct sock *sk);
void tcp_write_queue_purge(struct sock *sk);
static inline struct sk_buff *tcp_write_queue_tail(const struct sock *sk)
{
	return skb_peek_tail((struct sk_buff_head *)&sk->sk_write_queue);
}
static inline struct sk_buff *tcp_send_head(const struct sock *sk)
{
	return skb_peek((struct sk_buff_head *)&sk->sk_write_queue);
}
void tcp_send_fin(struct sock *sk);
void tcp_send_active_reset(struct sock *sk);	/* no gfp, no reason */

/* tcp_ipv4.c */
int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb);
bool tcp_v4_rcv(struct sock *sk, struct sk_buff *skb);

/* tcp.c */
int tcp_disconnect(struct sock *sk, int flags);
void tcp_set_state(struct sock *sk, int state);
void sim_tcp_forget_peer(struct sock *sk);	/* the wire: tcp_close(), tcp_disconnect() */

/* tcp_input.c: the passive side's handshake completes */
void tcp_rcv_synrecv_state_process(struct sock *sk);
void tcp_init_buffer_space(struct sock *sk);

/* tcp_minisocks.c */
struct sock *tcp_create_openreq_child(const struct sock *sk,
				      struct request_sock *req);
int tcp_child_process(struct sock *parent, struct sock *child);

/* tcp_ipv4.c */
struct sock *tcp_v4_syn_recv_sock(const struct sock *sk, struct request_sock *req);

/* inet_connection_sock.c */
void inet_csk_destroy_sock(struct sock *sk);
int inet_csk_listen_start(struct sock *sk);
void inet_csk_listen_stop(struct sock *sk);
struct sock *inet_csk_accept(struct sock *sk, struct proto_accept_arg *arg);
struct sock *inet_csk_clone_lock(const struct sock *sk,
				 const struct request_sock *req, const gfp_t priority);
struct sock *inet_csk_reqsk_queue_add(struct sock *sk, struct request_sock *req,
				      struct sock *child);
struct request_sock *reqsk_alloc(struct sock *sk_listener);
void reqsk_put(struct request_sock *req);

/* sock.c: the sim's sk_alloc() (the struct, the ledger, the watches) */
struct sock *sim_sk_alloc(const char *name, int family);
void sim_sk_rename(struct sock *sk, const char *name);
struct sock *sk_clone_lock(const struct sock *sk, const gfp_t priority);

/* af_inet.c */
int inet_listen(struct socket *sock, int backlog);
int inet_accept(struct socket *sock, struct socket *newsock,
		struct proto_accept_arg *arg);

#endif
