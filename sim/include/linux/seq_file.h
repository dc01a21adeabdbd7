/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/seq_file.h. The sim has no seq_file (no
 * procfs, no BPF iterators): the types exist so that sock_map.c's
 * iterator code compiles; seq_printf() is a loud stub (sim/bpf.c).
 */
#ifndef _LINUX_SEQ_FILE_H
#define _LINUX_SEQ_FILE_H

#include <sim/compiler.h>
#include <sys/types.h>

struct seq_file {
	void *private;
};

struct seq_operations {
	void *(*start)(struct seq_file *m, loff_t *pos);
	void (*stop)(struct seq_file *m, void *v);
	void *(*next)(struct seq_file *m, void *v, loff_t *pos);
	int (*show)(struct seq_file *m, void *v);
};

void seq_printf(struct seq_file *m, const char *fmt, ...);

#endif /* _LINUX_SEQ_FILE_H */
