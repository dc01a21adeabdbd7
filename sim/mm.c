// SPDX-License-Identifier: GPL-2.0
/*
 * sim: the page allocator, slab and page frags. Stands for mm/page_alloc.c,
 * mm/slub.c, include/linux/mm.h's get_page()/put_page() and
 * skb_page_frag_refill() in net/core/sock.c.
 *
 * Each allocation (a page block or a kmalloc object) gets a contiguous
 * array of struct page, so page + n arithmetic and compound_head() work as
 * in the kernel; a pfn -> struct page table serves virt_to_page(). Freed
 * descriptors stay in a quarantine until the world is reset, so a late
 * get_page()/put_page()/kfree() is reported with both call sites instead of
 * touching freed memory. The data itself is poisoned when it is freed, so
 * ASan reports any access to it (use-after-poison; __asan_on_error() below
 * names the sim's allocation and free sites), and stays so, never handed
 * out again, until the world is reset: only then does it go to a pool of
 * its order, still poisoned, for a later world's allocations. Fresh memory
 * from malloc() costs a page fault per 4 KiB, which was a fifth of the
 * ring fuzzer's time; a world never gets memory freed during it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>
#include <sim/ledger.h>
#include <sim/watch.h>
#include <sim/bug.h>
#include <sim/lock.h>
#include <linux/mm.h>
#include <linux/slab.h>

enum sim_kind sim_ledger_slab_kind(size_t size);

struct block {
	void *mem;
	size_t size;		/* requested bytes (slab) or PAGE_SIZE << order */
	unsigned int order;
	enum sim_kind kind;
	struct block *qnext;	/* quarantine */
	struct page pages[];
};

/* pfn -> struct page */
struct pfn_ent {
	unsigned long pfn;
	struct page *page;
	struct pfn_ent *next;
};

#define PBITS 16
static struct pfn_ent *pfn_hash[1 << PBITS];
static struct block *quarantine;

static unsigned int pfn_bucket(unsigned long pfn)
{
	return (pfn * 0x9E3779B97F4A7C15ULL) >> (64 - PBITS);
}

/* Entries removed from pfn_hash (at the world's reset, by
 * sim_page_quarantine_flush()), for the next pfn_set(): the sim's own
 * bookkeeping, like the ledger's records; poisoned while here, held by an
 * array (LeakSanitizer follows no pointer stored in poisoned memory). */
static struct {
	struct pfn_ent **v;
	size_t n, cap;
} pfn_free;

static void pfn_set(unsigned long pfn, struct page *page)
{
	struct pfn_ent *e;

	for (e = pfn_hash[pfn_bucket(pfn)]; e; e = e->next)
		if (e->pfn == pfn) {
			e->page = page;
			return;
		}
	if (pfn_free.n) {
		e = pfn_free.v[--pfn_free.n];
		ASAN_UNPOISON_MEMORY_REGION(e, sizeof(*e));
	} else {
		e = malloc(sizeof(*e));
		if (!e)
			abort();
	}
	e->pfn = pfn;
	e->page = page;
	e->next = pfn_hash[pfn_bucket(pfn)];
	pfn_hash[pfn_bucket(pfn)] = e;
}

static struct page *pfn_get(unsigned long pfn)
{
	struct pfn_ent *e;

	for (e = pfn_hash[pfn_bucket(pfn)]; e; e = e->next)
		if (e->pfn == pfn)
			return e->page;
	return NULL;
}

static void pfn_del_if(unsigned long pfn, struct page *page)
{
	struct pfn_ent **pp = &pfn_hash[pfn_bucket(pfn)];

	while (*pp) {
		if ((*pp)->pfn == pfn && (*pp)->page == page) {
			struct pfn_ent *e = *pp;

			*pp = e->next;
			if (pfn_free.n == pfn_free.cap) {
				size_t cap = pfn_free.cap ? 2 * pfn_free.cap : 256;
				struct pfn_ent **v = realloc(pfn_free.v, cap * sizeof(*v));

				if (!v) {
					free(e);
					return;
				}
				pfn_free.v = v;
				pfn_free.cap = cap;
			}
			pfn_free.v[pfn_free.n++] = e;
			ASAN_POISON_MEMORY_REGION(e, sizeof(*e));
			return;
		}
		pp = &(*pp)->next;
	}
}

/*
 * Block memory freed in an earlier world, per order, poisoned; at most
 * POOL_MAX bytes are kept (the rest goes back to free()).
 */
#define POOL_ORDERS	11
#define POOL_MAX	(64UL << 20)
static struct {
	void **mem;
	size_t n, cap;
} pool[POOL_ORDERS];
static size_t pool_bytes;

static void *pool_get(unsigned int order)
{
	void *mem;

	if (order >= POOL_ORDERS || !pool[order].n)
		return NULL;
	mem = pool[order].mem[--pool[order].n];
	pool_bytes -= PAGE_SIZE << order;
	ASAN_UNPOISON_MEMORY_REGION(mem, PAGE_SIZE << order);
	return mem;
}

static bool pool_put(void *mem, unsigned int order)
{
	if (order >= POOL_ORDERS || pool_bytes + (PAGE_SIZE << order) > POOL_MAX)
		return false;
	if (pool[order].n == pool[order].cap) {
		size_t cap = pool[order].cap ? 2 * pool[order].cap : 64;
		void **m = realloc(pool[order].mem, cap * sizeof(*m));

		if (!m)
			return false;
		pool[order].mem = m;
		pool[order].cap = cap;
	}
	pool[order].mem[pool[order].n++] = mem;
	pool_bytes += PAGE_SIZE << order;
	return true;
}

/*
 * Block descriptors (struct block and its struct pages) of an earlier
 * world, per order, poisoned: like the memory above, handed out again only
 * after the world that freed them was reset.
 */
#define DESC_MAX	4096	/* per order */
static struct {
	struct block *v[DESC_MAX];	/* not a chain through poisoned memory:
					 * LeakSanitizer would not follow it */
	unsigned int n;
} desc_pool[POOL_ORDERS];

static size_t desc_size(unsigned int order)
{
	return sizeof(struct block) + (1U << order) * sizeof(struct page);
}

static struct block *desc_get(unsigned int order)
{
	struct block *b;

	if (order >= POOL_ORDERS || !desc_pool[order].n) {
		b = calloc(1, desc_size(order));
		if (!b)
			abort();
		return b;
	}
	b = desc_pool[order].v[--desc_pool[order].n];
	ASAN_UNPOISON_MEMORY_REGION(b, desc_size(order));
	memset(b, 0, desc_size(order));
	return b;
}

static void desc_put(struct block *b)
{
	unsigned int order = b->order;

	if (order >= POOL_ORDERS || desc_pool[order].n == DESC_MAX) {
		free(b);
		return;
	}
	desc_pool[order].v[desc_pool[order].n++] = b;
	ASAN_POISON_MEMORY_REGION(b, desc_size(order));
}

static struct block *page_block(struct page *head)
{
	return container_of(head, struct block, pages[0]);
}

static struct block *block_alloc(size_t bytes, unsigned int order, bool slab,
				 struct sim_site site)
{
	unsigned int n = 1U << order, i;
	struct block *b;
	void *mem = pool_get(order);

	if (!mem && posix_memalign(&mem, PAGE_SIZE, PAGE_SIZE << order))
		abort();
	b = desc_get(order);
	b->mem = mem;
	b->size = bytes;
	b->order = order;
	for (i = 0; i < n; i++) {
		struct page *p = &b->pages[i];

		p->compound_head = &b->pages[0];
		p->virtual = (char *)mem + i * PAGE_SIZE;
		if (n > 1)
			p->flags |= 1UL << (i ? PG_tail : PG_head);
		if (slab)
			p->flags |= 1UL << PG_slab;
		pfn_set((uintptr_t)p->virtual >> PAGE_SHIFT, p);
	}
	b->pages[0].order = order;
	b->pages[0].site = site;
	atomic_set(&b->pages[0]._refcount, 1);
	return b;
}

static void block_free(struct block *b, struct sim_site site)
{
	b->pages[0].flags |= 1UL << PG_sim_freed;
	b->pages[0].freed_at = site;
	if (!SIM_BOOKKEEPING) {		/* the bench variant: no quarantine */
		for (unsigned int i = 0; i < (1U << b->order); i++)
			pfn_del_if((uintptr_t)b->pages[i].virtual >> PAGE_SHIFT,
				   &b->pages[i]);
		free(b->mem);
		free(b);
		return;
	}
	/* poisoned whole (a kmalloc object's slack already is): reported on
	 * any access until a later world reuses it */
	ASAN_POISON_MEMORY_REGION(b->mem, PAGE_SIZE << b->order);
	b->qnext = quarantine;
	quarantine = b;
}

void sim_page_quarantine_flush(void)
{
	while (quarantine) {
		struct block *b = quarantine;
		unsigned int i;

		quarantine = b->qnext;
		for (i = 0; i < (1U << b->order); i++)
			pfn_del_if((uintptr_t)b->pages[i].virtual >> PAGE_SHIFT,
				   &b->pages[i]);
		if (!pool_put(b->mem, b->order)) {
			ASAN_UNPOISON_MEMORY_REGION(b->mem, PAGE_SIZE << b->order);
			free(b->mem);
		}
		desc_put(b);
	}
}

static bool page_freed(const struct page *head)
{
	return head->flags & (1UL << PG_sim_freed);
}

#if defined(__SANITIZE_ADDRESS__)
#define SIM_MM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_MM_ASAN 1
#endif
#endif

#ifdef SIM_MM_ASAN
/* ASan's hook when it reports: an access to freed block memory is a
 * use-after-poison in ASan's words; name the sim's sites, as ASan's own
 * heap-use-after-free report would name the stacks. */
void __asan_on_error(void);
void __asan_on_error(void)
{
	void *addr = __asan_get_report_address();
	struct page *page = addr ? pfn_get((uintptr_t)addr >> PAGE_SHIFT) : NULL;
	struct page *head = page ? compound_head(page) : NULL;

	if (head && page_freed(head))
		fprintf(stderr, "sockmap-sim: ASan: %p is in memory the sim freed (allocated at %s:%d, freed at %s:%d)\n",
			addr, head->site.file, head->site.line, head->freed_at.file,
			head->freed_at.line);
}
#endif

struct page *sim_alloc_pages(gfp_t gfp, unsigned int order, struct sim_site site)
{
	struct block *b;

	if (gfpflags_allow_blocking(gfp))
		sim_might_sleep(site.file, site.line);
	if (!(gfp & __GFP_NOFAIL) && sim_should_fail(SIM_PAGE))	/* should_fail_alloc_page() */
		return NULL;
	b = block_alloc(PAGE_SIZE << order, order, false, site);
	b->kind = SIM_PAGE;
	if (gfp & __GFP_ZERO)
		memset(b->mem, 0, PAGE_SIZE << order);
	else if (SIM_BOOKKEEPING)
		memset(b->mem, 0x5a, PAGE_SIZE << order);	/* POISON_INUSE */
	sim_ledger_add(SIM_PAGE, &b->pages[0], PAGE_SIZE << order, site);
	return &b->pages[0];
}

void sim_get_page(struct page *page, struct sim_site site)
{
	struct page *head = compound_head(page);

	if (PageSlab(head)) {
		sim_violation(site, "get_page() on slab memory %p (kmalloc'd at %s:%d): slab data must be copied, not referenced",
			      page_address(page), head->site.file, head->site.line);
		return;
	}
	if (page_freed(head)) {
		sim_violation(site, "get_page() on freed page %p (allocated at %s:%d, freed at %s:%d)",
			      page_address(head), head->site.file, head->site.line,
			      head->freed_at.file, head->freed_at.line);
		return;
	}
	if (atomic_read(&head->_refcount) <= 0) {
		sim_violation(site, "get_page() on page %p with refcount %d",
			      page_address(head), atomic_read(&head->_refcount));
		return;
	}
	atomic_inc(&head->_refcount);
	sim_stats.page_get++;
}

void sim_put_page(struct page *page, struct sim_site site)
{
	struct page *head = compound_head(page);

	if (PageSlab(head)) {
		sim_violation(site, "put_page() on slab memory %p (kmalloc'd at %s:%d)",
			      page_address(page), head->site.file, head->site.line);
		return;
	}
	if (page_freed(head)) {
		sim_violation(site, "put_page() on freed page %p (allocated at %s:%d, freed at %s:%d): one put too many",
			      page_address(head), head->site.file, head->site.line,
			      head->freed_at.file, head->freed_at.line);
		return;
	}
	sim_stats.page_put++;
	if (atomic_dec_and_test(&head->_refcount)) {
		sim_ledger_del(SIM_PAGE, head, site);
		block_free(page_block(head), site);
	}
}

struct page *sim_virt_to_page(const void *addr, struct sim_site site)
{
	struct page *page = pfn_get((uintptr_t)addr >> PAGE_SHIFT);

	if (!page)
		sim_bug(site.file, site.line, site.func,
			"virt_to_page(%p): not memory the sim allocated", addr);
	return page;
}

static unsigned int get_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

void *sim_kmalloc(size_t size, gfp_t gfp, struct sim_site site)
{
	struct block *b;
	size_t alloc = size ? size : 1;

	if (gfpflags_allow_blocking(gfp))
		sim_might_sleep(site.file, site.line);
	b = NULL;
	if (!(gfp & __GFP_NOFAIL) && sim_should_fail(sim_ledger_slab_kind(size)))
		return NULL;
	b = block_alloc(alloc, get_order(alloc), true, site);
	b->kind = sim_ledger_slab_kind(size);
	if (gfp & __GFP_ZERO)
		memset(b->mem, 0, alloc);
	else if (SIM_BOOKKEEPING)
		memset(b->mem, 0xa5, alloc);	/* uninitialised kmalloc memory */
	/* The slack after the object is off limits, as a redzone. */
	ASAN_POISON_MEMORY_REGION((char *)b->mem + alloc,
				  (PAGE_SIZE << b->order) - alloc);
	sim_ledger_add(b->kind, b->mem, size, site);
	return b->mem;
}

void sim_kfree(const void *ptr, struct sim_site site)
{
	struct page *page, *head;
	struct block *b;

	if (!ptr)
		return;
	page = pfn_get((uintptr_t)ptr >> PAGE_SHIFT);
	if (!page) {
		sim_violation(site, "kfree(%p): not memory the sim allocated", ptr);
		return;
	}
	head = compound_head(page);
	if (!PageSlab(head)) {
		sim_violation(site, "kfree(%p): page memory (allocated at %s:%d), not a kmalloc object",
			      ptr, head->site.file, head->site.line);
		return;
	}
	if (page_freed(head)) {
		sim_violation(site, "kfree(%p) twice (kmalloc'd at %s:%d, first freed at %s:%d)",
			      ptr, head->site.file, head->site.line,
			      head->freed_at.file, head->freed_at.line);
		return;
	}
	b = page_block(head);
	if (ptr != b->mem) {
		sim_violation(site, "kfree(%p): not the start of the object %p (kmalloc'd at %s:%d)",
			      ptr, b->mem, head->site.file, head->site.line);
		return;
	}
	sim_watch_forget(b->mem, b->size);
	sim_ledger_del(b->kind, b->mem, site);
	block_free(b, site);
}

size_t sim_ksize(const void *ptr)
{
	struct page *page = pfn_get((uintptr_t)ptr >> PAGE_SHIFT);

	return page ? page_block(compound_head(page))->size : 0;
}

/* net/core/sock.c: skb_page_frag_refill() */
#define SKB_FRAG_PAGE_ORDER	3	/* get_order(32768) */

/* sim-origin: net/core/sock.c skb_page_frag_refill */
bool sim_skb_page_frag_refill(unsigned int sz, struct page_frag *pfrag,	/* sim-edit: sim_ name; takes the caller's site for the page ledger */
			      gfp_t gfp, struct sim_site site)	/* sim-edit: the caller's site for the page ledger */
{
	if (pfrag->page) {
		if (page_ref_count(pfrag->page) == 1) {
			/* nobody else holds the page: reuse it from the start */
			pfrag->offset = 0;
			return true;
		}
		if (pfrag->offset + sz <= pfrag->size)
			return true;
		sim_put_page(pfrag->page, site);	/* sim-edit: the page ledger's put_page, with the call site */
	}
	pfrag->offset = 0;	/* sim-edit: no net_high_order_alloc_disable_key: the high-order try is always made */
	pfrag->page = sim_alloc_pages((gfp & ~__GFP_DIRECT_RECLAIM) | __GFP_COMP |	/* sim-edit: the page ledger's allocator */
				      __GFP_NOWARN | __GFP_NORETRY,
				      SKB_FRAG_PAGE_ORDER, site);	/* sim-edit: call site for the page ledger */
	if (likely(pfrag->page)) {
		pfrag->size = PAGE_SIZE << SKB_FRAG_PAGE_ORDER;
		return true;
	}	/* sim-edit: no static-branch block to close */
	pfrag->page = sim_alloc_pages(gfp, 0, site);	/* sim-edit: alloc_page() is an order-0 sim_alloc_pages() with the call site */
	if (likely(pfrag->page)) {
		pfrag->size = PAGE_SIZE;
		return true;
	}
	return false;
}

void sim_page_frag_release(struct page_frag *pfrag)
{
	if (pfrag->page) {
		sim_put_page(pfrag->page, SIM_SITE);
		pfrag->page = NULL;
	}
	pfrag->offset = pfrag->size = 0;
}

/* The kernel's memcpy() as the real files call it (their objects are
 * linked to this symbol, see the Makefile): the copy itself, plus the cost
 * counter when it moves data into page-allocator memory (a page copy), not
 * when it copies a structure into a kmalloc'd object. */
void *sim_kernel_memcpy(void *dst, const void *src, size_t n);
void *sim_kernel_memcpy(void *dst, const void *src, size_t n)
{
	struct page *page = pfn_get((uintptr_t)dst >> PAGE_SHIFT);

	if (page && !PageSlab(compound_head(page)))
		sim_stats.bytes_copied += n;
	return memcpy(dst, src, n);
}
