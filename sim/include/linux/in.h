/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/in.h. net/strparser/strparser.c includes
 * it and uses nothing from it (IPPROTO_* are in <net/sock.h>). Not the
 * UAPI <linux/in.h>, which clashes with glibc's <netinet/in.h>.
 */
#ifndef _LINUX_IN_H
#define _LINUX_IN_H

#endif /* _LINUX_IN_H */
