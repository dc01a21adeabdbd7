/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: kmalloc. Stands for include/linux/slab.h.
 * Every object is its own allocation (freed memory goes back to the C
 * allocator so ASan sees use-after-free), sits in PG_slab pages, is filled
 * with a poison pattern unless __GFP_ZERO, and records its call site.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <sim/compiler.h>
#include <linux/gfp.h>
#include <linux/mm.h>

void *sim_kmalloc(size_t size, gfp_t gfp, struct sim_site site);
void sim_kfree(const void *ptr, struct sim_site site);
size_t sim_ksize(const void *ptr);

#define kmalloc(size, gfp)		sim_kmalloc((size), (gfp), SIM_SITE)
#define kzalloc(size, gfp)		sim_kmalloc((size), (gfp) | __GFP_ZERO, SIM_SITE)
#define kmalloc_node(size, gfp, node)	sim_kmalloc((size), (gfp), SIM_SITE)
#define kzalloc_node(size, gfp, node)	sim_kmalloc((size), (gfp) | __GFP_ZERO, SIM_SITE)
#define kcalloc(n, size, gfp)		sim_kmalloc((n) * (size), (gfp) | __GFP_ZERO, SIM_SITE)
#define kfree(ptr)			sim_kfree((ptr), SIM_SITE)
#define kfree_sensitive(ptr)		sim_kfree((ptr), SIM_SITE)
#define ksize(ptr)			sim_ksize(ptr)

#endif /* _LINUX_SLAB_H */
