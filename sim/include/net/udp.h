/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/net/udp.h. The sim has TCP sockets only:
 * sock_map.c includes this header for the UDP update_proto path, which
 * lives in net/ipv4/udp_bpf.c and is not modelled (sk_is_udp() is false
 * for every sim socket).
 */
#ifndef _UDP_H
#define _UDP_H

#include <net/sock.h>

#endif /* _UDP_H */
