/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/sock_diag.h: __sock_gen_cookie()
 * (net/core/sock_diag.c), sim/bpf.c.
 */
#ifndef __SOCK_DIAG_H__
#define __SOCK_DIAG_H__

#include <net/sock.h>

u64 __sock_gen_cookie(struct sock *sk);

#endif /* __SOCK_DIAG_H__ */
