/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/net.h: sockfd_lookup()/sockfd_put()
 * (net/socket.c) over the sim's fd table (sim/bpf.c).
 */
#ifndef _LINUX_NET_H
#define _LINUX_NET_H

#include <net/sock.h>

/* The socket of fd @fd, or NULL with *err = -EBADF / -ENOTSOCK. The sim's
 * socket files are not refcounted: the test owns them until sim_close(). */
struct socket *sockfd_lookup(int fd, int *err);
void sockfd_put(struct socket *sock);

#endif /* _LINUX_NET_H */
