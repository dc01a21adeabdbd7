/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/net/netns/generic.h. net/strparser/strparser.c
 * includes it and uses nothing from it: the sim has one network
 * namespace and no per-netns data.
 */
#ifndef __NET_GENERIC_H__
#define __NET_GENERIC_H__

#endif /* __NET_GENERIC_H__ */
