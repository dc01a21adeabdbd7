/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the pipe syscalls a test makes: pipe(2), splice(2) from a socket
 * into a pipe (do_splice_read -> sock->ops->splice_read), read(2) from the
 * pipe, close(2) of the pipe.
 */
#ifndef _SIM_PIPE_H
#define _SIM_PIPE_H

#include <linux/splice.h>
#include <net/sock.h>

/* A pipe with room for @nr_bufs buffers (PIPE_DEF_BUFFERS by default). */
struct pipe_inode_info *sim_pipe_create(unsigned int nr_bufs);
/* splice(sock -> pipe, @len, @flags): SPLICE_F_NONBLOCK etc. */
ssize_t sim_splice_read(struct sock *sk, struct pipe_inode_info *pipe,
			size_t len, unsigned int flags);
/* splice(pipe -> sock, @len, @flags): splice_to_socket(), i.e. sendmsg()
 * with MSG_SPLICE_PAGES over the pipe's pages, then the consumed buffers
 * are released. */
ssize_t sim_splice_to_socket(struct pipe_inode_info *pipe, struct sock *sk,
			     size_t len, unsigned int flags);
/* read(pipe, @buf, @len): -EAGAIN when empty (the pipe is O_NONBLOCK). */
ssize_t sim_pipe_read(struct pipe_inode_info *pipe, void *buf, size_t len);
/* Buffers currently in the pipe. */
unsigned int sim_pipe_nr_bufs(const struct pipe_inode_info *pipe);
/* The @i-th buffer from the tail (0 = next to be read). */
struct pipe_buffer *sim_pipe_peek(struct pipe_inode_info *pipe, unsigned int i);
void sim_pipe_close(struct pipe_inode_info *pipe);

#endif /* _SIM_PIPE_H */
