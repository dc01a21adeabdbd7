// SPDX-License-Identifier: GPL-2.0
/*
 * sim: socket buffers (stands for net/core/skbuff.c: alloc_skb,
 * kfree_skb/consume_skb, skb_to_sgvec, skb_linearize, skb_copy_bits).
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

struct sk_buff *sim_alloc_skb(unsigned int size, gfp_t gfp, struct sim_site site)
{
	unsigned char *data;

	/* should_failslab(): __GFP_NOFAIL allocations are never failed */
	if (!(gfp & __GFP_NOFAIL) && sim_should_fail(SIM_SKB))
		return NULL;
	size = SKB_DATA_ALIGN(size);
	data = sim_kmalloc(size + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)),
			   gfp, site);
	if (!data)
		return NULL;
	return build_skb_around(data, size, false, site);
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

/* __pskb_pull_tail(skb, skb->data_len): pull everything into a new head. */
int skb_linearize(struct sk_buff *skb)
{
	struct skb_shared_info *shinfo;
	unsigned int size;
	unsigned char *data;
	int i;

	if (!skb_is_nonlinear(skb))
		return 0;
	BUG_ON(refcount_read(&skb->users) != 1);	/* must not be shared */
	size = SKB_DATA_ALIGN(skb->len);
	data = sim_kmalloc(size + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)),
			   GFP_ATOMIC, SIM_SITE);
	if (!data)
		return -ENOMEM;
	BUG_ON(copy_bits(skb, 0, data, skb->len));
	sim_stats.bytes_copied += skb->len;
	shinfo = skb_shinfo(skb);
	for (i = 0; i < shinfo->nr_frags; i++)
		sim_put_page(skb_frag_page(&shinfo->frags[i]), SIM_SITE);
	while (shinfo->frag_list) {
		struct sk_buff *list = shinfo->frag_list;

		shinfo->frag_list = list->next;
		kfree_skb(list);
	}
	if (!skb->cloned || !atomic_sub_return(1, &shinfo->dataref))
		skb_free_head(skb);
	skb->head_frag = 0;
	skb->head = data;
	skb->data = data;
	skb->end = size;
	skb->tail = skb->len;
	skb->data_len = 0;
	skb->cloned = 0;
	shinfo = skb_shinfo(skb);
	memset(shinfo, 0, sizeof(*shinfo));
	atomic_set(&shinfo->dataref, 1);
	return 0;
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
