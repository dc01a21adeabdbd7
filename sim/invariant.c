// SPDX-License-Identifier: GPL-2.0
/*
 * sim: the socket accounting invariants (<sim/invariant.h>). The charging
 * rules are the kernel's:
 *   - skb_set_owner_r() (tcp receive, sk_psock_skb_ingress{,_self}())
 *     adds skb->truesize to sk_rmem_alloc and charges it to
 *     sk_forward_alloc; the skb's destructor, sock_rfree(), takes both
 *     back when the last reference goes (for an ingress_msg sk_msg built
 *     from an skb: kfree_sk_msg()/sk_msg_free()'s consume_skb()).
 *     An skb owned with skb_set_owner_sk_safe() (sock_efree: a reference,
 *     no memory; tcp_read_skb() hands skbs to the verdict that way) is not
 *     charged to anyone.
 *   - bpf_tcp_ingress() charges each byte it moves to an ingress sk_msg
 *     (sk_mem_charge() and atomic_add() to sk_rmem_alloc); __sk_msg_read()
 *     takes back what it consumes, __sk_psock_purge_ingress_msg() the rest.
 *   - the socket backlog holds skbs not yet charged (sk_backlog.len only;
 *     tcp_v4_do_rcv() charges them when release_sock() runs the backlog).
 *   - tcp_stream_alloc_skb()/tcp_skb_entail() and each copy into an skb
 *     charge its truesize to sk_wmem_queued (and sk_forward_alloc) until
 *     the peer acks it (tcp_clean_rtx_queue()) or the queues are purged:
 *     sk_wmem_queued is the truesize of the write queue's skbs plus that
 *     of the segments sent and not yet acked (the sim's rtx records).
 * The checker reads with plain loads and takes no lock: see the header.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sim/invariant.h>
#include <sim/experiments.h>
#include <sim/net.h>
#include <sim/task.h>
#include <sim/ledger.h>
#include <linux/skmsg.h>
#include <net/sock.h>
#include <net/tcp.h>

static const char *const inv_names[SIM_INV_NR] = {
	[SIM_INV_OK]		= "ok",
	[SIM_INV_MSG_TOT_LEN]	= "msg_tot_len",
	[SIM_INV_RMEM_ALLOC]	= "rmem_alloc",
	[SIM_INV_FWD_NONNEG]	= "forward_alloc_nonneg",
	[SIM_INV_FWD_IDLE]	= "forward_alloc_idle",
	[SIM_INV_COPIED_SEQ]	= "copied_seq",
	[SIM_INV_WMEM_QUEUED]	= "wmem_queued",
};

const char *sim_inv_name(enum sim_inv inv)
{
	return (unsigned int)inv < SIM_INV_NR ? inv_names[inv] : "?";
}

/*
 * The distinct skbs already counted for one socket: an open-addressing
 * hash set (a queue of thousands of skbs is checked after every step).
 */
struct skb_set {
	const struct sk_buff **v;
	size_t n, cap;		/* cap: 0 or a power of two */
};

static size_t skb_slot(const struct sk_buff *skb, size_t cap)
{
	return (size_t)(((uintptr_t)skb >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

static bool skb_set_add(struct skb_set *set, const struct sk_buff *skb)
{
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		struct skb_set big = { .cap = set->cap ? 2 * set->cap : 64 };

		big.v = calloc(big.cap, sizeof(*big.v));
		if (!big.v)
			abort();
		for (i = 0; i < set->cap; i++)
			if (set->v[i])
				skb_set_add(&big, set->v[i]);
		free(set->v);
		*set = big;
	}
	for (i = skb_slot(skb, set->cap); set->v[i]; i = (i + 1) & (set->cap - 1))
		if (set->v[i] == skb)
			return false;
	set->v[i] = skb;
	set->n++;
	return true;
}

/* What @skb charged to @sk: its truesize if @sk owns it for reading. */
static int skb_charge(struct skb_set *set, const struct sk_buff *skb,
		      const struct sock *sk)
{
	if (skb->destructor != sock_rfree || skb->sk != sk)
		return 0;
	return skb_set_add(set, skb) ? (int)skb->truesize : 0;
}

static int queue_charge(struct skb_set *set, struct sk_buff_head *q,
			const struct sock *sk)
{
	struct sk_buff *skb;
	int sum = 0;

	skb_queue_walk(q, skb)
		sum += skb_charge(set, skb, sk);
	return sum;
}

/*
 * The psocks of @sk: sk_psock(sk), and one a map delete or close has
 * detached (sk_user_data cleared) whose queues wait for
 * sk_psock_destroy() after the grace period: its ingress_msg still holds
 * the charges. Every live psock the ledger knows whose ->sk is @sk.
 */
struct psocks {
	const struct sock *sk;
	struct sk_psock *v[4];
	u32 msg_sum[4];		/* sum of sg.size over v[i]->ingress_msg */
	int n;
};

static void psock_of(const void *ptr, void *arg)
{
	struct sk_psock *psock = (struct sk_psock *)ptr;
	struct psocks *ps = arg;

	if (psock->sk == ps->sk) {
		BUG_ON(ps->n == (int)ARRAY_SIZE(ps->v));
		ps->v[ps->n++] = psock;
	}
}

static void psocks_of(const struct sock *sk, struct psocks *ps)
{
	ps->sk = sk;
	ps->n = 0;
	sim_ledger_for_each(SIM_PSOCK, psock_of, ps);
}

/*
 * What the queued msgs and skbs charged to @sk, and each psock's sum of
 * sg.size over its ingress_msg (ps->msg_sum), in one walk: the lists can
 * hold tens of thousands of msgs, walked after every step.
 */
static int rmem_expected(struct sock *sk, struct psocks *ps)
{
	struct skb_set set = {};
	struct sk_buff *skb;
	int sum;

	sum = queue_charge(&set, &sk->sk_receive_queue, sk);
	for (skb = sk->sk_backlog.head; skb; skb = skb->next)
		sum += skb_charge(&set, skb, sk);
	for (int i = 0; i < ps->n; i++) {
		struct sk_psock *psock = ps->v[i];
		struct sk_msg *msg;
		u32 msgs = 0;

		sum += queue_charge(&set, &psock->ingress_skb, sk);
		list_for_each_entry(msg, &psock->ingress_msg, list) {
			msgs += msg->sg.size;
			sum += msg->skb ? skb_charge(&set, msg->skb, sk) :
					  (int)msg->sg.size;
		}
#if SIM_EXP_INGRESS_BATCH
		/* experiments/0002: batched msgs count in sk_rmem_alloc and
		 * msg_tot_len from the moment they are batched */
		list_for_each_entry(msg, &psock->ingress_batch, list) {
			msgs += msg->sg.size;
			sum += msg->sg.size;
		}
#endif
		ps->msg_sum[i] = msgs;
	}
	free(set.v);
	return sum;
}

int sim_sock_rmem_expected(struct sock *sk)
{
	struct psocks ps;

	psocks_of(sk, &ps);
	return rmem_expected(sk, &ps);
}

static const char *sk_name(const struct sock *sk)
{
	return sk->sim_name ? sk->sim_name : "?";
}

/* The first broken invariant of @sk not in @skip (a mask of 1 << inv). */
static enum sim_inv check(struct sock *sk, unsigned int skip, char *why, size_t len)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct sk_psock *psock = sk_psock(sk);
	int rmem, charged, fwd, cork;
	struct psocks ps;
	bool idle;

	BUG_ON(sim_sched_active());
	psocks_of(sk, &ps);
	charged = rmem_expected(sk, &ps);
	for (int i = 0; i < ps.n && !(skip & (1u << SIM_INV_MSG_TOT_LEN)); i++) {
		u32 sum = ps.msg_sum[i];

		if (ps.v[i]->msg_tot_len != sum) {
			snprintf(why, len, "invariant msg_tot_len broken on %s%s: expected %u (sum of sg.size over ingress_msg), psock->msg_tot_len is %u",
				 sk_name(sk), ps.v[i] == psock ? "" : " (detached psock)",
				 sum, ps.v[i]->msg_tot_len);
			return SIM_INV_MSG_TOT_LEN;
		}
	}
	rmem = atomic_read(&sk->sk_rmem_alloc);
	if (!(skip & (1u << SIM_INV_RMEM_ALLOC)) && rmem != charged) {
		snprintf(why, len, "invariant rmem_alloc broken on %s: expected %d (charged by the queued msgs and skbs), sk->sk_rmem_alloc is %d",
			 sk_name(sk), charged, rmem);
		return SIM_INV_RMEM_ALLOC;
	}
	fwd = sk->sk_forward_alloc;
	if (!(skip & (1u << SIM_INV_FWD_NONNEG)) && fwd < 0) {
		snprintf(why, len, "invariant forward_alloc_nonneg broken on %s: expected >= 0, sk->sk_forward_alloc is %d",
			 sk_name(sk), fwd);
		return SIM_INV_FWD_NONNEG;
	}
	cork = psock && psock->cork ? (int)psock->cork->sg.size : 0;
	idle = !charged && !rmem && !sk->sk_wmem_queued && !cork &&
	       !sk->sk_backlog.tail;
	if (!(skip & (1u << SIM_INV_FWD_IDLE)) && idle && fwd != 0) {
		snprintf(why, len, "invariant forward_alloc_idle broken on %s: expected 0 (nothing charged: no queued msg or skb, sk_wmem_queued 0, no cork), sk->sk_forward_alloc is %d",
			 sk_name(sk), fwd);
		return SIM_INV_FWD_IDLE;
	}
	if (!(skip & (1u << SIM_INV_WMEM_QUEUED))) {
		const struct sim_rtx *r;
		const struct sk_buff *skb;
		long queued = 0;

		skb_queue_walk(&sk->sk_write_queue, skb)
			queued += skb->truesize;
		list_for_each_entry(r, &sim_tcp(sk)->rtx, list)
			queued += r->truesize;
		if (sk->sk_wmem_queued != queued) {
			snprintf(why, len, "invariant wmem_queued broken on %s: expected %ld (truesize of the write queue and of the segments not yet acked), sk->sk_wmem_queued is %d",
				 sk_name(sk), queued, sk->sk_wmem_queued);
			return SIM_INV_WMEM_QUEUED;
		}
	}
	if (!(skip & (1u << SIM_INV_COPIED_SEQ)) &&
	    (int)(tp->rcv_nxt - tp->copied_seq) < 0) {
		snprintf(why, len, "invariant copied_seq broken on %s: expected copied_seq <= rcv_nxt %u, tp->copied_seq is %u (%d past)",
			 sk_name(sk), tp->rcv_nxt, tp->copied_seq,
			 (int)(tp->copied_seq - tp->rcv_nxt));
		return SIM_INV_COPIED_SEQ;
	}
	return SIM_INV_OK;
}

enum sim_inv sim_sock_invariants(struct sock *sk, char *why, size_t len)
{
	return check(sk, 0, why, len);
}

/* ---- after every step -------------------------------------------------- */

static bool auto_on;
static int nested;
static void (*fail_hook)(const char *msg);
static long failures;
static char last[320];
static struct {
	const char *bug;	/* NULL: not expected */
	long hits;
} expected[SIM_INV_NR];

void sim_invariants_auto(bool on)
{
	auto_on = on;
}

bool sim_invariants_auto_on(void)
{
	return auto_on;
}

void sim_invariants_set_fail_hook(void (*fn)(const char *msg))
{
	fail_hook = fn;
}

long sim_invariant_failures(void)
{
	return failures;
}

const char *sim_invariant_last(void)
{
	return last;
}

void sim_invariants_expect(enum sim_inv inv, const char *bug)
{
	BUG_ON(inv <= SIM_INV_OK || inv >= SIM_INV_NR || !bug);
	expected[inv].bug = bug;
	expected[inv].hits = 0;
}

long sim_invariant_expected_hits(enum sim_inv inv)
{
	return (unsigned int)inv < SIM_INV_NR ? expected[inv].hits : 0;
}

void sim_invariants_nest(int delta)
{
	nested += delta;
}

void sim_invariants_reset(void)
{
	auto_on = false;
	nested = 0;
	failures = 0;
	last[0] = '\0';
	memset(expected, 0, sizeof(expected));
}

void sim_invariants_step(const char *op)
{
	struct sim_tcp_sock *st;

	if (!SIM_BOOKKEEPING || !auto_on || nested || sim_sched_active())
		return;
	list_for_each_entry(st, &sim_tcp_socks, sim_all) {
		struct sock *sk = &st->tp.inet_conn.icsk_inet.sk;
		unsigned int skip = 0;
		char why[256];
		enum sim_inv inv;

		if (!st->fd_open && !st->accept_pending)
			continue;
		while ((inv = check(sk, skip, why, sizeof(why))) != SIM_INV_OK &&
		       expected[inv].bug) {
			if (!expected[inv].hits++)
				fprintf(stderr, "sockmap-sim: after %s: %s: the kernel bug %s\n",
					op, why, expected[inv].bug);
			skip |= 1u << inv;
		}
		if (inv == SIM_INV_OK)
			continue;
		snprintf(last, sizeof(last), "after %s: %s", op, why);
		if (fail_hook) {
			auto_on = false;	/* one report per test */
			fail_hook(last);
			return;
		}
		fprintf(stderr, "sockmap-sim: %s\n", last);
		failures++;
		return;
	}
}
