/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/file.h (struct fd, fdget/fdput, the fd
 * class of include/linux/cleanup.h's CLASS()). The sim's fd table is
 * sim/bpf.c: small integers naming a struct file (map, prog, socket).
 * fdget() takes no file reference, as the kernel's for a single-threaded
 * caller (no FDPUT_FPUT): fdput() has nothing to drop.
 */
#ifndef __LINUX_FILE_H
#define __LINUX_FILE_H

#include <sim/compiler.h>
#include <net/sock.h>

struct fd {
	struct file *file;
};

#define fd_file(f)	((f).file)

struct file *sim_fget(unsigned int fd);	/* sim/bpf.c: NULL if not open */

static inline struct fd fdget(unsigned int fd)
{
	return (struct fd){ .file = sim_fget(fd) };
}

static inline void fdput(struct fd fd)
{
	(void)fd;	/* no reference taken by fdget() */
}

/* include/linux/cleanup.h: CLASS(fd, f)(ufd) declares f = fdget(ufd),
 * fdput(f) when f goes out of scope. */
typedef struct fd class_fd_t;
static inline void class_fd_destructor(struct fd *p)
{
	fdput(*p);
}
static inline struct fd class_fd_constructor(int fd)
{
	return fdget(fd);
}
#define CLASS(_name, var)						\
	class_##_name##_t var __attribute__((__cleanup__(class_##_name##_destructor))) = \
		class_##_name##_constructor

#endif /* __LINUX_FILE_H */
