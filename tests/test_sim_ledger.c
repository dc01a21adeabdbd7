// SPDX-License-Identifier: GPL-2.0
/*
 * sim_ledger: the ownership ledger, WARN counting and fault injection must
 * not pass silently. Each test commits one kind of misuse on purpose and
 * asserts that the sim records it (a violation with a useful message, a
 * counted WARN, a failed world check), then declares it with
 * sim_expect_violations()/sim_expect_warnings() so the fixture teardown
 * accepts exactly that and nothing more.
 */
#include "sim_test.h"
#include <unistd.h>

/* Capture what the sim prints on stderr during a step, so the expected
 * diagnostics are asserted instead of cluttering the test output. No
 * assert may run between capture_begin() and capture_end(): CMocka
 * reports failures on stderr. */
struct capture {
	int saved_fd;
	FILE *file;
	char text[4096];
};

static void capture_begin(struct capture *c)
{
	fflush(stderr);
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved_fd = dup(STDERR_FILENO);
	assert_true(c->saved_fd >= 0);
	assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

static const char *capture_end(struct capture *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_fd, STDERR_FILENO);
	close(c->saved_fd);
	rewind(c->file);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->file);
	c->text[n] = 0;
	fclose(c->file);
	return c->text;
}

#define assert_contains(text, needle)					\
	do {								\
		if (!strstr((text), (needle)))				\
			fail_msg("\"%s\" not in the sim's output:\n%s",	\
				 (needle), (text));			\
	} while (0)

/* A page put once too often is a violation naming the freed page, and the
 * extra put is not executed. */
static void test_sim_ledger_double_put_page(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	assert_non_null(page);
	put_page(page);
	assert_int_equal(sim_violations(), 0);
	sim_expect_violations(1);

	put_page(page);

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "freed page"));
	assert_non_null(strstr(sim_last_violation(), "test_sim_ledger.c"));
}

/* get_page() on a freed page is a violation too (a use after free). */
static void test_sim_ledger_get_page_after_free(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	assert_non_null(page);
	put_page(page);
	sim_expect_violations(1);

	get_page(page);

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "freed page"));
}

/* A reference on slab memory (kmalloc'd, PG_slab) is refused: the kernel
 * must copy slab data, not reference its page. The refcount is unchanged. */
static void test_sim_ledger_get_page_on_slab(void **state)
{
	void *obj = kmalloc(128, GFP_KERNEL);
	struct page *page;

	(void)state;
	assert_non_null(obj);
	page = virt_to_page(obj);
	assert_true(PageSlab(compound_head(page)));
	sim_expect_violations(1);

	get_page(page);

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "slab memory"));
	assert_int_equal(page_count(page), 1);
	kfree(obj);
}

/* put_page() on slab memory is refused the same way. */
static void test_sim_ledger_put_page_on_slab(void **state)
{
	void *obj = kmalloc(128, GFP_KERNEL);

	(void)state;
	assert_non_null(obj);
	sim_expect_violations(1);

	put_page(virt_to_page(obj));

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "slab memory"));
	assert_true(sim_ledger_is_live(SIM_SLAB, obj));
	kfree(obj);
}

/* kfree() twice: the second is a violation reporting both call sites'
 * file, and is not executed. */
static void test_sim_ledger_kfree_twice(void **state)
{
	void *obj = kmalloc(64, GFP_KERNEL);

	(void)state;
	assert_non_null(obj);
	kfree(obj);
	sim_expect_violations(1);

	kfree(obj);

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "twice"));
}

/* kfree() of page-allocator memory is a violation (wrong allocator). */
static void test_sim_ledger_kfree_of_page_memory(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	assert_non_null(page);
	sim_expect_violations(1);

	kfree(page_address(page));

	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_last_violation(), "not a kmalloc object"));
	assert_true(sim_ledger_is_live(SIM_PAGE, page));
	put_page(page);
}

/* End the world with @c capturing stderr (begun by the caller, so what
 * happened before is in the report too); it must fail exactly one check.
 * Returns the captured report. */
static const char *world_end_fails_once(struct capture *c)
{
	int rc = sim_world_end();
	const char *out = capture_end(c);

	assert_int_equal(rc, 1);
	return out;
}

/* A leaked page makes sim_world_end() fail (one failed check: the page
 * count). The test then frees the page and opens a fresh world, so the
 * fixture's own teardown passes. */
static void test_sim_ledger_leaked_page_fails_world_end(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct capture c;
	const char *out;

	(void)state;
	assert_non_null(page);

	capture_begin(&c);
	out = world_end_fails_once(&c);

	assert_contains(out, "1 page object(s) leaked");
	assert_contains(out, "test_sim_ledger.c");	/* the alloc site */
	put_page(page);
	sim_world_begin();
}

/* A leaked kmalloc object fails the world check the same way. */
static void test_sim_ledger_leaked_slab_fails_world_end(void **state)
{
	void *obj = kmalloc(32, GFP_KERNEL);
	struct capture c;
	const char *out;

	(void)state;
	assert_non_null(obj);

	capture_begin(&c);
	out = world_end_fails_once(&c);

	assert_contains(out, "1 slab object(s) leaked");
	kfree(obj);
	sim_world_begin();
}

/* A violation nobody declared fails the world check. */
static void test_sim_ledger_undeclared_violation_fails_world_end(void **state)
{
	void *obj = kmalloc(32, GFP_KERNEL);
	struct capture c;
	const char *out;

	(void)state;
	assert_non_null(obj);
	capture_begin(&c);
	kfree(obj);
	kfree(obj);

	out = world_end_fails_once(&c);

	assert_contains(out, "1 ledger violation(s), expected 0");
	sim_world_begin();
}

/* An unexpected WARN fails the world check. */
static void test_sim_ledger_undeclared_warning_fails_world_end(void **state)
{
	struct capture c;
	const char *out;

	(void)state;
	capture_begin(&c);
	WARN_ON(1);

	out = world_end_fails_once(&c);

	assert_contains(out, "1 WARN(s), expected 0");
	assert_contains(out, "test_sim_ledger.c");	/* the WARN site */
	sim_world_begin();
}

/* refcount_t underflow (dec_and_test on 0) is a counted WARN and the
 * counter saturates instead of wrapping, as in the kernel. */
static void test_sim_ledger_refcount_underflow_warns(void **state)
{
	refcount_t r = REFCOUNT_INIT(1);

	(void)state;
	assert_true(refcount_dec_and_test(&r));
	assert_int_equal(sim_warnings(), 0);
	sim_expect_warnings(1);

	assert_false(refcount_dec_and_test(&r));

	assert_int_equal(sim_warnings(), 1);
	assert_int_equal((int)refcount_read(&r), REFCOUNT_SATURATED);
}

/* refcount_inc() from 0 (a use after free) is a counted WARN. */
static void test_sim_ledger_refcount_inc_from_zero_warns(void **state)
{
	refcount_t r = REFCOUNT_INIT(0);

	(void)state;
	sim_expect_warnings(1);

	refcount_inc(&r);

	assert_int_equal(sim_warnings(), 1);
	assert_int_equal((int)refcount_read(&r), REFCOUNT_SATURATED);
}

/* WARN_ON counts each true condition and returns it; false costs nothing. */
static void test_sim_ledger_warn_on_counted(void **state)
{
	(void)state;
	assert_false(WARN_ON(0));
	assert_int_equal(sim_warnings(), 0);
	sim_expect_warnings(1);

	assert_true(WARN_ON(1));

	assert_int_equal(sim_warnings(), 1);
}

/* WARN_ON_ONCE counts every hit: no "once" state survives between hits
 * (or tests). */
static void test_sim_ledger_warn_on_once_counts_every_hit(void **state)
{
	(void)state;
	sim_expect_warnings(3);

	WARN_ON_ONCE(1);
	WARN_ON_ONCE(1);
	WARN_ON_ONCE(1);

	assert_int_equal(sim_warnings(), 3);
}

/* sim_fail_alloc(SIM_SLAB, 1, 1): the first kmalloc succeeds, the second
 * returns NULL, the third succeeds again. */
static void test_sim_ledger_fail_alloc_kmalloc_null(void **state)
{
	void *p1, *p2, *p3;
	long live = sim_live(SIM_SLAB);

	(void)state;
	sim_fail_alloc(SIM_SLAB, 1, 1);

	p1 = kmalloc(16, GFP_KERNEL);
	p2 = kmalloc(16, GFP_KERNEL);
	p3 = kmalloc(16, GFP_KERNEL);

	assert_non_null(p1);
	assert_null(p2);
	assert_non_null(p3);
	assert_int_equal(sim_live(SIM_SLAB), live + 2);
	kfree(p1);
	kfree(p3);
}

/* sim_fail_alloc(SIM_PAGE, 0, 1): the next page allocation fails. */
static void test_sim_ledger_fail_alloc_page_null(void **state)
{
	struct page *page;

	(void)state;
	sim_fail_alloc(SIM_PAGE, 0, 1);

	assert_null(alloc_page(GFP_KERNEL));

	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	put_page(page);
}

/* A reference on a tail page of a compound (order-3) page goes to the
 * head, as for folios: the block lives until the last reference. */
static void test_sim_ledger_compound_tail_refs_head(void **state)
{
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);

	(void)state;
	assert_non_null(head);

	get_page(head + 5);

	assert_int_equal(page_count(head), 2);
	assert_int_equal(page_count(head + 5), 2);
	put_page(head);
	assert_true(sim_ledger_is_live(SIM_PAGE, head));
	put_page(head + 5);
	assert_false(sim_ledger_is_live(SIM_PAGE, head));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_sim_ledger_double_put_page),
		SIM_TEST(test_sim_ledger_get_page_after_free),
		SIM_TEST(test_sim_ledger_get_page_on_slab),
		SIM_TEST(test_sim_ledger_put_page_on_slab),
		SIM_TEST(test_sim_ledger_kfree_twice),
		SIM_TEST(test_sim_ledger_kfree_of_page_memory),
		SIM_TEST(test_sim_ledger_leaked_page_fails_world_end),
		SIM_TEST(test_sim_ledger_leaked_slab_fails_world_end),
		SIM_TEST(test_sim_ledger_undeclared_violation_fails_world_end),
		SIM_TEST(test_sim_ledger_undeclared_warning_fails_world_end),
		SIM_TEST(test_sim_ledger_refcount_underflow_warns),
		SIM_TEST(test_sim_ledger_refcount_inc_from_zero_warns),
		SIM_TEST(test_sim_ledger_warn_on_counted),
		SIM_TEST(test_sim_ledger_warn_on_once_counts_every_hit),
		SIM_TEST(test_sim_ledger_fail_alloc_kmalloc_null),
		SIM_TEST(test_sim_ledger_fail_alloc_page_null),
		SIM_TEST(test_sim_ledger_compound_tail_refs_head),
	};

	return SIM_RUN_GROUP("sim_ledger", tests);
}
