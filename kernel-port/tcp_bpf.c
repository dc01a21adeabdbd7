// SPDX-License-Identifier: GPL-2.0
/* Port file: the pristine net/ipv4/tcp_bpf.c (+ kernel-patches/) over the sim. */
#include <sim/prelude.h>
#include "net/ipv4/tcp_bpf.c"
