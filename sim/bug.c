// SPDX-License-Identifier: GPL-2.0
/* sim: WARN/BUG reporting (stands for lib/bug.c and kernel/panic.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sim/bug.h>
#include <sim/world.h>

void sim_warn_hit(const char *cond, const char *file, int line, const char *func)
{
	sim_world_warning(cond, file, line, func);
}

void sim_bug(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sockmap-sim: BUG at %s:%d %s(): ", file, line, func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}
