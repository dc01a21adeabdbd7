/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: socket buffers. Stands for include/linux/skbuff.h and the parts of
 * net/core/skbuff.c the real files call.
 *
 * An skb has a kmalloc'd (slab) linear head that ends with its
 * skb_shared_info, as in the kernel, and up to MAX_SKB_FRAGS page frags.
 * skb structs are counted as SIM_SKB, heads as slab objects, frags hold
 * page references.
 */
#ifndef _LINUX_SKBUFF_H
#define _LINUX_SKBUFF_H

#include <sim/compiler.h>
#include <sim/atomic.h>
#include <sim/lock.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/scatterlist.h>
#include <linux/uio.h>
#include <linux/highmem.h>

#define MAX_SKB_FRAGS		17
#define SKB_DATA_ALIGN(x)	ALIGN((x), 64)
#define SKB_TRUESIZE(x)		((x) + SKB_DATA_ALIGN(sizeof(struct sk_buff)) + \
				 SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
#define CHECKSUM_NONE		0
#define CHECKSUM_UNNECESSARY	1
#define CHECKSUM_PARTIAL	3

struct sock;
struct sk_buff;

typedef struct skb_frag {
	struct page *page;
	unsigned int len;
	unsigned int offset;
} skb_frag_t;

struct skb_shared_info {
	u8 nr_frags;
	u8 flags;
	struct sk_buff *frag_list;
	atomic_t dataref;
	skb_frag_t frags[MAX_SKB_FRAGS];
};

struct sk_buff {
	struct sk_buff *next;
	struct sk_buff *prev;
	struct sock *sk;
	char cb[48] __aligned(8);
	unsigned long _skb_refdst;
	unsigned long _sk_redir;
	void (*destructor)(struct sk_buff *skb);
	unsigned int len;
	unsigned int data_len;
	u8 cloned:1,
	   pfmemalloc:1,
	   head_frag:1,	/* head is page-frag memory (build_skb), not slab */
	   ip_summed:2;
	unsigned int tail;	/* offset of the tail from head */
	unsigned int end;	/* offset of the shared info from head */
	unsigned char *head;
	unsigned char *data;
	unsigned int truesize;
	refcount_t users;
};

struct sk_buff_head {
	struct sk_buff *next;
	struct sk_buff *prev;
	u32 qlen;
	spinlock_t lock;
};

static inline struct skb_shared_info *skb_shinfo(const struct sk_buff *skb)
{
	return (struct skb_shared_info *)(skb->head + skb->end);
}

static inline unsigned int skb_headlen(const struct sk_buff *skb)
{
	return skb->len - skb->data_len;
}

static inline bool skb_is_nonlinear(const struct sk_buff *skb)
{
	return skb->data_len;
}

static inline unsigned int skb_frag_size(const skb_frag_t *frag)
{
	return frag->len;
}

static inline unsigned int skb_frag_off(const skb_frag_t *frag)
{
	return frag->offset;
}

static inline struct page *skb_frag_page(const skb_frag_t *frag)
{
	return frag->page;
}

static inline unsigned char *skb_tail_pointer(const struct sk_buff *skb)
{
	return skb->head + skb->tail;
}

static inline unsigned char *skb_end_pointer(const struct sk_buff *skb)
{
	return skb->head + skb->end;
}

#define skb_walk_frags(skb, iter)	\
	for (iter = skb_shinfo(skb)->frag_list; iter; iter = iter->next)

static inline bool skb_pfmemalloc(const struct sk_buff *skb)
{
	return skb->pfmemalloc;
}

static inline void skb_dst_drop(struct sk_buff *skb)
{
	/* The sim never routes: no dst is ever attached. */
	skb->_skb_refdst = 0UL;
}

static inline struct sk_buff *skb_get(struct sk_buff *skb)
{
	refcount_inc(&skb->users);
	return skb;
}

static inline bool skb_unref(struct sk_buff *skb)
{
	if (!skb)
		return false;
	if (likely(refcount_read(&skb->users) == 1))
		return true;
	return refcount_dec_and_test(&skb->users);
}

/* sim: skb_frags_readable(): no devmem (unreadable frags) in the sim. */
static inline bool skb_frags_readable(const struct sk_buff *skb)
{
	(void)skb;
	return true;
}

/* sim: skb_is_gso(): the sim's TCP makes no GSO skbs. */
static inline bool skb_is_gso(const struct sk_buff *skb)
{
	(void)skb;
	return false;
}

/* sim-origin: include/linux/skbuff.h skb_shared */
static inline int skb_shared(const struct sk_buff *skb)
{
	return refcount_read(&skb->users) != 1;
}

/*
 * sim: shinfo->dataref counts the skbs sharing a head (and its frags and
 * frag_list); the sim keeps no nohdr half (SKB_DATAREF_SHIFT): no skb in
 * the sim is made header-only.
 */
#define SKB_DATAREF_MASK	0xffffffff

/* sim-origin: include/linux/skbuff.h skb_cloned */
static inline int skb_cloned(const struct sk_buff *skb)
{
	return skb->cloned &&
	       (atomic_read(&skb_shinfo(skb)->dataref) & SKB_DATAREF_MASK) != 1;
}

/* sim-origin: include/linux/skbuff.h skb_has_frag_list */
static inline bool skb_has_frag_list(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->frag_list != NULL;
}

/* include/linux/skbuff.h, NET_SKBUFF_DATA_USES_OFFSET (64-bit) */
static inline unsigned int skb_end_offset(const struct sk_buff *skb)
{
	return skb->end;
}

static inline void skb_set_end_offset(struct sk_buff *skb, unsigned int offset)
{
	skb->end = offset;
}

static inline unsigned int skb_headroom(const struct sk_buff *skb)
{
	return skb->data - skb->head;
}

static inline void skb_reset_tail_pointer(struct sk_buff *skb)
{
	skb->tail = skb->data - skb->head;
}

static inline void skb_set_tail_pointer(struct sk_buff *skb, const int offset)
{
	skb_reset_tail_pointer(skb);
	skb->tail += offset;
}

static inline void __skb_trim(struct sk_buff *skb, unsigned int len)
{
	if (WARN_ON(skb_is_nonlinear(skb)))
		return;
	skb->len = len;
	skb_set_tail_pointer(skb, len);
}

static inline void skb_frag_off_add(skb_frag_t *frag, int delta)
{
	frag->offset += delta;
}

static inline void skb_frag_size_sub(skb_frag_t *frag, int delta)
{
	frag->len -= delta;
}

static inline void skb_frag_size_set(skb_frag_t *frag, unsigned int size)
{
	frag->len = size;
}

/* skb_frag_ref() / skb_frag_unref(): a page reference per frag (no page
 * pool in the sim: __skb_frag_unref() is put_page()). */
static inline void skb_frag_ref(struct sk_buff *skb, int f)
{
	get_page(skb_frag_page(&skb_shinfo(skb)->frags[f]));
}

static inline void skb_frag_unref(struct sk_buff *skb, int f)
{
	put_page(skb_frag_page(&skb_shinfo(skb)->frags[f]));
}

#define SKB_WITH_OVERHEAD(X)	\
	((X) - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
#define SKB_HEAD_ALIGN(X) (SKB_DATA_ALIGN(X) + \
	SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))

struct sk_buff *skb_clone(struct sk_buff *skb, gfp_t gfp_mask);
struct sk_buff *alloc_skb_for_msg(struct sk_buff *first);
int pskb_expand_head(struct sk_buff *skb, int nhead, int ntail, gfp_t gfp_mask);
void *__pskb_pull_tail(struct sk_buff *skb, int delta);
int ___pskb_trim(struct sk_buff *skb, unsigned int len);
void skb_condense(struct sk_buff *skb);

/* sim-origin: include/linux/skbuff.h skb_unclone */
static inline int skb_unclone(struct sk_buff *skb, gfp_t pri)
{
	might_sleep_if(gfpflags_allow_blocking(pri));

	if (skb_cloned(skb))
		return pskb_expand_head(skb, 0, 0, pri);

	return 0;
}

/* include/linux/skbuff.h pskb_may_pull() and pskb_may_pull_reason() */
static inline bool pskb_may_pull(struct sk_buff *skb, unsigned int len)
{
	if (likely(len <= skb_headlen(skb)))
		return true;
	if (unlikely(len > skb->len))
		return false;
	return __pskb_pull_tail(skb, len - skb_headlen(skb)) != NULL;
}

/* sim-origin: include/linux/skbuff.h pskb_pull */
static inline void *pskb_pull(struct sk_buff *skb, unsigned int len)
{
	if (!pskb_may_pull(skb, len))
		return NULL;

	skb->len -= len;
	return skb->data += len;
}

/* sim-origin: include/linux/skbuff.h __pskb_trim */
static inline int __pskb_trim(struct sk_buff *skb, unsigned int len)
{
	if (skb->data_len)
		return ___pskb_trim(skb, len);
	__skb_trim(skb, len);
	return 0;
}

/* sim-origin: include/linux/skbuff.h pskb_trim */
static inline int pskb_trim(struct sk_buff *skb, unsigned int len)
{
	return (len < skb->len) ? __pskb_trim(skb, len) : 0;
}

/* sim-origin: include/linux/skbuff.h __skb_linearize */
static inline int __skb_linearize(struct sk_buff *skb)
{
	return __pskb_pull_tail(skb, skb->data_len) ? 0 : -ENOMEM;
}

/* sim-origin: include/linux/skbuff.h skb_linearize */
static inline int skb_linearize(struct sk_buff *skb)
{
	return skb_is_nonlinear(skb) ? __skb_linearize(skb) : 0;
}

struct sk_buff *sim_alloc_skb(unsigned int size, gfp_t gfp, struct sim_site site);
#define alloc_skb(size, gfp)	sim_alloc_skb((size), (gfp), SIM_SITE)
/* napi_alloc_skb()/build_skb() style: the head lives in a page fragment. */
struct sk_buff *sim_alloc_skb_head_frag(unsigned int size, struct sim_site site);
/* The truesize of a fresh alloc_skb(@size): its kmalloc'd head rounded
 * up as kmalloc_reserve() rounds it (sim/skbuff.c). */
unsigned int sim_skb_alloc_truesize(unsigned int size);
void *skb_put(struct sk_buff *skb, unsigned int len);
void skb_reserve(struct sk_buff *skb, int len);
void skb_fill_page_desc(struct sk_buff *skb, int i, struct page *page,
			int off, int size);
void skb_add_rx_frag(struct sk_buff *skb, int i, struct page *page, int off,
		     int size, unsigned int truesize);
void __kfree_skb(struct sk_buff *skb);
void kfree_skb(struct sk_buff *skb);
void consume_skb(struct sk_buff *skb);
void skb_orphan(struct sk_buff *skb);
int skb_to_sgvec(struct sk_buff *skb, struct scatterlist *sg, int offset, int len);
int skb_copy_bits(const struct sk_buff *skb, int offset, void *to, int len);
int skb_send_sock(struct sock *sk, struct sk_buff *skb, int offset, int len);
int skb_send_sock_locked(struct sock *sk, struct sk_buff *skb, int offset, int len);

static inline void skb_queue_head_init(struct sk_buff_head *list)
{
	spin_lock_init(&list->lock);
	list->prev = list->next = (struct sk_buff *)list;
	list->qlen = 0;
}

static inline bool skb_queue_empty(const struct sk_buff_head *list)
{
	return list->next == (const struct sk_buff *)list;
}

static inline bool skb_queue_empty_lockless(const struct sk_buff_head *list)
{
	return READ_ONCE(list->next) == (const struct sk_buff *)list;
}

static inline u32 skb_queue_len(const struct sk_buff_head *list)
{
	return list->qlen;
}

static inline struct sk_buff *skb_peek(const struct sk_buff_head *list)
{
	struct sk_buff *skb = list->next;

	if (skb == (struct sk_buff *)list)
		skb = NULL;
	return skb;
}

static inline struct sk_buff *skb_peek_tail(const struct sk_buff_head *list)
{
	struct sk_buff *skb = READ_ONCE(list->prev);

	if (skb == (struct sk_buff *)list)
		skb = NULL;
	return skb;
}

static inline struct sk_buff *skb_peek_next(struct sk_buff *skb,
					    const struct sk_buff_head *list)
{
	struct sk_buff *next = skb->next;

	if (next == (struct sk_buff *)list)
		next = NULL;
	return next;
}

static inline void __skb_insert(struct sk_buff *newsk, struct sk_buff *prev,
				struct sk_buff *next, struct sk_buff_head *list)
{
	WRITE_ONCE(newsk->next, next);
	WRITE_ONCE(newsk->prev, prev);
	WRITE_ONCE(next->prev, newsk);
	WRITE_ONCE(prev->next, newsk);
	WRITE_ONCE(list->qlen, list->qlen + 1);
}

static inline void __skb_queue_tail(struct sk_buff_head *list,
				    struct sk_buff *newsk)
{
	__skb_insert(newsk, list->prev, (struct sk_buff *)list, list);
}

static inline void __skb_queue_head(struct sk_buff_head *list,
				    struct sk_buff *newsk)
{
	__skb_insert(newsk, (struct sk_buff *)list, list->next, list);
}

static inline void __skb_queue_after(struct sk_buff_head *list,
				     struct sk_buff *prev,
				     struct sk_buff *newsk)
{
	__skb_insert(newsk, prev, ((struct sk_buff_head *)prev)->next, list);
}

static inline void __skb_queue_before(struct sk_buff_head *list,
				      struct sk_buff *next,
				      struct sk_buff *newsk)
{
	__skb_insert(newsk, ((struct sk_buff_head *)next)->prev, next, list);
}

static inline void __skb_unlink(struct sk_buff *skb, struct sk_buff_head *list)
{
	struct sk_buff *next, *prev;

	WRITE_ONCE(list->qlen, list->qlen - 1);
	next = skb->next;
	prev = skb->prev;
	skb->next = skb->prev = NULL;
	WRITE_ONCE(next->prev, prev);
	WRITE_ONCE(prev->next, next);
}

static inline struct sk_buff *__skb_dequeue(struct sk_buff_head *list)
{
	struct sk_buff *skb = skb_peek(list);

	if (skb)
		__skb_unlink(skb, list);
	return skb;
}

static inline void skb_queue_tail(struct sk_buff_head *list, struct sk_buff *newsk)
{
	unsigned long flags;

	spin_lock_irqsave(&list->lock, flags);
	__skb_queue_tail(list, newsk);
	spin_unlock_irqrestore(&list->lock, flags);
}

static inline struct sk_buff *skb_dequeue(struct sk_buff_head *list)
{
	unsigned long flags;
	struct sk_buff *skb;

	spin_lock_irqsave(&list->lock, flags);
	skb = __skb_dequeue(list);
	spin_unlock_irqrestore(&list->lock, flags);
	return skb;
}

static inline void skb_unlink(struct sk_buff *skb, struct sk_buff_head *list)
{
	unsigned long flags;

	spin_lock_irqsave(&list->lock, flags);
	__skb_unlink(skb, list);
	spin_unlock_irqrestore(&list->lock, flags);
}

static inline void skb_queue_purge(struct sk_buff_head *list)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(list)) != NULL)
		kfree_skb(skb);
}

#define skb_queue_walk(queue, skb)					\
	for (skb = (queue)->next; skb != (struct sk_buff *)(queue); skb = skb->next)
#define skb_queue_walk_safe(queue, skb, tmp)				\
	for (skb = (queue)->next, tmp = skb->next;			\
	     skb != (struct sk_buff *)(queue);				\
	     skb = tmp, tmp = skb->next)

#endif /* _LINUX_SKBUFF_H */
