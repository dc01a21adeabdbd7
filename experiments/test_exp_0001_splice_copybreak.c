// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_bpf_exp_copybreak: experiments/0001-tcp_bpf-splice-copybreak.patch.
 * Built and run by make check only when EXTRA_PATCHES applies that
 * experiment (experiments/experiments.mk): its expectations hold with it
 * and not without it.
 *
 * TX->RX: A's sk_msg verdict redirects to B's ingress; B splices into a
 * pipe. Chunks below the copybreak (256 bytes) are copied into B's page
 * fragment and packed into one pipe buffer; larger ones go by reference.
 *
 *   ingress_msg: [64][64][64]...[64]          (64 sk_msgs of 64 B)
 *   pipe:        [ B's frag: 4096 B ]         (one buffer, one page ref)
 *
 * Every test checks the bytes that come out of the pipe; the fixture's
 * teardown checks the ledger (every page reference given back, nothing
 * leaked) and B's accounting, and the suite runs with the accounting
 * invariants checked after every step.
 */
#include "sim_test.h"
#include <sim/pipe.h>
#include <sim/series.h>
#include <sim/experiments.h>

#if !SIM_EXP_SPLICE_COPYBREAK || !SIM_LEVEL_AT_LEAST(FULL)
#error "built only with experiments/0001 on the full series (EXTRA_PATCHES)"
#endif

#define COPYBREAK	256

static struct {
	struct sock *a, *b;
	struct bpf_map *map;
	struct sim_verdict v;
	struct pipe_inode_info *pipe;
} fx;

/* @own_frag: B copies into its own sk_frag, not the task's page fragment
 * that A's sends fill too (sk_use_task_frag off, as for a socket whose
 * allocations must not sleep), so that the tests know where it ends. */
static void copybreak_setup_frag(unsigned int pipe_bufs, bool own_frag)
{
	sim_tcp_pair(&fx.a, &fx.b, "A", "B");
	fx.b->sk_use_task_frag = !own_frag;
	fx.map = sim_sockmap_create(2);
	fx.v = (struct sim_verdict){ .action = SIM_REDIRECT, .map = fx.map,
				     .key = 1, .flags = BPF_F_INGRESS };
	assert_int_equal(sim_prog_attach(sim_prog_msg_verdict(&fx.v), fx.map,
					 BPF_SK_MSG_VERDICT), 0);
	assert_int_equal(sim_map_update(fx.map, 0, fx.a, BPF_ANY), 0);
	assert_int_equal(sim_map_update(fx.map, 1, fx.b, BPF_ANY), 0);
	sim_set_nonblock(fx.b, true);
	fx.pipe = sim_pipe_create(pipe_bufs);
}

static void copybreak_setup(unsigned int pipe_bufs)
{
	copybreak_setup_frag(pipe_bufs, false);
}

/* A sends @n messages of @len bytes, stream bytes from @off on. */
static void send_msgs(size_t off, unsigned int n, size_t len)
{
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(sim_send_pattern(fx.a, 0, off + i * len, len, 0), len);
}

static u32 queued(void)
{
	return sk_psock(fx.b)->msg_tot_len;
}

/* Read @len bytes from the pipe: stream bytes [off, off+len), then empty. */
static void pipe_expect(size_t off, size_t len)
{
	unsigned char *buf = malloc(len + 1);

	assert_non_null(buf);
	assert_int_equal(sim_pipe_read(fx.pipe, buf, len + 1), len);
	assert_pattern(buf, 0, off, len);
	free(buf);
}

/* The copybreak's point: 64 sends of 64 B move whole in one splice into
 * a 16-slot pipe (the full series moves 1024 of them, a slot each). */
static void test_tcp_bpf_exp_copybreak_small_msgs_one_buffer(void **state)
{
	struct page_frag *pfrag;

	(void)state;
	copybreak_setup(PIPE_DEF_BUFFERS);
	pfrag = sk_page_frag(fx.b);
	send_msgs(0, 64, 64);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 4096, SPLICE_F_NONBLOCK), 4096);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 1);
	/* B's page fragment, one reference for the one buffer */
	assert_ptr_equal(sim_pipe_peek(fx.pipe, 0)->page, pfrag->page);
	assert_int_equal(sim_pipe_peek(fx.pipe, 0)->len, 4096);
	assert_int_equal(page_count(pfrag->page), 2);
	assert_int_equal(queued(), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
	pipe_expect(0, 4096);
}

/* 255 bytes are copied into B's fragment, 256 go by reference: the
 * sk_msg's own page, its offset, one more reference. */
static void test_tcp_bpf_exp_copybreak_threshold(void **state)
{
	struct sk_msg *msg;
	struct page *page;
	u32 offset;

	(void)state;
	copybreak_setup(PIPE_DEF_BUFFERS);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, COPYBREAK - 1, 0), COPYBREAK - 1);
	assert_int_equal(sim_send_pattern(fx.a, 0, COPYBREAK - 1, COPYBREAK, 0), COPYBREAK);
	msg = list_last_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	page = sg_page(&msg->sg.data[msg->sg.start]);
	offset = msg->sg.data[msg->sg.start].offset;
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 2 * COPYBREAK - 1, SPLICE_F_NONBLOCK),
			 2 * COPYBREAK - 1);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 2);
	assert_ptr_equal(sim_pipe_peek(fx.pipe, 0)->page, sk_page_frag(fx.b)->page);
	assert_int_equal(sim_pipe_peek(fx.pipe, 0)->len, COPYBREAK - 1);
	assert_ptr_equal(sim_pipe_peek(fx.pipe, 1)->page, page);
	assert_int_equal(sim_pipe_peek(fx.pipe, 1)->offset, offset);
	assert_int_equal(sim_pipe_peek(fx.pipe, 1)->len, COPYBREAK);
	pipe_expect(0, 2 * COPYBREAK - 1);
}

/* Mixed: 64, 1024, 64, 64. The small chunk after the large one cannot
 * extend a buffer that is not B's fragment: a new one, at the fragment's
 * next free byte, which the last small chunk then extends.
 *
 *   pipe: [frag +0: 64][A's page: 1024][frag +64: 128]
 */
static void test_tcp_bpf_exp_copybreak_mixed_sizes(void **state)
{
	struct page *frag, *page;
	struct sk_msg *msg;
	u32 offset;

	(void)state;
	copybreak_setup_frag(PIPE_DEF_BUFFERS, true);
	assert_int_equal(sim_send_pattern(fx.a, 0, 0, 64, 0), 64);
	assert_int_equal(sim_send_pattern(fx.a, 0, 64, 1024, 0), 1024);
	msg = list_last_entry(&sk_psock(fx.b)->ingress_msg, struct sk_msg, list);
	page = sg_page(&msg->sg.data[msg->sg.start]);
	offset = msg->sg.data[msg->sg.start].offset;
	assert_int_equal(sim_send_pattern(fx.a, 0, 1088, 64, 0), 64);
	assert_int_equal(sim_send_pattern(fx.a, 0, 1152, 64, 0), 64);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 1216, SPLICE_F_NONBLOCK), 1216);
	frag = sk_page_frag(fx.b)->page;
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 3);
	assert_ptr_equal(sim_pipe_peek(fx.pipe, 0)->page, frag);
	assert_int_equal(sim_pipe_peek(fx.pipe, 0)->len, 64);
	assert_ptr_equal(sim_pipe_peek(fx.pipe, 1)->page, page);	/* by reference */
	assert_int_equal(sim_pipe_peek(fx.pipe, 1)->offset, offset);
	assert_int_equal(sim_pipe_peek(fx.pipe, 1)->len, 1024);
	assert_ptr_equal(sim_pipe_peek(fx.pipe, 2)->page, frag);
	assert_int_equal(sim_pipe_peek(fx.pipe, 2)->offset,
			 sim_pipe_peek(fx.pipe, 0)->offset + 64);
	assert_int_equal(sim_pipe_peek(fx.pipe, 2)->len, 128);
	/* two buffers on B's own fragment: two references besides B's */
	assert_int_equal(page_count(frag), 3);
	pipe_expect(0, 1216);
}

/* A pipe that fills during the call still takes small chunks that
 * extend its last buffer. (A pipe full before the call is refused before
 * splice_read runs, and each call moves at most a page per free slot:
 * do_splice_read().) */
static void test_tcp_bpf_exp_copybreak_full_pipe_appends(void **state)
{
	(void)state;
	copybreak_setup(1);
	send_msgs(0, 10, 100);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, 1000, SPLICE_F_NONBLOCK), 1000);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 1);
	assert_int_equal(queued(), 0);
	pipe_expect(0, 1000);
}

/* 8 messages of 256 B (by reference, a slot each), then 170 of 200 B.
 * B's own fragment is fresh: its buffer grows to the fragment's end. */
#define BIG_MSGS	8
#define BIG		(BIG_MSGS * COPYBREAK)
#define SMALL_MSGS	170
#define TOTAL		(BIG + SMALL_MSGS * 200)
#define FRAG_SIZE	32768	/* skb_page_frag_refill(): an order-3 page */

static void send_big_then_small(void)
{
	assert_null(sk_page_frag(fx.b)->page);
	send_msgs(0, BIG_MSGS, COPYBREAK);
	send_msgs(BIG, SMALL_MSGS, 200);
}

/* The error path, pipe full: a 9-slot pipe. After the 8 by-reference
 * buffers the 9th grows to the end of B's fragment; message 164 has 168 of
 * its 200 bytes appended there, and its last 32 find the pipe full. The
 * 168 bytes are in the pipe and count as consumed: the splice returns
 * them, and the next one goes on at the 169th byte.
 *
 *   pipe: [256]x8 [frag 0 .. 32768: msgs 1-163, 168 B of msg 164]  (full)
 *   ingress_msg: [32 B of msg 164][msg 165] .. [msg 170]
 */
static void test_tcp_bpf_exp_copybreak_frag_end_pipe_full(void **state)
{
	struct page_frag *pfrag;

	(void)state;
	copybreak_setup_frag(BIG_MSGS + 1, true);
	pfrag = sk_page_frag(fx.b);
	send_big_then_small();
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, TOTAL, SPLICE_F_NONBLOCK),
			 BIG + FRAG_SIZE);
	assert_int_equal(pfrag->size, FRAG_SIZE);
	assert_int_equal(pfrag->offset, FRAG_SIZE);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), BIG_MSGS + 1);
	assert_int_equal(sim_pipe_peek(fx.pipe, BIG_MSGS)->len, FRAG_SIZE);
	assert_int_equal(queued(), TOTAL - BIG - FRAG_SIZE);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), TOTAL - BIG - FRAG_SIZE);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, TOTAL, SPLICE_F_NONBLOCK), -EAGAIN);
	pipe_expect(0, BIG + FRAG_SIZE);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, TOTAL, SPLICE_F_NONBLOCK),
			 TOTAL - BIG - FRAG_SIZE);
	pipe_expect(BIG + FRAG_SIZE, TOTAL - BIG - FRAG_SIZE);
	assert_int_equal(queued(), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* The error path, no memory: as above with a free slot, but no page for
 * the rest of message 164: the order-3 page and its order-0 fallback
 * fail, and again when the walk offers the last 32 bytes once more. The
 * 168 bytes appended count; the next splice moves the rest. */
static void test_tcp_bpf_exp_copybreak_frag_end_enomem(void **state)
{
	(void)state;
	copybreak_setup_frag(BIG_MSGS + 2, true);
	send_big_then_small();
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, BIG + 163 * 200, SPLICE_F_NONBLOCK),
			 BIG + 163 * 200);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), BIG_MSGS + 1);
	sim_fail_alloc(SIM_PAGE, 0, 4);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, TOTAL, SPLICE_F_NONBLOCK),
			 FRAG_SIZE - 163 * 200);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), BIG_MSGS + 1);
	assert_int_equal(sim_pipe_peek(fx.pipe, BIG_MSGS)->len, FRAG_SIZE);
	assert_int_equal(queued(), TOTAL - BIG - FRAG_SIZE);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), TOTAL - BIG - FRAG_SIZE);
	assert_int_equal(sim_splice_read(fx.b, fx.pipe, TOTAL, SPLICE_F_NONBLOCK),
			 TOTAL - BIG - FRAG_SIZE);
	assert_int_equal(sim_pipe_nr_bufs(fx.pipe), BIG_MSGS + 2);
	pipe_expect(0, TOTAL);
	assert_int_equal(queued(), 0);
	assert_int_equal(atomic_read(&fx.b->sk_rmem_alloc), 0);
}

/* The pipe drained between splices: the fragment is reused (B holds the
 * only reference again) and the bytes keep their order. */
static void test_tcp_bpf_exp_copybreak_drained_between_splices(void **state)
{
	(void)state;
	copybreak_setup_frag(PIPE_DEF_BUFFERS, true);
	for (int round = 0; round < 4; round++) {
		send_msgs(round * 512, 8, 64);
		assert_int_equal(sim_splice_read(fx.b, fx.pipe, 512, SPLICE_F_NONBLOCK), 512);
		assert_int_equal(sim_pipe_nr_bufs(fx.pipe), 1);
		/* B's fragment is B's alone again: reused from its start */
		assert_int_equal(sim_pipe_peek(fx.pipe, 0)->offset, 0);
		pipe_expect(round * 512, 512);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_tcp_bpf_exp_copybreak_small_msgs_one_buffer),
		SIM_TEST(test_tcp_bpf_exp_copybreak_threshold),
		SIM_TEST(test_tcp_bpf_exp_copybreak_mixed_sizes),
		SIM_TEST(test_tcp_bpf_exp_copybreak_full_pipe_appends),
		SIM_TEST(test_tcp_bpf_exp_copybreak_frag_end_pipe_full),
		SIM_TEST(test_tcp_bpf_exp_copybreak_frag_end_enomem),
		SIM_TEST(test_tcp_bpf_exp_copybreak_drained_between_splices),
	};

	return SIM_RUN_GROUP_INVARIANTS("tcp_bpf_exp_copybreak", tests);
}
