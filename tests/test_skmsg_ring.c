// SPDX-License-Identifier: GPL-2.0
/*
 * skmsg_ring: the sk_msg scatterlist ring, driven through the exported
 * functions of the real net/core/skmsg.c (sk_msg_alloc, sk_msg_trim,
 * sk_msg_free*, sk_msg_clone, sk_msg_return*, sk_msg_memcopy_from_iter).
 *
 * The ring is msg->sg.data[0 .. NR_MSG_FRAG_IDS-1] (18 slots, at most
 * MAX_MSG_FRAGS = 17 in use); sg.start is the first used slot, sg.end the
 * first free one, both wrap at NR_MSG_FRAG_IDS. Pages come from
 * sk_page_frag(sk) = current->task_frag: order-3 (32 KiB) compound pages.
 * The frag holds one page reference, every sg element one more.
 *
 * Memory accounting: sk_wmem_schedule() raises sk_forward_alloc in whole
 * pages, sk_mem_charge() takes bytes out of it, sk_mem_uncharge() puts
 * them back and reclaims whole pages. So with C bytes charged,
 * sk_forward_alloc == (PAGE_SIZE - C % PAGE_SIZE) % PAGE_SIZE.
 *
 * Ring pictures: slots left to right, letters are elements in ring order
 * (A first), '.' a free slot, S = sg.start, E = sg.end, C = sg.curr.
 *
 * Every test frees what it allocated; the fixture teardown checks that
 * no page, sk_msg or charge is left.
 */
#include "sim_test.h"

struct ring {
	struct sock *a, *b;
	struct sk_msg msg;	/* the ring under test */
	struct sk_msg dst;	/* clone destination */
};

static int ring_setup(void **state)
{
	struct ring *r;

	sim_setup(state);
	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	sim_tcp_pair(&r->a, &r->b, "A", "B");
	sk_msg_init(&r->msg);
	sk_msg_init(&r->dst);
	*state = r;
	return 0;
}

static int ring_teardown(void **state)
{
	free(*state);
	return sim_teardown(state);
}

#define RING_TEST(fn) cmocka_unit_test_setup_teardown(fn, ring_setup, ring_teardown)

/* sk_forward_alloc with @charged bytes charged (see the header). */
static int fwd_alloc(u32 charged)
{
	return (PAGE_SIZE - charged % PAGE_SIZE) % PAGE_SIZE;
}

/* Append @len bytes as a new element: elem_first_coalesce = sg.end, which
 * lies outside [start, end), so sk_msg_alloc() never coalesces. */
static void alloc_elem(struct sock *sk, struct sk_msg *msg, int len)
{
	assert_int_equal(sk_msg_alloc(sk, msg, msg->sg.size + len, msg->sg.end), 0);
}

/* Put the ring's start (and end, curr) at @slot on an empty msg. */
static void ring_start_at(struct sk_msg *msg, u32 slot)
{
	assert_int_equal(msg->sg.size, 0);
	msg->sg.start = msg->sg.end = msg->sg.curr = slot;
}

static struct page *frag_page(void)
{
	return current->task_frag.page;
}

static int memcopy_pattern(struct sock *sk, struct sk_msg *msg, size_t off,
			   size_t iter_len, u32 bytes)
{
	void *buf = sim_pattern_buf(0, off, iter_len);
	struct iov_iter iter;
	int ret;

	iov_iter_ubuf(&iter, ITER_SOURCE, buf, iter_len);
	ret = sk_msg_memcopy_from_iter(sk, &iter, msg, bytes);
	free(buf);
	return ret;
}

/* ---- sk_msg_alloc ------------------------------------------------------ */

/* The first allocation takes one element from the task frag, one page
 * reference and charges exactly the bytes.
 *   . . . ...   ->   A . . ...
 *   SE               S E
 */
static void test_skmsg_ring_alloc_first_element(void **state)
{
	struct ring *r = *state;
	struct scatterlist *sge = &r->msg.sg.data[0];

	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 100, 0), 0);

	assert_int_equal(r->msg.sg.size, 100);
	assert_int_equal(r->msg.sg.start, 0);
	assert_int_equal(r->msg.sg.end, 1);
	assert_ptr_equal(sg_page(sge), frag_page());
	assert_int_equal(sge->offset, 0);
	assert_int_equal(sge->length, 100);
	assert_false(test_bit(0, r->msg.sg.copy));
	assert_int_equal(current->task_frag.offset, 100);
	assert_int_equal(page_count(frag_page()), 2);	/* frag + element */
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 100);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 100);
}

/* A second allocation continuing the same frag grows the last element
 * (elem_first_coalesce = end - 1, as tcp_bpf_sendmsg passes): no new
 * element, no new page reference.
 *   A . ...  ->  A' . ...
 */
static void test_skmsg_ring_alloc_coalesces_same_frag(void **state)
{
	struct ring *r = *state;

	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 100, 0), 0);
	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 300, r->msg.sg.end - 1), 0);

	assert_int_equal(r->msg.sg.size, 300);
	assert_int_equal(r->msg.sg.end, 1);
	assert_int_equal(r->msg.sg.data[0].length, 300);
	assert_int_equal(page_count(frag_page()), 2);
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 300);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* With elem_first_coalesce past the last element, the same frag bytes
 * become a second element on the same page, with its own reference.
 *   A . ...  ->  A B . ...
 */
static void test_skmsg_ring_alloc_no_coalesce_before_first_elem(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);

	assert_int_equal(r->msg.sg.size, 300);
	assert_int_equal(r->msg.sg.end, 2);
	assert_ptr_equal(sg_page(&r->msg.sg.data[1]), sg_page(&r->msg.sg.data[0]));
	assert_int_equal(r->msg.sg.data[1].offset, 100);
	assert_int_equal(r->msg.sg.data[1].length, 200);
	assert_int_equal(page_count(frag_page()), 3);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* More than a frag page: the rest of the first 32 KiB page, then the frag
 * drops the used-up page (the element keeps it) and refills.
 *   A B . ...   A = page 1 [0, 32768), B = page 2 [0, 100)
 */
static void test_skmsg_ring_alloc_spans_two_frag_pages(void **state)
{
	struct ring *r = *state;
	struct page *p1, *p2;

	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 32768 + 100, -1), 0);

	p1 = sg_page(&r->msg.sg.data[0]);
	p2 = sg_page(&r->msg.sg.data[1]);
	assert_ptr_not_equal(p1, p2);
	assert_ptr_equal(p2, frag_page());
	assert_int_equal(compound_order(p1), 3);
	assert_int_equal(r->msg.sg.end, 2);
	assert_int_equal(r->msg.sg.data[0].length, 32768);
	assert_int_equal(r->msg.sg.data[1].length, 100);
	assert_int_equal(r->msg.sg.size, 32868);
	assert_int_equal(page_count(p1), 1);	/* only the element */
	assert_int_equal(page_count(p2), 2);	/* frag + element */
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(32868));

	assert_int_equal(sk_msg_free(r->a, &r->msg), 32868);
	assert_int_equal(r->a->sk_forward_alloc, 0);
}

/* A full ring (17 elements) cannot take a new element: -ENOSPC, and the
 * bytes already there stay (no trim on ENOSPC).
 *   A B C ... Q .
 *   S           E
 */
static void test_skmsg_ring_alloc_full_ring_enospc(void **state)
{
	struct ring *r = *state;

	for (int i = 0; i < MAX_MSG_FRAGS; i++)
		alloc_elem(r->a, &r->msg, 10);
	assert_true(sk_msg_full(&r->msg));

	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 180, r->msg.sg.end), -ENOSPC);

	assert_int_equal(r->msg.sg.size, 170);
	assert_int_equal(r->msg.sg.end, MAX_MSG_FRAGS);
	assert_int_equal(page_count(frag_page()), 1 + MAX_MSG_FRAGS);
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 170);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 170);
}

/* A full ring still grows when the bytes coalesce into the last element:
 * sk_msg_full() is only checked when a new element is needed. */
static void test_skmsg_ring_alloc_full_ring_still_coalesces(void **state)
{
	struct ring *r = *state;

	for (int i = 0; i < MAX_MSG_FRAGS; i++)
		alloc_elem(r->a, &r->msg, 10);

	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 180, r->msg.sg.end - 1), 0);

	assert_int_equal(r->msg.sg.size, 180);
	assert_int_equal(r->msg.sg.data[MAX_MSG_FRAGS - 1].length, 20);
	assert_int_equal(page_count(frag_page()), 1 + MAX_MSG_FRAGS);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 180);
}

/* The frag cannot be refilled (both the order-3 and the order-0 page
 * allocation fail): -ENOMEM and the msg is trimmed back to its size
 * before the call, the extra charge given back.
 *   A(100) -> A(32768) + refill fails -> A(100)
 */
static void test_skmsg_ring_alloc_enomem_trims_to_orig_size(void **state)
{
	struct ring *r = *state;
	struct page *p1;

	alloc_elem(r->a, &r->msg, 100);
	p1 = frag_page();
	sim_fail_alloc(SIM_PAGE, 0, 2);

	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 100 + 32768, 0), -ENOMEM);

	assert_int_equal(r->msg.sg.size, 100);
	assert_int_equal(r->msg.sg.end, 1);
	assert_int_equal(r->msg.sg.data[0].length, 100);
	assert_null(frag_page());		/* the frag let go of p1 */
	assert_int_equal(page_count(p1), 1);	/* the element's reference */
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 100);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 100);
}

/* ---- sk_msg_trim ------------------------------------------------------- */

/* Trimming inside the last element shortens it and uncharges the bytes. */
static void test_skmsg_ring_trim_within_last_element(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);

	sk_msg_trim(r->a, &r->msg, 100);

	assert_int_equal(r->msg.sg.size, 100);
	assert_int_equal(r->msg.sg.end, 1);
	assert_int_equal(r->msg.sg.data[0].length, 100);
	assert_int_equal(page_count(frag_page()), 2);
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 100);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 100);
}

/* Trimming to 0 frees every element: end back to start, curr = start,
 * copybreak 0, the page reference and the charge gone. */
static void test_skmsg_ring_trim_to_zero(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);

	sk_msg_trim(r->a, &r->msg, 0);

	assert_int_equal(r->msg.sg.size, 0);
	assert_int_equal(r->msg.sg.start, 0);
	assert_int_equal(r->msg.sg.end, 0);
	assert_int_equal(r->msg.sg.curr, 0);
	assert_int_equal(r->msg.sg.copybreak, 0);
	assert_null(sg_page(&r->msg.sg.data[0]));
	assert_int_equal(page_count(frag_page()), 1);
	assert_int_equal(r->a->sk_forward_alloc, 0);
}

/* Trimming across elements frees whole elements from the end, then
 * shortens the one the new size ends in.
 *   A(100) B(200) C(300) .   -- trim to 150 -->   A(100) B(50) . .
 *   S                    E                        S            E
 */
static void test_skmsg_ring_trim_across_elements(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);
	alloc_elem(r->a, &r->msg, 300);

	sk_msg_trim(r->a, &r->msg, 150);

	assert_int_equal(r->msg.sg.size, 150);
	assert_int_equal(r->msg.sg.end, 2);
	assert_int_equal(r->msg.sg.data[0].length, 100);
	assert_int_equal(r->msg.sg.data[1].length, 50);
	assert_null(sg_page(&r->msg.sg.data[2]));
	assert_int_equal(page_count(frag_page()), 3);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(150));

	assert_int_equal(sk_msg_free(r->a, &r->msg), 150);
}

/* Trimming into the element curr points at clamps copybreak to the new
 * element length, so the next copy does not write past it. */
static void test_skmsg_ring_trim_clamps_copybreak(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);
	assert_int_equal(memcopy_pattern(r->a, &r->msg, 0, 300, 300), 300);
	assert_int_equal(r->msg.sg.curr, 0);
	assert_int_equal(r->msg.sg.copybreak, 300);

	sk_msg_trim(r->a, &r->msg, 100);

	assert_int_equal(r->msg.sg.curr, 0);
	assert_int_equal(r->msg.sg.copybreak, 100);
	assert_int_equal(r->msg.sg.size, 100);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 100);
}

/* Trimming away the element curr points at moves curr back to the new
 * last element, with copybreak at its end.
 *   A(100) B(200) .        trim to 50      A(50) . .
 *   S      C      E       ----------->     S,C   E     copybreak 50
 */
static void test_skmsg_ring_trim_moves_curr_back(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);
	memcopy_pattern(r->a, &r->msg, 0, 300, 300);
	assert_int_equal(r->msg.sg.curr, 1);
	assert_int_equal(r->msg.sg.copybreak, 200);

	sk_msg_trim(r->a, &r->msg, 50);

	assert_int_equal(r->msg.sg.end, 1);
	assert_int_equal(r->msg.sg.curr, 0);
	assert_int_equal(r->msg.sg.copybreak, 50);
	assert_int_equal(r->msg.sg.data[0].length, 50);
	assert_int_equal(page_count(frag_page()), 2);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 50);
}

/* Trimming to more than the size is a caller bug: WARN_ON(trim < 0) and
 * the msg is left alone. */
static void test_skmsg_ring_trim_larger_than_size_warns(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);
	sim_expect_warnings(1);

	sk_msg_trim(r->a, &r->msg, 500);

	assert_int_equal(sim_warnings(), 1);
	assert_int_equal(r->msg.sg.size, 300);
	assert_int_equal(r->msg.sg.end, 1);
	assert_int_equal(r->msg.sg.data[0].length, 300);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* ---- sk_msg_free_partial / sk_msg_free ---------------------------------- */

/* Freeing part of the first element advances its offset; the page
 * reference stays, the freed bytes are uncharged. */
static void test_skmsg_ring_free_partial_within_element(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);

	sk_msg_free_partial(r->a, &r->msg, 100);

	assert_int_equal(r->msg.sg.start, 0);
	assert_int_equal(r->msg.sg.size, 200);
	assert_int_equal(r->msg.sg.data[0].offset, 100);
	assert_int_equal(r->msg.sg.data[0].length, 200);
	assert_int_equal(page_count(frag_page()), 2);
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 200);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 200);
}

/* Freeing exactly the first elements drops their page references and
 * moves start past them.
 *   A(100) B(200) C(300) .   free 300   . . C(300) .
 *   S                    E   ------->       S      E
 */
static void test_skmsg_ring_free_partial_whole_elements(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);
	alloc_elem(r->a, &r->msg, 300);

	sk_msg_free_partial(r->a, &r->msg, 300);

	assert_int_equal(r->msg.sg.start, 2);
	assert_int_equal(r->msg.sg.end, 3);
	assert_int_equal(r->msg.sg.size, 300);
	assert_null(sg_page(&r->msg.sg.data[0]));
	assert_null(sg_page(&r->msg.sg.data[1]));
	assert_int_equal(page_count(frag_page()), 2);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(300));

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* The nocharge variant drops the page references but leaves the charge
 * to the caller. */
static void test_skmsg_ring_free_partial_nocharge(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);

	sk_msg_free_partial_nocharge(r->a, &r->msg, 300);

	assert_int_equal(r->msg.sg.size, 0);
	assert_int_equal(r->msg.sg.start, 1);
	assert_int_equal(page_count(frag_page()), 1);
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 300);	/* still charged */

	sk_mem_uncharge(r->a, 300);
	assert_int_equal(r->a->sk_forward_alloc, 0);
}

/* sk_msg_free returns the bytes freed, drops every page reference and
 * charge, and re-initialises the msg (end marker on the last slot). */
static void test_skmsg_ring_free_uncharges_and_reinits(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);

	assert_int_equal(r->msg.sg.size, 0);
	assert_int_equal(r->msg.sg.start, 0);
	assert_int_equal(r->msg.sg.end, 0);
	assert_null(sg_page(&r->msg.sg.data[0]));
	assert_true(sg_is_last(&r->msg.sg.data[NR_MSG_FRAG_IDS - 1]));
	assert_int_equal(page_count(frag_page()), 1);
	assert_int_equal(r->a->sk_forward_alloc, 0);
}

/* sk_msg_free_nocharge frees the pages but not the charge. */
static void test_skmsg_ring_free_nocharge_keeps_charge(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);

	assert_int_equal(sk_msg_free_nocharge(r->a, &r->msg), 300);

	assert_int_equal(r->msg.sg.size, 0);
	assert_int_equal(page_count(frag_page()), 1);
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 300);

	sk_mem_uncharge(r->a, 300);
	assert_int_equal(r->a->sk_forward_alloc, 0);
}

/* ---- sk_msg_clone ------------------------------------------------------ */

/* A clone shares the pages (one more reference per element), is charged
 * again, and its elements are marked "copy" (sk_msg_page_add) so a BPF
 * program gets no direct data pointer into the shared page. */
static void test_skmsg_ring_clone_shares_page(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);

	assert_int_equal(sk_msg_clone(r->a, &r->dst, &r->msg, 0, 300), 0);

	assert_int_equal(r->dst.sg.size, 300);
	assert_int_equal(r->dst.sg.end, 1);
	assert_ptr_equal(sg_page(&r->dst.sg.data[0]), sg_page(&r->msg.sg.data[0]));
	assert_int_equal(r->dst.sg.data[0].offset, r->msg.sg.data[0].offset);
	assert_true(test_bit(0, r->dst.sg.copy));
	assert_false(test_bit(0, r->msg.sg.copy));
	assert_int_equal(page_count(frag_page()), 3);	/* frag + src + clone */
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(600));

	assert_int_equal(sk_msg_free(r->a, &r->dst), 300);
	assert_int_equal(page_count(frag_page()), 2);
	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* Cloning a range that starts inside one element and runs into the next,
 * adjacent one on the same page gives a single coalesced element.
 *   src: A(100) B(200)    clone off 50 len 200    dst: X = A[50..100) + B[0..150)
 */
static void test_skmsg_ring_clone_range_coalesces_adjacent(void **state)
{
	struct ring *r = *state;
	u32 off0;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);
	off0 = r->msg.sg.data[0].offset;

	assert_int_equal(sk_msg_clone(r->a, &r->dst, &r->msg, 50, 200), 0);

	assert_int_equal(r->dst.sg.end, 1);
	assert_int_equal(r->dst.sg.size, 200);
	assert_int_equal(r->dst.sg.data[0].offset, off0 + 50);
	assert_int_equal(r->dst.sg.data[0].length, 200);
	assert_int_equal(page_count(frag_page()), 4);	/* frag + A + B + X */
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(500));

	assert_int_equal(sk_msg_free(r->a, &r->dst), 200);
	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/*
 * 6.12.117 (kernel bug, not fixed by the series): sk_msg_clone() takes the
 * element to coalesce with, sgd, only while dst->sg.end is not 0. The
 * first source piece goes into dst's last slot (17) and sg.end wraps to 0;
 * the second piece is compared with the stale sgd (slot 16), which ends
 * where it starts in the page, and slot 16 is extended: dst's bytes come
 * out as D E2 E1 instead of D E1 E2. The ring fuzzer keeps clear of it.
 *   page: E1 [0,50) D [50,150) E2 [150,200)
 *   src: E1 E2    dst: slot 16 = D    clone all of src
 */
static void test_skmsg_ring_clone_wrap_extends_stale_element(void **state)
{
	struct ring *r = *state;
	u32 base;

	alloc_elem(r->a, &r->msg, 50);			/* E1 */
	ring_start_at(&r->dst, NR_MSG_FRAG_IDS - 2);
	alloc_elem(r->a, &r->dst, 100);			/* D */
	alloc_elem(r->a, &r->msg, 50);			/* E2 */
	base = r->msg.sg.data[0].offset;
	assert_ptr_equal(sg_page(&r->dst.sg.data[16]), sg_page(&r->msg.sg.data[0]));
	assert_int_equal(r->dst.sg.data[16].offset, base + 50);
	assert_int_equal(r->msg.sg.data[1].offset, base + 150);

	assert_int_equal(sk_msg_clone(r->a, &r->dst, &r->msg, 0, 100), 0);

	assert_int_equal(r->dst.sg.size, 200);
	assert_int_equal(r->dst.sg.end, 0);
	/* slot 16: D and then E2 (not E1) */
	assert_int_equal(r->dst.sg.data[16].offset, base + 50);
	assert_int_equal(r->dst.sg.data[16].length, 150);
	/* slot 17: E1, last in the ring though cloned first */
	assert_int_equal(r->dst.sg.data[17].offset, base);
	assert_int_equal(r->dst.sg.data[17].length, 50);
	assert_int_equal(sk_msg_elem_used(&r->dst), 2);
	/* frag + E1 + D + E2 + the clone of E1 (extending D took none) */
	assert_int_equal(page_count(frag_page()), 5);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(300));

	assert_int_equal(sk_msg_free(r->a, &r->dst), 200);
	assert_int_equal(sk_msg_free(r->a, &r->msg), 100);
}

/* Cloning more than the source holds fails with -ENOSPC after cloning
 * what there is: the caller owns (and must free) the partial clone. */
static void test_skmsg_ring_clone_past_end_enospc(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);

	assert_int_equal(sk_msg_clone(r->a, &r->dst, &r->msg, 0, 400), -ENOSPC);

	assert_int_equal(r->dst.sg.size, 300);
	assert_int_equal(page_count(frag_page()), 3);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(600));

	assert_int_equal(sk_msg_free(r->a, &r->dst), 300);
	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* An offset beyond the source fails before anything is cloned. */
static void test_skmsg_ring_clone_offset_past_end_enospc(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 300);

	assert_int_equal(sk_msg_clone(r->a, &r->dst, &r->msg, 350, 10), -ENOSPC);

	assert_int_equal(r->dst.sg.size, 0);
	assert_int_equal(r->dst.sg.end, 0);
	assert_int_equal(page_count(frag_page()), 2);
	assert_int_equal(r->a->sk_forward_alloc, PAGE_SIZE - 300);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* ---- sk_msg_return / sk_msg_return_zero -------------------------------- */

/* sk_msg_return uncharges @bytes from the front elements and changes
 * nothing else: the msg keeps its elements, pages and size. */
static void test_skmsg_ring_return_uncharges_only(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);

	sk_msg_return(r->a, &r->msg, 150);

	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(150));
	assert_int_equal(r->msg.sg.size, 300);
	assert_int_equal(r->msg.sg.start, 0);
	assert_int_equal(r->msg.sg.data[0].length, 100);
	assert_int_equal(r->msg.sg.data[1].length, 200);
	assert_int_equal(page_count(frag_page()), 3);

	/* 150 bytes are still charged: free without charge, uncharge them */
	assert_int_equal(sk_msg_free_nocharge(r->a, &r->msg), 300);
	sk_mem_uncharge(r->a, 150);
}

/* sk_msg_return_zero uncharges @bytes from the front and zeroes what it
 * consumed, moving start; it neither drops page references nor changes
 * sg.size (tls_sw subtracts the size and owns the pages through its copy
 * of the msg).
 *   A(100) B(200) .   return_zero 150   A(0) B(150) .
 *   S             E   -------------->        S      E
 */
static void test_skmsg_ring_return_zero_consumes_front(void **state)
{
	struct ring *r = *state;
	struct page *page;
	u32 off1;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);
	off1 = r->msg.sg.data[1].offset;
	page = sg_page(&r->msg.sg.data[0]);

	sk_msg_return_zero(r->a, &r->msg, 150);

	assert_int_equal(r->msg.sg.start, 1);
	assert_int_equal(r->msg.sg.size, 300);		/* unchanged */
	assert_int_equal(r->msg.sg.data[0].length, 0);
	assert_int_equal(r->msg.sg.data[0].offset, 0);
	assert_ptr_equal(sg_page(&r->msg.sg.data[0]), page);	/* still linked */
	assert_int_equal(r->msg.sg.data[1].length, 150);
	assert_int_equal(r->msg.sg.data[1].offset, off1 + 50);
	assert_int_equal(page_count(page), 3);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(150));

	/* what tls_sw does with the returned part: drop its page, size -= */
	put_page(page);
	r->msg.sg.size -= 150;
	assert_int_equal(sk_msg_free(r->a, &r->msg), 150);
}

/* ---- sk_msg_memcopy_from_iter ------------------------------------------ */

/* Copying fills the elements in ring order from curr; curr/copybreak end
 * at the last byte written. The return value is what the last
 * copy_from_iter() returned (the bytes of the last element), not the
 * total: tcp_bpf_sendmsg only tests it for < 0. */
static void test_skmsg_ring_memcopy_fills_elements(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);

	assert_int_equal(memcopy_pattern(r->a, &r->msg, 0, 300, 300), 200);

	assert_int_equal(r->msg.sg.curr, 1);
	assert_int_equal(r->msg.sg.copybreak, 200);
	assert_pattern(sg_virt(&r->msg.sg.data[0]), 0, 0, 100);
	assert_pattern(sg_virt(&r->msg.sg.data[1]), 0, 100, 200);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* A second copy resumes at curr + copybreak, inside an element. */
static void test_skmsg_ring_memcopy_resumes_at_copybreak(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);
	assert_int_equal(memcopy_pattern(r->a, &r->msg, 0, 150, 150), 50);
	assert_int_equal(r->msg.sg.curr, 1);
	assert_int_equal(r->msg.sg.copybreak, 50);

	assert_int_equal(memcopy_pattern(r->a, &r->msg, 150, 150, 150), 150);

	assert_int_equal(r->msg.sg.curr, 1);
	assert_int_equal(r->msg.sg.copybreak, 200);
	assert_pattern(sg_virt(&r->msg.sg.data[0]), 0, 0, 100);
	assert_pattern(sg_virt(&r->msg.sg.data[1]), 0, 100, 200);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* The iterator runs out before @bytes: -EFAULT. copybreak was already
 * advanced by the whole planned copy, so the caller has to trim (as
 * tcp_bpf_sendmsg does). */
static void test_skmsg_ring_memcopy_short_iter_efault(void **state)
{
	struct ring *r = *state;

	alloc_elem(r->a, &r->msg, 100);
	alloc_elem(r->a, &r->msg, 200);

	assert_int_equal(memcopy_pattern(r->a, &r->msg, 0, 120, 300), -EFAULT);

	assert_int_equal(r->msg.sg.curr, 1);
	assert_int_equal(r->msg.sg.copybreak, 200);
	assert_pattern(sg_virt(&r->msg.sg.data[0]), 0, 0, 100);
	assert_pattern(sg_virt(&r->msg.sg.data[1]), 0, 100, 20);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* ---- wrap-around --------------------------------------------------------- */

/* Five elements from slot 15 wrap past slot 17 into 0 and 1.
 *   slot: 0 1 2 ... 14 15 16 17
 *         D E .      .  A  B  C
 *             E         S
 */
static void wrap_five(struct ring *r)
{
	ring_start_at(&r->msg, NR_MSG_FRAG_IDS - 3);
	for (int i = 0; i < 5; i++)
		alloc_elem(r->a, &r->msg, 100);
}

static void test_skmsg_ring_wrap_alloc_from_near_end(void **state)
{
	struct ring *r = *state;
	static const u32 slots[] = { 15, 16, 17, 0, 1 };

	wrap_five(r);

	assert_int_equal(r->msg.sg.start, 15);
	assert_int_equal(r->msg.sg.end, 2);
	assert_int_equal(sk_msg_elem_used(&r->msg), 5);
	assert_int_equal(r->msg.sg.size, 500);
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++) {
		assert_int_equal(r->msg.sg.data[slots[i]].length, 100);
		assert_int_equal(r->msg.sg.data[slots[i]].offset, 100 * i);
	}
	assert_null(sg_page(&r->msg.sg.data[2]));
	assert_int_equal(page_count(frag_page()), 6);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(500));

	assert_int_equal(sk_msg_free(r->a, &r->msg), 500);
	assert_int_equal(page_count(frag_page()), 1);
	assert_int_equal(r->a->sk_forward_alloc, 0);
}

/* With the only element in slot 17, end has wrapped to 0, and
 * tcp_bpf_sendmsg's elem_first_coalesce "sg.end - 1" is (int)-1. In
 * sk_msg_try_coalesce_ok() "elem_first_coalesce > msg->sg.start" compares
 * as unsigned (0xffffffff > 17), so the bytes still coalesce into slot 17.
 *   . ... . A       alloc     . ... . A'
 *   E       S       ----->    E       S
 */
static void test_skmsg_ring_wrap_coalesces_when_end_is_zero(void **state)
{
	struct ring *r = *state;

	ring_start_at(&r->msg, NR_MSG_FRAG_IDS - 1);
	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 100, r->msg.sg.end - 1), 0);
	assert_int_equal(r->msg.sg.end, 0);

	assert_int_equal(sk_msg_alloc(r->a, &r->msg, 300, r->msg.sg.end - 1), 0);

	assert_int_equal(r->msg.sg.end, 0);
	assert_int_equal(sk_msg_elem_used(&r->msg), 1);
	assert_int_equal(r->msg.sg.data[17].length, 300);
	assert_int_equal(page_count(frag_page()), 2);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 300);
}

/* Fill the ring, free all but the last element from the front, then
 * append three more: the new elements take slots 17, 0 and 1.
 *   A B ... P Q .   free 16 elems   . ... . Q .   append   R S . ... . Q T
 *   S         E     ------------>           S E   ----->       E       S
 * (ring order after the append: Q(16) T(17) R(0) S(1))
 */
static void test_skmsg_ring_wrap_free_front_then_append(void **state)
{
	struct ring *r = *state;

	for (int i = 0; i < MAX_MSG_FRAGS; i++)
		alloc_elem(r->a, &r->msg, 10);
	sk_msg_free_partial(r->a, &r->msg, 160);
	assert_int_equal(r->msg.sg.start, 16);
	assert_int_equal(page_count(frag_page()), 2);

	for (int i = 0; i < 3; i++)
		alloc_elem(r->a, &r->msg, 10);

	assert_int_equal(r->msg.sg.start, 16);
	assert_int_equal(r->msg.sg.end, 2);
	assert_int_equal(sk_msg_elem_used(&r->msg), 4);
	assert_int_equal(r->msg.sg.size, 40);
	assert_int_equal(r->msg.sg.data[17].length, 10);
	assert_int_equal(r->msg.sg.data[0].length, 10);
	assert_int_equal(r->msg.sg.data[1].length, 10);
	assert_int_equal(r->msg.sg.data[0].offset, 180);	/* frag order */
	assert_int_equal(page_count(frag_page()), 5);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(40));

	assert_int_equal(sk_msg_free(r->a, &r->msg), 40);
	assert_int_equal(page_count(frag_page()), 1);
}

/* Trimming a wrapped ring walks end backwards across slot 0.
 *   D E . ... A B C    trim to 250    . . . ... A B C'
 *       E     S        ---------->    E         S      C' = 50 bytes
 */
static void test_skmsg_ring_wrap_trim_across_wrap(void **state)
{
	struct ring *r = *state;

	wrap_five(r);

	sk_msg_trim(r->a, &r->msg, 250);

	assert_int_equal(r->msg.sg.end, 0);
	assert_int_equal(r->msg.sg.size, 250);
	assert_int_equal(sk_msg_elem_used(&r->msg), 3);
	assert_int_equal(r->msg.sg.data[17].length, 50);
	assert_null(sg_page(&r->msg.sg.data[0]));
	assert_null(sg_page(&r->msg.sg.data[1]));
	assert_int_equal(r->msg.sg.curr, 15);
	assert_int_equal(page_count(frag_page()), 4);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(250));

	assert_int_equal(sk_msg_free(r->a, &r->msg), 250);
}

/* Freeing from the front of a wrapped ring moves start across slot 17.
 *   D E . ... A B C    free 350    D' E . ... . . .
 *       E     S        -------->   S  E              D' = 50 bytes
 */
static void test_skmsg_ring_wrap_free_partial_across_wrap(void **state)
{
	struct ring *r = *state;

	wrap_five(r);

	sk_msg_free_partial(r->a, &r->msg, 350);

	assert_int_equal(r->msg.sg.start, 0);
	assert_int_equal(r->msg.sg.end, 2);
	assert_int_equal(r->msg.sg.size, 150);
	assert_int_equal(r->msg.sg.data[0].offset, 350);
	assert_int_equal(r->msg.sg.data[0].length, 50);
	assert_null(sg_page(&r->msg.sg.data[15]));
	assert_null(sg_page(&r->msg.sg.data[17]));
	assert_int_equal(page_count(frag_page()), 3);
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(150));

	assert_int_equal(sk_msg_free(r->a, &r->msg), 150);
}

/* Copying into a wrapped ring fills slots 15, 16, 17, 0, 1 in order. */
static void test_skmsg_ring_wrap_memcopy_across_wrap(void **state)
{
	struct ring *r = *state;
	static const u32 slots[] = { 15, 16, 17, 0, 1 };

	wrap_five(r);

	assert_int_equal(memcopy_pattern(r->a, &r->msg, 0, 500, 500), 100);

	assert_int_equal(r->msg.sg.curr, 1);
	assert_int_equal(r->msg.sg.copybreak, 100);
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		assert_pattern(sg_virt(&r->msg.sg.data[slots[i]]), 0, 100 * i, 100);

	assert_int_equal(sk_msg_free(r->a, &r->msg), 500);
}

/* Cloning a wrapped ring whose elements are adjacent on one page gives a
 * single element in the clone: one extra page reference, 500 bytes. */
static void test_skmsg_ring_wrap_clone_coalesces(void **state)
{
	struct ring *r = *state;

	wrap_five(r);

	assert_int_equal(sk_msg_clone(r->a, &r->dst, &r->msg, 0, 500), 0);

	assert_int_equal(r->dst.sg.start, 0);
	assert_int_equal(r->dst.sg.end, 1);
	assert_int_equal(r->dst.sg.size, 500);
	assert_int_equal(r->dst.sg.data[0].offset, 0);
	assert_int_equal(r->dst.sg.data[0].length, 500);
	assert_int_equal(page_count(frag_page()), 7);	/* frag + 5 + 1 */
	assert_int_equal(r->a->sk_forward_alloc, fwd_alloc(1000));

	assert_int_equal(sk_msg_free(r->a, &r->dst), 500);
	assert_int_equal(sk_msg_free(r->a, &r->msg), 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		RING_TEST(test_skmsg_ring_alloc_first_element),
		RING_TEST(test_skmsg_ring_alloc_coalesces_same_frag),
		RING_TEST(test_skmsg_ring_alloc_no_coalesce_before_first_elem),
		RING_TEST(test_skmsg_ring_alloc_spans_two_frag_pages),
		RING_TEST(test_skmsg_ring_alloc_full_ring_enospc),
		RING_TEST(test_skmsg_ring_alloc_full_ring_still_coalesces),
		RING_TEST(test_skmsg_ring_alloc_enomem_trims_to_orig_size),
		RING_TEST(test_skmsg_ring_trim_within_last_element),
		RING_TEST(test_skmsg_ring_trim_to_zero),
		RING_TEST(test_skmsg_ring_trim_across_elements),
		RING_TEST(test_skmsg_ring_trim_clamps_copybreak),
		RING_TEST(test_skmsg_ring_trim_moves_curr_back),
		RING_TEST(test_skmsg_ring_trim_larger_than_size_warns),
		RING_TEST(test_skmsg_ring_free_partial_within_element),
		RING_TEST(test_skmsg_ring_free_partial_whole_elements),
		RING_TEST(test_skmsg_ring_free_partial_nocharge),
		RING_TEST(test_skmsg_ring_free_uncharges_and_reinits),
		RING_TEST(test_skmsg_ring_free_nocharge_keeps_charge),
		RING_TEST(test_skmsg_ring_clone_shares_page),
		RING_TEST(test_skmsg_ring_clone_range_coalesces_adjacent),
		RING_TEST(test_skmsg_ring_clone_wrap_extends_stale_element),
		RING_TEST(test_skmsg_ring_clone_past_end_enospc),
		RING_TEST(test_skmsg_ring_clone_offset_past_end_enospc),
		RING_TEST(test_skmsg_ring_return_uncharges_only),
		RING_TEST(test_skmsg_ring_return_zero_consumes_front),
		RING_TEST(test_skmsg_ring_memcopy_fills_elements),
		RING_TEST(test_skmsg_ring_memcopy_resumes_at_copybreak),
		RING_TEST(test_skmsg_ring_memcopy_short_iter_efault),
		RING_TEST(test_skmsg_ring_wrap_alloc_from_near_end),
		RING_TEST(test_skmsg_ring_wrap_coalesces_when_end_is_zero),
		RING_TEST(test_skmsg_ring_wrap_free_front_then_append),
		RING_TEST(test_skmsg_ring_wrap_trim_across_wrap),
		RING_TEST(test_skmsg_ring_wrap_free_partial_across_wrap),
		RING_TEST(test_skmsg_ring_wrap_memcopy_across_wrap),
		RING_TEST(test_skmsg_ring_wrap_clone_coalesces),
	};

	return SIM_RUN_GROUP("skmsg_ring", tests);
}
