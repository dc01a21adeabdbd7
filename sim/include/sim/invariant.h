/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the socket accounting invariants, by name, checked on one socket
 * (sim_sock_invariants()) or, after every step of a test that turns them
 * on (sim_invariants_auto()), on every open socket.
 *
 *   msg_tot_len       psock->msg_tot_len == the sum of sg.size over
 *                     psock->ingress_msg
 *   rmem_alloc        sk_rmem_alloc == what the queued msgs and skbs
 *                     charged: the truesize of every distinct skb the
 *                     socket owns for reading (destructor sock_rfree(),
 *                     set by skb_set_owner_r()) on sk_receive_queue, the
 *                     socket backlog, psock->ingress_skb or behind an
 *                     ingress_msg sk_msg (msg->skb), plus sg.size of every
 *                     ingress_msg sk_msg without an skb (bpf_tcp_ingress()
 *                     adds its bytes to sk_rmem_alloc, __sk_msg_read()
 *                     subtracts what it consumes). A pipe holds page
 *                     references, no charge: it does not count.
 *   forward_alloc_nonneg  sk_forward_alloc >= 0: every charge
 *                     (sk_mem_charge(), skb_set_owner_r()) is covered by a
 *                     schedule (__sk_mem_schedule() in whole pages)
 *   forward_alloc_idle    sk_forward_alloc == 0 when nothing is charged
 *                     (rmem_alloc's sum, sk_wmem_queued and a psock cork
 *                     all zero): sk_mem_uncharge() -> sk_mem_reclaim()
 *                     gives back every whole page (6.12 reclaims as soon as
 *                     PAGE_SIZE is unused, commit 4890b686f408 "net: keep
 *                     sk->sk_forward_alloc as small as possible"), and what
 *                     is scheduled is whole pages, so with balanced charges
 *                     the last uncharge leaves exactly 0; anything in
 *                     (0, PAGE_SIZE) is a charge never uncharged (or the
 *                     reverse), which inet_sock_destruct() would WARN on
 *   copied_seq        tcp copied_seq never past rcv_nxt
 *
 * Only for a quiescent world: no task may be inside a syscall or a work
 * item (single-task mode between two calls of the test, or after
 * sim_sched_run() returned). The checker takes no lock and reads the
 * queues with plain loads; it BUG()s if the scheduler is running tasks.
 */
#ifndef _SIM_INVARIANT_H
#define _SIM_INVARIANT_H

#include <stdbool.h>
#include <stddef.h>

struct sock;

enum sim_inv {
	SIM_INV_OK = 0,
	SIM_INV_MSG_TOT_LEN,
	SIM_INV_RMEM_ALLOC,
	SIM_INV_FWD_NONNEG,
	SIM_INV_FWD_IDLE,
	SIM_INV_COPIED_SEQ,
	SIM_INV_WMEM_QUEUED,
	SIM_INV_NR,
};

const char *sim_inv_name(enum sim_inv inv);

/* Check @sk; return the first broken invariant and describe it in @why
 * (one line: invariant, socket, expected vs actual), or SIM_INV_OK. */
enum sim_inv sim_sock_invariants(struct sock *sk, char *why, size_t len);

/* sk_rmem_alloc as the queues of @sk charged it (the rmem_alloc rule). */
int sim_sock_rmem_expected(struct sock *sk);

/*
 * After every step: the test-facing calls (sim_send, sim_recv,
 * sim_splice_read, sim_splice_to_socket, sim_pipe_read, sim_close,
 * sim_shutdown, sim_inject, the map and program calls, sim_run_work, ...)
 * end in sim_invariants_step(), which, when turned on for this world and
 * the scheduler is not running tasks, checks every open socket. The first
 * broken invariant goes to the fail hook (the CMocka fixture's: the test
 * fails at that step) or, without one, is counted and fails
 * sim_world_end(). Off by default; sim_world_begin() turns it off.
 */
void sim_invariants_auto(bool on);
bool sim_invariants_auto_on(void);
void sim_invariants_step(const char *op);
/* A syscall is in progress (asleep in the sleep hook, <linux/wait.h>):
 * the steps the hook makes are not checked. */
void sim_invariants_nest(int delta);
void sim_invariants_set_fail_hook(void (*fn)(const char *msg));
long sim_invariant_failures(void);	/* counted, not given to a hook */
const char *sim_invariant_last(void);

/*
 * A kernel bug, named by @bug, that breaks @inv where the kernel files
 * have it: from now on in this world a break of @inv after a step is
 * counted (sim_invariant_expected_hits(inv)) and printed once with the
 * bug's name instead of failing; the other invariants are still checked
 * on that socket. The test that names the bug asserts the hits where the
 * files have the bug (and, where they carry its fix, does not expect it).
 * sim_world_begin() clears every expectation.
 */
void sim_invariants_expect(enum sim_inv inv, const char *bug);
long sim_invariant_expected_hits(enum sim_inv inv);

/* sim_world_begin()/sim_world_end(). */
void sim_invariants_reset(void);

#endif /* _SIM_INVARIANT_H */
