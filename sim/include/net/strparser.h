/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/net/strparser.h. The stream parser
 * (net/strparser/strparser.c) is not modelled yet: its types exist so
 * struct sk_psock has the kernel's layout, and every entry point is
 * SIM_UNREACHABLE, so a test that attaches a stream parser fails loudly.
 */
#ifndef __NET_STRPARSER_H_
#define __NET_STRPARSER_H_

#include <linux/skbuff.h>
#include <net/sock.h>
#include <sim/workqueue.h>

struct strparser;

struct strp_stats {
	unsigned long long msgs;
	unsigned long long bytes;
};

struct strp_msg {
	int full_len;
	int offset;
};

struct strp_callbacks {
	int (*parse_msg)(struct strparser *strp, struct sk_buff *skb);
	void (*rcv_msg)(struct strparser *strp, struct sk_buff *skb);
	int (*read_sock_done)(struct strparser *strp, int err);
	void (*abort_parser)(struct strparser *strp, int err);
	void (*lock)(struct strparser *strp);
	void (*unlock)(struct strparser *strp);
	int (*read_sock)(struct strparser *strp, read_descriptor_t *desc,
			 sk_read_actor_t recv_actor);
};

struct _strp_msg {
	struct strp_msg strp;
	int accum_len;
};

struct sk_skb_cb {
#define SK_SKB_CB_PRIV_LEN 20
	unsigned char data[SK_SKB_CB_PRIV_LEN];
	u64 temp_reg;
	struct tls_msg_sim { u8 control; } tls;
	struct _strp_msg strp;
};

static inline struct strp_msg *_strp_msg(struct sk_buff *skb)
{
	return (struct strp_msg *)((void *)skb->cb +
		offsetof(struct sk_skb_cb, strp));
}

static inline struct strp_msg *strp_msg(struct sk_buff *skb)
{
	return (struct strp_msg *)((void *)skb->cb +
		offsetof(struct sk_skb_cb, strp));
}

struct strparser {
	struct sock *sk;
	u32 stopped : 1;
	u32 paused : 1;
	u32 aborted : 1;
	u32 interrupted : 1;
	u32 unrecov_intr : 1;
	struct sk_buff **skb_nextp;
	struct sk_buff *skb_head;
	unsigned int need_bytes;
	struct delayed_work msg_timer_work;
	struct work_struct work;
	struct strp_stats stats;
	struct strp_callbacks cb;
};

int strp_init(struct strparser *strp, struct sock *sk,
	      const struct strp_callbacks *cb);
void strp_data_ready(struct strparser *strp);
void strp_stop(struct strparser *strp);
void strp_done(struct strparser *strp);

#endif /* __NET_STRPARSER_H_ */
