/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conformance/runner.h: what a backend implements; runner.c drives the
 * scenarios through it and prints the observations. Every function returns
 * a value >= 0 or -errno, as the system call would.
 */
#ifndef _CONFORMANCE_RUNNER_H
#define _CONFORMANCE_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include "scenarios.h"

/* The scenario being run (for diagnostics). */
extern const char *conf_current;
/* The backend's name in the output header ("sim", "syscall"). */
extern const char *be_name;
/* Set up the backend once; a non-NULL return is why it cannot run. */
const char *be_init(void);
/* A fresh world for one scenario / its teardown: a non-NULL return of
 * be_end() is a problem found at teardown (leak, ledger violation). */
void be_begin(void);
const char *be_end(void);

int be_pair(int a, int b);
/* socket @l listens; socket @c connects to it (and waits until the child
 * is in @l's accept queue); socket @s is what accept(@l) returns */
int be_listen(int l);
int be_connect(int c, int l);
int be_accept(int s, int l);
/* OP_ACCEPT_WAIT: accept(@l) into @s, blocking; once it sleeps, another
 * context connects @c to @l. *@timed_out: the accept returned only when
 * @l's SO_RCVTIMEO ran out (nothing woke it). */
int be_accept_wait(int s, int l, int c, bool *timed_out);
int be_map_add(int slot, int sock);
int be_map_delete(int slot);
int be_msg_prog(enum conf_verdict v, int slot, unsigned int apply, unsigned int cork);
int be_skb_prog(enum conf_verdict v, int slot);
/* OP_STRP_PROG: a stream parser returning @msg_len (> 0), skb->len (0) or
 * the error @msg_len (< 0), and a stream verdict */
int be_strp_prog(enum conf_verdict v, int slot, int msg_len);
int be_bypass(void);
int be_sockops_add(int slot);
long be_send(int sock, const void *buf, size_t len, int flags);
long be_recv(int sock, void *buf, size_t len, int flags);
/* OP_RECV_FAULT: recv() into @buf, whose bytes from @good on fault */
long be_recv_fault(int sock, void *buf, size_t len, size_t good, int flags);
/* The scenario running corrupts the kernel below series level @level
 * (conf_scenario.breaks_below): the sim expects its ledger's report */
void be_breaks_below(const char *level);
/* OP_RECV_SHUTRD: a blocking recv() that another context's
 * shutdown(SHUT_RD) wakes once it sleeps; the recv()'s result */
long be_recv_shutrd(int sock, void *buf, size_t len);
long be_splice(int sock, size_t len, int flags);
long be_splice_out(int sock, size_t len, int flags);
long be_pipe_read(void *buf, size_t len);
int be_nonblock(int sock);
int be_rcvtimeo(int sock, int ms);
/* setsockopt(SO_SNDBUF / SO_RCVBUF, @val) */
int be_sndbuf(int sock, int val);
int be_rcvbuf(int sock, int val);
/* kernel warnings (WARN*) since be_begin(), or -errno */
int be_warns(void);
int be_fionread(int sock, int *val);
/* getsockopt(SO_ERROR) into *@err (a positive errno, or 0) */
int be_so_error(int sock, int *err);
/* CONF_POLL_* bits of the socket's readiness, or -errno */
#define CONF_POLL_IN	1
#define CONF_POLL_RDHUP	2
#define CONF_POLL_ERR	4
int be_poll(int sock);
int be_shutdown(int sock, int how);
int be_close(int sock);
void be_settle(void);

#endif /* _CONFORMANCE_RUNNER_H */
