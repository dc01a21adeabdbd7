/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/trace/events/sock.h. The tracepoint counts its
 * hits on the socket (sim_data_ready) instead of emitting an event.
 */
#ifndef _TRACE_SOCK_H
#define _TRACE_SOCK_H

#include <net/sock.h>

static inline void trace_sk_data_ready(const struct sock *sk)
{
	((struct sock *)sk)->sim_data_ready++;
}

#endif /* _TRACE_SOCK_H */
