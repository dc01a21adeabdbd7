/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: sockmaps and programs, the bpf(2) calls a test makes: create a
 * SOCKMAP, update/delete slots, load a program (a C callback) and attach
 * it to the map (SOCKMAP or SOCKHASH). The map links socks to psocks the way
 * net/core/sock_map.c does (sk_psock_init, psock_update_sk_prot,
 * sk_psock_start_verdict, sk_psock_put on delete, close and unhash).
 */
#ifndef _SIM_SOCKMAP_H
#define _SIM_SOCKMAP_H

#include <linux/skmsg.h>
#include <sim/world.h>

struct bpf_map *sim_sockmap_create(u32 max_entries);
int sim_map_update(struct bpf_map *map, u32 key, struct sock *sk, u64 flags);
int sim_map_delete(struct bpf_map *map, u32 key);
struct sock *sim_map_lookup(struct bpf_map *map, u32 key);
void sim_map_close(struct bpf_map *map);

/* SOCKHASH: keys of @key_size bytes (a 4-tuple, say). */
struct bpf_map *sim_sockhash_create(u32 max_entries, u32 key_size);
int sim_hash_update(struct bpf_map *map, const void *key, struct sock *sk, u64 flags);
int sim_hash_delete(struct bpf_map *map, const void *key);
struct sock *sim_hash_lookup(struct bpf_map *map, const void *key);

/* sockops programs of the (one) cgroup: run with the op on every
 * established loopback pair, active side then passive side. */
void sim_sockops_attach(struct bpf_prog *prog);
void sim_sockops_established(struct sock *sk, int op);

/* Load a program: the returned reference is the test's "fd". */
struct bpf_prog *sim_prog_load(enum bpf_prog_type type, sim_prog_fn fn,
			       void *priv, const char *name);
int sim_prog_attach(struct bpf_prog *prog, struct bpf_map *map,
		    enum bpf_attach_type type);
int sim_prog_detach(struct bpf_prog *prog, struct bpf_map *map,
		    enum bpf_attach_type type);

/* The canned verdict programs most tests need. */
enum sim_action {
	SIM_PASS,
	SIM_DROP,
	SIM_REDIRECT,
};

struct sim_verdict {
	enum sim_action action;
	struct bpf_map *map;	/* redirect target map */
	u32 key;		/* redirect target slot (SOCKMAP) */
	const void *hkey;	/* redirect target key (SOCKHASH) */
	u64 flags;		/* BPF_F_INGRESS or 0 */
	u32 apply_bytes;	/* bpf_msg_apply_bytes() when non-zero */
	u32 cork_bytes;		/* bpf_msg_cork_bytes() when non-zero */
	/* From run then_after + 1 of the program on, it decides as *then
	 * does: a program whose decision follows state that changed (a BPF
	 * map it reads), also between two runs on the same msg. */
	const struct sim_verdict *then;
	unsigned long then_after;
};

/* sk_msg verdict running @v (which must outlive the program). */
struct bpf_prog *sim_prog_msg_verdict(struct sim_verdict *v);
/* sk_skb verdict running @v. */
struct bpf_prog *sim_prog_skb_verdict(struct sim_verdict *v);

/*
 * A stream parser (BPF_SK_SKB_STREAM_PARSER) as a BPF program sees the
 * skb: skb->len of the message's head skb, which includes the bytes of
 * earlier messages of the same segment (a BPF program's ctx has no
 * strp_msg offset). It returns, in this order: @err (a negative errno)
 * from run err_after + 1 on if @err is set; 0 ("need more") while
 * skb->len < @need; the length of run N from @lens[N - 1] while there is
 * one (a program reading a length a test chose per message), then
 * @msg_len if set, else skb->len (test_sockmap's parser: every chunk read
 * is a message).
 */
struct sim_parser {
	const u32 *lens;
	unsigned int nlens;
	u32 msg_len;
	u32 need;
	int err;
	unsigned long err_after;
};

struct bpf_prog *sim_prog_stream_parser(struct sim_parser *p);

/* sim/bpf.c: the fd table and the map/prog fds behind the calls above. */
struct file;
int sim_fd_install(struct file *file);
void sim_fd_close(int fd);
int sim_bpf_map_new_fd(struct bpf_map *map, struct file *file);
int sim_bpf_prog_new_fd(struct bpf_prog *prog, struct file *file);
extern int sim_bpf_iter_targets;	/* bpf_iter_reg_target() calls */

#endif /* _SIM_SOCKMAP_H */
