/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared test fixture: every test runs in a fresh sim world; the teardown
 * closes what the test left open, quiesces and fails the test on any leak,
 * ledger violation, unexpected WARN or hang, or non-zero protocol memory.
 * <cmocka.h> comes last, after all kernel and sim headers.
 */
#ifndef _SIM_TEST_H
#define _SIM_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sim/world.h>
#include <sim/net.h>
#include <sim/sockmap.h>
#include <sim/ledger.h>
#include <sim/task.h>
#include <dlfcn.h>
#include <cmocka.h>

/*
 * A CMocka assert that fails in a sim task, or in a scenario sim_explore()
 * runs, fails that schedule only (sim/task.c records it with its replay
 * string); anywhere else it is CMocka's own _fail(). This interposes the
 * _fail() every assert macro ends in (libcmocka calls it through its PLT).
 */
void _fail(const char * const file, const int line)
{
	static void (*cmocka_fail)(const char *, int);

	sim_capture_assert(file, line);
	if (!cmocka_fail)
		cmocka_fail = (void (*)(const char *, int))dlsym(RTLD_NEXT, "_fail");
	cmocka_fail(file, line);
	abort();	/* not reached: CMocka longjmps to its runner */
}

static inline int sim_group_setup(void **state)
{
	(void)state;
	sim_init();
	return 0;
}

static inline int sim_setup(void **state)
{
	(void)state;
	sim_world_begin();
	return 0;
}

static inline int sim_teardown(void **state)
{
	(void)state;
	return sim_world_end() ? -1 : 0;
}

/* Byte @i of stream @stream: distinct per position and per stream. The
 * terms of i >> 16 and i >> 24 make the period 4 GiB, longer than any
 * transfer: an skb (64 KiB in the sim) lost and another one delivered
 * twice cannot pass for the right bytes. */
static inline unsigned char sim_pattern(unsigned int stream, size_t i)
{
	return (unsigned char)(i * 31 + (i >> 8) * 7 + (i >> 16) * 13 +
			       (i >> 24) * 17 + stream * 101 + 1);
}

static inline void *sim_pattern_buf(unsigned int stream, size_t off, size_t len)
{
	unsigned char *buf = malloc(len ? len : 1);

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = sim_pattern(stream, off + i);
	return buf;
}

/* Assert that @buf holds bytes [off, off+len) of stream @stream. */
#define assert_pattern(buf, stream, off, len)				\
	do {								\
		const unsigned char *__b = (const void *)(buf);		\
		for (size_t __i = 0; __i < (size_t)(len); __i++)	\
			if (__b[__i] != sim_pattern((stream), (off) + __i)) \
				fail_msg("byte %zu of the stream is 0x%02x, expected 0x%02x", \
					 (size_t)(off) + __i, __b[__i],	\
					 sim_pattern((stream), (off) + __i)); \
	} while (0)

/* Send @len bytes of stream @stream starting at @off; returns send()'s value. */
static inline int sim_send_pattern(struct sock *sk, unsigned int stream,
				   size_t off, size_t len, int flags)
{
	void *buf = sim_pattern_buf(stream, off, len);
	int ret = sim_send(sk, buf, len, flags);

	free(buf);
	return ret;
}

#define SIM_TEST(fn) cmocka_unit_test_setup_teardown(fn, sim_setup, sim_teardown)

static inline int sim_run_group(const char *name, const struct CMUnitTest *tests,
				size_t n)
{
	const char *filter = getenv("TEST_FILTER");

	if (filter && *filter)
		cmocka_set_test_filter(filter);
	return _cmocka_run_group_tests(name, tests, n, sim_group_setup, NULL);
}

#define SIM_RUN_GROUP(name, tests) sim_run_group(name, tests, ARRAY_SIZE(tests))

#endif /* _SIM_TEST_H */
