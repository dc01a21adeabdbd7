/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: running a program and the helpers programs call. Stands for
 * include/linux/filter.h: BPF_CALL_x, struct bpf_func_proto and the
 * helpers' prototypes (bodies: net/core/sock_map.c, compiled for real, and
 * bpf_msg_apply_bytes/bpf_msg_cork_bytes of net/core/filter.c in sim/).
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

/*
 * BPF_CALL_x (include/linux/filter.h): the kernel defines a helper as a
 * u64 (u64 r1, ..., u64 r5) function wrapping a typed, inlined body. The
 * sim's programs are C callbacks, so the shim makes the body itself the
 * function: BPF_CALL_4(bpf_msg_redirect_map, struct sk_msg *, msg, ...)
 * defines u64 bpf_msg_redirect_map(struct sk_msg *msg, ...), and a
 * callback calls the real helper body as a program's call instruction
 * would (the verifier's argument checks aside).
 */
#define BPF_CALL_0(name)	u64 name(void)
#define BPF_CALL_1(name, t1, a1)	u64 name(t1 a1)
#define BPF_CALL_2(name, t1, a1, t2, a2)	u64 name(t1 a1, t2 a2)
#define BPF_CALL_3(name, t1, a1, t2, a2, t3, a3)	u64 name(t1 a1, t2 a2, t3 a3)
#define BPF_CALL_4(name, t1, a1, t2, a2, t3, a3, t4, a4)			\
	u64 name(t1 a1, t2 a2, t3 a3, t4 a4)
#define BPF_CALL_5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)		\
	u64 name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)

/* struct bpf_func_proto (include/linux/bpf.h): what the verifier reads;
 * the sim has no verifier, so it is data only. */
enum bpf_return_type {
	RET_INTEGER,
};

enum bpf_arg_type {
	ARG_DONTCARE,
	ARG_CONST_MAP_PTR,
	ARG_PTR_TO_MAP_KEY,
	ARG_PTR_TO_CTX,
	ARG_ANYTHING,
};

struct bpf_func_proto {
	const void *func;	/* the kernel: u64 (*)(u64, u64, u64, u64, u64) */
	bool gpl_only;
	bool pkt_access;
	enum bpf_return_type ret_type;
	enum bpf_arg_type arg1_type;
	enum bpf_arg_type arg2_type;
	enum bpf_arg_type arg3_type;
	enum bpf_arg_type arg4_type;
	enum bpf_arg_type arg5_type;
};

/* The helpers, as BPF_CALL_4 above defines them. bpf_msg_apply_bytes and
 * bpf_msg_cork_bytes (net/core/filter.c) are the sim's (sim/sockmap.c);
 * the others are net/core/sock_map.c's. */
u64 bpf_msg_apply_bytes(struct sk_msg *msg, u32 bytes);
u64 bpf_msg_cork_bytes(struct sk_msg *msg, u32 bytes);
u64 bpf_msg_redirect_map(struct sk_msg *msg, struct bpf_map *map, u32 key, u64 flags);
u64 bpf_msg_redirect_hash(struct sk_msg *msg, struct bpf_map *map, void *key, u64 flags);
u64 bpf_sk_redirect_map(struct sk_buff *skb, struct bpf_map *map, u32 key, u64 flags);
u64 bpf_sk_redirect_hash(struct sk_buff *skb, struct bpf_map *map, void *key, u64 flags);
u64 bpf_sock_map_update(struct bpf_sock_ops_kern *sops, struct bpf_map *map, void *key, u64 flags);
u64 bpf_sock_hash_update(struct bpf_sock_ops_kern *sops, struct bpf_map *map, void *key, u64 flags);

#endif /* __LINUX_FILTER_H__ */
