// SPDX-License-Identifier: GPL-2.0
/* sim: WARN/BUG reporting (stands for lib/bug.c and kernel/panic.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sim/bug.h>
#include <sim/world.h>
#include <sim/task.h>

void sim_warn_hit(const char *cond, const char *file, int line, const char *func)
{
	sim_world_warning(cond, file, line, func);
}

/* In a sim task the BUG ends the run (sim_sched_run() reports it with the
 * schedule); anywhere else it aborts. */
void sim_bug(const char *file, int line, const char *func, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sim_sched_active())
		sim_task_fail(SIM_SCHED_BUG, "BUG at %s:%d %s(): %s", file, line, func, msg);
	fprintf(stderr, "sockmap-sim: BUG at %s:%d %s(): %s\n", file, line, func, msg);
	fflush(stderr);
	abort();
}
