/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/poll.h. net/strparser/strparser.c
 * includes it and uses nothing from it (poll is sim/socket.c's
 * sim_poll()). Not the UAPI <linux/poll.h>.
 */
#ifndef _LINUX_POLL_H
#define _LINUX_POLL_H

#endif /* _LINUX_POLL_H */
