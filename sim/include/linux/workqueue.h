/* SPDX-License-Identifier: GPL-2.0 */
/* sim: stands for include/linux/workqueue.h: <sim/workqueue.h>. */
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H

#include <sim/workqueue.h>

#endif /* _LINUX_WORKQUEUE_H */
