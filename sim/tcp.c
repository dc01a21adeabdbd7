// SPDX-License-Identifier: GPL-2.0
/*
 * sim: TCP over a loopback wire (stands for net/ipv4/tcp.c, tcp_input.c,
 * tcp_ipv4.c and af_inet.c, reduced to what a connected pair on loopback
 * does).
 *
 * Sending builds skbs as tcp_sendmsg_locked() does (a small slab head,
 * the data in page frags copied from the user, or page references with
 * MSG_SPLICE_PAGES) and "transmits" each one at once: the sender's
 * accounting is released as if acked, and the peer receives the skb with
 * skb_set_owner_r(), into sk_receive_queue (or the backlog while its owner
 * holds lock_sock), then sk_data_ready. A receiver out of receive memory
 * leaves skbs on the wire; they are delivered when it reads (window update).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sim/ledger.h>
#include <sim/net.h>
#include <sim/invariant.h>
#include <sim/sockmap.h>
#include <sim/watch.h>
#include <sim/task.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/inet_common.h>
#include <linux/splice.h>
#include <linux/init.h>

static atomic_long_t tcp_memory_allocated;
static long sysctl_tcp_mem[3] = { 1L << 20, 1L << 21, 1L << 22 };	/* pages */
static int sysctl_tcp_rmem[3] = { 4096, 131072, 6291456 };
static int sysctl_tcp_wmem[3] = { 4096, 16384, 4194304 };

long sim_tcp_memory_allocated(void)
{
	return atomic_long_read(&tcp_memory_allocated);
}

void sim_tcp_set_mem_limits(long low, long pressure, long high)
{
	sysctl_tcp_mem[0] = low;
	sysctl_tcp_mem[1] = pressure;
	sysctl_tcp_mem[2] = high;
}

static int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb);
static void tcp_fin(struct sock *sk);

struct proto tcp_prot = {
	.name			= "TCP",
	.close			= tcp_close,
	.ioctl			= tcp_ioctl,
	.shutdown		= tcp_shutdown,
	.destroy		= tcp_v4_destroy_sock,
	.sendmsg		= tcp_sendmsg,
	.recvmsg		= tcp_recvmsg,
	.splice_read		= tcp_splice_read,
	.backlog_rcv		= tcp_v4_do_rcv,
	.psock_update_sk_prot	= tcp_bpf_update_proto,
	.memory_allocated	= &tcp_memory_allocated,
	.sysctl_mem		= sysctl_tcp_mem,
	.sysctl_wmem		= sysctl_tcp_wmem,
	.sysctl_rmem		= sysctl_tcp_rmem,
	.obj_size		= sizeof(struct tcp_sock),
};

/* tcpv6_prot: the same TCP, another struct proto (tcp_bpf keeps a second
 * set of protos for it and checks its ops, tcp_bpf_assert_proto_ops()). */
struct proto tcpv6_prot;

static int tcpv6_prot_init(void)
{
	tcpv6_prot = tcp_prot;
	strcpy(tcpv6_prot.name, "TCPv6");
	return 0;
}
core_initcall(tcpv6_prot_init);

/* ---- receive side ---------------------------------------------------- */

/* tcp_queue_rcv() + tcp_fin() + tcp_data_ready(): softirq input. */
static void tcp_rcv_established_sim(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	bool fin = TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN;

	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	WRITE_ONCE(tp->rcv_nxt, TCP_SKB_CB(skb)->end_seq);
	if (fin)
		tcp_fin(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		tcp_data_ready(sk);
}

/* Can @sk take @skb now? (tcp_try_rmem_schedule without pruning) */
static bool tcp_try_rmem_schedule(struct sock *sk, struct sk_buff *skb)
{
	if (atomic_read(&sk->sk_rmem_alloc) > sk->sk_rcvbuf)
		return false;
	return sk_rmem_schedule(sk, skb, skb->truesize);
}

/* sim-origin: net/ipv4/tcp_output.c sk_forced_mem_schedule */
void sk_forced_mem_schedule(struct sock *sk, int size)
{
	int delta, amt;

	delta = size - sk->sk_forward_alloc;
	if (delta <= 0)
		return;
	amt = sk_mem_pages(delta);
	sk_forward_alloc_add(sk, amt << PAGE_SHIFT);
	sk_memory_allocated_add(sk, amt);
	/* sim-edit: no memcg */
}

/* tcp_v4_do_rcv() for a segment that waited in the socket backlog
 * (__release_sock()): tcp_data_queue() schedules its receive memory now,
 * as tcp_v4_rcv() did for one received at once. When that fails,
 * tcp_data_queue() drops a segment with data if the receive queue is not
 * empty (the peer retransmits it: here it goes back on the wire, ahead of
 * what was sent after it, and so do the backlog's later segments of the
 * same pass), and otherwise forces the charge. */
static int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sim_tcp_sock *st = sim_tcp(sk);

	if (st->requeued || !tcp_try_rmem_schedule(sk, skb)) {
		if (st->requeued ||
		    (skb_queue_len(&sk->sk_receive_queue) && skb->len)) {
			if (st->requeued)
				__skb_queue_after(&st->wire, st->requeued, skb);
			else
				__skb_queue_head(&st->wire, skb);
			st->requeued = skb;
			return 0;
		}
		sk_forced_mem_schedule(sk, skb->truesize);
	}
	tcp_rcv_established_sim(sk, skb);
	return 0;
}

/* tcp_v4_rcv(): deliver now, or to the backlog while the owner holds it. */
static bool tcp_v4_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_state == TCP_CLOSE || sock_flag(sk, SOCK_DEAD))
		return false;
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		if (!tcp_try_rmem_schedule(sk, skb)) {
			bh_unlock_sock(sk);
			return false;
		}
		tcp_rcv_established_sim(sk, skb);
	} else {
		/* sk_add_backlog() */
		if (!sk->sk_backlog.tail)
			sk->sk_backlog.head = skb;
		else
			sk->sk_backlog.tail->next = skb;
		sk->sk_backlog.tail = skb;
		skb->next = NULL;
		sk->sk_backlog.len += skb->truesize;
	}
	bh_unlock_sock(sk);
	return true;
}

/* Deliver what waits on the wire towards @sk (receive window opened).
 * A window update sent while @sk is receiving (a verdict consuming the
 * skb calls tcp_cleanup_rbuf() from tcp_v4_rcv()) lets the peer's next
 * segment in after this one, in the loop below: never from inside
 * tcp_v4_rcv(), which would take the socket's bh lock twice. */
static bool wire_softirq;

void sim_tcp_wire_softirq(bool on)
{
	wire_softirq = on;
}

long sim_tcp_memory_forget(void)
{
	long pages = atomic_long_read(&tcp_memory_allocated);

	atomic_long_set(&tcp_memory_allocated, 0);
	return pages;
}

static void wire_deliver(struct sock *sk);

/* net_rx_action() on the sender's CPU: the segments queued towards @arg. */
static void wire_rx_softirq(void *arg)
{
	struct sock *sk = arg;

	sim_tcp(sk)->softirq_pending = false;
	wire_deliver(sk);
	sock_put(sk);
}

void sim_tcp_wire_flush(struct sock *sk)
{
	struct sim_tcp_sock *st = sim_tcp(sk);

	if (wire_softirq && sim_sched_active() && !sim_in_softirq()) {
		char name[32];

		if (st->softirq_pending)
			return;
		st->softirq_pending = true;
		sock_hold(sk);
		snprintf(name, sizeof(name), "softirq rx %s", sk->sim_name ? sk->sim_name : "?");
		sim_task_start_on(name, SIM_TASK_SOFTIRQ, sim_task_cpu(sim_task_self()),
				  wire_rx_softirq, sk);
		return;
	}
	wire_deliver(sk);
}

static void wire_deliver(struct sock *sk)
{
	struct sim_tcp_sock *st = sim_tcp(sk);
	struct sk_buff *skb;

	if (st->wire_flushing)
		return;
	st->wire_flushing = true;
	while ((skb = skb_peek(&st->wire)) != NULL) {
		bool taken;

		__skb_unlink(skb, &st->wire);
		if (skb == st->requeued)
			st->requeued = NULL;
		/* the receive runs in softirq (net_rx_action), bh off */
		local_bh_disable();
		taken = tcp_v4_rcv(sk, skb);
		local_bh_enable();
		if (!taken) {
			if (sk->sk_state == TCP_CLOSE || sock_flag(sk, SOCK_DEAD)) {
				kfree_skb(skb);	/* peer gone: RST, data lost */
				continue;
			}
			__skb_queue_head(&st->wire, skb);
			break;
		}
	}
	st->wire_flushing = false;
}

static void tcp_xmit(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sock *peer = tp->sim_peer ? &tp->sim_peer->inet_conn.icsk_inet.sk : NULL;

	TCP_SKB_CB(skb)->seq = tp->snd_nxt;
	TCP_SKB_CB(skb)->end_seq = tp->snd_nxt + skb->len +
		!!(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN);
	tp->snd_nxt = TCP_SKB_CB(skb)->end_seq;
	tp->snd_una = tp->snd_nxt;	/* acked at once on loopback */
	if (!peer) {
		kfree_skb(skb);
		return;
	}
	__skb_queue_tail(&sim_tcp(peer)->wire, skb);
	sim_tcp_wire_flush(peer);
}

static void tcp_fin(struct sock *sk)
{
	sk->sk_shutdown |= RCV_SHUTDOWN;
	sock_set_flag(sk, SOCK_DONE);
	if (sk->sk_state == TCP_ESTABLISHED)
		sk->sk_state = TCP_CLOSE_WAIT;
	else if (sk->sk_state == TCP_FIN_WAIT1 || sk->sk_state == TCP_FIN_WAIT2)
		sk->sk_state = TCP_CLOSE;	/* TIME_WAIT is not modelled */
	if (!sock_flag(sk, SOCK_DEAD) && sk->sk_state_change)
		sk->sk_state_change(sk);
}

static void tcp_send_fin(struct sock *sk)
{
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL | __GFP_NOFAIL);

	BUG_ON(!skb);
	TCP_SKB_CB(skb)->tcp_flags = TCPHDR_FIN | TCPHDR_ACK;
	tcp_xmit(sk, skb);
}

/* The peer of @sk is reset: tcp_reset(). */
static void tcp_send_active_reset(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sock *peer;

	if (!tp->sim_peer)
		return;
	peer = &tp->sim_peer->inet_conn.icsk_inet.sk;
	if (peer->sk_state == TCP_CLOSE)
		return;
	/* tcp_reset() -> tcp_done_with_error(): no SOCK_DONE, that is FIN's */
	WRITE_ONCE(peer->sk_err, ECONNRESET);
	peer->sk_shutdown = SHUTDOWN_MASK;
	peer->sk_state = TCP_CLOSE;
	sk_error_report(peer);
	if (peer->sk_state_change)
		peer->sk_state_change(peer);
}

void tcp_data_ready(struct sock *sk)
{
	sk->sk_data_ready(sk);
}

void tcp_rcv_space_adjust(struct sock *sk)
{
	tcp_sk(sk)->sim_rcv_space_adjust++;
}

/* __tcp_cleanup_rbuf(): the application read @copied bytes; a window
 * update lets what waits on the wire in. */
void __tcp_cleanup_rbuf(struct sock *sk, int copied)
{
	if (copied > 0) {
		tcp_sk(sk)->sim_acks++;
		sim_tcp_wire_flush(sk);
	}
}

void tcp_cleanup_rbuf(struct sock *sk, int copied)
{
	__tcp_cleanup_rbuf(sk, copied);
}

void tcp_rate_check_app_limited(struct sock *sk)
{
	tcp_sk(sk)->sim_app_limited++;
}

int tcp_inq(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int answ;

	if ((1 << sk->sk_state) & ((1 << TCP_SYN_SENT) | (1 << TCP_SYN_RECV)))
		return 0;
	answ = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);
	/* Subtract 1, if FIN was received */
	if (answ && sock_flag(sk, SOCK_DONE))
		answ--;
	return answ;
}

int tcp_ioctl(struct sock *sk, int cmd, int *karg)
{
	bool slow;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		slow = lock_sock_fast(sk);
		*karg = tcp_inq(sk);
		unlock_sock_fast(sk, slow);
		return 0;
	case SIOCOUTQ:
		*karg = 0;	/* everything is acked at once on the sim's wire */
		return 0;
	default:
		return -ENOTTY;
	}
}

/* Free a consumed receive skb: tcp_eat_recv_skb(). */
/* sim-origin: net/ipv4/tcp.c tcp_eat_recv_skb */
static void tcp_eat_recv_skb(struct sock *sk, struct sk_buff *skb)
{
	__skb_unlink(skb, &sk->sk_receive_queue);	/* sim-edit: no sock_rfree fast path, no skb_attempt_defer_free(): __kfree_skb() runs the destructor */
	__kfree_skb(skb);
}

/* sim-origin: net/core/sock.c sk_wait_data */
static int tcp_recv_wait(struct sock *sk, long *timeo)	/* sim-edit: the sim's name; no skb argument: callers wait for any data */
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int rc;

	add_wait_queue(sk_sleep(sk), &wait);
	sk_set_bit(SOCKWQ_ASYNC_WAITDATA, sk);
	rc = sk_wait_event(sk, timeo, !skb_queue_empty(&sk->sk_receive_queue) ||	/* sim-edit: wakes on any queued skb (not "the tail moved past skb") */
			   (sk->sk_shutdown & RCV_SHUTDOWN) || sk->sk_err, &wait);	/* sim-edit: also wakes on RCV_SHUTDOWN and sk_err */
	sk_clear_bit(SOCKWQ_ASYNC_WAITDATA, sk);
	remove_wait_queue(sk_sleep(sk), &wait);
	return rc;
}

/* tcp_recvmsg_locked() for in-order data, MSG_PEEK, MSG_DONTWAIT. */
int tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		int *addr_len)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 peek_seq, *seq;
	int copied = 0, err = 0;
	int target = (flags & MSG_WAITALL) ? (int)len : 1;
	long timeo;

	(void)addr_len;
	if (unlikely(flags & MSG_ERRQUEUE))
		return inet_recv_error(sk, msg, len, addr_len);
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	seq = &tp->copied_seq;
	if (flags & MSG_PEEK) {
		peek_seq = tp->copied_seq;
		seq = &peek_seq;
	}
	do {
		struct sk_buff *skb;
		u32 offset;
		size_t used;

		skb_queue_walk(&sk->sk_receive_queue, skb) {
			offset = *seq - TCP_SKB_CB(skb)->seq;
			if (offset < skb->len)
				goto found_ok_skb;
			if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
				goto found_fin_ok;
		}
		if (copied >= target)
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				copied = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				copied = -ENOTCONN;
				break;
			}
			if (!timeo) {
				copied = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				copied = sock_intr_errno(timeo);
				break;
			}
		}
		tcp_recv_wait(sk, &timeo);
		continue;

found_ok_skb:
		used = skb->len - offset;
		if (len - copied < used)
			used = len - copied;
		{
			/* skb_copy_datagram_msg() */
			char *tmp = malloc(used ? used : 1);
			size_t done;

			if (!tmp)
				abort();
			BUG_ON(skb_copy_bits(skb, offset, tmp, used));
			sim_stats.bytes_copied -= used;	/* counted by copy_to_iter */
			done = copy_to_iter(tmp, used, &msg->msg_iter);
			free(tmp);
			if (done != used) {
				if (!copied)
					copied = -EFAULT;
				break;
			}
		}
		WRITE_ONCE(*seq, *seq + used);
		copied += used;
		if (used + offset < skb->len)
			continue;
		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
			goto found_fin_ok;
		if (!(flags & MSG_PEEK))
			tcp_eat_recv_skb(sk, skb);
		continue;

found_fin_ok:
		WRITE_ONCE(*seq, *seq + 1);
		if (!(flags & MSG_PEEK))
			tcp_eat_recv_skb(sk, skb);
		break;
	} while (copied < (int)len);
	if (copied > 0 && !(flags & MSG_PEEK))
		__tcp_cleanup_rbuf(sk, copied);
	err = copied;
out:
	release_sock(sk);
	return err;
}

/* sim-origin: net/ipv4/tcp.c tcp_read_skb */
int tcp_read_skb(struct sock *sk, skb_read_actor_t recv_actor)
{
	struct sk_buff *skb;
	int copied = 0;

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	while ((skb = skb_peek(&sk->sk_receive_queue)) != NULL) {
		u8 tcp_flags;
		int used;

		__skb_unlink(skb, &sk->sk_receive_queue);
		WARN_ON_ONCE(!skb_set_owner_sk_safe(skb, sk));
		tcp_flags = TCP_SKB_CB(skb)->tcp_flags;
		used = recv_actor(sk, skb);
		if (used < 0) {
			if (!copied)
				copied = used;
			break;
		}
		copied += used;
		if (tcp_flags & TCPHDR_FIN)
			break;
	}
	return copied;
}

int tcp_read_sock_noack(struct sock *sk, read_descriptor_t *desc,
			sk_read_actor_t recv_actor, bool noack, u32 *copied_seq)
{
	(void)sk; (void)desc; (void)recv_actor; (void)noack; (void)copied_seq;
	SIM_UNREACHABLE("tcp_read_sock_noack (stream parser)");
}

int inet_recv_error(struct sock *sk, struct msghdr *msg, int len, int *addr_len)
{
	(void)sk; (void)msg; (void)len; (void)addr_len;
	SIM_UNREACHABLE("inet_recv_error (MSG_ERRQUEUE)");
}

void tcp_update_ulp(struct sock *sk, struct proto *p,
		    void (*write_space)(struct sock *sk))
{
	(void)sk; (void)p; (void)write_space;
	SIM_UNREACHABLE("tcp_update_ulp (ULPs/kTLS)");
}

/* ---- splice: tcp_splice_read() ---------------------------------------- */

/* linear_to_page() + spd_fill_page(): one pipe buffer for @len bytes at
 * @offset of @skb's data; linear data is copied to a page frag, frag pages
 * are referenced. Returns bytes queued, or a negative error. */
static int tcp_splice_segment(struct sock *sk, struct pipe_inode_info *pipe,
			      struct sk_buff *skb, u32 offset, u32 len)
{
	struct pipe_buffer buf = { .ops = &nosteal_pipe_buf_ops };
	u32 headlen = skb_headlen(skb);

	if (pipe_full(pipe->head, pipe->tail, pipe->max_usage))
		return -EAGAIN;
	if (offset < headlen) {
		struct page_frag *pfrag = sk_page_frag(sk);

		if (!sk_page_frag_refill(sk, pfrag))
			return -ENOMEM;
		len = min_t(u32, len, headlen - offset);
		len = min_t(u32, len, pfrag->size - pfrag->offset);
		memcpy((char *)page_address(pfrag->page) + pfrag->offset,
		       skb->data + offset, len);
		sim_stats.bytes_copied += len;
		get_page(pfrag->page);
		buf.page = pfrag->page;
		buf.offset = pfrag->offset;
		pfrag->offset += len;
	} else {
		u32 start = headlen;
		int i;

		for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
			skb_frag_t *f = &skb_shinfo(skb)->frags[i];

			if (offset < start + skb_frag_size(f)) {
				len = min_t(u32, len, start + skb_frag_size(f) - offset);
				buf.page = skb_frag_page(f);
				buf.offset = skb_frag_off(f) + offset - start;
				get_page(buf.page);
				break;
			}
			start += skb_frag_size(f);
		}
		if (!buf.page) {
			/* __skb_splice_bits() recursing into frag_list */
			struct sk_buff *iter;

			for (iter = skb_shinfo(skb)->frag_list; iter; iter = iter->next) {
				if (offset < start + iter->len)
					return tcp_splice_segment(sk, pipe, iter,
								  offset - start, len);
				start += iter->len;
			}
			BUG();
		}
	}
	buf.len = len;
	return add_to_pipe(pipe, &buf);
}

/* __tcp_splice_read(): tcp_read_sock() with skb_splice_bits() as actor. */
static int __tcp_splice_read(struct sock *sk, struct pipe_inode_info *pipe,
			     size_t len)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;
	int copied = 0;

	while (len && (skb = skb_peek(&sk->sk_receive_queue)) != NULL) {
		u32 offset = tp->copied_seq - TCP_SKB_CB(skb)->seq;

		if (offset < skb->len) {
			int used = tcp_splice_segment(sk, pipe, skb, offset,
						      min_t(size_t, len, skb->len - offset));

			if (used <= 0) {
				if (!copied)
					copied = used;
				break;
			}
			WRITE_ONCE(tp->copied_seq, tp->copied_seq + used);
			copied += used;
			len -= used;
			if ((u32)used + offset < skb->len)
				continue;
		}
		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN) {
			WRITE_ONCE(tp->copied_seq, tp->copied_seq + 1);
			tcp_eat_recv_skb(sk, skb);
			break;
		}
		tcp_eat_recv_skb(sk, skb);
	}
	tcp_rcv_space_adjust(sk);
	if (copied > 0)
		tcp_cleanup_rbuf(sk, copied);
	return copied;
}

/* sim-origin: net/ipv4/tcp.c tcp_splice_read */
ssize_t tcp_splice_read(struct socket *sock, loff_t *ppos,
			struct pipe_inode_info *pipe, size_t len,
			unsigned int flags)
{
	struct sock *sk = sock->sk;
	ssize_t spliced = 0;	/* sim-edit: no tcp_splice_state: pipe and len passed directly */
	long timeo;	/* sim-edit: declarations reordered */
	int ret = 0;	/* sim-edit: ret, spliced initialised at declaration */

	(void)flags;	/* sim-edit: no RPS (sock_rps_record_flow()) */
	if (unlikely(*ppos))
		return -ESPIPE;	/* sim-edit: ret, spliced initialised at declaration */
	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, sock->file->f_flags & O_NONBLOCK);
	while (len) {	/* sim-edit: no tcp_splice_state */
		ret = __tcp_splice_read(sk, pipe, len);	/* sim-edit: no tcp_splice_state: __tcp_splice_read() takes pipe and len */
		if (ret < 0)
			break;
		else if (!ret) {
			if (spliced)
				break;
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				ret = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				ret = -ENOTCONN;
				break;
			}
			if (!timeo) {
				ret = -EAGAIN;
				break;
			}
			if (!skb_queue_empty(&sk->sk_receive_queue))
				break;
			ret = tcp_recv_wait(sk, &timeo);	/* sim-edit: sk_wait_data() is the sim's tcp_recv_wait() */
			if (ret < 0)
				break;
			if (signal_pending(current)) {
				ret = sock_intr_errno(timeo);
				break;
			}
			continue;
		}	/* sim-edit: no tcp_splice_state: len is a local */
		len -= ret;
		spliced += ret;
		if (!len || !timeo)	/* sim-edit: no tcp_splice_state: len is a local */
			break;
		release_sock(sk);
		lock_sock(sk);
		if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
		    (sk->sk_shutdown & RCV_SHUTDOWN) || signal_pending(current))
			break;
	}
	release_sock(sk);
	if (spliced)
		return spliced;
	return ret;
}

/* ---- send side ------------------------------------------------------- */

#define SIM_SIZE_GOAL	65536

static bool can_coalesce(struct sk_buff *skb, int i, struct page *page, int off)
{
	if (i) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i - 1];

		return page == skb_frag_page(frag) &&
		       off == (int)(skb_frag_off(frag) + skb_frag_size(frag));
	}
	return false;
}

int tcp_sendmsg_locked(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int flags = msg->msg_flags, copied = 0, err = 0;
	long timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	bool splice = flags & MSG_SPLICE_PAGES;

	(void)size;
	BUG_ON(!sock_owned_by_user(sk));	/* callers hold lock_sock */
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto do_error;
	if (sk->sk_state != TCP_ESTABLISHED && sk->sk_state != TCP_CLOSE_WAIT)
		goto do_error;

	while (msg_data_left(msg)) {
		struct sk_buff *skb = alloc_skb(0, sk->sk_allocation);
		int charged = 0;

		if (!skb)
			goto wait_for_space;
		while (msg_data_left(msg) && skb->len < SIM_SIZE_GOAL) {
			int i = skb_shinfo(skb)->nr_frags;
			int copy;

			if (splice) {
				/* skb_splice_from_iter(): reference the caller's pages */
				const struct bio_vec *bv = msg->msg_iter.bvec;
				struct page *page = bv->bv_page;
				int off = bv->bv_offset + msg->msg_iter.iov_offset;

				BUG_ON(!iov_iter_is_bvec(&msg->msg_iter));
				copy = min_t(int, bv->bv_len - msg->msg_iter.iov_offset,
					     SIM_SIZE_GOAL - skb->len);
				if (!sk_wmem_schedule(sk, copy))
					break;
				if (can_coalesce(skb, i, page, off)) {
					skb_shinfo(skb)->frags[i - 1].len += copy;
				} else {
					if (i >= MAX_SKB_FRAGS)
						break;
					get_page(page);
					skb_fill_page_desc(skb, i, page, off, copy);
				}
				iov_iter_advance(&msg->msg_iter, copy);
			} else {
				struct page_frag *pfrag = sk_page_frag(sk);

				if (!sk_page_frag_refill(sk, pfrag))
					break;
				if (!can_coalesce(skb, i, pfrag->page, pfrag->offset) &&
				    i >= MAX_SKB_FRAGS)
					break;
				copy = min_t(int, msg_data_left(msg),
					     pfrag->size - pfrag->offset);
				copy = min_t(int, copy, SIM_SIZE_GOAL - skb->len);
				if (!sk_wmem_schedule(sk, copy))
					break;
				if (copy_page_from_iter(pfrag->page, pfrag->offset,
							copy, &msg->msg_iter) != (size_t)copy) {
					err = -EFAULT;
					break;
				}
				if (can_coalesce(skb, i, pfrag->page, pfrag->offset)) {
					skb_shinfo(skb)->frags[i - 1].len += copy;
				} else {
					skb_fill_page_desc(skb, i, pfrag->page,
							   pfrag->offset, copy);
					get_page(pfrag->page);
				}
				pfrag->offset += copy;
			}
			skb->len += copy;
			skb->data_len += copy;
			skb->truesize += copy;
			sk->sk_wmem_queued += copy;
			sk_mem_charge(sk, copy);
			charged += copy;
			copied += copy;
			WRITE_ONCE(tp->write_seq, tp->write_seq + copy);
		}
		if (!skb->len) {
			kfree_skb(skb);
			if (err)
				goto do_error;
			goto wait_for_space;
		}
		/* transmitted and acked: the sender's charge goes away */
		sk->sk_wmem_queued -= charged;
		sk_mem_uncharge(sk, charged);
		TCP_SKB_CB(skb)->tcp_flags = TCPHDR_ACK | TCPHDR_PSH;
		tcp_xmit(sk, skb);
		if (err)
			goto do_error;
		continue;
wait_for_space:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}
	return copied;

do_error:
	if (copied)
		return copied;
	return sk_stream_error(sk, flags, err ? err : -EPIPE);
}

/* sim-origin: net/ipv4/tcp.c tcp_sendmsg */
int tcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	int ret;

	lock_sock(sk);
	ret = tcp_sendmsg_locked(sk, msg, size);
	release_sock(sk);
	return ret;
}

/* net/core/skbuff.c: __skb_send_sock() with sendmsg_unlocked() */
/* sim-origin: net/core/skbuff.c __skb_send_sock */
int skb_send_sock(struct sock *sk, struct sk_buff *skb, int offset, int len)	/* sim-edit: the sendmsg_unlocked() instance of __skb_send_sock() */
{
	unsigned int orig_len = len;
	struct sk_buff *head = skb;
	unsigned short fragidx;
	int slen, ret;

do_frag_list:
	/* Deal with head data */
	while (offset < (int)skb_headlen(skb) && len) {	/* sim-edit: explicit cast (same values) */
		struct kvec kv;
		struct msghdr msg = {};	/* sim-edit: msg zeroed by its initializer */

		slen = min_t(int, len, skb_headlen(skb) - offset);
		kv.iov_base = skb->data + offset;
		kv.iov_len = slen;	/* sim-edit: msg zeroed by its initializer, not memset() */
		msg.msg_flags = MSG_DONTWAIT;
		iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &kv, 1, slen);
		ret = sk->sk_socket ? sock_sendmsg(sk->sk_socket, &msg) : -EINVAL;	/* sim-edit: sendmsg_unlocked(): sock_sendmsg() on the sim socket, -EINVAL without one */
		if (ret <= 0)
			goto error;
		offset += ret;
		len -= ret;
	}
	if (!len)
		goto out;
	offset -= skb_headlen(skb);
	for (fragidx = 0; fragidx < skb_shinfo(skb)->nr_frags; fragidx++) {
		skb_frag_t *frag = &skb_shinfo(skb)->frags[fragidx];

		if (offset < (int)skb_frag_size(frag))	/* sim-edit: explicit cast (same values) */
			break;
		offset -= skb_frag_size(frag);
	}
	for (; len && fragidx < skb_shinfo(skb)->nr_frags; fragidx++) {
		skb_frag_t *frag = &skb_shinfo(skb)->frags[fragidx];

		slen = min_t(size_t, len, skb_frag_size(frag) - offset);
		while (slen) {
			struct bio_vec bvec;
			struct msghdr msg = {
				.msg_flags = MSG_SPLICE_PAGES | MSG_DONTWAIT,
			};

			bvec_set_page(&bvec, skb_frag_page(frag), slen,
				      skb_frag_off(frag) + offset);
			iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, slen);
			ret = sk->sk_socket ? sock_sendmsg(sk->sk_socket, &msg) : -EINVAL;	/* sim-edit: sendmsg_unlocked(): sock_sendmsg() on the sim socket, -EINVAL without one */
			if (ret <= 0)
				goto error;
			len -= ret;
			offset += ret;
			slen -= ret;
		}
		offset = 0;
	}
	/* offset carries over: what is left of it is relative to the next
	 * skb's data (a resumed send may start inside the frag_list) */
	if (len) {
		if (skb == head) {
			if (skb_shinfo(skb)->frag_list) {	/* sim-edit: skb_has_frag_list() open-coded */
				skb = skb_shinfo(skb)->frag_list;
				goto do_frag_list;
			}
		} else if (skb->next) {
			skb = skb->next;
			goto do_frag_list;
		}
	}
out:
	return orig_len - len;
error:
	return orig_len == (unsigned int)len ? ret : (int)orig_len - len;	/* sim-edit: explicit casts (same values) */
}

int skb_send_sock_locked(struct sock *sk, struct sk_buff *skb, int offset, int len)
{
	(void)sk; (void)skb; (void)offset; (void)len;
	SIM_UNREACHABLE("skb_send_sock_locked (kTLS)");
}

/* ---- close and shutdown ---------------------------------------------- */

void tcp_v4_destroy_sock(struct sock *sk)
{
	skb_queue_purge(&sk->sk_write_queue);
}

/* inet_csk_destroy_sock() + sk_stream_kill_queues() */
static void inet_csk_destroy_sock(struct sock *sk)
{
	WARN_ON(sk->sk_state != TCP_CLOSE);
	WARN_ON(!sock_flag(sk, SOCK_DEAD));
	if (sk->sk_prot->unhash)
		sk->sk_prot->unhash(sk);
	sk->sk_prot->destroy(sk);
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	WARN_ON(!skb_queue_empty(&sk->sk_write_queue));
	sk_mem_reclaim_final(sk);
	WARN_ON(sk->sk_wmem_queued);
	sock_put(sk);	/* the hash table's reference */
}

void tcp_close(struct sock *sk, long timeout)
{
	struct sk_buff *skb;
	int data_was_unread = 0;

	(void)timeout;
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	while ((skb = __skb_dequeue(&sk->sk_receive_queue)) != NULL) {
		data_was_unread += skb->len;
		__kfree_skb(skb);
	}
	skb_queue_purge(&sim_tcp(sk)->wire);
	sim_tcp(sk)->requeued = NULL;
	sk_mem_reclaim(sk);
	if (sk->sk_state != TCP_CLOSE) {
		if (data_was_unread)
			tcp_send_active_reset(sk);
		else if (sk->sk_state == TCP_ESTABLISHED ||
			 sk->sk_state == TCP_CLOSE_WAIT)
			tcp_send_fin(sk);
	}
	sk->sk_state = TCP_CLOSE;
	/* sock_orphan() */
	write_lock_bh(&sk->sk_callback_lock);
	sock_set_flag(sk, SOCK_DEAD);
	sk->sk_socket = NULL;
	sk->sk_wq = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
	/* the peer forgets us */
	if (tcp_sk(sk)->sim_peer) {
		tcp_sk(sk)->sim_peer->sim_peer = NULL;
		tcp_sk(sk)->sim_peer = NULL;
	}
	inet_csk_destroy_sock(sk);
	release_sock(sk);
	sock_put(sk);	/* the file's reference */
}

void tcp_shutdown(struct sock *sk, int how)
{
	if (!(how & SEND_SHUTDOWN))
		return;
	if (sk->sk_state == TCP_ESTABLISHED || sk->sk_state == TCP_CLOSE_WAIT) {
		sk->sk_state = sk->sk_state == TCP_ESTABLISHED ? TCP_FIN_WAIT1 :
							       TCP_LAST_ACK;
		tcp_send_fin(sk);
	}
}

/* ---- af_inet.c ------------------------------------------------------- */

int inet_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (sk) {
		sock->sk = NULL;
		sk->sk_prot->close(sk, 0);
	}
	return 0;
}

/* sim-origin: net/ipv4/af_inet.c inet_sendmsg */
int inet_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;

	return READ_ONCE(sk->sk_prot)->sendmsg(sk, msg, size);	/* sim-edit: no inet_send_prepare() (sim sockets are connected, no autobind); a plain call for INDIRECT_CALL_2(), sk_prot read once */
}

/* sim-origin: net/ipv4/af_inet.c inet_recvmsg */
int inet_recvmsg(struct socket *sock, struct msghdr *msg, size_t size, int flags)
{
	struct sock *sk = sock->sk;
	int addr_len = 0;
	int err;

	err = READ_ONCE(sk->sk_prot)->recvmsg(sk, msg, size, flags, &addr_len);	/* sim-edit: no RPS; a plain call for INDIRECT_CALL_2(), sk_prot read once */
	if (err >= 0)
		msg->msg_namelen = addr_len;
	return err;
}

int inet_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;

	how++;	/* SHUT_RD/WR/RDWR -> RCV/SEND_SHUTDOWN bits */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED && sk->sk_state != TCP_CLOSE_WAIT) {
		release_sock(sk);
		return -ENOTCONN;
	}
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
	if (sk->sk_prot->shutdown)
		sk->sk_prot->shutdown(sk, how);
	sk->sk_state_change(sk);
	release_sock(sk);
	return 0;
}

int inet_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	int karg = 0, err;

	err = READ_ONCE(sk->sk_prot)->ioctl(sk, cmd, &karg);
	if (!err)
		*(int *)arg = karg;
	return err;
}

const struct proto_ops inet_stream_ops = {
	.family		= PF_INET,
	.release	= inet_release,
	.ioctl		= inet_ioctl,
	.shutdown	= inet_shutdown,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
	.read_skb	= tcp_read_skb,
	.sendmsg_locked	= tcp_sendmsg_locked,
	.splice_read	= inet_splice_read,
};

const struct proto_ops inet6_stream_ops = {
	.family		= PF_INET6,
	.release	= inet_release,
	.ioctl		= inet_ioctl,
	.shutdown	= inet_shutdown,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
	.read_skb	= tcp_read_skb,
	.sendmsg_locked	= tcp_sendmsg_locked,
	.splice_read	= inet_splice_read,
};

/* inet_splice_read(), as splice/0002 of the series adds it: dispatch
 * through the socket's current proto (every proto behind inet_stream_ops
 * has a splice_read). Without the series the kernel calls
 * tcp_splice_read() directly; that is the same thing here, because
 * tcp_prot (and every tcp_bpf proto copied from it by an unpatched
 * tcp_bpf.c) has .splice_read = tcp_splice_read. */
/* sim-origin: net/ipv4/af_inet.c inet_splice_read (series) */
ssize_t inet_splice_read(struct socket *sock, loff_t *ppos,
			 struct pipe_inode_info *pipe, size_t len,
			 unsigned int flags)
{
	const struct proto *prot = READ_ONCE(sock->sk->sk_prot);

	return prot->splice_read(sock, ppos, pipe, len, flags);	/* sim-edit: a plain call for INDIRECT_CALL_1() */
}

/* ---- sockets for tests ------------------------------------------------ */

/* sim-origin: net/core/sock.c sock_def_wakeup */
static void sock_def_wakeup(struct sock *sk)
{
	struct socket_wq *wq;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (wq)	/* sim-edit: no skwq_has_sleeper(): waking an empty queue is a no-op */
		sim_wake_up(&wq->wait, 0);	/* sim-edit: the sim's wake-up for wake_up_interruptible_all() */
	rcu_read_unlock();
}

static void sock_def_error_report(struct sock *sk)
{
	sock_def_wakeup(sk);
}

static void sim_fd_release(struct sim_resource *res)
{
	struct sim_tcp_sock *st = container_of(res, struct sim_tcp_sock, res);

	st->fd_open = false;
	inet_release(&st->socket);
}

LIST_HEAD(sim_tcp_socks);

static struct sock *sim_tcp_create(const char *name, int family)
{
	struct sim_tcp_sock *st = calloc(1, sizeof(*st));
	struct sock *sk;

	if (!st)
		abort();
	sk = &st->tp.inet_conn.icsk_inet.sk;
	sim_ledger_add(SIM_SOCK, sk, sizeof(*st), SIM_SITE);
	sk->sim_name = name;
	sk->sk_family = family;
	sk->sk_type = SOCK_STREAM;
	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_state = TCP_ESTABLISHED;
	sk->sk_prot = sk->sk_prot_creator =
		family == AF_INET6 ? &tcpv6_prot : &tcp_prot;
	refcount_set(&sk->sk_refcnt, 2);	/* the file + the hash table */
	refcount_set(&sk->sk_wmem_alloc, 1);
	spin_lock_init(&sk->sk_lock.slock);
	init_waitqueue_head(&sk->sk_lock.wq);
	rwlock_init(&sk->sk_callback_lock);
	skb_queue_head_init(&sk->sk_receive_queue);
	skb_queue_head_init(&sk->sk_write_queue);
	skb_queue_head_init(&sk->sk_error_queue);
	skb_queue_head_init(&st->wire);
	sk->sk_rcvbuf = sysctl_tcp_rmem[1];
	sk->sk_sndbuf = sysctl_tcp_wmem[1];
	sk->sk_rcvtimeo = sk->sk_sndtimeo = MAX_SCHEDULE_TIMEOUT;
	sk->sk_rcvlowat = 1;
	sk->sk_allocation = GFP_KERNEL;
	sk->sk_use_task_frag = true;
	sk->sk_state_change = sock_def_wakeup;
	sk->sk_data_ready = sock_def_readable;
	sk->sk_write_space = sk_stream_write_space;
	sk->sk_error_report = sock_def_error_report;
	sk->sk_backlog_rcv = tcp_prot.backlog_rcv;
	st->socket.state = SS_CONNECTED;
	st->socket.type = SOCK_STREAM;
	st->socket.ops = family == AF_INET6 ? &inet6_stream_ops : &inet_stream_ops;
	st->socket.sk = sk;
	st->socket.file = &st->file;
	st->file.f_op = &socket_file_ops;	/* sock_alloc_file() */
	st->file.private_data = &st->socket;
	init_waitqueue_head(&st->socket.wq.wait);
	sk->sk_socket = &st->socket;
	sk->sk_wq = &st->socket.wq;
	st->fd_open = true;
	sim_watch_register(&sk->sk_forward_alloc, sizeof(sk->sk_forward_alloc),
			   "sk_forward_alloc", name, SIM_RULE_SOCK, sk);
	sim_watch_register(&st->tp.copied_seq, sizeof(st->tp.copied_seq),
			   "copied_seq", name, SIM_RULE_SOCK, sk);
	sim_world_own(&st->res, sim_fd_release, name);
	list_add_tail(&st->sim_all, &sim_tcp_socks);
	return sk;
}

/* Connect @a (active, an ephemeral port) to @b (passive) on 127.0.0.1 and
 * run the sockops established callbacks, as the handshake would. */
static void sim_tcp_connect(struct sock *a, struct sock *b)
{
	static u16 next_port = 40000;
	struct inet_sock *ia = inet_sk(a), *ib = inet_sk(b);

	tcp_sk(a)->sim_peer = tcp_sk(b);
	tcp_sk(b)->sim_peer = tcp_sk(a);
	ia->inet_saddr = ia->inet_daddr = ib->inet_saddr = ib->inet_daddr =
		0x0100007f;
	ia->inet_sport = ib->inet_dport = next_port++;
	ia->inet_dport = ib->inet_sport = next_port++;
	sim_sockops_established(a, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
	sim_sockops_established(b, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
}

void sim_tcp_pair(struct sock **a, struct sock **b, const char *name_a,
		  const char *name_b)
{
	*a = sim_tcp_create(name_a, AF_INET);
	*b = sim_tcp_create(name_b, AF_INET);
	sim_tcp_connect(*a, *b);
	sim_invariants_step("socketpair");
}

void sim_tcp6_pair(struct sock **a, struct sock **b, const char *name_a,
		   const char *name_b)
{
	*a = sim_tcp_create(name_a, AF_INET6);
	*b = sim_tcp_create(name_b, AF_INET6);
	sim_tcp_connect(*a, *b);
	sim_invariants_step("socketpair");
}

int sim_send(struct sock *sk, const void *buf, size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags };

	BUG_ON(!sim_tcp(sk)->fd_open);
	int ret;

	iov_iter_ubuf(&msg.msg_iter, ITER_SOURCE, (void *)buf, len);
	ret = sock_sendmsg(&sim_tcp(sk)->socket, &msg);
	sim_invariants_step("send");
	return ret;
}

int sim_recv(struct sock *sk, void *buf, size_t len, int flags)
{
	struct msghdr msg = {};

	BUG_ON(!sim_tcp(sk)->fd_open);
	int ret;

	iov_iter_ubuf(&msg.msg_iter, ITER_DEST, buf, len);
	ret = sock_recvmsg(&sim_tcp(sk)->socket, &msg, flags);
	sim_invariants_step("recv");
	return ret;
}

/* The readable half of tcp_poll() (net/ipv4/tcp.c) for an established
 * socket: EPOLLIN when tcp_stream_is_readable() (tcp_epollin_ready() with
 * the default SO_RCVLOWAT of 1, or sk_is_readable(): for a socket in a
 * sockmap, tcp_bpf_sock_is_readable(), the psock ingress queue), EPOLLIN |
 * EPOLLRDNORM | EPOLLRDHUP on RCV_SHUTDOWN, EPOLLERR on a socket error.
 * Writability is not modelled (sock_writeable() only sees sk_wmem_alloc). */
int sim_poll(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int mask = 0;

	if (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if ((int)(READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq)) > 0 ||
	    (sk->sk_prot->sock_is_readable && sk->sk_prot->sock_is_readable(sk)))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	return mask;
}

int sim_fionread(struct sock *sk, int *val)
{
	struct socket *sock = &sim_tcp(sk)->socket;

	int ret;

	BUG_ON(!sim_tcp(sk)->fd_open);
	ret = sock->ops->ioctl(sock, SIOCINQ, (unsigned long)val);
	sim_invariants_step("FIONREAD");
	return ret;
}

int sim_shutdown(struct sock *sk, int how)
{
	struct socket *sock = &sim_tcp(sk)->socket;

	int ret;

	BUG_ON(!sim_tcp(sk)->fd_open);
	ret = sock->ops->shutdown(sock, how);
	sim_invariants_step("shutdown");
	return ret;
}

void sim_close(struct sock *sk)
{
	struct sim_tcp_sock *st = sim_tcp(sk);

	BUG_ON(!st->fd_open);
	sim_world_disown(&st->res);
	sim_fd_release(&st->res);
	sim_invariants_step("close");
}

void sim_set_rcvtimeo(struct sock *sk, long timeo)
{
	WRITE_ONCE(sk->sk_rcvtimeo, timeo);
}

void sim_set_nonblock(struct sock *sk, bool nonblock)
{
	struct file *file = &sim_tcp(sk)->file;

	if (nonblock)
		file->f_flags |= O_NONBLOCK;
	else
		file->f_flags &= ~O_NONBLOCK;
}

static int inject(struct sock *sk, const void *data, size_t len,
		  const struct sim_skb_shape *shape)
{
	struct tcp_sock *peer = tcp_sk(sk)->sim_peer;
	size_t headlen = shape->headlen, off;
	struct sk_buff *skb;
	int i = 0;

	BUG_ON(!peer || headlen > len);
	BUG_ON(shape->fraglist && shape->frag_size);
	if (shape->frag_size > PAGE_SIZE || (len > headlen && !shape->frag_size &&
					    !shape->fraglist))
		return -EINVAL;
	if (shape->frag_size &&
	    DIV_ROUND_UP(len - headlen, shape->frag_size) > MAX_SKB_FRAGS)
		return -EMSGSIZE;
	/* The driver's allocations may fail (sim_fail_alloc): the segment
	 * is then dropped before TCP sees it, -ENOMEM, nothing sent. */
	skb = shape->head_frag ? sim_alloc_skb_head_frag(headlen, SIM_SITE) :
				 alloc_skb(headlen, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	memcpy(skb_put(skb, headlen), data, headlen);
	if (shape->fraglist) {
		/* GRO: the rest in linear skbs chained on frag_list */
		size_t seg = DIV_ROUND_UP(len - headlen, shape->fraglist);
		struct sk_buff **tail = &skb_shinfo(skb)->frag_list;

		for (off = headlen; off < len; off += seg) {
			size_t n = min(seg, len - off);
			struct sk_buff *child = shape->head_frag ?
				sim_alloc_skb_head_frag(n, SIM_SITE) :
				alloc_skb(n, GFP_KERNEL);

			if (!child) {
				kfree_skb(skb);
				return -ENOMEM;
			}
			memcpy(skb_put(child, n), (const char *)data + off, n);
			*tail = child;
			tail = &child->next;
			skb->len += n;
			skb->data_len += n;
			skb->truesize += child->truesize;
		}
	} else {
		for (off = headlen; off < len; off += shape->frag_size, i++) {
			struct page *page = alloc_page(GFP_KERNEL);
			size_t n = min(shape->frag_size, len - off);

			if (!page) {
				kfree_skb(skb);
				return -ENOMEM;
			}
			memcpy(page_address(page), (const char *)data + off, n);
			skb_add_rx_frag(skb, i, page, 0, n, PAGE_SIZE);
		}
	}
	TCP_SKB_CB(skb)->tcp_flags = TCPHDR_ACK | TCPHDR_PSH;
	tcp_xmit(&peer->inet_conn.icsk_inet.sk, skb);
	return 0;
}

int sim_inject(struct sock *sk, const void *data, size_t len,
	       const struct sim_skb_shape *shape)
{
	int ret = inject(sk, data, len, shape);

	sim_invariants_step("inject");
	return ret;
}

int sim_inject_skb(struct sock *sk, const void *data, size_t len,
		   size_t headlen, size_t frag_size)
{
	struct sim_skb_shape shape = { .headlen = headlen, .frag_size = frag_size };

	return sim_inject(sk, data, len, &shape);
}
