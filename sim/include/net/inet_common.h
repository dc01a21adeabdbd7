/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/net/inet_common.h; bodies in sim/af_inet.c stand for
 * net/ipv4/af_inet.c.
 */
#ifndef _INET_COMMON_H
#define _INET_COMMON_H

#include <net/sock.h>

extern const struct proto_ops inet_stream_ops;
extern const struct proto_ops inet6_stream_ops;

int inet_release(struct socket *sock);
int inet_sendmsg(struct socket *sock, struct msghdr *msg, size_t size);
int inet_recvmsg(struct socket *sock, struct msghdr *msg, size_t size, int flags);
int inet_shutdown(struct socket *sock, int how);
int inet_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);
ssize_t inet_splice_read(struct socket *sock, loff_t *ppos,
			 struct pipe_inode_info *pipe, size_t len,
			 unsigned int flags);

#endif /* _INET_COMMON_H */
