// SPDX-License-Identifier: GPL-2.0
/*
 * sim: socket core (stands for net/core/sock.c and net/core/stream.c):
 * socket locking with the backlog, memory scheduling, the default
 * callbacks, sk_free() with inet_sock_destruct()'s accounting checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sim/ledger.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <sim/task.h>
#include <sim/watch.h>
#include <sim/net.h>
#include <sim/tcp.h>

static void sk_lock_force_release(void *lock)
{
	((socket_lock_t *)lock)->owned = 0;
}

static bool sk_lock_woken(const void *arg)
{
	const struct wait_queue_entry *wait = arg;

	return READ_ONCE(wait->flags) & WQ_FLAG_WOKEN;
}

/* net/core/sock.c: __lock_sock(): sleep (uninterruptibly) on sk_lock.wq
 * until the owner's release_sock(), with slock dropped meanwhile. */
static void __lock_sock(struct sock *sk)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sim_wait_for w = {
		.op = "lock_sock", .name = sk->sim_name, .file = __FILE__,
		.line = __LINE__, .ready = sk_lock_woken, .arg = &wait,
		.timeout = -1, .lock = true, .held_lock = &sk->sk_lock,
	};

	if (!sim_sched_active())
		/* single task: waiting for ourselves never ends */
		sim_bug(__FILE__, __LINE__, "lock_sock",
			"lockdep: lock_sock(%s) while this task already owns it",
			sk->sim_name ? sk->sim_name : "?");
	for (;;) {
		wait.flags &= ~WQ_FLAG_WOKEN;
		list_add_tail(&wait.entry, &sk->sk_lock.wq.head);
		sim_task_push_cleanup(sim_wait_entry_unlink, &wait);
		spin_unlock_bh(&sk->sk_lock.slock);
		sim_task_block(&w);
		spin_lock_bh(&sk->sk_lock.slock);
		list_del_init(&wait.entry);
		sim_task_pop_cleanup(&wait);
		if (!sock_owned_by_user(sk))
			break;
	}
}

static void sk_lock_recursion(struct sock *sk, const char *op)
{
	if (sim_sched_active() && sk->sk_lock.owned && sim_lock_held_by_me(&sk->sk_lock))
		sim_bug(__FILE__, __LINE__, op,
			"lockdep: %s(%s) while this task already owns it", op,
			sk->sim_name ? sk->sim_name : "?");
}

void lock_sock(struct sock *sk)
{
	sim_might_sleep(__FILE__, __LINE__);
	sk_lock_recursion(sk, "lock_sock");
	spin_lock_bh(&sk->sk_lock.slock);
	if (sk->sk_lock.owned)
		__lock_sock(sk);
	sk->sk_lock.owned = 1;
	spin_unlock_bh(&sk->sk_lock.slock);
	sim_lock_acquired(&sk->sk_lock, "sk_lock-AF_INET", "lock_sock",
			  sk_lock_force_release, __FILE__, __LINE__);
	sim_stats.lock_sock++;
}

/* net/core/sock.c: __release_sock(): run what softirq queued meanwhile. */
/* sim-origin: net/core/sock.c __release_sock */
static void release_backlog(struct sock *sk)	/* sim-edit: a static helper of release_sock(); no sparse annotations */
{
	struct sk_buff *skb, *next;	/* sim-edit: no cond_resched() batching (nb) */

	while ((skb = sk->sk_backlog.head) != NULL || sim_tcp(sk)->ack_backlog) {	/* sim-edit: an ack the peer sent meanwhile is a backlog skb too (the sim keeps its sequence number) */
		u32 ack = sim_tcp(sk)->ack_backlog_seq;	/* sim-edit: the backlogged ack, taken under slock */
		bool acked = sim_tcp(sk)->ack_backlog;	/* sim-edit: the backlogged ack, taken under slock */

		sim_tcp(sk)->ack_backlog = false;	/* sim-edit: the backlogged ack, taken under slock */
		sk->sk_backlog.head = sk->sk_backlog.tail = NULL;
		spin_unlock_bh(&sk->sk_lock.slock);
		while (skb) {	/* sim-edit: while for while (1) ... if (!skb) break */
			next = skb->next;
			skb->next = NULL;	/* sim-edit: skb_mark_not_on_list() open-coded; no prefetch, no dst (none in the sim) */
			sk->sk_backlog_rcv(sk, skb);	/* sim-edit: the backlog hook called directly (sk_backlog_rcv() without memalloc) */
			skb = next;
		}	/* sim-edit: the loop's end; no cond_resched() */
		if (acked)	/* sim-edit: the backlogged ack: tcp_v4_do_rcv() -> tcp_ack() */
			tcp_ack(sk, ack);	/* sim-edit: the backlogged ack: tcp_v4_do_rcv() -> tcp_ack() */
		spin_lock_bh(&sk->sk_lock.slock);
	}
	sk->sk_backlog.len = 0;
}

/* net/core/sock.c __sk_flush_backlog(): tcp_sendmsg_locked() processes
 * what softirq queued (acks among it) every 16 skbs. */
bool sim_sk_ack_backlogged(const struct sock *sk)
{
	return READ_ONCE(sim_tcp((struct sock *)sk)->ack_backlog);
}

bool __sk_flush_backlog(struct sock *sk)
{
	spin_lock_bh(&sk->sk_lock.slock);
	release_backlog(sk);
	spin_unlock_bh(&sk->sk_lock.slock);
	return true;
}

/* Segments the full backlog dropped (tcp_add_backlog()) wait on the wire,
 * unacked; the sender's retransmission timer brings them again: the sim
 * delivers them once the owner released the socket. */
static void sim_tcp_backlog_retransmit(struct sock *sk)
{
	if (likely(!sim_tcp(sk)->backlog_dropped) || sim_tcp(sk)->wire_flushing)
		return;
	sim_tcp(sk)->backlog_dropped = false;
	sim_tcp_wire_flush(sk);
}

/* sim-origin: net/core/sock.c release_sock */
void release_sock(struct sock *sk)
{
	spin_lock_bh(&sk->sk_lock.slock);
	if (!sk->sk_lock.owned)	/* sim-edit: the sim checks that the caller owns the lock */
		sim_bug(__FILE__, __LINE__, "release_sock",	/* sim-edit: the sim checks that the caller owns the lock */
			"release_sock(%s) without lock_sock",	/* sim-edit: the sim checks that the caller owns the lock */
			sk->sim_name ? sk->sim_name : "?");	/* sim-edit: the sim checks that the caller owns the lock */
	if (sk->sk_backlog.tail || sim_tcp(sk)->ack_backlog)	/* sim-edit: no release_cb (tcp_release_cb(): no timers or TSQ in the sim); a backlogged ack counts */
		release_backlog(sk);	/* sim-edit: __release_sock() is release_backlog() above */
	sk->sk_lock.owned = 0;	/* sim-edit: sock_release_ownership() open-coded */
	sim_lock_released(&sk->sk_lock, "release_sock", __FILE__, __LINE__);	/* sim-edit: sock_release_ownership(): the sim's lockdep release */
	if (waitqueue_active(&sk->sk_lock.wq))
		sim_wake_up(&sk->sk_lock.wq, 0);	/* sim-edit: the sim's wake-up for wake_up() */
	spin_unlock_bh(&sk->sk_lock.slock);
	sim_tcp_backlog_retransmit(sk);	/* sim-edit: what the full backlog dropped comes again (the sender's RTO) once the owner let go */
}

/* net/core/sock.c: __lock_sock_fast(): false with slock held and bh off
 * (fast path), true after the slow path's lock_sock(). */
bool lock_sock_fast(struct sock *sk)
{
	sim_might_sleep(__FILE__, __LINE__);
	sk_lock_recursion(sk, "lock_sock_fast");
	spin_lock_bh(&sk->sk_lock.slock);
	sim_stats.lock_sock++;
	if (!sk->sk_lock.owned)
		return false;	/* fast path: keep the spinlock */
	if (!sim_sched_active())
		sim_bug(__FILE__, __LINE__, "lock_sock_fast",
			"lockdep: lock_sock_fast(%s) while this task owns it",
			sk->sim_name ? sk->sim_name : "?");
	__lock_sock(sk);
	sk->sk_lock.owned = 1;
	spin_unlock_bh(&sk->sk_lock.slock);
	sim_lock_acquired(&sk->sk_lock, "sk_lock-AF_INET", "lock_sock",
			  sk_lock_force_release, __FILE__, __LINE__);
	return true;
}

void sk_error_report(struct sock *sk)
{
	sk->sim_error_reports++;
	if (sk->sk_error_report)
		sk->sk_error_report(sk);
}

/* __sk_mem_raise_allocated() without memcg and pressure averaging: under
 * sysctl_mem[0] always; above [2] never; in between, the RFC 7323 minimum
 * (rmem[0]/wmem[0]) is guaranteed and anything more fails above [1]. */
static int raise_allocated(struct sock *sk, int amt, int kind)
{
	struct proto *prot = sk->sk_prot;
	long allocated;

	atomic_long_add(amt, prot->memory_allocated);
	allocated = atomic_long_read(prot->memory_allocated);
	if (allocated <= prot->sysctl_mem[0])
		return 1;
	if (allocated > prot->sysctl_mem[2])
		goto suppress;
	if (kind == SK_MEM_RECV) {
		if (atomic_read(&sk->sk_rmem_alloc) < prot->sysctl_rmem[0])
			return 1;
	} else if (sk->sk_wmem_queued < prot->sysctl_wmem[0]) {
		return 1;
	}
	if (allocated <= prot->sysctl_mem[1])
		return 1;
suppress:
	atomic_long_sub(amt, prot->memory_allocated);
	return 0;
}

/* sim-origin: net/core/sock.c __sk_mem_schedule */
int __sk_mem_schedule(struct sock *sk, int size, int kind)
{
	int ret, amt = sk_mem_pages(size);

	if (sim_should_fail(SIM_SOCK))	/* sim-edit: injected memory pressure (fault injection) */
		return 0;	/* sim-edit: fault injection: memory pressure */
	sk_forward_alloc_add(sk, amt << PAGE_SHIFT);
	ret = raise_allocated(sk, amt, kind);	/* sim-edit: __sk_mem_raise_allocated() is the sim's raise_allocated() */
	if (!ret)
		sk_forward_alloc_add(sk, -(amt << PAGE_SHIFT));
	return ret;
}

/* sim-origin: net/core/sock.c __sk_mem_reclaim */
void __sk_mem_reclaim(struct sock *sk, int amount)
{
	amount >>= PAGE_SHIFT;
	sk_forward_alloc_add(sk, -(amount << PAGE_SHIFT));
	atomic_long_sub(amount, sk->sk_prot->memory_allocated);	/* sim-edit: no memory pressure: __sk_mem_reduce_allocated() is the atomic sub */
}

/* sim-origin: net/core/sock.c sock_rfree */
void sock_rfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	unsigned int len = skb->truesize;

	atomic_sub(len, &sk->sk_rmem_alloc);
	sk_mem_uncharge(sk, len);
}

/* sim-origin: net/core/sock.c sock_efree */
void sock_efree(struct sk_buff *skb)
{
	sock_put(skb->sk);
}

/* sim-origin: include/net/sock.h sk_page_frag */
struct page_frag *sk_page_frag(struct sock *sk)
{
	if (sk->sk_use_task_frag && gfpflags_allow_blocking(sk->sk_allocation))	/* sim-edit: also requires a blocking sk_allocation (6.12 does not): drift, kept, see kernel-port/README-drift.md */
		return &current->task_frag;
	return &sk->sk_frag;
}

/* sim-origin: net/core/sock.c sk_page_frag_refill */
bool sk_page_frag_refill(struct sock *sk, struct page_frag *pfrag)
{
	if (likely(skb_page_frag_refill(32U, pfrag, sk->sk_allocation)))
		return true;
	/* sk_enter_memory_pressure() + sk_stream_moderate_sndbuf() */
	sk->sk_sndbuf = min_t(int, sk->sk_sndbuf,	/* sim-edit: sk_enter_memory_pressure() + sk_stream_moderate_sndbuf() inlined, no pressure state */
			      max_t(int, sk->sk_wmem_queued >> 1, 4608));	/* sim-edit: sk_stream_moderate_sndbuf() inlined */
	return false;
}

/* sim-origin: net/core/sock.c sock_def_readable */
void sock_def_readable(struct sock *sk)
{
	struct socket_wq *wq;	/* sim-edit: no tracepoint */

	sk->sim_data_ready++;	/* sim-edit: the sim counts data_ready calls */
	sim_stats.data_ready++;	/* sim-edit: the sim counts data_ready calls */
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (wq)	/* sim-edit: no skwq_has_sleeper(): waking an empty queue is a no-op */
		sim_wake_up(&wq->wait, EPOLLIN | EPOLLRDNORM);	/* sim-edit: the sim's wake-up for wake_up_interruptible_sync_poll() */
	rcu_read_unlock();
}

void sk_stream_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	if (sk_stream_wspace(sk) >= sk_stream_min_wspace(sk) && sk->sk_socket) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		rcu_read_lock();
		wq = rcu_dereference(sk->sk_wq);
		if (wq)
			sim_wake_up(&wq->wait, EPOLLOUT | EPOLLWRNORM);
		rcu_read_unlock();
	}
}

/* sim-origin: net/core/stream.c sk_stream_wait_memory */
int sk_stream_wait_memory(struct sock *sk, long *timeo_p)
{
	int ret, err = 0;
	long vm_wait = 0;
	long current_timeo = *timeo_p;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	if (sk_stream_memory_free(sk))
		current_timeo = vm_wait = (HZ / 5) / 2 + 2;	/* sim-edit: deterministic: the mean of get_random_u32_below(HZ / 5) + 2 */

	add_wait_queue(sk_sleep(sk), &wait);

	while (1) {
		sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);

		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
			goto do_error;
		if (!*timeo_p)
			goto do_eagain;
		if (signal_pending(current))
			goto do_interrupted;
		sk_clear_bit(SOCKWQ_ASYNC_NOSPACE, sk);
		if (sk_stream_memory_free(sk) && !vm_wait)
			break;

		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		sk->sk_write_pending++;
		ret = sk_wait_event(sk, &current_timeo, READ_ONCE(sk->sk_err) ||
				    (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
				    (sk_stream_memory_free(sk) && !vm_wait),
				    &wait);
		sk->sk_write_pending--;
		if (ret < 0)
			goto do_error;

		if (vm_wait) {
			vm_wait -= current_timeo;
			current_timeo = *timeo_p;
			if (current_timeo != MAX_SCHEDULE_TIMEOUT &&
			    (current_timeo -= vm_wait) < 0)
				current_timeo = 0;
			vm_wait = 0;
		}
		*timeo_p = current_timeo;
	}
out:
	if (!sock_flag(sk, SOCK_DEAD))
		remove_wait_queue(sk_sleep(sk), &wait);
	return err;

do_error:
	err = -EPIPE;
	goto out;
do_eagain:
	/* Make sure that whenever EAGAIN is returned, EPOLLOUT event can
	 * be generated later.
	 * When TCP receives ACK packets that make room, tcp_check_space()
	 * only calls tcp_new_space() if SOCK_NOSPACE is set.
	 */
	set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	err = -EAGAIN;
	goto out;
do_interrupted:
	err = sock_intr_errno(*timeo_p);
	goto out;
}

/* sim-origin: net/core/stream.c sk_stream_error */
int sk_stream_error(struct sock *sk, int flags, int err)
{
	(void)sk;	/* sim-edit: sk is unused */
	if (err == -EPIPE)
		err = sock_error(sk) ? : -EPIPE;
	(void)flags;	/* sim-edit: SIGPIPE is a userspace signal: not modelled */
	return err;
}

/* __sk_destruct() + inet_sock_destruct(): the accounting must be zero. */
void sk_free(struct sock *sk)
{
	/* The last reference is gone: nothing shares the sock any more. */
	sim_watch_forget(sk, sizeof(struct sim_tcp_sock));
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	sk_mem_reclaim_final(sk);
	WARN_ON(sk->sk_state != TCP_CLOSE);
	WARN_ON(!sock_flag(sk, SOCK_DEAD));
	WARN_ON(atomic_read(&sk->sk_rmem_alloc));
	WARN_ON(sk->sk_wmem_queued);
	WARN_ON(sk->sk_forward_alloc);
	/* sk_free(): the socket's own reference is the last one: every
	 * skb_set_owner_w() was given back (sock_wfree()) */
	WARN_ON(refcount_read(&sk->sk_wmem_alloc) != 1);
	WARN_ON(!list_empty(&sim_tcp(sk)->rtx));
	if (sk->sk_frag.page) {
		put_page(sk->sk_frag.page);
		sk->sk_frag.page = NULL;
	}
	list_del(&sim_tcp(sk)->sim_all);
	sim_ledger_del(SIM_SOCK, sk, SIM_SITE);
	free(sk);
}

int sock_sendmsg(struct socket *sock, struct msghdr *msg)
{
	return sock->ops->sendmsg(sock, msg, msg_data_left(msg));
}

int sock_recvmsg(struct socket *sock, struct msghdr *msg, int flags)
{
	return sock->ops->recvmsg(sock, msg, msg_data_left(msg), flags);
}

/* ---- a sock's life: allocation, clone, graft, orphan ------------------ */

/* sk_prot_alloc() for TCP: the sock and the sim's per-socket state
 * (struct sim_tcp_sock: the wire, the struct socket and file it gets at
 * socket() or accept()), recorded in the ledger as one SIM_SOCK. */
static struct sock *sk_prot_alloc_sim(const char *name)
{
	struct sim_tcp_sock *st = calloc(1, sizeof(*st));

	if (!st)
		abort();
	sim_ledger_add(SIM_SOCK, &st->tp.inet_conn.icsk_inet.sk, sizeof(*st), SIM_SITE);
	list_add_tail(&st->sim_all, &sim_tcp_socks);
	st->tp.inet_conn.icsk_inet.sk.sim_name = name;
	return &st->tp.inet_conn.icsk_inet.sk;
}

/* sock_lock_init() + sk_init_common(), and the sim's watched fields. */
static void sk_init_common_sim(struct sock *sk)
{
	struct sim_tcp_sock *st = sim_tcp(sk);

	spin_lock_init(&sk->sk_lock.slock);
	sk->sk_lock.owned = 0;
	init_waitqueue_head(&sk->sk_lock.wq);
	rwlock_init(&sk->sk_callback_lock);
	skb_queue_head_init(&sk->sk_receive_queue);
	skb_queue_head_init(&sk->sk_write_queue);
	skb_queue_head_init(&sk->sk_error_queue);
	skb_queue_head_init(&st->wire);
	INIT_LIST_HEAD(&st->rtx);
	sim_tcp_timers_init(sk);
	sim_watch_register(&sk->sk_forward_alloc, sizeof(sk->sk_forward_alloc),
			   "sk_forward_alloc", sk->sim_name, SIM_RULE_SOCK, sk);
	sim_watch_register(&st->tp.copied_seq, sizeof(st->tp.copied_seq),
			   "copied_seq", sk->sim_name, SIM_RULE_SOCK, sk);
}

/* The child of a listener is named by the test after the clone, which
 * registered its watched fields under the listener's name. */
void sim_sk_rename(struct sock *sk, const char *name)
{
	struct sim_tcp_sock *st = sim_tcp(sk);

	sk->sim_name = name;
	sim_watch_forget(&sk->sk_forward_alloc, sizeof(sk->sk_forward_alloc));
	sim_watch_forget(&st->tp.copied_seq, sizeof(st->tp.copied_seq));
	sim_watch_register(&sk->sk_forward_alloc, sizeof(sk->sk_forward_alloc),
			   "sk_forward_alloc", name, SIM_RULE_SOCK, sk);
	sim_watch_register(&st->tp.copied_seq, sizeof(st->tp.copied_seq),
			   "copied_seq", name, SIM_RULE_SOCK, sk);
}

struct sock *sim_sk_alloc(const char *name, int family)
{
	struct sock *sk = sk_prot_alloc_sim(name);

	sk->sk_family = family;
	sk_init_common_sim(sk);
	return sk;
}

/* sk_clone_lock(): the child of a listener is a copy of it (sock_copy():
 * its callbacks, sk_prot, sk_user_data, buffer sizes...) with its own
 * locks, queues and accounting, no struct socket, sk_user_data cleared
 * when the listener's is tagged SK_USER_DATA_NOCOPY (a psock), and
 * returned bh-locked. The sim's per-socket state (wire, socket, file) is
 * the child's own, not copied. */
struct sock *sk_clone_lock(const struct sock *sk, const gfp_t priority)
{
	struct proto *prot = READ_ONCE(sk->sk_prot);
	struct sock *newsk;
	struct tcp_sock *newtp;

	(void)priority;
	newsk = sk_prot_alloc_sim(sk->sim_name);
	/* sock_copy(): the whole protocol sock (prot->obj_size) */
	newtp = tcp_sk(newsk);
	memcpy(newtp, tcp_sk(sk), sizeof(*newtp));
	newtp->sim_peer = NULL;
	newtp->sim_acks = newtp->sim_rcv_space_adjust = newtp->sim_app_limited = 0;
	newsk->sim_data_ready = newsk->sim_error_reports = 0;

	newsk->sk_prot_creator = prot;
	sk_init_common_sim(newsk);
	bh_lock_sock(newsk);
	newsk->sk_backlog.head = newsk->sk_backlog.tail = NULL;
	newsk->sk_backlog.len = 0;
	atomic_set(&newsk->sk_rmem_alloc, 0);
	/* sk_wmem_alloc set to one (see sk_free() and sock_wfree()) */
	refcount_set(&newsk->sk_wmem_alloc, 1);
	newsk->sk_wmem_queued = 0;
	newsk->sk_forward_alloc = 0;
	newsk->sk_reserved_mem = 0;
	atomic_set(&newsk->sk_drops, 0);
	sock_reset_flag(newsk, SOCK_DONE);
	/* Clear sk_user_data if parent had the pointer tagged
	 * as not suitable for copying when cloning. */
	if ((uintptr_t)newsk->sk_user_data & SK_USER_DATA_NOCOPY)
		newsk->sk_user_data = NULL;
	newsk->sk_err = 0;
	newsk->sk_err_soft = 0;
	refcount_set(&newsk->sk_refcnt, 2);
	sk_set_socket(newsk, NULL);
	RCU_INIT_POINTER(newsk->sk_wq, NULL);
	return newsk;
}

/* sim-origin: include/net/sock.h sk_set_socket */
void sk_set_socket(struct sock *sk, struct socket *sock)
{
	WRITE_ONCE(sk->sk_socket, sock);
}

/* sim-origin: include/net/sock.h sock_orphan */
void sock_orphan(struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	sock_set_flag(sk, SOCK_DEAD);
	sk_set_socket(sk, NULL);
	sk->sk_wq  = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* sim-origin: include/net/sock.h sock_graft */
void sock_graft(struct sock *sk, struct socket *parent)
{
	WARN_ON(parent->sk);
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_pointer(sk->sk_wq, &parent->wq);
	parent->sk = sk;
	sk_set_socket(sk, parent);
	/* sim-edit: no sk_uid (no inodes, no users) */
	/* sim-edit: no LSM (security_sock_graft) */
	write_unlock_bh(&sk->sk_callback_lock);
}
