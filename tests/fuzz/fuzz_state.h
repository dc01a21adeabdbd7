/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/fuzz/fuzz_state.h: a harness's summary of the state an input ends
 * in (bytes sent and delivered per socket and stream, socket accounting,
 * sequence offsets, the sim's cost counters and ledger counts), as named
 * fields. The harness notes them after the input's last operation, before
 * its teardown; replay.c with SOCKMAP_SIM_REPLAY_ORDER=1 (make
 * fuzz-replay-order) runs every input after a different history (the
 * corpus forwards, then backwards) and fails on the first field that
 * differs: what an input does must not depend on the inputs before it in
 * the same process (libFuzzer runs them all in one; a crash must replay
 * alone).
 */
#ifndef SOCKMAP_SIM_FUZZ_STATE_H
#define SOCKMAP_SIM_FUZZ_STATE_H

#include <stdbool.h>
#include <string.h>

#define FUZZ_STATE_MAX	256

struct fuzz_state {
	int n;
	bool overflow;
	const char *who[FUZZ_STATE_MAX], *what[FUZZ_STATE_MAX];
	long long v[FUZZ_STATE_MAX];
};

/* defined by the harness */
extern struct fuzz_state fuzz_state;

static inline void fuzz_state_reset(void)
{
	fuzz_state.n = 0;
	fuzz_state.overflow = false;
}

static inline void fuzz_state_note(const char *who, const char *what, long long v)
{
	if (fuzz_state.n == FUZZ_STATE_MAX) {
		fuzz_state.overflow = true;
		return;
	}
	fuzz_state.who[fuzz_state.n] = who;
	fuzz_state.what[fuzz_state.n] = what;
	fuzz_state.v[fuzz_state.n++] = v;
}

/* The field @what of @who the last input noted: true and *@v, or false
 * when the input did not note it (a test asks with this, so that a field
 * renamed or left out fails the test instead of keeping its default). */
static inline bool fuzz_state_get(const char *who, const char *what, long long *v)
{
	for (int i = 0; i < fuzz_state.n; i++) {
		if (!strcmp(fuzz_state.who[i], who) && !strcmp(fuzz_state.what[i], what)) {
			*v = fuzz_state.v[i];
			return true;
		}
	}
	return false;
}

#ifdef _SIM_NET_H	/* the harness: <sim/world.h>, <sim/ledger.h>, <sim/net.h> */
/* The sim's counters since the world began. */
static inline void fuzz_state_note_sim(void)
{
	fuzz_state_note("sim", "bytes_copied", sim_stats.bytes_copied);
	fuzz_state_note("sim", "uaccess_faults", sim_stats.uaccess_faults);
	fuzz_state_note("sim", "page_get", sim_stats.page_get);
	fuzz_state_note("sim", "page_put", sim_stats.page_put);
	for (int k = 0; k < SIM_KIND_NR; k++) {
		fuzz_state_note(sim_kind_name(k), "allocs", sim_stats.allocs[k]);
		fuzz_state_note(sim_kind_name(k), "frees", sim_stats.frees[k]);
		fuzz_state_note(sim_kind_name(k), "live", sim_live(k));
	}
	fuzz_state_note("sim", "lock_sock", sim_stats.lock_sock);
	fuzz_state_note("sim", "data_ready", sim_stats.data_ready);
	fuzz_state_note("sim", "wakeups", sim_stats.wakeups);
	fuzz_state_note("sim", "work_runs", sim_stats.work_runs);
	fuzz_state_note("sim", "skb_copies", sim_stats.skb_copies);
	fuzz_state_note("sim", "warnings", sim_warnings());
	fuzz_state_note("sim", "violations", sim_violations());
	fuzz_state_note("tcp", "memory_allocated", sim_tcp_memory_allocated());
}

/* A TCP socket's accounting and where its sequence numbers stand relative
 * to each other (the initial sequence numbers themselves may differ). */
static inline void fuzz_state_note_sock(const char *name, struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	fuzz_state_note(name, "sk_rmem_alloc", atomic_read(&sk->sk_rmem_alloc));
	fuzz_state_note(name, "sk_forward_alloc", sk->sk_forward_alloc);
	fuzz_state_note(name, "sk_wmem_queued", sk->sk_wmem_queued);
	fuzz_state_note(name, "rcv_nxt - copied_seq", (int)(tp->rcv_nxt - tp->copied_seq));
	fuzz_state_note(name, "write_seq - snd_una", (int)(tp->write_seq - tp->snd_una));
	fuzz_state_note(name, "snd_nxt - snd_una", (int)(tp->snd_nxt - tp->snd_una));
	fuzz_state_note(name, "sk_shutdown", sk->sk_shutdown);
	fuzz_state_note(name, "sk_err", sk->sk_err);
	fuzz_state_note(name, "sk_state", sk->sk_state);
	fuzz_state_note(name, "receive queue", skb_queue_len(&sk->sk_receive_queue));
}
#endif

#endif
