/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the world a test runs in. sim_init() once per process (ledger
 * registration, initcalls); sim_world_begin()/sim_world_end() around each
 * test. sim_world_end() closes whatever the test left open (like process
 * exit closes fds), quiesces, and checks the invariants: no leaked object,
 * no ledger violation, no unexpected WARN or hang, protocol memory back to
 * zero. It returns the number of failed checks, each printed in one line.
 */
#ifndef _SIM_WORLD_H
#define _SIM_WORLD_H

#include <stdio.h>
#include <sim/compiler.h>
#include <sim/ledger.h>

void sim_init(void);
void sim_world_begin(void);
int sim_world_end(void);

/* Run pending RCU callbacks and work until nothing changes. */
void sim_quiesce(void);

void sim_world_warning(const char *cond, const char *file, int line,
		       const char *func);
long sim_warnings(void);
const char *sim_last_warning(void);	/* "WARNING at file:line func(): cond" */
void sim_expect_warnings(long n);
/* A kernel leak a test shows on purpose (a bug of the level's kernel
 * files): sim_world_end() accepts exactly @n more live objects of @kind
 * than sim_world_begin() found, and reports any other count. */
void sim_expect_leaks(enum sim_kind kind, long n);

/* Resources a world owns, released by sim_world_end() if still open. */
struct sim_resource {
	void (*release)(struct sim_resource *res);
	struct sim_resource *next;
	const char *what;
};
void sim_world_own(struct sim_resource *res, void (*release)(struct sim_resource *),
		   const char *what);
void sim_world_disown(struct sim_resource *res);

#endif /* _SIM_WORLD_H */
