/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/kernel.h: the basics (INT_MAX, LONG_MAX,
 * min/max, container_of) are in <sim/compiler.h>, which every port file
 * gets from <sim/prelude.h>. Not the UAPI <linux/kernel.h>.
 */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <sim/compiler.h>

#endif /* _LINUX_KERNEL_H */
