/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: pipes. Stands for include/linux/pipe_fs_i.h; bodies in sim/pipe.c
 * stand for fs/pipe.c and the pipe half of fs/splice.c.
 *
 * A pipe is the kernel's ring of pipe_buffers (head/tail free-running
 * indices, ring_size a power of two, max_usage buffers usable, 16 by
 * default). A buffer owns one page reference, dropped by its ops->release.
 * Buffers in pipes are counted in the ledger as SIM_PIPE_BUF.
 */
#ifndef _LINUX_PIPE_FS_I_H
#define _LINUX_PIPE_FS_I_H

#include <sim/compiler.h>
#include <sim/lock.h>
#include <linux/mm.h>
#include <linux/wait.h>

#define PIPE_DEF_BUFFERS	16
#define PIPE_BUF_FLAG_LRU	0x01
#define PIPE_BUF_FLAG_ATOMIC	0x02
#define PIPE_BUF_FLAG_GIFT	0x04
#define PIPE_BUF_FLAG_PACKET	0x08
#define PIPE_BUF_FLAG_CAN_MERGE	0x10

struct pipe_buffer {
	struct page *page;
	unsigned int offset, len;
	const struct pipe_buf_operations *ops;
	unsigned int flags;
	unsigned long private;
};

struct pipe_inode_info {
	struct mutex mutex;
	wait_queue_head_t rd_wait, wr_wait;
	unsigned int head;
	unsigned int tail;
	unsigned int max_usage;
	unsigned int ring_size;
	unsigned int readers;
	unsigned int writers;
	struct pipe_buffer *bufs;
};

struct pipe_buf_operations {
	int (*confirm)(struct pipe_inode_info *, struct pipe_buffer *);
	void (*release)(struct pipe_inode_info *, struct pipe_buffer *);
	bool (*try_steal)(struct pipe_inode_info *, struct pipe_buffer *);
	bool (*get)(struct pipe_inode_info *, struct pipe_buffer *);
};

static inline bool pipe_empty(unsigned int head, unsigned int tail)
{
	return head == tail;
}

static inline unsigned int pipe_occupancy(unsigned int head, unsigned int tail)
{
	return head - tail;
}

static inline bool pipe_full(unsigned int head, unsigned int tail,
			     unsigned int limit)
{
	return pipe_occupancy(head, tail) >= limit;
}

static inline struct pipe_buffer *pipe_buf(const struct pipe_inode_info *pipe,
					   unsigned int slot)
{
	return &pipe->bufs[slot & (pipe->ring_size - 1)];
}

static inline __must_check bool pipe_buf_get(struct pipe_inode_info *pipe,
					     struct pipe_buffer *buf)
{
	return buf->ops->get(pipe, buf);
}

void sim_pipe_buf_released(struct pipe_inode_info *pipe, struct pipe_buffer *buf);

static inline void pipe_buf_release(struct pipe_inode_info *pipe,
				    struct pipe_buffer *buf)
{
	const struct pipe_buf_operations *ops = buf->ops;

	buf->ops = NULL;
	sim_pipe_buf_released(pipe, buf);
	ops->release(pipe, buf);
}

static inline int pipe_buf_confirm(struct pipe_inode_info *pipe,
				   struct pipe_buffer *buf)
{
	if (!buf->ops->confirm)
		return 0;
	return buf->ops->confirm(pipe, buf);
}

static inline bool pipe_buf_try_steal(struct pipe_inode_info *pipe,
				      struct pipe_buffer *buf)
{
	if (!buf->ops->try_steal)
		return false;
	return buf->ops->try_steal(pipe, buf);
}

bool generic_pipe_buf_get(struct pipe_inode_info *, struct pipe_buffer *);
bool generic_pipe_buf_try_steal(struct pipe_inode_info *, struct pipe_buffer *);
void generic_pipe_buf_release(struct pipe_inode_info *, struct pipe_buffer *);

extern const struct pipe_buf_operations nosteal_pipe_buf_ops;

#endif /* _LINUX_PIPE_FS_I_H */
