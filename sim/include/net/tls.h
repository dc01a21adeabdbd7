/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/net/tls.h. kTLS is not modelled: no sim socket
 * ever has a TLS ULP (icsk_ulp_ops stays NULL), so the software-context
 * queries answer false, as they do in the kernel for such sockets.
 */
#ifndef _TLS_OFFLOAD_H
#define _TLS_OFFLOAD_H

#include <net/sock.h>
#include <net/tcp.h>

static inline bool tls_sw_has_ctx_tx(const struct sock *sk)
{
	WARN_ON(inet_csk(sk)->icsk_ulp_ops);	/* sim: TLS not modelled */
	return false;
}

static inline bool tls_sw_has_ctx_rx(const struct sock *sk)
{
	WARN_ON(inet_csk(sk)->icsk_ulp_ops);	/* sim: TLS not modelled */
	return false;
}

#endif /* _TLS_OFFLOAD_H */
