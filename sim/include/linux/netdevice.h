/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/netdevice.h. net/strparser/strparser.c
 * includes it and uses nothing from it: the sim has no devices (the
 * loopback wire is sim/loopback.c). Not the UAPI <linux/netdevice.h>.
 */
#ifndef _LINUX_NETDEVICE_H
#define _LINUX_NETDEVICE_H

#endif /* _LINUX_NETDEVICE_H */
