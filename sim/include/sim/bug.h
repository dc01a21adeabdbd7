/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: WARN and BUG. Stands for include/asm-generic/bug.h and
 * include/linux/once_lite.h.
 *
 * Every WARN hit is counted (no "once" state: WARN_ON_ONCE counts every hit,
 * so nothing carries over between tests or fuzz inputs); the test teardown
 * fails on warnings it did not expect. BUG always aborts, NDEBUG or not.
 */
#ifndef _SIM_BUG_H
#define _SIM_BUG_H

#include <sim/compiler.h>

void sim_warn_hit(const char *cond, const char *file, int line, const char *func);
__attribute__((noreturn, format(printf, 4, 5)))
void sim_bug(const char *file, int line, const char *func, const char *fmt, ...);

#define WARN_ON(condition)						\
	({								\
		int __ret_warn_on = !!(condition);			\
		if (unlikely(__ret_warn_on))				\
			sim_warn_hit(#condition, __FILE__, __LINE__, __func__); \
		unlikely(__ret_warn_on);				\
	})
#define WARN_ON_ONCE(condition)		WARN_ON(condition)
#define WARN(condition, ...)		WARN_ON(condition)
#define WARN_ONCE(condition, ...)	WARN_ON(condition)
#define BUG()	sim_bug(__FILE__, __LINE__, __func__, "BUG()")
#define BUG_ON(condition)						\
	do {								\
		if (unlikely(condition))				\
			sim_bug(__FILE__, __LINE__, __func__, "BUG_ON(%s)", #condition); \
	} while (0)
#define VM_BUG_ON(condition)	BUG_ON(condition)
#define DEBUG_NET_WARN_ON_ONCE(condition) ((void)WARN_ON(condition))

/* A path the sim does not model: reaching it is a test failure, not a no-op. */
#define SIM_UNREACHABLE(what)						\
	sim_bug(__FILE__, __LINE__, __func__, "not modelled by the sim: %s", what)

#endif /* _SIM_BUG_H */
