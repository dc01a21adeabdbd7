// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_exp_batch: experiments/0002-tcp_bpf-ingress-batching.patch.
 * Built and run by make check only when EXTRA_PATCHES applies that
 * experiment (experiments/experiments.mk).
 *
 * TX->RX: A's sk_msg verdict redirects to B's ingress. A msg below 256
 * bytes redirected whole is batched on B's psock, without B's socket lock:
 *
 *   A send ---> psock->ingress_batch [64][64]..[64]   rmem, msg_tot_len: counted
 *                     |                                sk_forward_alloc: not yet
 *                     | backlog work, or B's reader (lock_sock(B) once,
 *                     v  sk_mem_charge() each, sk_data_ready() once)
 *               psock->ingress_msg
 *
 * Every test checks the bytes B reads, B's accounting (sk_rmem_alloc,
 * msg_tot_len, sk_forward_alloc), and the fixture's teardown the ledger;
 * the suite runs with the accounting invariants (which count the batch,
 * sim/invariant.c) checked after every step.
 */
#include "sim_test.h"
#include <sim/series.h>
#include <sim/experiments.h>
#include <sim/workqueue.h>

#if !SIM_EXP_INGRESS_BATCH || !SIM_LEVEL_AT_LEAST(FULL)
#error "built only with experiments/0002 on the full series (EXTRA_PATCHES)"
#endif

#define BATCH_BELOW	256	/* TCP_BPF_INGRESS_BATCH */
#define BATCH_BYTES	16384	/* TCP_BPF_INGRESS_BATCH_BYTES */

static struct {
	struct sock *a, *b;
	struct bpf_map *map;
	struct sim_verdict v;
} fx;

static void batch_setup(void)
{
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map,
				     .key = 1, .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.map,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
	sim_set_nonblock(fx.b, true);
}

/* A sends @n messages of @len bytes, stream bytes from @off on. */
static void send_msgs(size_t off, unsigned int n, size_t len)
{
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(sim_send_pattern(fx.a, 0, off + i * len, len, 0), len);
}

static int count(struct list_head *head)
{
	struct list_head *pos;
	int n = 0;

	list_for_each(pos, head)
		n++;
	return n;
}

/* sk_forward_alloc with @charged bytes charged: whole pages scheduled,
 * the rest reclaimed (sk_mem_uncharge() -> sk_mem_reclaim()). */
static int fwd_alloc(u32 charged)
{
	return (PAGE_SIZE - charged % PAGE_SIZE) % PAGE_SIZE;
}

/* B: @batched bytes in @nbatch msgs on the batch, @queued on ingress_msg. */
static void assert_b(u32 batched, int nbatch, u32 queued)
{
	struct sk_psock *psock = sk_psock(fx.b);

	assert_non_null(psock);
	assert_int_equal(psock->batch_len, batched);
	assert_int_equal(count(&psock->ingress_batch), nbatch);
	assert_int_equal(psock->msg_tot_len, batched + queued);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), batched + queued);
	assert_int_equal(fx.b->sk_forward_alloc, fwd_alloc(queued));
}

/* Read @len bytes from B at once: stream bytes [off, off+len). */
static void recv_expect(size_t off, size_t len)
{
	unsigned char *buf = malloc(len + 1);

	assert_non_null(buf);
	assert_int_equal(sim_recv(fx.b, buf, len + 1, MSG_DONTWAIT), len);
	assert_pattern(buf, 0, off, len);
	free(buf);
}

/* 64 sends of 64 B: batched, B's lock not taken, nothing charged to
 * sk_forward_alloc, no sk_data_ready. The backlog work moves them all
 * with one lock_sock() and one sk_data_ready(). */
static void test_tcp_bpf_exp_batch_small_msgs_one_flush(void **state)
{
	unsigned long ready;
	u64 locks;

	(void)state;
	batch_setup();
	ready = fx.b->sim_data_ready;
	send_msgs(0, 64, 64);
	assert_b(4096, 64, 0);
	assert_int_equal(count(&sk_psock(fx.b)->ingress_msg), 0);
	assert_int_equal(fx.b->sim_data_ready, ready);
	assert_true(sim_work_pending());

	locks = sim_stats.lock_sock;
	assert_int_equal(sim_run_work(), 1);
	assert_int_equal(sim_stats.lock_sock - locks, 1);
	assert_int_equal(fx.b->sim_data_ready, ready + 1);
	assert_b(0, 0, 4096);
	assert_int_equal(count(&sk_psock(fx.b)->ingress_msg), 64);
	recv_expect(0, 4096);
	assert_b(0, 0, 0);
}

/* The reader does not wait for the work: recv() moves the batch itself
 * (it holds B's lock); the work, when it runs, finds nothing to move and
 * wakes nobody. */
static void test_tcp_bpf_exp_batch_reader_moves_batch(void **state)
{
	unsigned long ready;

	(void)state;
	batch_setup();
	send_msgs(0, 3, 100);
	assert_b(300, 3, 0);
	recv_expect(0, 300);
	assert_b(0, 0, 0);
	ready = fx.b->sim_data_ready;
	sim_run_work();
	assert_int_equal(fx.b->sim_data_ready, ready);
}

/* FIONREAD and poll count the batch (msg_tot_len, sk_psock_queue_empty). */
static void test_tcp_bpf_exp_batch_fionread_and_poll(void **state)
{
	int inq = -1;

	(void)state;
	batch_setup();

	send_msgs(0, 2, 100);
	assert_int_equal(sim_fionread(fx.b, &inq), 0);
	assert_int_equal(inq, 200);
	assert_true(sim_poll(fx.b) & EPOLLIN);
	recv_expect(0, 200);
}

/* 255 bytes are batched, 256 go to ingress_msg at once; a msg that goes
 * at once takes the batch before it: the bytes keep their order. */
static void test_tcp_bpf_exp_batch_threshold_keeps_order(void **state)
{
	(void)state;
	batch_setup();
	send_msgs(0, 1, BATCH_BELOW - 1);
	assert_b(BATCH_BELOW - 1, 1, 0);
	send_msgs(BATCH_BELOW - 1, 1, BATCH_BELOW);
	assert_b(0, 0, 2 * BATCH_BELOW - 1);
	assert_int_equal(count(&sk_psock(fx.b)->ingress_msg), 2);
	recv_expect(0, 2 * BATCH_BELOW - 1);
}

/* A batch of 16 KiB is moved by the sender that fills it. */
static void test_tcp_bpf_exp_batch_full_moved_by_sender(void **state)
{
	const unsigned int n = BATCH_BYTES / 128;

	(void)state;
	batch_setup();
	send_msgs(0, n - 1, 128);
	assert_b((n - 1) * 128, n - 1, 0);
	send_msgs((n - 1) * 128, 1, 128);
	assert_b(0, 0, BATCH_BYTES);
	recv_expect(0, BATCH_BYTES);
}

static void a_sends_100(void *arg)
{
	(void)arg;
	sim_set_sleep_hook(NULL, NULL);		/* once */
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
}

/* A reader asleep when a batch starts is woken at once and moves it. */
static void test_tcp_bpf_exp_batch_sleeping_reader_woken(void **state)
{
	unsigned char buf[101];

	(void)state;
	batch_setup();
	sim_set_nonblock(fx.b, false);
	sim_set_sleep_hook(a_sends_100, NULL);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), 0), 100);
	assert_pattern(buf, 0, 0, 100);
	assert_b(0, 0, 0);
}

/* No memory to charge the batch (__sk_mem_schedule() fails): it stays
 * batched, counted, in order; the reader gets -EAGAIN, the work tries
 * again a jiffy later and moves it. */
static void test_tcp_bpf_exp_batch_charge_failure_retried(void **state)
{
	unsigned char buf[16];

	(void)state;
	batch_setup();
	send_msgs(0, 4, 100);
	sim_fail_alloc(SIM_SOCK, 0, 2);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
	assert_int_equal(sim_run_work(), 1);
	assert_b(400, 4, 0);
	assert_int_equal(sim_run_work(), 0);	/* not due yet */
	sim_advance_jiffies(1);
	assert_int_equal(sim_run_work(), 1);
	assert_b(0, 0, 400);
	recv_expect(0, 400);
}

/* The error path: B's psock stopped (as sk_psock_drop() does first, while
 * A's redirect is on its way to it): the msg is not batched, its bytes
 * come off sk_rmem_alloc again and its pages are freed. The send counts
 * them as sent, as sk_psock_queue_msg()'s failure does. */
static void test_tcp_bpf_exp_batch_psock_stopped(void **state)
{
	(void)state;
	batch_setup();
	send_msgs(0, 1, 100);
	sk_psock_stop(sk_psock(fx.b));
	send_msgs(100, 1, 100);
	assert_b(100, 1, 0);
	assert_int_equal(sim_live(SIM_SK_MSG), 1);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
}

/* Closing B with msgs batched: sk_psock_destroy() purges the batch,
 * giving back sk_rmem_alloc and msg_tot_len (never sk_forward_alloc,
 * never charged); every page comes back (the teardown's ledger). */
static void test_tcp_bpf_exp_batch_close_with_batch(void **state)
{
	(void)state;
	batch_setup();
	send_msgs(0, 5, 100);
	assert_b(500, 5, 0);
	sim_close(fx.b);
	sim_quiesce();
	assert_int_equal(sim_live(SIM_SK_MSG), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_exp_batch_small_msgs_one_flush),
		SIM_TEST(test_tcp_bpf_exp_batch_reader_moves_batch),
		SIM_TEST(test_tcp_bpf_exp_batch_fionread_and_poll),
		SIM_TEST(test_tcp_bpf_exp_batch_threshold_keeps_order),
		SIM_TEST(test_tcp_bpf_exp_batch_full_moved_by_sender),
		SIM_TEST(test_tcp_bpf_exp_batch_sleeping_reader_woken),
		SIM_TEST(test_tcp_bpf_exp_batch_charge_failure_retried),
		SIM_TEST(test_tcp_bpf_exp_batch_psock_stopped),
		SIM_TEST(test_tcp_bpf_exp_batch_close_with_batch),
	};

	return SIM_RUN_GROUP_INVARIANTS("tcp_bpf_exp_batch", tests);
}
