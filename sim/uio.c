// SPDX-License-Identifier: GPL-2.0
/*
 * sim: iov_iter (stands for lib/iov_iter.c). Segments are walked with the
 * kernel's semantics: copies stop short at the end of the iterator, count
 * and iov_offset advance, iov_iter_revert() walks back across segments.
 */
#include <sim/bug.h>
#include <sim/ledger.h>
#include <linux/uio.h>

static void iter_init(struct iov_iter *i, u8 type, unsigned int direction,
		      unsigned long nr_segs, size_t count)
{
	BUG_ON(direction != ITER_SOURCE && direction != ITER_DEST);
	i->iter_type = type;
	i->data_source = direction;
	i->iov_offset = 0;
	i->count = count;
	i->nr_segs = nr_segs;
	i->sim_seg = 0;
}

void iov_iter_init(struct iov_iter *i, unsigned int direction,
		   const struct iovec *iov, unsigned long nr_segs, size_t count)
{
	iter_init(i, ITER_IOVEC, direction, nr_segs, count);
	i->__iov = iov;
}

void iov_iter_ubuf(struct iov_iter *i, unsigned int direction, void *buf,
		   size_t count)
{
	iter_init(i, ITER_UBUF, direction, 1, count);
	i->ubuf = buf;
}

void iov_iter_kvec(struct iov_iter *i, unsigned int direction,
		   const struct kvec *kvec, unsigned long nr_segs, size_t count)
{
	iter_init(i, ITER_KVEC, direction, nr_segs, count);
	i->kvec = kvec;
}

void iov_iter_bvec(struct iov_iter *i, unsigned int direction,
		   const struct bio_vec *bvec, unsigned long nr_segs, size_t count)
{
	iter_init(i, ITER_BVEC, direction, nr_segs, count);
	i->bvec = bvec;
}

/* Base address and length of the current segment. */
static void *seg(const struct iov_iter *i, size_t *len)
{
	switch (i->iter_type) {
	case ITER_UBUF:
		*len = i->count + i->iov_offset;
		return i->ubuf;
	case ITER_IOVEC:
		*len = i->__iov[0].iov_len;
		return i->__iov[0].iov_base;
	case ITER_KVEC:
		*len = i->kvec[0].iov_len;
		return i->kvec[0].iov_base;
	case ITER_BVEC:
		*len = i->bvec[0].bv_len;
		return (char *)page_address(i->bvec[0].bv_page) + i->bvec[0].bv_offset;
	}
	BUG();
}

static void next_seg(struct iov_iter *i)
{
	i->iov_offset = 0;
	i->nr_segs--;
	i->sim_seg++;
	switch (i->iter_type) {
	case ITER_IOVEC: i->__iov++; break;
	case ITER_KVEC: i->kvec++; break;
	case ITER_BVEC: i->bvec++; break;
	default: BUG();
	}
}

void iov_iter_advance(struct iov_iter *i, size_t bytes)
{
	if (bytes > i->count)
		bytes = i->count;
	i->count -= bytes;
	if (i->iter_type == ITER_UBUF) {
		i->iov_offset += bytes;
		return;
	}
	bytes += i->iov_offset;
	i->iov_offset = 0;
	while (i->nr_segs) {
		size_t len;

		seg(i, &len);
		if (bytes < len)
			break;
		bytes -= len;
		next_seg(i);
	}
	i->iov_offset = bytes;
}

void iov_iter_revert(struct iov_iter *i, size_t unroll)
{
	if (!unroll)
		return;
	i->count += unroll;
	if (i->iter_type == ITER_UBUF) {
		BUG_ON(unroll > i->iov_offset);
		i->iov_offset -= unroll;
		return;
	}
	if (unroll <= i->iov_offset) {
		i->iov_offset -= unroll;
		return;
	}
	unroll -= i->iov_offset;
	while (1) {
		size_t len;

		BUG_ON(!i->sim_seg);
		i->sim_seg--;
		i->nr_segs++;
		switch (i->iter_type) {
		case ITER_IOVEC: i->__iov--; break;
		case ITER_KVEC: i->kvec--; break;
		case ITER_BVEC: i->bvec--; break;
		default: BUG();
		}
		seg(i, &len);
		if (unroll <= len) {
			i->iov_offset = len - unroll;
			return;
		}
		unroll -= len;
	}
}

/* The user-memory fault model: -1 (none), or how many more bytes user
 * copies move before they reach an unmapped page of the user buffer. */
static long uaccess_left = -1;

void sim_uaccess_fault_after(long bytes)
{
	uaccess_left = bytes;
}

static bool user_iter(const struct iov_iter *i)
{
	return i->iter_type == ITER_UBUF || i->iter_type == ITER_IOVEC;
}

/* Move up to @bytes between @buf and the iterator. A user copy stops
 * short where the fault model puts the unmapped page, as
 * copy_to_user()/copy_from_user() return the bytes not copied. */
static size_t iterate(struct iov_iter *i, void *buf, size_t bytes, bool to_iter)
{
	size_t done = 0;

	if (bytes > i->count)
		bytes = i->count;
	if (user_iter(i) && uaccess_left >= 0) {
		if (bytes > (size_t)uaccess_left) {
			bytes = uaccess_left;
			sim_stats.uaccess_faults++;
		}
		uaccess_left -= bytes;
	}
	while (done < bytes) {
		size_t len, n;
		char *base = seg(i, &len);

		if (i->iter_type == ITER_UBUF)
			len = i->iov_offset + i->count;
		n = min(len - i->iov_offset, bytes - done);
		if (n) {
			if (to_iter)
				memcpy(base + i->iov_offset, (char *)buf + done, n);
			else
				memcpy((char *)buf + done, base + i->iov_offset, n);
		}
		done += n;
		i->iov_offset += n;
		i->count -= n;
		if (i->iter_type != ITER_UBUF && i->iov_offset == len)
			next_seg(i);
		else if (!n)
			break;
	}
	sim_stats.bytes_copied += done;
	return done;
}

size_t copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i)
{
	if (WARN_ON(i->data_source))
		return 0;
	return iterate(i, (void *)addr, bytes, true);
}

size_t copy_from_iter(void *addr, size_t bytes, struct iov_iter *i)
{
	if (WARN_ON(!i->data_source))
		return 0;
	return iterate(i, addr, bytes, false);
}

/* lib/iov_iter.c: page_copy_sane() */
/* sim-origin: lib/iov_iter.c page_copy_sane */
static bool page_copy_sane(struct page *page, size_t offset, size_t n)
{
	struct page *head;
	size_t v = n + offset;

	if (n <= v && v <= PAGE_SIZE)
		return true;
	head = compound_head(page);
	v += (page - head) << PAGE_SHIFT;
	if (WARN_ON(n > v || v > (PAGE_SIZE << compound_order(head))))	/* sim-edit: page_size() open-coded */
		return false;
	return true;
}

size_t copy_page_to_iter(struct page *page, size_t offset, size_t bytes,
			 struct iov_iter *i)
{
	if (!page_copy_sane(page, offset, bytes))
		return 0;
	return copy_to_iter((char *)page_address(page) + offset, bytes, i);
}

size_t copy_page_from_iter(struct page *page, size_t offset, size_t bytes,
			   struct iov_iter *i)
{
	if (!page_copy_sane(page, offset, bytes))
		return 0;
	return copy_from_iter((char *)page_address(page) + offset, bytes, i);
}

ssize_t iov_iter_get_pages2(struct iov_iter *i, struct page **pages,
			    size_t maxsize, unsigned int maxpages, size_t *start)
{
	(void)i; (void)pages; (void)maxsize; (void)maxpages; (void)start;
	/* Pinning user pages (sk_msg_zerocopy_from_iter, kTLS only). */
	SIM_UNREACHABLE("iov_iter_get_pages2 (user page pinning)");
}
