// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_txrx: the TX->RX path. A sends through tcp_bpf_sendmsg(); its
 * sk_msg verdict redirects to B's ingress (bpf_tcp_ingress ->
 * B's psock->ingress_msg); B reads through tcp_bpf_recvmsg().
 *
 *   A (slot 0) --sendmsg--> [msg verdict: redirect slot 1, BPF_F_INGRESS]
 *                                      |
 *   B (slot 1) <--recvmsg-- ingress_msg
 */
#include "sim_test.h"

struct txrx {
	struct sock *a, *b;
	struct bpf_map *map;
	struct sim_verdict v;
};

static struct txrx fx;

/* A and B: the two ends of a loopback pair, both in the map. */
static void txrx_setup(enum sim_action action, u32 apply, u32 cork)
{
	struct bpf_prog *prog;

	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = action, .map = fx.map, .key = 1,
				     .flags = BPF_F_INGRESS, .apply_bytes = apply,
				     .cork_bytes = cork };
	prog = sim_prog_msg_verdict(&fx.v);
	assert_int_equal(sim_prog_attach(prog, fx.map, BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
}

static u32 msg_tot_len(struct sock *sk)
{
	struct sk_psock *psock = sk_psock(sk);

	return psock ? psock->msg_tot_len : 0;
}

static void test_tcp_bpf_txrx_whole(void **state)
{
	char buf[200];

	(void)state;
	txrx_setup(SIM_REDIRECT, 0, 0);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), 100);
	assert_int_equal(msg_tot_len(fx.b), 100);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 100);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), 100);
	assert_pattern(buf, 0, 0, 100);
	assert_int_equal(msg_tot_len(fx.b), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
	assert_int_equal(sim_recv(fx.b, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_txrx_whole),
	};

	return SIM_RUN_GROUP("tcp_bpf_txrx", tests);
}
