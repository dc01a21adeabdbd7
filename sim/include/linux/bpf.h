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
#include <linux/init.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

/* include/uapi/linux/bpf.h */
#define BPF_F_INGRESS	(1U << 0)
#define BPF_ANY		0
#define BPF_NOEXIST	1
#define BPF_EXIST	2
#define BPF_F_NUMA_NODE	(1U << 2)
#define BPF_F_RDONLY	(1U << 3)
#define BPF_F_WRONLY	(1U << 4)
#define MAX_BPF_STACK	512

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

enum bpf_link_type {
	BPF_LINK_TYPE_SOCKMAP = 14,
};

/* The parts of the bpf(2) attribute union sock_map.c reads. */
union bpf_attr {
	struct {	/* BPF_MAP_CREATE */
		u32 map_type;
		u32 key_size;
		u32 value_size;
		u32 max_entries;
		u32 map_flags;
		u32 inner_map_fd;
		u32 numa_node;
	};
	struct {	/* BPF_PROG_ATTACH, BPF_PROG_DETACH */
		u32 target_fd;
		u32 attach_bpf_fd;
		u32 attach_type;
		u32 attach_flags;
		u32 replace_bpf_fd;
	};
	struct {	/* BPF_PROG_QUERY */
		u32 target_fd;
		u32 attach_type;
		u32 query_flags;
		u32 attach_flags;
		u64 prog_ids;
		u32 prog_cnt;
	} query;
	struct {	/* BPF_LINK_CREATE */
		u32 prog_fd;
		u32 target_fd;
		u32 attach_type;
		u32 flags;
	} link_create;
};

struct bpf_link_info {
	struct {
		u32 map_id;
		u32 attach_type;
	} sockmap;
};

union bpf_iter_link_info {
	struct {
		u32 map_fd;
	} map;
};

struct bpf_prog;
struct bpf_map;
struct btf;
struct btf_type;
struct seq_file;
typedef unsigned int (*sim_prog_fn)(const struct bpf_prog *prog, void *ctx);

struct bpf_prog_aux {
	u32 id;
	u32 max_rdonly_access;
};

struct bpf_prog {
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	struct bpf_prog_aux *aux;	/* sim: none (NULL): nothing the sim runs reads it */
	/* sim: test fields */
	refcount_t refcnt;
	sim_prog_fn run;
	void *priv;		/* the callback's parameters */
	const char *name;
	unsigned long runs;	/* times bpf_prog_run_pin_on_cpu() ran it */
	int sim_fd;		/* its fd (sim/bpf.c), -1 once closed */
};

struct bpf_iter_seq_info;

/* struct bpf_map_ops: the operations sock_map.c provides. */
struct bpf_map_ops {
	bool (*map_meta_equal)(const struct bpf_map *meta0, const struct bpf_map *meta1);
	struct bpf_map *(*map_alloc)(union bpf_attr *attr);
	void (*map_free)(struct bpf_map *map);
	int (*map_get_next_key)(struct bpf_map *map, void *key, void *next_key);
	void (*map_release_uref)(struct bpf_map *map);
	void *(*map_lookup_elem_sys_only)(struct bpf_map *map, void *key);
	void *(*map_lookup_elem)(struct bpf_map *map, void *key);
	long (*map_update_elem)(struct bpf_map *map, void *key, void *value, u64 flags);
	long (*map_delete_elem)(struct bpf_map *map, void *key);
	int (*map_check_btf)(const struct bpf_map *map, const struct btf *btf,
			     const struct btf_type *key_type,
			     const struct btf_type *value_type);
	u64 (*map_mem_usage)(const struct bpf_map *map);
	int *map_btf_id;
	const struct bpf_iter_seq_info *iter_seq_info;
};

struct bpf_map {
	const struct bpf_map_ops *ops;
	enum bpf_map_type map_type;
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 map_flags;
	u32 id;
	int numa_node;
	/* sim: test fields */
	int sim_fd;		/* its fd (sim/bpf.c) */
};

/* bpf_link: the sim has no anon inodes; sock_map_link_create() and the
 * link ops are compiled, never run (sim/bpf.c: loud stubs). */
struct bpf_link;
struct bpf_link_ops {
	void (*release)(struct bpf_link *link);
	void (*dealloc)(struct bpf_link *link);
	int (*detach)(struct bpf_link *link);
	int (*update_prog)(struct bpf_link *link, struct bpf_prog *new_prog,
			   struct bpf_prog *old_prog);
	int (*fill_link_info)(const struct bpf_link *link, struct bpf_link_info *info);
	void (*show_fdinfo)(const struct bpf_link *link, struct seq_file *seq);
};

struct bpf_link {
	const struct bpf_link_ops *ops;
	struct bpf_prog *prog;
	int id;
};

struct bpf_link_primer {
	struct bpf_link *link;
	int fd;
	u32 id;
};

void bpf_link_init(struct bpf_link *link, enum bpf_link_type type,
		   const struct bpf_link_ops *ops, struct bpf_prog *prog);
int bpf_link_prime(struct bpf_link *link, struct bpf_link_primer *primer);
int bpf_link_settle(struct bpf_link_primer *primer);
void bpf_link_cleanup(struct bpf_link_primer *primer);

/* Iterators and seq_file: compiled, never run (loud stubs in sim/bpf.c),
 * except bpf_iter_reg_target(), which the initcall calls: it records. */
struct bpf_iter_meta {
	struct seq_file *seq;
	u64 session_id;
	u64 seq_num;
};

struct bpf_iter_aux_info {
	struct bpf_map *map;
};

typedef int (*bpf_iter_attach_target_t)(struct bpf_prog *prog,
					union bpf_iter_link_info *linfo,
					struct bpf_iter_aux_info *aux);
typedef void (*bpf_iter_detach_target_t)(struct bpf_iter_aux_info *aux);
typedef void (*bpf_iter_show_fdinfo_t)(const struct bpf_iter_aux_info *aux,
				       struct seq_file *seq);
typedef int (*bpf_iter_fill_link_info_t)(const struct bpf_iter_aux_info *aux,
					 struct bpf_link_info *info);
typedef int (*bpf_iter_init_seq_priv_t)(void *private_data,
					struct bpf_iter_aux_info *aux);
typedef void (*bpf_iter_fini_seq_priv_t)(void *private_data);

struct seq_operations;
struct bpf_iter_seq_info {
	const struct seq_operations *seq_ops;
	bpf_iter_init_seq_priv_t init_seq_private;
	bpf_iter_fini_seq_priv_t fini_seq_private;
	u32 seq_priv_size;
};

enum bpf_reg_type {
	PTR_TO_BUF = 1,
	PTR_TO_BTF_ID = 2,
	PTR_MAYBE_NULL = 1 << 8,
	MEM_RDONLY = 1 << 9,
	PTR_TO_BTF_ID_OR_NULL = PTR_MAYBE_NULL | PTR_TO_BTF_ID,
};

struct bpf_ctx_arg_aux {
	u32 offset;
	enum bpf_reg_type reg_type;
	u32 btf_id;
};

#define BPF_ITER_CTX_ARG_MAX 2
struct bpf_iter_reg {
	const char *target;
	bpf_iter_attach_target_t attach_target;
	bpf_iter_detach_target_t detach_target;
	bpf_iter_show_fdinfo_t show_fdinfo;
	bpf_iter_fill_link_info_t fill_link_info;
	u32 ctx_arg_info_size;
	u32 feature;
	struct bpf_ctx_arg_aux ctx_arg_info[BPF_ITER_CTX_ARG_MAX];
	const struct bpf_iter_seq_info *seq_info;
};

#define __bpf_md_ptr(type, name)	type name __aligned(8)
#define DEFINE_BPF_ITER_FUNC(target, args...)			\
	extern int bpf_iter_ ## target(args);			\
	int __init bpf_iter_ ## target(args) { return 0; }

int bpf_iter_reg_target(const struct bpf_iter_reg *reg_info);
struct bpf_prog *bpf_iter_get_info(struct bpf_iter_meta *meta, bool in_stop);
int bpf_iter_run_prog(struct bpf_prog *prog, void *ctx);
void bpf_iter_map_show_fdinfo(const struct bpf_iter_aux_info *aux,
			      struct seq_file *seq);
int bpf_iter_map_fill_link_info(const struct bpf_iter_aux_info *aux,
				struct bpf_link_info *info);

/* The BPF map core (kernel/bpf/syscall.c), sim/bpf.c. */
void *bpf_map_area_alloc(u64 size, int numa_node);
void bpf_map_area_free(void *base);
void bpf_map_init_from_attr(struct bpf_map *map, union bpf_attr *attr);
#define bpf_map_kmalloc_node(map, size, flags, node)	kmalloc_node(size, flags, node)
bool bpf_map_meta_equal(const struct bpf_map *meta0, const struct bpf_map *meta1);
int map_check_no_btf(const struct bpf_map *map, const struct btf *btf,
		     const struct btf_type *key_type,
		     const struct btf_type *value_type);
struct fd;
struct bpf_map *__bpf_map_get(struct fd f);
struct bpf_map *bpf_map_get_with_uref(u32 ufd);
void bpf_map_inc_with_uref(struct bpf_map *map);
void bpf_map_put_with_uref(struct bpf_map *map);

struct sock;
void bpf_prog_put(struct bpf_prog *prog);
struct bpf_prog *bpf_prog_inc_not_zero(struct bpf_prog *prog);
void bpf_prog_inc(struct bpf_prog *prog);
struct bpf_prog *bpf_prog_get(u32 ufd);
struct bpf_prog *bpf_prog_get_type(u32 ufd, enum bpf_prog_type type);

/* net/core/sock_map.c */
extern const struct bpf_map_ops sock_map_ops;
extern const struct bpf_map_ops sock_hash_ops;
int sock_map_get_from_fd(const union bpf_attr *attr, struct bpf_prog *prog);
int sock_map_prog_detach(const union bpf_attr *attr, enum bpf_prog_type ptype);
int sock_map_update_elem_sys(struct bpf_map *map, void *key, void *value, u64 flags);
int sock_map_bpf_prog_query(const union bpf_attr *attr, union bpf_attr __user *uattr);
int sock_map_link_create(const union bpf_attr *attr, struct bpf_prog *prog);
void sock_map_unhash(struct sock *sk);
void sock_map_destroy(struct sock *sk);
void sock_map_close(struct sock *sk, long timeout);

#endif /* _LINUX_BPF_H */
