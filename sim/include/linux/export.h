/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/export.h. EXPORT_SYMBOL*() are in
 * <sim/compiler.h>: every kernel file is linked into one binary.
 */
#ifndef _LINUX_EXPORT_H
#define _LINUX_EXPORT_H

#include <sim/compiler.h>

#endif /* _LINUX_EXPORT_H */
