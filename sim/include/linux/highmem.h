/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/highmem.h. 64-bit, no highmem: every page
 * is mapped, kmap_local_page() is page_address(). The copies are counted
 * by the kernel memcpy() shim (sim_kernel_memcpy) the real files link to.
 */
#ifndef _LINUX_HIGHMEM_H
#define _LINUX_HIGHMEM_H

#include <sim/bug.h>
#include <linux/mm.h>

#define nth_page(page, n)	((page) + (n))

static inline void *kmap_local_page(struct page *page)
{
	return page_address(page);
}

static inline void kunmap_local(const void *addr)
{
	(void)addr;
}

static inline void memcpy_from_page(char *to, struct page *page,
				    size_t offset, size_t len)
{
	VM_BUG_ON(offset + len > PAGE_SIZE);
	memcpy(to, (char *)kmap_local_page(page) + offset, len);
}

static inline void memcpy_to_page(struct page *page, size_t offset,
				  const char *from, size_t len)
{
	VM_BUG_ON(offset + len > PAGE_SIZE);
	memcpy((char *)kmap_local_page(page) + offset, from, len);
}

#endif /* _LINUX_HIGHMEM_H */
