/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/uaccess.h: copy_to_user() and
 * copy_from_user() on the sim's "user" memory (the test's buffers, in the
 * same address space). They return the number of bytes NOT copied, 0 here:
 * fault injection for user copies is the iov_iter's (<linux/uio.h>).
 */
#ifndef __LINUX_UACCESS_H__
#define __LINUX_UACCESS_H__

#include <string.h>
#include <sim/compiler.h>

static inline unsigned long copy_to_user(void __user *to, const void *from,
					 unsigned long n)
{
	memcpy((void __force *)to, from, n);
	return 0;
}

static inline unsigned long copy_from_user(void *to, const void __user *from,
					   unsigned long n)
{
	memcpy(to, (const void __force *)from, n);
	return 0;
}

#endif /* __LINUX_UACCESS_H__ */
