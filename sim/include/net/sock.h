/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: sockets. Stands for include/net/sock.h, include/linux/net.h,
 * include/linux/socket.h and include/uapi/linux/sockios.h, with bodies in
 * sim/sock.c standing for net/core/sock.c and net/core/stream.c.
 *
 * Memory accounting follows the kernel: sk_forward_alloc is a per-socket
 * reserve in bytes, raised in whole pages by __sk_mem_schedule() against
 * the protocol's memory_allocated, and given back by sk_mem_reclaim() when
 * a page or more is unused. sk_rmem_alloc counts the truesize of skbs
 * owned for reading (skb_set_owner_r) and bytes tcp_bpf queues to
 * ingress_msg.
 */
#ifndef _SOCK_H
#define _SOCK_H

#include <sim/compiler.h>
#include <sim/bug.h>
#include <sim/atomic.h>
#include <sim/list.h>
#include <sim/lock.h>
#include <sim/rcu.h>
#include <sim/sched.h>
#include <sim/watch.h>
#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>	/* the kernel's sock.h gets it through linux/netdevice.h */

/* include/linux/socket.h */
#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10
#define PF_INET		AF_INET
#define PF_INET6	AF_INET6
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17
#define SOL_SOCKET	1
#define SOL_TCP		6

#define MSG_OOB		1
#define MSG_PEEK	2
#define MSG_TRUNC	0x20
#define MSG_DONTWAIT	0x40
#define MSG_EOR		0x80
#define MSG_WAITALL	0x100
#define MSG_ERRQUEUE	0x2000
#define MSG_NOSIGNAL	0x4000
#define MSG_MORE	0x8000
#define MSG_SENDPAGE_NOPOLICY	0x10000
#define MSG_NO_SHARED_FRAGS	0x80000
#define MSG_SENDPAGE_DECRYPTED	0x100000
#define MSG_ZEROCOPY	0x4000000
#define MSG_SPLICE_PAGES	0x8000000
#define MSG_CMSG_COMPAT	0

struct msghdr {
	void *msg_name;
	int msg_namelen;
	int msg_inq;
	struct iov_iter msg_iter;
	void *msg_control;
	unsigned int msg_flags;
	size_t msg_controllen;
	void *msg_iocb;
	void *msg_ubuf;
};

static inline size_t msg_data_left(struct msghdr *msg)
{
	return iov_iter_count(&msg->msg_iter);
}

/* include/uapi/linux/sockios.h, asm/ioctls.h */
#define SIOCINQ		0x541B	/* FIONREAD */
#define SIOCOUTQ	0x5411	/* TIOCOUTQ */

/* include/linux/net.h */
#define SOCKWQ_ASYNC_NOSPACE	0
#define SOCKWQ_ASYNC_WAITDATA	1
#define SOCK_NOSPACE		2
#define SOCK_SUPPORT_ZC		5

typedef enum {
	SS_FREE = 0,
	SS_UNCONNECTED,
	SS_CONNECTING,
	SS_CONNECTED,
	SS_DISCONNECTING
} socket_state;

struct sock;
struct socket;
struct pipe_inode_info;

/* include/linux/net.h: accept()'s flags in, error out */
struct proto_accept_arg {
	int flags;
	int err;
	int is_empty;
	bool kern;
};
struct proto;
struct sk_psock;

typedef struct {
	size_t written;
	size_t count;
	union {
		char __user *buf;
		void *data;
	} arg;
	int error;
} read_descriptor_t;

typedef int (*sk_read_actor_t)(read_descriptor_t *, struct sk_buff *,
			       unsigned int, size_t);
typedef int (*skb_read_actor_t)(struct sock *, struct sk_buff *);

struct socket_wq {
	wait_queue_head_t wait;
	unsigned long flags;
};

struct proto_ops {
	int family;
	int (*release)(struct socket *sock);
	int (*ioctl)(struct socket *sock, unsigned int cmd, unsigned long arg);
	int (*shutdown)(struct socket *sock, int flags);
	int (*sendmsg)(struct socket *sock, struct msghdr *m, size_t total_len);
	int (*recvmsg)(struct socket *sock, struct msghdr *m, size_t total_len,
		       int flags);
	ssize_t (*splice_read)(struct socket *sock, loff_t *ppos,
			       struct pipe_inode_info *pipe, size_t len,
			       unsigned int flags);
	int (*read_sock)(struct sock *sk, read_descriptor_t *desc,
			 sk_read_actor_t recv_actor);
	int (*read_skb)(struct sock *sk, skb_read_actor_t recv_actor);
	int (*peek_len)(struct socket *sock);
	int (*sendmsg_locked)(struct sock *sk, struct msghdr *msg, size_t size);
	unsigned int (*poll)(struct socket *sock);
	int (*listen)(struct socket *sock, int len);
	int (*accept)(struct socket *sock, struct socket *newsock,
		      struct proto_accept_arg *arg);
};

/* include/linux/fs.h: the part of struct file a socket's code reads, and
 * what fd lookups check (sim/bpf.c: socket, map and prog files). */
struct file_operations {
	const char *sim_name;	/* "socket", "bpf-map", "bpf-prog" */
};

struct file {
	unsigned int f_flags;
	const struct file_operations *f_op;
	void *private_data;
};

/* net/socket.c's socket_file_ops (static there): marks a socket's file. */
extern const struct file_operations socket_file_ops;

#ifndef O_NONBLOCK
#define O_NONBLOCK	04000
#endif

struct socket {
	socket_state state;
	short type;
	unsigned long flags;
	struct file *file;
	struct sock *sk;
	const struct proto_ops *ops;
	struct socket_wq wq;
};

/* struct proto: the fields the real files and the sim's TCP use. */
struct proto {
	void (*close)(struct sock *sk, long timeout);
	int (*disconnect)(struct sock *sk, int flags);
	struct sock *(*accept)(struct sock *sk, struct proto_accept_arg *arg);
	int (*ioctl)(struct sock *sk, int cmd, int *karg);
	void (*shutdown)(struct sock *sk, int how);
	void (*destroy)(struct sock *sk);
	int (*sendmsg)(struct sock *sk, struct msghdr *msg, size_t len);
	int (*recvmsg)(struct sock *sk, struct msghdr *msg, size_t len,
		       int flags, int *addr_len);
	/* added by the series (patch 1); unused by unpatched kernel files */
	ssize_t (*splice_read)(struct socket *sock, loff_t *ppos,
			       struct pipe_inode_info *pipe, size_t len,
			       unsigned int flags);
	int (*backlog_rcv)(struct sock *sk, struct sk_buff *skb);
	bool (*sock_is_readable)(struct sock *sk);
	void (*unhash)(struct sock *sk);
	int (*psock_update_sk_prot)(struct sock *sk, struct sk_psock *psock,
				    bool restore);
	atomic_long_t *memory_allocated;
	long *sysctl_mem;
	int *sysctl_wmem;
	int *sysctl_rmem;
	unsigned int obj_size;
	char name[32];
};

typedef struct {
	spinlock_t slock;
	int owned;
	wait_queue_head_t wq;
} socket_lock_t;

struct sock {
	/* struct sock_common */
	unsigned short sk_family;
	volatile unsigned char sk_state;
	refcount_t sk_refcnt;
	struct proto *sk_prot;
	atomic64_t sk_cookie;
	/* struct sock */
	socket_lock_t sk_lock;
	atomic_t sk_drops;
	int sk_rcvlowat;
	struct sk_buff_head sk_error_queue;
	struct sk_buff_head sk_receive_queue;
	struct {
		atomic_t rmem_alloc;
		int len;
		struct sk_buff *head;
		struct sk_buff *tail;
	} sk_backlog;
#define sk_rmem_alloc sk_backlog.rmem_alloc
	int sk_forward_alloc;
	u32 sk_reserved_mem;
	int sk_rcvbuf;
	int sk_disconnects;
	unsigned long sk_flags;
	struct socket_wq *sk_wq;
	int sk_sndbuf;
	u8 sk_userlocks;
	int sk_wmem_queued;
	refcount_t sk_wmem_alloc;
	u32 sk_ack_backlog;
	u32 sk_max_ack_backlog;
	unsigned short sk_write_pending;	/* senders asleep for memory */
	struct sk_buff_head sk_write_queue;
	u64 sk_route_caps;
	gfp_t sk_allocation;
	bool sk_use_task_frag;
	u8 sk_shutdown;
	u16 sk_type;
	u16 sk_protocol;
	long sk_rcvtimeo;
	long sk_sndtimeo;
	struct page_frag sk_frag;
	int sk_err;
	int sk_err_soft;
	struct proto *sk_prot_creator;
	rwlock_t sk_callback_lock;
	struct socket *sk_socket;
	void *sk_user_data;
	void (*sk_state_change)(struct sock *sk);
	void (*sk_data_ready)(struct sock *sk);
	void (*sk_write_space)(struct sock *sk);
	void (*sk_error_report)(struct sock *sk);
	int (*sk_backlog_rcv)(struct sock *sk, struct sk_buff *skb);
	void (*sk_destruct)(struct sock *sk);
	/* sim: test fields */
	const char *sim_name;		/* "A", "B", ... in reports */
	unsigned long sim_data_ready;	/* sk_data_ready calls on this sock */
	unsigned long sim_error_reports;
};

enum sock_flags {
	SOCK_DEAD,
	SOCK_DONE,
	SOCK_URGINLINE,
	SOCK_KEEPOPEN,
	SOCK_LINGER,
	SOCK_DESTROY,
	SOCK_BROADCAST,
	SOCK_TIMESTAMP,
	SOCK_ZAPPED,
	SOCK_USE_WRITE_QUEUE,
	SOCK_DBG,
	SOCK_RCVTSTAMP,
	SOCK_RCVTSTAMPNS,
	SOCK_LOCALROUTE,
	SOCK_MEMALLOC,
	SOCK_TIMESTAMPING_RX_SOFTWARE,
	SOCK_FASYNC,
	SOCK_RXQ_OVFL,
	SOCK_ZEROCOPY,
	SOCK_WIFI_STATUS,
	SOCK_NOFCS,
	SOCK_FILTER_LOCKED,
	SOCK_SELECT_ERR_QUEUE,
	SOCK_RCU_FREE,
	SOCK_TXTIME,
	SOCK_XDP,
	SOCK_TSTAMP_NEW,
	SOCK_RCVMARK,
};

/* sk_userlocks: set by SO_SNDBUF / SO_RCVBUF, no autotuning after */
#define SOCK_SNDBUF_LOCK	1
#define SOCK_RCVBUF_LOCK	2
/* include/net/sock.h: the least SO_SNDBUF / SO_RCVBUF give */
#define TCP_SKB_MIN_TRUESIZE	(2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)))
#define SOCK_MIN_SNDBUF		(TCP_SKB_MIN_TRUESIZE * 2)
#define SOCK_MIN_RCVBUF		TCP_SKB_MIN_TRUESIZE

#define RCV_SHUTDOWN	1
#define SEND_SHUTDOWN	2
#define SHUTDOWN_MASK	3

#define SK_MEM_SEND	0
#define SK_MEM_RECV	1

#define NETIF_F_NOCACHE_COPY	(1ULL << 30)

static inline bool sock_flag(const struct sock *sk, enum sock_flags flag)
{
	return test_bit(flag, &sk->sk_flags);
}

static inline void sock_set_flag(struct sock *sk, enum sock_flags flag)
{
	__set_bit(flag, &sk->sk_flags);
}

static inline void sock_reset_flag(struct sock *sk, enum sock_flags flag)
{
	__clear_bit(flag, &sk->sk_flags);
}

/* sk_user_data with flag bits in the low pointer bits */
#define SK_USER_DATA_NOCOPY	1UL
#define SK_USER_DATA_BPF	2UL
#define SK_USER_DATA_PSOCK	4UL
#define SK_USER_DATA_PTRMASK	~(SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF | \
				  SK_USER_DATA_PSOCK)
#define __sk_user_data(sk) ((*((void __rcu **)&(sk)->sk_user_data)))

static inline void *
__rcu_dereference_sk_user_data_with_flags(const struct sock *sk, uintptr_t flags)
{
	uintptr_t sk_user_data = (uintptr_t)rcu_dereference(__sk_user_data(sk));

	WARN_ON_ONCE(flags & SK_USER_DATA_PTRMASK);
	if ((sk_user_data & flags) == flags)
		return (void *)(sk_user_data & SK_USER_DATA_PTRMASK);
	return NULL;
}

#define __rcu_assign_sk_user_data_with_flags(sk, ptr, flags)		\
	({								\
		uintptr_t __tmp1 = (uintptr_t)(ptr),			\
			  __tmp2 = (uintptr_t)(flags);			\
		WARN_ON_ONCE(__tmp1 & ~SK_USER_DATA_PTRMASK);		\
		WARN_ON_ONCE(__tmp2 & SK_USER_DATA_PTRMASK);		\
		rcu_assign_pointer(__sk_user_data((sk)), __tmp1 | __tmp2); \
	})
#define rcu_assign_sk_user_data(sk, ptr)				\
	__rcu_assign_sk_user_data_with_flags(sk, ptr, 0)

static inline bool sk_is_inet(const struct sock *sk)
{
	int family = READ_ONCE(sk->sk_family);

	return family == AF_INET || family == AF_INET6;
}

static inline bool sk_is_tcp(const struct sock *sk)
{
	return sk_is_inet(sk) && sk->sk_type == SOCK_STREAM &&
	       sk->sk_protocol == IPPROTO_TCP;
}

static inline wait_queue_head_t *sk_sleep(struct sock *sk)
{
	return &sk->sk_wq->wait;
}

/* include/net/sock.h: a sock joins (accept) or leaves (close) its
 * struct socket; sim/sock.c */
void sk_set_socket(struct sock *sk, struct socket *sock);
void sock_graft(struct sock *sk, struct socket *parent);
void sock_orphan(struct sock *sk);

static inline void sk_set_bit(int nr, struct sock *sk)
{
	set_bit(nr, &sk->sk_wq->flags);
}

static inline void sk_clear_bit(int nr, struct sock *sk)
{
	clear_bit(nr, &sk->sk_wq->flags);
}

static inline void sock_hold(struct sock *sk)
{
	refcount_inc(&sk->sk_refcnt);
}

void sk_free(struct sock *sk);

static inline void sock_put(struct sock *sk)
{
	if (refcount_dec_and_test(&sk->sk_refcnt))
		sk_free(sk);
}

static inline void __sock_put(struct sock *sk)
{
	refcount_dec(&sk->sk_refcnt);
}

/* Locking: lock_sock() owns the socket; softirq input meanwhile goes to
 * the backlog, processed by release_sock(). */
void lock_sock(struct sock *sk);
void release_sock(struct sock *sk);
bool lock_sock_fast(struct sock *sk);
static inline bool sock_owned_by_user_nocheck(const struct sock *sk)
{
	return sk->sk_lock.owned;
}

static inline bool sock_owned_by_user(const struct sock *sk)
{
	return sk->sk_lock.owned;
}

static inline void unlock_sock_fast(struct sock *sk, bool slow)
{
	if (slow)
		release_sock(sk);
	else
		spin_unlock_bh(&sk->sk_lock.slock);
}

static inline void bh_lock_sock(struct sock *sk)
{
	spin_lock(&sk->sk_lock.slock);
}

static inline void bh_unlock_sock(struct sock *sk)
{
	spin_unlock(&sk->sk_lock.slock);
}

#define sk_wait_event(__sk, __timeo, __condition, __wait)		\
	({	int __rc, __dis = (__sk)->sk_disconnects;		\
		release_sock(__sk);					\
		__rc = __condition;					\
		if (!__rc) {						\
			*(__timeo) = wait_woken(__wait,			\
						TASK_INTERRUPTIBLE,	\
						*(__timeo));		\
		}							\
		sched_annotate_sleep();					\
		lock_sock(__sk);					\
		__rc = __dis == (__sk)->sk_disconnects ? __condition : -EPIPE; \
		__rc;							\
	})

static inline long sock_rcvtimeo(const struct sock *sk, bool noblock)
{
	return noblock ? 0 : READ_ONCE(sk->sk_rcvtimeo);
}

static inline long sock_sndtimeo(const struct sock *sk, bool noblock)
{
	return noblock ? 0 : READ_ONCE(sk->sk_sndtimeo);
}

static inline int sock_intr_errno(long timeo)
{
	return timeo == MAX_SCHEDULE_TIMEOUT ? -ERESTARTSYS : -EINTR;
}

static inline int sock_error(struct sock *sk)
{
	int err;

	if (likely(!READ_ONCE(sk->sk_err)))
		return 0;
	err = xchg(&sk->sk_err, 0);
	return -err;
}

void sk_error_report(struct sock *sk);

static inline void sk_drops_add(struct sock *sk, const struct sk_buff *skb)
{
	(void)skb;
	atomic_add(1, &sk->sk_drops);
}

/* Memory accounting */
int __sk_mem_schedule(struct sock *sk, int size, int kind);
void __sk_mem_reclaim(struct sock *sk, int amount);

static inline bool sk_has_account(struct sock *sk)
{
	return !!sk->sk_prot->memory_allocated;
}

static inline void sk_forward_alloc_add(struct sock *sk, int val)
{
	WRITE_ONCE(sk->sk_forward_alloc, sk->sk_forward_alloc + val);
}

static inline int sk_mem_pages(int amt)
{
	return (amt + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* include/net/sock.h sk_memory_allocated_add(), without the per-cpu
 * reserve: every page goes to memory_allocated at once, as
 * __sk_mem_reclaim() takes them back. */
static inline void sk_memory_allocated_add(struct sock *sk, int val)
{
	atomic_long_add(val, sk->sk_prot->memory_allocated);
}

/* include/net/sock.h sk_memory_allocated_sub(), as _add() above. */
static inline void sk_memory_allocated_sub(struct sock *sk, int val)
{
	atomic_long_sub(val, sk->sk_prot->memory_allocated);
}

/* include/net/sock.h: the protocol's pages in use, and its limits. */
static inline long sk_memory_allocated(const struct sock *sk)
{
	return atomic_long_read(sk->sk_prot->memory_allocated);
}

static inline long sk_prot_mem_limits(const struct sock *sk, int index)
{
	return READ_ONCE(sk->sk_prot->sysctl_mem[index]);
}

static inline bool sk_wmem_schedule(struct sock *sk, int size)
{
	int delta;

	if (!sk_has_account(sk))
		return true;
	delta = size - sk->sk_forward_alloc;
	return delta <= 0 || __sk_mem_schedule(sk, delta, SK_MEM_SEND);
}

static inline bool __sk_rmem_schedule(struct sock *sk, int size, bool pfmemalloc)
{
	int delta;

	if (!sk_has_account(sk))
		return true;
	delta = size - READ_ONCE(sk->sk_forward_alloc);
	return delta <= 0 || __sk_mem_schedule(sk, delta, SK_MEM_RECV) ||
	       pfmemalloc;
}

static inline bool sk_rmem_schedule(struct sock *sk, struct sk_buff *skb, int size)
{
	return __sk_rmem_schedule(sk, size, skb_pfmemalloc(skb));
}

static inline int sk_unused_reserved_mem(const struct sock *sk)
{
	int unused_mem;

	if (likely(!sk->sk_reserved_mem))
		return 0;
	unused_mem = sk->sk_reserved_mem - sk->sk_wmem_queued -
		     atomic_read(&sk->sk_rmem_alloc);
	return unused_mem > 0 ? unused_mem : 0;
}

static inline void sk_mem_reclaim(struct sock *sk)
{
	int reclaimable;

	if (!sk_has_account(sk))
		return;
	reclaimable = sk->sk_forward_alloc - sk_unused_reserved_mem(sk);
	if (reclaimable >= (int)PAGE_SIZE)
		__sk_mem_reclaim(sk, reclaimable);
}

static inline void sk_mem_reclaim_final(struct sock *sk)
{
	sk->sk_reserved_mem = 0;
	sk_mem_reclaim(sk);
}

static inline void sk_mem_charge(struct sock *sk, int size)
{
	if (!sk_has_account(sk))
		return;
	sk_forward_alloc_add(sk, -size);
}

static inline void sk_mem_uncharge(struct sock *sk, int size)
{
	if (!sk_has_account(sk))
		return;
	sk_forward_alloc_add(sk, size);
	sk_mem_reclaim(sk);
}

void sock_rfree(struct sk_buff *skb);
void sock_efree(struct sk_buff *skb);

static inline void skb_set_owner_r(struct sk_buff *skb, struct sock *sk)
{
	skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = sock_rfree;
	atomic_add(skb->truesize, &sk->sk_rmem_alloc);
	sk_mem_charge(sk, skb->truesize);
}

/*
 * sim: the accounting calls kernel code makes record their call site for
 * the lock-set reports on sk_forward_alloc (<sim/watch.h>), the way the
 * allocator shims record theirs for the ledger. Same functions, same
 * arguments; the macros only bracket the call.
 */
#define SIM_ACCT_CALL(what, call)					\
	({								\
		struct sim_acct_site __sim_saved = sim_acct_site;	\
		sim_acct_site = (struct sim_acct_site){ __FILE__, __func__, what, __LINE__ }; \
		__typeof__(call) __sim_r = (call);			\
		sim_acct_site = __sim_saved;				\
		__sim_r;						\
	})
#define SIM_ACCT_CALL_VOID(what, call)					\
	do {								\
		struct sim_acct_site __sim_saved = sim_acct_site;	\
		sim_acct_site = (struct sim_acct_site){ __FILE__, __func__, what, __LINE__ }; \
		call;							\
		sim_acct_site = __sim_saved;				\
	} while (0)
#define sk_mem_charge(sk, size)						\
	SIM_ACCT_CALL_VOID("sk_mem_charge", sk_mem_charge(sk, size))
#define sk_mem_uncharge(sk, size)					\
	SIM_ACCT_CALL_VOID("sk_mem_uncharge", sk_mem_uncharge(sk, size))
#define skb_set_owner_r(skb, sk)					\
	SIM_ACCT_CALL_VOID("skb_set_owner_r", skb_set_owner_r(skb, sk))
#define sk_rmem_schedule(sk, skb, size)					\
	SIM_ACCT_CALL("sk_rmem_schedule", sk_rmem_schedule(sk, skb, size))
#define __sk_rmem_schedule(sk, size, pfmemalloc)			\
	SIM_ACCT_CALL("__sk_rmem_schedule", __sk_rmem_schedule(sk, size, pfmemalloc))

static inline __must_check bool skb_set_owner_sk_safe(struct sk_buff *skb,
						      struct sock *sk)
{
	if (sk && refcount_inc_not_zero(&sk->sk_refcnt)) {
		skb_orphan(skb);
		skb->destructor = sock_efree;
		skb->sk = sk;
		return true;
	}
	return false;
}

static inline void sock_replace_proto(struct sock *sk, struct proto *proto)
{
	if (sk->sk_socket)
		clear_bit(SOCK_SUPPORT_ZC, &sk->sk_socket->flags);
	WRITE_ONCE(sk->sk_prot, proto);
}

static inline int sk_stream_min_wspace(const struct sock *sk)
{
	return READ_ONCE(sk->sk_wmem_queued) >> 1;
}

static inline int sk_stream_wspace(const struct sock *sk)
{
	return READ_ONCE(sk->sk_sndbuf) - READ_ONCE(sk->sk_wmem_queued);
}

static inline bool __sk_stream_memory_free(const struct sock *sk, int wake)
{
	(void)wake;
	return READ_ONCE(sk->sk_wmem_queued) < READ_ONCE(sk->sk_sndbuf);
}

static inline bool sk_stream_memory_free(const struct sock *sk)
{
	return __sk_stream_memory_free(sk, 0);
}

static inline bool sock_writeable(const struct sock *sk)
{
	return refcount_read(&sk->sk_wmem_alloc) < (READ_ONCE(sk->sk_sndbuf) >> 1);
}

int sk_stream_wait_memory(struct sock *sk, long *timeo_p);
bool __sk_flush_backlog(struct sock *sk);
bool sim_sk_ack_backlogged(const struct sock *sk);	/* an ack waits for the owner */
static inline bool sk_flush_backlog(struct sock *sk)
{
	return unlikely(READ_ONCE(sk->sk_backlog.tail) || sim_sk_ack_backlogged(sk)) &&
	       __sk_flush_backlog(sk);
}
int sk_stream_error(struct sock *sk, int flags, int err);

struct page_frag *sk_page_frag(struct sock *sk);
bool sk_page_frag_refill(struct sock *sk, struct page_frag *pfrag);

/* Default callbacks (net/core/sock.c) */
void sock_def_readable(struct sock *sk);
void sk_stream_write_space(struct sock *sk);

int sock_sendmsg(struct socket *sock, struct msghdr *msg);
int sock_recvmsg(struct socket *sock, struct msghdr *msg, int flags);

#endif /* _SOCK_H */
