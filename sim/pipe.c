// SPDX-License-Identifier: GPL-2.0
/*
 * sim: pipes (stands for fs/pipe.c: alloc_pipe_info, pipe_read,
 * free_pipe_info; fs/splice.c: add_to_pipe, the generic buffer ops,
 * splice_file_to_pipe/do_splice_read; net/socket.c: sock_splice_read).
 */
#include <stdlib.h>
#include <sim/ledger.h>
#include <sim/pipe.h>
#include <sim/net.h>
#include <sim/invariant.h>
#include <linux/uio.h>

/* Ledger key of a pipe buffer slot: tagged so it never equals the address
 * of a real object (bufs[0] shares its address with the bufs array). */
#define BUF_KEY(buf)	((const char *)(buf) + 1)

struct sim_pipe {
	struct pipe_inode_info pipe;
	struct sim_resource res;
};

void sim_pipe_buf_released(struct pipe_inode_info *pipe, struct pipe_buffer *buf)
{
	(void)pipe;
	sim_ledger_del(SIM_PIPE_BUF, BUF_KEY(buf), SIM_SITE);
}

/* sim-origin: fs/pipe.c generic_pipe_buf_get */
bool generic_pipe_buf_get(struct pipe_inode_info *pipe, struct pipe_buffer *buf)
{
	(void)pipe;	/* sim-edit: a sim page refcount cannot overflow: try_get_page() always succeeds */
	get_page(buf->page);	/* sim-edit: try_get_page() is get_page() here */
	return true;	/* sim-edit: try_get_page() always succeeds */
}

bool generic_pipe_buf_try_steal(struct pipe_inode_info *pipe, struct pipe_buffer *buf)
{
	(void)pipe;
	/* sole owner of an unmapped page: the kernel also unlocks/LRU-checks */
	return page_count(buf->page) == 1;
}

/* sim-origin: fs/pipe.c generic_pipe_buf_release */
void generic_pipe_buf_release(struct pipe_inode_info *pipe, struct pipe_buffer *buf)
{
	(void)pipe;	/* sim-edit: pipe is unused */
	put_page(buf->page);
}

const struct pipe_buf_operations default_pipe_buf_ops = {
	.release	= generic_pipe_buf_release,
	.try_steal	= generic_pipe_buf_try_steal,
	.get		= generic_pipe_buf_get,
};

const struct pipe_buf_operations nosteal_pipe_buf_ops = {
	.release	= generic_pipe_buf_release,
	.get		= generic_pipe_buf_get,
};

/* sim-origin: fs/splice.c add_to_pipe */
ssize_t add_to_pipe(struct pipe_inode_info *pipe, struct pipe_buffer *buf)
{
	unsigned int head = pipe->head;
	unsigned int tail = pipe->tail;
	unsigned int mask = pipe->ring_size - 1;
	ssize_t ret;	/* sim-edit: ret declared ssize_t (the value returned) */

	if (unlikely(!pipe->readers)) {	/* sim-edit: no signals in the sim: no SIGPIPE sent */
		ret = -EPIPE;	/* and SIGPIPE, not modelled */
	} else if (pipe_full(head, tail, pipe->max_usage)) {
		ret = -EAGAIN;
	} else {
		pipe->bufs[head & mask] = *buf;
		pipe->head = head + 1;
		sim_ledger_add(SIM_PIPE_BUF, BUF_KEY(&pipe->bufs[head & mask]), buf->len, SIM_SITE);	/* sim-edit: the pipe-buffer ledger */
		return buf->len;
	}
	/* the buffer is consumed either way: release it as the kernel does */
	sim_ledger_add(SIM_PIPE_BUF, BUF_KEY(buf), buf->len, SIM_SITE);	/* sim-edit: the pipe-buffer ledger */
	pipe_buf_release(pipe, buf);
	return ret;
}

static void sim_pipe_release(struct sim_resource *res)
{
	struct sim_pipe *sp = container_of(res, struct sim_pipe, res);
	struct pipe_inode_info *pipe = &sp->pipe;

	/* free_pipe_info(): release every buffer still in the pipe */
	while (!pipe_empty(pipe->head, pipe->tail)) {
		struct pipe_buffer *buf = pipe_buf(pipe, pipe->tail);

		if (buf->ops)
			pipe_buf_release(pipe, buf);
		pipe->tail++;
	}
	kfree(pipe->bufs);
	kfree(sp);
}

/* The pipe(2) of a test: a fixture, not a path under test, so it never
 * takes an injected allocation failure (__GFP_NOFAIL); a failure armed by
 * sim_fail_alloc() stays pending for the next allocation that may fail. */
struct pipe_inode_info *sim_pipe_create(unsigned int nr_bufs)
{
	struct sim_pipe *sp = kzalloc(sizeof(*sp), GFP_KERNEL | __GFP_NOFAIL);
	struct pipe_inode_info *pipe;
	unsigned int ring = 1;

	BUG_ON(!sp || !nr_bufs);
	while (ring < nr_bufs)
		ring <<= 1;
	pipe = &sp->pipe;
	pipe->bufs = kcalloc(ring, sizeof(struct pipe_buffer), GFP_KERNEL | __GFP_NOFAIL);
	BUG_ON(!pipe->bufs);
	pipe->ring_size = ring;
	pipe->max_usage = nr_bufs;
	pipe->readers = pipe->writers = 1;
	mutex_init(&pipe->mutex);
	init_waitqueue_head(&pipe->rd_wait);
	init_waitqueue_head(&pipe->wr_wait);
	sim_world_own(&sp->res, sim_pipe_release, "pipe");
	return pipe;
}

void sim_pipe_close(struct pipe_inode_info *pipe)
{
	struct sim_pipe *sp = container_of(pipe, struct sim_pipe, pipe);

	sim_world_disown(&sp->res);
	sim_pipe_release(&sp->res);
	sim_invariants_step("pipe close");
}

unsigned int sim_pipe_nr_bufs(const struct pipe_inode_info *pipe)
{
	return pipe_occupancy(pipe->head, pipe->tail);
}

struct pipe_buffer *sim_pipe_peek(struct pipe_inode_info *pipe, unsigned int i)
{
	BUG_ON(i >= sim_pipe_nr_bufs(pipe));
	return pipe_buf(pipe, pipe->tail + i);
}

/* pipe_read() for an O_NONBLOCK pipe */
ssize_t sim_pipe_read(struct pipe_inode_info *pipe, void *ubuf, size_t len)
{
	struct iov_iter to;
	ssize_t ret = 0;

	iov_iter_ubuf(&to, ITER_DEST, ubuf, len);
	mutex_lock(&pipe->mutex);
	while (iov_iter_count(&to) && !pipe_empty(pipe->head, pipe->tail)) {
		struct pipe_buffer *buf = pipe_buf(pipe, pipe->tail);
		size_t chars = min_t(size_t, buf->len, iov_iter_count(&to));
		size_t written;
		int error = pipe_buf_confirm(pipe, buf);

		if (error) {
			if (!ret)
				ret = error;
			break;
		}
		written = copy_page_to_iter(buf->page, buf->offset, chars, &to);
		if (unlikely(written < chars)) {
			if (!ret)
				ret = -EFAULT;
			break;
		}
		ret += chars;
		buf->offset += chars;
		buf->len -= chars;
		if (!buf->len) {
			pipe_buf_release(pipe, buf);
			pipe->tail++;
		}
	}
	mutex_unlock(&pipe->mutex);
	if (!ret && len)
		ret = pipe->writers ? -EAGAIN : 0;
	sim_invariants_step("pipe read");
	return ret;
}

/* splice(2) socket -> pipe: splice_file_to_pipe() + do_splice_read() +
 * sock_splice_read(). A full pipe gives -EAGAIN with SPLICE_F_NONBLOCK;
 * without it the caller would sleep until a reader makes room, which
 * nothing can do in a single-task sim: that is counted as a hang. */
static ssize_t splice_read(struct sock *sk, struct pipe_inode_info *pipe,
			   size_t len, unsigned int flags)
{
	struct socket *sock = &sim_tcp(sk)->socket;
	unsigned int p_space;
	loff_t pos = 0;
	ssize_t ret;

	BUG_ON(!sim_tcp(sk)->fd_open);
	if (unlikely(!pipe->readers))
		return -EPIPE;
	if (pipe_full(pipe->head, pipe->tail, pipe->max_usage)) {
		if (flags & SPLICE_F_NONBLOCK)
			return -EAGAIN;
		/* pipe_wait_writable(): nobody reads the pipe meanwhile */
		DEFINE_WAIT_FUNC(wait, woken_wake_function);
		(void)wait_woken(&wait, TASK_INTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT);
		return -EAGAIN;
	}
	if (!len)
		return 0;
	p_space = pipe->max_usage - pipe_occupancy(pipe->head, pipe->tail);
	len = min_t(size_t, len, (size_t)p_space << PAGE_SHIFT);
	mutex_lock(&pipe->mutex);
	ret = sock->ops->splice_read(sock, &pos, pipe, len, flags);
	mutex_unlock(&pipe->mutex);
	return ret;
}

ssize_t sim_splice_read(struct sock *sk, struct pipe_inode_info *pipe,
			size_t len, unsigned int flags)
{
	ssize_t ret = splice_read(sk, pipe, len, flags);

	sim_invariants_step("splice");
	return ret;
}

/* fs/splice.c: splice_to_socket(), step for step. An empty pipe with no
 * SPLICE_F_NONBLOCK would wait for a writer: nothing can write in a
 * single-task sim, so that is counted as a hang. */
/* sim-origin: fs/splice.c splice_to_socket */
ssize_t sim_splice_to_socket(struct pipe_inode_info *pipe, struct sock *sk,	/* sim-edit: sim_ name; the socket's sk instead of (pipe, out file, ppos) */
			     size_t len, unsigned int flags)
{
	struct socket *sock = &sim_tcp(sk)->socket;	/* sim-edit: the sim TCP socket stands for sock_from_file(out) */
	struct bio_vec bvec[16];
	struct msghdr msg = {};
	ssize_t ret = 0;
	size_t spliced = 0;

	BUG_ON(!sim_tcp(sk)->fd_open);	/* sim-edit: no need_wakeup (no pipe writer can wait in the sim); the socket must be open */
	mutex_lock(&pipe->mutex);	/* sim-edit: pipe_lock() is the pipe's mutex */
	while (len > 0) {
		unsigned int head, tail, mask, bc = 0;
		size_t remain = len;

		ret = -ERESTARTSYS;
		if (signal_pending(current))
			break;
		if (pipe_empty(pipe->head, pipe->tail)) {	/* sim-edit: one wait then out: no writer can fill the pipe meanwhile (a hang) */
			ret = 0;
			if (!pipe->writers || spliced)	/* sim-edit: the writers and spliced tests in one if */
				goto out;
			ret = -EAGAIN;
			if (flags & SPLICE_F_NONBLOCK)
				goto out;
			/* pipe_wait_readable(): no writer can run meanwhile */
			DEFINE_WAIT_FUNC(wait, woken_wake_function);	/* sim-edit: pipe_wait_readable() is one wait_woken(); no writer wake-up, the signal check is at the loop top */
			(void)wait_woken(&wait, TASK_INTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT);	/* sim-edit: pipe_wait_readable() is one wait_woken() */
			goto out;	/* sim-edit: no writer can run: out after the wait */
		}
		head = pipe->head;
		tail = pipe->tail;
		mask = pipe->ring_size - 1;
		while (!pipe_empty(head, tail)) {
			struct pipe_buffer *buf = &pipe->bufs[tail & mask];
			size_t seg;

			if (!buf->len) {
				tail++;
				continue;
			}
			seg = min_t(size_t, remain, buf->len);
			ret = pipe_buf_confirm(pipe, buf);
			if (unlikely(ret)) {
				if (ret == -ENODATA)
					ret = 0;
				break;
			}
			bvec_set_page(&bvec[bc++], buf->page, seg, buf->offset);
			remain -= seg;
			if (remain == 0 || bc >= ARRAY_SIZE(bvec))
				break;
			tail++;
		}
		if (!bc)
			break;
		msg.msg_flags = MSG_SPLICE_PAGES;
		if (flags & SPLICE_F_MORE)
			msg.msg_flags |= MSG_MORE;
		if (remain && pipe_occupancy(pipe->head, tail) > 0)
			msg.msg_flags |= MSG_MORE;
		if (sock->file->f_flags & O_NONBLOCK)	/* sim-edit: the sim socket's file stands for out */
			msg.msg_flags |= MSG_DONTWAIT;
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bvec, bc, len - remain);
		ret = sock_sendmsg(sock, &msg);
		if (ret <= 0)
			break;
		spliced += ret;
		len -= ret;
		tail = pipe->tail;
		/* trusts ret: a sendmsg that reports more than it was given
		 * walks past the buffers it was handed */
		while (ret > 0) {
			struct pipe_buffer *buf = &pipe->bufs[tail & mask];
			size_t seg = min_t(size_t, ret, buf->len);

			buf->offset += seg;
			buf->len -= seg;
			ret -= seg;
			if (!buf->len) {
				pipe_buf_release(pipe, buf);
				tail++;
			}
		}
		if (tail != pipe->tail)	/* sim-edit: no need_wakeup: no pipe writer waits in the sim */
			pipe->tail = tail;	/* sim-edit: no need_wakeup: no pipe writer waits in the sim */
	}
out:
	mutex_unlock(&pipe->mutex);	/* sim-edit: pipe_unlock() is the pipe's mutex */
	sim_invariants_step("splice to socket");	/* sim-edit: the sim's accounting invariants after each test step (<sim/invariant.h>) */
	return spliced ?: ret;
}
