/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the kernel configuration the real files are compiled with.
 * Stands for include/generated/autoconf.h and include/linux/kconfig.h.
 * The options match the kernel-check configuration (BPF_SYSCALL,
 * BPF_STREAM_PARSER, NET_SOCK_MSG, INET, IPV6 all =y).
 */
#ifndef _SIM_CONFIG_H
#define _SIM_CONFIG_H

#define CONFIG_64BIT 1
#define CONFIG_NET 1
#define CONFIG_INET 1
#define CONFIG_IPV6 1
#define CONFIG_BPF 1
#define CONFIG_BPF_SYSCALL 1
#define CONFIG_BPF_STREAM_PARSER 1
#define CONFIG_NET_SOCK_MSG 1
#define CONFIG_TLS 1

/* IS_ENABLED(): same preprocessor technique as include/linux/kconfig.h. */
#define __SIM_ARG_PLACEHOLDER_1 0,
#define __sim_take_second_arg(__ignored, val, ...) val
#define __sim_is_defined(x) ___sim_is_defined(x)
#define ___sim_is_defined(val) ____sim_is_defined(__SIM_ARG_PLACEHOLDER_##val)
#define ____sim_is_defined(arg1_or_junk) __sim_take_second_arg(arg1_or_junk 1, 0)
#define IS_BUILTIN(option) __sim_is_defined(option)
#define IS_MODULE(option) 0
#define IS_ENABLED(option) IS_BUILTIN(option)
#define IS_REACHABLE(option) IS_BUILTIN(option)

#endif /* _SIM_CONFIG_H */
