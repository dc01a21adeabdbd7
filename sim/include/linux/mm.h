/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: pages. Stands for include/linux/mm.h, include/linux/mm_types.h,
 * include/linux/page_ref.h and include/linux/page-flags.h.
 *
 * A struct page has a real refcount. Order>0 allocations are compound:
 * tail pages send get_page()/put_page() to the head, as folios do. Slab
 * memory (kmalloc) lives in pages flagged PG_slab, so virt_to_page() works
 * on it and a get_page()/put_page() on it is caught: the kernel must copy
 * slab data, never reference it.
 */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <sim/compiler.h>
#include <sim/atomic.h>
#include <sim/ledger.h>
#include <linux/gfp.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr)	ALIGN(addr, PAGE_SIZE)
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)
#define PAGE_ALLOC_COSTLY_ORDER	3
#define NUMA_NO_NODE		(-1)

enum pageflags {
	PG_head,
	PG_tail,
	PG_slab,
	PG_sim_freed,	/* sim: descriptor of freed memory, kept to catch misuse */
};

struct page {
	unsigned long flags;
	atomic_t _refcount;
	struct page *compound_head;	/* self for head and order-0 pages */
	unsigned int order;		/* valid in the head */
	void *virtual;
	/* sim: test fields */
	struct sim_site site;		/* allocation call site (head) */
	struct sim_site freed_at;	/* where the last reference was dropped */
	struct page *sim_next;		/* quarantine list of freed heads */
};

struct page_frag {
	struct page *page;
	u32 offset;
	u32 size;
};

#define PageSlab(p)	(!!((p)->flags & (1UL << PG_slab)))
#define PageHead(p)	(!!((p)->flags & (1UL << PG_head)))
#define PageTail(p)	(!!((p)->flags & (1UL << PG_tail)))
#define PageCompound(p)	(PageHead(p) || PageTail(p))

static inline struct page *compound_head(const struct page *page)
{
	return page->compound_head;
}

static inline unsigned int compound_order(const struct page *page)
{
	return compound_head(page)->order;
}

static inline void *page_address(const struct page *page)
{
	return page->virtual;
}

static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}

static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

struct page *sim_alloc_pages(gfp_t gfp, unsigned int order, struct sim_site site);
void sim_get_page(struct page *page, struct sim_site site);
void sim_put_page(struct page *page, struct sim_site site);
struct page *sim_virt_to_page(const void *addr, struct sim_site site);
void sim_page_frag_release(struct page_frag *pfrag);
bool sim_skb_page_frag_refill(unsigned int sz, struct page_frag *pfrag,
			      gfp_t gfp, struct sim_site site);

/* Allocators capture the kernel call site (file, line, function). */
#define alloc_pages(gfp, order)	sim_alloc_pages((gfp), (order), SIM_SITE)
#define alloc_page(gfp)		sim_alloc_pages((gfp), 0, SIM_SITE)
#define get_page(page)		sim_get_page((page), SIM_SITE)
#define put_page(page)		sim_put_page((page), SIM_SITE)
#define __free_pages(page, order) sim_put_page((page), SIM_SITE)
#define virt_to_page(addr)	sim_virt_to_page((addr), SIM_SITE)
#define virt_to_head_page(addr)	compound_head(virt_to_page(addr))
#define skb_page_frag_refill(sz, pfrag, gfp)				\
	sim_skb_page_frag_refill((sz), (pfrag), (gfp), SIM_SITE)

static inline int page_to_nid(const struct page *page) { (void)page; return 0; }
static inline bool page_is_pfmemalloc(const struct page *page) { (void)page; return false; }

#endif /* _LINUX_MM_H */
