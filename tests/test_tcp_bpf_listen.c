// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_listen: the passive side as a server sees it. A listener's child
 * is cloned from it (sk_clone_lock(), tcp_create_openreq_child() with the
 * real tcp_bpf_clone()), established and shown to the sockops programs at
 * BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB while it waits in the accept queue
 * without a struct socket (sk->sk_socket == NULL), and gets its socket at
 * accept(). Data that arrives before accept(); sockops putting the child in
 * a SOCKMAP or SOCKHASH before accept(); redirects to and from a child not
 * yet accepted; a listener in a map and what its children inherit; a
 * listener closed with children it never handed out (inet_csk_listen_stop:
 * tcp_disconnect, sock_orphan, inet_csk_destroy_sock -> sk_prot->destroy,
 * sock_map_destroy for a child in a map).
 *
 *   client --connect--> listener          accept queue: [child]
 *      |                                   child: ESTABLISHED, no socket,
 *      +---- loopback wire ----> child     psock if sockops inserted it
 */
#include "sim_test.h"
#include <sim/series.h>
#include "sim_bypass.h"

static void recv_expect(struct sock *sk, unsigned int stream, size_t off, size_t len)
{
	unsigned char buf[8192];

	assert_true(len < sizeof(buf));
	assert_int_equal(sim_recv(sk, buf, sizeof(buf), MSG_DONTWAIT), len);
	assert_pattern(buf, stream, off, len);
}

/* Bytes the receive queue of @sk holds (skb->len summed). */
static size_t rcvq_bytes(struct sock *sk)
{
	struct sk_buff *skb;
	size_t n = 0;

	skb_queue_walk(&sk->sk_receive_queue, skb)
		n += skb->len;
	return n;
}

static size_t rcvq_truesize(struct sock *sk)
{
	struct sk_buff *skb;
	size_t n = 0;

	skb_queue_walk(&sk->sk_receive_queue, skb)
		n += skb->truesize;
	return n;
}

/* A sockops program that records each op and the socket's state then, and
 * puts every passive child into ->map (SOCKMAP: key next_key++; SOCKHASH:
 * its 4-tuple), as a bypass or a proxy does. */
struct ops_rec {
	struct bpf_map *map;
	u32 next_key;
	int nr;
	int op[8];
	int state[8];
	long ret[8];
};

static unsigned int sockops_record(const struct bpf_prog *prog, void *ctx)
{
	struct ops_rec *r = prog->priv;
	struct bpf_sock_ops_kern *sops = ctx;
	int i = r->nr++;

	assert_true(i < 8);
	r->op[i] = sops->op;
	r->state[i] = sops->sk->sk_state;
	if (sops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB || !r->map)
		return 1;
	if (r->map->map_type == BPF_MAP_TYPE_SOCKHASH) {
		struct sim_tuple key = sim_sk_tuple(sops->sk, false);

		r->ret[i] = bpf_sock_hash_update(sops, r->map, &key, BPF_NOEXIST);
	} else {
		u32 key = r->next_key++;

		r->ret[i] = bpf_sock_map_update(sops, r->map, &key, BPF_NOEXIST);
	}
	return 1;
}

static struct ops_rec rec;

static void sockops_record_attach(struct bpf_map *map, u32 first_key)
{
	rec = (struct ops_rec){ .map = map, .next_key = first_key };
	sim_sockops_attach(sim_prog_load(BPF_PROG_TYPE_SOCK_OPS, sockops_record,
					 &rec, "sockops_record"));
}

/* A client's data arrives before accept(): it waits on the child's
 * sk_receive_queue, charged to the child; the listener is readable (one
 * wake-up, the child queued); accept() hands the child out with its socket
 * and recv() reads every byte. */
static void test_tcp_bpf_listen_accept_after_data(void **state)
{
	struct sock *l, *c, *child, *acc;
	int err;

	(void)state;
	l = sim_tcp_listen("L");
	sim_set_nonblock(l, true);
	assert_int_equal(l->sk_state, TCP_LISTEN);
	assert_int_equal(sim_poll(l), 0);
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_non_null(child);
	assert_int_equal(child->sk_state, TCP_ESTABLISHED);
	assert_null(child->sk_socket);
	assert_null(child->sk_wq);
	assert_ptr_equal(child->sk_prot, &tcp_prot);
	assert_int_equal(l->sk_ack_backlog, 1);
	assert_int_equal(l->sim_data_ready, 1);	/* tcp_child_process() */
	assert_int_equal(sim_stats.data_ready, 1);	/* sock_def_readable() */
	assert_int_equal(sim_poll(l), EPOLLIN | EPOLLRDNORM);

	assert_int_equal(sim_send_pattern(c, 0, 0, 1500, 0), 1500);
	assert_int_equal(rcvq_bytes(child), 1500);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), rcvq_truesize(child));
	assert_int_equal(tcp_sk(child)->rcv_nxt, 1500);
	assert_int_equal(tcp_sk(child)->copied_seq, 0);
	assert_int_equal(child->sim_data_ready, 1);	/* no one to wake */
	assert_int_equal(sim_stats.data_ready, 2);

	acc = sim_tcp_accept_err(l, &err);
	assert_int_equal(err, 0);
	assert_ptr_equal(acc, child);
	assert_ptr_equal(child->sk_socket->sk, child);
	assert_non_null(child->sk_wq);
	assert_int_equal(child->sk_socket->state, SS_CONNECTED);
	assert_int_equal(l->sk_ack_backlog, 0);
	assert_int_equal(sim_poll(l), 0);
	assert_null(sim_tcp_accept_err(l, &err));
	assert_int_equal(err, -EAGAIN);

	recv_expect(child, 0, 0, 1500);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
	assert_int_equal(child->sk_forward_alloc, 0);
	/* and the other way */
	assert_int_equal(sim_send_pattern(child, 1, 0, 700, 0), 700);
	recv_expect(c, 1, 0, 700);
}

/* The bypass (sockops -> SOCKHASH by 4-tuple, sk_msg to the peer's
 * ingress) with a real server: the sockops program sees the child at
 * PASSIVE_ESTABLISHED while it is still TCP_SYN_RECV (tcp_init_transfer()
 * runs before tcp_set_state(TCP_ESTABLISHED)) and without a socket, and
 * inserts it; the client's first message goes to the child's ingress
 * before accept(), and is read after it. */
static void test_tcp_bpf_listen_sockops_insert_sockhash_before_accept(void **state)
{
	struct bpf_map *hash;
	struct sock *l, *c, *child;
	struct sim_tuple kc, ks;
	struct sim_bypass bp = {};

	(void)state;
	assert_int_equal(sim_bypass_setup(&bp, 8), 0);
	hash = bp.hash;
	l = sim_tcp_listen("L");
	assert_int_equal(bp.ops->runs, 1);	/* TCP_LISTEN_CB: not inserted */
	assert_null(sk_psock(l));
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_int_equal(bp.ops->runs, 3);	/* ACTIVE, then PASSIVE */
	kc = sim_sk_tuple(c, false);
	ks = sim_sk_tuple(child, false);
	assert_ptr_equal(sim_hash_lookup(hash, &kc), c);
	assert_ptr_equal(sim_hash_lookup(hash, &ks), child);
	assert_null(child->sk_socket);
	assert_non_null(sk_psock(child));
	assert_ptr_not_equal(child->sk_prot, &tcp_prot);	/* tcp_bpf */

	assert_int_equal(sim_send_pattern(c, 0, 0, 900, 0), 900);
	assert_int_equal(bp.msg->runs, 1);
	assert_int_equal(sk_psock(child)->msg_tot_len, 900);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 900);
	assert_true(skb_queue_empty(&child->sk_receive_queue));	/* no TCP */
	assert_int_equal(child->sim_data_ready, 1);	/* saved sock_def_readable, nothing to wake */

	assert_ptr_equal(sim_tcp_accept(l), child);
	recv_expect(child, 0, 0, 900);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
	assert_int_equal(sim_send_pattern(child, 1, 0, 400, 0), 400);
	assert_int_equal(bp.msg->runs, 2);
	recv_expect(c, 1, 0, 400);
}

/* The same with a SOCKMAP: bpf_sock_map_update() from sockops at
 * PASSIVE_ESTABLISHED, recorded op by op with the socket's state. */
static void test_tcp_bpf_listen_sockops_insert_sockmap_before_accept(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_REDIRECT, .map = map, .key = 0,
				 .flags = BPF_F_INGRESS };
	struct sock *l, *c, *child;

	(void)state;
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&v), map,
					 BPF_SK_MSG_VERDICT), 0);
	sockops_record_attach(map, 0);
	l = sim_tcp_listen("L");
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_int_equal(rec.nr, 3);
	assert_int_equal(rec.op[0], BPF_SOCK_OPS_TCP_LISTEN_CB);
	assert_int_equal(rec.state[0], TCP_LISTEN);
	assert_int_equal(rec.op[1], BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
	assert_int_equal(rec.state[1], TCP_ESTABLISHED);
	assert_int_equal(rec.op[2], BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
	assert_int_equal(rec.state[2], TCP_SYN_RECV);
	assert_int_equal(rec.ret[2], 0);
	assert_ptr_equal(sim_map_lookup(map, 0), child);
	assert_int_equal(child->sk_state, TCP_ESTABLISHED);

	/* the child can't send yet; the client is not in the map: plain TCP */
	assert_int_equal(sim_send_pattern(c, 0, 0, 300, 0), 300);
	assert_int_equal(rcvq_bytes(child), 300);
	assert_ptr_equal(sim_tcp_accept(l), child);
	recv_expect(child, 0, 0, 300);
	/* the accepted child sends: its verdict redirects to its own ingress
	 * (slot 0 is itself) */
	assert_int_equal(sim_send_pattern(child, 1, 0, 200, 0), 200);
	assert_int_equal(sk_psock(child)->msg_tot_len, 200);
	recv_expect(child, 1, 0, 200);
}

/* An sk_skb verdict (pass) on a child inserted before accept(): data that
 * arrives before accept() does not reach the verdict, since
 * sk_psock_verdict_data_ready() returns while sk->sk_socket is NULL: it
 * stays on sk_receive_queue. After accept(), recv()
 * (tcp_bpf_recvmsg_parser()) finds the receive queue non-empty, calls
 * tcp_data_ready() itself (the "TCP data stall on recv before accept"
 * work-around), the verdict runs then and the bytes come through
 * ingress_msg. */
static void test_tcp_bpf_listen_verdict_data_before_accept_read_by_recv(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_PASS };
	struct bpf_prog *verdict = sim_prog_skb_verdict(&v);
	struct sock *l, *c, *child;

	(void)state;
	sim_invariants_expect(SIM_INV_FWD_NONNEG, KBUG_INGRESS_SELF_UNSCHEDULED);
	assert_int_equal(sim_prog_attach(verdict, map, BPF_SK_SKB_VERDICT), 0);
	sockops_record_attach(map, 0);
	l = sim_tcp_listen("L");
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_ptr_equal(sim_map_lookup(map, 0), child);
	assert_non_null(sk_psock(child)->saved_data_ready);

	assert_int_equal(sim_send_pattern(c, 0, 0, 1200, 0), 1200);
	assert_int_equal(verdict->runs, 0);
	assert_int_equal(rcvq_bytes(child), 1200);
	assert_true(list_empty(&sk_psock(child)->ingress_msg));
	/* sk_psock_verdict_data_ready() ran (its trace point counts) and
	 * returned: the saved sock_def_readable() was not reached */
	assert_int_equal(child->sim_data_ready, 1);
	assert_int_equal(sim_stats.data_ready, 1);	/* the listener's */

	assert_ptr_equal(sim_tcp_accept(l), child);
	assert_int_equal(verdict->runs, 0);	/* accept() runs nothing */
	recv_expect(child, 0, 0, 1200);
	assert_int_equal(verdict->runs, 1);
	assert_true(skb_queue_empty(&child->sk_receive_queue));
	assert_int_equal(tcp_sk(child)->copied_seq, 1200);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
	assert_int_equal(child->sk_forward_alloc, 0);
}

/* The other way out: the next segment after accept() runs
 * sk_psock_verdict_data_ready() with a socket: tcp_read_skb() hands the
 * verdict every queued skb, the one from before accept() first. */
static void test_tcp_bpf_listen_verdict_data_before_accept_next_data_ready(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_PASS };
	struct bpf_prog *verdict = sim_prog_skb_verdict(&v);
	struct sock *l, *c, *child;
	unsigned char buf[2000];

	(void)state;
	sim_invariants_expect(SIM_INV_FWD_NONNEG, KBUG_INGRESS_SELF_UNSCHEDULED);
	assert_int_equal(sim_prog_attach(verdict, map, BPF_SK_SKB_VERDICT), 0);
	sockops_record_attach(map, 0);
	l = sim_tcp_listen("L");
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_int_equal(sim_send_pattern(c, 0, 0, 600, 0), 600);
	assert_int_equal(verdict->runs, 0);
	assert_ptr_equal(sim_tcp_accept(l), child);
	assert_int_equal(sim_send_pattern(c, 0, 600, 400, 0), 400);
	assert_int_equal(verdict->runs, 2);
	assert_int_equal(sk_psock(child)->msg_tot_len, 1000);
	/* sk_data_ready hits: the verdict's twice, the saved
	 * sock_def_readable() once per skb passed and once after the read */
	assert_int_equal(child->sim_data_ready, 5);
	assert_int_equal(sim_recv(child, buf, sizeof(buf), MSG_DONTWAIT), 1000);
	assert_pattern(buf, 0, 0, 1000);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
}

/* TX->RX into a child not yet accepted: another connection's sk_msg
 * verdict redirects to the child's ingress (bpf_tcp_ingress()); the
 * child's psock queues it and its saved sk_data_ready has no wait queue to
 * wake (sk_wq NULL). accept() then recv() gets it. */
static void test_tcp_bpf_listen_msg_redirect_to_unaccepted_child(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_REDIRECT, .map = map, .key = 1,
				 .flags = BPF_F_INGRESS };
	struct sock *l, *c, *a, *b, *child;

	(void)state;
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&v), map,
					 BPF_SK_MSG_VERDICT), 0);
	sim_tcp_pair(&a, &b, "A", "B");
	assert_int_equal(sim_map_update(map, 0, a, BPF_ANY), 0);
	sockops_record_attach(map, 1);	/* the child goes to slot 1 */
	l = sim_tcp_listen("L");
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_ptr_equal(sim_map_lookup(map, 1), child);

	assert_int_equal(sim_send_pattern(a, 0, 0, 2500, 0), 2500);
	assert_int_equal(sk_psock(child)->msg_tot_len, 2500);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 2500);
	assert_int_equal(child->sim_data_ready, 1);
	assert_true(skb_queue_empty(&b->sk_receive_queue));
	assert_ptr_equal(sim_tcp_accept(l), child);
	recv_expect(child, 0, 0, 2500);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
	assert_int_equal(child->sk_forward_alloc, 0);
}

/* RX->RX into a child not yet accepted: an sk_skb verdict on A redirects
 * what A receives to the child's ingress; the child's backlog work moves
 * it to ingress_msg without any socket. */
static void test_tcp_bpf_listen_skb_redirect_to_unaccepted_child(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_REDIRECT, .map = map, .key = 1,
				 .flags = BPF_F_INGRESS };
	struct sock *l, *c, *a, *a2, *child;

	(void)state;
	assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(&v), map,
					 BPF_SK_SKB_VERDICT), 0);
	sim_tcp_pair(&a, &a2, "A", "A2");
	assert_int_equal(sim_map_update(map, 0, a, BPF_ANY), 0);
	sockops_record_attach(map, 1);
	l = sim_tcp_listen("L");
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_ptr_equal(sim_map_lookup(map, 1), child);

	assert_int_equal(sim_send_pattern(a2, 0, 0, 1800, 0), 1800);
	sim_run_work();
	assert_int_equal(sk_psock(child)->msg_tot_len, 1800);
	assert_null(child->sk_socket);
	assert_ptr_equal(sim_tcp_accept(l), child);
	recv_expect(child, 0, 0, 1800);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
	assert_int_equal(child->sk_forward_alloc, 0);
	assert_int_equal(tcp_sk(a)->copied_seq, 1800);
}

/* Redirect from a child not yet accepted: the child's own sk_skb verdict
 * (redirect to B's ingress) does not run before accept(): the client's
 * bytes wait on the child's receive queue; the first segment after
 * accept() runs the verdict on both, in order. */
static void test_tcp_bpf_listen_skb_redirect_from_unaccepted_child(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_REDIRECT, .map = map, .key = 0,
				 .flags = BPF_F_INGRESS };
	struct bpf_prog *verdict = sim_prog_skb_verdict(&v);
	struct sock *l, *c, *a, *b, *child;

	(void)state;
	assert_int_equal(sim_prog_attach(verdict, map, BPF_SK_SKB_VERDICT), 0);
	sim_tcp_pair(&a, &b, "A", "B");
	assert_int_equal(sim_map_update(map, 0, b, BPF_ANY), 0);
	sockops_record_attach(map, 1);
	l = sim_tcp_listen("L");
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);

	assert_int_equal(sim_send_pattern(c, 0, 0, 1000, 0), 1000);
	sim_run_work();
	assert_int_equal(verdict->runs, 0);
	assert_int_equal(rcvq_bytes(child), 1000);
	assert_true(list_empty(&sk_psock(b)->ingress_msg));
	assert_ptr_equal(sim_tcp_accept(l), child);
	assert_int_equal(sim_send_pattern(c, 0, 1000, 500, 0), 500);
	sim_run_work();
	assert_int_equal(verdict->runs, 2);
	assert_int_equal(sk_psock(b)->msg_tot_len, 1500);
	recv_expect(b, 0, 0, 1500);
	assert_int_equal(tcp_sk(child)->copied_seq, 1500);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
	assert_int_equal(atomic_read(&b->sk_rmem_alloc), 0);
}

/* A listener in a SOCKMAP with an sk_msg verdict (sock_map_update of a
 * TCP_LISTEN socket is allowed): it gets a psock and a tcp_bpf proto. Its
 * child is a copy of it: sk_clone_lock() clears sk_user_data (the psock is
 * tagged SK_USER_DATA_NOCOPY) and tcp_bpf_clone() puts back the listener's
 * sk_prot_creator: no psock, tcp_prot, the program never runs on the
 * child's sends. The child's own sk_prot_creator is the listener's tcp_bpf
 * proto (sk_clone_lock() copies sk->sk_prot there). */
static void test_tcp_bpf_listen_listener_in_map_child_inherits_no_psock(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_DROP };
	struct bpf_prog *msg = sim_prog_msg_verdict(&v);
	struct sock *l, *c, *child;
	struct proto *lprot;

	(void)state;
	assert_int_equal(sim_prog_attach(msg, map, BPF_SK_MSG_VERDICT), 0);
	l = sim_tcp_listen("L");
	assert_int_equal(sim_map_update(map, 0, l, BPF_ANY), 0);
	assert_non_null(sk_psock(l));
	lprot = l->sk_prot;
	assert_ptr_not_equal(lprot, &tcp_prot);
	assert_ptr_equal(lprot->close, sock_map_close);

	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_null(child->sk_user_data);
	assert_null(sk_psock(child));
	assert_ptr_equal(child->sk_prot, &tcp_prot);
	assert_ptr_equal(child->sk_prot_creator, lprot);
	assert_ptr_equal(sim_tcp_accept(l), child);
	assert_int_equal(sim_send_pattern(child, 0, 0, 800, 0), 800);
	assert_int_equal(msg->runs, 0);
	recv_expect(c, 0, 0, 800);
	/* the listener leaves the map; the accepted child is unaffected */
	assert_int_equal(sim_map_delete(map, 0), 0);
	sim_quiesce();
	assert_null(sk_psock(l));
	assert_ptr_equal(l->sk_prot, &tcp_prot);
}

/* IPv6: a listener in the map has a tcp_bpf IPv6 proto; its child gets
 * tcpv6_prot back from tcp_bpf_clone() (sk_prot_creator of the listener)
 * and, inserted by sockops, a tcp_bpf IPv6 proto of its own. */
static void test_tcp_bpf_listen_ipv6_listener_in_map_child_tcpv6_prot(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_REDIRECT, .map = map, .key = 1,
				 .flags = BPF_F_INGRESS };
	struct sock *l, *c, *child;

	(void)state;
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&v), map,
					 BPF_SK_MSG_VERDICT), 0);
	l = sim_tcp6_listen("L6");
	assert_int_equal(sim_map_update(map, 0, l, BPF_ANY), 0);
	assert_ptr_not_equal(l->sk_prot, &tcpv6_prot);
	sockops_record_attach(map, 1);
	c = sim_tcp_connect_to(l, "C6", "S6");
	child = sim_tcp_peer(c);
	assert_int_equal(child->sk_family, AF_INET6);
	assert_ptr_equal(sk_psock(child)->sk_proto, &tcpv6_prot);
	assert_ptr_not_equal(child->sk_prot, &tcpv6_prot);
	assert_ptr_equal(child->sk_prot, l->sk_prot);	/* same map, same config */
	assert_ptr_equal(sim_tcp_accept(l), child);
	/* the child's own sends: redirected to its own ingress (slot 1) */
	assert_int_equal(sim_send_pattern(child, 0, 0, 600, 0), 600);
	recv_expect(child, 0, 0, 600);
	sim_close(child);
	assert_null(sim_map_lookup(map, 1));
}

/* A listener in a SOCKMAP with an sk_skb verdict: its sk_data_ready is
 * sk_psock_verdict_data_ready(), and on a listener tcp_read_skb() returns
 * -ENOTCONN, so the wake-up of a queued child never reaches the saved
 * sock_def_readable() (a sleeping accept() or epoll_wait() on the listener
 * is not woken; accept() still finds the child). The child copies that
 * sk_data_ready without a psock: data queued before accept() is readable
 * by recv() (tcp_prot), but each segment after accept() runs
 * sk_psock_verdict_recv() with no psock, which eats and drops every
 * queued skb: the bytes are lost and copied_seq moves past them. It
 * copies sk_psock_write_space() too, which calls nothing without a psock. */
static void test_tcp_bpf_listen_listener_skb_verdict_child_drops_after_accept(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_PASS };
	struct bpf_prog *verdict = sim_prog_skb_verdict(&v);
	struct sock *l, *c, *child;
	unsigned char buf[64];

	(void)state;
	assert_int_equal(sim_prog_attach(verdict, map, BPF_SK_SKB_VERDICT), 0);
	l = sim_tcp_listen("L");
	assert_int_equal(sim_map_update(map, 0, l, BPF_ANY), 0);
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_int_equal(l->sim_data_ready, 1);	/* sk_psock_verdict_data_ready() */
	assert_int_equal(sim_stats.data_ready, 0);	/* the wake-up is lost */
	assert_int_equal(sim_poll(l), EPOLLIN | EPOLLRDNORM);
	assert_null(sk_psock(child));
	assert_ptr_equal(child->sk_data_ready, l->sk_data_ready);
	assert_ptr_not_equal(child->sk_data_ready, sock_def_readable);
	/* and sk_psock_write_space(), which without a psock calls no
	 * saved write_space: the child's writers are never woken by it */
	assert_ptr_equal(child->sk_write_space, l->sk_write_space);
	assert_ptr_not_equal(child->sk_write_space, sk_stream_write_space);

	assert_int_equal(sim_send_pattern(c, 0, 0, 100, 0), 100);
	assert_int_equal(rcvq_bytes(child), 100);
	assert_ptr_equal(sim_tcp_accept(l), child);
	recv_expect(child, 0, 0, 100);	/* tcp_recvmsg(): read before more came */

	assert_int_equal(sim_send_pattern(c, 0, 100, 300, 0), 300);
	assert_int_equal(sim_send_pattern(c, 0, 400, 50, 0), 50);
	assert_int_equal(verdict->runs, 0);
	assert_true(skb_queue_empty(&child->sk_receive_queue));
	assert_int_equal(atomic_read(&child->sk_drops), 2);
	assert_int_equal(tcp_sk(child)->copied_seq, 450);
	assert_int_equal(tcp_sk(child)->rcv_nxt, 450);
	assert_int_equal(sim_recv(child, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
	assert_int_equal(child->sk_forward_alloc, 0);
	assert_int_equal(child->sim_data_ready, 3);	/* the verdict's, each returned */
	assert_int_equal(sim_stats.data_ready, 0);	/* no one woken, ever */
}

/* The listener and its children both in the map with an sk_skb verdict
 * (sockops inserts each child): the child's sk_data_ready is already the
 * listener's sk_psock_verdict_data_ready() when sock_map_link() starts its
 * verdict, so sk_psock_start_verdict() saves that as the psock's
 * saved_data_ready. Before accept() nothing runs (no socket); once the
 * child has a socket, sk_psock_verdict_data_ready() would end every read
 * with sk_psock_data_ready() -> saved_data_ready(), itself, again and
 * again: the sim does not run that (unbounded recursion); the test shows
 * the state that leads to it, and that the listener's close undoes it. */
static void test_tcp_bpf_listen_listener_skb_verdict_child_saves_verdict_data_ready(void **state)
{
	long psocks = sim_live(SIM_PSOCK);
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_PASS };
	struct bpf_prog *verdict = sim_prog_skb_verdict(&v);
	struct sock *l, *c, *child;

	(void)state;
	assert_int_equal(sim_prog_attach(verdict, map, BPF_SK_SKB_VERDICT), 0);
	sockops_record_attach(map, 1);
	l = sim_tcp_listen("L");
	assert_int_equal(sim_map_update(map, 0, l, BPF_ANY), 0);
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_ptr_equal(sim_map_lookup(map, 1), child);
	assert_ptr_equal(child->sk_data_ready, l->sk_data_ready);
	assert_ptr_equal(sk_psock(child)->saved_data_ready, l->sk_data_ready);
	assert_ptr_equal(sk_psock(l)->saved_data_ready, sock_def_readable);

	assert_int_equal(sim_send_pattern(c, 0, 0, 100, 0), 100);
	assert_int_equal(verdict->runs, 0);
	assert_int_equal(rcvq_bytes(child), 100);
	sim_close(l);
	assert_null(sim_map_lookup(map, 0));
	assert_null(sim_map_lookup(map, 1));
	sim_quiesce();
	assert_int_equal(sim_live(SIM_PSOCK), psocks);
	assert_int_equal(c->sk_err, ECONNRESET);
}

/* While accept() sleeps, a client connects (the sleep hook: another CPU). */
static struct {
	struct sock *listener, *client;
} hk;

static void client_connects(void *arg)
{
	(void)arg;
	sim_set_sleep_hook(NULL, NULL);		/* once */
	hk.client = sim_tcp_connect_to(hk.listener, "C", "S");
}

/* A blocking accept() on an empty queue sleeps in
 * inet_csk_wait_for_connect(); the connection's tcp_child_process() calls
 * the listener's sk_data_ready (sock_def_readable) and wakes it: accept()
 * returns the child. */
static void test_tcp_bpf_listen_blocking_accept_woken_by_connect(void **state)
{
	struct sock *child;

	(void)state;
	hk.listener = sim_tcp_listen("L");
	hk.client = NULL;
	sim_set_sleep_hook(client_connects, NULL);
	child = sim_tcp_accept(hk.listener);
	assert_non_null(hk.client);
	assert_ptr_equal(child, sim_tcp_peer(hk.client));
	assert_int_equal(sim_hangs(), 0);
	assert_int_equal(sim_send_pattern(hk.client, 0, 0, 100, 0), 100);
	recv_expect(child, 0, 0, 100);
}

/* The same with the listener in a SOCKMAP with an sk_skb verdict: the
 * child's arrival calls sk_psock_verdict_data_ready() on the listener,
 * tcp_read_skb() returns -ENOTCONN and the saved sock_def_readable() is not
 * called: the sleeping accept() is never woken, though the child is
 * queued. The sim counts the unbounded sleep (a real kernel blocks until
 * another event, a signal or SO_RCVTIMEO) and lets it return; accept()
 * then finds the child. */
static void test_tcp_bpf_listen_listener_skb_verdict_blocking_accept_not_woken(void **state)
{
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_PASS };
	struct sock *child;

	(void)state;
	assert_int_equal(sim_prog_attach(sim_prog_skb_verdict(&v), map,
					 BPF_SK_SKB_VERDICT), 0);
	hk.listener = sim_tcp_listen("L");
	assert_int_equal(sim_map_update(map, 0, hk.listener, BPF_ANY), 0);
	hk.client = NULL;
	sim_expect_hangs(1);
	sim_set_sleep_hook(client_connects, NULL);
	child = sim_tcp_accept(hk.listener);
	assert_int_equal(sim_hangs(), 1);
	assert_non_null(hk.client);
	assert_ptr_equal(child, sim_tcp_peer(hk.client));
	assert_int_equal(hk.listener->sim_data_ready, 1);	/* the verdict's */
	assert_int_equal(sim_stats.data_ready, 0);
}

/* A listener closed with two children it never handed out, one with data
 * queued: inet_csk_listen_stop() disconnects each (tcp_disconnect(): the
 * client is reset, the receive queue purged and uncharged), orphans and
 * destroys it (inet_csk_destroy_sock()); close() is never called on them.
 * Nothing is left: the socks and request socks are freed. */
static void test_tcp_bpf_listen_close_listener_unaccepted_children(void **state)
{
	long socks = sim_live(SIM_SOCK), kmem;
	struct sock *l, *c1, *c2, *s1;
	unsigned char buf[16];

	(void)state;
	l = sim_tcp_listen("L");
	kmem = sim_live(SIM_SLAB);
	c1 = sim_tcp_connect_to(l, "C1", "S1");
	c2 = sim_tcp_connect_to(l, "C2", "S2");
	assert_int_equal(sim_live(SIM_SLAB), kmem + 2);	/* two request socks */
	s1 = sim_tcp_peer(c1);
	assert_int_equal(sim_send_pattern(c1, 0, 0, 3000, 0), 3000);
	assert_int_equal(rcvq_bytes(s1), 3000);
	assert_true(sim_tcp_memory_allocated() > 0);
	assert_int_equal(sim_live(SIM_SOCK), socks + 5);

	sim_close(l);
	sim_quiesce();
	assert_int_equal(sim_live(SIM_SOCK), socks + 2);	/* C1, C2 */
	assert_int_equal(sim_live(SIM_SLAB), kmem);
	assert_int_equal(sim_tcp_memory_allocated(), 0);
	assert_null(sim_tcp_peer(c1));
	assert_null(sim_tcp_peer(c2));
	assert_int_equal(c1->sk_err, ECONNRESET);
	assert_int_equal(c2->sk_state, TCP_CLOSE);
	assert_int_equal(sim_recv(c1, buf, sizeof(buf), MSG_DONTWAIT), -ECONNRESET);
	assert_int_equal(sim_recv(c2, buf, sizeof(buf), MSG_DONTWAIT), -ECONNRESET);
}

/* The same with the children in the bypass's SOCKHASH (sockops put them
 * there) and one with a message on its psock's ingress_msg: each child
 * leaves the hash through its sk_prot->destroy, sock_map_destroy()
 * (tcp_disconnect()'s tcp_set_state(TCP_CLOSE) unhashes through
 * inet_unhash(): a tcp_bpf proto has no unhash of its own); its psock is
 * dropped, the proto restored, the queued msg purged and uncharged when
 * the psock is destroyed. The clients stay in the hash. */
static void test_tcp_bpf_listen_close_listener_children_in_sockhash(void **state)
{
	long socks = sim_live(SIM_SOCK), psocks = sim_live(SIM_PSOCK);
	struct sim_bypass bp = {};
	struct sock *l, *c1, *c2, *s1, *s2;
	struct sim_tuple k1, k2, kc1, kc2;

	(void)state;
	assert_int_equal(sim_bypass_setup(&bp, 8), 0);
	l = sim_tcp_listen("L");
	c1 = sim_tcp_connect_to(l, "C1", "S1");
	c2 = sim_tcp_connect_to(l, "C2", "S2");
	s1 = sim_tcp_peer(c1);
	s2 = sim_tcp_peer(c2);
	k1 = sim_sk_tuple(s1, false);
	k2 = sim_sk_tuple(s2, false);
	kc1 = sim_sk_tuple(c1, false);
	kc2 = sim_sk_tuple(c2, false);
	assert_ptr_equal(sim_hash_lookup(bp.hash, &k1), s1);
	assert_ptr_equal(sim_hash_lookup(bp.hash, &k2), s2);
	assert_int_equal(sim_live(SIM_PSOCK), psocks + 4);
	assert_int_equal(sim_send_pattern(c1, 0, 0, 1000, 0), 1000);
	assert_int_equal(sk_psock(s1)->msg_tot_len, 1000);

	sim_close(l);
	assert_null(sim_hash_lookup(bp.hash, &k1));
	assert_null(sim_hash_lookup(bp.hash, &k2));
	assert_ptr_equal(sim_hash_lookup(bp.hash, &kc1), c1);
	assert_ptr_equal(sim_hash_lookup(bp.hash, &kc2), c2);
	sim_quiesce();
	assert_int_equal(sim_live(SIM_PSOCK), psocks + 2);
	assert_int_equal(sim_live(SIM_SOCK), socks + 2);
	assert_int_equal(sim_tcp_memory_allocated(), 0);
	assert_int_equal(c1->sk_err, ECONNRESET);
	assert_int_equal(c2->sk_err, ECONNRESET);
	/* a client's send now finds no peer in the hash: dropped by the
	 * redirect (no such key), and its connection is reset anyway */
	assert_int_equal(sim_send_pattern(c1, 0, 0, 10, 0), -ECONNRESET);
}

/* The same with a SOCKMAP filled by bpf_sock_map_update() at
 * PASSIVE_ESTABLISHED, data on one child's receive queue, and the
 * listener itself in the map: its close goes through sock_map_close()
 * (the listener leaves the map) then tcp_close() -> inet_csk_listen_stop()
 * (each child leaves it through sock_map_destroy()). */
static void test_tcp_bpf_listen_close_listener_in_sockmap_with_children(void **state)
{
	long socks = sim_live(SIM_SOCK), psocks = sim_live(SIM_PSOCK);
	struct bpf_map *map = sim_sockmap_create(4);
	struct sim_verdict v = { .action = SIM_PASS };
	struct sock *l, *c1, *c2, *s1;

	(void)state;
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&v), map,
					 BPF_SK_MSG_VERDICT), 0);
	sockops_record_attach(map, 1);
	l = sim_tcp_listen("L");
	assert_int_equal(sim_map_update(map, 0, l, BPF_ANY), 0);
	c1 = sim_tcp_connect_to(l, "C1", "S1");
	c2 = sim_tcp_connect_to(l, "C2", "S2");
	s1 = sim_tcp_peer(c1);
	assert_ptr_equal(sim_map_lookup(map, 1), s1);
	assert_ptr_equal(sim_map_lookup(map, 2), sim_tcp_peer(c2));
	assert_int_equal(sim_live(SIM_PSOCK), psocks + 3);
	assert_int_equal(sim_send_pattern(c1, 0, 0, 2000, 0), 2000);
	assert_int_equal(rcvq_bytes(s1), 2000);

	sim_close(l);
	assert_null(sim_map_lookup(map, 0));
	assert_null(sim_map_lookup(map, 1));
	assert_null(sim_map_lookup(map, 2));
	sim_quiesce();
	assert_int_equal(sim_live(SIM_PSOCK), psocks);
	assert_int_equal(sim_live(SIM_SOCK), socks + 2);
	assert_int_equal(sim_tcp_memory_allocated(), 0);
	assert_int_equal(c1->sk_err, ECONNRESET);
}

/* One child accepted, one not: the listener's close destroys the one it
 * still holds; the accepted one is the server's, still connected. */
static void test_tcp_bpf_listen_close_listener_keeps_accepted_child(void **state)
{
	struct sim_bypass bp = {};
	struct sock *l, *c1, *c2, *s1;

	(void)state;
	assert_int_equal(sim_bypass_setup(&bp, 8), 0);
	l = sim_tcp_listen("L");
	c1 = sim_tcp_connect_to(l, "C1", "S1");
	c2 = sim_tcp_connect_to(l, "C2", "S2");
	s1 = sim_tcp_accept(l);
	assert_ptr_equal(s1, sim_tcp_peer(c1));
	sim_close(l);
	sim_quiesce();
	assert_null(sim_tcp_peer(c2));
	assert_int_equal(c2->sk_err, ECONNRESET);
	assert_int_equal(sim_send_pattern(c1, 0, 0, 500, 0), 500);
	recv_expect(s1, 0, 0, 500);
	assert_int_equal(sim_send_pattern(s1, 1, 0, 200, 0), 200);
	recv_expect(c1, 1, 0, 200);
}

/* The client closes before the server accepts, after sending: the child
 * holds the data and the FIN (CLOSE_WAIT); accept() still hands it out
 * and recv() reads the bytes, then end of stream. */
static void test_tcp_bpf_listen_client_close_before_accept(void **state)
{
	struct sock *l, *c, *child;
	unsigned char buf[16];

	(void)state;
	l = sim_tcp_listen("L");
	c = sim_tcp_connect_to(l, "C", "S");
	child = sim_tcp_peer(c);
	assert_int_equal(sim_send_pattern(c, 0, 0, 1000, 0), 1000);
	sim_close(c);
	assert_int_equal(child->sk_state, TCP_CLOSE_WAIT);
	assert_ptr_equal(sim_tcp_accept(l), child);
	recv_expect(child, 0, 0, 1000);
	assert_int_equal(sim_recv(child, buf, sizeof(buf), MSG_DONTWAIT), 0);
	assert_int_equal(atomic_read(&child->sk_rmem_alloc), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_listen_accept_after_data),
		SIM_TEST(test_tcp_bpf_listen_sockops_insert_sockhash_before_accept),
		SIM_TEST(test_tcp_bpf_listen_sockops_insert_sockmap_before_accept),
		SIM_TEST(test_tcp_bpf_listen_verdict_data_before_accept_read_by_recv),
		SIM_TEST(test_tcp_bpf_listen_verdict_data_before_accept_next_data_ready),
		SIM_TEST(test_tcp_bpf_listen_msg_redirect_to_unaccepted_child),
		SIM_TEST(test_tcp_bpf_listen_skb_redirect_to_unaccepted_child),
		SIM_TEST(test_tcp_bpf_listen_skb_redirect_from_unaccepted_child),
		SIM_TEST(test_tcp_bpf_listen_listener_in_map_child_inherits_no_psock),
		SIM_TEST(test_tcp_bpf_listen_ipv6_listener_in_map_child_tcpv6_prot),
		SIM_TEST(test_tcp_bpf_listen_listener_skb_verdict_child_drops_after_accept),
		SIM_TEST(test_tcp_bpf_listen_listener_skb_verdict_child_saves_verdict_data_ready),
		SIM_TEST(test_tcp_bpf_listen_blocking_accept_woken_by_connect),
		SIM_TEST(test_tcp_bpf_listen_listener_skb_verdict_blocking_accept_not_woken),
		SIM_TEST(test_tcp_bpf_listen_close_listener_unaccepted_children),
		SIM_TEST(test_tcp_bpf_listen_close_listener_children_in_sockhash),
		SIM_TEST(test_tcp_bpf_listen_close_listener_in_sockmap_with_children),
		SIM_TEST(test_tcp_bpf_listen_close_listener_keeps_accepted_child),
		SIM_TEST(test_tcp_bpf_listen_client_close_before_accept),
	};

	return SIM_RUN_GROUP_INVARIANTS("tcp_bpf_listen", tests);
}
