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

/* net/ipv4/tcp.c and tcp_ipv4.c: TCP's memory limits */
extern atomic_long_t tcp_memory_allocated;
extern long sysctl_tcp_mem[3];
extern int sysctl_tcp_rmem[3];
extern int sysctl_tcp_wmem[3];

/* tcp_input.c */
void tcp_rcv_established_sim(struct sock *sk, struct sk_buff *skb);
bool tcp_try_rmem_schedule(struct sock *sk, struct sk_buff *skb);
void tcp_fin(struct sock *sk);

/* tcp_output.c */
void tcp_xmit(struct sock *sk, struct sk_buff *skb);
void tcp_send_fin(struct sock *sk);
void tcp_send_active_reset(struct sock *sk);	/* no gfp, no reason */

/* tcp_ipv4.c */
int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb);
bool tcp_v4_rcv(struct sock *sk, struct sk_buff *skb);

/* inet_connection_sock.c */
void inet_csk_destroy_sock(struct sock *sk);

#endif
