// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_exp_lockless: experiments/0003-tcp_bpf-lockless-ingress-accounting.patch.
 * Built and run by make check only when EXTRA_PATCHES applies that
 * experiment (experiments/experiments.mk).
 *
 * TX->RX: A's sk_msg verdict redirects to B's ingress. bpf_tcp_ingress()
 * takes no lock_sock(B): the msg is charged to B's psock's own forward
 * allocation, ingress_fwd (atomic), topped up in whole pages straight from
 * tcp_memory_allocated; B's reader gives the bytes back and whole pages go
 * back. B's sk_forward_alloc is never touched by these msgs.
 *
 *   send 2000: ingress_fwd 0 - 2000 < 0 -> +1 page: 2096    tcp mem +1
 *   send 2000: 2096 - 2000 = 96                            tcp mem +1
 *   send 2000: 96 - 2000 < 0 -> +1 page: 2192              tcp mem +2
 *   read 3000: 5192 -> 1 whole page back: 1096             tcp mem +1
 *   read 3000: 4096 -> 1 whole page back: 0                tcp mem  0
 *
 * Every test checks the bytes B reads and the accounting (sk_rmem_alloc,
 * sk_forward_alloc, ingress_fwd, tcp_memory_allocated); the fixture's
 * teardown the ledger and tcp_memory_allocated back to 0.
 */
#include "sim_test.h"
#include <sim/series.h>
#include <sim/experiments.h>

#if !SIM_EXP_LOCKLESS_INGRESS || !SIM_LEVEL_AT_LEAST(FULL)
#error "built only with experiments/0003 on the full series (EXTRA_PATCHES)"
#endif

static struct {
	struct sock *a, *b;
	struct bpf_map *map;
	struct sim_verdict v;
} fx;

static void lockless_setup(void)
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

static int ingress_fwd(void)
{
	return atomic_read(&sk_psock(fx.b)->ingress_fwd);
}

/* B: @queued bytes on ingress_msg, @fwd in the psock's reserve, nothing
 * on sk_forward_alloc. */
static void assert_b(u32 queued, int fwd)
{
	assert_int_equal(sk_psock(fx.b)->msg_tot_len, queued);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), queued);
	assert_int_equal(ingress_fwd(), fwd);
	assert_int_equal(fx.b->sk_forward_alloc, 0);
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

/* Read exactly @len bytes from B, more being queued. */
static void recv_part(size_t off, size_t len)
{
	unsigned char *buf = malloc(len);

	assert_non_null(buf);
	assert_int_equal(sim_recv(fx.b, buf, len, MSG_DONTWAIT), len);
	assert_pattern(buf, 0, off, len);
	free(buf);
}

/* One send of 64 B takes A's lock twice (tcp_bpf_sendmsg() drops it
 * around the redirect) and B's not at all (the full series: three). */
static void test_tcp_bpf_exp_lockless_redirect_takes_no_lock(void **state)
{
	long mem;
	u64 locks;

	(void)state;
	lockless_setup();
	mem = sim_tcp_memory_allocated();
	locks = sim_stats.lock_sock;
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 64, 0), 64);
	assert_int_equal(sim_stats.lock_sock - locks, 2);
	assert_b(64, PAGE_SIZE - 64);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
	assert_int_equal(sim_tcp_memory_allocated(), mem + 1);
	recv_expect(0, 64);
	assert_b(0, 0);
	assert_int_equal(sim_tcp_memory_allocated(), mem);
}

/* The reserve across msgs and reads, as in the header's table. */
static void test_tcp_bpf_exp_lockless_reserve_in_whole_pages(void **state)
{
	long mem;

	(void)state;
	lockless_setup();
	mem = sim_tcp_memory_allocated();
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 2000, 0), 2000);
	assert_b(2000, 2096);
	assert_int_equal(sim_send_pattern(fx.a, 0, 2000, 2000, 0), 2000);
	assert_b(4000, 96);
	assert_int_equal(sim_tcp_memory_allocated(), mem + 1);
	assert_int_equal(sim_send_pattern(fx.a, 0, 4000, 2000, 0), 2000);
	assert_b(6000, 2192);
	assert_int_equal(sim_tcp_memory_allocated(), mem + 2);
	recv_part(0, 3000);
	assert_b(3000, 1096);
	assert_int_equal(sim_tcp_memory_allocated(), mem + 1);
	recv_expect(3000, 3000);
	assert_b(0, 0);
	assert_int_equal(sim_tcp_memory_allocated(), mem);
}

/* tcp_mem as the sim starts it (sim/tcp.c sysctl_tcp_mem, pages). */
static int limits_teardown(void **state)
{
	sim_tcp_set_mem_limits(1L << 20, 1L << 21, 1L << 22);
	return sim_teardown(state);
}

/* The error path: tcp_memory_allocated at its hard limit once A's own
 * send has its page. The top-up fails, the charge is undone (the page
 * back to tcp_memory_allocated, the bytes back to the reserve), the msg
 * is refused (-ENOMEM) and nothing stays charged anywhere. Below the
 * limit again, the next send goes through. */
static void test_tcp_bpf_exp_lockless_hard_limit_refused(void **state)
{
	long mem;

	(void)state;
	lockless_setup();
	mem = sim_tcp_memory_allocated();
	sim_tcp_set_mem_limits(0, 0, mem + 1);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -ENOMEM);
	assert_b(0, 0);
	assert_int_equal(fx.a->sk_forward_alloc, 0);
	assert_int_equal(sim_tcp_memory_allocated(), mem);
	sim_tcp_set_mem_limits(1L << 20, 1L << 21, 1L << 22);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	recv_expect(0, 100);
	assert_b(0, 0);
	assert_int_equal(sim_tcp_memory_allocated(), mem);
}

/* Closing B with msgs unread: sk_psock_destroy() purges them and gives
 * the reserve back whole (B's pages back to tcp_memory_allocated). */
static void test_tcp_bpf_exp_lockless_close_with_unread(void **state)
{
	long mem;

	(void)state;
	lockless_setup();
	mem = sim_tcp_memory_allocated();
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 5000, 0), 5000);
	assert_int_equal(sim_tcp_memory_allocated(), mem + 2);
	sim_close(fx.b);
	sim_quiesce();
	assert_int_equal(sim_live(SIM_SK_MSG), 0);
	/* B's two pages back; A holds one for the FIN B sent it */
	assert_int_equal(atomic_read(&fx.a->sk_rmem_alloc), fx.a->sk_forward_alloc ?
			 PAGE_SIZE - fx.a->sk_forward_alloc : 0);
	assert_int_equal(sim_tcp_memory_allocated(), mem + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_exp_lockless_redirect_takes_no_lock),
		SIM_TEST(test_tcp_bpf_exp_lockless_reserve_in_whole_pages),
		cmocka_unit_test_setup_teardown(test_tcp_bpf_exp_lockless_hard_limit_refused,
						sim_setup, limits_teardown),
		SIM_TEST(test_tcp_bpf_exp_lockless_close_with_unread),
	};

	return SIM_RUN_GROUP_INVARIANTS("tcp_bpf_exp_lockless", tests);
}
