// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/socket.c for tests: sockets created connected (sock_init_data()
 * and the handshake in one step) and the syscalls a test makes on them,
 * plus segments injected as a driver would build them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sim/ledger.h>
#include <sim/net.h>
#include <sim/invariant.h>
#include <sim/sockmap.h>
#include <sim/watch.h>
#include <sim/task.h>
#include <sim/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/inet_common.h>
#include <linux/splice.h>
#include <linux/init.h>

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

/* sock_close() -> __sock_release(): the socket's release. The sim's
 * struct socket lives inside its sock (the kernel's is an inode of its
 * own, which outlives the sock): a reference keeps it until
 * inet_release() has cleared sock->sk after the close. */
static void sim_fd_release(struct sim_resource *res)
{
	struct sim_tcp_sock *st = container_of(res, struct sim_tcp_sock, res);
	struct sock *sk = st->socket.sk;

	st->fd_open = false;
	if (sk)
		sock_hold(sk);
	inet_release(&st->socket);
	if (sk)
		sock_put(sk);
}

LIST_HEAD(sim_tcp_socks);

/* sock_alloc() + sock_alloc_file(): the struct socket and its file, with
 * the ops of @family; not yet attached to a sock. */
static void sim_socket_alloc(struct sim_tcp_sock *st, int family, socket_state state)
{
	st->socket.state = state;
	st->socket.type = SOCK_STREAM;
	st->socket.ops = family == AF_INET6 ? &inet6_stream_ops : &inet_stream_ops;
	st->socket.file = &st->file;
	st->file.f_op = &socket_file_ops;	/* sock_alloc_file() */
	st->file.private_data = &st->socket;
	init_waitqueue_head(&st->socket.wq.wait);
}

/* socket(AF_INET, SOCK_STREAM) + sock_init_data(), in @state. */
static struct sock *sim_tcp_socket(const char *name, int family, int state)
{
	struct sock *sk = sim_sk_alloc(name, family);
	struct sim_tcp_sock *st = sim_tcp(sk);

	sk->sk_type = SOCK_STREAM;
	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_state = state;
	sk->sk_prot = sk->sk_prot_creator =
		family == AF_INET6 ? &tcpv6_prot : &tcp_prot;
	refcount_set(&sk->sk_refcnt, 2);	/* the file + the hash table */
	refcount_set(&sk->sk_wmem_alloc, 1);
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
	sim_socket_alloc(st, family, state == TCP_ESTABLISHED ? SS_CONNECTED :
							       SS_UNCONNECTED);
	st->socket.sk = sk;
	sk->sk_socket = &st->socket;
	sk->sk_wq = &st->socket.wq;
	st->fd_open = true;
	sim_world_own(&st->res, sim_fd_release, name);
	return sk;
}

static struct sock *sim_tcp_create(const char *name, int family)
{
	return sim_tcp_socket(name, family, TCP_ESTABLISHED);
}

/* Connect @a (active, an ephemeral port) to @b (passive) on 127.0.0.1 and
 * run the sockops established callbacks, as the handshake would. */
static void sim_tcp_connect(struct sock *a, struct sock *b)
{
	static u16 next_port = 40000;
	struct inet_sock *ia = inet_sk(a), *ib = inet_sk(b);

	tcp_sk(a)->sim_peer = tcp_sk(b);
	tcp_sk(b)->sim_peer = tcp_sk(a);
	tcp_init_buffer_space(a);
	tcp_init_buffer_space(b);
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

/* ---- listen(), connect() to a listener, accept() -------------------- */

static u16 listen_next_port = 8000;

/* socket() + bind(127.0.0.1, a port of its own) + listen(@backlog). */
static struct sock *tcp_listen(const char *name, int family, int backlog)
{
	struct sock *sk = sim_tcp_socket(name, family, TCP_CLOSE);
	struct inet_sock *in = inet_sk(sk);
	int err;

	in->inet_saddr = 0x0100007f;
	in->inet_sport = listen_next_port++;
	err = sim_tcp(sk)->socket.ops->listen(&sim_tcp(sk)->socket, backlog);
	BUG_ON(err);
	return sk;
}

struct sock *sim_tcp_listen(const char *name)
{
	struct sock *sk = tcp_listen(name, AF_INET, 128);

	sim_invariants_step("listen");
	return sk;
}

struct sock *sim_tcp6_listen(const char *name)
{
	struct sock *sk = tcp_listen(name, AF_INET6, 128);

	sim_invariants_step("listen");
	return sk;
}

/* connect() to @listener: the three-way handshake in one step. The active
 * side is established first (SYN-ACK: tcp_finish_connect() ->
 * tcp_init_transfer(): sockops ACTIVE_ESTABLISHED); then the ACK reaches
 * the listener: tcp_v4_rcv() -> tcp_check_req() ->
 * tcp_v4_syn_recv_sock() clones the child (tcp_create_openreq_child(),
 * tcp_bpf_clone()), inet_csk_complete_hashdance() queues it for accept()
 * and tcp_child_process() establishes it (sockops PASSIVE_ESTABLISHED, the
 * child still without a struct socket) and wakes the listener. Returns the
 * active socket; its peer, sim_tcp_peer(), is the child, named @child_name. */
struct sock *sim_tcp_connect_to(struct sock *listener, const char *name,
				const char *child_name)
{
	struct sock *a = sim_tcp_create(name, listener->sk_family);
	struct inet_sock *ia = inet_sk(a), *il = inet_sk(listener);
	struct request_sock *req;
	struct sock *child;

	BUG_ON(listener->sk_state != TCP_LISTEN);
	ia->inet_saddr = ia->inet_daddr = il->inet_saddr;
	ia->inet_dport = il->inet_sport;
	ia->inet_sport = listen_next_port++;
	tcp_init_buffer_space(a);	/* tcp_finish_connect() -> tcp_init_transfer() */
	sim_sockops_established(a, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);

	req = reqsk_alloc(listener);
	BUG_ON(!req);
	req->sk = NULL;
	child = tcp_v4_syn_recv_sock(listener, req);
	BUG_ON(!child);
	sim_sk_rename(child, child_name);
	inet_sk(child)->inet_saddr = ia->inet_daddr;
	inet_sk(child)->inet_daddr = ia->inet_saddr;
	inet_sk(child)->inet_sport = ia->inet_dport;
	inet_sk(child)->inet_dport = ia->inet_sport;
	tcp_sk(a)->sim_peer = tcp_sk(child);
	tcp_sk(child)->sim_peer = tcp_sk(a);
	/* inet_csk_complete_hashdance() */
	if (!inet_csk_reqsk_queue_add(listener, req, child)) {
		bh_unlock_sock(child);
		sock_put(child);
		reqsk_put(req);
		sim_invariants_step("connect");
		return a;
	}
	reqsk_put(req);
	sim_tcp(child)->accept_pending = true;
	tcp_child_process(listener, child);
	sim_invariants_step("connect");
	return a;
}

/* The other end of @sk's connection (an unaccepted child included). */
struct sock *sim_tcp_peer(struct sock *sk)
{
	struct tcp_sock *peer = tcp_sk(sk)->sim_peer;

	return peer ? &peer->inet_conn.icsk_inet.sk : NULL;
}

/* accept(): do_accept() -> inet_accept() -> inet_csk_accept(); the child
 * gets its struct socket and file (sock_graft()) and a world-owned fd.
 * Returns the child, or NULL with *@err (-EAGAIN on an empty queue of a
 * non-blocking listener, -EINVAL if @listener does not listen). */
struct sock *sim_tcp_accept_err(struct sock *listener, int *err)
{
	struct sim_tcp_sock *lst = sim_tcp(listener);
	struct proto_accept_arg arg = {
		.flags = lst->file.f_flags,
	};
	struct socket newsock = {};
	struct sim_tcp_sock *st;
	struct sock *child;

	BUG_ON(!lst->fd_open);
	/* do_accept(): sock_alloc(), the listener's type and ops */
	newsock.type = lst->socket.type;
	newsock.ops = lst->socket.ops;
	init_waitqueue_head(&newsock.wq.wait);
	*err = lst->socket.ops->accept(&lst->socket, &newsock, &arg);
	if (*err) {
		sim_invariants_step("accept");
		return NULL;
	}
	child = newsock.sk;
	BUG_ON(!child || child->sk_socket != &newsock);
	/* The sim keeps a sock's struct socket and file in its
	 * sim_tcp_sock: the grafted socket moves there (nothing waits on the
	 * new one yet), with its file (sock_alloc_file()). */
	st = sim_tcp(child);
	BUG_ON(waitqueue_active(&newsock.wq.wait));
	sim_socket_alloc(st, child->sk_family, newsock.state);
	st->socket.type = newsock.type;
	st->socket.ops = newsock.ops;
	st->socket.flags = newsock.flags;
	write_lock_bh(&child->sk_callback_lock);
	st->socket.sk = child;
	sk_set_socket(child, &st->socket);
	rcu_assign_pointer(child->sk_wq, &st->socket.wq);
	write_unlock_bh(&child->sk_callback_lock);
	st->accept_pending = false;
	st->fd_open = true;
	sim_world_own(&st->res, sim_fd_release, child->sim_name);
	sim_invariants_step("accept");
	return child;
}

struct sock *sim_tcp_accept(struct sock *listener)
{
	int err;

	return sim_tcp_accept_err(listener, &err);
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
 * Writability (EPOLLOUT: sk_stream_is_writeable()) is not reported. */
int sim_poll(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int mask = 0;

	if (sk->sk_state == TCP_LISTEN)	/* inet_csk_listen_poll() */
		return READ_ONCE(inet_csk(sk)->icsk_accept_queue.rskq_accept_head) ?
		       EPOLLIN | EPOLLRDNORM : 0;

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

/* getsockopt(SO_ERROR) as sk_getsockopt() (net/core/sock.c) answers it:
 * the pending error, taken (sock_error() clears it), or else the soft
 * error, taken too. */
int sim_so_error(struct sock *sk)
{
	int err;

	BUG_ON(!sim_tcp(sk)->fd_open);
	err = -sock_error(sk);
	if (!err)
		err = xchg(&sk->sk_err_soft, 0);
	sim_invariants_step("SO_ERROR");
	return err;
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

/* sock_setsockopt(SO_SNDBUF): __sock_set_sndbuf() */
void sim_set_sndbuf(struct sock *sk, int val)
{
	lock_sock(sk);
	sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
	WRITE_ONCE(sk->sk_sndbuf, max_t(int, val * 2, SOCK_MIN_SNDBUF));
	/* Wake up sending tasks if we upped the value. */
	sk->sk_write_space(sk);
	release_sock(sk);
}

/* sock_setsockopt(SO_RCVBUF): __sock_set_rcvbuf() */
void sim_set_rcvbuf(struct sock *sk, int val)
{
	lock_sock(sk);
	sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	WRITE_ONCE(sk->sk_rcvbuf, max_t(int, val * 2, SOCK_MIN_RCVBUF));
	release_sock(sk);
}

void sim_tcp_timers_fire(void)
{
	sim_advance_jiffies(TCP_RTO_MIN);
	sim_run_work();
	sim_invariants_step("timers");
}

int sim_outq(struct sock *sk)
{
	struct socket *sock = &sim_tcp(sk)->socket;
	int val = 0;

	BUG_ON(!sim_tcp(sk)->fd_open);
	BUG_ON(sock->ops->ioctl(sock, SIOCOUTQ, (unsigned long)&val));
	return val;
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
	/* it follows what the peer's write queue holds (a shut window):
	 * that goes on the wire first, where it waits for the window */
	tcp_write_queue_flush(&peer->inet_conn.icsk_inet.sk);
	/* the peer's TCP sent it: its sequence space moves (not charged:
	 * the driver's skb is not the peer's write queue) */
	WRITE_ONCE(peer->write_seq, peer->write_seq + skb->len);
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
