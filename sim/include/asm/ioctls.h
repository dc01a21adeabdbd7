/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for arch/x86/include/uapi/asm/ioctls.h. glibc includes the
 * UAPI header of the same name, so this wrapper defers to it (the values
 * are the kernel's own); SIOCINQ itself lives in <net/sock.h>.
 */
#include_next <asm/ioctls.h>
