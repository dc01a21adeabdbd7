/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: what every kernel compilation unit sees before the kernel file.
 * A port file is exactly: #include <sim/prelude.h>, then the kernel file.
 * The prelude pulls in the kernel-wide basics the real files get
 * implicitly through the kernel's own headers (types, WARN/BUG, atomics,
 * lists, locks, RCU, workqueues, pages, slab, the current task).
 */
#ifndef _SIM_PRELUDE_H
#define _SIM_PRELUDE_H

#include <sim/config.h>
#include <sim/compiler.h>
#include <sim/bug.h>
#include <sim/atomic.h>
#include <sim/list.h>
#include <sim/lock.h>
#include <sim/rcu.h>
#include <sim/workqueue.h>
#include <sim/sched.h>
#include <sim/ledger.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#endif /* _SIM_PRELUDE_H */
