/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "TCP stack bypass" of the seed's deployment, as BPF programs written
 * as C callbacks: a sockops program puts every established socket into a
 * SOCKHASH under its 4-tuple; an sk_msg program redirects every message to
 * the ingress of the peer socket, found by the reversed tuple
 * (bpf_msg_redirect_hash with BPF_F_INGRESS), optionally with apply_bytes
 * and cork_bytes. Shared by the tests and the report.
 */
#ifndef _SIM_BYPASS_H
#define _SIM_BYPASS_H

#include <sim/sockmap.h>
#include <net/sock.h>
#include <sim/net.h>

struct sim_tuple {
	u32 sip, dip;
	u16 sport, dport;
};

/* The key of @sk's connection as seen from @sk (local first), or from its
 * peer (@reverse). */
static inline struct sim_tuple sim_sk_tuple(const struct sock *sk, bool reverse)
{
	const struct inet_sock *in = inet_sk(sk);

	if (reverse)
		return (struct sim_tuple){ in->inet_daddr, in->inet_saddr,
					   in->inet_dport, in->inet_sport };
	return (struct sim_tuple){ in->inet_saddr, in->inet_daddr,
				   in->inet_sport, in->inet_dport };
}

/* sockops: every established socket goes into the hash (prog->priv). */
static inline unsigned int sim_sockops_insert(const struct bpf_prog *prog, void *ctx)
{
	struct bpf_sock_ops_kern *sops = ctx;
	struct sim_tuple key = sim_sk_tuple(sops->sk, false);

	if (sops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ||
	    sops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		bpf_sock_hash_update(sops, prog->priv, &key, BPF_NOEXIST);
	return 1;
}

/* What the sk_msg program sets before redirecting (0: not called). */
struct sim_bypass_opts {
	u32 apply_bytes, cork_bytes;
};

struct sim_bypass {
	struct bpf_map *hash;
	struct bpf_prog *ops, *msg;
	struct sim_bypass_opts opts;
	sim_prog_fn msg_fn;	/* instead of sim_msg_to_peer, if set */
};

/* sk_msg (prog->priv: the struct sim_bypass): to the peer's ingress. */
static inline unsigned int sim_msg_to_peer(const struct bpf_prog *prog, void *ctx)
{
	const struct sim_bypass *bp = prog->priv;
	struct sk_msg *msg = ctx;
	struct sim_tuple key = sim_sk_tuple(msg->sk, true);

	if (bp->opts.apply_bytes)
		bpf_msg_apply_bytes(msg, bp->opts.apply_bytes);
	if (bp->opts.cork_bytes)
		bpf_msg_cork_bytes(msg, bp->opts.cork_bytes);
	return bpf_msg_redirect_hash(msg, bp->hash, &key, BPF_F_INGRESS);
}

/* The SOCKHASH, the sockops program that fills it, the sk_msg program on
 * it. Pairs made afterwards join the bypass. Returns 0 or an error of
 * sim_prog_attach(). */
static inline int sim_bypass_setup(struct sim_bypass *bp, u32 max_entries)
{
	bp->hash = sim_sockhash_create(max_entries, sizeof(struct sim_tuple));
	bp->ops = sim_prog_load(BPF_PROG_TYPE_SOCK_OPS, sim_sockops_insert, bp->hash, "sockops");
	sim_sockops_attach(bp->ops);
	bp->msg = sim_prog_load(BPF_PROG_TYPE_SK_MSG, bp->msg_fn ? bp->msg_fn : sim_msg_to_peer,
				bp, "msg_to_peer");
	return sim_prog_attach(bp->msg, bp->hash, BPF_SK_MSG_VERDICT);
}

/* A server's connection: @client connects to @listener, the server
 * accepts. The child was established, and seen by the sockops programs
 * (PASSIVE_ESTABLISHED: the bypass put it in the hash), before accept()
 * gave it a socket, as on a real server. */
static inline void sim_bypass_connect(struct sock *listener, struct sock **client,
				      struct sock **server, const char *cname,
				      const char *sname)
{
	*client = sim_tcp_connect_to(listener, cname, sname);
	*server = sim_tcp_accept(listener);
	BUG_ON(!*server || *server != sim_tcp_peer(*client));
}

#endif /* _SIM_BYPASS_H */
