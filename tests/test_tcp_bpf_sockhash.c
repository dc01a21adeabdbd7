// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_sockhash: the same data paths through a SOCKHASH keyed by
 * 4-tuple, as the "TCP stack bypass" deployments use it
 * (bpf_msg_redirect_hash / bpf_sk_redirect_hash), and the hash's own
 * life cycle: update, replace, delete, close.
 */
#include "sim_test.h"
#include <sim/pipe.h>
#include <sim/series.h>
#include "sim_bypass.h"
#include <linux/jhash.h>

struct tuple {
	u32 sip, dip;
	u16 sport, dport;
};

static const struct tuple key_a = { 0x0100007f, 0x0100007f, 40000, 80 };
static const struct tuple key_b = { 0x0100007f, 0x0100007f, 80, 40000 };

static struct {
	struct sock *a, *b;
	struct bpf_map *hash;
	struct sim_verdict v;
} fx;

/* A and B (a loopback pair) in a SOCKHASH; A's sk_msg verdict redirects to
 * B's ingress by B's key. */
static void hash_setup(void)
{
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.hash = sim_sockhash_create(8, sizeof(struct tuple));
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.hash,
				     .hkey = &key_b, .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.hash,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_hash_update(fx.hash, &key_a, fx.a, BPF_NOEXIST), 0);
	assert_int_equal(sim_hash_update(fx.hash, &key_b, fx.b, BPF_NOEXIST), 0);
}

static void recv_expect(struct sock *sk, size_t off, size_t len)
{
	unsigned char buf[4096];

	assert_true(len < sizeof(buf));
	assert_int_equal(sim_recv(sk, buf, sizeof(buf), MSG_DONTWAIT), len);
	assert_pattern(buf, 0, off, len);
}

/* TX->RX through bpf_msg_redirect_hash(): B receives on its ingress. */
static void test_tcp_bpf_sockhash_msg_redirect_ingress(void **state)
{
	(void)state;
	hash_setup();
	assert_ptr_equal(sim_hash_lookup(fx.hash, &key_b), fx.b);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 1000, 0), 1000);
	assert_int_equal(sk_psock(fx.b)->msg_tot_len, 1000);
	recv_expect(fx.b, 0, 1000);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* RX->RX through bpf_sk_redirect_hash(): an skb arriving on A goes to B's
 * ingress through B's backlog. */
static void test_tcp_bpf_sockhash_skb_redirect_ingress(void **state)
{
	struct sim_verdict v;
	void *data = sim_pattern_buf(0, 0, 1500);
	struct sock *c, *d;
	int ret;

	(void)state;
	sim_tcp_pair(&c, &fx.a, "C", "A");
	sim_tcp_pair(&fx.b, &d, "B", "D");
	fx.hash = sim_sockhash_create(8, sizeof(struct tuple));
	v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.hash,
				  .hkey = &key_b, .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(&v), fx.hash,
					 BPF_SK_SKB_VERDICT), 0);
	assert_int_equal(sim_hash_update(fx.hash, &key_a, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_hash_update(fx.hash, &key_b, fx.b, BPF_ANY), 0);
	ret = sim_inject_skb(fx.a, data, 1500, 100, 1400);
	free(data);
	assert_int_equal(ret, 0);
	assert_int_equal(sim_run_work(), 1);
	recv_expect(fx.b, 0, 1500);
}

/* Update flags: BPF_NOEXIST on a present key, BPF_EXIST on an absent one
 * (with a socket C not yet in the map; the failed updates leave it out).
 * Adding A again, already linked with the same program type, is -EBUSY
 * before any key check (sock_map_link()). */
static void test_tcp_bpf_sockhash_update_flags(void **state)
{
	static const struct tuple other = { 1, 2, 3, 4 };
	struct sock *c, *d;

	(void)state;
	hash_setup();
	sim_tcp_pair(&c, &d, "C", "D");
	assert_int_equal(sim_hash_update(fx.hash, &key_a, c, BPF_NOEXIST), -EEXIST);
	assert_int_equal(sim_hash_update(fx.hash, &other, c, BPF_EXIST), -ENOENT);
	sim_quiesce();
	assert_null(sk_psock(c));
	assert_int_equal(sim_hash_update(fx.hash, &other, fx.a, BPF_ANY), -EBUSY);
	assert_int_equal(sim_hash_delete(fx.hash, &other), -ENOENT);
}

/* Replacing B's element by C drops B's link: B's psock goes away and
 * redirects by B's key now reach C. */
static void test_tcp_bpf_sockhash_replace_unlinks_old(void **state)
{
	struct sock *c, *d;

	(void)state;
	hash_setup();
	sim_tcp_pair(&c, &d, "C", "D");
	assert_int_equal(sim_hash_update(fx.hash, &key_b, c, BPF_EXIST), 0);
	sim_quiesce();
	assert_ptr_equal(sim_hash_lookup(fx.hash, &key_b), c);
	assert_null(sk_psock(fx.b));
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 300, 0), 300);
	recv_expect(c, 0, 300);
}

/* Deleting B's key: redirects to it drop, the psock is gone. */
static void test_tcp_bpf_sockhash_delete_then_send_drops(void **state)
{
	(void)state;
	hash_setup();
	assert_int_equal(sim_hash_delete(fx.hash, &key_b), 0);
	sim_quiesce();
	assert_null(sk_psock(fx.b));
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 100, 0), -EACCES);
}

/* Closing B removes its element (sock_map_close -> remove links). */
static void test_tcp_bpf_sockhash_close_removes_elem(void **state)
{
	(void)state;
	hash_setup();
	sim_close(fx.b);
	assert_null(sim_hash_lookup(fx.hash, &key_b));
	assert_ptr_equal(sim_hash_lookup(fx.hash, &key_a), fx.a);
}

/* max_entries bounds the hash. */
static void test_tcp_bpf_sockhash_full_e2big(void **state)
{
	struct tuple k = { 9, 9, 9, 0 };

	(void)state;
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.hash = sim_sockhash_create(1, sizeof(struct tuple));
	assert_int_equal(sim_hash_update(fx.hash, &k, fx.a, BPF_ANY), 0);
	k.dport = 1;
	assert_int_equal(sim_hash_update(fx.hash, &k, fx.b, BPF_ANY), -E2BIG);
	assert_null(sk_psock(fx.b));
}

#define MANY_PAIRS	31
#define MANY_SOCKS	(2 * MANY_PAIRS)

/*
 * Many keys, shared buckets: 62 sockets and a sender in a SOCKHASH of 64
 * entries, so 64 buckets (sock_hash_alloc(): roundup_pow_of_two), keys
 * 0..61 (u32); jhash puts several keys in one bucket, which the test
 * checks. The sender's sk_msg verdict redirects to each key in turn
 * (sock_hash_lookup_elem()'s bucket walk), every socket receives exactly
 * its bytes; deleting every other key (sock_hash_delete_elem() unlinks
 * from a shared bucket) and closing four sockets still in the hash
 * (sock_hash_delete_from_link() from sock_map_close()) leave the rest
 * found, and the deleted keys' redirects are dropped.
 */
static void test_tcp_bpf_sockhash_many_keys_share_buckets(void **state)
{
	static const u32 key_s = 1000;
	struct sock *s, *s2, *sk[MANY_SOCKS];
	unsigned int per_bucket[64] = { 0 }, shared = 0;
	bool open[MANY_SOCKS];
	u32 target;

	(void)state;
	sim_tcp_pair(&s, &s2, "S", "S2");
	fx.hash = sim_sockhash_create(64, sizeof(u32));
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.hash,
				     .hkey = &target, .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.hash,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_hash_update(fx.hash, &key_s, s, BPF_NOEXIST), 0);
	for (u32 i = 0; i < MANY_SOCKS; i += 2) {
		sim_tcp_pair(&sk[i], &sk[i + 1], "K", "K'");
		for (u32 j = i; j < i + 2; j++) {
			assert_int_equal(sim_hash_update(fx.hash, &j, sk[j], BPF_NOEXIST), 0);
			open[j] = true;
			per_bucket[jhash(&j, sizeof(j), 0) & 63]++;
		}
	}
	for (int b = 0; b < 64; b++)
		shared += per_bucket[b] > 1;
	assert_true(shared > 0);

	for (target = 0; target < MANY_SOCKS; target++)
		assert_int_equal(sim_send_pattern(s, 0, 100 * target, 100, 0), 100);
	for (u32 i = 0; i < MANY_SOCKS; i++) {
		assert_ptr_equal(sim_hash_lookup(fx.hash, &i), sk[i]);
		recv_expect(sk[i], 100 * i, 100);
	}

	for (u32 i = 0; i < MANY_SOCKS; i += 2)
		assert_int_equal(sim_hash_delete(fx.hash, &i), 0);
	for (u32 i = 1; i < 8; i += 2) {
		sim_close(sk[i]);
		open[i] = false;
	}
	sim_quiesce();
	for (u32 i = 0; i < MANY_SOCKS; i++) {
		bool in = i % 2 && open[i];

		assert_ptr_equal(sim_hash_lookup(fx.hash, &i), in ? sk[i] : NULL);
		if (!in)
			continue;
		target = i;
		assert_int_equal(sim_send_pattern(s, 0, 0, 10, 0), 10);
		recv_expect(sk[i], 0, 10);
	}
	/* last: below level fixes one SK_DROP sticks (fixes/0007) */
	target = 8;	/* deleted; it and its peer open */
	assert_int_equal(sim_send_pattern(s, 0, 0, 10, 0), -EACCES);
	assert_int_equal(sim_recv(sk[8], (char[1]){ 0 }, 1, MSG_DONTWAIT), -EAGAIN);
	for (u32 i = 0; i < MANY_SOCKS; i++)
		if (open[i])
			sim_close(sk[i]);
	sim_close(s);
	sim_close(s2);
}

static struct sim_bypass bp;

/* The deployment of the seed's bug report: sockops fills a SOCKHASH with
 * every established socket (the server's accepted one at
 * PASSIVE_ESTABLISHED, before accept()), an sk_msg program sends each
 * message straight to the peer's ingress. Both directions bypass TCP. */
static void test_tcp_bpf_sockhash_sockops_stack_bypass(void **state)
{
	struct sock *l;

	(void)state;
	assert_int_equal(sim_bypass_setup(&bp, 8), 0);
	l = sim_tcp_listen("L");	/* TCP_LISTEN_CB: not inserted */
	/* established: both inserted, B before it is accepted */
	sim_bypass_connect(l, &fx.a, &fx.b, "A", "B");
	assert_int_equal(bp.ops->runs, 3);
	assert_non_null(sk_psock(fx.a));
	assert_non_null(sk_psock(fx.b));
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 700, 0), 700);
	assert_true(skb_queue_empty(&fx.b->sk_receive_queue));	/* no TCP */
	assert_int_equal(sk_psock(fx.b)->msg_tot_len, 700);
	recv_expect(fx.b, 0, 700);
	assert_int_equal(sim_send_pattern(fx.b, 0, 0, 300, 0), 300);
	recv_expect(fx.a, 0, 300);
	assert_int_equal(bp.msg->runs, 2);
}

/* One hop of a Go io.Copy-style proxy: splice(from -> pipe), then
 * splice(pipe -> to). Returns the bytes moved (or the first error). */
static ssize_t proxy_copy(struct sock *from, struct sock *to,
			  struct pipe_inode_info *pipe, size_t len)
{
	ssize_t in = sim_splice_read(from, pipe, len, SPLICE_F_NONBLOCK);

	if (in <= 0)
		return in;
	assert_int_equal(sim_splice_to_socket(pipe, to, in, SPLICE_F_NONBLOCK), in);
	return in;
}

/* client C <-> P1 [proxy] P2 <-> server S, all four sockets put in the
 * SOCKHASH by sockops, every message sent to the peer's ingress. The proxy
 * moves both directions by splicing. With the series every byte arrives;
 * on pristine 6.12.117 the proxy's splice moves nothing (the bug of the
 * seed: Go's io.Copy returns 0), while recv() would have the data. */
static void test_tcp_bpf_sockhash_splicing_proxy(void **state)
{
	struct pipe_inode_info *up, *down;
	struct sock *c, *p1, *p2, *srv, *lp, *ls;
	(void)state;
	assert_int_equal(sim_bypass_setup(&bp, 8), 0);
	lp = sim_tcp_listen("proxy-listen");
	ls = sim_tcp_listen("server-listen");
	sim_bypass_connect(lp, &c, &p1, "client", "proxy-in");
	sim_bypass_connect(ls, &p2, &srv, "proxy-out", "server");
	sim_set_nonblock(p1, true);
	sim_set_nonblock(p2, true);
	up = sim_pipe_create(PIPE_DEF_BUFFERS);
	down = sim_pipe_create(PIPE_DEF_BUFFERS);

	assert_int_equal(sim_send_pattern(c, 0, 0, 3000, 0), 3000);
	if (!SIM_LEVEL_AT_LEAST(COPY)) {
		assert_int_equal(proxy_copy(p1, p2, up, 3000), -EAGAIN);
		assert_int_equal(sk_psock(p1)->msg_tot_len, 3000);
		recv_expect(p1, 0, 3000);	/* recv() had it all along */
		return;
	}
	assert_int_equal(proxy_copy(p1, p2, up, 3000), 3000);
	recv_expect(srv, 0, 3000);
	assert_int_equal(sim_send_pattern(srv, 0, 0, 2000, 0), 2000);
	assert_int_equal(proxy_copy(p2, p1, down, 2000), 2000);
	recv_expect(c, 0, 2000);
	assert_int_equal(sim_pipe_nr_bufs(up) + sim_pipe_nr_bufs(down), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_sockhash_msg_redirect_ingress),
		SIM_TEST(test_tcp_bpf_sockhash_skb_redirect_ingress),
		SIM_TEST(test_tcp_bpf_sockhash_update_flags),
		SIM_TEST(test_tcp_bpf_sockhash_replace_unlinks_old),
		SIM_TEST(test_tcp_bpf_sockhash_delete_then_send_drops),
		SIM_TEST(test_tcp_bpf_sockhash_close_removes_elem),
		SIM_TEST(test_tcp_bpf_sockhash_full_e2big),
		SIM_TEST(test_tcp_bpf_sockhash_many_keys_share_buckets),
		SIM_TEST(test_tcp_bpf_sockhash_sockops_stack_bypass),
		SIM_TEST(test_tcp_bpf_sockhash_splicing_proxy),
	};

	return SIM_RUN_GROUP_INVARIANTS("tcp_bpf_sockhash", tests);
}
