// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_regressions: every crash the fuzzer (tests/fuzz/) found, as a named
 * test. Each says what the fuzzer's input was, what was wrong, and where
 * it was fixed; below the fixing patch's level it asserts the 6.12.117
 * behaviour.
 */
#include "sim_test.h"

static struct {
	struct sock *a, *b;
	struct bpf_map *map;
	struct sim_verdict v;
} fx;

/* TX->RX: A's sk_msg verdict redirects to B's ingress with @apply/@cork. */
static void txrx_setup(u32 apply, u32 cork)
{
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map, .key = 1,
				     .flags = BPF_F_INGRESS, .apply_bytes = apply,
				     .cork_bytes = cork };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.map,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
}

/* fuzz_world, found in 2 s: "world apply=700 cork=3000; fail sk_msg 0 1;
 * send 1; send 1" leaked a page. The first send's cork cannot be
 * allocated: -ENOMEM, but 6.12.117 has already set psock->cork_bytes. The
 * second send then returns its byte as sent and leaves it, with its page
 * reference, in the on-stack msg: lost and leaked. Fixed by patch 11. */
static void test_fuzz_cork_alloc_failure_keeps_no_cork_bytes(void **state)
{
	struct sk_psock *psock;
	struct page *frag;
	int fwd;

	(void)state;
	txrx_setup(700, 3000);
	psock = sk_psock(fx.a);
	sim_fail_alloc(SIM_SK_MSG, 0, 1);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 1, MSG_DONTWAIT), -ENOMEM);
	assert_null(psock->cork);
	if (SIM_SERIES_APPLIED >= 11) {
		assert_int_equal(psock->cork_bytes, 0);
		/* the verdict stands (redirect, 700 bytes): the byte goes */
		assert_int_equal(sim_send_pattern(fx.a, 0, 0, 1, MSG_DONTWAIT), 1);
		assert_null(psock->cork);
		assert_int_equal(sk_psock(fx.b)->msg_tot_len, 1);
		return;
	}
	assert_int_equal(psock->cork_bytes, 2999);	/* and no cork */
	fwd = fx.a->sk_forward_alloc;
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 1, MSG_DONTWAIT), 1);
	assert_null(psock->cork);
	assert_int_equal(psock->cork_bytes, 2998);
	assert_int_equal(sk_psock(fx.b)->msg_tot_len, 0);	/* the byte is nowhere */
	/* its element's reference on the task's page fragment is never
	 * dropped (the leak the fuzzer saw), and its byte stays charged to A.
	 * Undo both, so the teardown checks everything else. */
	assert_int_equal((fwd - fx.a->sk_forward_alloc + PAGE_SIZE) % PAGE_SIZE, 1);
	frag = current->task_frag.page;
	assert_non_null(frag);
	put_page(frag);
	sk_mem_uncharge(fx.a, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_fuzz_cork_alloc_failure_keeps_no_cork_bytes),
	};

	return SIM_RUN_GROUP("fuzz_regressions", tests);
}
