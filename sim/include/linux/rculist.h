/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/rculist.h: the RCU list helpers are in
 * <sim/rcu.h> (hlist_*_rcu) over <linux/list.h>.
 */
#ifndef _LINUX_RCULIST_H
#define _LINUX_RCULIST_H

#include <linux/list.h>
#include <sim/rcu.h>

#endif /* _LINUX_RCULIST_H */
