/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/errqueue.h. net/strparser/strparser.c
 * includes it and uses nothing from it (no MSG_ERRQUEUE in the sim).
 * Not the UAPI <linux/errqueue.h>.
 */
#ifndef _LINUX_ERRQUEUE_H
#define _LINUX_ERRQUEUE_H

#endif /* _LINUX_ERRQUEUE_H */
