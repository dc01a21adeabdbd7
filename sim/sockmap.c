// SPDX-License-Identifier: GPL-2.0
/*
 * sim: the bpf(2) side of sockmaps, what lies outside net/core/sock_map.c
 * (which is compiled for real, kernel-port/sock_map.c): the test's
 * syscalls (BPF_MAP_CREATE, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
 * BPF_MAP_LOOKUP_ELEM as a program's lookup, BPF_PROG_LOAD,
 * BPF_PROG_ATTACH/DETACH, close of a map fd) as kernel/bpf/syscall.c makes
 * them, the cgroup's sockops programs, programs as C callbacks, and the
 * helpers of net/core/filter.c (bpf_msg_apply_bytes, bpf_msg_cork_bytes).
 * The helpers of sock_map.c (bpf_msg_redirect_map/hash,
 * bpf_sk_redirect_map/hash, bpf_sock_map_update, bpf_sock_hash_update) are
 * the kernel's: the callbacks below call them.
 */
#include <stdlib.h>
#include <sim/sockmap.h>
#include <sim/net.h>
#include <sim/watch.h>
#include <sim/invariant.h>
#include <linux/filter.h>
#include <linux/file.h>

/* ---- programs ---------------------------------------------------------- */

struct prog_res {
	struct sim_resource res;
	struct bpf_prog *prog;
	struct file file;	/* the prog fd's file */
};

static void prog_fd_release(struct sim_resource *res)
{
	struct prog_res *pr = container_of(res, struct prog_res, res);

	sim_fd_close(pr->prog->sim_fd);	/* close(prog_fd) */
	pr->prog->sim_fd = -1;
	bpf_prog_put(pr->prog);
	free(pr);
}

/* A test's bpf(BPF_PROG_LOAD): a fixture, not a path under test, so it never
 * takes an injected allocation failure (__GFP_NOFAIL; as sim_pipe_create()). */
struct bpf_prog *sim_prog_load(enum bpf_prog_type type, sim_prog_fn fn,
			       void *priv, const char *name)
{
	struct bpf_prog *prog = kzalloc(sizeof(*prog), GFP_KERNEL | __GFP_NOFAIL);
	struct prog_res *pr = calloc(1, sizeof(*pr));

	BUG_ON(!prog || !pr);
	prog->type = type;
	prog->run = fn;
	prog->priv = priv;
	prog->name = name;
	refcount_set(&prog->refcnt, 1);
	pr->prog = prog;
	sim_bpf_prog_new_fd(prog, &pr->file);
	sim_world_own(&pr->res, prog_fd_release, name);	/* the prog fd */
	return prog;
}

/* kernel/bpf/syscall.c: attach_type_to_prog_type() */
static enum bpf_prog_type attach_prog_type(enum bpf_attach_type type)
{
	return type == BPF_SK_MSG_VERDICT ? BPF_PROG_TYPE_SK_MSG : BPF_PROG_TYPE_SK_SKB;
}

/* bpf(BPF_PROG_ATTACH): bpf_prog_attach() -> sock_map_get_from_fd() */
int sim_prog_attach(struct bpf_prog *prog, struct bpf_map *map,
		    enum bpf_attach_type type)
{
	union bpf_attr attr = {
		.target_fd = map->sim_fd,
		.attach_bpf_fd = prog->sim_fd,
		.attach_type = type,
	};
	struct bpf_prog *p;
	int ret;

	p = bpf_prog_get_type(attr.attach_bpf_fd, attach_prog_type(type));
	if (IS_ERR(p))
		return PTR_ERR(p);
	ret = sock_map_get_from_fd(&attr, p);
	if (ret)
		bpf_prog_put(p);
	return ret;
}

/* bpf(BPF_PROG_DETACH): bpf_prog_detach() -> sock_map_prog_detach() */
int sim_prog_detach(struct bpf_prog *prog, struct bpf_map *map,
		    enum bpf_attach_type type)
{
	union bpf_attr attr = {
		.target_fd = map->sim_fd,
		.attach_bpf_fd = prog->sim_fd,
		.attach_type = type,
	};

	return sock_map_prog_detach(&attr, attach_prog_type(type));
}

/* ---- maps ------------------------------------------------------------------ */

/* The map fd: closing it drops the user reference (map_release_uref: the
 * map's programs), then the last reference (map_free), as bpf_map_release()
 * -> bpf_map_put_uref() -> bpf_map_put() (whose deferred free the sim runs
 * at once, in the closing thread). */
struct map_res {
	struct sim_resource res;
	struct bpf_map *map;
	struct file file;
};

static void map_fd_release(struct sim_resource *res)
{
	struct map_res *mr = container_of(res, struct map_res, res);
	struct bpf_map *map = mr->map;

	sim_fd_close(map->sim_fd);
	map->ops->map_release_uref(map);
	map->ops->map_free(map);
	free(mr);
}

/* bpf(BPF_MAP_CREATE): map_create() -> find_and_alloc_map() */
static struct bpf_map *map_create(const struct bpf_map_ops *ops,
				  enum bpf_map_type type, u32 max_entries,
				  u32 key_size, const char *what)
{
	union bpf_attr attr = {
		.map_type = type,
		.key_size = key_size,
		.value_size = sizeof(u32),
		.max_entries = max_entries,
	};
	struct map_res *mr = calloc(1, sizeof(*mr));
	struct bpf_map *map;

	BUG_ON(!mr);
	map = ops->map_alloc(&attr);
	BUG_ON(IS_ERR(map));
	map->ops = ops;
	mr->map = map;
	sim_bpf_map_new_fd(map, &mr->file);
	sim_world_own(&mr->res, map_fd_release, what);
	return map;
}

struct bpf_map *sim_sockmap_create(u32 max_entries)
{
	return map_create(&sock_map_ops, BPF_MAP_TYPE_SOCKMAP, max_entries,
			  sizeof(u32), "sockmap");
}

struct bpf_map *sim_sockhash_create(u32 max_entries, u32 key_size)
{
	return map_create(&sock_hash_ops, BPF_MAP_TYPE_SOCKHASH, max_entries,
			  key_size, "sockhash");
}

void sim_map_close(struct bpf_map *map)
{
	struct file *file = sim_fget(map->sim_fd);
	struct map_res *mr = container_of(file, struct map_res, file);

	sim_world_disown(&mr->res);
	map_fd_release(&mr->res);
	sim_invariants_step("map close");
}

/* The sim's KCSAN-like watch on a psock's fields, once per psock; forgotten
 * when sk_psock_destroy() kfree()s it. */
static void psock_watch(struct sock *sk)
{
	struct sk_psock *psock = sk_psock(sk);

	if (!psock || sim_watch_registered(&psock->msg_tot_len))
		return;
	sim_watch_register(&psock->msg_tot_len, sizeof(psock->msg_tot_len),
			   "psock->msg_tot_len", sk->sim_name, SIM_RULE_PSOCK, psock);
	sim_watch_register(&psock->ingress_msg.next, sizeof(psock->ingress_msg.next),
			   "psock->ingress_msg", sk->sim_name, SIM_RULE_PSOCK, psock);
}

/* bpf(BPF_MAP_UPDATE_ELEM) with the socket's fd: bpf_map_update_value()
 * -> sock_map_update_elem_sys(). */
static int map_update(struct bpf_map *map, void *key, struct sock *sk, u64 flags)
{
	u32 ufd = sim_fd_install(sk->sk_socket->file);
	int ret;

	ret = sock_map_update_elem_sys(map, key, &ufd, flags);
	sim_fd_close(ufd);
	if (!ret)
		psock_watch(sk);
	return ret;
}

int sim_map_update(struct bpf_map *map, u32 idx, struct sock *sk, u64 flags)
{
	int ret;

	BUG_ON(map->map_type != BPF_MAP_TYPE_SOCKMAP);	/* sim_hash_update() */
	ret = map_update(map, &idx, sk, flags);
	sim_invariants_step("map update");
	return ret;
}

int sim_hash_update(struct bpf_map *map, const void *key, struct sock *sk, u64 flags)
{
	int ret;

	BUG_ON(map->map_type != BPF_MAP_TYPE_SOCKHASH);	/* sim_map_update() */
	ret = map_update(map, (void *)key, sk, flags);
	sim_invariants_step("hash update");
	return ret;
}

/* bpf(BPF_MAP_DELETE_ELEM): map_delete_elem() */
static int map_delete(struct bpf_map *map, void *key)
{
	int ret;

	rcu_read_lock();
	ret = map->ops->map_delete_elem(map, key);
	rcu_read_unlock();
	return ret;
}

int sim_map_delete(struct bpf_map *map, u32 i)
{
	int ret;

	BUG_ON(map->map_type != BPF_MAP_TYPE_SOCKMAP);	/* sim_hash_delete() */
	ret = map_delete(map, &i);
	sim_invariants_step("map delete");
	return ret;
}

int sim_hash_delete(struct bpf_map *map, const void *key)
{
	int ret;

	BUG_ON(map->map_type != BPF_MAP_TYPE_SOCKHASH);	/* sim_map_delete() */
	ret = map_delete(map, (void *)key);
	sim_invariants_step("hash delete");
	return ret;
}

/* A program's bpf_map_lookup_elem() (map_lookup_elem: sock_map_lookup /
 * sock_hash_lookup take a socket reference, which the program drops with
 * bpf_sk_release()); what the test sees is the slot's socket or NULL. */
static struct sock *map_lookup(struct bpf_map *map, void *key)
{
	struct sock *sk;

	rcu_read_lock();
	sk = map->ops->map_lookup_elem(map, key);
	if (sk && sk_is_refcounted(sk))
		sock_put(sk);	/* bpf_sk_release() */
	rcu_read_unlock();
	return sk;
}

struct sock *sim_map_lookup(struct bpf_map *map, u32 key)
{
	return map_lookup(map, &key);
}

struct sock *sim_hash_lookup(struct bpf_map *map, const void *key)
{
	return map_lookup(map, (void *)key);
}

/* ---- helpers programs call (net/core/filter.c) --------------------------- */

u64 bpf_msg_apply_bytes(struct sk_msg *msg, u32 bytes)
{
	msg->apply_bytes = bytes;
	return 0;
}

u64 bpf_msg_cork_bytes(struct sk_msg *msg, u32 bytes)
{
	msg->cork_bytes = bytes;
	return 0;
}

/* ---- sockops ------------------------------------------------------------- */

/* The cgroup's sockops programs (BPF_CGROUP_SOCK_OPS), one list per world. */
struct sockops_att {
	struct sim_resource res;
	struct bpf_prog *prog;
	struct sockops_att *next;
};
static struct sockops_att *sockops_progs;

static void sockops_detach(struct sim_resource *res)
{
	struct sockops_att **pp = &sockops_progs;
	struct sockops_att *att = container_of(res, struct sockops_att, res);

	while (*pp && *pp != att)
		pp = &(*pp)->next;
	if (*pp)
		*pp = att->next;
	bpf_prog_put(att->prog);
	free(att);
}

void sim_sockops_attach(struct bpf_prog *prog)
{
	struct sockops_att *att = calloc(1, sizeof(*att));

	BUG_ON(!att || prog->type != BPF_PROG_TYPE_SOCK_OPS);
	bpf_prog_inc(prog);
	att->prog = prog;
	att->next = sockops_progs;
	sockops_progs = att;
	sim_world_own(&att->res, sockops_detach, "sockops");
}

/* tcp_init_transfer() -> bpf_skops_established(): run in softirq with the
 * socket bh-locked, as BPF_CGROUP_RUN_PROG_SOCK_OPS does. */
void sim_sockops_established(struct sock *sk, int op)
{
	struct bpf_sock_ops_kern sops = { .sk = sk, .op = op, .is_fullsock = 1 };
	struct sockops_att *att;

	bh_lock_sock(sk);
	rcu_read_lock();
	for (att = sockops_progs; att; att = att->next)
		bpf_prog_run_pin_on_cpu(att->prog, &sops);
	rcu_read_unlock();
	bh_unlock_sock(sk);
	psock_watch(sk);	/* bpf_sock_hash_update() may have made one */
}

/* ---- canned programs ---------------------------------------------------- */

static unsigned int run_msg_verdict(const struct bpf_prog *prog, void *ctx)
{
	const struct sim_verdict *v = prog->priv;
	struct sk_msg *msg = ctx;

	if (v->then && prog->runs > v->then_after)
		v = v->then;
	if (v->apply_bytes)
		bpf_msg_apply_bytes(msg, v->apply_bytes);
	if (v->cork_bytes)
		bpf_msg_cork_bytes(msg, v->cork_bytes);
	switch (v->action) {
	case SIM_PASS:
		return SK_PASS;
	case SIM_REDIRECT:
		if (v->map->map_type == BPF_MAP_TYPE_SOCKHASH)
			return bpf_msg_redirect_hash(msg, v->map, (void *)v->hkey, v->flags);
		return bpf_msg_redirect_map(msg, v->map, v->key, v->flags);
	case SIM_DROP:
	default:
		return SK_DROP;
	}
}

static unsigned int run_skb_verdict(const struct bpf_prog *prog, void *ctx)
{
	const struct sim_verdict *v = prog->priv;
	struct sk_buff *skb = ctx;

	if (v->then && prog->runs > v->then_after)
		v = v->then;
	switch (v->action) {
	case SIM_PASS:
		return SK_PASS;
	case SIM_REDIRECT:
		if (v->map->map_type == BPF_MAP_TYPE_SOCKHASH)
			return bpf_sk_redirect_hash(skb, v->map, (void *)v->hkey, v->flags);
		return bpf_sk_redirect_map(skb, v->map, v->key, v->flags);
	case SIM_DROP:
	default:
		return SK_DROP;
	}
}

struct bpf_prog *sim_prog_msg_verdict(struct sim_verdict *v)
{
	return sim_prog_load(BPF_PROG_TYPE_SK_MSG, run_msg_verdict, v, "msg_verdict");
}

struct bpf_prog *sim_prog_skb_verdict(struct sim_verdict *v)
{
	return sim_prog_load(BPF_PROG_TYPE_SK_SKB, run_skb_verdict, v, "skb_verdict");
}

static unsigned int run_stream_parser(const struct bpf_prog *prog, void *ctx)
{
	const struct sim_parser *p = prog->priv;
	struct sk_buff *skb = ctx;

	if (p->err && prog->runs > p->err_after)
		return (unsigned int)p->err;
	if (skb->len < p->need)
		return 0;
	if (prog->runs <= p->nlens)
		return p->lens[prog->runs - 1];
	return p->msg_len ? p->msg_len : skb->len;
}

struct bpf_prog *sim_prog_stream_parser(struct sim_parser *p)
{
	return sim_prog_load(BPF_PROG_TYPE_SK_SKB, run_stream_parser, p, "stream_parser");
}
