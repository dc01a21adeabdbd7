/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/init.h. Initcalls are collected in the
 * "sim_initcall" section, like the kernel's .initcall sections, and run by
 * sim_init() before the first test: level by level, in link order within
 * a level, as do_initcalls() does.
 */
#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H

#include <sim/compiler.h>

typedef int (*initcall_t)(void);

#define __init
#define __initdata
#define __exit

struct sim_initcall {
	int level;
	initcall_t fn;
};

#define __sim_initcall(fn, id)						\
	static const struct sim_initcall __sim_initcall_##fn##id	\
	__attribute__((__used__, __section__("sim_initcall"))) = { id, fn }

#define core_initcall(fn)	__sim_initcall(fn, 1)
#define subsys_initcall(fn)	__sim_initcall(fn, 4)
#define fs_initcall(fn)		__sim_initcall(fn, 5)
#define device_initcall(fn)	__sim_initcall(fn, 6)
#define late_initcall(fn)	__sim_initcall(fn, 7)

/* Run every registered initcall once (sim/world.c). */
void sim_run_initcalls(void);

#endif /* _LINUX_INIT_H */
