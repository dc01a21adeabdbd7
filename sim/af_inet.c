// SPDX-License-Identifier: GPL-2.0
/*
 * sim: net/ipv4/af_inet.c: the socket layer's TCP entry points
 * (inet_stream_ops, inet6_stream_ops) calling through sk->sk_prot.
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

int inet_recv_error(struct sock *sk, struct msghdr *msg, int len, int *addr_len)
{
	(void)sk; (void)msg; (void)len; (void)addr_len;
	SIM_UNREACHABLE("inet_recv_error (MSG_ERRQUEUE)");
}

/* sim-origin: net/ipv4/af_inet.c inet_release */
int inet_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (sk) {
		long timeout;

		/* sim-edit: no cgroup BPF release programs and no multicast groups in the sim */
		/* If linger is set, we don't return until the close
		 * is complete.  Otherwise we return immediately. The
		 * actually closing is done the same either way.
		 *
		 * If the close is due to the process exiting, we never
		 * linger..
		 */
		timeout = 0;	/* sim-edit: no SO_LINGER (sk_lingertime) or exiting tasks in the sim: the close never lingers */
		sk->sk_prot->close(sk, timeout);
		sock->sk = NULL;
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

/* __inet_listen_sk() without TCP Fast Open: the backlog, then
 * inet_csk_listen_start() and the sockops TCP_LISTEN_CB. */
static int __inet_listen_sk(struct sock *sk, int backlog)
{
	unsigned char old_state = sk->sk_state;
	int err;

	if (!((1 << old_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		return -EINVAL;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	if (old_state != TCP_LISTEN) {
		err = inet_csk_listen_start(sk);
		if (err)
			return err;
		/* tcp_call_bpf(sk, BPF_SOCK_OPS_TCP_LISTEN_CB, 0, NULL) */
		sim_sockops_established(sk, BPF_SOCK_OPS_TCP_LISTEN_CB);
	}
	return 0;
}

/* sim-origin: net/ipv4/af_inet.c inet_listen */
int inet_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	int err = -EINVAL;

	lock_sock(sk);

	if (sock->state != SS_UNCONNECTED || sock->type != SOCK_STREAM)
		goto out;

	err = __inet_listen_sk(sk, backlog);

out:
	release_sock(sk);
	return err;
}

/* sim-origin: net/ipv4/af_inet.c __inet_accept */
static void __inet_accept(struct socket *sock, struct socket *newsock, struct sock *newsk)
{
	/* sim-edit: no RPS (sock_rps_record_flow) */
	WARN_ON(!((1 << newsk->sk_state) &
		  (TCPF_ESTABLISHED | TCPF_SYN_RECV |
		   TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 |
		   TCPF_CLOSING | TCPF_CLOSE_WAIT |
		   TCPF_CLOSE)));

	if (test_bit(SOCK_SUPPORT_ZC, &sock->flags))
		set_bit(SOCK_SUPPORT_ZC, &newsock->flags);
	sock_graft(newsk, newsock);

	newsock->state = SS_CONNECTED;
}

/* sim-origin: net/ipv4/af_inet.c inet_accept */
int inet_accept(struct socket *sock, struct socket *newsock,
		struct proto_accept_arg *arg)
{
	struct sock *sk1 = sock->sk, *sk2;

	/* IPV6_ADDRFORM can change sk->sk_prot under us. */
	arg->err = -EINVAL;
	sk2 = READ_ONCE(sk1->sk_prot)->accept(sk1, arg);
	if (!sk2)
		return arg->err;

	lock_sock(sk2);
	__inet_accept(sock, newsock, sk2);
	release_sock(sk2);
	return 0;
}

const struct proto_ops inet_stream_ops = {
	.family		= PF_INET,
	.release	= inet_release,
	.ioctl		= inet_ioctl,
	.shutdown	= inet_shutdown,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
	.read_sock	= tcp_read_sock,
	.read_skb	= tcp_read_skb,
	.peek_len	= tcp_peek_len,
	.sendmsg_locked	= tcp_sendmsg_locked,
	.splice_read	= inet_splice_read,
	.listen		= inet_listen,
	.accept		= inet_accept,
};

const struct proto_ops inet6_stream_ops = {
	.family		= PF_INET6,
	.release	= inet_release,
	.ioctl		= inet_ioctl,
	.shutdown	= inet_shutdown,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
	.read_sock	= tcp_read_sock,
	.read_skb	= tcp_read_skb,
	.peek_len	= tcp_peek_len,
	.sendmsg_locked	= tcp_sendmsg_locked,
	.splice_read	= inet_splice_read,
	.listen		= inet_listen,
	.accept		= inet_accept,
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
