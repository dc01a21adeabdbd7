/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/socket.h: the address families, MSG_*
 * flags and struct msghdr the sim needs are in <net/sock.h>, where the
 * sim's sockets are. Not the UAPI <linux/socket.h>.
 */
#ifndef _LINUX_SOCKET_H
#define _LINUX_SOCKET_H

#include <net/sock.h>

#endif /* _LINUX_SOCKET_H */
