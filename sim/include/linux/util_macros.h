/* SPDX-License-Identifier: GPL-2.0 */
/* sim: stands for include/linux/util_macros.h (the macro tcp_bpf.c uses). */
#ifndef _LINUX_HELPER_MACROS_H_
#define _LINUX_HELPER_MACROS_H_

#include <sim/compiler.h>

#define is_insidevar(ptr, var)						\
	((uintptr_t)(ptr) >= (uintptr_t)(var) &&			\
	 (uintptr_t)(ptr) <  (uintptr_t)(var) + sizeof(var))

#endif /* _LINUX_HELPER_MACROS_H_ */
