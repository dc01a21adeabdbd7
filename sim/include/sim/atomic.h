/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: stands for include/linux/atomic.h and include/linux/refcount.h.
 * refcount_t keeps the kernel's saturation semantics: an increment from
 * zero or a decrement below zero is a WARN (counted, test fails) and the
 * counter saturates instead of wrapping.
 */
#ifndef _SIM_ATOMIC_H
#define _SIM_ATOMIC_H

#include <sim/compiler.h>
#include <sim/bug.h>

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { s64 counter; } atomic64_t;

#define ATOMIC_INIT(i)		{ (i) }
#define atomic_read(v)		__atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_set(v, i)	__atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_add(i, v)	((void)__atomic_fetch_add(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_sub(i, v)	((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_inc(v)		atomic_add(1, v)
#define atomic_dec(v)		atomic_sub(1, v)
#define atomic_add_return(i, v)	__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_sub_return(i, v)	__atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_inc_return(v)	atomic_add_return(1, v)
#define atomic_dec_return(v)	atomic_sub_return(1, v)
#define atomic_dec_and_test(v)	(atomic_sub_return(1, v) == 0)
#define atomic_xchg(v, i)	__atomic_exchange_n(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic_long_read(v)	atomic_read(v)
#define atomic_long_set(v, i)	atomic_set(v, i)
#define atomic_long_add(i, v)	atomic_add(i, v)
#define atomic_long_sub(i, v)	atomic_sub(i, v)
#define atomic_long_add_return(i, v) atomic_add_return(i, v)
#define atomic64_read(v)	atomic_read(v)
#define atomic64_add(i, v)	atomic_add(i, v)

typedef struct refcount_struct { atomic_t refs; } refcount_t;

#define REFCOUNT_INIT(n)	{ .refs = ATOMIC_INIT(n) }
#define REFCOUNT_SATURATED	(INT_MIN / 2)

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_set(&r->refs, n);
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return atomic_read(&r->refs);
}

static inline bool refcount_inc_not_zero(refcount_t *r)
{
	int old = atomic_read(&r->refs);

	do {
		if (!old)
			return false;
	} while (!__atomic_compare_exchange_n(&r->refs.counter, &old, old + 1,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	WARN_ON(old < 0);	/* refcount_t: saturated/underflowed */
	return true;
}

static inline void refcount_add(int i, refcount_t *r)
{
	int old = __atomic_fetch_add(&r->refs.counter, i, __ATOMIC_SEQ_CST);

	if (WARN_ON(old <= 0))	/* refcount_t: addition on 0; use-after-free */
		atomic_set(&r->refs, REFCOUNT_SATURATED);
}

static inline void refcount_inc(refcount_t *r)
{
	refcount_add(1, r);
}

static inline bool refcount_sub_and_test(int i, refcount_t *r)
{
	int old = __atomic_fetch_sub(&r->refs.counter, i, __ATOMIC_SEQ_CST);

	if (old == i)
		return true;
	if (WARN_ON(old < i)) {	/* refcount_t: underflow; use-after-free */
		atomic_set(&r->refs, REFCOUNT_SATURATED);
		return false;
	}
	return false;
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	return refcount_sub_and_test(1, r);
}

static inline void refcount_dec(refcount_t *r)
{
	WARN_ON(refcount_dec_and_test(r));	/* refcount_t: decrement hit 0 */
}

#endif /* _SIM_ATOMIC_H */
