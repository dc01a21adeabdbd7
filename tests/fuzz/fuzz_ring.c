// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz/fuzz_ring.c: the sk_msg scatterlist ring API of the real
 * net/core/skmsg.c under libFuzzer (and replayed by the gcc build,
 * tests/fuzz/replay.c). The fuzzing counterpart of tests/test_skmsg_ring.c.
 *
 * The world: a loopback pair A <-> B (only A is used), two sk_msgs M0 and
 * M1 charged to A, built from A's page frag (current->task_frag, order-3
 * pages) with sk_msg_alloc() and written with sk_msg_memcopy_from_iter();
 * trimmed, freed from the front (charged or not), returned, cloned into
 * each other. A msg can be moved to A's own psock->ingress_msg (A joins a
 * SOCKMAP on first use), as bpf_tcp_ingress() queues a msg (charged to A,
 * counted in sk_rmem_alloc), and read back with sk_msg_recvmsg(), with the
 * series' __sk_msg_read() and a test read actor (level copy and above), or
 * spliced into a pipe of 8 buffers by tcp_bpf_splice_read() (level copy: a
 * copy; full: page references) and read from the pipe.
 *
 * Every operation is a legal use of the API, as its kernel callers make it
 * (tcp_bpf_sendmsg, tcp_bpf_send_verdict, tls_sw): alloc then copy into
 * the allocated tail; on -EFAULT trim back to where the copy started;
 * never trim above the size, free more than the size or clone from an
 * empty msg; after consuming from the front, point curr/copybreak at the
 * tail (tcp_bpf_cork_set_tail()); after sk_msg_return() only the nocharge
 * frees (the caller owns the charge); after sk_msg_return_zero() drop the
 * consumed elements and subtract the size (tls_sw's
 * bpf_exec_tx_verdict()). So any crash or oracle violation is a finding in
 * skmsg.c / tcp_bpf.c or in the sim, not harness misuse. Operations whose
 * precondition does not hold are skipped.
 *
 * The oracle, after every operation (the ring walk and byte comparison
 * of a msg the operation does not touch every FULL_CHECK_EVERY operations
 * and at the end: check_state()):
 *   - each msg: its ring from sg.start to sg.end (wrapping at
 *     NR_MSG_FRAG_IDS) has at most MAX_MSG_FRAGS elements, each with a live
 *     page, length > 0, inside the page, not marked last; the slots outside
 *     it are empty; the lengths add up to sg.size == the model's size; the
 *     bytes (sg_virt) are the model's bytes (those the harness wrote);
 *   - the ingress queue: the same for every queued msg, in order;
 *     msg_tot_len and sk_rmem_alloc == the queued bytes;
 *   - what reads return is the model's byte stream, in order, exactly as
 *     much as the model predicts (recvmsg, peek, the test actor);
 *     splice takes at most what is queued, the pipe gives back exactly
 *     what was spliced;
 *   - every page referenced by a msg element, the page frag or a pipe
 *     buffer is live and its refcount is exactly the number of those
 *     references;
 *   - accounting: with C the bytes charged (the model's), sk_forward_alloc
 *     follows the kernel's rules (PAGE_SIZE - C % PAGE_SIZE) % PAGE_SIZE
 *     after an allocation, + uncharged bytes with whole pages reclaimed,
 *     - cloned bytes), sk_forward_alloc + C == PAGE_SIZE * the pages tcp
 *     memory_allocated grew by, sk_wmem_queued == 0;
 *   - no WARN, no ledger violation;
 * and at the end, after freeing both msgs and closing everything, the
 * world's teardown checks (no leak, no double free, no reference on slab
 * memory, accounting back to 0). Allocation failures (OP_FAIL) may make
 * operations fail, with the documented error, never break the model.
 * A violation prints one line "sockmap-sim: oracle: ..." and traps.
 *
 * Input layout: operations, at most MAX_OPS, each an opcode byte (modulo
 * OP_NR) and its arguments (u16 are big-endian; a missing byte reads 0).
 * "sel" picks the msg: bit 0 (M0/M1), higher bits as noted. Sizes are
 * clamped to what the msg holds.
 *   OP_ALLOC       u8 sel, u16 len    sk_msg_alloc() to size + len + 1;
 *                                     elem_first_coalesce by sel bits 1-2:
 *                                     end - 1 (as tcp_bpf_sendmsg), end
 *                                     (a new element), -1, start
 *   OP_COPY        u8 sel, u16 len    sk_msg_memcopy_from_iter() of n bytes
 *                                     into the unwritten tail, n = 1 +
 *                                     (len - 1) % unwritten, 0: all of it
 *   OP_COPY_SHORT  u8 sel, u16 len, u16 have   the same with an iterator of
 *                                     have % n bytes: -EFAULT, then
 *                                     sk_msg_trim() back (tcp_bpf_sendmsg)
 *   OP_TRIM        u8 sel, u16 len    sk_msg_trim() to len % (size + 1)
 *   OP_FREE_PARTIAL u8 sel, u16 len   sk_msg_free_partial() of len %
 *                                     (size + 1) bytes; sel bit 1: _nocharge
 *   OP_FREE        u8 sel             sk_msg_free(); sel bit 1: _nocharge
 *   OP_RETURN      u8 sel, u16 len    sk_msg_return() of 1 + (len - 1) % size
 *                                     bytes (0: size)
 *   OP_RETURN_ZERO u8 sel, u16 len    sk_msg_return_zero(), as OP_RETURN
 *   OP_CLONE       u8 sel, u16 off, u16 len   sk_msg_clone() of the other
 *                                     msg into this one at off % (size + 4)
 *                                     (never off == size with len > 0)
 *   OP_UNCHARGE                       sk_mem_uncharge() what _nocharge
 *                                     frees left charged
 *   OP_START_AT    u8 sel, u8 slot    an empty msg starts at slot % 18
 *   OP_FAIL        u8 kind, u8 skip, u8 n   sim_fail_alloc() of page, slab,
 *                                     sk_msg, sock memory, psock
 *   OP_QUEUE       u8 sel             move the msg to A's ingress_msg; sel
 *                                     bit 1: msg->sk = A (copied_from_self)
 *   OP_RECV        u8 flags, u16 len  sk_msg_recvmsg() of len + 1 bytes;
 *                                     flags bit 0: MSG_PEEK
 *   OP_READ        u8 mode, u16 len, u16 limit   __sk_msg_read() of len + 1
 *                                     bytes with an actor that takes at most
 *                                     step bytes a call (mode bits 2-7:
 *                                     0 = all) and stops after limit bytes
 *                                     returning 0 (mode bit 1: -EIO); mode
 *                                     bit 0: MSG_PEEK. Below level copy:
 *                                     sk_msg_recvmsg()
 *   OP_SPLICE      u16 len            splice(A -> pipe, len + 1, NONBLOCK)
 *   OP_PIPE_READ   u16 len            read(pipe, len + 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/ledger.h>
#include <sim/pipe.h>
#include <sim/series.h>
#include <sim/experiments.h>
#include "fuzz_state.h"

struct fuzz_state fuzz_state;	/* the input's end state (fuzz_state.h) */

#define MAX_OPS		128
#define FRAG_SIZE	32768u			/* an order-3 page frag */
#define MSG_CAP		(MAX_MSG_FRAGS * FRAG_SIZE)	/* bytes a msg can hold */
#define MAX_QUEUED	16			/* msgs on ingress_msg */
#define PIPE_BUFS	8
#define PIPE_CAP	(1u << 20)
#define IO_CAP		(1u << 20)		/* read/write buffers */

enum { OP_ALLOC, OP_COPY, OP_COPY_SHORT, OP_TRIM, OP_FREE_PARTIAL, OP_FREE,
       OP_RETURN, OP_RETURN_ZERO, OP_CLONE, OP_UNCHARGE, OP_START_AT, OP_FAIL,
       OP_QUEUE, OP_RECV, OP_READ, OP_SPLICE, OP_PIPE_READ, OP_NR };

static const enum sim_kind fail_kinds[] = { SIM_PAGE, SIM_SLAB, SIM_SK_MSG, SIM_SOCK,
					    SIM_PSOCK };

/* SOCKMAP_SIM_FUZZ_TRACE=1: print every operation and its result (to
 * read a reproducer). */
static bool trace;
#define TRACE(...) do { if (trace) fprintf(stderr, "  fuzz: " __VA_ARGS__); } while (0)

#define oracle(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "sockmap-sim: oracle: " __VA_ARGS__); \
			fprintf(stderr, "\n");				\
			__builtin_trap();				\
		}							\
	} while (0)

/* The bytes a msg must hold, in order: b[off .. off + size); k[] says
 * which ones are known (written by the harness; allocated but unwritten
 * bytes are not). */
struct model {
	u8 *b, *k;
	u32 off, size;
	/* The model's contents version (model_touch()), and the msg elements
	 * whose bytes check_ring() found to be the model's, by ring slot:
	 * page, offset, length, where in the model (off + position) and at
	 * which version. An element whose slot still says all of that is not
	 * compared again but in a full check (check_state()). */
	u64 gen;
	struct verified {
		struct page *page;
		u32 offset, length, at;
		u64 gen;
	} vc[NR_MSG_FRAG_IDS];
};

/* The model's bytes (or which ones are known) changed, or moved. */
static void model_touch(struct model *m)
{
	static u64 gens;

	m->gen = ++gens;
}

/* A msg of the harness (M0, M1). */
struct lmsg {
	struct sk_msg msg;
	struct model m;
	u32 copypos;	/* where the next copy writes: [copypos, size) unwritten */
	u32 ret;	/* bytes at the front uncharged by sk_msg_return() */
};

static struct {
	struct sock *a, *b;
	struct bpf_map *map;
	struct pipe_inode_info *pipe;
	bool joined, faults;
	struct lmsg l[2];
	struct {		/* psock->ingress_msg, in order */
		struct sk_msg *msg;
		struct model m;
		bool self;
	} q[MAX_QUEUED];
	int nq;
	struct model pipe_m;	/* what the pipe holds */
	u8 *pool[MAX_QUEUED + 2];	/* free model buffers */
	int npool;
	u64 stamp;		/* bytes written so far: the pattern's position */
	long fwd;		/* the model's sk_forward_alloc of A */
	long orphan;		/* charged bytes _nocharge frees left to us */
	long mem_base;		/* tcp memory_allocated at the start */
	u8 *io;
} w;

static u8 pat(u64 i)
{
	return (u8)(i * 31 + (i >> 8) * 7 + (i >> 16) * 13 + 1);
}

/* pat() of a 256-byte block whose (i >> 8) * 7 + (i >> 16) * 13 + 1 is c:
 * pat_tab[c][i & 255] (filled and checked against pat() at start-up). */
static u8 pat_tab[256][256];

/* pat(from), pat(from + 1), ... into @buf, a block at a time. */
static void pat_fill(u8 *buf, u64 from, u32 n)
{
	while (n) {
		u64 b = from >> 8;
		u32 j = from & 255, c = min(n, 256 - j);

		memcpy(buf, &pat_tab[(u8)(b * 7 + (b >> 8) * 13 + 1)][j], c);
		buf += c;
		from += c;
		n -= c;
	}
}

static void pat_init(void)
{
	static u8 t[3 * 65536 + 7];

	for (int c = 0; c < 256; c++)
		for (int j = 0; j < 256; j++)
			pat_tab[c][j] = (u8)(j * 31 + c);
	pat_fill(t, 65536 - 300, sizeof(t));
	for (u32 i = 0; i < sizeof(t); i++)
		if (t[i] != pat(65536 - 300 + i))
			abort();
}

struct input {
	const u8 *p;
	size_t n;
};

static unsigned int take(struct input *in, int bytes)
{
	unsigned int v = 0;

	for (int i = 0; i < bytes; i++) {
		v = v << 8 | (in->n ? *in->p : 0);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

/* ---- the model ---------------------------------------------------------- */

static u8 *buf_get(void)
{
	oracle(w.npool > 0, "out of model buffers");
	return w.pool[--w.npool];
}

static void buf_put(u8 *buf)
{
	w.pool[w.npool++] = buf;
}

static void model_new(struct model *m)
{
	m->b = buf_get();
	m->k = m->b + MSG_CAP;
	m->off = m->size = 0;
	model_touch(m);
}

static void model_compact(struct model *m)
{
	memmove(m->b, m->b + m->off, m->size);
	memmove(m->k, m->k + m->off, m->size);
	m->off = 0;
	model_touch(m);
}

/* Drop @n bytes from the front. */
static void model_pull(struct model *m, u32 n)
{
	m->off += n;
	m->size -= n;
	if (!m->size)
		m->off = 0;
}

/* Make room for @n more bytes at the end of a msg's model. */
static void model_room(struct model *m, u32 n)
{
	oracle(m->size + n <= MSG_CAP, "a msg of %u bytes: more than %u", m->size + n,
	       MSG_CAP);
	if (m->off + m->size + n > MSG_CAP)
		model_compact(m);
}

/* Append @n unknown bytes. */
static void model_grow(struct model *m, u32 n)
{
	model_room(m, n);
	memset(m->k + m->off + m->size, 0, n);
	m->size += n;
	model_touch(m);
}

/* A byte count for an operation on @max bytes: 1 .. max, 0 = all. */
static u32 clampn(u32 len, u32 max)
{
	return len && max ? (len - 1) % max + 1 : max;
}

static u32 charged(void)
{
	u32 c = 0;

	for (int i = 0; i < 2; i++)
		c += w.l[i].m.size - w.l[i].ret;
	for (int i = 0; i < w.nq; i++)
		c += w.q[i].m.size;
	return c + w.orphan;
}

static u32 queued(void)
{
	u32 n = 0;

	for (int i = 0; i < w.nq; i++)
		n += w.q[i].m.size;
	return n;
}

/* The bytes charged to A's sk_forward_alloc: with experiments/0003 the
 * queued msgs are charged to A's psock's ingress_fwd instead. */
static u32 charged_a(void)
{
	return charged() - (SIM_EXP_LOCKLESS_INGRESS ? queued() : 0);
}

static long fwd_after_alloc(void)
{
	return (PAGE_SIZE - charged_a() % PAGE_SIZE) % PAGE_SIZE;
}

/* sk_mem_uncharge(A, n) as the model sees it: whole pages reclaimed. */
static void model_uncharge(long n)
{
	if (n <= 0)
		return;
	w.fwd += n;
	if (w.fwd >= (long)PAGE_SIZE)
		w.fwd %= PAGE_SIZE;
}

/* ---- the checks --------------------------------------------------------- */

/* The next stretch [@from, @to) at or after @x of the @n flags at @k that
 * are all @v (0 or 1): false if there is none. */
static bool next_run(const u8 *k, u32 n, u32 x, int v, u32 *from, u32 *to)
{
	const u8 *start = x < n ? memchr(k + x, v, n - x) : NULL, *end;

	if (!start)
		return false;
	*from = start - k;
	end = memchr(k + *from, !v, n - *from);
	*to = end ? (u32)(end - k) : n;
	return true;
}

/*
 * The first of @n bytes at @p that differs from the model's known byte
 * (@b where @k is set), or @n if none does. The same comparison as a loop
 * over every byte, done run by run: memchr() finds where the known
 * stretches begin and end, memcmp() compares each, and only a stretch
 * that differs is walked byte by byte to name the first bad one. (A byte
 * loop costs an instrumented compare per byte under -fsanitize-coverage:
 * most of the ring harness's time went there.)
 */
static u32 known_mismatch(const u8 *p, const u8 *b, const u8 *k, u32 n)
{
	u32 from, to;

	for (u32 j = 0; next_run(k, n, j, 1, &from, &to); j = to)
		if (memcmp(p + from, b + from, to - from))
			for (u32 x = from; x < to; x++)
				if (p[x] != b[x])
					return x;
	return n;
}

/*
 * known_mismatch() for a msg element against its own model, @b the
 * model's bytes: when every byte equals the model's, known or not, one
 * memcmp() says so. Otherwise known_mismatch() decides, and when the
 * known bytes match, the unknown ones (allocated, never written: the
 * model does not constrain them) are recorded in @b as the page holds
 * them, so that the next check of an unchanged element is one memcmp()
 * again. Only bytes the model does not know are ever overwritten.
 */
static u32 model_mismatch(const u8 *p, u8 *b, const u8 *k, u32 n)
{
	u32 j, from, to;

	if (!memcmp(p, b, n))
		return n;
	j = known_mismatch(p, b, k, n);
	if (j < n)
		return j;
	for (u32 x = 0; next_run(k, n, x, 0, &from, &to); x = to)
		memcpy(b + from, p + from, to - from);
	return n;
}

static u32 slot_next(u32 i)
{
	return i + 1 == NR_MSG_FRAG_IDS ? 0 : i + 1;
}

static void check_ring(struct sk_msg *msg, struct model *m, const char *what,
		       bool clean_outside, bool full)
{
	u32 i = msg->sg.start, n = 0, size = 0;

	oracle(msg->sg.start < NR_MSG_FRAG_IDS && msg->sg.end < NR_MSG_FRAG_IDS,
	       "%s: start %u end %u", what, msg->sg.start, msg->sg.end);
	oracle(sk_msg_elem_used(msg) <= MAX_MSG_FRAGS, "%s: %u elements", what,
	       sk_msg_elem_used(msg));
	oracle(msg->sg.size == m->size, "%s: sg.size %u, the model says %u", what,
	       msg->sg.size, m->size);
	while (i != msg->sg.end) {
		struct scatterlist *sge = sk_msg_elem(msg, i);
		struct page *page = sg_page(sge);
		struct verified *vc;
		const u8 *p;
		u32 j;

		oracle(page && sim_ledger_is_live(SIM_PAGE, page),
		       "%s: element %u (slot %u) has no live page", what, n, i);
		oracle(sge->length > 0, "%s: element %u (slot %u) is empty", what, n, i);
		oracle(sge->offset + sge->length <= PAGE_SIZE << compound_order(page),
		       "%s: element %u (slot %u) [%u, +%u) outside its page", what, n, i,
		       sge->offset, sge->length);
		oracle(!sg_is_last(sge), "%s: element %u (slot %u) marked last", what, n, i);
		oracle(size + sge->length <= m->size, "%s: the elements hold more than %u bytes",
		       what, m->size);
		p = sg_virt(sge);
		vc = &m->vc[i];
		if (full || vc->gen != m->gen || vc->page != page || vc->offset != sge->offset ||
		    vc->length != sge->length || vc->at != m->off + size) {
			j = model_mismatch(p, m->b + m->off + size, m->k + m->off + size,
					   sge->length);
			oracle(j == sge->length, "%s: byte %u is 0x%02x, expected 0x%02x (slot %u)",
			       what, size + j, j < sge->length ? p[j] : 0, m->b[m->off + size + j],
			       i);
			*vc = (struct verified){ page, sge->offset, sge->length, m->off + size,
						 m->gen };
		}
		size += sge->length;
		n++;
		sk_msg_iter_var_next(i);
	}
	oracle(size == msg->sg.size, "%s: the elements hold %u bytes, sg.size is %u", what,
	       size, msg->sg.size);
	if (!clean_outside)
		return;
	for (; i != msg->sg.start; i = slot_next(i))
		oracle(!sg_page(&msg->sg.data[i]) && !msg->sg.data[i].length,
		       "%s: slot %u outside the ring is not empty", what, i);
}

/* Page references: every page the harness can see. */
static struct pref {
	struct page *page;
	int refs;
} prefs[2 * NR_MSG_FRAG_IDS * (MAX_QUEUED + 2) + PIPE_BUFS + 1];
static int nprefs;

/* page -> its prefs[] entry, so that counting a reference is not a walk
 * over every page seen so far (a ring of 18 elements per msg, 18 msgs):
 * open addressing, entries of an older check_pages() are stale (gen). */
#define PREF_HASH	2048	/* a power of 2 above twice ARRAY_SIZE(prefs) */
static struct {
	struct page *page;
	u64 gen;
	int idx;
} pref_hash[PREF_HASH];
static u64 pref_gen;
_Static_assert(PREF_HASH >= 2 * ARRAY_SIZE(prefs), "pref_hash too small");

static void pref_add(struct page *page)
{
	unsigned int h;

	page = compound_head(page);
	h = (unsigned int)(((uintptr_t)page * 0x9E3779B97F4A7C15ULL) >> 53) & (PREF_HASH - 1);
	while (pref_hash[h].gen == pref_gen) {
		if (pref_hash[h].page == page) {
			prefs[pref_hash[h].idx].refs++;
			return;
		}
		h = (h + 1) & (PREF_HASH - 1);
	}
	pref_hash[h].page = page;
	pref_hash[h].gen = pref_gen;
	pref_hash[h].idx = nprefs;
	prefs[nprefs++] = (struct pref){ page, 1 };
}

static void pref_msg(struct sk_msg *msg)
{
	for (u32 i = msg->sg.start; i != msg->sg.end; i = slot_next(i))
		pref_add(sg_page(&msg->sg.data[i]));
}

static void check_pages(void)
{
	unsigned int bufs = sim_pipe_nr_bufs(w.pipe);
	u32 inpipe = 0;

	nprefs = 0;
	pref_gen++;
	for (int i = 0; i < 2; i++)
		pref_msg(&w.l[i].msg);
	for (int i = 0; i < w.nq; i++)
		pref_msg(w.q[i].msg);
	if (current->task_frag.page)
		pref_add(current->task_frag.page);
	oracle(bufs <= PIPE_BUFS, "the pipe holds %u buffers", bufs);
	for (unsigned int i = 0; i < bufs; i++) {
		struct pipe_buffer *buf = sim_pipe_peek(w.pipe, i);

		inpipe += buf->len;
		oracle(sim_ledger_is_live(SIM_PAGE, compound_head(buf->page)),
		       "pipe buffer %u: page not live", i);
		pref_add(buf->page);
	}
	oracle(inpipe == w.pipe_m.size, "the pipe holds %u bytes, spliced and unread: %u",
	       inpipe, w.pipe_m.size);
	for (int i = 0; i < nprefs; i++) {
		oracle(sim_ledger_is_live(SIM_PAGE, prefs[i].page), "page %p not live",
		       (void *)prefs[i].page);
		oracle(page_count(prefs[i].page) == prefs[i].refs,
		       "page %p: refcount %d, %d references (msg elements, frag, pipe)",
		       (void *)prefs[i].page, page_count(prefs[i].page), prefs[i].refs);
	}
}

/*
 * Which rings the operation just run may have changed, as its kernel
 * callers' contract says: the msg it works on (M0 or M1; a clone's dst),
 * the msg it moved to ingress_msg (the queue's last), the msg a read or
 * splice stopped in (the queue's first). check_all() compares the bytes
 * and walks the ring of those only, and of every msg in a full check:
 * every FULL_CHECK_EVERY operations, after the world's set-up and at the
 * end of the input. Every other check of check_all() (WARNs, the ledger,
 * the ingress list, msg_tot_len, sk_rmem_alloc, sk_forward_alloc, the
 * conservation of memory_allocated, every page's liveness and refcount
 * against every msg element, the page frag and the pipe) runs after every
 * operation. A ring changed where its operation does not touch it (a
 * kernel write into another msg's element) is still reported, at the next
 * full check, with the same message and the same byte when nothing moved
 * it in between.
 */
#define FULL_CHECK_EVERY	8
/* SOCKMAP_SIM_FUZZ_FULL_CHECK=1: a full check after every operation (to
 * compare the verdicts of both granularities) */
static int full_every = FULL_CHECK_EVERY;
static struct {
	bool msg[2];		/* M0, M1 */
	bool q_first, q_last;	/* ingress_msg's first, last msg */
} dirty;

static bool ring_dirty(bool full, int i)
{
	return full || (i == 0 && dirty.q_first) || (i == w.nq - 1 && dirty.q_last);
}

static void check_state(bool full)
{
	struct sock *a = w.a;
	long pages = sim_tcp_memory_allocated() - w.mem_base, ingress_fwd = 0;
	struct sk_psock *psock;
	struct sk_msg *msg;
	int n = 0;

	oracle(!sim_warnings(), "%ld WARN(s)", sim_warnings());
	oracle(!sim_violations(), "ledger violation: %s", sim_last_violation());
	if (full || dirty.msg[0])
		check_ring(&w.l[0].msg, &w.l[0].m, "M0", true, full);
	if (full || dirty.msg[1])
		check_ring(&w.l[1].msg, &w.l[1].m, "M1", true, full);
	psock = w.joined ? sk_psock_get(a) : NULL;
	oracle(!w.joined || psock, "A has no psock");
	if (psock) {
		list_for_each_entry(msg, &psock->ingress_msg, list) {
			oracle(n < w.nq, "ingress_msg holds more than the %d msgs queued", w.nq);
			oracle(msg == w.q[n].msg, "ingress_msg: msg %d is not the one queued", n);
			if (ring_dirty(full, n))
				check_ring(msg, &w.q[n].m, "queued msg", false, full);
			n++;
		}
		oracle(n == w.nq, "ingress_msg holds %d msgs, the model %d", n, w.nq);
		oracle(psock->msg_tot_len == queued(), "msg_tot_len %u, queued %u",
		       psock->msg_tot_len, queued());
#if SIM_EXP_LOCKLESS_INGRESS
		ingress_fwd = atomic_read(&psock->ingress_fwd);
#endif
		sk_psock_put(a, psock);
	}
	oracle(atomic_read(&a->sk_rmem_alloc) == (int)queued(),
	       "sk_rmem_alloc %d, queued %u", atomic_read(&a->sk_rmem_alloc), queued());
	oracle(!a->sk_wmem_queued, "sk_wmem_queued %d", a->sk_wmem_queued);
	oracle(a->sk_forward_alloc == w.fwd,
	       "sk_forward_alloc %d, the model says %ld (%u bytes charged)",
	       a->sk_forward_alloc, w.fwd, charged());
	/* with experiments/0003, what the psock reserved for the queue too */
	oracle(a->sk_forward_alloc + (long)charged() + ingress_fwd == pages * (long)PAGE_SIZE,
	       "sk_forward_alloc %d + %u bytes charged + ingress_fwd %ld != %ld pages of memory_allocated",
	       a->sk_forward_alloc, charged(), ingress_fwd, pages);
	check_pages();
	memset(&dirty, 0, sizeof(dirty));
}

static void check_all(void)
{
	check_state(true);
}

/* ---- operations ---------------------------------------------------------- */

/* tcp_bpf_cork_set_tail(): the next copy appends after the last byte; on
 * an empty msg curr = start, copybreak = 0 (as sk_msg_trim() to 0). */
static void set_tail(struct lmsg *l)
{
	u32 i = l->msg.sg.end;

	if (!l->msg.sg.size) {
		l->msg.sg.curr = l->msg.sg.start;
		l->msg.sg.copybreak = 0;
	} else {
		sk_msg_iter_var_prev(i);
		l->msg.sg.curr = i;
		l->msg.sg.copybreak = l->msg.sg.data[i].length;
	}
	l->copypos = l->m.size;
}

static void op_alloc(struct lmsg *l, unsigned int sel, u32 len)
{
	u32 old = l->msg.sg.size, target = old + len;
	long fwd = w.fwd;
	int first, ret;

	switch (sel & 3) {
	case 0: first = l->msg.sg.end - 1; break;
	case 1: first = l->msg.sg.end; break;
	case 2: first = -1; break;
	default: first = l->msg.sg.start; break;
	}
	ret = sk_msg_alloc(w.a, &l->msg, target, first);
	TRACE("alloc %u -> %d (first %d, size %u, %u elements)\n", len, ret, first,
	      l->msg.sg.size, sk_msg_elem_used(&l->msg));
	oracle(!ret || ret == -ENOMEM || ret == -ENOSPC, "sk_msg_alloc returned %d", ret);
	oracle(ret != -ENOMEM || w.faults, "sk_msg_alloc: -ENOMEM with no injected failure");
	if (!ret)
		oracle(l->msg.sg.size == target, "sk_msg_alloc to %u: size %u", target,
		       l->msg.sg.size);
	else if (ret == -ENOMEM)
		oracle(l->msg.sg.size == old, "sk_msg_alloc -ENOMEM: size %u, was %u",
		       l->msg.sg.size, old);
	else
		oracle(sk_msg_full(&l->msg) && l->msg.sg.size >= old &&
		       l->msg.sg.size < target,
		       "sk_msg_alloc -ENOSPC: size %u (was %u, asked %u), %u elements",
		       l->msg.sg.size, old, target, sk_msg_elem_used(&l->msg));
	model_grow(&l->m, l->msg.sg.size - old);
	if (!ret) {
		w.fwd = len <= fwd ? fwd - len : fwd_after_alloc();
	} else if (ret == -ENOMEM) {
		/* charged and trimmed back, or failed before any charge */
		long v = w.a->sk_forward_alloc;

		oracle(v == fwd || v == fwd_after_alloc() ||
		       (fwd >= (long)PAGE_SIZE && v == fwd % PAGE_SIZE),
		       "sk_msg_alloc -ENOMEM: sk_forward_alloc %ld, was %ld", v, fwd);
		w.fwd = v;
	} else {
		/* the last chunk was scheduled but not charged: adopt, the
		 * conservation check still holds */
		w.fwd = w.a->sk_forward_alloc;
	}
}

static int copy_in(struct lmsg *l, u32 n, u32 have)
{
	struct iov_iter iter;
	u8 *buf = w.io;

	pat_fill(buf, w.stamp, n);
	iov_iter_ubuf(&iter, ITER_SOURCE, buf, have);
	return sk_msg_memcopy_from_iter(w.a, &iter, &l->msg, n);
}

static void op_copy(struct lmsg *l, u32 len)
{
	u32 room = l->m.size - l->copypos, n = clampn(len, room);
	u32 at = l->m.off + l->copypos;
	int ret;

	if (!room) {
		TRACE("copy: nothing unwritten, skipped\n");
		return;
	}
	ret = copy_in(l, n, n);
	TRACE("copy %u at %u -> %d\n", n, l->copypos, ret);
	oracle(ret > 0 && (u32)ret <= n,
	       "sk_msg_memcopy_from_iter of %u bytes at %u (of %u) returned %d", n, l->copypos,
	       l->m.size, ret);
	memcpy(l->m.b + at, w.io, n);
	memset(l->m.k + at, 1, n);
	model_touch(&l->m);
	l->copypos += n;
	w.stamp += n;
}

static void op_copy_short(struct lmsg *l, u32 len, u32 have)
{
	u32 room = l->m.size - l->copypos, n = clampn(len, room);
	u32 drop = l->m.size - l->copypos;
	int ret;

	if (!room || l->copypos < l->ret) {
		TRACE("copy-short: skipped\n");
		return;
	}
	have %= n;
	ret = copy_in(l, n, have);
	TRACE("copy-short %u (iter %u) at %u -> %d, trim to %u\n", n, have, l->copypos, ret,
	      l->copypos);
	oracle(ret == -EFAULT, "sk_msg_memcopy_from_iter of %u bytes from %u: %d, not -EFAULT",
	       n, have, ret);
	w.stamp += n;
	sk_msg_trim(w.a, &l->msg, l->copypos);
	l->m.size = l->copypos;
	model_uncharge(drop);
}

static void op_trim(struct lmsg *l, u32 len)
{
	u32 size = l->m.size;

	len %= size + 1;
	if (len < l->ret)
		len = l->ret;
	sk_msg_trim(w.a, &l->msg, len);
	TRACE("trim %u -> %u (%u elements)\n", size, len, sk_msg_elem_used(&l->msg));
	l->m.size = len;
	if (l->copypos > len)
		l->copypos = len;
	model_uncharge(size - len);
}

static void op_free_partial(struct lmsg *l, bool nocharge, u32 len)
{
	u32 n = len % (l->m.size + 1);

	if (!nocharge && l->ret) {
		TRACE("free-partial: %u bytes returned, skipped\n", l->ret);
		return;
	}
	if (nocharge) {
		sk_msg_free_partial_nocharge(w.a, &l->msg, n);
		w.orphan += n > l->ret ? n - l->ret : 0;
		l->ret = n > l->ret ? 0 : l->ret - n;
	} else {
		sk_msg_free_partial(w.a, &l->msg, n);
		model_uncharge(n);
	}
	TRACE("free-partial%s %u -> size %u, start %u\n", nocharge ? "-nocharge" : "", n,
	      l->msg.sg.size, l->msg.sg.start);
	model_pull(&l->m, n);
	if (n)
		set_tail(l);
}

static void op_free(struct lmsg *l, bool nocharge)
{
	u32 size = l->m.size;
	int ret;

	if (!nocharge && l->ret) {
		TRACE("free: %u bytes returned, skipped\n", l->ret);
		return;
	}
	ret = nocharge ? sk_msg_free_nocharge(w.a, &l->msg) : sk_msg_free(w.a, &l->msg);
	TRACE("free%s -> %d\n", nocharge ? "-nocharge" : "", ret);
	oracle(ret == (int)size, "sk_msg_free%s of %u bytes returned %d",
	       nocharge ? "_nocharge" : "", size, ret);
	if (nocharge)
		w.orphan += size - l->ret;
	else
		model_uncharge(size);
	l->ret = 0;
	model_pull(&l->m, size);
	l->copypos = 0;
}

static void op_return(struct lmsg *l, u32 len)
{
	u32 n;

	if (!l->m.size || l->ret) {
		TRACE("return: skipped\n");
		return;
	}
	n = clampn(len, l->m.size);
	sk_msg_return(w.a, &l->msg, n);
	TRACE("return %u of %u\n", n, l->m.size);
	l->ret = n;
	model_uncharge(n);
}

/* tls_sw (bpf_exec_tx_verdict): sk_msg_return_zero(), then the consumed
 * elements are dropped by their owner and sg.size goes down; an emptied
 * msg is freed (tls_free_open_rec). */
static void op_return_zero(struct lmsg *l, u32 len)
{
	u32 n, start, i;

	if (!l->m.size || l->ret) {
		TRACE("return-zero: skipped\n");
		return;
	}
	n = clampn(len, l->m.size);
	start = l->msg.sg.start;
	sk_msg_return_zero(w.a, &l->msg, n);
	TRACE("return-zero %u of %u: start %u -> %u\n", n, l->m.size, start, l->msg.sg.start);
	for (i = start; i != l->msg.sg.start; i = slot_next(i)) {
		struct scatterlist *sge = sk_msg_elem(&l->msg, i);

		oracle(!sge->length && sg_page(sge), "return_zero: slot %u consumed but length %u",
		       i, sge->length);
		put_page(sg_page(sge));
		memset(sge, 0, sizeof(*sge));
		__clear_bit(i, l->msg.sg.copy);
	}
	l->msg.sg.size -= n;
	model_uncharge(n);
	model_pull(&l->m, n);
	if (!l->msg.sg.size) {
		oracle(!sk_msg_free(w.a, &l->msg), "freeing an emptied msg freed bytes");
		l->copypos = 0;
	} else {
		set_tail(l);
	}
}

/*
 * 6.12.117: sk_msg_clone() looks for the element to coalesce with only
 * while dst->sg.end is not 0 ("if (dst->sg.end) sgd = ..."). Once an
 * element is added in the ring's last slot, sg.end wraps to 0 and the
 * next source element is compared with the stale sgd, the element before
 * the one just added: if it is physically contiguous with it, that older
 * element is extended, and the clone's bytes come out of order (a kernel
 * bug, asserted by test_skmsg_ring_clone_wrap_extends_stale_element;
 * sk_msg_clone()'s one caller is tls_sw). Known, so kept out of the
 * fuzzer's reach rather than loosening the byte oracle: a clone of k
 * source elements into a ring with fewer than k slots before the wrap
 * (counted as if nothing coalesced) is skipped.
 */
static bool clone_wraps(const struct sk_msg *dst, const struct sk_msg *src,
			u32 off, u32 len)
{
	u32 i = src->sg.start, k = 0, pos = 0;

	if (!dst->sg.end || !len)
		return false;
	while (i != src->sg.end && pos < off + len) {
		u32 l = src->sg.data[i].length;

		if (pos + l > off)
			k++;
		pos += l;
		sk_msg_iter_var_next(i);
	}
	return k >= 2 && NR_MSG_FRAG_IDS - dst->sg.end < k;
}

static void op_clone(struct lmsg *dst, struct lmsg *src, u32 off, u32 len)
{
	u32 size = src->m.size, before = dst->m.size, g, want;
	int ret;

	if (!size) {
		TRACE("clone: empty source, skipped\n");
		return;
	}
	off %= size + 4;
	/* off == size with len > 0: sk_msg_clone() walks to the empty slot
	 * sg.end and sk_msg_page_add()s its NULL page (get_page(NULL)). No
	 * caller does that; keep to the API's working range. */
	if (off == size && len)
		off++;
	if (clone_wraps(&dst->msg, &src->msg, off, len)) {
		TRACE("clone off %u len %u: dst's sg.end would wrap to 0 mid-clone, skipped "
		      "(6.12.117: test_skmsg_ring_clone_wrap_extends_stale_element)\n", off, len);
		return;
	}
	ret = sk_msg_clone(w.a, &dst->msg, &src->msg, off, len);
	g = dst->msg.sg.size - before;
	want = off >= size ? 0 : min(len, size - off);
	TRACE("clone off %u len %u of %u -> %d, %u bytes cloned\n", off, len, size, ret, g);
	oracle(!ret || ret == -ENOSPC, "sk_msg_clone returned %d", ret);
	oracle(dst->msg.sg.size >= before && g <= want,
	       "sk_msg_clone off %u len %u of %u: dst grew from %u to %u", off, len, size, before,
	       dst->msg.sg.size);
	if (!ret)
		oracle(g == len && off + len <= size, "sk_msg_clone off %u len %u of %u: "
		       "0 with %u bytes cloned", off, len, size, g);
	else
		oracle(off + len > size || sk_msg_full(&dst->msg),
		       "sk_msg_clone off %u len %u of %u: -ENOSPC", off, len, size);
	oracle(g == want || sk_msg_full(&dst->msg),
	       "sk_msg_clone off %u len %u of %u: %u bytes cloned, not %u", off, len, size, g,
	       want);
	if (!g)
		return;
	model_room(&dst->m, g);
	memcpy(dst->m.b + dst->m.off + before, src->m.b + src->m.off + off, g);
	memcpy(dst->m.k + dst->m.off + before, src->m.k + src->m.off + off, g);
	model_touch(&dst->m);
	dst->m.size += g;
	w.fwd -= g;	/* sk_mem_charge() with no schedule */
	set_tail(dst);
}

static void op_start_at(struct lmsg *l, u32 slot)
{
	if (l->m.size) {
		TRACE("start-at: not empty, skipped\n");
		return;
	}
	slot %= NR_MSG_FRAG_IDS;
	l->msg.sg.start = l->msg.sg.end = l->msg.sg.curr = slot;
	l->msg.sg.copybreak = 0;
	l->copypos = 0;
	TRACE("start-at %u\n", slot);
}

/* ---- the ingress queue -------------------------------------------------- */

static struct sk_psock *psock_get(void)
{
	return w.joined ? sk_psock_get(w.a) : NULL;
}

/* bpf_tcp_ingress() for a whole msg: A's own psock, the charge travels
 * with the msg. */
static void op_queue(struct lmsg *l, bool self)
{
	struct sk_psock *psock;
	struct sk_msg *tmp;

	if (!l->m.size || l->ret || w.nq == MAX_QUEUED) {
		TRACE("queue: skipped\n");
		return;
	}
	if (!w.joined) {
		int err = sim_map_update(w.map, 0, w.a, BPF_ANY);

		TRACE("A joins the sockmap -> %d\n", err);
		oracle(!err || w.faults, "sim_map_update: %d with no injected failure", err);
		if (err)
			return;
		w.joined = true;
	}
	tmp = kzalloc(sizeof(*tmp), __GFP_NOWARN | GFP_KERNEL);
	if (!tmp) {
		TRACE("queue: kzalloc failed\n");
		oracle(w.faults, "kzalloc failed with no injected failure");
		return;
	}
	psock = psock_get();
	oracle(psock, "A has no psock");
	lock_sock(w.a);
	l->msg.sk = self ? w.a : NULL;
	sk_msg_xfer_full(tmp, &l->msg);
#if SIM_EXP_LOCKLESS_INGRESS
	/* experiments/0003: as tcp_bpf_send_verdict() uncharges the sender
	 * and bpf_tcp_ingress() charges the target's psock */
	sk_mem_uncharge(w.a, tmp->sg.size);
	model_uncharge(tmp->sg.size);
	oracle(sk_psock_ingress_charge(w.a, psock, tmp->sg.size),
	       "sk_psock_ingress_charge() failed below the memory limits");
#endif
	atomic_add(tmp->sg.size, &w.a->sk_rmem_alloc);
	oracle(sk_psock_queue_msg(psock, tmp), "psock not TX_ENABLED");
	sk_psock_data_ready(w.a, psock);
	release_sock(w.a);
	sk_psock_put(w.a, psock);
	TRACE("queue %u bytes%s (msg %d)\n", l->m.size, self ? " from A" : "", w.nq);
	w.q[w.nq].msg = tmp;
	w.q[w.nq].m = l->m;
	w.q[w.nq].self = self;
	w.nq++;
	model_new(&l->m);
	l->copypos = 0;
}

/* @n bytes read from byte @pos of the queue on: the model's, where known
 * (each queued msg's stretch compared at once, known_mismatch()). */
static void check_read(const u8 *buf, u32 pos, u32 n, const char *what)
{
	u32 at = pos;

	for (int i = 0; i < w.nq && n; i++) {
		struct model *m = &w.q[i].m;
		u32 c, j;

		if (pos >= m->size) {
			pos -= m->size;
			continue;
		}
		c = min(n, m->size - pos);
		j = known_mismatch(buf, m->b + m->off + pos, m->k + m->off + pos, c);
		oracle(j == c, "%s: byte %u of the queue is 0x%02x, expected 0x%02x", what,
		       at + j, buf[j], m->b[m->off + pos + j]);
		buf += c;
		at += c;
		n -= c;
		pos = 0;
	}
	oracle(!n, "read past the queue");
}

/* @n bytes left the queue (read or spliced). */
static void queue_consume(u32 n, struct model *to)
{
	if (!SIM_EXP_LOCKLESS_INGRESS)	/* 0003: the psock's ingress_fwd */
		model_uncharge(n);
	while (n) {
		struct model *m = &w.q[0].m;
		u32 c = min(n, m->size);

		if (to) {
			if (to->off + to->size + c > PIPE_CAP)
				model_compact(to);
			memcpy(to->b + to->off + to->size, m->b + m->off, c);
			memcpy(to->k + to->off + to->size, m->k + m->off, c);
			to->size += c;
		}
		model_pull(m, c);
		n -= c;
		if (!m->size) {
			buf_put(m->b);
			memmove(&w.q[0], &w.q[1], (w.nq - 1) * sizeof(w.q[0]));
			w.nq--;
		}
	}
}

static void op_recv(unsigned int flags, u32 len)
{
	struct sk_psock *psock = psock_get();
	bool peek = flags & 1;
	u32 want = min(len, queued());
	struct msghdr mh = {};
	int n;

	if (!psock) {
		TRACE("recv: no psock, skipped\n");
		return;
	}
	iov_iter_ubuf(&mh.msg_iter, ITER_DEST, w.io, len);
	lock_sock(w.a);
	n = sk_msg_recvmsg(w.a, psock, &mh, len, peek ? MSG_PEEK : 0);
	release_sock(w.a);
	sk_psock_put(w.a, psock);
	TRACE("recv%s %u -> %d (%u queued)\n", peek ? " peek" : "", len, n, queued());
	oracle(n == (int)want, "sk_msg_recvmsg%s of %u with %u queued returned %d",
	       peek ? " (peek)" : "", len, queued(), n);
	check_read(w.io, 0, want, "sk_msg_recvmsg");
	if (!peek)
		queue_consume(want, NULL);
}

#if SIM_LEVEL_AT_LEAST(COPY)
/* The test read actor: takes at most @step bytes a call, stops after
 * @limit bytes (returning @stop), checks each offer against the model. */
struct actor {
	u32 step, limit, len, got, self;
	int stop;
	u32 queued;		/* bytes queued when the read began */
	u32 qi, qstart;		/* the queued msg byte @got is in, its first byte */
};

/*
 * The actor's checks, in the order a check of every call would make them
 * (offered length and page bounds; the bytes taken, against the model; a
 * read past the queue; the msg they came from), but with the bytes
 * compared once for the whole read, by op_read(), after __sk_msg_read()
 * returns: a 1-byte step calls the actor once a byte. Before any other
 * check of a call fails, the bytes of the calls before it (and of this
 * call, where its byte check came first) are compared (check_read()), so
 * a bad byte is still reported first, with the same message.
 */
#define actor_oracle(ac, upto, cond, ...)				\
	do {								\
		if (!(cond)) {						\
			check_read(w.io, 0, (upto), "__sk_msg_read");	\
			oracle(0, __VA_ARGS__);				\
		}							\
	} while (0)

static int test_actor(void *arg, struct sk_msg *msg, struct page *page, u32 offset, u32 len)
{
	struct actor *ac = arg;
	u32 take;

	actor_oracle(ac, ac->got, len > 0 && len <= ac->len - ac->got,
		     "__sk_msg_read offered %u bytes with %u to go", len, ac->len - ac->got);
	actor_oracle(ac, ac->got, offset + len <= PAGE_SIZE << compound_order(page),
		     "__sk_msg_read offered [%u, +%u) outside the page", offset, len);
	if (ac->got >= ac->limit)
		return ac->stop;
	take = min(len, ac->limit - ac->got);
	if (ac->step)
		take = min(take, ac->step);
	memcpy(w.io + ac->got, (u8 *)page_address(page) + offset, take);
	/* check_read() reports the bytes past the queue ("read past the
	 * queue") after those before it */
	if (ac->got + take > ac->queued)
		check_read(w.io, 0, ac->got + take, "__sk_msg_read");
	/* the queued msg of byte @got: from where the last call left off */
	while (ac->got >= ac->qstart + w.q[ac->qi].m.size) {
		ac->qstart += w.q[ac->qi].m.size;
		ac->qi++;
	}
	actor_oracle(ac, ac->got + take, w.q[ac->qi].self == (msg->sk == w.a),
		     "__sk_msg_read: the actor's msg is not the model's");
	if (w.q[ac->qi].self)
		ac->self += take;
	ac->got += take;
	return take;
}
#endif

static void op_read(unsigned int mode, u32 len, u32 limit)
{
#if SIM_LEVEL_AT_LEAST(COPY)
	struct sk_psock *psock = psock_get();
	static const u32 steps[] = { 0, 1, 7, 100, 4096, 5000 };
	struct actor ac = {
		.step = steps[(mode >> 2) % ARRAY_SIZE(steps)],
		.limit = limit,
		.len = len,
		.stop = mode & 2 ? -EIO : 0,
		.queued = queued(),
	};
	bool peek = mode & 1;
	int n, self = -1, want;

	if (!psock) {
		TRACE("read: no psock, skipped\n");
		return;
	}
	lock_sock(w.a);
	n = __sk_msg_read(w.a, psock, len, peek ? MSG_PEEK : 0, &self, test_actor, &ac);
	release_sock(w.a);
	sk_psock_put(w.a, psock);
	TRACE("read%s %u (step %u limit %u stop %d) -> %d (%u queued)\n", peek ? " peek" : "",
	      len, ac.step, limit, ac.stop, n, queued());
	want = ac.got ? (int)ac.got : !queued() ? 0 : ac.stop ? ac.stop : -EFAULT;
	check_read(w.io, 0, ac.got, "__sk_msg_read");	/* the actor's bytes */
	oracle(n == want, "__sk_msg_read returned %d, the actor took %u (%u queued)", n, ac.got,
	       queued());
	oracle(ac.got <= min(len, queued()), "__sk_msg_read: the actor took %u of %u queued",
	       ac.got, queued());
	oracle(self == (int)ac.self, "__sk_msg_read: copied_from_self %d, %u bytes from A",
	       self, ac.self);
	if (!peek)
		queue_consume(ac.got, NULL);
#else
	(void)limit;
	op_recv(mode & 1, len);
#endif
}

static void op_splice(u32 len)
{
	unsigned int bufs = sim_pipe_nr_bufs(w.pipe);
	u32 q = queued();
	ssize_t n;

	n = sim_splice_read(w.a, w.pipe, len, SPLICE_F_NONBLOCK);
	TRACE("splice %u -> %zd (%u queued, %u buffers before)\n", len, n, q, bufs);
	oracle(n <= (ssize_t)min(len, q), "splice of %u with %u queued returned %zd", len, q, n);
	if (SIM_LEVEL_AT_LEAST(COPY) && w.joined && q && bufs < PIPE_BUFS && !w.faults)
		oracle(n > 0, "splice of %u with %u queued and room in the pipe returned %zd",
		       len, q, n);
	if (n <= 0)
		return;
	oracle(w.pipe_m.size + n <= PIPE_CAP, "the pipe holds more than %u bytes", PIPE_CAP);
	queue_consume(n, &w.pipe_m);
}

static void op_pipe_read(u32 len)
{
	u32 want = min(len, w.pipe_m.size), i;
	ssize_t n = sim_pipe_read(w.pipe, w.io, len);

	TRACE("pipe read %u -> %zd (%u in the pipe)\n", len, n, w.pipe_m.size);
	oracle(n == (want ? (ssize_t)want : -EAGAIN),
	       "read(pipe) of %u with %u bytes spliced returned %zd", len, w.pipe_m.size, n);
	i = known_mismatch(w.io, w.pipe_m.b + w.pipe_m.off, w.pipe_m.k + w.pipe_m.off, want);
	oracle(i == want, "read(pipe): byte %u is 0x%02x, expected 0x%02x", i, w.io[i],
	       w.pipe_m.b[w.pipe_m.off + i]);
	model_pull(&w.pipe_m, want);
}

/* ---- the world ------------------------------------------------------------ */

static void world_begin(void)
{
	fuzz_state_reset();
	sim_world_begin();
	sim_tcp_pair(&w.a, &w.b, "A", "B");
	sim_set_nonblock(w.a, true);
	w.map = sim_sockmap_create(1);
	w.pipe = sim_pipe_create(PIPE_BUFS);
	w.joined = w.faults = false;
	w.nq = 0;
	w.stamp = 0;
	w.orphan = 0;
	for (int i = 0; i < 2; i++) {
		sk_msg_init(&w.l[i].msg);
		model_new(&w.l[i].m);
		w.l[i].copypos = w.l[i].ret = 0;
	}
	w.pipe_m.off = w.pipe_m.size = 0;
	w.mem_base = sim_tcp_memory_allocated();
	w.fwd = w.a->sk_forward_alloc;
	check_all();
}

static void world_end(void)
{
	for (int k = 0; k < SIM_KIND_NR; k++)	/* faults off for the teardown */
		sim_fail_alloc(k, 0, 0);
	for (int i = 0; i < 2; i++) {
		op_free(&w.l[i], w.l[i].ret);
		buf_put(w.l[i].m.b);
	}
	if (w.orphan) {
		sk_mem_uncharge(w.a, w.orphan);
		model_uncharge(w.orphan);
		w.orphan = 0;
	}
	check_all();
	fuzz_state_note("ring", "bytes written", w.stamp);
	fuzz_state_note("ring", "msgs queued", w.nq);
	fuzz_state_note("ring", "bytes queued", queued());
	fuzz_state_note("ring", "bytes in the pipe", w.pipe_m.size);
	fuzz_state_note("ring", "pipe buffers", sim_pipe_nr_bufs(w.pipe));
	fuzz_state_note("ring", "A joined", w.joined);
	fuzz_state_note("ring", "memory_allocated grew", sim_tcp_memory_allocated() - w.mem_base);
	fuzz_state_note_sock("A", w.a);
	fuzz_state_note_sock("B", w.b);
	fuzz_state_note_sim();
	/* the queue and the pipe are left to the teardown: psock purge,
	 * pipe release */
	for (int i = 0; i < w.nq; i++)
		buf_put(w.q[i].m.b);
	sim_pipe_close(w.pipe);
	sim_close(w.a);
	sim_close(w.b);
	sim_map_close(w.map);
	oracle(!sim_world_end(), "the world's teardown checks failed (see above)");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *full_check;

	(void)argc;
	(void)argv;
	sim_init();
	for (int i = 0; i < MAX_QUEUED + 2; i++) {
		w.pool[i] = malloc(2 * MSG_CAP);
		if (!w.pool[i])
			abort();
	}
	w.npool = MAX_QUEUED + 2;
	w.pipe_m.b = malloc(2 * PIPE_CAP);
	w.io = malloc(IO_CAP);
	if (!w.pipe_m.b || !w.io)
		abort();
	w.pipe_m.k = w.pipe_m.b + PIPE_CAP;
	trace = getenv("SOCKMAP_SIM_FUZZ_TRACE");
	full_check = getenv("SOCKMAP_SIM_FUZZ_FULL_CHECK");
	if (full_check && strcmp(full_check, "0") && strcmp(full_check, "1")) {
		fprintf(stderr, "sockmap-sim: fuzz ring: SOCKMAP_SIM_FUZZ_FULL_CHECK=%s is not 0 or 1\n",
			full_check);
		exit(2);
	}
	if (full_check && !strcmp(full_check, "1"))
		full_every = 1;
	pat_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };

	world_begin();
	for (int op = 0; op < MAX_OPS && in.n; op++) {
		unsigned int code = take(&in, 1) % OP_NR, sel = 0;
		struct lmsg *l = NULL;

		if (code != OP_UNCHARGE && code != OP_FAIL && code < OP_RECV) {
			sel = take(&in, 1);
			l = &w.l[sel & 1];
			sel >>= 1;
		}
		switch (code) {
		case OP_ALLOC:
			op_alloc(l, sel, take(&in, 2) + 1);
			break;
		case OP_COPY:
			op_copy(l, take(&in, 2));
			break;
		case OP_COPY_SHORT: {
			u32 len = take(&in, 2);

			op_copy_short(l, len, take(&in, 2));
			break;
		}
		case OP_TRIM:
			op_trim(l, take(&in, 2));
			break;
		case OP_FREE_PARTIAL:
			op_free_partial(l, sel & 1, take(&in, 2));
			break;
		case OP_FREE:
			op_free(l, sel & 1);
			break;
		case OP_RETURN:
			op_return(l, take(&in, 2));
			break;
		case OP_RETURN_ZERO:
			op_return_zero(l, take(&in, 2));
			break;
		case OP_CLONE: {
			u32 off = take(&in, 2);

			op_clone(l, &w.l[l == &w.l[0]], off, take(&in, 2));
			break;
		}
		case OP_UNCHARGE:
			TRACE("uncharge %ld\n", w.orphan);
			if (w.orphan) {
				sk_mem_uncharge(w.a, w.orphan);
				model_uncharge(w.orphan);
				w.orphan = 0;
			}
			break;
		case OP_START_AT:
			op_start_at(l, take(&in, 1));
			break;
		case OP_FAIL: {
			enum sim_kind kind = fail_kinds[take(&in, 1) % ARRAY_SIZE(fail_kinds)];
			int skip = take(&in, 1) % 8, count = take(&in, 1) % 4;

			sim_fail_alloc(kind, skip, count);
			TRACE("fail %s skip %d count %d\n", sim_kind_name(kind), skip, count);
			w.faults |= count > 0;
			break;
		}
		case OP_QUEUE:
			op_queue(l, sel & 1);
			break;
		case OP_RECV: {
			unsigned int flags = take(&in, 1);

			op_recv(flags, take(&in, 2) + 1);
			break;
		}
		case OP_READ: {
			unsigned int mode = take(&in, 1);
			u32 len = take(&in, 2) + 1;

			op_read(mode, len, take(&in, 2));
			break;
		}
		case OP_SPLICE:
			op_splice(take(&in, 2) + 1);
			break;
		case OP_PIPE_READ:
			op_pipe_read(take(&in, 2) + 1);
			break;
		}
		if (l)
			dirty.msg[l == &w.l[1]] = true;
		if (code == OP_QUEUE)
			dirty.q_last = true;
		if (code == OP_RECV || code == OP_READ || code == OP_SPLICE)
			dirty.q_first = true;
		check_state(op % full_every == full_every - 1);
	}
	world_end();
	return 0;
}
