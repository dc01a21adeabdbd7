/* SPDX-License-Identifier: GPL-2.0 */
/* sim: stands for include/linux/list.h: <sim/list.h> (lists, hlists). */
#ifndef _LINUX_LIST_H
#define _LINUX_LIST_H

#include <sim/list.h>

#endif /* _LINUX_LIST_H */
