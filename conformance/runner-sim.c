// SPDX-License-Identifier: GPL-2.0
/*
 * conformance/runner-sim.c: the sim backend. Every scenario runs in a fresh
 * sim world on the real skmsg.c/tcp_bpf.c (the series level this binary was
 * built with); the teardown checks the ownership ledger and the socket
 * accounting, as the tests do. Programs are the sim's canned verdicts and
 * the bypass of tests/sim_bypass.h.
 */
#include <stdlib.h>
#include <string.h>
#include <sim/series.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/ledger.h>
#include <sim/pipe.h>
#include <sim/workqueue.h>
#include <sim/task.h>
#include <sim/tcp.h>
#include "../tests/sim_bypass.h"
#include "runner.h"

const char *be_name = "sim";

static struct {
	struct sock *sk[CONF_MAX_SOCKS];
	bool open[CONF_MAX_SOCKS];
	struct bpf_map *map;
	struct pipe_inode_info *pipe;
	struct sim_verdict msg_v, skb_v;
	struct sim_parser parser;
	struct sim_bypass bp;
	bool bypass;
} w;

const char *be_init(void)
{
	sim_init();
	return NULL;
}

void be_begin(void)
{
	memset(&w, 0, sizeof(w));
	sim_world_begin();
	w.map = sim_sockmap_create(CONF_MAP_SLOTS);
	w.pipe = sim_pipe_create(PIPE_DEF_BUFFERS);
}

const char *be_end(void)
{
	sim_pipe_close(w.pipe);
	for (int i = 0; i < CONF_MAX_SOCKS; i++)
		if (w.open[i])
			sim_close(w.sk[i]);
	sim_map_close(w.map);
	if (w.bypass)
		sim_map_close(w.bp.hash);
	return sim_world_end() ? "the sim's world check failed (see above)" : NULL;
}

int be_pair(int a, int b)
{
	sim_tcp_pair(&w.sk[a], &w.sk[b], "a", "b");
	w.open[a] = w.open[b] = true;
	/* no SO_RCVTIMEO: the syscall backend gives every socket 2 s so
	 * that a blocking kernel cannot hang the VM; here a wait that
	 * nothing can end is the sim's hang, which fails the run */
	return 0;
}

static const char *const names[CONF_MAX_SOCKS] = {
	"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
};
/* a child not yet accepted is named after its client */
static const char *const child_names[CONF_MAX_SOCKS] = {
	"peer of s0", "peer of s1", "peer of s2", "peer of s3",
	"peer of s4", "peer of s5", "peer of s6", "peer of s7",
};

int be_listen(int l)
{
	w.sk[l] = sim_tcp_listen(names[l]);
	w.open[l] = true;
	return 0;
}

/* sim_tcp_connect_to() completes the handshake: the child is in the
 * listener's accept queue when it returns */
int be_connect(int c, int l)
{
	if (!w.open[l] || w.sk[l]->sk_state != TCP_LISTEN)
		return -EINVAL;
	w.sk[c] = sim_tcp_connect_to(w.sk[l], names[c], child_names[c]);
	w.open[c] = true;
	return 0;
}

int be_accept(int s, int l)
{
	struct sock *child;
	int err;

	child = sim_tcp_accept_err(w.sk[l], &err);
	if (!child)
		return err;
	sim_sk_rename(child, names[s]);
	w.sk[s] = child;
	w.open[s] = true;
	return 0;
}

/* OP_ACCEPT_WAIT: the connect runs from the sleep hook, when accept()
 * sleeps (another CPU, as the syscall backend's child process); a sleep
 * nothing wakes ends at the listener's SO_RCVTIMEO, when that many
 * jiffies have passed. */
static struct {
	int c, l;
	bool done;
} aw;

static void aw_connect(void *arg)
{
	(void)arg;
	sim_set_sleep_hook(NULL, NULL);		/* once */
	be_connect(aw.c, aw.l);
	aw.done = true;
}

int be_accept_wait(int s, int l, int c, bool *timed_out)
{
	unsigned long start = sim_jiffies;
	long timeo = w.sk[l]->sk_rcvtimeo;
	struct sock *child;
	int err;

	aw = (typeof(aw)){ .c = c, .l = l };
	sim_set_sleep_hook(aw_connect, NULL);
	child = sim_tcp_accept_err(w.sk[l], &err);
	sim_set_sleep_hook(NULL, NULL);
	if (!aw.done)	/* accept() did not sleep: connect anyway */
		be_connect(c, l);
	*timed_out = timeo != MAX_SCHEDULE_TIMEOUT && (long)(sim_jiffies - start) >= timeo;
	if (!child)
		return err;
	sim_sk_rename(child, names[s]);
	w.sk[s] = child;
	w.open[s] = true;
	return 0;
}

int be_map_add(int slot, int sock)
{
	return sim_map_update(w.map, slot, w.sk[sock], BPF_ANY);
}

int be_map_delete(int slot)
{
	return sim_map_delete(w.map, slot);
}

static void verdict(struct sim_verdict *v, enum conf_verdict cv, int slot,
		    unsigned int apply, unsigned int cork)
{
	/* V_REDIR_THEN_PASS: from the second run on, a pass without a
	 * helper call */
	static const struct sim_verdict pass = { .action = SIM_PASS };

	*v = (struct sim_verdict){
		.action = cv == V_PASS ? SIM_PASS : cv == V_DROP ? SIM_DROP : SIM_REDIRECT,
		.map = w.map, .key = slot,
		.flags = cv == V_REDIR_INGRESS || cv == V_REDIR_THEN_PASS ? BPF_F_INGRESS : 0,
		.apply_bytes = apply, .cork_bytes = cork,
		.then = cv == V_REDIR_THEN_PASS ? &pass : NULL,
		.then_after = cv == V_REDIR_THEN_PASS ? 1 : 0,
	};
}

int be_msg_prog(enum conf_verdict v, int slot, unsigned int apply, unsigned int cork)
{
	verdict(&w.msg_v, v, slot, apply, cork);
	return sim_prog_attach(sim_prog_msg_verdict(&w.msg_v), w.map, BPF_SK_MSG_VERDICT);
}

int be_skb_prog(enum conf_verdict v, int slot)
{
	verdict(&w.skb_v, v, slot, 0, 0);
	return sim_prog_attach(sim_prog_skb_verdict(&w.skb_v), w.map, BPF_SK_SKB_VERDICT);
}

/* OP_STRP_PROG: the sim's stream parser program (<sim/sockmap.h>: it
 * sees the message's head skb as a BPF program does) and the canned
 * verdict, attached as BPF_SK_SKB_STREAM_VERDICT. */
int be_strp_prog(enum conf_verdict v, int slot, int msg_len)
{
	int ret;

	w.parser = (struct sim_parser){
		.msg_len = msg_len > 0 ? msg_len : 0,
		.err = msg_len < 0 ? msg_len : 0,
	};
	ret = sim_prog_attach(sim_prog_stream_parser(&w.parser), w.map, BPF_SK_SKB_STREAM_PARSER);
	if (ret)
		return ret;
	verdict(&w.skb_v, v, slot, 0, 0);
	return sim_prog_attach(sim_prog_skb_verdict(&w.skb_v), w.map, BPF_SK_SKB_STREAM_VERDICT);
}

/* OP_SOCKOPS_ADD: a sockops program, bpf_sock_map_update() of each
 * passive child at PASSIVE_ESTABLISHED into the slot. */
static u32 sockops_slot;

static unsigned int sockops_map_add(const struct bpf_prog *prog, void *ctx)
{
	struct bpf_sock_ops_kern *sops = ctx;
	u32 key = sockops_slot;

	(void)prog;
	if (sops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		bpf_sock_map_update(sops, w.map, &key, BPF_ANY);
	return 1;
}

int be_sockops_add(int slot)
{
	sockops_slot = slot;
	sim_sockops_attach(sim_prog_load(BPF_PROG_TYPE_SOCK_OPS, sockops_map_add, NULL,
					 "sockops_map_add"));
	return 0;
}

int be_bypass(void)
{
	w.bypass = true;
	return sim_bypass_setup(&w.bp, CONF_MAX_SOCKS);
}

long be_send(int sock, const void *buf, size_t len, int flags)
{
	return sim_send(w.sk[sock], buf, len, flags);
}

long be_recv(int sock, void *buf, size_t len, int flags)
{
	return sim_recv(w.sk[sock], buf, len, flags);
}

/* The uaccess fault model cuts the user copies short after @good bytes. */
long be_recv_fault(int sock, void *buf, size_t len, size_t good, int flags)
{
	long n;

	sim_uaccess_fault_after(good);
	n = sim_recv(w.sk[sock], buf, len, flags);
	sim_uaccess_fault_after(-1);
	return n;
}

/* Below @level the kernel files put a page a second time at teardown:
 * the ledger's report of it is expected, once. */
void be_breaks_below(const char *level)
{
	static const char *const names[] = {
		[SIM_LEVEL_PRISTINE] = "pristine", [SIM_LEVEL_FIXES] = "fixes",
		[SIM_LEVEL_COPY] = "copy", [SIM_LEVEL_FULL] = "full",
	};
	int l;

	for (l = 0; l < (int)(sizeof(names) / sizeof(names[0])); l++)
		if (!strcmp(names[l], level))
			break;
	if (l == (int)(sizeof(names) / sizeof(names[0]))) {
		fprintf(stderr, "sockmap-sim: conformance: %s: breaks_below \"%s\" is no series level\n",
			conf_current, level);
		exit(1);
	}
	if (SIM_SERIES_LEVEL < l)
		sim_expect_violations(1);
}

long be_splice(int sock, size_t len, int flags)
{
	return sim_splice_read(w.sk[sock], w.pipe, len, flags);
}

long be_splice_out(int sock, size_t len, int flags)
{
	return sim_splice_to_socket(w.pipe, w.sk[sock], len, flags);
}

long be_pipe_read(void *buf, size_t len)
{
	return sim_pipe_read(w.pipe, buf, len);
}

int be_nonblock(int sock)
{
	sim_set_nonblock(w.sk[sock], true);
	return 0;
}

int be_rcvtimeo(int sock, int ms)
{
	sim_set_rcvtimeo(w.sk[sock], (long)ms * HZ / 1000);
	return 0;
}

int be_sndbuf(int sock, int val)
{
	sim_set_sndbuf(w.sk[sock], val);
	return 0;
}

int be_rcvbuf(int sock, int val)
{
	sim_set_rcvbuf(w.sk[sock], val);
	return 0;
}

/* The sim's WARN count; what a scenario observed is expected at teardown
 * (a WARN no WARNS op reported still fails it). */
int be_warns(void)
{
	long n = sim_warnings();

	sim_expect_warnings(n);
	return n;
}

int be_fionread(int sock, int *val)
{
	return sim_fionread(w.sk[sock], val);
}

int be_so_error(int sock, int *err)
{
	*err = sim_so_error(w.sk[sock]);
	return 0;
}

int be_poll(int sock)
{
	int mask = sim_poll(w.sk[sock]);

	return (mask & EPOLLIN ? CONF_POLL_IN : 0) | (mask & EPOLLRDHUP ? CONF_POLL_RDHUP : 0) |
	       (mask & EPOLLERR ? CONF_POLL_ERR : 0);
}

/* The recv and the shutdown are two tasks of the sim's scheduler; the
 * default schedule runs the recv (the first task) until it sleeps, then
 * the shutdown, as the syscall backend's 200 ms delay does. */
static struct {
	struct sock *sk;
	void *buf;
	size_t len;
	long ret;
} rs;

static void rs_recv(void *arg)
{
	(void)arg;
	rs.ret = sim_recv(rs.sk, rs.buf, rs.len, 0);
}

static void rs_shutdown(void *arg)
{
	(void)arg;
	sim_shutdown(rs.sk, 0 /* SHUT_RD */);
}

long be_recv_shutrd(int sock, void *buf, size_t len)
{
	enum sim_sched_verdict v;

	rs = (typeof(rs)){ .sk = w.sk[sock], .buf = buf, .len = len };
	sim_task_start("recv", rs_recv, NULL);
	sim_task_start("shutdown SHUT_RD", rs_shutdown, NULL);
	v = sim_sched_run(NULL);
	if (v != SIM_SCHED_OK) {
		fprintf(stderr, "sockmap-sim: conformance: %s: RECV_SHUTRD: %s\n",
			conf_current, sim_sched_report());
		return -EIO;
	}
	return rs.ret;
}

int be_shutdown(int sock, int how)
{
	return sim_shutdown(w.sk[sock], how);
}

int be_close(int sock)
{
	sim_close(w.sk[sock]);
	w.open[sock] = false;
	return 0;
}

/* The syscall backend sleeps 100 ms: 100 ms of jiffies pass here, one at
 * a time, and the work due at each runs (a backlog that met -EAGAIN runs
 * again one jiffy later; TCP's probe timer). */
void be_settle(void)
{
	sim_run_work();
	for (int i = 0; i < HZ / 10; i++) {
		sim_advance_jiffies(1);
		sim_run_work();
	}
}
