/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: running a program and the helpers programs call. Stands for
 * include/linux/filter.h and the sockmap helpers of net/core/filter.c and
 * net/core/sock_map.c (bpf_msg_apply_bytes, bpf_msg_cork_bytes,
 * bpf_msg_redirect_map/hash, bpf_sk_redirect_map/hash).
 */
#ifndef __LINUX_FILTER_H__
#define __LINUX_FILTER_H__

#include <sim/compiler.h>
#include <linux/bpf.h>

struct sk_msg;
struct sk_buff;
struct sock;

/* The context of a sockops program (the fields the sim fills). */
struct bpf_sock_ops_kern {
	struct sock *sk;
	u8 op;
	u8 is_fullsock;
};

static inline u32 bpf_prog_run_pin_on_cpu(const struct bpf_prog *prog,
					  const void *ctx)
{
	struct bpf_prog *p = (struct bpf_prog *)prog;

	p->runs++;
	return p->run(prog, (void *)ctx);
}

/* Helpers with the kernel's semantics (BPF_CALL_* bodies). */
u64 bpf_msg_apply_bytes(struct sk_msg *msg, u32 bytes);
u64 bpf_msg_cork_bytes(struct sk_msg *msg, u32 bytes);
u64 bpf_msg_redirect_map(struct sk_msg *msg, struct bpf_map *map, u32 key, u64 flags);
u64 bpf_msg_redirect_hash(struct sk_msg *msg, struct bpf_map *map, const void *key, u64 flags);
u64 bpf_sk_redirect_map(struct sk_buff *skb, struct bpf_map *map, u32 key, u64 flags);
u64 bpf_sk_redirect_hash(struct sk_buff *skb, struct bpf_map *map, const void *key, u64 flags);
u64 bpf_sock_map_update(struct bpf_sock_ops_kern *sops, struct bpf_map *map, u32 key, u64 flags);
u64 bpf_sock_hash_update(struct bpf_sock_ops_kern *sops, struct bpf_map *map, const void *key, u64 flags);

#endif /* __LINUX_FILTER_H__ */
