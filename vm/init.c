// SPDX-License-Identifier: GPL-2.0
/*
 * vm/init.c: /init of the vm initramfs (a static program, PID 1).
 *
 *   1. mounts proc on /proc, sysfs on /sys, cgroup2 on /sys/fs/cgroup;
 *   2. brings the loopback interface up (SIOCSIFFLAGS: the kernel has no
 *      other network and nothing else configures it);
 *   3. raises RLIMIT_MEMLOCK to infinity (BPF maps of older accounting);
 *   4. lowers the console log level to warnings, so that the runner's lines
 *      are not interleaved with informational printk()s (warnings, oopses
 *      and splats still reach the console: vm/boot.sh looks for them);
 *   5. prints BEGIN_MARKER, fork+execs /runner with the arguments the
 *      kernel passes to init (those after "--" on its command line), waits
 *      for it at most sockmap_sim_timeout seconds (a kernel parameter the
 *      kernel hands to init as an environment variable; default 60),
 *      killing it on timeout;
 *   6. prints "SOCKMAP-SIM-EXIT N": N is the runner's exit status, 128+sig
 *      if a signal killed it, 124 on timeout (as timeout(1));
 *   7. kills what is left, syncs and reboots (qemu runs with -no-reboot,
 *      so it exits).
 *
 * Every line init prints itself starts with "sockmap-sim-init: " or is a
 * marker; vm/boot.sh keeps the lines between the markers.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BEGIN_MARKER	"SOCKMAP-SIM-BEGIN"
#define EXIT_MARKER	"SOCKMAP-SIM-EXIT"
#define RUNNER		"/runner"
#define DEFAULT_TIMEOUT	60
/* syslog(2) SYSLOG_ACTION_CONSOLE_LEVEL; 5: KERN_WARNING and worse. */
#define CONSOLE_LEVEL_ACTION	8
#define CONSOLE_LEVEL		5

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "sockmap-sim-init: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static void marker(const char *line)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static void mount_fs(const char *src, const char *dir, const char *type)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		say("mkdir %s: %s", dir, strerror(errno));
	if (mount(src, dir, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		say("mount %s on %s: %s", type, dir, strerror(errno));
}

/* An injected fault (fail-nth) prints one notice line, not a stack dump:
 * vm/boot.sh takes a "Call Trace:" on the console for a kernel warning. */
static void fault_injection_quiet(void)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc", "fail_usercopy" };
	char path[96];

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		int fd;

		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose", attrs[i]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "1\n", 2) != 2)
			say("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

static void loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		say("socket: %s", strerror(errno));
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		say("SIOCGIFFLAGS lo: %s", strerror(errno));
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			say("SIOCSIFFLAGS lo: %s", strerror(errno));
	}
	close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int timeout_s(void)
{
	const char *s = getenv("sockmap_sim_timeout");
	char *end;
	long v;

	if (!s)
		return DEFAULT_TIMEOUT;
	v = strtol(s, &end, 10);
	if (*end || v <= 0 || v > 86400) {
		say("bad sockmap_sim_timeout=%s, using %d", s, DEFAULT_TIMEOUT);
		return DEFAULT_TIMEOUT;
	}
	return v;
}

/* Waits for @pid at most @secs seconds, reaping every other child (we are
 * PID 1: orphans are ours). Returns its exit code in the EXIT_MARKER sense.
 */
static int wait_runner(pid_t pid, int secs)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	double deadline = now() + secs;

	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p == pid) {
			if (WIFEXITED(st))
				return WEXITSTATUS(st);
			say("%s killed by signal %d", RUNNER, WTERMSIG(st));
			return 128 + WTERMSIG(st);
		}
		if (p > 0)
			continue;
		if (p < 0 && errno != EINTR) {
			say("waitpid: %s", strerror(errno));
			return 125;
		}
		if (now() >= deadline) {
			say("%s still running after %d s: killed (timeout)", RUNNER, secs);
			marker("SOCKMAP-SIM-TIMEOUT");
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 124;
		}
		nanosleep(&tick, NULL);
	}
}

int main(int argc, char **argv)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	char line[64];
	int secs = timeout_s(), code;
	double t0;
	pid_t pid;

	mount_fs("proc", "/proc", "proc");
	mount_fs("sysfs", "/sys", "sysfs");
	mount_fs("cgroup2", "/sys/fs/cgroup", "cgroup2");
	/* fault injection knobs (vm/kernel.config: FAULT_INJECTION_DEBUG_FS) */
	mount_fs("debugfs", "/sys/kernel/debug", "debugfs");
	fault_injection_quiet();
	loopback_up();
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited))
		say("setrlimit RLIMIT_MEMLOCK: %s", strerror(errno));
	if (klogctl(CONSOLE_LEVEL_ACTION, NULL, CONSOLE_LEVEL))
		say("console log level: %s", strerror(errno));

	argv[0] = RUNNER;
	marker(BEGIN_MARKER);
	t0 = now();
	pid = fork();
	if (pid == 0) {
		execv(RUNNER, argv);
		say("exec %s: %s", RUNNER, strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		code = 126;
	} else {
		code = wait_runner(pid, secs);
	}
	snprintf(line, sizeof(line), "%s %d", EXIT_MARKER, code);
	marker(line);
	say("%s ran %.2f s (%d argument%s)", RUNNER, now() - t0, argc - 1,
	    argc == 2 ? "" : "s");

	/* Whatever the runner left behind, then down. */
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sync();
	reboot(RB_AUTOBOOT);
	say("reboot: %s", strerror(errno));
	return 1;
}
