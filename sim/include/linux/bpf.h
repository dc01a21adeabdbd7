/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: BPF objects. Stands for include/linux/bpf.h and the parts of
 * include/uapi/linux/bpf.h the real files use.
 *
 * A "program" is a C callback that calls the same helpers a BPF program
 * would (bpf_msg_redirect_map(), bpf_sk_redirect_map(), ...); it runs
 * through bpf_prog_run_pin_on_cpu(). Programs and maps are refcounted like
 * the kernel's and counted in the ledger.
 */
#ifndef _LINUX_BPF_H
#define _LINUX_BPF_H

#include <sim/compiler.h>
#include <sim/atomic.h>
#include <sim/lock.h>

/* include/uapi/linux/bpf.h */
#define BPF_F_INGRESS	(1U << 0)
#define BPF_ANY		0
#define BPF_NOEXIST	1
#define BPF_EXIST	2

enum sk_action {
	SK_DROP = 0,
	SK_PASS,
};

enum bpf_map_type {
	BPF_MAP_TYPE_SOCKMAP = 15,
	BPF_MAP_TYPE_SOCKHASH = 18,
};

enum bpf_prog_type {
	BPF_PROG_TYPE_SOCK_OPS = 13,
	BPF_PROG_TYPE_SK_SKB = 14,
	BPF_PROG_TYPE_SK_MSG = 16,
};

enum {
	BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB = 4,
	BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB = 5,
	BPF_SOCK_OPS_TCP_LISTEN_CB = 11,
};

enum bpf_attach_type {
	BPF_SK_SKB_STREAM_PARSER = 4,
	BPF_SK_SKB_STREAM_VERDICT = 5,
	BPF_SK_MSG_VERDICT = 7,
	BPF_SK_SKB_VERDICT = 39,
};

struct bpf_prog;
typedef unsigned int (*sim_prog_fn)(const struct bpf_prog *prog, void *ctx);

struct bpf_prog {
	enum bpf_prog_type type;
	/* sim: test fields */
	refcount_t refcnt;
	sim_prog_fn run;
	void *priv;		/* the callback's parameters */
	const char *name;
	unsigned long runs;	/* times bpf_prog_run_pin_on_cpu() ran it */
};

struct bpf_map {
	enum bpf_map_type map_type;
	u32 max_entries;
	int numa_node;
};

struct bpf_link {
	int id;
};

struct sock;
void bpf_prog_put(struct bpf_prog *prog);
struct bpf_prog *bpf_prog_inc_not_zero(struct bpf_prog *prog);
void bpf_prog_inc(struct bpf_prog *prog);

/* net/core/sock_map.c: modelled by sim/sockmap.c */
void sock_map_unhash(struct sock *sk);
void sock_map_destroy(struct sock *sk);
void sock_map_close(struct sock *sk, long timeout);

#endif /* _LINUX_BPF_H */
