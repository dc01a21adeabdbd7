/* SPDX-License-Identifier: GPL-2.0 */
/* sim: stands for include/linux/splice.h (bodies in sim/pipe.c). */
#ifndef SPLICE_H
#define SPLICE_H

#include <linux/pipe_fs_i.h>

#define SPLICE_F_MOVE		(0x01)
#define SPLICE_F_NONBLOCK	(0x02)
#define SPLICE_F_MORE		(0x04)
#define SPLICE_F_GIFT		(0x08)
#define SPLICE_F_ALL		(SPLICE_F_MOVE|SPLICE_F_NONBLOCK|SPLICE_F_MORE|SPLICE_F_GIFT)

ssize_t add_to_pipe(struct pipe_inode_info *pipe, struct pipe_buffer *buf);
extern const struct pipe_buf_operations default_pipe_buf_ops;

#endif /* SPLICE_H */
