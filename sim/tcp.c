// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/ipv4/tcp.c for a connected pair on loopback: tcp_sendmsg_locked()
 * (a small slab head, the data in page frags copied from the user, or page
 * references with MSG_SPLICE_PAGES), tcp_recvmsg(), tcp_read_skb(),
 * tcp_splice_read(), tcp_close() and tcp_shutdown(), and TCP's memory
 * limits. A send appends to the write queue (coalescing up to the size
 * goal), tcp_push() sends what the window and MSG_MORE allow
 * (tcp_output.c); each segment stays charged until the peer acks it
 * (tcp_input.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sim/ledger.h>
#include <sim/net.h>
#include <sim/invariant.h>
#include <sim/series.h>
#include <sim/sockmap.h>
#include <sim/watch.h>
#include <sim/task.h>
#include <sim/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/inet_common.h>
#include <linux/splice.h>
#include <linux/init.h>

atomic_long_t tcp_memory_allocated;
long sysctl_tcp_mem[3] = { 1L << 20, 1L << 21, 1L << 22 };	/* pages */
int sysctl_tcp_rmem[3] = { 4096, 131072, 6291456 };
int sysctl_tcp_wmem[3] = { 4096, 16384, 4194304 };

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

long sim_tcp_memory_forget(void)
{
	long pages = atomic_long_read(&tcp_memory_allocated);

	atomic_long_set(&tcp_memory_allocated, 0);
	return pages;
}

/* __tcp_cleanup_rbuf(): the application read @copied bytes; a window
 * update lets what waits on the wire in. */
void __tcp_cleanup_rbuf(struct sock *sk, int copied)
{
	if (copied > 0) {
		tcp_sk(sk)->sim_acks++;
		sim_tcp_wire_flush(sk);
		/* the window update (tcp_send_ack()) */
		tcp_send_ack(sk);
	}
}

/* sim-origin: net/ipv4/tcp.c tcp_cleanup_rbuf */
void tcp_cleanup_rbuf(struct sock *sk, int copied)
{
	struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);
	struct tcp_sock *tp = tcp_sk(sk);

	WARN(skb && !before(tp->copied_seq, TCP_SKB_CB(skb)->end_seq),
	     "cleanup rbuf bug: copied %X seq %X rcvnxt %X\n",
	     tp->copied_seq, TCP_SKB_CB(skb)->end_seq, tp->rcv_nxt);
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
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		*karg = READ_ONCE(tcp_sk(sk)->write_seq) - tcp_sk(sk)->snd_una;
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
			/* Now that we have two receive queues this
			 * shouldn't happen.
			 */
			if (WARN(before(*seq, TCP_SKB_CB(skb)->seq),
				 "TCP recvmsg seq # bug: copied %X, seq %X, rcvnxt %X, fl %X\n",
				 *seq, TCP_SKB_CB(skb)->seq, tp->rcv_nxt,
				 flags))
				break;
			offset = *seq - TCP_SKB_CB(skb)->seq;
			if (offset < skb->len)
				goto found_ok_skb;
			if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
				goto found_fin_ok;
			WARN(!(flags & MSG_PEEK),
			     "TCP recvmsg seq # bug 2: copied %X, seq %X, rcvnxt %X, fl %X\n",
			     *seq, TCP_SKB_CB(skb)->seq, tp->rcv_nxt, flags);
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
	/* tcp_recvmsg_locked() ends with tcp_cleanup_rbuf(sk, copied) on
	 * every return, its check of the head skb included; the sim's
	 * __tcp_cleanup_rbuf() acks only what was consumed */
	tcp_cleanup_rbuf(sk, copied > 0 && !(flags & MSG_PEEK) ? copied : 0);
	err = copied;
out:
	release_sock(sk);
	return err;
}

/* fixes/0014 changes tcp_read_skb() (the head skb's unread part only): the
 * copy follows the tree at each level. The lines the patch adds run from
 * level fixes; they are marked, since below it the tree has none of them. */
/* sim-origin: net/ipv4/tcp.c tcp_read_skb */
int tcp_read_skb(struct sock *sk, skb_read_actor_t recv_actor)
{
	struct tcp_sock *tp = tcp_sk(sk);	/* sim-edit: fixes/0014's line */
	struct sk_buff *skb;
	int copied = 0;

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	while ((skb = skb_peek(&sk->sk_receive_queue)) != NULL) {
		u32 offset = tp->copied_seq - TCP_SKB_CB(skb)->seq;	/* sim-edit: fixes/0014's line */
		u8 tcp_flags;
		int used;

		/* sim-edit: fixes/0014's lines, from level fixes only */
		if (SIM_LEVEL_AT_LEAST(FIXES) && unlikely(offset && offset < skb->len)) {
			if (!pskb_pull(skb, offset))	/* sim-edit: fixes/0014's line */
				return copied ? : -ENOMEM;	/* sim-edit: fixes/0014's line */
			TCP_SKB_CB(skb)->seq += offset;	/* sim-edit: fixes/0014's line */
		}	/* sim-edit: fixes/0014's line */
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

/* sim-origin: net/ipv4/tcp.c tcp_recv_skb */
struct sk_buff *tcp_recv_skb(struct sock *sk, u32 seq, u32 *off)
{
	struct sk_buff *skb;
	u32 offset;

	while ((skb = skb_peek(&sk->sk_receive_queue)) != NULL) {
		offset = seq - TCP_SKB_CB(skb)->seq;
		if (unlikely(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_SYN)) {
			WARN_ON(1);	/* sim-edit: pr_err_once() made loud: the sim never queues a SYN */
			offset--;
		}
		if (offset < skb->len || (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)) {
			*off = offset;
			return skb;
		}
		/* This looks weird, but this can happen if TCP collapsing
		 * splitted a fat GRO packet, while we released socket lock
		 * in skb_splice_bits()
		 */
		tcp_eat_recv_skb(sk, skb);
	}
	return NULL;
}

/*
 * __tcp_read_sock(): the actor gets (desc, skb, offset, len) for each skb
 * from *copied_seq on; the stream parser's strp_recv() is the actor of
 * tcp_bpf_strp_read_sock() (noack, psock->copied_seq).
 */
/* sim-origin: net/ipv4/tcp.c __tcp_read_sock */
static int __tcp_read_sock(struct sock *sk, read_descriptor_t *desc,
			   sk_read_actor_t recv_actor, bool noack,
			   u32 *copied_seq)
{
	struct sk_buff *skb;
	struct tcp_sock *tp = tcp_sk(sk);
	u32 seq = *copied_seq;
	u32 offset;
	int copied = 0;

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	while ((skb = tcp_recv_skb(sk, seq, &offset)) != NULL) {
		if (offset < skb->len) {
			int used;
			size_t len;

			len = skb->len - offset;
			/* Stop reading if we hit a patch of urgent data */
			if (unlikely(tp->urg_data)) {
				u32 urg_offset = tp->urg_seq - seq;
				if (urg_offset < len)
					len = urg_offset;
				if (!len)
					break;
			}
			used = recv_actor(desc, skb, offset, len);
			if (used <= 0) {
				if (!copied)
					copied = used;
				break;
			}
			if (WARN_ON_ONCE(used > len))
				used = len;
			seq += used;
			copied += used;
			offset += used;

			/* If recv_actor drops the lock (e.g. TCP splice
			 * receive) the skb pointer might be invalid when
			 * getting here: tcp_collapse might have deleted it
			 * while aggregating skbs from the socket queue.
			 */
			skb = tcp_recv_skb(sk, seq - 1, &offset);
			if (!skb)
				break;
			/* TCP coalescing might have appended data to the skb.
			 * Try to splice more frags
			 */
			if (offset + 1 != skb->len)
				continue;
		}
		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN) {
			tcp_eat_recv_skb(sk, skb);
			++seq;
			break;
		}
		tcp_eat_recv_skb(sk, skb);
		if (!desc->count)
			break;
		WRITE_ONCE(*copied_seq, seq);
	}
	WRITE_ONCE(*copied_seq, seq);

	if (noack)
		goto out;

	tcp_rcv_space_adjust(sk);

	/* Clean up data we have read: This will do ACK frames. */
	if (copied > 0) {
		tcp_recv_skb(sk, seq, &offset);
		tcp_cleanup_rbuf(sk, copied);
	}
out:
	return copied;
}

/* sim-origin: net/ipv4/tcp.c tcp_read_sock */
int tcp_read_sock(struct sock *sk, read_descriptor_t *desc,
		  sk_read_actor_t recv_actor)
{
	return __tcp_read_sock(sk, desc, recv_actor, false,
			       &tcp_sk(sk)->copied_seq);
}

/* sim-origin: net/ipv4/tcp.c tcp_read_sock_noack */
int tcp_read_sock_noack(struct sock *sk, read_descriptor_t *desc,
			sk_read_actor_t recv_actor, bool noack,
			u32 *copied_seq)
{
	return __tcp_read_sock(sk, desc, recv_actor, noack, copied_seq);
}

/* sim-origin: net/ipv4/tcp.c tcp_peek_len */
int tcp_peek_len(struct socket *sock)
{
	return tcp_inq(sock->sk);
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

/* skb_can_coalesce() for page frags */
static bool can_coalesce(struct sk_buff *skb, int i, struct page *page, int off)
{
	if (i) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i - 1];

		return page == skb_frag_page(frag) &&
		       off == (int)(skb_frag_off(frag) + skb_frag_size(frag));
	}
	return false;
}

/* tcp_send_mss(): mss_now and the size goal (tcp_xmit_size_goal()) on
 * loopback: one segment of SIM_TCP_MSS. */
static int tcp_send_mss(struct sock *sk, int *size_goal, int flags)
{
	(void)sk; (void)flags;
	*size_goal = SIM_TCP_MSS;
	return SIM_TCP_MSS;
}

/* sim-origin: net/ipv4/tcp.c forced_push */
static inline bool forced_push(const struct tcp_sock *tp)
{
	return after(tp->write_seq, tp->pushed_seq + (tp->max_window >> 1));
}

/* sim-origin: net/ipv4/tcp.c tcp_mark_push */
static inline void tcp_mark_push(struct tcp_sock *tp, struct sk_buff *skb)
{
	TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH;
	tp->pushed_seq = tp->write_seq;
}

/* include/net/tcp.h tcp_skb_can_collapse_to(): not after an MSG_EOR */
static inline bool tcp_skb_can_collapse_to(const struct sk_buff *skb)
{
	return likely(!TCP_SKB_CB(skb)->eor);
}

static inline bool tcp_rtx_and_write_queues_empty(const struct sock *sk)
{
	return list_empty(&sim_tcp((struct sock *)sk)->rtx) && !tcp_send_head(sk);
}

/* tcp_stream_alloc_skb(): the skb's own truesize is scheduled (forced for
 * the first skb of empty queues). The sim's skb has no header room. */
static struct sk_buff *tcp_stream_alloc_skb(struct sock *sk, gfp_t gfp,
					    bool force_schedule)
{
	struct sk_buff *skb = alloc_skb(0, gfp);

	if (likely(skb)) {
		bool mem_scheduled;

		if (force_schedule) {
			mem_scheduled = true;
			sk_forced_mem_schedule(sk, skb->truesize);
		} else {
			mem_scheduled = sk_wmem_schedule(sk, skb->truesize);
		}
		if (likely(mem_scheduled))
			return skb;
		__kfree_skb(skb);
	} else {
		/* sk_stream_moderate_sndbuf() */
		if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK))
			WRITE_ONCE(sk->sk_sndbuf, min_t(int, sk->sk_sndbuf,
					max_t(int, sk->sk_wmem_queued >> 1, SOCK_MIN_SNDBUF)));
	}
	return NULL;
}

/* tcp_skb_entail(): the new skb joins the write queue, charged. */
static void tcp_skb_entail(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

	tcb->seq = tcb->end_seq = tp->write_seq;
	tcb->tcp_flags = TCPHDR_ACK;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	sk->sk_wmem_queued += skb->truesize;	/* sk_wmem_queued_add() */
	sk_mem_charge(sk, skb->truesize);
	if (tp->nonagle & TCP_NAGLE_PUSH)
		tp->nonagle &= ~TCP_NAGLE_PUSH;
}

/* tcp_remove_empty_skb(): an skb the loop allocated but put nothing in. */
static void tcp_remove_empty_skb(struct sock *sk)
{
	struct sk_buff *skb = tcp_write_queue_tail(sk);

	if (skb && TCP_SKB_CB(skb)->seq == TCP_SKB_CB(skb)->end_seq) {
		__skb_unlink(skb, &sk->sk_write_queue);
		sk->sk_wmem_queued -= skb->truesize;	/* tcp_wmem_free_skb() */
		sk_mem_uncharge(sk, skb->truesize);
		__kfree_skb(skb);
	}
}

/* sim-origin: net/ipv4/tcp.c tcp_wmem_schedule */
static int tcp_wmem_schedule(struct sock *sk, int copy)
{
	int left;

	if (likely(sk_wmem_schedule(sk, copy)))
		return copy;

	/* We could be in trouble if we have nothing queued.
	 * Use whatever is left in sk->sk_forward_alloc and tcp_wmem[0]
	 * to guarantee some progress.
	 */
	left = READ_ONCE(sysctl_tcp_wmem[0]) - sk->sk_wmem_queued;	/* sim-edit: one netns: the sysctl is a global */
	if (left > 0)
		sk_forced_mem_schedule(sk, min(left, copy));
	return min(copy, sk->sk_forward_alloc);
}

/* sim-origin: net/ipv4/tcp.c tcp_push */
void tcp_push(struct sock *sk, int flags, int mss_now,
	      int nonagle, int size_goal)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;

	skb = tcp_write_queue_tail(sk);
	if (!skb)
		return;
	if (!(flags & MSG_MORE) || forced_push(tp))
		tcp_mark_push(tp, skb);

	(void)size_goal;	/* sim-edit: no urgent data (tcp_mark_urg()); no autocorking: loopback_xmit() orphans each skb, so sk_wmem_alloc never exceeds the tail's truesize (tcp_should_autocork() is false) */

	if (flags & MSG_MORE)
		nonagle = TCP_NAGLE_CORK;

	__tcp_push_pending_frames(sk, mss_now, nonagle);
}

/* skb_splice_from_iter() for the one bvec the sim's callers pass:
 * reference the caller's page (coalesced with the last frag when it
 * continues it); -EMSGSIZE when the skb has no frag left. */
static ssize_t skb_splice_from_iter(struct sk_buff *skb, struct iov_iter *iter,
				    ssize_t maxsize)
{
	const struct bio_vec *bv = iter->bvec;
	int i = skb_shinfo(skb)->nr_frags;
	struct page *page;
	size_t off;
	ssize_t len;

	BUG_ON(!iov_iter_is_bvec(iter));
	page = bv->bv_page;
	off = bv->bv_offset + iter->iov_offset;
	len = min_t(ssize_t, maxsize, bv->bv_len - iter->iov_offset);
	if (i && skb_frag_page(&skb_shinfo(skb)->frags[i - 1]) == page &&
	    off == skb_frag_off(&skb_shinfo(skb)->frags[i - 1]) +
		   skb_frag_size(&skb_shinfo(skb)->frags[i - 1])) {
		skb_shinfo(skb)->frags[i - 1].len += len;	/* skb_append_pagefrags() */
	} else {
		if (i >= MAX_SKB_FRAGS)
			return -EMSGSIZE;
		get_page(page);
		skb_fill_page_desc(skb, i, page, off, len);
	}
	iov_iter_advance(iter, len);
	skb->len += len;	/* skb_len_add() */
	skb->data_len += len;
	skb->truesize += len;
	return len;
}

/* tcp_sendmsg_locked() for established sockets: copies into page frags
 * (or references spliced pages) appended to the write queue's tail skb up
 * to the size goal, charged to sk_wmem_queued and sk_forward_alloc, sent
 * by tcp_push() as the window and MSG_MORE allow; waits for memory
 * (sk_stream_wait_memory()) when sk_wmem_queued reached sk_sndbuf. The
 * kernel's structure and labels; no zerocopy, fastopen, repair, cmsgs. */
int tcp_sendmsg_locked(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;
	int flags, err, copied = 0;
	int mss_now = 0, size_goal;
	int process_backlog = 0;
	int zc = 0;
	long timeo;

	BUG_ON(!sock_owned_by_user(sk));	/* callers hold lock_sock */
	flags = msg->msg_flags;
	if (unlikely(flags & MSG_SPLICE_PAGES) && size)
		zc = MSG_SPLICE_PAGES;	/* loopback has NETIF_F_SG */

	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);

	tcp_rate_check_app_limited(sk);  /* is sending application-limited? */

	if ((1 << sk->sk_state) & ~((1 << TCP_ESTABLISHED) | (1 << TCP_CLOSE_WAIT))) {
		/* sk_stream_wait_connect(): no connection to wait for */
		err = -EPIPE;
		goto do_error;
	}

	/* This should be in poll */
	sk_clear_bit(SOCKWQ_ASYNC_NOSPACE, sk);

	/* Ok commence sending. */
	copied = 0;

restart:
	mss_now = tcp_send_mss(sk, &size_goal, flags);

	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto do_error;

	while (msg_data_left(msg)) {
		int copy = 0;

		skb = tcp_write_queue_tail(sk);
		if (skb)
			copy = size_goal - skb->len;

		if (copy <= 0 || !tcp_skb_can_collapse_to(skb)) {
			bool first_skb;

new_segment:
			if (!sk_stream_memory_free(sk))
				goto wait_for_space;

			if (unlikely(process_backlog >= 16)) {
				process_backlog = 0;
				if (sk_flush_backlog(sk))
					goto restart;
			}
			first_skb = tcp_rtx_and_write_queues_empty(sk);
			skb = tcp_stream_alloc_skb(sk, sk->sk_allocation,
						   first_skb);
			if (!skb)
				goto wait_for_space;

			process_backlog++;
			tcp_skb_entail(sk, skb);
			copy = size_goal;
		}

		/* Try to append data to the end of skb. */
		if (copy > (int)msg_data_left(msg))
			copy = msg_data_left(msg);

		if (zc == 0) {
			bool merge = true;
			int i = skb_shinfo(skb)->nr_frags;
			struct page_frag *pfrag = sk_page_frag(sk);

			if (!sk_page_frag_refill(sk, pfrag))
				goto wait_for_space;

			if (!can_coalesce(skb, i, pfrag->page,
					  pfrag->offset)) {
				if (i >= MAX_SKB_FRAGS) {
					tcp_mark_push(tp, skb);
					goto new_segment;
				}
				merge = false;
			}

			copy = min_t(int, copy, pfrag->size - pfrag->offset);

			copy = tcp_wmem_schedule(sk, copy);
			if (!copy)
				goto wait_for_space;

			/* skb_copy_to_page_nocache() */
			if (copy_page_from_iter(pfrag->page, pfrag->offset,
						copy, &msg->msg_iter) != (size_t)copy) {
				err = -EFAULT;
				goto do_error;
			}
			skb->len += copy;
			skb->data_len += copy;
			skb->truesize += copy;
			sk->sk_wmem_queued += copy;	/* sk_wmem_queued_add() */
			sk_mem_charge(sk, copy);

			/* Update the skb. */
			if (merge) {
				skb_shinfo(skb)->frags[i - 1].len += copy;
			} else {
				skb_fill_page_desc(skb, i, pfrag->page,
						   pfrag->offset, copy);
				get_page(pfrag->page);	/* page_ref_inc() */
			}
			pfrag->offset += copy;
		} else {
			/* Splice in data if we can; copy if we can't. */
			ssize_t n;

			copy = tcp_wmem_schedule(sk, copy);
			if (!copy)
				goto wait_for_space;

			n = skb_splice_from_iter(skb, &msg->msg_iter, copy);
			if (n < 0) {
				tcp_mark_push(tp, skb);
				goto new_segment;	/* -EMSGSIZE */
			}
			copy = n;

			sk->sk_wmem_queued += copy;	/* sk_wmem_queued_add() */
			sk_mem_charge(sk, copy);
		}

		if (!copied)
			TCP_SKB_CB(skb)->tcp_flags &= ~TCPHDR_PSH;

		WRITE_ONCE(tp->write_seq, tp->write_seq + copy);
		TCP_SKB_CB(skb)->end_seq += copy;

		copied += copy;
		if (!msg_data_left(msg)) {
			if (unlikely(flags & MSG_EOR))
				TCP_SKB_CB(skb)->eor = 1;
			goto out;
		}

		if ((int)skb->len < size_goal)
			continue;

		if (forced_push(tp)) {
			tcp_mark_push(tp, skb);
			__tcp_push_pending_frames(sk, mss_now, TCP_NAGLE_PUSH);
		} else if (skb == tcp_send_head(sk))
			tcp_push_one(sk, mss_now);
		continue;

wait_for_space:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		tcp_remove_empty_skb(sk);
		if (copied)
			tcp_push(sk, flags & ~MSG_MORE, mss_now,
				 TCP_NAGLE_PUSH, size_goal);

		err = sk_stream_wait_memory(sk, &timeo);
		if (err != 0)
			goto do_error;

		mss_now = tcp_send_mss(sk, &size_goal, flags);
	}

out:
	if (copied)
		tcp_push(sk, flags, mss_now, tp->nonagle, size_goal);
	return copied;

do_error:
	tcp_remove_empty_skb(sk);

	if (copied)
		goto out;
	err = sk_stream_error(sk, flags, err);
	/* make sure we wake any epoll edge trigger waiter */
	if (unlikely(tcp_rtx_and_write_queues_empty(sk) && err == -EAGAIN))
		READ_ONCE(sk->sk_write_space)(sk);
	return err;
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

/* The sim's wire: @sk and its peer forget each other. */
void sim_tcp_forget_peer(struct sock *sk)
{
	if (tcp_sk(sk)->sim_peer) {
		tcp_sk(sk)->sim_peer->sim_peer = NULL;
		tcp_sk(sk)->sim_peer = NULL;
	}
}

/* tcp_set_state() for the states the sim moves through. The kernel's
 * TCP_CLOSE unhashes the sock (sk_prot->unhash: inet_unhash(), which a
 * tcp_bpf proto keeps); the sim has no hash tables: its
 * inet_csk_destroy_sock() drops the hash table's reference. */
void tcp_set_state(struct sock *sk, int state)
{
	sk->sk_state = state;	/* inet_sk_state_store() */
}

/* tcp_need_reset() */
static bool tcp_need_reset(int state)
{
	return (1 << state) &
	       (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |
		TCPF_FIN_WAIT2 | TCPF_SYN_RECV);
}

/* tcp_disconnect(): the connection is aborted (a listener's close does
 * this to each child it never handed out, inet_child_forget()): closed,
 * the peer reset, what was received purged (sock_rfree uncharges it),
 * the socket ready to connect again. Without timers, repair, fastopen. */
int tcp_disconnect(struct sock *sk, int flags)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int old_state = sk->sk_state;

	(void)flags;
	if (old_state != TCP_CLOSE)
		tcp_set_state(sk, TCP_CLOSE);
	if (old_state == TCP_LISTEN) {
		inet_csk_listen_stop(sk);
	} else if (tcp_need_reset(old_state)) {
		tcp_send_active_reset(sk);
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	}
	skb_queue_purge(&sk->sk_receive_queue);	/* __skb_queue_purge() */
	WRITE_ONCE(tp->copied_seq, tp->rcv_nxt);
	WRITE_ONCE(tp->urg_data, 0);
	skb_queue_purge(&sk->sk_write_queue);	/* tcp_write_queue_purge() */
	/* the sim's wire: nothing more arrives from the peer */
	skb_queue_purge(&sim_tcp(sk)->wire);
	sim_tcp(sk)->requeued = NULL;
	sim_tcp_forget_peer(sk);
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	if (sk->sk_frag.page) {
		put_page(sk->sk_frag.page);
		sk->sk_frag.page = NULL;
		sk->sk_frag.offset = 0;
	}
	sk_error_report(sk);
	return 0;
}

void tcp_close(struct sock *sk, long timeout)
{
	struct sk_buff *skb;
	int data_was_unread = 0;

	(void)timeout;
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	tcp_clear_xmit_timers(sk);
	while ((skb = __skb_dequeue(&sk->sk_receive_queue)) != NULL) {
		data_was_unread += skb->len;
		__kfree_skb(skb);
	}
	skb_queue_purge(&sim_tcp(sk)->wire);
	sim_tcp(sk)->requeued = NULL;
	sk_mem_reclaim(sk);
	if (sk->sk_state == TCP_LISTEN) {
		/* __tcp_close(): the special case */
		tcp_set_state(sk, TCP_CLOSE);
		inet_csk_listen_stop(sk);
	}
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
	sim_tcp_forget_peer(sk);
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
