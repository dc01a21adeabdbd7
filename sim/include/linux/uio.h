/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: iov_iter over user buffers (UBUF, IOVEC), kernel buffers (KVEC) and
 * pages (BVEC). Stands for include/linux/uio.h, include/linux/bvec.h,
 * lib/iov_iter.c and the msghdr part of include/linux/socket.h.
 * Every byte moved by copy_*_iter() is counted in sim_stats.bytes_copied.
 */
#ifndef __LINUX_UIO_H
#define __LINUX_UIO_H

#include <sim/compiler.h>
#include <linux/mm.h>

struct iovec {
	void *iov_base;
	size_t iov_len;
};

struct kvec {
	void *iov_base;
	size_t iov_len;
};

struct bio_vec {
	struct page *bv_page;
	unsigned int bv_len;
	unsigned int bv_offset;
};

enum iter_type {
	ITER_UBUF,
	ITER_IOVEC,
	ITER_BVEC,
	ITER_KVEC,
};

#define ITER_SOURCE	1	/* == WRITE: data flows from the iterator */
#define ITER_DEST	0	/* == READ: data flows into the iterator */

struct iov_iter {
	u8 iter_type;
	bool data_source;
	size_t iov_offset;	/* offset in the current segment */
	size_t count;		/* bytes left */
	union {
		const struct iovec *__iov;
		const struct kvec *kvec;
		const struct bio_vec *bvec;
		void *ubuf;
	};
	unsigned long nr_segs;
	/* sim: segments consumed before the current one, for revert */
	unsigned long sim_seg;
};

static inline void bvec_set_page(struct bio_vec *bv, struct page *page,
				 unsigned int len, unsigned int offset)
{
	bv->bv_page = page;
	bv->bv_len = len;
	bv->bv_offset = offset;
}

static inline size_t iov_iter_count(const struct iov_iter *i)
{
	return i->count;
}

static inline bool iov_iter_is_bvec(const struct iov_iter *i)
{
	return i->iter_type == ITER_BVEC;
}

static inline bool iov_iter_is_kvec(const struct iov_iter *i)
{
	return i->iter_type == ITER_KVEC;
}

void iov_iter_init(struct iov_iter *i, unsigned int direction,
		   const struct iovec *iov, unsigned long nr_segs, size_t count);
void iov_iter_ubuf(struct iov_iter *i, unsigned int direction, void *buf,
		   size_t count);
void iov_iter_kvec(struct iov_iter *i, unsigned int direction,
		   const struct kvec *kvec, unsigned long nr_segs, size_t count);
void iov_iter_bvec(struct iov_iter *i, unsigned int direction,
		   const struct bio_vec *bvec, unsigned long nr_segs, size_t count);
void iov_iter_advance(struct iov_iter *i, size_t bytes);
void iov_iter_revert(struct iov_iter *i, size_t bytes);
size_t copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i);
size_t copy_from_iter(void *addr, size_t bytes, struct iov_iter *i);
size_t copy_page_to_iter(struct page *page, size_t offset, size_t bytes,
			 struct iov_iter *i);
size_t copy_page_from_iter(struct page *page, size_t offset, size_t bytes,
			   struct iov_iter *i);
/*
 * sim: the user buffer of every later user copy (ITER_UBUF, ITER_IOVEC;
 * not kernel iterators) has an unmapped page @bytes further on: copies
 * move up to it and stop short there, as copy_to_user() and
 * copy_from_user() do at a fault. -1 maps it again (each world starts
 * with -1).
 */
void sim_uaccess_fault_after(long bytes);
ssize_t iov_iter_get_pages2(struct iov_iter *i, struct page **pages,
			    size_t maxsize, unsigned int maxpages, size_t *start);
#define copy_from_iter_nocache(addr, bytes, i)	copy_from_iter(addr, bytes, i)

#endif /* __LINUX_UIO_H */
