// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_race: the kernel's sockmap code under the scheduler. Each test
 * is one scenario: user tasks (recv, splice, send, close, map update,
 * shutdown, FIONREAD) against the kernel's own contexts (the psock backlog
 * and destroy work on the kworker, segment arrival in a softirq task),
 * explored systematically (DFS with a preemption bound K and a schedule
 * cap) and from fixed PCT seeds. Every schedule sets up fresh sockets,
 * runs, and checks:
 *   - the scheduler's verdict (deadlock, hang, livelock, lockdep, BUG);
 *   - the bytes: each read byte is the next of its stream (at most once,
 *     in order; the pattern's period exceeds every transfer);
 *   - the accounting at the end state: the named invariants of
 *     <sim/invariant.h> on A, B and C (msg_tot_len, rmem_alloc,
 *     forward_alloc_nonneg, forward_alloc_idle, copied_seq);
 *   - after closing everything: the ledger (nothing leaked), no WARN
 *     (sk_free()'s inet_sock_destruct checks), tcp memory_allocated 0;
 *   - the lock-set check on the watched fields (<sim/watch.h>).
 * A scenario whose kernel behaviour is a real bug asserts the bug where
 * the kernel files have it, by name (N2: sk_forward_alloc charged by
 * sk_psock_backlog() without the socket lock).
 *
 * The binary is also the explorer behind make explore / explore-pct:
 *   test_tcp_bpf_race --explore <scenario> [--k K] [--max N]
 *   test_tcp_bpf_race --pct <scenario> --runs N [--seed S] [--depth D]
 *   test_tcp_bpf_race --list
 * (SCHEDULE=<string> replays one schedule of a scenario.)
 */
#include "sim_test.h"
#include <time.h>
#include <sim/pipe.h>
#include <sim/series.h>
#include <sim/experiments.h>
#include <sim/watch.h>
#include <sim/workqueue.h>

/*
 * N2 (upstream, present in 6.12.117): sk_psock_backlog() holds only
 * psock->work_mutex while sk_psock_skb_ingress() charges sk_forward_alloc
 * (sk_rmem_schedule, skb_set_owner_r), and tcp_bpf_recvmsg() /
 * tcp_bpf_splice_read() uncharge it under lock_sock(): the read-modify-
 * writes tear. kernel-patches/fixes/0010 takes the socket lock in the
 * backlog's ingress path: fixed from level fixes.
 */
#define N2_FIXED	SIM_LEVEL_AT_LEAST(FIXES)
/* N3: tests/race/n3-fix-experimental.patch (make check-n3-fix). */
#ifndef SIM_N3_FIX
#define SIM_N3_FIX 0
#endif
#define N3_FIXED	(SIM_N3_FIX)
/* N5: kernel-patches/fixes/0011 wakes the wait on RCV_SHUTDOWN. */
#define N5_FIXED	SIM_LEVEL_AT_LEAST(FIXES)

#define SERIES_SPLICE	(SIM_LEVEL_AT_LEAST(COPY))

#define SEG		1000	/* bytes per segment / message */
#define RBUF		8192

#define N2_BUG "N2: sk_psock_backlog() charges sk_forward_alloc without the socket lock"
/* A torn sk_forward_alloc: the end-of-run invariants see it first
 * (forward_alloc_idle: "... sk->sk_forward_alloc is 640", not a whole
 * page), else sk_free()'s WARN at teardown ("sk_free():
 * sk->sk_forward_alloc"). The lock-set report names it otherwise. */
#define N2_NEEDLE "sk->sk_forward_alloc"
#define N3_BUG "N3: sk_psock_destroy() uncharges sk_forward_alloc without the socket lock, racing tcp_close()"
#define N4_BUG "N4: sk_psock_verdict_recv() drops a segment whose psock went away after data_ready"
#define N5_BUG "N5: a blocking read woken by a shutdown returns -EAGAIN (tcp_msg_wait_data)"
/* Not a race: sk_psock_skb_ingress_self() charges the skb to
 * sk_forward_alloc with skb_set_owner_r() and no sk_rmem_schedule() (its
 * comment says the skb is accounted already), but tcp_read_skb()'s
 * skb_set_owner_sk_safe() orphaned it first and sock_rfree()'s
 * sk_mem_uncharge() reclaimed the page: sk_forward_alloc is -truesize
 * while the msg is queued. With bug (a) of kernel-patches/fixes/0009 the
 * FIN's empty msg is never dequeued, so it stays negative. */
/* Bytes a send() reported sent are lost from a cork redirected with
 * apply_bytes: at pristine, bug 3 of kernel-patches/fixes drops the rest
 * of the cork (its own test shows it single-threaded); fixes/0003 keeps
 * the rest and corks it again after the redirect, which runs with the
 * socket unlocked, and as first written overwrote (and leaked) a cork
 * another sender on the socket made meanwhile: found here, now sent ahead
 * of that cork instead. */
#define CORK_BUG "cork bytes lost: pristine bug 3 (rest of the cork dropped)"
/* N8 (candidate, found by the world fuzzer's concurrent groups): a map
 * delete's sk_psock_drop() -> sk_psock_stop() frees the socket's cork
 * (sk_psock_cork_free() -> sk_msg_free(): sk_mem_uncharge()) holding the
 * map's lock and psock->ingress_lock, not the socket's, while the
 * socket's own sendmsg charges sk_forward_alloc and fills that cork under
 * lock_sock(). One preemption: a page of tcp memory_allocated lost. */
#define N8_BUG "N8: a map delete frees the cork without the socket lock, racing tcp_bpf_sendmsg()"
/* (the single-task suites name it ingress_self_unscheduled, tests/sim_test.h) */
#define N6_BUG "N6: sk_psock_skb_ingress_self() charges sk_forward_alloc it never scheduled (negative while queued)"
/* Candidate (the world fuzzer, a group of delete A and close A): the map
 * delete's sk_psock_put() takes the psock's refcount to 0 and is
 * preempted before sk_psock_drop() restores A's proto; close(A) finds
 * the psock still set (sock_map_close(): saved_close is tcp_close) but
 * sk_psock_get() fails, so tcp_close() runs with A's sk_prot still
 * tcp_bpf's, and its destroy, sock_map_destroy(), finds no psock and its
 * own address as the proto's destroy: WARN, and tcp_v4_destroy_sock()
 * is never called. */
#define N7_BUG "N7: close() during a map delete's psock drop: sock_map_destroy() finds no psock and the tcp_bpf proto (WARN, no tcp destroy)"

/* ---- the world of one schedule ------------------------------------------ */

static struct {
	struct sock *a, *a2, *b, *b2, *c, *c2;
	struct bpf_map *map;
	struct sim_verdict v;
	struct pipe_inode_info *pipe, *pipe2;
	/* results of the tasks */
	unsigned char rbuf[RBUF];
	int got, got_c;
	unsigned char cbuf[RBUF];
	int sent, sent2, ret, ret2;
	int fionread[4], nfionread;
	int poll_mask;
	long live[SIM_KIND_NR];
	long warnings, lockset;
	enum sim_sched_verdict verdict;
} rw;

struct race_row {
	const char *name;
	void (*setup)(void);		/* per schedule: sockets, map, data */
	void (*start)(void);		/* per schedule: the tasks */
	void (*check)(void);		/* per schedule: bytes, accounting */
	int k;				/* DFS preemption bound */
	long max;			/* DFS schedule cap (0: until complete) */
	long pct_runs;			/* PCT runs from seed 1 (0: none) */
	bool softirq;			/* segments arrive in a softirq task */
	u64 verdicts;			/* which programs (bits below) */
	u32 apply, cork;		/* the verdicts' apply_bytes, cork_bytes */
	/* The kernel's behaviour is a real bug here: asserted where present. */
	const char *bug;		/* its name (NULL: every schedule passes) */
	bool (*bug_present)(void);
	const char *bug_needle;		/* the failure report names this */
	const char *lockset_needle;	/* a lock-set report names this */
	const char *bug_needle_alt;	/* or this (the same bug, another symptom) */
};
static const struct race_row *cur;

/* make explore / bench-sched: progress and "first schedule that..." */
static struct {
	bool progress;
	long count;
	double t0;
	const char *needle;
	long found_at;
	double found_s;
} drv;

static double now(void);

#define MSGV	1	/* sk_msg verdict: redirect to slot 1 (B), ingress */
#define SKBV	2	/* sk_skb verdict: redirect to slot 1 (B), ingress */
#define PROXYV	4	/* sk_msg verdict: A's to B's ingress, B's to A's */

static void pair(struct sock **x, struct sock **y, const char *nx, const char *ny)
{
	sim_tcp_pair(x, y, nx, ny);
}

static void put_ab(void)
{
	pair(&rw.a, &rw.a2, "A", "A2");
	pair(&rw.b, &rw.b2, "B", "B2");
	assert_int_equal(sim_map_update(rw.map, 0, rw.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(rw.map, 1, rw.b, BPF_ANY), 0);
}

/* @len bytes of stream 0 from @off arrive on A (head + page frags). */
static void inject_a(size_t off, size_t len)
{
	static const struct sim_skb_shape shape = { .headlen = 100, .frag_size = 4096 };
	void *data = sim_pattern_buf(0, off, len);
	int ret = sim_inject(rw.a, data, len, &shape);

	free(data);
	assert_int_equal(ret, 0);
}

static bool sock_open(struct sock *sk)
{
	return sk && sim_tcp(sk)->fd_open;
}

static void close_if_open(struct sock **sk)
{
	if (sock_open(*sk))
		sim_close(*sk);
	*sk = NULL;
}

/* ---- checks -------------------------------------------------------------- */

/* The accounting of @sk at an end state (tasks done, nothing running):
 * the named invariants of <sim/invariant.h>. A broken one fails the
 * schedule with its line (invariant, socket, expected, actual) as the
 * failure's report. */
static void check_accounting(struct sock *sk)
{
	char why[256];

	if (!sock_open(sk))
		return;
	if (sim_sock_invariants(sk, why, sizeof(why)) == SIM_INV_OK)
		return;
	if (sim_exploring()) {
		sim_explore_fail("%s: %s", cur->name, why);
		fail();		/* this schedule fails, reported as @why */
	}
	fail_msg("%s", why);
}

static void check_all_accounting(void)
{
	check_accounting(rw.a);
	check_accounting(rw.b);
	check_accounting(rw.c);
}

/* What is still queued on B, read by the test after the run. */
static void drain(struct sock *sk, unsigned char *buf, int *got)
{
	int n;

	if (!sock_open(sk))
		return;
	while (*got < RBUF &&
	       (n = sim_recv(sk, buf + *got, RBUF - *got, MSG_DONTWAIT)) > 0)
		*got += n;
}

static u64 end_hash(void)
{
	u64 h = 1469598103934665603ULL;
	long v[] = { rw.got, rw.got_c, rw.sent, rw.sent2, rw.ret, rw.ret2, rw.poll_mask,
		     rw.nfionread, rw.fionread[0], rw.fionread[1], rw.verdict };

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		h = (h ^ (u64)v[i]) * 1099511628211ULL;
	return h;
}

/* ---- one schedule -------------------------------------------------------- */

static void snap(void)
{
	for (int k = 0; k < SIM_KIND_NR; k++)
		rw.live[k] = sim_live(k);
	rw.warnings = sim_warnings();
	rw.lockset = sim_lockset_reports();
}

/* Close what is open, run what is pending, and check the ledger, the
 * WARNs and the protocol memory against the snapshot. */
static void teardown(void)
{
	char what[512];
	size_t len = 0;
	long pages;

	if (rw.pipe) {
		sim_pipe_close(rw.pipe);
		rw.pipe = NULL;
	}
	if (rw.pipe2) {
		sim_pipe_close(rw.pipe2);
		rw.pipe2 = NULL;
	}
	close_if_open(&rw.a);
	close_if_open(&rw.a2);
	close_if_open(&rw.b);
	close_if_open(&rw.b2);
	close_if_open(&rw.c);
	close_if_open(&rw.c2);
	sim_quiesce();
	sim_page_frag_release(&current->task_frag);
	sim_quiesce();
	what[0] = 0;
	for (int k = 0; k < SIM_KIND_NR; k++)
		if (sim_live(k) != rw.live[k])
			len += snprintf(what + len, sizeof(what) - len, "%s%ld %s leaked",
					len ? ", " : "", sim_live(k) - rw.live[k],
					sim_kind_name(k));
	if (sim_warnings() != rw.warnings)
		len += snprintf(what + len, sizeof(what) - len, "%s%ld WARN(s), last: %s",
				len ? ", " : "", sim_warnings() - rw.warnings,
				sim_last_warning());
	pages = sim_tcp_memory_forget();
	if (pages)
		len += snprintf(what + len, sizeof(what) - len,
				"%stcp memory_allocated %ld page(s) after teardown",
				len ? ", " : "", pages);
	if (sim_lockset_reports() != rw.lockset)
		len += snprintf(what + len, sizeof(what) - len, "%s%s", len ? ", " : "",
				sim_lockset_last_report());
	if (len) {
		if (drv.needle && !drv.found_at && strstr(what, drv.needle)) {
			drv.found_at = drv.count;
			drv.found_s = now() - drv.t0;
		}
		sim_explore_fail("%s: %s", cur->name, what);
	}
}

static void race_cleanup(void *arg)
{
	(void)arg;
	if (getenv("RACE_DEBUG"))
		fprintf(stderr, "race: sent %d sent2 %d got %d got_c %d ret %d ret2 %d\n",
			rw.sent, rw.sent2, rw.got, rw.got_c, rw.ret, rw.ret2);
	teardown();
}

static void race_scenario(void *arg)
{
	const struct race_row *row = arg;

	cur = row;
	if (++drv.count % 2000 == 0 && drv.progress)
		fprintf(stderr, "explore %s: %ld schedule(s), %.1f s\n",
			row->name + strlen("test_tcp_bpf_race_"), drv.count, now() - drv.t0);
	memset(&rw.rbuf, 0, sizeof(rw) - offsetof(typeof(rw), rbuf));
	rw.a = rw.a2 = rw.b = rw.b2 = rw.c = rw.c2 = NULL;
	rw.pipe = rw.pipe2 = NULL;
	snap();
	row->setup();
	sim_tcp_wire_softirq(row->softirq);
	row->start();
	rw.verdict = sim_sched_run(NULL);
	sim_tcp_wire_softirq(false);
	if (rw.verdict != SIM_SCHED_OK)
		sim_explore_fail("%s: %s", row->name, sim_sched_report());
	else
		row->check();
	if (getenv("RACE_DEBUG"))
		fprintf(stderr, "race: sent %d sent2 %d got %d got_c %d ret %d ret2 %d fionread %d,%d poll 0x%x\n",
			rw.sent, rw.sent2, rw.got, rw.got_c, rw.ret, rw.ret2, rw.fionread[0],
			rw.fionread[1], rw.poll_mask);
	sim_explore_end_state(end_hash());
	teardown();
}

/* ---- tasks ------------------------------------------------------------- */

/* Blocking reads of B until @want bytes (or EOF/error); each read byte
 * must be the next one of stream 0. */
static int want_b;

static void recv_b(void *arg)
{
	(void)arg;
	while (rw.got < want_b) {
		int n = sim_recv(rw.b, rw.rbuf + rw.got, want_b - rw.got, 0);

		if (n <= 0) {
			rw.ret = n;
			break;
		}
		assert_pattern(rw.rbuf + rw.got, 0, rw.got, n);
		rw.got += n;
	}
}

static void recv_b_nonblock(void *arg)
{
	int n;

	(void)arg;
	n = sim_recv(rw.b, rw.rbuf, RBUF, MSG_DONTWAIT);
	rw.ret = n;
	if (n > 0) {
		assert_pattern(rw.rbuf, 0, 0, n);
		rw.got = n;
	}
}

/* splice(B -> pipe) until @want bytes, then read the pipe. */
static void splice_b(void *arg)
{
	unsigned int flags = arg ? SPLICE_F_NONBLOCK : 0;

	while (rw.got < want_b) {
		ssize_t n = sim_splice_read(rw.b, rw.pipe, want_b - rw.got, flags);

		if (n <= 0) {
			rw.ret = n;
			break;
		}
		assert_int_equal(sim_pipe_read(rw.pipe, rw.rbuf + rw.got, n), n);
		assert_pattern(rw.rbuf + rw.got, 0, rw.got, n);
		rw.got += n;
	}
}

/* A sends one message of stream 0 (its msg verdict redirects it). */
static void send_a(void *arg)
{
	(void)arg;
	rw.sent = sim_send_pattern(rw.a, 0, rw.sent > 0 ? rw.sent : 0, SEG, MSG_DONTWAIT);
}

/* C sends one message of stream 1 (same verdict: into B). */
static void send_c(void *arg)
{
	(void)arg;
	rw.sent2 = sim_send_pattern(rw.c, 1, 0, SEG, MSG_DONTWAIT);
}

/* A2 sends a segment of stream 0 to A over the wire (A's skb verdict). */
static void send_a2(void *arg)
{
	(void)arg;
	rw.sent = sim_send_pattern(rw.a2, 0, 0, SEG, 0);
}

/* close(B): B may be freed by whoever drops its last reference. */
static void close_b(void *arg)
{
	struct sock *b = rw.b;

	(void)arg;
	rw.b = NULL;
	sim_close(b);
}

static void delete_b(void *arg)
{
	(void)arg;
	rw.ret2 = sim_map_delete(rw.map, 1);
}

static void delete_a(void *arg)
{
	(void)arg;
	rw.ret2 = sim_map_delete(rw.map, 0);
}

static void close_a(void *arg)
{
	struct sock *a = rw.a;

	(void)arg;
	rw.a = NULL;
	sim_close(a);
}

static void replace_b_with_c(void *arg)
{
	(void)arg;
	rw.ret2 = sim_map_update(rw.map, 1, rw.c, BPF_ANY);
}

static void shutdown_b(void *arg)
{
	(void)arg;
	rw.ret2 = sim_shutdown(rw.b, 0 /* SHUT_RD */);
}

/* B2 shuts its sending side down: a FIN arrives on B. */
static void shutdown_b2_wr(void *arg)
{
	(void)arg;
	rw.ret2 = sim_shutdown(rw.b2, 1 /* SHUT_WR */);
}

static void fionread_b(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sim_fionread(rw.b, &rw.fionread[i]), 0);
		rw.nfionread++;
	}
	rw.poll_mask = sim_poll(rw.b);
}

/* ---- scenarios ----------------------------------------------------------- */

/*
 * recv_vs_backlog (RX->RX), N2:
 *  1. segment 1 arrives on A; A's verdict redirects it to B's ingress_skb;
 *     the backlog (run by the test) moves it to B's ingress_msg;
 *  2. segment 2 arrives the same way: B's backlog work is pending;
 *  3. task "recv B" reads both (blocking) under lock_sock(B), uncharging
 *     sk_forward_alloc in __sk_msg_recvmsg();
 *  4. the kworker runs sk_psock_backlog() -> sk_psock_skb_ingress():
 *     sk_rmem_schedule() and skb_set_owner_r() charge sk_forward_alloc
 *     holding only psock->work_mutex.
 * Torn: the backlog's WRITE_ONCE(sk_forward_alloc, old - truesize) stores
 * over the reader's uncharge; sk_free() WARNs on B's sk_forward_alloc.
 */
static void setup_two_segments_one_queued(void)
{
	put_ab();
	inject_a(0, SEG);
	assert_int_equal(sim_run_work(), 1);
	inject_a(SEG, SEG);
	want_b = 2 * SEG;
}

static void start_recv_b(void)
{
	sim_task_start("recv B", recv_b, NULL);
}

static void check_all_read(void)
{
	assert_int_equal(rw.got, want_b);
	check_all_accounting();
}

static bool always(void)
{
	return true;
}

static bool n3_present(void)
{
	return !N3_FIXED;
}

/* experiments/0003: TX->RX msgs are charged to the psock's ingress_fwd, not
 * sk_forward_alloc, so sk_psock_destroy() no longer uncharges
 * sk_forward_alloc for them: N3 is gone on TX->RX (not on RX->RX). */
static bool n3_txrx_present(void)
{
	return n3_present() && !SIM_EXP_LOCKLESS_INGRESS;
}

static bool n2_present(void)
{
	return !N2_FIXED;
}

static bool cork_rest_lost_present(void)
{
	return !SIM_LEVEL_AT_LEAST(FIXES);
}

static bool n5_present(void)
{
	return !N5_FIXED;
}

/* N6 stays visible at the end of a run only while bug (a) keeps the FIN's
 * empty msg queued (fixed by kernel-patches/fixes/0009). */
static bool n6_fin_present(void)
{
	return !SIM_LEVEL_AT_LEAST(FIXES);
}

/* splice_vs_backlog: the same with B read by splice (level copy and up).
 * Below it, tcp_splice_read() sees B's empty TCP queue: -EAGAIN, and the
 * data stays on ingress_msg for recv(). */
/* Below level copy the kernel's splice_read waits on B's TCP queue, which
 * sockmap data never reaches: the splicer's B is O_NONBLOCK there. */
static void splice_nonblock_below_copy(void)
{
	if (!SERIES_SPLICE)
		sim_set_nonblock(rw.b, true);
}

static void setup_splice_two_segments(void)
{
	setup_two_segments_one_queued();
	rw.pipe = sim_pipe_create(16);
	splice_nonblock_below_copy();
}

static void start_splice_b(void)
{
	sim_task_start("splice B", splice_b, SERIES_SPLICE ? NULL : (void *)1);
}

static void check_splice_read(void)
{
	if (!SERIES_SPLICE) {
		assert_int_equal(rw.ret, -EAGAIN);
		assert_int_equal(rw.got, 0);
		drain(rw.b, rw.rbuf, &rw.got);
		assert_int_equal(rw.got, want_b);
		assert_pattern(rw.rbuf, 0, 0, rw.got);
	} else {
		assert_int_equal(rw.got, want_b);
	}
	check_all_accounting();
}

static bool n2_splice_present(void)
{
	return SERIES_SPLICE && !N2_FIXED;
}

/* close(B) while A's sendmsg redirects into B (TX->RX): bpf_tcp_ingress()
 * queues under lock_sock(B) and sk_psock_queue_msg() frees the message
 * when sk_psock_stop() has run (938d3480b92f). */
static void setup_txrx(void)
{
	put_ab();
}

static void start_send_a_close_b(void)
{
	sim_task_start("send A", send_a, NULL);
	sim_task_start("close B", close_b, NULL);
}

static void check_send_closed(void)
{
	/* the send reports the message taken (or the redirect's error) */
	assert_true(rw.sent == SEG || rw.sent < 0);
	assert_false(sock_open(rw.b));
	check_all_accounting();
}

/* close(B) while B's backlog moves a redirected skb (RX->RX):
 * sock_map_close() -> sk_psock_stop() vs sk_psock_backlog(). */
static void setup_rxrx_queued(void)
{
	put_ab();
	inject_a(0, SEG);
	want_b = SEG;
}

static void start_close_b(void)
{
	sim_task_start("close B", close_b, NULL);
}

static void check_closed(void)
{
	assert_false(sock_open(rw.b));
	check_all_accounting();
}

/* map delete of B while A's sendmsg redirects into it (TX->RX). */
static void start_send_a_delete_b(void)
{
	sim_task_start("send A", send_a, NULL);
	sim_task_start("delete B", delete_b, NULL);
}

static void check_send_deleted(void)
{
	assert_int_equal(rw.ret2, 0);
	assert_true(rw.sent == SEG || rw.sent < 0);
	drain(rw.b, rw.rbuf, &rw.got);
	assert_true(rw.got == 0 || rw.got == SEG);
	assert_pattern(rw.rbuf, 0, 0, rw.got);
	check_all_accounting();
}

/* map delete of B while its backlog runs (RX->RX): the psock's links go,
 * the psock is put; the backlog holds its own reference. */
static void start_delete_b(void)
{
	sim_task_start("delete B", delete_b, NULL);
	sim_task_start("recv B", recv_b_nonblock, NULL);
}

static void check_deleted_backlog(void)
{
	assert_int_equal(rw.ret2, 0);
	drain(rw.b, rw.rbuf, &rw.got);
	assert_true(rw.got == 0 || rw.got == SEG);
	assert_pattern(rw.rbuf, 0, 0, rw.got);
	check_all_accounting();
}

/* map delete of A vs close(A): both take A's psock link away (the delete
 * through sock_map_delete_elem(), the close through sock_map_close() ->
 * sock_map_remove_links()); whichever comes second finds it gone. */
static void start_delete_a_close_a(void)
{
	sim_task_start("delete A", delete_a, NULL);
	sim_task_start("close A", close_a, NULL);
}

static void check_delete_close(void)
{
	assert_true(rw.ret2 == 0 || rw.ret2 == -EINVAL);
	assert_false(sock_open(rw.a));
	check_all_accounting();
}

/* psock destroy work vs the verdict: A2 sends a segment to A (softirq on
 * A runs the sk_skb verdict) while A is deleted from the map (its psock's
 * destroy rcu_work runs on the kworker). */
static void start_send_a2_delete_a(void)
{
	sim_task_start("send A2", send_a2, NULL);
	sim_task_start("delete A", delete_a, NULL);
}

static void setup_ab_want(void)
{
	put_ab();
	want_b = SEG;
}

static void check_verdict_vs_destroy(void)
{
	assert_int_equal(rw.sent, SEG);
	assert_int_equal(rw.ret2, 0);
	/* either the verdict redirected the segment to B, or A (no psock
	 * any more) received it on its own queue */
	drain(rw.b, rw.rbuf, &rw.got);
	drain(rw.a, rw.cbuf, &rw.got_c);
	assert_pattern(rw.rbuf, 0, 0, rw.got);
	assert_pattern(rw.cbuf, 0, 0, rw.got_c);
	check_all_accounting();
	if (rw.got + rw.got_c == 0)
		sim_explore_fail("%s: " N4_BUG ": %d byte(s) acked on A, delivered nowhere",
				 cur->name, rw.sent);
	assert_int_equal(rw.got + rw.got_c, SEG);
}

/* shutdown(B, SHUT_RD) vs a blocking recv on B with a segment in B's
 * backlog: the reader gets the data or EOF, never hangs. */
static void start_recv_shutdown(void)
{
	sim_task_start("recv B", recv_b, NULL);
	sim_task_start("shutdown B", shutdown_b, NULL);
}

static void check_recv_shutdown(void)
{
	assert_int_equal(rw.ret2, 0);
	if (rw.got < SEG && rw.ret == -EAGAIN)
		sim_explore_fail("%s: " N5_BUG, cur->name);
	assert_true(rw.got == SEG || rw.ret == 0);
	drain(rw.b, rw.rbuf, &rw.got);
	assert_true(rw.got <= SEG);
	assert_pattern(rw.rbuf, 0, 0, rw.got);
	check_all_accounting();
}

/* N5 in tcp_bpf_recvmsg(), the variant without a verdict program: B only
 * takes redirects (sk_msg verdict on the map), nothing is queued, a
 * blocking recv on B races shutdown(B, SHUT_RD). */
static void setup_txrx_want(void)
{
	put_ab();
	want_b = SEG;
}

static void check_recv_shutdown_empty(void)
{
	assert_int_equal(rw.ret2, 0);
	assert_int_equal(rw.got, 0);
	if (rw.ret == -EAGAIN)
		sim_explore_fail("%s: " N5_BUG, cur->name);
	assert_int_equal(rw.ret, 0);
	drain(rw.b, rw.rbuf, &rw.got);
	assert_int_equal(rw.got, 0);
	check_all_accounting();
}

/* The peer's FIN vs a blocking recv on B (sk_skb verdict: B's own
 * segments go back to B's ingress) while B2 shuts down its sending side;
 * the FIN arrives in softirq. The reader must see EOF, never -EAGAIN (N5):
 * the FIN's softirq holds B's bh lock from tcp_fin()'s wake-up until the
 * verdict has queued its empty msg, so the woken reader finds it. Below
 * level fixes the end state shows N6 (see N6_BUG). */
static void start_recv_peer_fin(void)
{
	sim_task_start("recv B", recv_b, NULL);
	sim_task_start("shutdown B2 WR", shutdown_b2_wr, NULL);
}

/* Two senders on A, whose sk_msg verdict corks 3000 bytes and redirects
 * them to B in apply_bytes windows of 700: A holds 2500 corked bytes;
 * "send A" completes the cork (its redirect of the first 700 drops A's
 * socket lock) with 1000 more bytes while "send A 1" sends 100 bytes of
 * stream 1. Every byte
 * reported sent is delivered to B or still in A's cork. */
#define CORK_PRE	2500

static void setup_cork_two_senders(void)
{
	put_ab();
	for (int off = 0; off < CORK_PRE; off += 500)
		assert_int_equal(sim_send_pattern(rw.a, 0, off, 500, MSG_DONTWAIT), 500);
	assert_non_null(sk_psock(rw.a)->cork);
	rw.sent = CORK_PRE;
}

static void send_a_stream1(void *arg)
{
	(void)arg;
	rw.sent2 = sim_send_pattern(rw.a, 1, 0, 100, MSG_DONTWAIT);
}

static void start_cork_two_senders(void)
{
	sim_task_start("send A", send_a, NULL);
	sim_task_start("send A 1", send_a_stream1, NULL);
}

static void check_cork_two_senders(void)
{
	struct sk_psock *psock = sk_psock(rw.a);
	u32 corked = psock && psock->cork ? psock->cork->sg.size : 0;

	assert_int_equal(rw.sent, SEG);
	assert_int_equal(rw.sent2, 100);
	drain(rw.b, rw.rbuf, &rw.got);
	/* the first apply window goes out first, whatever the order */
	assert_true(rw.got >= 700);
	assert_pattern(rw.rbuf, 0, 0, 700);
	if (rw.got + corked != CORK_PRE + SEG + 100)
		sim_explore_fail("%s: cork bytes lost: %d bytes sent, %d delivered, %u corked",
				 cur->name, CORK_PRE + SEG + 100, rw.got, corked);
	check_all_accounting();
}

/* N8: A's cork holds 2500 bytes (cork_bytes 3000) when A sends 1000 more
 * while A is deleted from the map. */
static void setup_corked_a(void)
{
	put_ab();
	for (int off = 0; off < CORK_PRE; off += 500)
		assert_int_equal(sim_send_pattern(rw.a, 0, off, 500, MSG_DONTWAIT), 500);
	assert_non_null(sk_psock(rw.a)->cork);
	rw.sent = CORK_PRE;
}

static void start_send_a_delete_a(void)
{
	sim_task_start("send A", send_a, NULL);
	sim_task_start("delete A", delete_a, NULL);
}

/* The cork went to B whole, or was freed with the psock (then the send
 * went out on A's own TCP to A2, or failed). */
static void check_corked_a_deleted(void)
{
	assert_int_equal(rw.ret2, 0);
	drain(rw.b, rw.rbuf, &rw.got);
	assert_true(rw.got == 0 || rw.got == CORK_PRE + SEG);
	assert_pattern(rw.rbuf, 0, 0, rw.got);
	check_all_accounting();
}

/* shutdown(B, SHUT_RD) vs a blocking splice on B (level copy and up). */
static void setup_splice_shutdown(void)
{
	setup_rxrx_queued();
	rw.pipe = sim_pipe_create(16);
	splice_nonblock_below_copy();
}

static void start_splice_shutdown(void)
{
	sim_task_start("splice B", splice_b, SERIES_SPLICE ? NULL : (void *)1);
	sim_task_start("shutdown B", shutdown_b, NULL);
}

static void check_splice_shutdown(void)
{
	assert_int_equal(rw.ret2, 0);
	if (!SERIES_SPLICE) {
		/* tcp_splice_read(), non-blocking: the data is not on its queue */
		assert_true(rw.ret == -EAGAIN || rw.ret == 0);
	} else {
		if (rw.got < SEG && rw.ret == -EAGAIN)
			sim_explore_fail("%s: " N5_BUG " (tcp_bpf_splice_read)", cur->name);
		assert_true(rw.got == SEG || rw.ret == 0);
	}
	drain(rw.b, rw.rbuf, &rw.got);
	assert_true(rw.got <= SEG);
	assert_pattern(rw.rbuf, 0, 0, rw.got);
	check_all_accounting();
}

/* Two senders, A and C, redirect into B (TX->RX): B's ingress_msg gets
 * both messages whole, in some order, each once. */
static void setup_two_senders(void)
{
	put_ab();
	pair(&rw.c, &rw.c2, "C", "C2");
	assert_int_equal(sim_map_update(rw.map, 2, rw.c, BPF_ANY), 0);
}

static void start_two_senders(void)
{
	sim_task_start("send A", send_a, NULL);
	sim_task_start("send C", send_c, NULL);
}

static void check_two_senders(void)
{
	unsigned char *s0 = sim_pattern_buf(0, 0, SEG), *s1 = sim_pattern_buf(1, 0, SEG);

	assert_int_equal(rw.sent, SEG);
	assert_int_equal(rw.sent2, SEG);
	check_all_accounting();
	drain(rw.b, rw.rbuf, &rw.got);
	assert_int_equal(rw.got, 2 * SEG);
	assert_true((!memcmp(rw.rbuf, s0, SEG) && !memcmp(rw.rbuf + SEG, s1, SEG)) ||
		    (!memcmp(rw.rbuf, s1, SEG) && !memcmp(rw.rbuf + SEG, s0, SEG)));
	free(s0);
	free(s1);
}

/* Map update replacing B by C in slot 1 while A redirects to slot 1. */
static void setup_replace(void)
{
	put_ab();
	pair(&rw.c, &rw.c2, "C", "C2");
}

static void start_send_a_replace(void)
{
	sim_task_start("send A", send_a, NULL);
	sim_task_start("update slot 1 = C", replace_b_with_c, NULL);
}

static void check_replace(void)
{
	assert_int_equal(rw.ret2, 0);
	/* -EPIPE: the verdict picked B, whose psock stopped before the
	 * redirect queued (tcp_bpf_sendmsg_redir) */
	assert_true(rw.sent == SEG || rw.sent == -EPIPE);
	drain(rw.b, rw.rbuf, &rw.got);
	drain(rw.c, rw.cbuf, &rw.got_c);
	/* Redirected after the update: C has it. Before: it sat on B's
	 * ingress_msg, and B leaving its last map destroys B's psock, which
	 * purges ingress_msg (sk_psock_destroy): the kernel drops it, and B,
	 * a plain TCP socket again, never sees it. Never both, never twice. */
	assert_int_equal(rw.got, 0);
	assert_true(rw.got_c == 0 || (rw.got_c == SEG && rw.sent == SEG));
	assert_pattern(rw.rbuf, 0, 0, rw.got);
	assert_pattern(rw.cbuf, 0, 0, rw.got_c);
	check_all_accounting();
}

/* A blocking splice on B while the data arrives: A2 sends to A over the
 * wire, a softirq on A runs the verdict, the kworker's backlog queues it
 * on B, the splicer wakes (level copy and up; below it, -EAGAIN). */
static void start_splice_while_arriving(void)
{
	sim_task_start("splice B", splice_b, SERIES_SPLICE ? NULL : (void *)1);
	sim_task_start("send A2", send_a2, NULL);
}

static void setup_splice_arriving(void)
{
	setup_ab_want();
	rw.pipe = sim_pipe_create(16);
	splice_nonblock_below_copy();
}

static void check_splice_arriving(void)
{
	assert_int_equal(rw.sent, SEG);
	if (!SERIES_SPLICE) {
		assert_true(rw.ret == -EAGAIN);
		drain(rw.b, rw.rbuf, &rw.got);
		assert_int_equal(rw.got, SEG);
		assert_pattern(rw.rbuf, 0, 0, rw.got);
	} else {
		assert_int_equal(rw.got, SEG);
	}
	check_all_accounting();
}

/* recv on B while the segment arrives through softirq and backlog. */
static void start_recv_while_arriving(void)
{
	sim_task_start("recv B", recv_b, NULL);
	sim_task_start("send A2", send_a2, NULL);
}

static void check_recv_arriving(void)
{
	assert_int_equal(rw.sent, SEG);
	assert_int_equal(rw.got, SEG);
	check_all_accounting();
}

/* FIONREAD and poll on B vs the backlog queueing a redirected skb:
 * FIONREAD reads msg_tot_len lock-free (READ_ONCE), sees 0 or SEG. */
static void start_fionread(void)
{
	sim_task_start("FIONREAD B", fionread_b, NULL);
}

static void check_fionread(void)
{
	assert_int_equal(rw.nfionread, 2);
	for (int i = 0; i < 2; i++)
		assert_true(rw.fionread[i] == 0 || rw.fionread[i] == SEG);
	assert_true(rw.fionread[0] <= rw.fionread[1]);
	if (rw.fionread[1] == SEG)
		assert_true(rw.poll_mask & EPOLLIN);
	check_all_accounting();
	drain(rw.b, rw.rbuf, &rw.got);
	assert_int_equal(rw.got, SEG);
	assert_pattern(rw.rbuf, 0, 0, rw.got);
}

/* The splicing proxy's two directions on two tasks: A's sendmsg is
 * redirected into B's ingress and B's into A's (one sk_msg verdict keyed
 * on the sender); each task sends on one socket and splices the other
 * into its own pipe (recv below level copy). tcp_bpf_send_verdict()
 * releases the sender's lock before bpf_tcp_ingress() takes the
 * target's: no ABBA between the two directions. */
static unsigned int proxy_msg_verdict(const struct bpf_prog *prog, void *ctx)
{
	struct sk_msg *msg = ctx;

	(void)prog;
	return bpf_msg_redirect_map(msg, rw.map, msg->sk == rw.a ? 1 : 0, BPF_F_INGRESS);
}

static void proxy_direction(void *arg)
{
	int dir = arg != NULL;			/* 0: A->B, 1: B->A */
	struct sock *from = dir ? rw.b : rw.a, *to = dir ? rw.a : rw.b;
	struct pipe_inode_info *pipe = dir ? rw.pipe2 : rw.pipe;
	unsigned char *buf = dir ? rw.cbuf : rw.rbuf;
	int *got = dir ? &rw.got_c : &rw.got;
	int sent = sim_send_pattern(from, dir, 0, SEG, 0);

	if (dir)
		rw.sent2 = sent;
	else
		rw.sent = sent;
	while (*got < SEG) {
		ssize_t n;

		if (SERIES_SPLICE) {
			n = sim_splice_read(to, pipe, SEG - *got, 0);
			if (n > 0)
				assert_int_equal(sim_pipe_read(pipe, buf + *got, n), n);
		} else {
			n = sim_recv(to, buf + *got, SEG - *got, 0);
		}
		if (n <= 0)
			break;
		assert_pattern(buf + *got, dir, *got, n);
		*got += n;
	}
}

static void setup_proxy(void)
{
	put_ab();
	rw.pipe = sim_pipe_create(16);
	rw.pipe2 = sim_pipe_create(16);
}

static void start_proxy(void)
{
	sim_task_start("A->B", proxy_direction, NULL);
	sim_task_start("B->A", proxy_direction, (void *)1);
}

static void check_proxy(void)
{
	assert_int_equal(rw.sent, SEG);
	assert_int_equal(rw.sent2, SEG);
	assert_int_equal(rw.got, SEG);
	assert_int_equal(rw.got_c, SEG);
	check_all_accounting();
}

/* pipe close vs splice: the splicer's pipe is closed after its splice;
 * the pipe buffers keep their pages alive (ledger). */
static void splice_then_close_pipe(void *arg)
{
	ssize_t n;

	(void)arg;
	n = sim_splice_read(rw.b, rw.pipe, SEG, SPLICE_F_NONBLOCK);
	rw.ret = n;
	sim_pipe_close(rw.pipe);
	rw.pipe = NULL;
}

static void setup_pipe_close(void)
{
	setup_rxrx_queued();
	rw.pipe = sim_pipe_create(16);
	sim_set_nonblock(rw.b, true);	/* a non-blocking splice at every level */
}

static void start_pipe_close(void)
{
	sim_task_start("splice B, close pipe", splice_then_close_pipe, NULL);
}

/* The splice took the message (its pages now only in the closed pipe's
 * buffers, released with it) or found nothing yet; what it did not take
 * is still B's. */
static void check_pipe_close(void)
{
	if (SERIES_SPLICE)
		assert_true(rw.ret == SEG || rw.ret == -EAGAIN);
	else
		assert_int_equal(rw.ret, -EAGAIN);
	drain(rw.b, rw.rbuf, &rw.got);
	assert_int_equal(rw.got, rw.ret == SEG ? 0 : SEG);
	assert_pattern(rw.rbuf, 0, 0, rw.got);
	check_all_accounting();
}



static const struct race_row rows[] = {
	{ "test_tcp_bpf_race_recv_vs_backlog_n2", setup_two_segments_one_queued,
	  start_recv_b, check_all_read, .k = 1, .max = 3000, .pct_runs = 40, .verdicts = SKBV,
	  .bug = N2_BUG, .bug_present = n2_present,
	  .bug_needle = N2_NEEDLE, .lockset_needle = "B.sk_forward_alloc" },
	{ "test_tcp_bpf_race_splice_vs_backlog_n2", setup_splice_two_segments,
	  start_splice_b, check_splice_read, .k = 1, .max = 3000, .pct_runs = 40, .verdicts = SKBV,
	  .bug = N2_BUG " (tcp_bpf_splice_read)", .bug_present = n2_splice_present,
	  .bug_needle = N2_NEEDLE, .lockset_needle = "B.sk_forward_alloc" },
	{ "test_tcp_bpf_race_close_b_vs_txrx_redirect_n3", setup_txrx,
	  start_send_a_close_b, check_send_closed, .k = 2, .max = 1500, .pct_runs = 40,
	  .verdicts = MSGV, .bug = N3_BUG, .bug_present = n3_txrx_present,
	  .bug_needle = "tcp memory_allocated",
	  .lockset_needle = "sk_msg_free_elem() holding {}" },
	{ "test_tcp_bpf_race_close_b_vs_rxrx_backlog_n3", setup_rxrx_queued,
	  start_close_b, check_closed, .k = 2, .max = 1500, .pct_runs = 100, .verdicts = SKBV,
	  .bug = N3_BUG " (RX->RX)", .bug_present = n3_present, .bug_needle = "tcp memory_allocated",
	  .lockset_needle = "sock_rfree() holding {}" },
	{ "test_tcp_bpf_race_map_delete_b_vs_txrx_redirect", setup_txrx,
	  start_send_a_delete_b, check_send_deleted, .k = 2, .max = 1500, .pct_runs = 40,
	  .verdicts = MSGV },
	{ "test_tcp_bpf_race_map_delete_b_vs_backlog", setup_rxrx_queued,
	  start_delete_b, check_deleted_backlog, .k = 1, .max = 1500, .pct_runs = 40,
	  .verdicts = SKBV },
	{ "test_tcp_bpf_race_map_delete_a_vs_close_a_n7", setup_txrx,
	  start_delete_a_close_a, check_delete_close, .k = 2, .max = 1500, .pct_runs = 40,
	  .verdicts = MSGV, .bug = N7_BUG, .bug_present = always,
	  .bug_needle = "sock_map_destroy(): saved_destroy == sock_map_destroy" },
	{ "test_tcp_bpf_race_psock_destroy_vs_verdict_n4", setup_ab_want,
	  start_send_a2_delete_a, check_verdict_vs_destroy, .k = 1, .max = 1500, .pct_runs = 40,
	  .softirq = true, .verdicts = SKBV, .bug = N4_BUG, .bug_present = always,
	  .bug_needle = "N4:" },
	{ "test_tcp_bpf_race_shutdown_vs_recv_n5", setup_rxrx_queued,
	  start_recv_shutdown, check_recv_shutdown, .k = 1, .max = 1500, .pct_runs = 40,
	  .verdicts = SKBV, .bug = N5_BUG, .bug_present = n5_present, .bug_needle = "N5:" },
	{ "test_tcp_bpf_race_shutdown_vs_recv_no_verdict_n5", setup_txrx_want,
	  start_recv_shutdown, check_recv_shutdown_empty, .k = 1, .max = 1500, .pct_runs = 40,
	  .verdicts = MSGV, .bug = N5_BUG, .bug_present = n5_present, .bug_needle = "N5:" },
	{ "test_tcp_bpf_race_peer_fin_vs_recv", setup_txrx_want,
	  start_recv_peer_fin, check_recv_shutdown_empty, .k = 1, .max = 1500, .pct_runs = 40,
	  .softirq = true, .verdicts = SKBV, .bug = N6_BUG " (FIN msg kept by bug (a))",
	  .bug_present = n6_fin_present, .bug_needle = "forward_alloc_nonneg broken on B" },
	{ "test_tcp_bpf_race_cork_rest_vs_second_sender", setup_cork_two_senders,
	  start_cork_two_senders, check_cork_two_senders, .k = 2, .max = 1500, .pct_runs = 40,
	  .verdicts = MSGV, .apply = 700, .cork = 3000, .bug = CORK_BUG,
	  .bug_present = cork_rest_lost_present, .bug_needle = "cork bytes lost" },
	{ "test_tcp_bpf_race_cork_send_vs_map_delete_n8", setup_corked_a,
	  start_send_a_delete_a, check_corked_a_deleted, .k = 1, .max = 1500, .pct_runs = 40,
	  .verdicts = MSGV, .cork = 3000, .bug = N8_BUG, .bug_present = always,
	  .bug_needle = "tcp memory_allocated", .lockset_needle = "A.sk_forward_alloc",
	  /* experiments/0003: with no lock_sock(B) in the redirect, the
	   * same race also ends as a torn A.sk_forward_alloc */
	  .bug_needle_alt = SIM_EXP_LOCKLESS_INGRESS ? "forward_alloc_idle broken on A" : NULL },
	{ "test_tcp_bpf_race_shutdown_vs_splice", setup_splice_shutdown,
	  start_splice_shutdown, check_splice_shutdown, .k = 1, .max = 1500, .pct_runs = 40,
	  .verdicts = SKBV },
	{ "test_tcp_bpf_race_two_senders_into_one", setup_two_senders,
	  start_two_senders, check_two_senders, .k = 2, .max = 1500, .pct_runs = 40,
	  .verdicts = MSGV },
	{ "test_tcp_bpf_race_map_replace_vs_txrx_redirect", setup_replace,
	  start_send_a_replace, check_replace, .k = 2, .max = 1500, .pct_runs = 40,
	  .verdicts = MSGV },
	{ "test_tcp_bpf_race_proxy_two_directions", setup_proxy,
	  start_proxy, check_proxy, .k = 1, .max = 1500, .pct_runs = 40, .verdicts = PROXYV },
	{ "test_tcp_bpf_race_pipe_close_vs_splice", setup_pipe_close,
	  start_pipe_close, check_pipe_close, .k = 1, .max = 1500, .pct_runs = 40,
	  .verdicts = SKBV },
	{ "test_tcp_bpf_race_splice_blocks_while_data_arrives", setup_splice_arriving,
	  start_splice_while_arriving, check_splice_arriving, .k = 1, .max = 1500,
	  .pct_runs = 40, .softirq = true, .verdicts = SKBV },
	{ "test_tcp_bpf_race_recv_while_data_arrives_softirq", setup_ab_want,
	  start_recv_while_arriving, check_recv_arriving, .k = 1, .max = 1500, .pct_runs = 40,
	  .softirq = true, .verdicts = SKBV },
	{ "test_tcp_bpf_race_fionread_poll_vs_backlog", setup_rxrx_queued,
	  start_fionread, check_fionread, .k = 2, .max = 1500, .pct_runs = 40, .verdicts = SKBV },
};

/* ---- the test ------------------------------------------------------------ */

/* Map and programs: once per test (they outlive the schedules). */
static void prepare(const struct race_row *row)
{
	rw.map = sim_sockmap_create(3);
	rw.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = rw.map, .key = 1,
				     .flags = BPF_F_INGRESS, .apply_bytes = row->apply,
				     .cork_bytes = row->cork };
	if (row->verdicts & MSGV)
		assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&rw.v), rw.map,
						 BPF_SK_MSG_VERDICT), 0);
	if (row->verdicts & PROXYV)
		assert_int_equal(sim_prog_attach(sim_prog_load(BPF_PROG_TYPE_SK_MSG,
							       proxy_msg_verdict, NULL,
							       "proxy_msg_verdict"),
						 rw.map, BPF_SK_MSG_VERDICT), 0);
	if (row->verdicts & SKBV)
		assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(&rw.v), rw.map,
						 BPF_SK_SKB_VERDICT), 0);
}

static bool bug_present(const struct race_row *row)
{
	return row->bug && row->bug_present();
}

struct budget {
	int k;
	long max, pct_runs;
	u64 seed;
	int depth;
	bool pct_only, dfs_only, quiet;
};

struct outcome {
	struct sim_explore_result dfs, pct;
	double seconds;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void explore_row(const struct race_row *row, const struct budget *b,
			struct outcome *out)
{
	struct sim_explore_opts o = {
		.preemption_bound = b->k, .max_schedules = b->max, .quiet = b->quiet,
		.cleanup = race_cleanup,
	};
	double t0 = now();

	memset(out, 0, sizeof(*out));
	if (!b->pct_only)
		sim_explore(race_scenario, (void *)row, &o, &out->dfs);
	if (!b->dfs_only && b->pct_runs) {
		o = (struct sim_explore_opts){
			.pct = true, .pct_runs = b->pct_runs, .seed = b->seed ? b->seed : 1,
			.pct_depth = b->depth ? b->depth : 3, .quiet = b->quiet,
			.cleanup = race_cleanup,
		};
		sim_explore(race_scenario, (void *)row, &o, &out->pct);
	}
	out->seconds = now() - t0;
}

static void test_tcp_bpf_race(void **state)
{
	const struct race_row *row = *state;
	struct budget b = { .k = row->k, .max = row->max, .pct_runs = row->pct_runs,
			    .quiet = true };
	struct outcome out;
	long failures;
	const struct sim_explore_failure *f;

	prepare(row);
	if (bug_present(row)) {
		/* failing schedules WARN (sk_free) and report: counted below */
		sim_expect_warnings(LONG_MAX / 2);
		sim_lockset_expect(LONG_MAX / 2);
	}
	explore_row(row, &b, &out);
	failures = out.dfs.failures + out.pct.failures;
	assert_int_equal(out.dfs.nondeterministic, 0);
	assert_true(out.dfs.schedules > 1);
	printf("# %s: DFS K=%d %ld schedule(s)%s, %ld end state(s), %ld failing; PCT %ld run(s), %ld failing; %.2f s\n",
	       row->name, row->k, out.dfs.schedules, out.dfs.complete ? " (complete)" : "",
	       out.dfs.end_states, out.dfs.failures, out.pct.schedules, out.pct.failures,
	       out.seconds);
	if (!bug_present(row)) {
		if (failures) {
			const struct sim_explore_failure *w = out.dfs.best ? out.dfs.best : out.pct.best;

			fail_msg("%s: %ld failing schedule(s); fewest preemptions (%d): SCHEDULE='%s'\n%s",
				 row->name, failures, w->preemptions, w->schedule, w->report);
		}
		assert_int_equal(sim_lockset_reports(), 0);
		return;
	}
	/* The bug, where the kernel files have it: found from nothing by
	 * the bounded DFS, named by the failure and by the lock-set check. */
	f = sim_explore_find(&out.dfs, row->bug_needle);
	if (!f)
		f = sim_explore_find(&out.pct, row->bug_needle);
	if (!f && row->bug_needle_alt)
		f = sim_explore_find(&out.dfs, row->bug_needle_alt);
	if (!f && row->bug_needle_alt)
		f = sim_explore_find(&out.pct, row->bug_needle_alt);
	if (!f)
		fail_msg("%s: %s not found (%ld failing schedule(s))", row->name, row->bug,
			 failures);
	printf("# %s: %s: found, fewest preemptions %d: SCHEDULE='%s'\n#   %.*s\n", row->name,
	       row->bug, f->preemptions, f->schedule, (int)strcspn(f->report, "\n"), f->report);
	if (row->lockset_needle && !sim_lockset_reported(row->lockset_needle))
		fail_msg("%s: no lock-set report names \"%s\"", row->name, row->lockset_needle);
	/* ... and every failing schedule is that bug: nothing leaked, no
	 * other kind of failure */
	for (int pass = 0; pass < 2; pass++) {
		const struct sim_explore_result *r = pass ? &out.pct : &out.dfs;

		for (int i = 0; i < r->nkinds; i++) {
			const char *rep = r->kinds[i].report;

			if (strstr(rep, " leaked") ||
			    (!strstr(rep, row->bug_needle) &&
			     !(row->bug_needle_alt && strstr(rep, row->bug_needle_alt)) &&
			     !(row->lockset_needle && strstr(rep, row->lockset_needle))))
				fail_msg("%s: a failure that is not %s: SCHEDULE='%s'\n%s", row->name,
					 row->bug, r->kinds[i].schedule, rep);
		}
	}
	sim_expect_warnings(sim_warnings());
	sim_lockset_expect(sim_lockset_reports());
}

/* ---- the explorer (make explore / explore-pct) --------------------------- */

static const struct race_row *find_row(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		if (!strcmp(rows[i].name, name) ||
		    !strcmp(rows[i].name + strlen("test_tcp_bpf_race_"), name))
			return &rows[i];
	return NULL;
}

static void print_result(const char *what, const struct sim_explore_result *r)
{
	for (int i = 0; i < r->nkinds; i++)
		printf("%s: failure %d (%ld run(s)), fewest preemptions %d:\n  replay: SCHEDULE='%s' make explore SCENARIO=%s\n  %s\n",
		       what, i + 1, r->kinds[i].count, r->kinds[i].preemptions,
		       r->kinds[i].schedule, cur ? cur->name + strlen("test_tcp_bpf_race_") : "?",
		       r->kinds[i].report);
}

/* make bench-sched: figures, printed (never asserted on time). */
static void bench_world(const struct race_row *row)
{
	sim_world_begin();
	prepare(row);
	cur = row;
	sim_expect_warnings(LONG_MAX / 2);
	sim_lockset_expect(LONG_MAX / 2);
}

static void bench_world_end(void)
{
	sim_expect_warnings(sim_warnings());
	sim_lockset_expect(sim_lockset_reports());
	sim_world_end();
}

static int bench(void)
{
	static const char *const two_task[] = {
		"fionread_poll_vs_backlog", "recv_vs_backlog_n2",
	};
	struct budget b = { .quiet = true };
	struct outcome out;
	/* make bench-sched K2_MAX=N: the K=2 spaces' cap */
	long k2_max = getenv("SIM_BENCH_K2_MAX") ? atol(getenv("SIM_BENCH_K2_MAX")) : 10000;

	if (k2_max <= 0) {
		fprintf(stderr, "sockmap-sim: bench-sched: K2_MAX must be a positive count\n");
		return 2;
	}
	sim_init();
	printf("bench-sched: one core (taskset), ASan+UBSan build, series level %d%s\n",
	       SIM_SERIES_LEVEL, N2_FIXED ? ", N2 fixed" : "");
	for (size_t i = 0; i < ARRAY_SIZE(two_task); i++) {
		const struct race_row *row = find_row(two_task[i]);

		bench_world(row);
		b = (struct budget){ .pct_runs = 2000, .seed = 1, .depth = 3, .pct_only = true,
				     .quiet = true };
		explore_row(row, &b, &out);
		printf("  %-44s PCT %ld schedules in %.2f s: %.0f schedules/s (%ld failing)\n",
		       two_task[i], out.pct.schedules, out.seconds,
		       out.pct.schedules / out.seconds, out.pct.failures);
		bench_world_end();
	}
	printf("  DFS K=2 space per scenario (cap %ld schedules):\n", k2_max);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		bench_world(&rows[i]);
		b = (struct budget){ .k = 2, .max = k2_max, .dfs_only = true, .quiet = true };
		explore_row(&rows[i], &b, &out);
		printf("    %-52s %s%6ld schedules, %4ld end states, %5ld failing, %.2f s\n",
		       rows[i].name + strlen("test_tcp_bpf_race_"), out.dfs.complete ? " " : ">",
		       out.dfs.schedules, out.dfs.end_states, out.dfs.failures, out.seconds);
		bench_world_end();
	}
	{
		const struct race_row *row = find_row("recv_vs_backlog_n2");
		const char *what[] = { "lock-set: B.sk_forward_alloc", "sk_free(): sk->sk_forward_alloc" };

		for (int pct = 0; pct < 2; pct++)
			for (size_t w = 0; w < ARRAY_SIZE(what); w++) {
				bench_world(row);
				sim_lockset_reset();	/* each search starts from nothing */
				sim_lockset_expect(LONG_MAX / 2);
				drv = (typeof(drv)){ .needle = what[w], .t0 = now() };
				b = pct ? (struct budget){ .pct_runs = 2000, .seed = 1, .depth = 3,
							   .pct_only = true, .quiet = true }
					: (struct budget){ .k = 1, .max = 100000, .dfs_only = true,
							   .quiet = true };
				explore_row(row, &b, &out);
				if (drv.found_at)
					printf("  N2 from nothing, %s: \"%s\" at schedule %ld, %.3f s\n",
					       pct ? "PCT d=3" : "DFS K=1", what[w], drv.found_at,
					       drv.found_s);
				else
					printf("  N2 from nothing, %s: \"%s\" not found in %ld schedules\n",
					       pct ? "PCT d=3" : "DFS K=1", what[w], drv.count);
				drv = (typeof(drv)){ 0 };
				bench_world_end();
			}
	}
	return 0;
}

/* Each failure kind with preemptions: search again with a smaller bound
 * (K = 0, 1, ...: iterative deepening, each up to @max schedules) and keep
 * the first schedule failing the same way (same first report line). */
static void minimize(const struct race_row *row, struct sim_explore_result *res, long max)
{
	for (int i = 0; i < res->nkinds; i++) {
		struct sim_explore_failure *f = &res->kinds[i];
		size_t kl = strcspn(f->report, "\n");

		for (int k = 0; k < f->preemptions; k++) {
			struct sim_explore_opts o = { .preemption_bound = k, .max_schedules = max,
						      .quiet = true, .cleanup = race_cleanup };
			struct sim_explore_result r;
			const struct sim_explore_failure *g = NULL;

			sim_explore(race_scenario, (void *)row, &o, &r);
			for (int j = 0; j < r.nkinds && !g; j++)
				if (strcspn(r.kinds[j].report, "\n") == kl &&
				    !strncmp(r.kinds[j].report, f->report, kl))
					g = &r.kinds[j];
			if (g && g->preemptions < f->preemptions) {
				fprintf(stderr, "minimized failure %d: %d -> %d preemption(s)\n", i + 1,
					f->preemptions, g->preemptions);
				f->preemptions = g->preemptions;
				memcpy(f->schedule, g->schedule, sizeof(f->schedule));
				break;
			}
		}
	}
}

static int explorer(int argc, char **argv)
{
	const struct race_row *row = NULL;
	struct budget b = { .k = 2, .max = 100000 };
	struct outcome out;
	bool pct = false;
	long schedules, failures;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--bench")) {
			return bench();
		} else if (!strcmp(a, "--list")) {
			for (size_t j = 0; j < ARRAY_SIZE(rows); j++)
				printf("%s\n", rows[j].name + strlen("test_tcp_bpf_race_"));
			return 0;
		} else if ((!strcmp(a, "--explore") || !strcmp(a, "--pct")) && v) {
			pct = !strcmp(a, "--pct");
			row = find_row(v);
			if (!row) {
				fprintf(stderr, "no scenario %s (--list)\n", v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--k") && v) {
			b.k = atoi(v), i++;
		} else if (!strcmp(a, "--max") && v) {
			b.max = atol(v), i++;
		} else if (!strcmp(a, "--runs") && v) {
			b.pct_runs = atol(v), i++;
		} else if (!strcmp(a, "--seed") && v) {
			b.seed = strtoull(v, NULL, 0), i++;
		} else if (!strcmp(a, "--depth") && v) {
			b.depth = atoi(v), i++;
		} else {
			fprintf(stderr, "usage: %s --list | --explore <scenario> [--k K] [--max N] | --pct <scenario> --runs N [--seed S] [--depth D]\n",
				argv[0]);
			return 2;
		}
	}
	if (!row)
		return 2;
	sim_init();
	sim_world_begin();
	prepare(row);
	cur = row;
	sim_expect_warnings(LONG_MAX / 2);
	sim_lockset_expect(LONG_MAX / 2);
	b.quiet = true;
	drv = (typeof(drv)){ .progress = true, .t0 = now() };
	if (pct) {
		b.pct_only = true;
		if (!b.pct_runs)
			b.pct_runs = 1000;
	} else {
		b.dfs_only = true;
	}
	printf("explore %s: %s%s\n", row->name + strlen("test_tcp_bpf_race_"),
	       pct ? "PCT" : "DFS", getenv("SCHEDULE") ? " (replaying SCHEDULE)" : "");
	explore_row(row, &b, &out);
	if (!getenv("SCHEDULE"))
		minimize(row, pct ? &out.pct : &out.dfs, b.max);
	print_result(pct ? "PCT" : "DFS", pct ? &out.pct : &out.dfs);
	schedules = out.dfs.schedules + out.pct.schedules;
	failures = out.dfs.failures + out.pct.failures;
	if (pct)
		printf("summary: %s PCT runs=%ld seed=%llu depth=%d: %ld schedule(s), %ld distinct end state(s), %ld failing, %.0f schedules/s, %.2f s\n",
		       row->name + strlen("test_tcp_bpf_race_"), b.pct_runs,
		       (unsigned long long)(b.seed ? b.seed : 1), b.depth ? b.depth : 3,
		       schedules, out.pct.end_states, failures, schedules / out.seconds,
		       out.seconds);
	else
		printf("summary: %s DFS K=%d max=%ld: %ld schedule(s)%s, %ld distinct end state(s), %ld failing, %.0f schedules/s, %.2f s\n",
		       row->name + strlen("test_tcp_bpf_race_"), b.k, b.max, schedules,
		       out.dfs.complete ? " (complete)" : "", out.dfs.end_states, failures,
		       schedules / out.seconds, out.seconds);
	sim_expect_warnings(sim_warnings());
	sim_lockset_expect(sim_lockset_reports());
	sim_world_end();
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct CMUnitTest tests[ARRAY_SIZE(rows)];

	if (argc > 1)
		return explorer(argc, argv);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		tests[i] = (struct CMUnitTest){
			.name = rows[i].name, .test_func = test_tcp_bpf_race,
			.setup_func = sim_setup, .teardown_func = sim_teardown,
			.initial_state = (void *)&rows[i],
		};
	return SIM_RUN_GROUP("tcp_bpf_race", tests);
}
