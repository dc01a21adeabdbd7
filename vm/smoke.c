// SPDX-License-Identifier: GPL-2.0
/*
 * vm/smoke.c: the vm-smoke runner (a static program, /runner in the vm).
 * Proves that a vm kernel has what the conformance runner needs, with raw
 * bpf(2) (no libbpf in the initramfs):
 *
 *   1. a SOCKMAP (BPF_MAP_CREATE);
 *   2. three programs from raw instructions, each returning its "pass"
 *      verdict: sk_msg (attached to the map, BPF_SK_MSG_VERDICT), sk_skb
 *      (BPF_SK_SKB_VERDICT) and sockops (BPF_CGROUP_SOCK_OPS on the cgroup2
 *      root /init mounted);
 *   3. a loopback TCP pair (127.0.0.1), both sockets added to the map;
 *   4. send() on one side (through tcp_bpf_sendmsg and the sk_msg program),
 *      recv() of the same bytes on the other (the sk_skb verdict passes
 *      them to the psock ingress queue, tcp_bpf_recvmsg reads them);
 *   5. splice() from the receiving socket into a pipe, non-blocking, after
 *      the same verdict: the bug the series fixes.  The expectation is an
 *      argument: "splice=eagain" (pristine 6.12.117: tcp_splice_read only
 *      looks at sk_receive_queue) or "splice=data" (the series);
 *   6. fault injection: after "1" is written to /proc/thread-self/fail-nth,
 *      the next user copy fails (a 1-byte write() to a pipe returns
 *      -EFAULT, fail-nth reads 0: the fault was injected), and the write
 *      after it succeeds.
 *
 * One line per step, "ok" or "FAIL"; exit 0 only if every step is ok.
 * Every wait is bounded (poll with a timeout, SO_RCVTIMEO).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WAIT_MS 3000

static int failures;

static void step(int ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void step(int ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("smoke: %-28s %s", what, ok ? "ok" : "FAIL");
	if (fmt) {
		printf(" (");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")");
	}
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_create(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_SOCKMAP;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 2;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

/* r0 = @ret; exit */
static int prog_load(enum bpf_prog_type type, int ret, enum bpf_attach_type eat)
{
	struct bpf_insn insns[2];
	static char vlog[4096];
	union bpf_attr a;

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].dst_reg = BPF_REG_0;
	insns[0].imm = ret;
	insns[1].code = BPF_JMP | BPF_EXIT;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uintptr_t)"GPL";
	a.expected_attach_type = eat;
	a.log_buf = (uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	return sys_bpf(BPF_PROG_LOAD, &a);
}

static int prog_attach(int prog, int target, enum bpf_attach_type type)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = target;
	a.attach_bpf_fd = prog;
	a.attach_type = type;
	return sys_bpf(BPF_PROG_ATTACH, &a);
}

static int map_add(int map, uint32_t key, int fd)
{
	union bpf_attr a;
	uint32_t value = fd;

	memset(&a, 0, sizeof(a));
	a.map_fd = map;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&value;
	a.flags = BPF_ANY;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

static int tcp_pair(int *c, int *s)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	struct timeval tv = { WAIT_MS / 1000, 0 };
	int l;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&addr, sizeof(addr)) || listen(l, 1) ||
	    getsockname(l, (void *)&addr, &len))
		return -1;
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (void *)&addr, sizeof(addr)))
		return -1;
	*s = accept(l, NULL, NULL);
	close(l);
	if (*s < 0)
		return -1;
	setsockopt(*s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(*c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, WAIT_MS) == 1 && (p.revents & POLLIN);
}

/* Step 6: fail-nth (CONFIG_FAULT_INJECTION_USERCOPY). pipe_write()'s page
 * allocation may sleep, which the fault points skip by default: its first
 * fault point is the user copy. */
static void fail_nth(void)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	char left[16] = "";
	ssize_t n, r, again;
	int p[2], err;

	if (fd < 0 || pipe(p)) {
		step(0, "fail-nth: a user copy fails", "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (write(fd, "1", 1) != 1) {
		step(0, "fail-nth: a user copy fails", "write fail-nth: %s", strerror(errno));
		goto out;
	}
	n = write(p[1], "x", 1);
	err = errno;
	r = pread(fd, left, sizeof(left) - 1, 0);
	left[r > 0 ? r : 0] = '\0';
	left[strcspn(left, "\n")] = '\0';
	again = write(p[1], "x", 1);
	step(n < 0 && err == EFAULT && !strcmp(left, "0") && again == 1,
	     "fail-nth: a user copy fails", "write %zd (%s), fail-nth then %s, next write %zd",
	     n, n < 0 ? strerror(err) : "no error", left, again);
out:
	close(p[0]);
	close(p[1]);
	close(fd);
}

int main(int argc, char **argv)
{
	const char msg1[] = "sockmap-smoke-1", msg2[] = "sockmap-smoke-splice";
	int expect_data = -1, map, msg_prog, skb_prog, ops_prog, cg, c = -1, s = -1;
	int pipefd[2];
	char buf[64];
	ssize_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "splice=data"))
			expect_data = 1;
		else if (!strcmp(argv[i], "splice=eagain"))
			expect_data = 0;
		else
			fprintf(stderr, "smoke: unknown argument %s\n", argv[i]);
	}
	if (expect_data < 0) {
		printf("smoke: usage: smoke splice=data|splice=eagain\n");
		return 2;
	}

	map = map_create();
	step(map >= 0, "BPF_MAP_CREATE sockmap", map < 0 ? "%s" : NULL, strerror(errno));
	msg_prog = prog_load(BPF_PROG_TYPE_SK_MSG, SK_PASS, 0);
	step(msg_prog >= 0, "BPF_PROG_LOAD sk_msg", msg_prog < 0 ? "%s" : NULL, strerror(errno));
	skb_prog = prog_load(BPF_PROG_TYPE_SK_SKB, SK_PASS, 0);
	step(skb_prog >= 0, "BPF_PROG_LOAD sk_skb", skb_prog < 0 ? "%s" : NULL, strerror(errno));
	ops_prog = prog_load(BPF_PROG_TYPE_SOCK_OPS, 1, 0);
	step(ops_prog >= 0, "BPF_PROG_LOAD sockops", ops_prog < 0 ? "%s" : NULL, strerror(errno));
	if (failures)
		return 1;

	step(!prog_attach(msg_prog, map, BPF_SK_MSG_VERDICT), "attach sk_msg verdict", NULL);
	step(!prog_attach(skb_prog, map, BPF_SK_SKB_VERDICT), "attach sk_skb verdict", NULL);
	cg = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
	step(cg >= 0 && !prog_attach(ops_prog, cg, BPF_CGROUP_SOCK_OPS),
	     "attach sockops to cgroup2", NULL);
	if (failures)
		return 1;

	step(!tcp_pair(&c, &s), "loopback TCP pair", NULL);
	if (failures)
		return 1;
	step(!map_add(map, 0, c), "BPF_MAP_UPDATE_ELEM client", NULL);
	step(!map_add(map, 1, s), "BPF_MAP_UPDATE_ELEM server", NULL);
	if (failures)
		return 1;

	n = send(c, msg1, sizeof(msg1), 0);
	step(n == sizeof(msg1), "send through sk_msg", "%zd of %zu bytes", n, sizeof(msg1));
	n = readable(s) ? recv(s, buf, sizeof(buf), 0) : -1;
	step(n == sizeof(msg1) && !memcmp(buf, msg1, n), "recv after sk_skb verdict",
	     "%zd bytes", n);

	/* The bug: data on the psock ingress queue, splice() to a pipe. */
	step(!pipe(pipefd), "pipe", NULL);
	n = send(c, msg2, sizeof(msg2), 0);
	step(n == sizeof(msg2), "send", "%zd of %zu bytes", n, sizeof(msg2));
	step(readable(s), "poll readable", NULL);
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	n = splice(s, NULL, pipefd[1], NULL, sizeof(buf), SPLICE_F_NONBLOCK);
	if (expect_data) {
		ssize_t m = n > 0 ? read(pipefd[0], buf, sizeof(buf)) : -1;

		if (n < 0)
			step(0, "splice moves the bytes", "%s", strerror(errno));
		else
			step(n == sizeof(msg2) && m == n && !memcmp(buf, msg2, n),
			     "splice moves the bytes", "%zd bytes, read %zd", n, m);
	} else {
		int eagain = n < 0 && errno == EAGAIN;

		step(eagain, "splice EAGAIN (6.12.117)", eagain ? NULL : "returned %zd", n);
		/* The bytes are still there for recv(). */
		n = recv(s, buf, sizeof(buf), 0);
		step(n == sizeof(msg2) && !memcmp(buf, msg2, n), "recv the bytes instead",
		     "%zd bytes", n);
	}
	fail_nth();
	close(c);
	close(s);
	printf("smoke: %s\n", failures ? "FAILED" : "all steps ok");
	return failures ? 1 : 0;
}
