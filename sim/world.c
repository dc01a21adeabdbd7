// SPDX-License-Identifier: GPL-2.0
/* sim: world set-up, quiescing and the end-of-test invariant checks. */
#include <stdio.h>
#include <stdlib.h>
#include <sim/world.h>
#include <sim/ledger.h>
#include <sim/rcu.h>
#include <sim/workqueue.h>
#include <sim/sched.h>
#include <sim/task.h>
#include <sim/watch.h>
#include <sim/invariant.h>
#include <sim/net.h>
#include <linux/init.h>
#include <linux/skmsg.h>
#include <linux/wait.h>
#include <net/tcp.h>

static long warnings, expected_warnings;
static char last_warning[256];
static struct sim_resource *resources;
static long live_at_begin[SIM_KIND_NR], expected_leaks[SIM_KIND_NR];
static bool initialised;

void sim_world_warning(const char *cond, const char *file, int line,
		       const char *func)
{
	warnings++;
	snprintf(last_warning, sizeof(last_warning), "WARNING at %s:%d %s(): %s",
		 file, line, func, cond);
	if (warnings > expected_warnings)
		fprintf(stderr, "sockmap-sim: WARNING at %s:%d %s(): %s\n", file,
			line, func, cond);
}

const char *sim_last_warning(void)
{
	return last_warning;
}

long sim_warnings(void)
{
	return warnings;
}

void sim_expect_warnings(long n)
{
	expected_warnings = n;
}

void sim_expect_leaks(enum sim_kind kind, long n)
{
	expected_leaks[kind] = n;
}

extern const struct sim_initcall __start_sim_initcall[], __stop_sim_initcall[];

void sim_run_initcalls(void)
{
	for (int level = 0; level <= 7; level++)
		for (const struct sim_initcall *c = __start_sim_initcall;
		     c < __stop_sim_initcall; c++)
			if (c->level == level)
				BUG_ON(c->fn());
}

void sim_init(void)
{
	if (initialised)
		return;
	initialised = true;
	sim_ledger_classify(sizeof(struct sk_msg), SIM_SK_MSG);
	sim_ledger_classify(sizeof(struct sk_psock), SIM_PSOCK);
	sim_run_initcalls();
}

void sim_world_own(struct sim_resource *res, void (*release)(struct sim_resource *),
		   const char *what)
{
	res->release = release;
	res->what = what;
	res->next = resources;
	resources = res;
}

void sim_world_disown(struct sim_resource *res)
{
	struct sim_resource **pp = &resources;

	while (*pp && *pp != res)
		pp = &(*pp)->next;
	if (*pp)
		*pp = res->next;
}

void sim_quiesce(void)
{
	int rounds = 0;

	/* Work that keeps retrying (a backlog waiting for a reader) may stay
	 * queued: that is a state, not an error; stop after it stops moving. */
	do {
		sim_rcu_barrier();
		sim_advance_jiffies(HZ);
	} while (sim_run_work() && ++rounds < 100);
	sim_rcu_barrier();
}

void sim_world_begin(void)
{
	sim_init();
	sim_ledger_reset();
	memset(&sim_stats, 0, sizeof(sim_stats));
	warnings = expected_warnings = 0;
	sim_expect_hangs(0);
	sim_lockdep_expect(0);
	sim_lockset_reset();
	sim_tcp_wire_softirq(false);
	sim_set_sleep_hook(NULL, NULL);
	sim_uaccess_fault_after(-1);
	sim_invariants_reset();
	current->sigpending = 0;
	for (int k = 0; k < SIM_KIND_NR; k++) {
		live_at_begin[k] = sim_live(k);
		expected_leaks[k] = 0;
	}
}

long sim_tcp_memory_allocated(void);

int sim_world_end(void)
{
	int failures = 0;

	/* Teardown closes sockets one by one: from here on the end-of-test
	 * checks below (and sk_free()'s WARNs) take over. */
	sim_invariants_auto(false);
	while (resources) {
		struct sim_resource *res = resources;

		resources = res->next;
		res->release(res);
	}
	sim_quiesce();
	/* The task's page frag goes away with the task. */
	sim_page_frag_release(&current->task_frag);
	sim_quiesce();

	for (int k = 0; k < SIM_KIND_NR; k++) {
		if (sim_live(k) != live_at_begin[k] + expected_leaks[k]) {
			fprintf(stderr, "sockmap-sim: ledger: %ld %s object(s) leaked, expected %ld\n",
				sim_live(k) - live_at_begin[k], sim_kind_name(k),
				expected_leaks[k]);
			failures++;
		}
	}
	if (failures)
		sim_ledger_report(stderr);
	if (sim_tcp_memory_allocated() != 0) {
		fprintf(stderr, "sockmap-sim: accounting: tcp memory_allocated is %ld pages after teardown, expected 0\n",
			sim_tcp_memory_allocated());
		failures++;
	}
	if (warnings != expected_warnings) {
		fprintf(stderr, "sockmap-sim: %ld WARN(s), expected %ld\n", warnings,
			expected_warnings);
		failures++;
	}
	if (sim_violations() != sim_expected_violations()) {
		fprintf(stderr, "sockmap-sim: %ld ledger violation(s), expected %ld; last: %s\n",
			sim_violations(), sim_expected_violations(),
			sim_last_violation());
		failures++;
	}
	if (sim_lockdep_reports() != sim_lockdep_expected()) {
		fprintf(stderr, "sockmap-sim: %ld lockdep report(s), expected %ld; last: %s\n",
			sim_lockdep_reports(), sim_lockdep_expected(),
			sim_lockdep_last_report());
		failures++;
	}
	if (sim_lockset_reports() != sim_lockset_expected()) {
		fprintf(stderr, "sockmap-sim: %ld lock-set report(s), expected %ld; last: %s\n",
			sim_lockset_reports(), sim_lockset_expected(),
			sim_lockset_last_report());
		failures++;
	}
	if (sim_invariant_failures()) {
		fprintf(stderr, "sockmap-sim: %ld broken accounting invariant(s) after a step; last: %s\n",
			sim_invariant_failures(), sim_invariant_last());
		failures++;
	}
	if (sim_tasks_unrun()) {
		fprintf(stderr, "sockmap-sim: %d task(s) started and never run (no sim_sched_run())\n",
			sim_tasks_unrun());
		failures++;
	}
	if (sim_main_task_held()) {
		fprintf(stderr, "sockmap-sim: the test's task ends with locks held, bh disabled or in an RCU read-side section\n");
		failures++;
	}
	if (sim_hangs() != sim_expected_hangs()) {
		fprintf(stderr, "sockmap-sim: %ld unbounded wait(s) (the kernel would hang), expected %ld\n",
			sim_hangs(), sim_expected_hangs());
		failures++;
	}
	sim_ledger_reset();
	return failures;
}
