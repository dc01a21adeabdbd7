/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/btf_ids.h as a kernel without
 * CONFIG_DEBUG_INFO_BTF has it: BTF id lists are zero-filled arrays
 * (the sim has no BTF; nothing it runs reads them).
 */
#ifndef _LINUX_BTF_IDS_H
#define _LINUX_BTF_IDS_H

#include <sim/compiler.h>

#define BTF_ID_LIST_SINGLE(name, prefix, typename)	\
	static u32 __maybe_unused name[1];

enum {
	BTF_SOCK_TYPE_SOCK = 5,
	MAX_BTF_SOCK_TYPE = 16,
};

extern u32 btf_sock_ids[];	/* sim/bpf.c: zeros */

#endif /* _LINUX_BTF_IDS_H */
