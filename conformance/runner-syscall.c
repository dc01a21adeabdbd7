// SPDX-License-Identifier: GPL-2.0
/*
 * conformance/runner-syscall.c: the kernel backend. Real loopback TCP
 * sockets, a real SOCKMAP, and BPF programs loaded with the raw bpf(2)
 * system call as instruction arrays built here (no clang, no libbpf). A
 * static binary: it is /runner in the qemu VMs (vm/) and runs on the host.
 *
 * Everything is bounded in time: every socket gets SO_SNDTIMEO and
 * SO_RCVTIMEO of 2 s (an op with its own RCVTIMEO uses that), and an
 * alarm of 20 s per scenario ends the run with a "TIMEOUT" line.
 *
 * The bypass (OP_BYPASS): a sockops program attached to a cgroup v2 that
 * this process moves into puts every established socket into a SOCKHASH
 * under {local ip, remote ip, local port, remote port} (ports in host
 * order); an sk_msg program on the hash redirects each message to the
 * ingress of the socket under the reversed key: the peer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <sys/wait.h>
#include "runner.h"

const char *be_name = "syscall";

static struct {
	int fd[CONF_MAX_SOCKS];
	int map, pipe[2];
	int msg_prog, skb_prog, parser_prog;
	int hash, ops_prog, peer_prog, cgroup;
	int runs;	/* V_REDIR_THEN_PASS's run counter (an array map) */
	char cgdir[320], cgparent[320];
} w;

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

#define INSN(c, d, s, o, i)	((struct bpf_insn){ .code = (c), .dst_reg = (d), \
				  .src_reg = (s), .off = (o), .imm = (i) })
#define MOV_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i)		INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define RSH32_IMM(d, i)		INSN(BPF_ALU | BPF_RSH | BPF_K, d, 0, 0, i)
#define BSWAP16(d)		INSN(BPF_ALU | BPF_END | BPF_TO_BE, d, 0, 0, 16)
#define LDX_W(d, s, o)		INSN(BPF_LDX | BPF_W | BPF_MEM, d, s, o, 0)
#define STX_W(d, s, o)		INSN(BPF_STX | BPF_W | BPF_MEM, d, s, o, 0)
#define JEQ_IMM(d, i, o)	INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d, fd)		INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), \
				INSN(0, 0, 0, 0, 0)

static char vlog[65536];

static int prog_load(enum bpf_prog_type type, const struct bpf_insn *insns, int n,
		     enum bpf_attach_type expected)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (unsigned long)insns;
	a.insn_cnt = n;
	a.license = (unsigned long)"GPL";
	a.expected_attach_type = expected;
	a.log_buf = (unsigned long)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		fd = -errno;
		printf("# %s: BPF_PROG_LOAD type %d: %s\n%s", conf_current, type, strerror(-fd), vlog);
	}
	return fd;
}

static int map_create(enum bpf_map_type type, int key_size, int entries)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key_size;
	a.value_size = 4;
	a.max_entries = entries;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : fd;
}

static int prog_attach(int prog, int target, enum bpf_attach_type type)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = target;
	a.attach_bpf_fd = prog;
	a.attach_type = type;
	return sys_bpf(BPF_PROG_ATTACH, &a) ? -errno : 0;
}

/* Kernel warnings: every WARN*() counts in /sys/kernel/warn_count
 * (check_panic_on_warn(), since 6.2): the count is read at be_begin()
 * and again at each WARNS. */
static long warn_count_at_begin;

static long warn_count(void)
{
	FILE *f = fopen("/sys/kernel/warn_count", "r");
	long n = -ENOENT;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -EINVAL;
		fclose(f);
	}
	return n;
}

static void on_alarm(int sig)
{
	(void)sig;
	printf("%s TIMEOUT: the scenario did not finish in 20 s\n", conf_current);
	fflush(stdout);
	_exit(3);
}

const char *be_init(void)
{
	int fd = map_create(BPF_MAP_TYPE_SOCKMAP, 4, CONF_MAP_SLOTS);

	if (fd < 0) {
		static char why[128];

		snprintf(why, sizeof(why), "bpf(BPF_MAP_CREATE, SOCKMAP): %s", strerror(-fd));
		return why;
	}
	close(fd);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	return NULL;
}

void be_begin(void)
{
	for (int i = 0; i < CONF_MAX_SOCKS; i++)
		w.fd[i] = -1;
	w.msg_prog = w.skb_prog = w.parser_prog = w.hash = w.ops_prog = w.peer_prog = w.cgroup = -1;
	w.runs = -1;
	w.cgdir[0] = 0;
	warn_count_at_begin = warn_count();
	w.map = map_create(BPF_MAP_TYPE_SOCKMAP, 4, CONF_MAP_SLOTS);
	if (pipe2(w.pipe, O_NONBLOCK))
		w.pipe[0] = w.pipe[1] = -1;
	alarm(20);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			printf("# write %s: %s\n", path, strerror(errno));
		close(fd);
	}
}

const char *be_end(void)
{
	char pid[32];

	for (int i = 0; i < CONF_MAX_SOCKS; i++)
		if (w.fd[i] >= 0)
			close(w.fd[i]);
	close(w.pipe[0]);
	close(w.pipe[1]);
	close(w.map);
	if (w.msg_prog >= 0)
		close(w.msg_prog);
	if (w.skb_prog >= 0)
		close(w.skb_prog);
	if (w.parser_prog >= 0)
		close(w.parser_prog);
	if (w.cgroup >= 0) {
		union bpf_attr a;

		memset(&a, 0, sizeof(a));
		a.target_fd = w.cgroup;
		a.attach_bpf_fd = w.ops_prog;
		a.attach_type = BPF_CGROUP_SOCK_OPS;
		sys_bpf(BPF_PROG_DETACH, &a);
		close(w.cgroup);
		snprintf(pid, sizeof(pid), "%d", getpid());
		write_file(w.cgparent, pid);
		rmdir(w.cgdir);
	}
	if (w.ops_prog >= 0)
		close(w.ops_prog);
	if (w.peer_prog >= 0)
		close(w.peer_prog);
	if (w.hash >= 0)
		close(w.hash);
	if (w.runs >= 0)
		close(w.runs);
	alarm(0);
	return NULL;
}

static void bound(int fd)
{
	struct timeval tv = { .tv_sec = 2 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int be_pair(int a, int b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0), ret = 0;

	if (l < 0 || bind(l, (void *)&sa, sizeof(sa)) || listen(l, 1) ||
	    getsockname(l, (void *)&sa, &len))
		ret = -errno;
	if (!ret) {
		w.fd[a] = socket(AF_INET, SOCK_STREAM, 0);
		if (w.fd[a] < 0 || connect(w.fd[a], (void *)&sa, sizeof(sa)))
			ret = -errno;
	}
	if (!ret) {
		w.fd[b] = accept(l, NULL, NULL);
		if (w.fd[b] < 0)
			ret = -errno;
	}
	if (l >= 0)
		close(l);
	if (!ret) {
		bound(w.fd[a]);
		bound(w.fd[b]);
	}
	return ret;
}

int be_listen(int l)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	w.fd[l] = socket(AF_INET, SOCK_STREAM, 0);
	if (w.fd[l] < 0)
		return -errno;
	bound(w.fd[l]);		/* accept() waits at most SO_RCVTIMEO */
	if (bind(w.fd[l], (void *)&sa, sizeof(sa)) || listen(w.fd[l], 8))
		return -errno;
	return 0;
}

/* Children in @l's accept queue: a listener's tcpi_unacked is its
 * sk_ack_backlog (tcp_get_info()). */
static int accept_queue_len(int l)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(w.fd[l], IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -errno;
	return ti.tcpi_unacked;
}

/* connect() returns once the client is established; the listener's side
 * of the handshake (the child, sockops PASSIVE_ESTABLISHED) runs in the
 * softirq of the client's ACK: wait (at most 1 s) until the child is in
 * the accept queue, as the sim's connect leaves it. */
int be_connect(int c, int l)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int before = accept_queue_len(l);

	if (before < 0)
		return before;
	if (getsockname(w.fd[l], (void *)&sa, &len))
		return -errno;
	w.fd[c] = socket(AF_INET, SOCK_STREAM, 0);
	if (w.fd[c] < 0)
		return -errno;
	bound(w.fd[c]);
	if (connect(w.fd[c], (void *)&sa, sizeof(sa)))
		return -errno;
	for (int i = 0; i < 1000 && accept_queue_len(l) == before; i++)
		usleep(1000);
	if (accept_queue_len(l) == before) {
		printf("# %s: CONNECT: the child never reached the accept queue\n", conf_current);
		return -ETIMEDOUT;
	}
	return 0;
}

int be_accept(int s, int l)
{
	w.fd[s] = accept(w.fd[l], NULL, NULL);
	if (w.fd[s] < 0)
		return -errno;
	bound(w.fd[s]);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* OP_ACCEPT_WAIT: @c is created here; a child process connects it (the
 * same socket, inherited) 200 ms after the fork, by when accept() sleeps.
 * The accept returned at its timeout if it took at least 90% of @l's
 * SO_RCVTIMEO (a scenario sets 2 s: woken, it takes about 200 ms). */
int be_accept_wait(int s, int l, int c, bool *timed_out)
{
	struct sockaddr_in sa;
	struct timeval tv;
	socklen_t len = sizeof(sa), tlen = sizeof(tv);
	double t0, ms;
	pid_t pid;
	int err;

	if (getsockname(w.fd[l], (void *)&sa, &len) ||
	    getsockopt(w.fd[l], SOL_SOCKET, SO_RCVTIMEO, &tv, &tlen))
		return -errno;
	w.fd[c] = socket(AF_INET, SOCK_STREAM, 0);
	if (w.fd[c] < 0)
		return -errno;
	bound(w.fd[c]);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		usleep(200 * 1000);
		_exit(connect(w.fd[c], (void *)&sa, sizeof(sa)) ? 1 : 0);
	}
	t0 = now_ms();
	w.fd[s] = accept(w.fd[l], NULL, NULL);
	err = errno;
	ms = now_ms() - t0;
	if (waitpid(pid, NULL, 0) < 0)
		return -errno;
	*timed_out = ms >= 0.9 * (tv.tv_sec * 1e3 + tv.tv_usec / 1e3);
	if (w.fd[s] < 0)
		return -err;
	bound(w.fd[s]);
	return 0;
}

int be_map_delete(int slot)
{
	union bpf_attr a;
	__u32 key = slot;

	memset(&a, 0, sizeof(a));
	a.map_fd = w.map;
	a.key = (unsigned long)&key;
	return sys_bpf(BPF_MAP_DELETE_ELEM, &a) ? -errno : 0;
}

int be_map_add(int slot, int sock)
{
	union bpf_attr a;
	__u32 key = slot, val = w.fd[sock];

	memset(&a, 0, sizeof(a));
	a.map_fd = w.map;
	a.key = (unsigned long)&key;
	a.value = (unsigned long)&val;
	a.flags = BPF_ANY;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a) ? -errno : 0;
}

/* r6 = ctx; apply/cork helpers; then the verdict. */
static int verdict_prog(enum bpf_prog_type type, enum conf_verdict v, int slot,
			unsigned int apply, unsigned int cork)
{
	struct bpf_insn p[48];
	int n = 0;

	p[n++] = MOV_REG(BPF_REG_6, BPF_REG_1);
	if (v == V_REDIR_THEN_PASS) {
		/* runs = lookup(w.runs, 0); if (runs && (*runs)++) pass */
		struct bpf_insn ld[2] = { LD_MAP(BPF_REG_1, w.runs) };

		p[n++] = ld[0];
		p[n++] = ld[1];
		p[n++] = MOV_IMM(BPF_REG_3, 0);
		p[n++] = STX_W(BPF_REG_10, BPF_REG_3, -4);
		p[n++] = MOV_REG(BPF_REG_2, BPF_REG_10);
		p[n++] = ADD_IMM(BPF_REG_2, -4);
		p[n++] = CALL(BPF_FUNC_map_lookup_elem);
		p[n++] = JEQ_IMM(BPF_REG_0, 0, 5);
		p[n++] = LDX_W(BPF_REG_1, BPF_REG_0, 0);
		p[n++] = MOV_REG(BPF_REG_2, BPF_REG_1);
		p[n++] = ADD_IMM(BPF_REG_2, 1);
		p[n++] = STX_W(BPF_REG_0, BPF_REG_2, 0);
		p[n++] = JEQ_IMM(BPF_REG_1, 0, 2);
		p[n++] = MOV_IMM(BPF_REG_0, SK_PASS);
		p[n++] = EXIT();
	}
	if (apply) {
		p[n++] = MOV_REG(BPF_REG_1, BPF_REG_6);
		p[n++] = MOV_IMM(BPF_REG_2, apply);
		p[n++] = CALL(BPF_FUNC_msg_apply_bytes);
	}
	if (cork) {
		p[n++] = MOV_REG(BPF_REG_1, BPF_REG_6);
		p[n++] = MOV_IMM(BPF_REG_2, cork);
		p[n++] = CALL(BPF_FUNC_msg_cork_bytes);
	}
	if (v == V_PASS || v == V_DROP) {
		p[n++] = MOV_IMM(BPF_REG_0, v == V_PASS ? SK_PASS : SK_DROP);
	} else {
		struct bpf_insn ld[2] = { LD_MAP(BPF_REG_2, w.map) };

		p[n++] = MOV_REG(BPF_REG_1, BPF_REG_6);
		p[n++] = ld[0];
		p[n++] = ld[1];
		p[n++] = MOV_IMM(BPF_REG_3, slot);
		p[n++] = MOV_IMM(BPF_REG_4, v == V_REDIR_EGRESS ? 0 : BPF_F_INGRESS);
		p[n++] = CALL(type == BPF_PROG_TYPE_SK_MSG ? BPF_FUNC_msg_redirect_map :
					BPF_FUNC_sk_redirect_map);
	}
	p[n++] = EXIT();
	return prog_load(type, p, n, 0);
}

int be_msg_prog(enum conf_verdict v, int slot, unsigned int apply, unsigned int cork)
{
	if (v == V_REDIR_THEN_PASS) {
		w.runs = map_create(BPF_MAP_TYPE_ARRAY, 4, 1);
		if (w.runs < 0)
			return w.runs;
	}
	w.msg_prog = verdict_prog(BPF_PROG_TYPE_SK_MSG, v, slot, apply, cork);
	if (w.msg_prog < 0)
		return w.msg_prog;
	return prog_attach(w.msg_prog, w.map, BPF_SK_MSG_VERDICT);
}

int be_skb_prog(enum conf_verdict v, int slot)
{
	w.skb_prog = verdict_prog(BPF_PROG_TYPE_SK_SKB, v, slot, 0, 0);
	if (w.skb_prog < 0)
		return w.skb_prog;
	return prog_attach(w.skb_prog, w.map, BPF_SK_SKB_VERDICT);
}

/* OP_STRP_PROG: the stream parser returns the constant @msg_len, or
 * skb->len when it is 0 (test_sockmap's parser: every chunk the strparser
 * reads is a message), or the error @msg_len when it is negative (an int:
 * sk_psock_strp_parse() hands it to the strparser as is); the verdict is
 * the one OP_SKB_PROG attaches, here as BPF_SK_SKB_STREAM_VERDICT. */
int be_strp_prog(enum conf_verdict v, int slot, int msg_len)
{
	struct bpf_insn p[2] = {
		msg_len ? MOV_IMM(BPF_REG_0, msg_len) :
			  LDX_W(BPF_REG_0, BPF_REG_1, offsetof(struct __sk_buff, len)),
		EXIT(),
	};
	int ret;

	w.parser_prog = prog_load(BPF_PROG_TYPE_SK_SKB, p, 2, 0);
	if (w.parser_prog < 0)
		return w.parser_prog;
	ret = prog_attach(w.parser_prog, w.map, BPF_SK_SKB_STREAM_PARSER);
	if (ret)
		return ret;
	w.skb_prog = verdict_prog(BPF_PROG_TYPE_SK_SKB, v, slot, 0, 0);
	if (w.skb_prog < 0)
		return w.skb_prog;
	return prog_attach(w.skb_prog, w.map, BPF_SK_SKB_STREAM_VERDICT);
}

/* The cgroup v2 mount point, from /proc/self/mounts. */
static int cgroup2_root(char *buf, size_t size)
{
	char dev[256], dir[256], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, size, "%s", dir);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* A cgroup v2 of our own for the sockops programs, with this process in
 * it (be_end() moves it back and removes the cgroup). */
static int cgroup_join(void)
{
	char root[256], pid[32], procs[360];
	int ret;

	if (w.cgroup >= 0)
		return 0;
	ret = cgroup2_root(root, sizeof(root));
	if (ret) {
		printf("# %s: no cgroup2 mount\n", conf_current);
		return ret;
	}
	snprintf(w.cgparent, sizeof(w.cgparent), "%s/cgroup.procs", root);
	snprintf(w.cgdir, sizeof(w.cgdir), "%s/sockmap-sim-conformance-%d", root, getpid());
	if (mkdir(w.cgdir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", w.cgdir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	write_file(procs, pid);
	w.cgroup = open(w.cgdir, O_RDONLY | O_DIRECTORY);
	return w.cgroup < 0 ? -errno : 0;
}

/* OP_SOCKOPS_ADD: on PASSIVE_ESTABLISHED_CB, bpf_sock_map_update(the
 * SOCKMAP, slot, BPF_ANY); one sockops program per scenario (this or
 * BYPASS's). */
int be_sockops_add(int slot)
{
	int ret = cgroup_join();

	if (ret)
		return ret;
	struct bpf_insn ops[] = {
		MOV_REG(BPF_REG_6, BPF_REG_1),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct bpf_sock_ops, op)),
		JEQ_IMM(BPF_REG_2, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 2),
		MOV_IMM(BPF_REG_0, 1),
		EXIT(),
		MOV_IMM(BPF_REG_2, slot),
		STX_W(BPF_REG_10, BPF_REG_2, -4),
		MOV_REG(BPF_REG_1, BPF_REG_6),
		LD_MAP(BPF_REG_2, w.map),
		MOV_REG(BPF_REG_3, BPF_REG_10),
		ADD_IMM(BPF_REG_3, -4),
		MOV_IMM(BPF_REG_4, BPF_ANY),
		CALL(BPF_FUNC_sock_map_update),
		MOV_IMM(BPF_REG_0, 1),
		EXIT(),
	};

	w.ops_prog = prog_load(BPF_PROG_TYPE_SOCK_OPS, ops, sizeof(ops) / sizeof(ops[0]), 0);
	if (w.ops_prog < 0)
		return w.ops_prog;
	return prog_attach(w.ops_prog, w.cgroup, BPF_CGROUP_SOCK_OPS);
}

int be_bypass(void)
{
	int ret = cgroup_join();

	if (ret)
		return ret;
	w.hash = map_create(BPF_MAP_TYPE_SOCKHASH, 16, 64);
	if (w.hash < 0)
		return w.hash;

	/* sockops: on ACTIVE/PASSIVE_ESTABLISHED_CB, insert under
	 * {local_ip4, remote_ip4, local_port, ntohs(remote_port)} */
	struct bpf_insn ops[] = {
		MOV_REG(BPF_REG_6, BPF_REG_1),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct bpf_sock_ops, op)),
		JEQ_IMM(BPF_REG_2, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 3),
		JEQ_IMM(BPF_REG_2, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 2),
		MOV_IMM(BPF_REG_0, 1),
		EXIT(),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct bpf_sock_ops, local_ip4)),
		STX_W(BPF_REG_10, BPF_REG_2, -16),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct bpf_sock_ops, remote_ip4)),
		STX_W(BPF_REG_10, BPF_REG_2, -12),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct bpf_sock_ops, local_port)),
		STX_W(BPF_REG_10, BPF_REG_2, -8),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct bpf_sock_ops, remote_port)),
		RSH32_IMM(BPF_REG_2, 16),
		BSWAP16(BPF_REG_2),
		STX_W(BPF_REG_10, BPF_REG_2, -4),
		MOV_REG(BPF_REG_1, BPF_REG_6),
		LD_MAP(BPF_REG_2, w.hash),
		MOV_REG(BPF_REG_3, BPF_REG_10),
		ADD_IMM(BPF_REG_3, -16),
		MOV_IMM(BPF_REG_4, BPF_NOEXIST),
		CALL(BPF_FUNC_sock_hash_update),
		MOV_IMM(BPF_REG_0, 1),
		EXIT(),
	};
	/* sk_msg: redirect to the ingress of the socket under the reversed
	 * key {remote_ip4, local_ip4, ntohs(remote_port), local_port} */
	struct bpf_insn peer[] = {
		MOV_REG(BPF_REG_6, BPF_REG_1),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct sk_msg_md, remote_ip4)),
		STX_W(BPF_REG_10, BPF_REG_2, -16),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct sk_msg_md, local_ip4)),
		STX_W(BPF_REG_10, BPF_REG_2, -12),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct sk_msg_md, remote_port)),
		RSH32_IMM(BPF_REG_2, 16),
		BSWAP16(BPF_REG_2),
		STX_W(BPF_REG_10, BPF_REG_2, -8),
		LDX_W(BPF_REG_2, BPF_REG_6, offsetof(struct sk_msg_md, local_port)),
		STX_W(BPF_REG_10, BPF_REG_2, -4),
		MOV_REG(BPF_REG_1, BPF_REG_6),
		LD_MAP(BPF_REG_2, w.hash),
		MOV_REG(BPF_REG_3, BPF_REG_10),
		ADD_IMM(BPF_REG_3, -16),
		MOV_IMM(BPF_REG_4, BPF_F_INGRESS),
		CALL(BPF_FUNC_msg_redirect_hash),
		EXIT(),
	};

	w.ops_prog = prog_load(BPF_PROG_TYPE_SOCK_OPS, ops, sizeof(ops) / sizeof(ops[0]), 0);
	if (w.ops_prog < 0)
		return w.ops_prog;
	w.peer_prog = prog_load(BPF_PROG_TYPE_SK_MSG, peer, sizeof(peer) / sizeof(peer[0]), 0);
	if (w.peer_prog < 0)
		return w.peer_prog;
	ret = prog_attach(w.peer_prog, w.hash, BPF_SK_MSG_VERDICT);
	if (ret)
		return ret;
	return prog_attach(w.ops_prog, w.cgroup, BPF_CGROUP_SOCK_OPS);
}

#define RET(x)	((x) < 0 ? -errno : (x))

long be_send(int sock, const void *buf, size_t len, int flags)
{
	long n = send(w.fd[sock], buf, len, flags | MSG_NOSIGNAL);

	return RET(n);
}

long be_recv(int sock, void *buf, size_t len, int flags)
{
	long n = recv(w.fd[sock], buf, len, flags);

	return RET(n);
}

/* recvmsg() with two iovecs: @good bytes of @buf, then @len - @good
 * bytes of an unmapped page (PROT_NONE): the copy faults there, as the
 * sim's uaccess fault model cuts it. */
long be_recv_fault(int sock, void *buf, size_t len, size_t good, int flags)
{
	size_t bad_len = len > good ? len - good : 1;
	struct iovec iov[2];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	void *bad = mmap(NULL, bad_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long n;

	if (bad == MAP_FAILED)
		return -errno;
	iov[0] = (struct iovec){ .iov_base = buf, .iov_len = good };
	iov[1] = (struct iovec){ .iov_base = bad, .iov_len = len - good };
	n = recvmsg(w.fd[sock], &msg, flags);
	n = RET(n);
	munmap(bad, bad_len);
	return n;
}

/* The kernel has no ledger: what it breaks shows in the boot (the
 * scenario runs in one of its own). */
void be_breaks_below(const char *level)
{
	(void)level;
}

long be_splice(int sock, size_t len, int flags)
{
	long n = splice(w.fd[sock], NULL, w.pipe[1], NULL, len, flags);

	return RET(n);
}

long be_splice_out(int sock, size_t len, int flags)
{
	long n = splice(w.pipe[0], NULL, w.fd[sock], NULL, len, flags);

	return RET(n);
}

long be_pipe_read(void *buf, size_t len)
{
	long n = read(w.pipe[0], buf, len);

	return RET(n);
}

int be_nonblock(int sock)
{
	int fl = fcntl(w.fd[sock], F_GETFL);

	return fcntl(w.fd[sock], F_SETFL, fl | O_NONBLOCK) ? -errno : 0;
}

int be_rcvtimeo(int sock, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return setsockopt(w.fd[sock], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ? -errno : 0;
}

int be_sndbuf(int sock, int val)
{
	return setsockopt(w.fd[sock], SOL_SOCKET, SO_SNDBUF, &val, sizeof(val)) ? -errno : 0;
}

int be_rcvbuf(int sock, int val)
{
	return setsockopt(w.fd[sock], SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) ? -errno : 0;
}

int be_warns(void)
{
	long n = warn_count();

	return n < 0 ? n : n - warn_count_at_begin;
}

int be_fionread(int sock, int *val)
{
	return ioctl(w.fd[sock], FIONREAD, val) ? -errno : 0;
}

int be_so_error(int sock, int *err)
{
	socklen_t len = sizeof(*err);

	return getsockopt(w.fd[sock], SOL_SOCKET, SO_ERROR, err, &len) ? -errno : 0;
}

int be_poll(int sock)
{
	struct pollfd p = { .fd = w.fd[sock], .events = POLLIN | POLLRDHUP };

	if (poll(&p, 1, 0) < 0)
		return -errno;
	return (p.revents & POLLIN ? CONF_POLL_IN : 0) | (p.revents & POLLRDHUP ? CONF_POLL_RDHUP : 0) |
	       (p.revents & POLLERR ? CONF_POLL_ERR : 0);
}

/* The shutdown comes from a child process on the inherited descriptor
 * (the same socket) 200 ms after the fork, by when the recv sleeps; the
 * socket's SO_RCVTIMEO (2 s) bounds the recv if nothing wakes it. */
long be_recv_shutrd(int sock, void *buf, size_t len)
{
	pid_t pid = fork();
	long n;
	int err;

	if (pid < 0)
		return -errno;
	if (!pid) {
		usleep(200 * 1000);
		_exit(shutdown(w.fd[sock], SHUT_RD) ? 1 : 0);
	}
	n = recv(w.fd[sock], buf, len, 0);
	err = errno;
	if (waitpid(pid, NULL, 0) < 0)
		return -errno;
	return n < 0 ? -err : n;
}

int be_shutdown(int sock, int how)
{
	return shutdown(w.fd[sock], how) ? -errno : 0;
}

int be_close(int sock)
{
	int ret = close(w.fd[sock]) ? -errno : 0;

	w.fd[sock] = -1;
	return ret;
}

/* The RX paths' backlog runs in a kernel worker. */
void be_settle(void)
{
	usleep(100 * 1000);
}
