// SPDX-License-Identifier: GPL-2.0
/*
 * sim: the ownership ledger. A hash of live objects by address, each with
 * its kind, size and allocation call site; violations recorded with the
 * call site that committed them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>
#include <sim/ledger.h>
#include <sim/task.h>
#include <sim/bug.h>

struct sim_stats sim_stats;

struct rec {
	enum sim_kind kind;
	const void *ptr;
	size_t size;
	struct sim_site site;
	struct rec *hnext;		/* hash chain */
	struct rec *prev, *next;	/* allocation order */
	struct rec *kprev, *knext;	/* allocation order within its kind */
	unsigned long seq;
};

/*
 * Records of freed objects, for sim_ledger_add() in a later world: a
 * record is the sim's own bookkeeping, never seen by kernel code, and a
 * malloc() and free() per tracked object (each with ASan's stack capture)
 * was a tenth of the world fuzzer's time. A freed record is poisoned, so
 * a stale pointer to it is still an ASan report, and is reused only after
 * the world is reset (rec_dead -> rec_free), as freed memory is (mm.c).
 * Arrays, not chains through the poisoned records: LeakSanitizer follows
 * no pointer stored in poisoned memory.
 */
struct rec_stack {
	struct rec **v;
	size_t n, cap;
};
static struct rec_stack rec_free, rec_dead;

static bool rec_push(struct rec_stack *st, struct rec *r)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 256;
		struct rec **v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			return false;
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = r;
	return true;
}

static struct rec *rec_get(void)
{
	struct rec *r;

	if (!rec_free.n) {
		r = calloc(1, sizeof(*r));
		if (!r)
			abort();
		return r;
	}
	r = rec_free.v[--rec_free.n];
	ASAN_UNPOISON_MEMORY_REGION(r, sizeof(*r));
	memset(r, 0, sizeof(*r));
	return r;
}

static void rec_put(struct rec *r)
{
	if (!rec_push(&rec_dead, r)) {
		free(r);
		return;
	}
	ASAN_POISON_MEMORY_REGION(r, sizeof(*r));
}

/* The world is reset: this world's freed records may be reused. */
static void rec_recycle(void)
{
	while (rec_dead.n) {
		struct rec *r = rec_dead.v[--rec_dead.n];

		if (!rec_push(&rec_free, r)) {
			ASAN_UNPOISON_MEMORY_REGION(r, sizeof(*r));
			free(r);
		}
	}
}

#define HBITS 16
static struct rec *hash[1 << HBITS];
static struct rec live_head = { .prev = &live_head, .next = &live_head };
/* The live records of each kind (sim_ledger_for_each() walks only these). */
static struct rec kind_head[SIM_KIND_NR];

static struct rec *kind_list(enum sim_kind kind)
{
	struct rec *h = &kind_head[kind];

	if (!h->knext)
		h->knext = h->kprev = h;
	return h;
}
static long live[SIM_KIND_NR];
static unsigned long seq;
static long violations, expected_violations;
static char last_violation[512];

static struct {
	size_t size;
	enum sim_kind kind;
} classes[8];
static int nr_classes;

static struct {
	int skip;
	int count;
} faults[SIM_KIND_NR];

static const char *const kind_names[SIM_KIND_NR] = {
	[SIM_PAGE] = "page",
	[SIM_SLAB] = "slab",
	[SIM_SKB] = "skb",
	[SIM_SK_MSG] = "sk_msg",
	[SIM_PSOCK] = "psock",
	[SIM_SOCK] = "sock",
	[SIM_PIPE_BUF] = "pipe_buf",
};

const char *sim_kind_name(enum sim_kind kind)
{
	return kind < SIM_KIND_NR ? kind_names[kind] : "?";
}

static unsigned int hash_ptr(const void *p)
{
	uint64_t v = (uintptr_t)p;

	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return v & ((1 << HBITS) - 1);
}

static struct rec **find(const void *ptr)
{
	struct rec **pp = &hash[hash_ptr(ptr)];

	while (*pp && (*pp)->ptr != ptr)
		pp = &(*pp)->hnext;
	return pp;
}

void sim_ledger_classify(size_t size, enum sim_kind kind)
{
	for (int i = 0; i < nr_classes; i++)
		if (classes[i].size == size) {
			classes[i].kind = kind;
			return;
		}
	BUG_ON(nr_classes == (int)ARRAY_SIZE(classes));
	classes[nr_classes].size = size;
	classes[nr_classes++].kind = kind;
}

enum sim_kind sim_ledger_slab_kind(size_t size);
enum sim_kind sim_ledger_slab_kind(size_t size)
{
	for (int i = 0; i < nr_classes; i++)
		if (classes[i].size == size)
			return classes[i].kind;
	return SIM_SLAB;
}

void sim_ledger_add(enum sim_kind kind, const void *ptr, size_t size,
		    struct sim_site site)
{
	struct rec **pp;
	struct rec *r;

	if (!SIM_BOOKKEEPING) {		/* the bench variant: counts only */
		live[kind]++;
		sim_stats.allocs[kind]++;
		return;
	}
	pp = find(ptr);
	if (*pp)
		sim_bug(site.file, site.line, site.func,
			"ledger: %p allocated twice (live %s from %s:%d)", ptr,
			sim_kind_name((*pp)->kind), (*pp)->site.file, (*pp)->site.line);
	r = rec_get();
	r->kind = kind;
	r->ptr = ptr;
	r->size = size;
	r->site = site;
	r->seq = ++seq;
	*pp = r;
	r->prev = live_head.prev;
	r->next = &live_head;
	live_head.prev->next = r;
	live_head.prev = r;
	r->kprev = kind_list(kind)->kprev;
	r->knext = kind_list(kind);
	r->kprev->knext = r;
	kind_list(kind)->kprev = r;
	live[kind]++;
	sim_stats.allocs[kind]++;
}

bool sim_ledger_del(enum sim_kind kind, const void *ptr, struct sim_site site)
{
	struct rec **pp, *r;

	if (!SIM_BOOKKEEPING) {		/* the bench variant: counts only */
		live[kind]--;
		sim_stats.frees[kind]++;
		return true;
	}
	pp = find(ptr);
	r = *pp;
	if (!r) {
		sim_violation(site, "free of %s %p that is not allocated (double free?)",
			      sim_kind_name(kind), ptr);
		return false;
	}
	if (r->kind != kind) {
		sim_violation(site, "free of %p as %s, but it is a %s from %s:%d",
			      ptr, sim_kind_name(kind), sim_kind_name(r->kind),
			      r->site.file, r->site.line);
		return false;
	}
	*pp = r->hnext;
	r->prev->next = r->next;
	r->next->prev = r->prev;
	r->kprev->knext = r->knext;
	r->knext->kprev = r->kprev;
	live[r->kind]--;
	sim_stats.frees[r->kind]++;
	rec_put(r);
	return true;
}

bool sim_ledger_is_live(enum sim_kind kind, const void *ptr)
{
	struct rec *r;

	if (!SIM_BOOKKEEPING)	/* no records: the caller's object is taken as live */
		return true;
	r = *find(ptr);

	return r && r->kind == kind;
}

const struct sim_site *sim_ledger_site(const void *ptr)
{
	struct rec *r;

	if (!SIM_BOOKKEEPING)
		return NULL;
	r = *find(ptr);

	return r ? &r->site : NULL;
}

void sim_ledger_for_each(enum sim_kind kind, void (*fn)(const void *ptr, void *arg),
			 void *arg)
{
	struct rec *h = kind_list(kind);

	for (struct rec *r = h->knext; r != h; r = r->knext)
		fn(r->ptr, arg);
}

long sim_live(enum sim_kind kind)
{
	return live[kind];
}

void sim_violation(struct sim_site site, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(last_violation, sizeof(last_violation), "%s:%d %s(): ",
		     site.file, site.line, site.func);
	va_start(ap, fmt);
	vsnprintf(last_violation + n, sizeof(last_violation) - n, fmt, ap);
	va_end(ap);
	violations++;
	if (violations > expected_violations)
		fprintf(stderr, "sockmap-sim: ledger violation: %s\n", last_violation);
	/* in a sim task: this schedule fails (the task goes on) */
	if (sim_sched_active())
		sim_sched_note_failure(last_violation);
}

long sim_violations(void)
{
	return violations;
}

const char *sim_last_violation(void)
{
	return last_violation;
}

void sim_expect_violations(long n)
{
	expected_violations = n;
}

long sim_expected_violations(void)
{
	return expected_violations;
}

void sim_ledger_report(FILE *out)
{
	struct rec *r;

	if (!SIM_BOOKKEEPING)
		fprintf(out, "  (the bench variant keeps no call sites: run the ASan build to see them)\n");

	for (r = live_head.next; r != &live_head; r = r->next)
		fprintf(out, "  leaked %-8s %p size %zu allocated at %s:%d %s()\n",
			sim_kind_name(r->kind), r->ptr, r->size, r->site.file,
			r->site.line, r->site.func);
}

void sim_fail_alloc(enum sim_kind kind, int skip, int count)
{
	faults[kind].skip = skip;
	faults[kind].count = count;
}

bool sim_should_fail(enum sim_kind kind)
{
	if (!faults[kind].count)
		return false;
	if (faults[kind].skip > 0) {
		faults[kind].skip--;
		return false;
	}
	faults[kind].count--;
	return true;
}

void sim_page_quarantine_flush(void);

void sim_ledger_reset(void)
{
	memset(faults, 0, sizeof(faults));
	violations = 0;
	expected_violations = 0;
	last_violation[0] = 0;
	sim_page_quarantine_flush();
	rec_recycle();
}
