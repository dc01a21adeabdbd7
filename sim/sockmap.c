// SPDX-License-Identifier: GPL-2.0
/*
 * sim: SOCKMAP and the sockmap helpers. Stands for net/core/sock_map.c
 * (sock_map_link, sock_map_update_common, __sock_map_delete,
 * sock_map_unref, sock_map_del_link, sock_map_close/destroy/unhash,
 * sock_map_free, sock_map_prog_update) and the BPF_CALL bodies of
 * bpf_msg_redirect_map, bpf_sk_redirect_map, bpf_msg_apply_bytes and
 * bpf_msg_cork_bytes (net/core/filter.c). It follows the kernel's order of
 * operations; only map storage and bpf(2) plumbing are simplified.
 */
#include <stdlib.h>
#include <sim/sockmap.h>
#include <sim/net.h>
#include <sim/watch.h>
#include <sim/invariant.h>
#include <linux/filter.h>

/* One structure for both map types: SOCKMAP uses the slot array,
 * SOCKHASH the element list (net/core/sock_map.c: bpf_stab, bpf_shtab;
 * the hash is one bucket, searched linearly). */
struct bpf_stab {
	struct bpf_map map;
	struct sock **sks;		/* SOCKMAP */
	struct list_head elems;		/* SOCKHASH: struct bpf_shtab_elem */
	u32 key_size;
	u32 count;
	struct sk_psock_progs progs;
	spinlock_t lock;
	struct sim_resource res;
};

struct bpf_shtab_elem {
	struct list_head node;
	struct sock *sk;
	u8 key[];
};

static struct bpf_stab *stab_of(struct bpf_map *map)
{
	return container_of(map, struct bpf_stab, map);
}

static struct sk_psock_progs *sock_map_progs(struct bpf_map *map)
{
	return &stab_of(map)->progs;
}

/* ---- programs ---------------------------------------------------------- */

void bpf_prog_inc(struct bpf_prog *prog)
{
	refcount_inc(&prog->refcnt);
}

struct bpf_prog *bpf_prog_inc_not_zero(struct bpf_prog *prog)
{
	if (!refcount_inc_not_zero(&prog->refcnt))
		return ERR_PTR(-ENOENT);
	return prog;
}

void bpf_prog_put(struct bpf_prog *prog)
{
	if (refcount_dec_and_test(&prog->refcnt))
		kfree(prog);
}

struct prog_res {
	struct sim_resource res;
	struct bpf_prog *prog;
};

static void prog_fd_release(struct sim_resource *res)
{
	struct prog_res *pr = container_of(res, struct prog_res, res);

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
	sim_world_own(&pr->res, prog_fd_release, name);	/* the prog fd */
	return prog;
}

static struct bpf_prog **prog_slot(struct sk_psock_progs *progs,
				   enum bpf_attach_type type)
{
	switch (type) {
	case BPF_SK_MSG_VERDICT:
		return &progs->msg_parser;
	case BPF_SK_SKB_STREAM_PARSER:
		return &progs->stream_parser;
	case BPF_SK_SKB_STREAM_VERDICT:
		if (progs->skb_verdict)
			return NULL;
		return &progs->stream_verdict;
	case BPF_SK_SKB_VERDICT:
		if (progs->stream_verdict)
			return NULL;
		return &progs->skb_verdict;
	}
	return NULL;
}

/* sock_map_prog_update() from bpf(BPF_PROG_ATTACH) */
int sim_prog_attach(struct bpf_prog *prog, struct bpf_map *map,
		    enum bpf_attach_type type)
{
	struct bpf_prog **pprog = prog_slot(sock_map_progs(map), type);

	if (!pprog)
		return -EBUSY;
	bpf_prog_inc(prog);	/* bpf_prog_get() from the fd */
	psock_set_prog(pprog, prog);
	return 0;
}

int sim_prog_detach(struct bpf_prog *prog, struct bpf_map *map,
		    enum bpf_attach_type type)
{
	struct sk_psock_progs *progs = sock_map_progs(map);
	struct bpf_prog **pprog;

	switch (type) {
	case BPF_SK_MSG_VERDICT: pprog = &progs->msg_parser; break;
	case BPF_SK_SKB_STREAM_PARSER: pprog = &progs->stream_parser; break;
	case BPF_SK_SKB_STREAM_VERDICT: pprog = &progs->stream_verdict; break;
	case BPF_SK_SKB_VERDICT: pprog = &progs->skb_verdict; break;
	default: return -EOPNOTSUPP;
	}
	return psock_replace_prog(pprog, NULL, prog);
}

/* ---- links between socks and the map --------------------------------- */

/* sim-origin: net/core/sock_map.c sock_map_add_link */
static void sock_map_add_link(struct sk_psock *psock, struct sk_psock_link *link,
			      struct bpf_map *map, void *link_raw)
{
	link->link_raw = link_raw;
	link->map = map;
	spin_lock_bh(&psock->link_lock);
	list_add_tail(&link->list, &psock->link);
	spin_unlock_bh(&psock->link_lock);
}

/* sim-origin: net/core/sock_map.c sock_map_del_link */
static void sock_map_del_link(struct sock *sk, struct sk_psock *psock,
			      void *link_raw)
{
	bool strp_stop = false, verdict_stop = false;
	struct sk_psock_link *link, *tmp;

	spin_lock_bh(&psock->link_lock);
	list_for_each_entry_safe(link, tmp, &psock->link, list) {
		if (link->link_raw == link_raw) {
			struct sk_psock_progs *progs = sock_map_progs(link->map);	/* sim-edit: the map local folded into link->map */

			if (psock->saved_data_ready && progs->stream_parser)
				strp_stop = true;
			if (psock->saved_data_ready && progs->stream_verdict)
				verdict_stop = true;
			if (psock->saved_data_ready && progs->skb_verdict)
				verdict_stop = true;
			list_del(&link->list);
			sk_psock_free_link(link);
			break;
		}
	}
	spin_unlock_bh(&psock->link_lock);
	if (strp_stop || verdict_stop) {
		write_lock_bh(&sk->sk_callback_lock);
		if (strp_stop)
			sk_psock_stop_strp(sk, psock);
		if (verdict_stop)
			sk_psock_stop_verdict(sk, psock);
		if (psock->psock_update_sk_prot)
			psock->psock_update_sk_prot(sk, psock, false);
		write_unlock_bh(&sk->sk_callback_lock);
	}
}

/* sim-origin: net/core/sock_map.c sock_map_unref */
static void sock_map_unref(struct sock *sk, void *link_raw)
{
	struct sk_psock *psock = sk_psock(sk);

	if (likely(psock)) {
		sock_map_del_link(sk, psock, link_raw);
		sk_psock_put(sk, psock);
	}
}

/* sim-origin: net/core/sock_map.c sock_map_init_proto */
static int sock_map_init_proto(struct sock *sk, struct sk_psock *psock)
{
	if (!sk->sk_prot->psock_update_sk_prot)
		return -EINVAL;
	psock->psock_update_sk_prot = sk->sk_prot->psock_update_sk_prot;
	return sk->sk_prot->psock_update_sk_prot(sk, psock, false);
}

/* sim-origin: net/core/sock_map.c sock_map_psock_get_checked */
static struct sk_psock *sock_map_psock_get_checked(struct sock *sk)
{
	struct sk_psock *psock;

	rcu_read_lock();
	psock = sk_psock(sk);
	if (psock) {
		if (sk->sk_prot->close != sock_map_close) {
			psock = ERR_PTR(-EBUSY);
			goto out;
		}
		if (!refcount_inc_not_zero(&psock->refcnt))
			psock = ERR_PTR(-EBUSY);
	}
out:
	rcu_read_unlock();
	return psock;
}

static struct bpf_prog *prog_get(struct bpf_prog *prog, int *err)
{
	if (!prog || *err)
		return NULL;
	prog = bpf_prog_inc_not_zero(prog);
	if (IS_ERR(prog)) {
		*err = PTR_ERR(prog);
		return NULL;
	}
	return prog;
}

static void prog_put(struct bpf_prog *prog)
{
	if (prog)
		bpf_prog_put(prog);
}

/* sim-origin: net/core/sock_map.c sock_map_link */
static int sock_map_link(struct bpf_map *map, struct sock *sk)
{
	struct sk_psock_progs *progs = sock_map_progs(map);
	struct bpf_prog *stream_verdict, *stream_parser, *skb_verdict, *msg_parser;	/* sim-edit: the four program pointers in one declaration, set by prog_get() */
	struct sk_psock *psock;
	int ret = 0;	/* sim-edit: ret starts at 0 for prog_get() */

	stream_verdict = prog_get(READ_ONCE(progs->stream_verdict), &ret);	/* sim-edit: prog_get(): the READ_ONCE + bpf_prog_inc_not_zero() blocks, the first error kept in ret */
	stream_parser = prog_get(READ_ONCE(progs->stream_parser), &ret);	/* sim-edit: prog_get() */
	msg_parser = prog_get(READ_ONCE(progs->msg_parser), &ret);	/* sim-edit: prog_get() */
	skb_verdict = prog_get(READ_ONCE(progs->skb_verdict), &ret);	/* sim-edit: prog_get() */
	if (ret)	/* sim-edit: one error exit for the four prog_get()s (prog_put(NULL) is a no-op) */
		goto out_progs;	/* sim-edit: one error exit for the four prog_get()s */

	psock = sock_map_psock_get_checked(sk);
	if (IS_ERR(psock)) {
		ret = PTR_ERR(psock);
		goto out_progs;
	}
	if (psock) {
		if ((msg_parser && READ_ONCE(psock->progs.msg_parser)) ||
		    (stream_parser && READ_ONCE(psock->progs.stream_parser)) ||
		    (skb_verdict && READ_ONCE(psock->progs.skb_verdict)) ||
		    (skb_verdict && READ_ONCE(psock->progs.stream_verdict)) ||
		    (stream_verdict && READ_ONCE(psock->progs.skb_verdict)) ||
		    (stream_verdict && READ_ONCE(psock->progs.stream_verdict))) {
			sk_psock_put(sk, psock);
			ret = -EBUSY;
			goto out_progs;
		}
	} else {
		psock = sk_psock_init(sk, map->numa_node);
		if (IS_ERR(psock)) {
			ret = PTR_ERR(psock);
			goto out_progs;
		}
		/* forgotten when sk_psock_destroy() kfree()s the psock */
		sim_watch_register(&psock->msg_tot_len, sizeof(psock->msg_tot_len),	/* sim-edit: the sim's KCSAN-like watch on the new psock's fields */
				   "psock->msg_tot_len", sk->sim_name, SIM_RULE_PSOCK, psock);	/* sim-edit: the sim's watch */
		sim_watch_register(&psock->ingress_msg.next, sizeof(psock->ingress_msg.next),	/* sim-edit: the sim's watch */
				   "psock->ingress_msg", sk->sim_name, SIM_RULE_PSOCK, psock);	/* sim-edit: the sim's watch */
	}
	if (msg_parser)
		psock_set_prog(&psock->progs.msg_parser, msg_parser);
	if (stream_parser)
		psock_set_prog(&psock->progs.stream_parser, stream_parser);
	if (stream_verdict)
		psock_set_prog(&psock->progs.stream_verdict, stream_verdict);
	if (skb_verdict)
		psock_set_prog(&psock->progs.skb_verdict, skb_verdict);

	ret = sock_map_init_proto(sk, psock);
	if (ret < 0) {
		sk_psock_put(sk, psock);
		return ret;	/* sim-edit: return, not goto out */
	}
	write_lock_bh(&sk->sk_callback_lock);
	if (stream_parser && stream_verdict && !psock->saved_data_ready) {	/* sim-edit: only TCP sockets in the sim: no -EOPNOTSUPP branch */
		ret = sk_psock_init_strp(sk, psock);	/* sim-edit: only TCP sockets in the sim */
		if (ret) {
			write_unlock_bh(&sk->sk_callback_lock);
			sk_psock_put(sk, psock);
			return ret;	/* sim-edit: return, not goto out */
		}
		sk_psock_start_strp(sk, psock);
	} else if (!stream_parser && stream_verdict && !psock->saved_data_ready) {
		sk_psock_start_verdict(sk, psock);
	} else if (!stream_verdict && skb_verdict && !psock->saved_data_ready) {
		sk_psock_start_verdict(sk, psock);
	}
	write_unlock_bh(&sk->sk_callback_lock);
	return 0;
out_progs:
	prog_put(skb_verdict);	/* sim-edit: prog_put() is NULL-safe: one label */
	prog_put(msg_parser);	/* sim-edit: prog_put() is NULL-safe: one label */
	prog_put(stream_parser);	/* sim-edit: prog_put() is NULL-safe: one label */
	prog_put(stream_verdict);	/* sim-edit: prog_put() is NULL-safe: one label */
	return ret;
}

/* ---- the map ------------------------------------------------------------ */

/* sim-origin: net/core/sock_map.c __sock_map_delete */
static int __sock_map_delete(struct bpf_stab *stab, struct sock *sk_test,
			     struct sock **psk)
{
	struct sock *sk = NULL;
	int err = 0;

	spin_lock_bh(&stab->lock);
	if (!sk_test || sk_test == *psk)
		sk = xchg(psk, NULL);
	if (likely(sk))
		sock_map_unref(sk, psk);
	else
		err = -EINVAL;
	spin_unlock_bh(&stab->lock);
	return err;
}

static void sock_map_free(struct sim_resource *res)
{
	struct bpf_stab *stab = container_of(res, struct bpf_stab, res);
	u32 i;

	synchronize_rcu();
	for (i = 0; stab->sks && i < stab->map.max_entries; i++) {
		struct sock **psk = &stab->sks[i];
		struct sock *sk;

		sk = xchg(psk, NULL);
		if (sk) {
			sock_hold(sk);
			lock_sock(sk);
			rcu_read_lock();
			sock_map_unref(sk, psk);
			rcu_read_unlock();
			release_sock(sk);
			sock_put(sk);
		}
	}
	while (!list_empty(&stab->elems)) {	/* sock_hash_free() */
		struct bpf_shtab_elem *elem = list_first_entry(&stab->elems,
						struct bpf_shtab_elem, node);
		struct sock *sk = elem->sk;

		list_del(&elem->node);
		sock_hold(sk);
		lock_sock(sk);
		rcu_read_lock();
		sock_map_unref(sk, elem);
		rcu_read_unlock();
		release_sock(sk);
		sock_put(sk);
		kfree(elem);
	}
	synchronize_rcu();
	psock_progs_drop(&stab->progs);
	kfree(stab->sks);
	kfree(stab);
}

struct bpf_map *sim_sockmap_create(u32 max_entries)
{
	struct bpf_stab *stab = kzalloc(sizeof(*stab), GFP_KERNEL);

	BUG_ON(!stab);
	stab->map.map_type = BPF_MAP_TYPE_SOCKMAP;
	stab->map.max_entries = max_entries;
	stab->map.numa_node = NUMA_NO_NODE;
	spin_lock_init(&stab->lock);
	INIT_LIST_HEAD(&stab->elems);
	stab->sks = kzalloc(sizeof(struct sock *) * max_entries, GFP_KERNEL);
	BUG_ON(!stab->sks);
	sim_world_own(&stab->res, sock_map_free, "sockmap");
	return &stab->map;
}

struct bpf_map *sim_sockhash_create(u32 max_entries, u32 key_size)
{
	struct bpf_stab *stab = kzalloc(sizeof(*stab), GFP_KERNEL);

	BUG_ON(!stab || !key_size);
	stab->map.map_type = BPF_MAP_TYPE_SOCKHASH;
	stab->map.max_entries = max_entries;
	stab->map.numa_node = NUMA_NO_NODE;
	stab->key_size = key_size;
	spin_lock_init(&stab->lock);
	INIT_LIST_HEAD(&stab->elems);
	sim_world_own(&stab->res, sock_map_free, "sockhash");
	return &stab->map;
}

void sim_map_close(struct bpf_map *map)
{
	struct bpf_stab *stab = stab_of(map);

	sim_world_disown(&stab->res);
	sock_map_free(&stab->res);
	sim_invariants_step("map close");
}

/* sim-origin: net/core/sock_map.c sock_map_sk_is_suitable */
static bool sock_map_sk_is_suitable(const struct sock *sk)
{
	return !!sk_is_tcp(sk);	/* sim-edit: TCP is the only protocol the sim links */
}

static bool sock_map_sk_state_allowed(const struct sock *sk)
{
	return (1 << sk->sk_state) & ((1 << TCP_ESTABLISHED) | (1 << TCP_LISTEN));
}

/* bpf(BPF_MAP_UPDATE_ELEM): sock_map_update_elem_sys() */
int sim_map_update(struct bpf_map *map, u32 idx, struct sock *sk, u64 flags)
{
	struct bpf_stab *stab = stab_of(map);
	struct sk_psock_link *link;
	struct sk_psock *psock;
	struct sock *osk;
	int ret;

	BUG_ON(map->map_type != BPF_MAP_TYPE_SOCKMAP);	/* sim_hash_update() */
	if (!sock_map_sk_state_allowed(sk))
		return -EOPNOTSUPP;
	lock_sock(sk);	/* sock_map_sk_acquire() */
	rcu_read_lock();
	if (unlikely(flags > BPF_EXIST)) {
		ret = -EINVAL;
		goto out;
	}
	if (unlikely(idx >= map->max_entries)) {
		ret = -E2BIG;
		goto out;
	}
	link = sk_psock_init_link();
	if (!link) {
		ret = -ENOMEM;
		goto out;
	}
	ret = sock_map_link(map, sk);
	if (ret < 0)
		goto out_free;
	psock = sk_psock(sk);
	WARN_ON_ONCE(!psock);
	spin_lock_bh(&stab->lock);
	osk = stab->sks[idx];
	if (osk && flags == BPF_NOEXIST) {
		ret = -EEXIST;
		goto out_unlock;
	} else if (!osk && flags == BPF_EXIST) {
		ret = -ENOENT;
		goto out_unlock;
	}
	sock_map_add_link(psock, link, map, &stab->sks[idx]);
	stab->sks[idx] = sk;
	if (osk)
		sock_map_unref(osk, &stab->sks[idx]);
	spin_unlock_bh(&stab->lock);
	goto out;
out_unlock:
	spin_unlock_bh(&stab->lock);
	if (psock)
		sk_psock_put(sk, psock);
out_free:
	sk_psock_free_link(link);
out:
	rcu_read_unlock();
	release_sock(sk);
	sim_invariants_step("map update");
	return ret;
}

int sim_map_delete(struct bpf_map *map, u32 i)
{
	struct bpf_stab *stab = stab_of(map);
	int ret;

	BUG_ON(map->map_type != BPF_MAP_TYPE_SOCKMAP);	/* sim_hash_delete() */
	if (unlikely(i >= map->max_entries))
		return -EINVAL;
	ret = __sock_map_delete(stab, NULL, &stab->sks[i]);
	sim_invariants_step("map delete");
	return ret;
}

/* sim-origin: net/core/sock_map.c __sock_map_lookup_elem */
static struct sock *__sock_map_lookup_elem(struct bpf_map *map, u32 key)
{
	struct bpf_stab *stab = stab_of(map);	/* sim-edit: stab_of() for container_of() */

	if (unlikely(key >= map->max_entries || !stab->sks))	/* sim-edit: extra guard: the sim map's array may be gone */
		return NULL;
	return READ_ONCE(stab->sks[key]);
}

struct sock *sim_map_lookup(struct bpf_map *map, u32 key)
{
	return __sock_map_lookup_elem(map, key);
}

/* ---- SOCKHASH ------------------------------------------------------------ */

static struct bpf_shtab_elem *sock_hash_lookup_elem_raw(struct bpf_stab *stab,
							const void *key)
{
	struct bpf_shtab_elem *elem;

	list_for_each_entry(elem, &stab->elems, node)
		if (!memcmp(elem->key, key, stab->key_size))
			return elem;
	return NULL;
}

static struct sock *__sock_hash_lookup_elem(struct bpf_map *map, const void *key)
{
	struct bpf_shtab_elem *elem = sock_hash_lookup_elem_raw(stab_of(map), key);

	return elem ? elem->sk : NULL;
}

struct sock *sim_hash_lookup(struct bpf_map *map, const void *key)
{
	return __sock_hash_lookup_elem(map, key);
}

/* sock_hash_free_elem(): the kernel frees with kfree_rcu(); no reader can
 * hold an element across this single-task sim's calls. */
static void sock_hash_free_elem(struct bpf_stab *stab, struct bpf_shtab_elem *elem)
{
	stab->count--;
	kfree(elem);
}

static void sock_hash_delete_from_link(struct bpf_map *map, struct sock *sk,
				       void *link_raw)
{
	struct bpf_stab *stab = stab_of(map);
	struct bpf_shtab_elem *elem = link_raw, *elem_probe;

	spin_lock_bh(&stab->lock);
	elem_probe = sock_hash_lookup_elem_raw(stab, elem->key);
	if (elem_probe && elem_probe == elem) {
		list_del(&elem->node);
		sock_map_unref(elem->sk, elem);
		sock_hash_free_elem(stab, elem);
	}
	spin_unlock_bh(&stab->lock);
	(void)sk;
}

int sim_hash_delete(struct bpf_map *map, const void *key)
{
	struct bpf_stab *stab = stab_of(map);
	struct bpf_shtab_elem *elem;
	int ret = -ENOENT;

	spin_lock_bh(&stab->lock);
	elem = sock_hash_lookup_elem_raw(stab, key);
	if (elem) {
		list_del(&elem->node);
		sock_map_unref(elem->sk, elem);
		sock_hash_free_elem(stab, elem);
		ret = 0;
	}
	spin_unlock_bh(&stab->lock);
	sim_invariants_step("hash delete");
	return ret;
}

/* sock_hash_update_common(): called with the RCU read lock held, from the
 * syscall (socket locked) or from a sockops program (softirq, bh-locked). */
static int sock_hash_update_common(struct bpf_map *map, const void *key,
				   struct sock *sk, u64 flags)
{
	struct bpf_stab *stab = stab_of(map);
	struct bpf_shtab_elem *elem, *elem_new;
	struct sk_psock_link *link;
	struct sk_psock *psock;
	int ret;

	WARN_ON_ONCE(!rcu_read_lock_held());
	if (unlikely(flags > BPF_EXIST))
		return -EINVAL;
	link = sk_psock_init_link();
	if (!link)
		return -ENOMEM;
	ret = sock_map_link(map, sk);
	if (ret < 0)
		goto out_free;
	psock = sk_psock(sk);
	WARN_ON_ONCE(!psock);
	spin_lock_bh(&stab->lock);
	elem = sock_hash_lookup_elem_raw(stab, key);
	if (elem && flags == BPF_NOEXIST) {
		ret = -EEXIST;
		goto out_unlock;
	} else if (!elem && flags == BPF_EXIST) {
		ret = -ENOENT;
		goto out_unlock;
	}
	/* sock_hash_alloc_elem() */
	if (!elem && stab->count >= map->max_entries) {
		ret = -E2BIG;
		goto out_unlock;
	}
	elem_new = kzalloc(sizeof(*elem_new) + stab->key_size, GFP_ATOMIC | __GFP_NOWARN);
	if (!elem_new) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	memcpy(elem_new->key, key, stab->key_size);
	elem_new->sk = sk;
	stab->count++;
	sock_map_add_link(psock, link, map, elem_new);
	list_add(&elem_new->node, &stab->elems);
	if (elem) {
		list_del(&elem->node);
		sock_map_unref(elem->sk, elem);
		sock_hash_free_elem(stab, elem);
	}
	spin_unlock_bh(&stab->lock);
	return 0;
out_unlock:
	spin_unlock_bh(&stab->lock);
	sk_psock_put(sk, psock);
out_free:
	sk_psock_free_link(link);
	return ret;
}

/* bpf(BPF_MAP_UPDATE_ELEM) on a SOCKHASH: sock_map_update_elem_sys() */
int sim_hash_update(struct bpf_map *map, const void *key, struct sock *sk, u64 flags)
{
	int ret;

	BUG_ON(map->map_type != BPF_MAP_TYPE_SOCKHASH);
	if (!sock_map_sk_state_allowed(sk))
		return -EOPNOTSUPP;
	lock_sock(sk);
	rcu_read_lock();
	ret = sock_hash_update_common(map, key, sk, flags);
	rcu_read_unlock();
	release_sock(sk);
	sim_invariants_step("hash update");
	return ret;
}

/* sim-origin: net/core/sock_map.c sock_map_unlink */
static void sock_map_unlink(struct sock *sk, struct sk_psock_link *link)
{
	switch (link->map->map_type) {
	case BPF_MAP_TYPE_SOCKMAP:
		__sock_map_delete(stab_of(link->map), sk, link->link_raw);	/* sim-edit: sock_map_delete_from_link() inlined */
		return;	/* sim-edit: no "return" of a void call */
	case BPF_MAP_TYPE_SOCKHASH:	/* sim-edit: no "return" of a void call */
		sock_hash_delete_from_link(link->map, sk, link->link_raw);
		return;	/* sim-edit: no default case: the two map types are all there is */
	}
}

/* sim-origin: net/core/sock_map.c sock_map_remove_links */
static void sock_map_remove_links(struct sock *sk, struct sk_psock *psock)
{
	struct sk_psock_link *link;

	while ((link = sk_psock_link_pop(psock))) {
		sock_map_unlink(sk, link);
		sk_psock_free_link(link);
	}
}

/* sim-origin: net/core/sock_map.c sock_map_unhash */
void sock_map_unhash(struct sock *sk)
{
	void (*saved_unhash)(struct sock *sk);
	struct sk_psock *psock;

	rcu_read_lock();
	psock = sk_psock(sk);
	if (unlikely(!psock)) {
		rcu_read_unlock();
		saved_unhash = READ_ONCE(sk->sk_prot)->unhash;
	} else {
		saved_unhash = psock->saved_unhash;
		sock_map_remove_links(sk, psock);
		rcu_read_unlock();
	}
	if (WARN_ON_ONCE(saved_unhash == sock_map_unhash))
		return;
	if (saved_unhash)
		saved_unhash(sk);
}

/* sim-origin: net/core/sock_map.c sock_map_destroy */
void sock_map_destroy(struct sock *sk)
{
	void (*saved_destroy)(struct sock *sk);
	struct sk_psock *psock;

	rcu_read_lock();
	psock = sk_psock_get(sk);
	if (unlikely(!psock)) {
		rcu_read_unlock();
		saved_destroy = READ_ONCE(sk->sk_prot)->destroy;
	} else {
		saved_destroy = psock->saved_destroy;
		sock_map_remove_links(sk, psock);
		rcu_read_unlock();
		sk_psock_stop(psock);
		sk_psock_put(sk, psock);
	}
	if (WARN_ON_ONCE(saved_destroy == sock_map_destroy))
		return;
	if (saved_destroy)
		saved_destroy(sk);
}

/* sim-origin: net/core/sock_map.c sock_map_close */
void sock_map_close(struct sock *sk, long timeout)
{
	void (*saved_close)(struct sock *sk, long timeout);
	struct sk_psock *psock;

	lock_sock(sk);
	rcu_read_lock();
	psock = sk_psock(sk);
	if (likely(psock)) {
		saved_close = psock->saved_close;
		sock_map_remove_links(sk, psock);
		psock = sk_psock_get(sk);
		if (unlikely(!psock))
			goto no_psock;
		rcu_read_unlock();
		sk_psock_stop(psock);
		release_sock(sk);
		cancel_delayed_work_sync(&psock->work);
		sk_psock_put(sk, psock);
	} else {
		saved_close = READ_ONCE(sk->sk_prot)->close;
no_psock:
		rcu_read_unlock();
		release_sock(sk);
	}
	if (WARN_ON_ONCE(saved_close == sock_map_close))
		return;
	saved_close(sk, timeout);
}

/* ---- helpers programs call -------------------------------------------- */

/* sim-origin: net/core/sock_map.c sock_map_redirect_allowed */
static bool sock_map_redirect_allowed(const struct sock *sk)
{
	if (sk_is_tcp(sk))
		return sk->sk_state != TCP_LISTEN;	/* sim-edit: no else after return (same logic) */
	return sk->sk_state == TCP_ESTABLISHED;
}

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

u64 bpf_msg_redirect_map(struct sk_msg *msg, struct bpf_map *map, u32 key, u64 flags)
{
	struct sock *sk;

	if (unlikely(flags & ~(BPF_F_INGRESS)))
		return SK_DROP;
	sk = __sock_map_lookup_elem(map, key);
	if (!sk || !sock_map_redirect_allowed(sk))
		return SK_DROP;
	if (!(flags & BPF_F_INGRESS) && !sk_is_tcp(sk))
		return SK_DROP;
	msg->flags = flags;
	msg->sk_redir = sk;
	return SK_PASS;
}

u64 bpf_sk_redirect_map(struct sk_buff *skb, struct bpf_map *map, u32 key, u64 flags)
{
	struct sock *sk;

	if (unlikely(flags & ~(BPF_F_INGRESS)))
		return SK_DROP;
	sk = __sock_map_lookup_elem(map, key);
	if (unlikely(!sk || !sock_map_redirect_allowed(sk)))
		return SK_DROP;
	if (!(flags & BPF_F_INGRESS) && !sk_is_tcp(sk))
		return SK_DROP;
	skb_bpf_set_redir(skb, sk, flags & BPF_F_INGRESS);
	return SK_PASS;
}

u64 bpf_msg_redirect_hash(struct sk_msg *msg, struct bpf_map *map,
			  const void *key, u64 flags)
{
	struct sock *sk;

	if (unlikely(flags & ~(BPF_F_INGRESS)))
		return SK_DROP;
	sk = __sock_hash_lookup_elem(map, key);
	if (!sk || !sock_map_redirect_allowed(sk))
		return SK_DROP;
	if (!(flags & BPF_F_INGRESS) && !sk_is_tcp(sk))
		return SK_DROP;
	msg->flags = flags;
	msg->sk_redir = sk;
	return SK_PASS;
}

u64 bpf_sk_redirect_hash(struct sk_buff *skb, struct bpf_map *map,
			 const void *key, u64 flags)
{
	struct sock *sk;

	if (unlikely(flags & ~(BPF_F_INGRESS)))
		return SK_DROP;
	sk = __sock_hash_lookup_elem(map, key);
	if (unlikely(!sk || !sock_map_redirect_allowed(sk)))
		return SK_DROP;
	if (!(flags & BPF_F_INGRESS) && !sk_is_tcp(sk))
		return SK_DROP;
	skb_bpf_set_redir(skb, sk, flags & BPF_F_INGRESS);
	return SK_PASS;
}

/* ---- sockops ------------------------------------------------------------- */

/* sim-origin: net/core/sock_map.c sock_map_op_okay */
static bool sock_map_op_okay(const struct bpf_sock_ops_kern *ops)
{
	return ops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB ||
	       ops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ||
	       ops->op == BPF_SOCK_OPS_TCP_LISTEN_CB;
}

u64 bpf_sock_hash_update(struct bpf_sock_ops_kern *sops, struct bpf_map *map,
			 const void *key, u64 flags)
{
	WARN_ON_ONCE(!rcu_read_lock_held());
	if (likely(sock_map_sk_is_suitable(sops->sk) && sock_map_op_okay(sops)))
		return sock_hash_update_common(map, key, sops->sk, flags);
	return -EOPNOTSUPP;
}

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
			return bpf_msg_redirect_hash(msg, v->map, v->hkey, v->flags);
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
			return bpf_sk_redirect_hash(skb, v->map, v->hkey, v->flags);
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
