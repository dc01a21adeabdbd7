// SPDX-License-Identifier: GPL-2.0
/*
 * sim: socket buffers (stands for net/core/skbuff.c: alloc_skb,
 * kfree_skb/consume_skb, skb_to_sgvec, skb_copy_bits, skb_clone,
 * pskb_expand_head, __pskb_pull_tail (skb_linearize), ___pskb_trim).
 */
#include <stdlib.h>
#include <sim/ledger.h>
#include <sim/bug.h>
#include <linux/skbuff.h>
#include <net/sock.h>

/* __build_skb_around(): an skb over a head of @size data bytes at @data,
 * followed by its skb_shared_info. */
static struct sk_buff *build_skb_around(unsigned char *data, unsigned int size,
					bool head_frag, struct sim_site site)
{
	struct skb_shared_info *shinfo;
	struct sk_buff *skb = calloc(1, sizeof(*skb));

	if (!skb)
		abort();
	sim_ledger_add(SIM_SKB, skb, sizeof(*skb), site);
	skb->truesize = SKB_TRUESIZE(size);
	refcount_set(&skb->users, 1);
	skb->head = skb->data = data;
	skb->head_frag = head_frag;
	skb->tail = 0;
	skb->end = size;
	shinfo = skb_shinfo(skb);
	memset(shinfo, 0, sizeof(*shinfo));
	atomic_set(&shinfo->dataref, 1);
	return skb;
}

/* kmalloc_size_roundup() of SLUB: the kmalloc size classes up to
 * KMALLOC_MAX_CACHE_SIZE (two pages), whole page orders above. */
static size_t kmalloc_size_roundup(size_t size)
{
	static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512,
					  1024, 2048, 4096, 8192 };
	size_t n = PAGE_SIZE;

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (size <= classes[i])
			return classes[i];
	while (n < size)
		n <<= 1;
	return n;
}

/* kmalloc_reserve(): the head and its shared info in one allocation of
 * SKB_HEAD_ALIGN(size) bytes, from skb_small_head_cache when it fits
 * (SKB_SMALL_HEAD_CACHE_SIZE: SKB_HEAD_ALIGN(MAX_TCP_HEADER) = 640 with
 * Debian's 6.12 x86-64 config, MAX_HEADER 176), else rounded up to its
 * kmalloc size class; __alloc_skb() gives the skb all of it (the shared
 * info at the very end: SKB_WITH_OVERHEAD()), and truesize counts it.
 * Returns the allocation's size. */
#define SIM_SKB_SMALL_HEAD_CACHE_SIZE	640

static unsigned int kmalloc_reserve_size(unsigned int size)
{
	size_t obj = SKB_HEAD_ALIGN(size);

	if (obj <= SIM_SKB_SMALL_HEAD_CACHE_SIZE)
		return SIM_SKB_SMALL_HEAD_CACHE_SIZE;
	return kmalloc_size_roundup(obj);
}

struct sk_buff *sim_alloc_skb(unsigned int size, gfp_t gfp, struct sim_site site)
{
	unsigned char *data;

	/* should_failslab(): __GFP_NOFAIL allocations are never failed */
	if (!(gfp & __GFP_NOFAIL) && sim_should_fail(SIM_SKB))
		return NULL;
	size = kmalloc_reserve_size(size);
	data = sim_kmalloc(size, gfp, site);
	if (!data)
		return NULL;
	return build_skb_around(data, SKB_WITH_OVERHEAD(size), false, site);
}

unsigned int sim_skb_alloc_truesize(unsigned int size)
{
	return SKB_TRUESIZE(SKB_WITH_OVERHEAD(kmalloc_reserve_size(size)));
}

struct sk_buff *sim_alloc_skb_head_frag(unsigned int size, struct sim_site site)
{
	unsigned int order = 0;
	struct page *page;

	if (sim_should_fail(SIM_SKB))
		return NULL;
	size = SKB_DATA_ALIGN(size);
	while ((PAGE_SIZE << order) < size + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
		order++;
	page = sim_alloc_pages(GFP_ATOMIC | __GFP_COMP, order, site);
	if (!page)
		return NULL;
	return build_skb_around(page_address(page), size, true, site);
}

/* skb_free_head() */
static void skb_free_head(struct sk_buff *skb)
{
	if (skb->head_frag)
		sim_put_page(virt_to_head_page(skb->head), SIM_SITE);
	else
		sim_kfree(skb->head, SIM_SITE);
}

/* sim-origin: net/core/skbuff.c skb_put */
void *skb_put(struct sk_buff *skb, unsigned int len)
{
	void *tmp = skb_tail_pointer(skb);

	BUG_ON(skb_is_nonlinear(skb));	/* sim-edit: SKB_LINEAR_ASSERT() is a BUG_ON */
	skb->tail += len;
	skb->len += len;
	BUG_ON(skb->tail > skb->end);	/* sim-edit: skb_over_panic() is a BUG_ON */
	return tmp;
}

/* sim-origin: include/linux/skbuff.h skb_reserve */
void skb_reserve(struct sk_buff *skb, int len)
{
	skb->data += len;
	skb->tail += len;
}

void skb_fill_page_desc(struct sk_buff *skb, int i, struct page *page,
			int off, int size)
{
	skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

	BUG_ON(i >= MAX_SKB_FRAGS);
	frag->page = page;
	frag->offset = off;
	frag->len = size;
	skb_shinfo(skb)->nr_frags = i + 1;
}

/* sim-origin: include/linux/skbuff.h skb_add_rx_frag */
void skb_add_rx_frag(struct sk_buff *skb, int i, struct page *page, int off,
		     int size, unsigned int truesize)
{
	skb_fill_page_desc(skb, i, page, off, size);	/* sim-edit: skb_add_rx_frag_netmem() inlined: no netmem in the sim */
	skb->len += size;	/* sim-edit: skb_add_rx_frag_netmem() inlined */
	skb->data_len += size;	/* sim-edit: skb_add_rx_frag_netmem() inlined */
	skb->truesize += truesize;	/* sim-edit: skb_add_rx_frag_netmem() inlined */
}

/* sim-origin: include/linux/skbuff.h skb_orphan */
void skb_orphan(struct sk_buff *skb)
{
	if (skb->destructor) {
		skb->destructor(skb);
		skb->destructor = NULL;
		skb->sk = NULL;
	} else {
		BUG_ON(skb->sk);
	}
}

static void skb_release_data(struct sk_buff *skb)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	int i;

	if (skb->cloned && atomic_sub_return(1, &shinfo->dataref))
		return;
	for (i = 0; i < shinfo->nr_frags; i++)
		sim_put_page(skb_frag_page(&shinfo->frags[i]), SIM_SITE);
	while (shinfo->frag_list) {
		struct sk_buff *list = shinfo->frag_list;

		shinfo->frag_list = list->next;
		kfree_skb(list);
	}
	skb_free_head(skb);
}

void __kfree_skb(struct sk_buff *skb)
{
	if (skb->destructor)
		skb->destructor(skb);
	skb->destructor = NULL;
	skb->sk = NULL;
	skb_release_data(skb);
	sim_ledger_del(SIM_SKB, skb, SIM_SITE);
	free(skb);
}

void kfree_skb(struct sk_buff *skb)
{
	if (!skb)
		return;
	if (!sim_ledger_is_live(SIM_SKB, skb)) {
		sim_violation(SIM_SITE, "kfree_skb(%p): not a live skb (double free?)", skb);
		return;
	}
	if (!skb_unref(skb))
		return;
	__kfree_skb(skb);
}

/* sim-origin: include/linux/skbuff.h consume_skb */
void consume_skb(struct sk_buff *skb)
{
	kfree_skb(skb);	/* sim-edit: no "return" of a void call */
}

/* Copy without counting: the shared helper of skb_copy_bits and linearize. */
static int copy_bits(const struct sk_buff *skb, int offset, void *to, int len)
{
	int start = skb_headlen(skb);
	int i, copy;
	struct sk_buff *frag_iter;

	if (offset > (int)skb->len - len)
		return -EFAULT;
	if ((copy = start - offset) > 0) {
		if (copy > len)
			copy = len;
		memcpy(to, skb->data + offset, copy);
		if ((len -= copy) == 0)
			return 0;
		offset += copy;
		to = (char *)to + copy;
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *f = &skb_shinfo(skb)->frags[i];
		int end = start + skb_frag_size(f);

		if ((copy = end - offset) > 0) {
			if (copy > len)
				copy = len;
			memcpy(to, (char *)page_address(skb_frag_page(f)) +
			       skb_frag_off(f) + offset - start, copy);
			if ((len -= copy) == 0)
				return 0;
			offset += copy;
			to = (char *)to + copy;
		}
		start = end;
	}
	for (frag_iter = skb_shinfo(skb)->frag_list; frag_iter; frag_iter = frag_iter->next) {
		int end = start + frag_iter->len;

		if ((copy = end - offset) > 0) {
			if (copy > len)
				copy = len;
			if (copy_bits(frag_iter, offset - start, to, copy))
				return -EFAULT;
			if ((len -= copy) == 0)
				return 0;
			offset += copy;
			to = (char *)to + copy;
		}
		start = end;
	}
	return len ? -EFAULT : 0;
}

int skb_copy_bits(const struct sk_buff *skb, int offset, void *to, int len)
{
	int err = copy_bits(skb, offset, to, len);

	if (!err)
		sim_stats.bytes_copied += len;
	return err;
}

int sim_skb_peek_bytes(const struct sk_buff *skb, int offset, void *to, int len);
int sim_skb_peek_bytes(const struct sk_buff *skb, int offset, void *to, int len)
{
	return copy_bits(skb, offset, to, len);
}

/* sim-origin: net/core/skbuff.c __skb_to_sgvec */
static int __skb_to_sgvec(struct sk_buff *skb, struct scatterlist *sg, int offset,
			  int len, unsigned int recursion_level)
{
	int start = skb_headlen(skb);
	int i, copy = start - offset;
	struct sk_buff *frag_iter;
	int elt = 0;

	if (unlikely(recursion_level >= 24))
		return -EMSGSIZE;
	if (copy > 0) {
		if (copy > len)
			copy = len;
		sg_set_buf(sg, skb->data + offset, copy);
		elt++;
		if ((len -= copy) == 0)
			return elt;
		offset += copy;
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		int end;

		WARN_ON(start > offset + len);
		end = start + skb_frag_size(&skb_shinfo(skb)->frags[i]);
		if ((copy = end - offset) > 0) {
			skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

			/* the end marker bounds the array */
			if (unlikely(elt && sg_is_last(&sg[elt - 1])))
				return -EMSGSIZE;
			if (copy > len)
				copy = len;
			sg_set_page(&sg[elt], skb_frag_page(frag), copy,
				    skb_frag_off(frag) + offset - start);
			elt++;
			if (!(len -= copy))
				return elt;
			offset += copy;
		}
		start = end;
	}
	for (frag_iter = skb_shinfo(skb)->frag_list; frag_iter; frag_iter = frag_iter->next) {	/* sim-edit: skb_walk_frags() open-coded */
		int end, ret;

		WARN_ON(start > offset + len);
		end = start + frag_iter->len;
		if ((copy = end - offset) > 0) {
			if (unlikely(elt && sg_is_last(&sg[elt - 1])))
				return -EMSGSIZE;
			if (copy > len)
				copy = len;
			ret = __skb_to_sgvec(frag_iter, sg + elt, offset - start,
					     copy, recursion_level + 1);
			if (unlikely(ret < 0))
				return ret;
			elt += ret;
			if ((len -= copy) == 0)
				return elt;
			offset += copy;
		}
		start = end;
	}
	BUG_ON(len);
	return elt;
}

/* sim-origin: net/core/skbuff.c skb_to_sgvec */
int skb_to_sgvec(struct sk_buff *skb, struct scatterlist *sg, int offset, int len)
{
	int nsg = __skb_to_sgvec(skb, sg, offset, len, 0);

	if (nsg <= 0)
		return nsg;
	sg_mark_end(&sg[nsg - 1]);
	return nsg;
}

/* ---- clones, expanding and pulling heads, trimming ---------------------- */

/* __copy_skb_header(): what the sim's skb carries besides data and
 * lengths: the control block (TCP_SKB_CB, the strparser's strp_msg, the
 * verdict's flags) and _skb_refdst/_sk_redir (one union in the kernel,
 * which skb_dst_copy() copies). Not old->sk. */
static void copy_skb_header(struct sk_buff *new, const struct sk_buff *old)
{
	memcpy(new->cb, old->cb, sizeof(old->cb));
	new->_skb_refdst = old->_skb_refdst;
	new->_sk_redir = old->_sk_redir;
	new->ip_summed = old->ip_summed;
}

/*
 * skb_clone() and __skb_clone(): a new struct sk_buff (no fclones in the
 * sim: always the skbuff_head_cache case) sharing the head, its frags and
 * frag_list through shinfo->dataref; both skbs are then cloned. The clone
 * owns no socket and has no destructor; truesize is copied.
 */
struct sk_buff *skb_clone(struct sk_buff *skb, gfp_t gfp_mask)
{
	struct sk_buff *n;

	if (skb_pfmemalloc(skb))
		gfp_mask |= __GFP_MEMALLOC;
	if (!(gfp_mask & __GFP_NOFAIL) && sim_should_fail(SIM_SKB))
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		abort();
	sim_ledger_add(SIM_SKB, n, sizeof(*n), SIM_SITE);

	n->next = n->prev = NULL;
	n->sk = NULL;
	copy_skb_header(n, skb);
	n->len = skb->len;
	n->data_len = skb->data_len;
	n->cloned = 1;
	n->pfmemalloc = skb->pfmemalloc;
	n->destructor = NULL;
	n->tail = skb->tail;
	n->end = skb->end;
	n->head = skb->head;
	n->head_frag = skb->head_frag;
	n->data = skb->data;
	n->truesize = skb->truesize;
	refcount_set(&n->users, 1);

	atomic_inc(&(skb_shinfo(skb)->dataref));
	skb->cloned = 1;
	return n;
}

/* sim-origin: net/core/skbuff.c alloc_skb_for_msg */
struct sk_buff *alloc_skb_for_msg(struct sk_buff *first)
{
	struct sk_buff *n;

	n = alloc_skb(0, GFP_ATOMIC);
	if (!n)
		return NULL;

	n->len = first->len;
	n->data_len = first->len;
	n->truesize = first->truesize;

	skb_shinfo(n)->frag_list = first;

	copy_skb_header(n, first);	/* sim-edit: the sim's __copy_skb_header() */
	n->destructor = NULL;

	return n;
}

/* kmalloc_reserve(): a head of SKB_HEAD_ALIGN(*size) bytes from the slab
 * (the sim has no small-head cache and kmalloc does not round up: *size
 * is what was asked for, aligned). */
static void *kmalloc_reserve(unsigned int *size, gfp_t flags, int node,
			     bool *pfmemalloc)
{
	size_t obj_size = SKB_HEAD_ALIGN(*size);

	(void)node;
	*size = (unsigned int)obj_size;
	if (pfmemalloc)
		*pfmemalloc = false;
	return sim_kmalloc(obj_size, flags, SIM_SITE);
}

/* sim-origin: net/core/skbuff.c skb_clone_fraglist */
static void skb_clone_fraglist(struct sk_buff *skb)
{
	struct sk_buff *list;

	skb_walk_frags(skb, list)
		skb_get(list);
}

/* sim-origin: net/core/skbuff.c pskb_expand_head */
int pskb_expand_head(struct sk_buff *skb, int nhead, int ntail,
		     gfp_t gfp_mask)
{
	unsigned int osize = skb_end_offset(skb);
	unsigned int size = osize + nhead + ntail;
	long off;
	u8 *data;
	int i;

	BUG_ON(nhead < 0);

	BUG_ON(skb_shared(skb));

	/* sim-edit: no zerocopy (skb_zcopy_downgrade_managed) in the sim */
	if (skb_pfmemalloc(skb))
		gfp_mask |= __GFP_MEMALLOC;

	data = kmalloc_reserve(&size, gfp_mask, NUMA_NO_NODE, NULL);
	if (!data)
		goto nodata;
	size = SKB_WITH_OVERHEAD(size);

	/* Copy only real data... and, alas, header. This should be
	 * optimized for the cases when header is void.
	 */
	memcpy(data + nhead, skb->head, skb_tail_pointer(skb) - skb->head);
	sim_stats.bytes_copied += skb_tail_pointer(skb) - skb->head;	/* sim-edit: count the copy (shims count their own) */

	memcpy((struct skb_shared_info *)(data + size),
	       skb_shinfo(skb),
	       offsetof(struct skb_shared_info, frags[skb_shinfo(skb)->nr_frags]));

	/*
	 * if shinfo is shared we must drop the old head gracefully, but if it
	 * is not we can just drop the old head and let the existing refcount
	 * be since all we did is relocate the values
	 */
	if (skb_cloned(skb)) {
		/* sim-edit: no zerocopy frags to orphan (skb_orphan_frags), no uarg */
		for (i = 0; i < skb_shinfo(skb)->nr_frags; i++)
			skb_frag_ref(skb, i);

		if (skb_has_frag_list(skb))
			skb_clone_fraglist(skb);

		skb_release_data(skb);	/* sim-edit: no drop reasons */
	} else {
		skb_free_head(skb);
	}
	off = (data + nhead) - skb->head;

	skb->head     = data;
	skb->head_frag = 0;
	skb->data    += off;

	skb_set_end_offset(skb, size);
	off           = nhead;	/* sim-edit: NET_SKBUFF_DATA_USES_OFFSET (64-bit) */
	skb->tail	      += off;
	/* sim-edit: no mac/network/transport header offsets (skb_headers_offset_update) */
	skb->cloned   = 0;
	/* sim-edit: no hdr_len, no nohdr */
	atomic_set(&skb_shinfo(skb)->dataref, 1);

	/* sim-edit: no skb metadata (skb_metadata_clear) */
	/* It is not generally safe to change skb->truesize.
	 * For the moment, we really care of rx path, or
	 * when skb is orphaned (not attached to a socket).
	 */
	if (!skb->sk)	/* sim-edit: no sock_edemux (early demux) in the sim */
		skb->truesize += size - osize;

	return 0;

	/* sim-edit: no nofrags: nothing to orphan */
nodata:
	return -ENOMEM;
}

/* sim-origin: net/core/skbuff.c __pskb_pull_tail */
void *__pskb_pull_tail(struct sk_buff *skb, int delta)
{
	/* If skb has not enough free space at tail, get new one
	 * plus 128 bytes for future expansions. If we have enough
	 * room at tail, reallocate without expansion only if skb is cloned.
	 */
	int i, k, eat = (skb->tail + delta) - skb->end;

	if (!skb_frags_readable(skb))
		return NULL;

	if (eat > 0 || skb_cloned(skb)) {
		if (pskb_expand_head(skb, 0, eat > 0 ? eat + 128 : 0,
				     GFP_ATOMIC))
			return NULL;
	}

	BUG_ON(skb_copy_bits(skb, skb_headlen(skb),
			     skb_tail_pointer(skb), delta));

	/* Optimization: no fragments, no reasons to preestimate
	 * size of pulled pages. Superb.
	 */
	if (!skb_has_frag_list(skb))
		goto pull_pages;

	/* Estimate size of pulled pages. */
	eat = delta;
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		int size = skb_frag_size(&skb_shinfo(skb)->frags[i]);

		if (size >= eat)
			goto pull_pages;
		eat -= size;
	}

	/* If we need update frag list, we are in troubles.
	 * Certainly, it is possible to add an offset to skb data,
	 * but taking into account that pulling is expected to
	 * be very rare operation, it is worth to fight against
	 * further bloating skb head and crucify ourselves here instead.
	 * Pure masohism, indeed. 8)8)
	 */
	if (eat) {
		struct sk_buff *list = skb_shinfo(skb)->frag_list;
		struct sk_buff *clone = NULL;
		struct sk_buff *insp = NULL;

		do {
			if (list->len <= eat) {
				/* Eaten as whole. */
				eat -= list->len;
				list = list->next;
				insp = list;
			} else {
				/* Eaten partially. */
				/* sim-edit: no GSO in the sim (SKB_GSO_DODGY) */
				if (skb_shared(list)) {
					/* Sucks! We need to fork list. :-( */
					clone = skb_clone(list, GFP_ATOMIC);
					if (!clone)
						return NULL;
					insp = list->next;
					list = clone;
				} else {
					/* This may be pulled without
					 * problems. */
					insp = list;
				}
				if (!pskb_pull(list, eat)) {
					kfree_skb(clone);
					return NULL;
				}
				break;
			}
		} while (eat);

		/* Free pulled out fragments. */
		while ((list = skb_shinfo(skb)->frag_list) != insp) {
			skb_shinfo(skb)->frag_list = list->next;
			consume_skb(list);
		}
		/* And insert new clone at head. */
		if (clone) {
			clone->next = list;
			skb_shinfo(skb)->frag_list = clone;
		}
	}
	/* Success! Now we may commit changes to skb data. */

pull_pages:
	eat = delta;
	k = 0;
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		int size = skb_frag_size(&skb_shinfo(skb)->frags[i]);

		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
		} else {
			skb_frag_t *frag = &skb_shinfo(skb)->frags[k];

			*frag = skb_shinfo(skb)->frags[i];
			if (eat) {
				skb_frag_off_add(frag, eat);
				skb_frag_size_sub(frag, eat);
				if (!i)
					goto end;
				eat = 0;
			}
			k++;
		}
	}
	skb_shinfo(skb)->nr_frags = k;

end:
	skb->tail     += delta;
	skb->data_len -= delta;

	/* sim-edit: no zerocopy (skb_zcopy_clear) */
	return skb_tail_pointer(skb);
}

/* kfree_skb_list(): every skb of a ->next chain. */
static void kfree_skb_list(struct sk_buff *segs)
{
	while (segs) {
		struct sk_buff *next = segs->next;

		kfree_skb(segs);
		segs = next;
	}
}

/* sim-origin: net/core/skbuff.c skb_drop_list */
static void skb_drop_list(struct sk_buff **listp)
{
	kfree_skb_list(*listp);
	*listp = NULL;
}

/* sim-origin: net/core/skbuff.c skb_drop_fraglist */
static inline void skb_drop_fraglist(struct sk_buff *skb)
{
	skb_drop_list(&skb_shinfo(skb)->frag_list);
}

/* sim-origin: net/core/skbuff.c ___pskb_trim */
int ___pskb_trim(struct sk_buff *skb, unsigned int len)
{
	struct sk_buff **fragp;
	struct sk_buff *frag;
	int offset = skb_headlen(skb);
	int nfrags = skb_shinfo(skb)->nr_frags;
	int i;
	int err;

	if (skb_cloned(skb) &&
	    unlikely((err = pskb_expand_head(skb, 0, 0, GFP_ATOMIC))))
		return err;

	i = 0;
	if (offset >= len)
		goto drop_pages;

	for (; i < nfrags; i++) {
		int end = offset + skb_frag_size(&skb_shinfo(skb)->frags[i]);

		if (end < len) {
			offset = end;
			continue;
		}

		skb_frag_size_set(&skb_shinfo(skb)->frags[i++], len - offset);

drop_pages:
		skb_shinfo(skb)->nr_frags = i;

		for (; i < nfrags; i++)
			skb_frag_unref(skb, i);

		if (skb_has_frag_list(skb))
			skb_drop_fraglist(skb);
		goto done;
	}

	for (fragp = &skb_shinfo(skb)->frag_list; (frag = *fragp);
	     fragp = &frag->next) {
		int end = offset + frag->len;

		if (skb_shared(frag)) {
			struct sk_buff *nfrag;

			nfrag = skb_clone(frag, GFP_ATOMIC);
			if (unlikely(!nfrag))
				return -ENOMEM;

			nfrag->next = frag->next;
			consume_skb(frag);
			frag = nfrag;
			*fragp = frag;
		}

		if (end < len) {
			offset = end;
			continue;
		}

		if (end > len &&
		    unlikely((err = pskb_trim(frag, len - offset))))
			return err;

		if (frag->next)
			skb_drop_list(&frag->next);
		break;
	}

done:
	if (len > skb_headlen(skb)) {
		skb->data_len -= skb->len - len;
		skb->len       = len;
	} else {
		skb->len       = len;
		skb->data_len  = 0;
		skb_set_tail_pointer(skb, len);
	}
	/* sim-edit: no unreadable (devmem) frags in the sim */
	if (!skb->sk)	/* sim-edit: no sock_edemux (early demux) in the sim */
		skb_condense(skb);
	return 0;
}

/* sim-origin: net/core/skbuff.c skb_condense */
void skb_condense(struct sk_buff *skb)
{
	if (skb->data_len) {
		if (skb->data_len > skb->end - skb->tail ||
		    skb_cloned(skb) || !skb_frags_readable(skb))
			return;

		/* Nice, we can free page frag(s) right now */
		__pskb_pull_tail(skb, skb->data_len);
	}
	/* At this point, skb->truesize might be over estimated,
	 * because skb had a fragment, and fragments do not tell
	 * their truesize.
	 * When we pulled its content into skb->head, fragment
	 * was freed, but __pskb_pull_tail() could not possibly
	 * adjust skb->truesize, not knowing the frag truesize.
	 */
	skb->truesize = SKB_TRUESIZE(skb_end_offset(skb));
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
