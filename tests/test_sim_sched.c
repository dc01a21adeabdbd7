// SPDX-License-Identifier: GPL-2.0
/*
 * sim_sched: the deterministic scheduler (sim/task.c) and the locks, waits,
 * RCU and work on it, on toy scenarios (not yet the kernel's sockmap code).
 * Every checker is shown to fire on a deliberately broken scenario and to
 * stay quiet on its fixed twin: a lost update, ABBA deadlock, lock-order
 * inversion across runs, sleeping under a spinlock, softirq vs. a lock
 * taken with bh enabled, a lost wake-up, a livelock, a BUG/assert/ledger
 * violation in a task; synchronize_rcu(), cancel_work_sync(), lock_sock()
 * and timed waits; replay determinism; DFS with a preemption bound and PCT.
 */
#include "sim_test.h"
#include <time.h>
#include <linux/wait.h>
#include <sim/rcu.h>
#include <sim/workqueue.h>
#include <net/sock.h>
#include <sim/watch.h>

#define QUIET_DFS(k) ((struct sim_explore_opts){ .preemption_bound = (k), .quiet = true })

/* ---- no task: nothing changes ---- */

static void test_sim_sched_no_tasks_is_a_no_op(void **state)
{
	spinlock_t l;

	(void)state;
	assert_int_equal(sim_sched_run(NULL), SIM_SCHED_OK);
	assert_int_equal(sim_sched_choices(), 0);
	assert_false(sim_sched_active());
	spin_lock_init(&l);
	spin_lock(&l);			/* not a scheduling point, no block */
	assert_true(sim_spin_is_held(&l));
	assert_int_equal(sim_atomic_depth(), 1);
	spin_unlock(&l);
	assert_int_equal(sim_atomic_depth(), 0);
	synchronize_rcu();		/* no task: returns at once */
}

/* ---- many short-lived tasks ---- */

/* A task may start many short-lived ones in one run: the kworker's
 * egress sends raise a softirq per segment on the peer (the world
 * fuzzer's group that found the limit started 14 "softirq rx B2" tasks;
 * finished tasks keep their slot, for their vector clocks). */
static int softirqs_run;

static void softirq_count(void *arg)
{
	(void)arg;
	softirqs_run++;
}

static void raise_softirqs(void *arg)
{
	for (long i = 0; i < (long)arg; i++) {
		sim_task_start_on("softirq", SIM_TASK_SOFTIRQ, sim_task_cpu(sim_task_self()),
				  softirq_count, NULL);
		sim_sched_point("raised");
	}
}

static void test_sim_sched_many_softirqs_in_one_run(void **state)
{
	(void)state;
	softirqs_run = 0;
	sim_task_start("raiser", raise_softirqs, (void *)28L);
	assert_int_equal(sim_sched_run(NULL), SIM_SCHED_OK);
	assert_int_equal(softirqs_run, 28);
}

/* ---- the lost update ---- */

static struct counter_world {
	int counter;
	bool locked;
	spinlock_t lock;
} cw;

static void incr(void *arg)
{
	int v;

	(void)arg;
	if (cw.locked)
		spin_lock(&cw.lock);
	v = cw.counter;
	sim_sched_point("between read and write");
	cw.counter = v + 1;
	if (cw.locked)
		spin_unlock(&cw.lock);
}

static void counter_scenario(void *arg)
{
	cw.counter = 0;
	cw.locked = arg != NULL;
	spin_lock_init(&cw.lock);
	sim_task_start("inc0", incr, NULL);
	sim_task_start("inc1", incr, NULL);
	if (sim_sched_run(NULL) != SIM_SCHED_OK)
		return;
	if (cw.counter != 2)
		sim_explore_fail("lost update: counter is %d, expected 2", cw.counter);
	sim_explore_end_state(cw.counter);
}

/* K=0 (non-preemptive): the two increments never interleave. */
static void test_sim_sched_counter_without_preemption_never_loses(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(0);
	struct sim_explore_result r;

	(void)state;
	assert_int_equal(sim_explore(counter_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.end_states, 1);
}

/* K=1 finds the lost update with one preemption, and its replay string
 * reproduces it. */
static void test_sim_sched_lost_update_found_with_one_preemption(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(1);
	struct sim_explore_result r;
	struct sim_sched_opts replay = { .strategy = SIM_STRAT_REPLAY, .quiet = true };

	(void)state;
	assert_int_equal(sim_explore(counter_scenario, NULL, &o, &r), -1);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_true(r.failures > 0);
	assert_int_equal(r.end_states, 2);		/* 1 and 2 */
	assert_int_equal(r.nkinds, 1);
	assert_non_null(strstr(r.best->report, "lost update: counter is 1"));
	assert_int_equal(r.best->preemptions, 1);
	assert_true(strlen(r.best->schedule) > 0);

	replay.schedule = r.best->schedule;
	cw.counter = 0;
	cw.locked = false;
	sim_task_start("inc0", incr, NULL);
	sim_task_start("inc1", incr, NULL);
	assert_int_equal(sim_sched_run(&replay), SIM_SCHED_OK);
	assert_int_equal(cw.counter, 1);
	assert_int_equal(sim_sched_preemptions(), 1);

	/* SCHEDULE= in the environment: the same replay for sim_sched_run(NULL) */
	setenv("SCHEDULE", r.best->schedule, 1);
	cw.counter = 0;
	sim_task_start("inc0", incr, NULL);
	sim_task_start("inc1", incr, NULL);
	assert_int_equal(sim_sched_run(NULL), SIM_SCHED_OK);
	unsetenv("SCHEDULE");
	assert_int_equal(cw.counter, 1);
}

/* The same increments under a spinlock: no schedule with up to two
 * preemptions loses an update, and only one end state exists. */
static void test_sim_sched_locked_counter_never_loses(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	assert_int_equal(sim_explore(counter_scenario, (void *)1, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_true(r.schedules > 1);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.end_states, 1);
}

static int cleanups;

static void asserting_counter_scenario(void *arg)
{
	(void)arg;
	cw.counter = 0;
	cw.locked = false;
	sim_task_start("inc0", incr, NULL);
	sim_task_start("inc1", incr, NULL);
	assert_int_equal(sim_sched_run(NULL), SIM_SCHED_OK);
	assert_int_equal(cw.counter, 2);	/* fails in the racy schedules */
	sim_explore_end_state(cw.counter);
}

static void count_cleanup(void *arg)
{
	(void)arg;
	cleanups++;
}

/* A CMocka assert in the scenario itself (the test thread, after the
 * run) fails that schedule only: the search goes on, the cleanup runs in
 * place of the rest of the scenario, and the test is not failed. */
static void test_sim_sched_assert_in_scenario_fails_that_schedule(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(1);
	struct sim_explore_result r;

	(void)state;
	o.cleanup = count_cleanup;
	cleanups = 0;
	assert_int_equal(sim_explore(asserting_counter_scenario, NULL, &o, &r), -1);
	assert_true(r.complete);
	assert_int_equal(r.schedules, 4);
	assert_int_equal(r.failures, 2);
	assert_int_equal(cleanups, 2);
	assert_int_equal(r.end_states, 1);	/* only the passing runs got there */
	assert_non_null(strstr(r.best->report, "CMocka assert failed at tests/test_sim_sched.c:"));
}

/* PCT (d=2) from a fixed seed finds the lost update, and the same seed
 * gives the same runs. */
static void test_sim_sched_pct_finds_lost_update(void **state)
{
	struct sim_explore_opts o = { .pct = true, .pct_runs = 200, .seed = 42,
				      .pct_depth = 2, .quiet = true };
	struct sim_explore_result r1, r2;

	(void)state;
	assert_int_equal(sim_explore(counter_scenario, NULL, &o, &r1), -1);
	assert_int_equal(r1.schedules, 200);
	assert_true(r1.failures > 0);
	assert_non_null(strstr(r1.best->report, "lost update"));
	assert_int_equal(sim_explore(counter_scenario, NULL, &o, &r2), -1);
	assert_int_equal(r2.failures, r1.failures);
	assert_string_equal(r2.best->schedule, r1.best->schedule);
}

/* Replay: the same SCHEDULE twice gives the same choice trace. */
static void test_sim_sched_replay_is_deterministic(void **state)
{
	struct sim_sched_opts o = { .strategy = SIM_STRAT_REPLAY,
				    .schedule = "0.1.0x2.1", .quiet = true };
	char trace[1024];
	int first;

	(void)state;
	cw.counter = 0;
	cw.locked = true;
	spin_lock_init(&cw.lock);
	sim_task_start("inc0", incr, NULL);
	sim_task_start("inc1", incr, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_OK);
	snprintf(trace, sizeof(trace), "%s", sim_sched_trace());
	first = sim_sched_choices();
	assert_true(first >= 5);
	assert_int_equal(cw.counter, 2);

	cw.counter = 0;
	sim_task_start("inc0", incr, NULL);
	sim_task_start("inc1", incr, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_OK);
	assert_string_equal(sim_sched_trace(), trace);
	assert_int_equal(sim_sched_choices(), first);
	assert_int_equal(strncmp(trace, "0.1.0x2.1", 9), 0);

	/* A choice of a task that cannot run is reported, not ignored. */
	o.schedule = "0.7";
	sim_task_start("inc0", incr, NULL);
	sim_task_start("inc1", incr, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_DIVERGED);
	assert_non_null(strstr(sim_sched_report(), "diverged at choice 1"));
}

/* ---- deadlock and lock order ---- */

static spinlock_t lock_a, lock_b;

static void take_ab(void *arg)
{
	(void)arg;
	spin_lock(&lock_a);
	spin_lock(&lock_b);
	spin_unlock(&lock_b);
	spin_unlock(&lock_a);
}

static void take_ba(void *arg)
{
	(void)arg;
	spin_lock(&lock_b);
	spin_lock(&lock_a);
	spin_unlock(&lock_a);
	spin_unlock(&lock_b);
}

static void abba_scenario(void *arg)
{
	(void)arg;
	sim_spin_lock_init(&lock_a, "abba_a");
	sim_spin_lock_init(&lock_b, "abba_b");
	sim_task_start("ab", take_ab, NULL);
	sim_task_start("ba", take_ba, NULL);
	sim_sched_run(NULL);
}

/* ABBA: found with one preemption, reported with each task's held lock
 * and the lock it waits for; lockdep also reports the inversion (once). */
static void test_sim_sched_abba_deadlock_reported(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(1);
	struct sim_explore_result r;
	const struct sim_explore_failure *f;

	(void)state;
	sim_lockdep_reset();
	sim_lockdep_expect(1);
	assert_int_equal(sim_explore(abba_scenario, NULL, &o, &r), -1);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	f = sim_explore_find(&r, "deadlock: every unfinished task is blocked");
	assert_non_null(f);
	assert_int_equal(f->verdict, SIM_SCHED_DEADLOCK);
	assert_int_equal(f->preemptions, 1);
	assert_non_null(strstr(f->report, "task 0 \"ab\" (process, cpu 0) waits in spin_lock(abba_b)"));
	assert_non_null(strstr(f->report, "held by task 1 \"ba\""));
	assert_non_null(strstr(f->report, "holds abba_a (spin_lock at tests/test_sim_sched.c:"));
	assert_non_null(strstr(f->report, "holds abba_b (spin_lock at tests/test_sim_sched.c:"));
	assert_non_null(strstr(f->report, "SCHEDULE='"));
	/* the schedules without the deadlock show the inversion */
	assert_int_equal(sim_lockdep_reports(), 1);
	assert_non_null(strstr(sim_lockdep_last_report(), "circular locking dependency"));
	sim_lockdep_reset();
}

/* Each order alone, in two runs: no deadlock can happen in either, but the
 * second run's order inverts the first's: lockdep reports it. */
static void test_sim_sched_lock_order_inversion_across_runs(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	sim_lockdep_reset();
	sim_spin_lock_init(&lock_a, "inv_x");
	sim_spin_lock_init(&lock_b, "inv_y");
	sim_task_start("xy", take_ab, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_OK);
	assert_int_equal(sim_lockdep_reports(), 0);

	sim_lockdep_expect(1);
	sim_task_start("yx", take_ba, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_LOCKDEP);
	assert_int_equal(sim_lockdep_reports(), 1);
	assert_non_null(strstr(sim_lockdep_last_report(),
			       "possible circular locking dependency: inv_y -> inv_x"));
	assert_non_null(strstr(sim_lockdep_last_report(), "but earlier inv_x -> inv_y"));
	assert_non_null(strstr(sim_sched_report(), "lockdep in task 0 \"yx\""));
	/* the same order again is not a new report */
	sim_task_start("yx", take_ba, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_OK);
	assert_int_equal(sim_lockdep_reports(), 1);
	sim_lockdep_reset();
}

/* ---- sleeping in atomic context, BUG/assert/violation in a task ---- */

static struct mutex sleep_mutex;

static void sleep_under_spinlock(void *arg)
{
	(void)arg;
	spin_lock(&lock_a);
	mutex_lock(&sleep_mutex);	/* might_sleep(): BUG */
	mutex_unlock(&sleep_mutex);
	spin_unlock(&lock_a);
}

static void test_sim_sched_sleep_under_spinlock_reported(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	sim_spin_lock_init(&lock_a, "atomic_a");
	mutex_init(&sleep_mutex);
	sim_task_start("sleeper", sleep_under_spinlock, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_BUG);
	assert_non_null(strstr(sim_sched_report(),
			       "sleeping function called with 1 spinlock(s) held"));
	assert_non_null(strstr(sim_sched_report(), "holds atomic_a"));
	/* the killed task's locks were released with it */
	assert_null(lock_a.owner);
	mutex_destroy(&sleep_mutex);
}

static void asserts_in_task(void *arg)
{
	(void)arg;
	assert_int_equal(1, 2);
}

static bool violator_finished;

static void violates_in_task(void *arg)
{
	void *obj = kmalloc(16, GFP_KERNEL);

	(void)arg;
	kfree(obj);
	kfree(obj);			/* a ledger violation, not executed */
	sim_sched_point("after the violation");
	violator_finished = true;
}

/* A CMocka assert in a task fails that run only; the test goes on. */
static void test_sim_sched_assert_in_task_fails_the_run(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	sim_task_start("asserter", asserts_in_task, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_BUG);
	assert_non_null(strstr(sim_sched_report(), "CMocka assert failed at tests/test_sim_sched.c:"));
}

/* A ledger violation in a task fails the run without stopping the task. */
static void test_sim_sched_violation_in_task_fails_the_run(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	sim_expect_violations(1);
	violator_finished = false;
	sim_task_start("violator", violates_in_task, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_BUG);
	assert_int_equal(sim_violations(), 1);
	assert_non_null(strstr(sim_sched_report(), "ledger violation in task 0 \"violator\""));
	assert_non_null(strstr(sim_sched_report(), "twice"));
	assert_true(violator_finished);		/* the task went on */
}

static void sleep_with_bh_disabled(void *arg)
{
	(void)arg;
	local_bh_disable();
	mutex_lock(&sleep_mutex);	/* might_sleep(): BUG */
	mutex_unlock(&sleep_mutex);
	local_bh_enable();
}

/* Sleeping with bh disabled (no lock held) is a BUG too. */
static void test_sim_sched_sleep_with_bh_disabled_reported(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	mutex_init(&sleep_mutex);
	sim_task_start("bh-sleeper", sleep_with_bh_disabled, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_BUG);
	assert_non_null(strstr(sim_sched_report(), "sleeping function called with bh disabled"));
	mutex_destroy(&sleep_mutex);
}

static void softirq_sleeps(void *arg)
{
	(void)arg;
	mutex_lock(&sleep_mutex);	/* might_sleep(): BUG */
	mutex_unlock(&sleep_mutex);
}

/* A softirq never sleeps. */
static void test_sim_sched_sleep_in_softirq_reported(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	mutex_init(&sleep_mutex);
	sim_task_start_on("softirq", SIM_TASK_SOFTIRQ, 0, softirq_sleeps, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_BUG);
	assert_non_null(strstr(sim_sched_report(), "sleeping function called from softirq context"));
	mutex_destroy(&sleep_mutex);
}

/* ---- softirq and bh ---- */

static spinlock_t bh_lock;

static void process_side(void *arg)
{
	bool bh_plain = arg != NULL;

	if (bh_plain)
		spin_lock(&bh_lock);	/* the bug: bh stays enabled */
	else
		spin_lock_bh(&bh_lock);
	sim_sched_point("process holds the lock");
	if (bh_plain)
		spin_unlock(&bh_lock);
	else
		spin_unlock_bh(&bh_lock);
}

static void softirq_side(void *arg)
{
	(void)arg;
	spin_lock(&bh_lock);
	spin_unlock(&bh_lock);
}

/* @arg: the process side takes the lock with bh enabled (the bug). */
static void bh_scenario(void *arg)
{
	sim_spin_lock_init(&bh_lock, arg ? "bh_plain" : "bh_ok");
	sim_task_start_on("proc", SIM_TASK_PROCESS, 0, process_side, arg);
	sim_task_start_on("softirq", SIM_TASK_SOFTIRQ, 0, softirq_side, NULL);
	sim_sched_run(NULL);
}

/* With spin_lock_bh() in process context the softirq of the same CPU
 * cannot interrupt the holder: no schedule deadlocks, nothing reported. */
static void test_sim_sched_softirq_vs_bh_disabled_lock_never_deadlocks(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	sim_lockdep_reset();
	assert_int_equal(sim_explore(bh_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_true(r.schedules > 1);
	assert_int_equal(sim_lockdep_reports(), 0);
	sim_lockdep_reset();
}

/* A lock taken in softirq and with bh enabled in process context: the
 * softirq that interrupts the holder on its CPU spins forever (deadlock),
 * and lockdep reports the inconsistent usage. */
static void test_sim_sched_softirq_vs_bh_enabled_lock_deadlocks(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;
	const struct sim_explore_failure *f;

	(void)state;
	sim_lockdep_reset();
	sim_lockdep_expect(1);
	assert_int_equal(sim_explore(bh_scenario, (void *)1, &o, &r), -1);
	f = sim_explore_find(&r, "deadlock");
	assert_non_null(f);
	assert_non_null(strstr(f->report, "task 1 \"softirq\" (softirq, cpu 0) waits in spin_lock(bh_plain)"));
	assert_non_null(strstr(f->report, "held by task 0 \"proc\""));
	assert_int_equal(sim_lockdep_reports(), 1);
	assert_non_null(strstr(sim_lockdep_last_report(),
			       "inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage of bh_plain"));
	sim_lockdep_reset();
}

/* ---- waits ---- */

static struct wait_world {
	wait_queue_head_t wq;
	bool cond;
	long left;
} ww;

/* @arg: the timeout in jiffies, NULL for MAX_SCHEDULE_TIMEOUT */
static void waiter(void *arg)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long timeo = arg ? (long)(uintptr_t)arg : MAX_SCHEDULE_TIMEOUT;

	add_wait_queue(&ww.wq, &wait);
	while (!READ_ONCE(ww.cond) && timeo)
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
	remove_wait_queue(&ww.wq, &wait);
	ww.left = timeo;
}

/* @arg: non-NULL if the setter wakes the waiter (NULL: the bug) */
static void setter(void *arg)
{
	WRITE_ONCE(ww.cond, true);
	if (arg)
		wake_up_interruptible(&ww.wq);
}

static void wait_scenario(void *arg)
{
	init_waitqueue_head(&ww.wq);
	ww.cond = false;
	sim_task_start("waiter", waiter, NULL);
	sim_task_start("setter", setter, arg);
	sim_sched_run(NULL);
}

/* Condition set, then the wake-up: no schedule hangs. */
static void test_sim_sched_wakeup_never_hangs(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	assert_int_equal(sim_explore(wait_scenario, (void *)1, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_true(r.schedules > 1);
}

/* The setter forgets the wake-up: in the schedule where the waiter sleeps
 * first, nothing ever wakes it: a lost wake-up naming the wait site. */
static void test_sim_sched_lost_wakeup_reported(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;
	const struct sim_explore_failure *f;

	(void)state;
	assert_int_equal(sim_explore(wait_scenario, NULL, &o, &r), -1);
	f = sim_explore_find(&r, "lost wake-up / hang");
	assert_non_null(f);
	assert_int_equal(f->verdict, SIM_SCHED_HANG);
	assert_non_null(strstr(f->report, "task 0 \"waiter\" (process, cpu 0) waits in wait_woken() at tests/test_sim_sched.c:"));
	assert_int_equal(f->preemptions, 0);
}

/* The hung waiter is killed to end the run: its wait entry (on its
 * stack) leaves the queue with it, so a later wake-up touches nothing
 * stale. */
static void test_sim_sched_killed_waiter_leaves_its_wait_queue(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	init_waitqueue_head(&ww.wq);
	ww.cond = false;
	sim_task_start("waiter", waiter, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_HANG);
	assert_false(waitqueue_active(&ww.wq));
	assert_int_equal(sim_wake_up(&ww.wq, 0), 0);
}

/* A timed sleep nobody ends returns 0 after its timeout in virtual time:
 * the scheduler advances jiffies only when no task can run. */
static void test_sim_sched_timed_wait_expires_in_virtual_time(void **state)
{
	unsigned long start = sim_jiffies;

	(void)state;
	init_waitqueue_head(&ww.wq);
	ww.cond = false;
	ww.left = -1;
	sim_task_start("waiter", waiter, (void *)10);
	assert_int_equal(sim_sched_run(NULL), SIM_SCHED_OK);
	assert_int_equal(ww.left, 0);
	assert_int_equal(sim_jiffies - start, 10);
}

static struct delayed_work rearm_work;
static int rearms;

static void rearm_fn(struct work_struct *work)
{
	rearms++;
	schedule_delayed_work(to_delayed_work(work), 1);
}

/* A sleeper nothing wakes while a work item keeps re-arming itself: the
 * kworker's timers would advance time forever; it is reported as a hang
 * after a bounded number of idle time jumps. */
static void test_sim_sched_rearming_work_does_not_hide_a_hang(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	init_waitqueue_head(&ww.wq);
	ww.cond = false;
	rearms = 0;
	INIT_DELAYED_WORK(&rearm_work, rearm_fn);
	schedule_delayed_work(&rearm_work, 1);
	sim_task_start("waiter", waiter, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_HANG);
	assert_non_null(strstr(sim_sched_report(), "waits in wait_woken()"));
	assert_true(rearms > 1000);
	assert_true(cancel_delayed_work_sync(&rearm_work));
}

static struct delayed_work timer_work;

static void timer_work_fn(struct work_struct *work)
{
	(void)work;
	WRITE_ONCE(ww.cond, true);
	wake_up_interruptible(&ww.wq);
}

static void arms_and_waits(void *arg)
{
	schedule_delayed_work(&timer_work, 5);
	waiter(arg);
}

/* A delayed work item is a timer: while its task sleeps (timeout 100),
 * virtual time jumps to the item's due jiffy, the kworker runs it, its
 * wake-up ends the sleep with 95 jiffies left. */
static void test_sim_sched_delayed_work_wakes_a_sleeper_in_virtual_time(void **state)
{
	unsigned long start = sim_jiffies;

	(void)state;
	init_waitqueue_head(&ww.wq);
	ww.cond = false;
	ww.left = -1;
	INIT_DELAYED_WORK(&timer_work, timer_work_fn);
	sim_task_start("sleeper", arms_and_waits, (void *)100);
	assert_int_equal(sim_sched_run(NULL), SIM_SCHED_OK);
	assert_true(ww.cond);
	assert_int_equal(sim_jiffies - start, 5);
	assert_int_equal(ww.left, 95);
	assert_false(delayed_work_pending(&timer_work));
}

/* ---- livelock ---- */

static int spin_flag;

static void spinner(void *arg)
{
	(void)arg;
	while (!READ_ONCE(spin_flag))
		cond_resched();
}

static void test_sim_sched_livelock_reported(void **state)
{
	struct sim_sched_opts o = { .livelock_limit = 1000, .quiet = true };

	(void)state;
	spin_flag = 0;
	sim_task_start("spinner", spinner, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_LIVELOCK);
	assert_non_null(strstr(sim_sched_report(), "1000 scheduling points without blocking"));
	assert_non_null(strstr(sim_sched_report(), "cond_resched() at tests/test_sim_sched.c:"));
}

/* ---- RCU ---- */

struct obj {
	int val;
	bool dead;
};

static struct rcu_world {
	struct obj *gp;
	struct obj objs[2];
	bool u_began, u_returned;
	long early_violations, late_overlaps;
} rw;

/* An early reader: in its section before the updater begins (if the
 * schedule says so); it must be waited for. */
static void reader(void *arg)
{
	struct obj *p;
	bool early;

	(void)arg;
	rcu_read_lock();
	early = !READ_ONCE(rw.u_began);
	p = rcu_dereference(rw.gp);
	sim_sched_point("reader parked");
	if (p->dead)
		rw.early_violations++;	/* freed under a reader */
	if (early && rw.u_returned)
		rw.early_violations++;	/* the grace period did not wait */
	rcu_read_unlock();
}

/* A reader that may enter after synchronize_rcu() began: it need not be
 * waited for; count the schedules where the updater returned while it
 * was still inside. */
static void late_reader(void *arg)
{
	bool late;

	(void)arg;
	rcu_read_lock();
	late = READ_ONCE(rw.u_began);
	sim_sched_point("late reader parked");
	sim_sched_point("late reader parked again");
	if (late && rw.u_returned)
		rw.late_overlaps++;
	rcu_read_unlock();
}

static void updater(void *arg)
{
	struct obj *old = rw.gp;

	(void)arg;
	rcu_assign_pointer(rw.gp, &rw.objs[1]);
	WRITE_ONCE(rw.u_began, true);
	synchronize_rcu();
	WRITE_ONCE(rw.u_returned, true);
	old->dead = true;		/* kfree() */
}

static void rcu_scenario(void *arg)
{
	(void)arg;
	memset(rw.objs, 0, sizeof(rw.objs));
	rw.gp = &rw.objs[0];
	rw.u_began = rw.u_returned = false;
	sim_task_start("reader", reader, NULL);
	sim_task_start("updater", updater, NULL);
	sim_task_start("late", late_reader, NULL);
	if (sim_sched_run(NULL) != SIM_SCHED_OK)
		sim_explore_fail("run failed: %s", sim_sched_report());
}

/* Over every schedule with up to two preemptions: no reader that was in
 * its section when synchronize_rcu() began sees the updater return (or
 * the object freed), and some schedule returns while a later reader is
 * still inside (the grace period does not wait for it). */
static void test_sim_sched_synchronize_rcu_waits_for_parked_reader_only(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	rw.early_violations = rw.late_overlaps = 0;
	assert_int_equal(sim_explore(rcu_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_true(r.schedules > 10);
	assert_int_equal(rw.early_violations, 0);
	assert_true(rw.late_overlaps > 0);
}

static void sync_in_reader(void *arg)
{
	(void)arg;
	rcu_read_lock();
	synchronize_rcu();
	rcu_read_unlock();
}

/* synchronize_rcu() inside a read-side section would wait for itself. */
static void test_sim_sched_synchronize_rcu_in_reader_is_a_bug(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	sim_task_start("self-waiter", sync_in_reader, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_BUG);
	assert_non_null(strstr(sim_sched_report(), "synchronize_rcu() inside an RCU read-side section"));
}

static struct rcu_work_world {
	struct rcu_work rwork;
	bool reader_in, ran;
	long early, ran_in_run;
} rww;

static void rcu_work_fn(struct work_struct *work)
{
	(void)work;
	rww.ran = true;
}

static void rcu_work_reader(void *arg)
{
	(void)arg;
	rcu_read_lock();
	rww.reader_in = true;
	sim_sched_point("reader parked");
	sim_sched_point("reader parked again");
	if (rww.ran)
		rww.early++;		/* the callback ran inside its grace period */
	rww.reader_in = false;
	rcu_read_unlock();
}

static void rcu_work_queuer(void *arg)
{
	(void)arg;
	if (rww.reader_in)	/* queue only while the reader is inside */
		queue_rcu_work(system_wq, &rww.rwork);
}

static void rcu_work_scenario(void *arg)
{
	(void)arg;
	INIT_RCU_WORK(&rww.rwork, rcu_work_fn);
	rww.reader_in = rww.ran = false;
	sim_task_start("reader", rcu_work_reader, NULL);
	sim_task_start("queuer", rcu_work_queuer, NULL);
	if (sim_sched_run(NULL) != SIM_SCHED_OK)
		sim_explore_fail("run failed: %s", sim_sched_report());
	if (rww.ran)
		rww.ran_in_run++;
	sim_quiesce();
}

/* queue_rcu_work() while a reader is parked in its section: the kworker
 * runs the callback only after the reader has left, and does run it
 * during the run in some schedule. */
static void test_sim_sched_rcu_work_waits_for_its_grace_period(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	rww.early = rww.ran_in_run = 0;
	assert_int_equal(sim_explore(rcu_work_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_int_equal(rww.early, 0);
	assert_true(rww.ran_in_run > 0);
}

/* ---- work ---- */

static struct work_world {
	struct work_struct work;
	bool in_work;
	long waited, violations;
	int runs;
} wkw;

static void work_fn(struct work_struct *work)
{
	(void)work;
	wkw.in_work = true;
	wkw.runs++;
	sim_sched_point("work running");
	sim_sched_point("work still running");
	wkw.in_work = false;
}

static void canceller(void *arg)
{
	bool was_running;

	(void)arg;
	schedule_work(&wkw.work);
	sim_sched_point("queued");
	was_running = wkw.in_work;
	cancel_work_sync(&wkw.work);
	if (wkw.in_work)
		wkw.violations++;
	if (was_running)
		wkw.waited++;
}

static void work_scenario(void *arg)
{
	(void)arg;
	INIT_WORK(&wkw.work, work_fn);
	wkw.in_work = false;
	sim_task_start("canceller", canceller, NULL);
	if (sim_sched_run(NULL) != SIM_SCHED_OK)
		sim_explore_fail("run failed: %s", sim_sched_report());
	cancel_work_sync(&wkw.work);
}

/* The kworker runs the item concurrently; cancel_work_sync() returns only
 * after a running instance finished, in every schedule, and some schedule
 * does catch it running. */
static void test_sim_sched_cancel_work_sync_waits_for_running_work(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	wkw.waited = wkw.violations = wkw.runs = 0;
	assert_int_equal(sim_explore(work_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_int_equal(wkw.violations, 0);
	assert_true(wkw.waited > 0);
	assert_true(wkw.runs > 0);
}

/* ---- lock_sock ---- */

static struct sock *lsk_a, *lsk_b;
static int sock_counter;

static void sock_incr(void *arg)
{
	int v;

	(void)arg;
	lock_sock(lsk_a);
	v = sock_counter;
	sim_sched_point("owner");
	sock_counter = v + 1;
	release_sock(lsk_a);
}

static void sock_scenario(void *arg)
{
	(void)arg;
	sock_counter = 0;
	sim_task_start("s0", sock_incr, NULL);
	sim_task_start("s1", sock_incr, NULL);
	if (sim_sched_run(NULL) != SIM_SCHED_OK)
		sim_explore_fail("run failed: %s", sim_sched_report());
	if (sock_counter != 2)
		sim_explore_fail("lost update under lock_sock: %d", sock_counter);
	sim_explore_end_state(sock_counter);
}

/* lock_sock() sleeps on sk_lock.wq while another task owns the socket
 * (__lock_sock) and release_sock() wakes it: no update is lost. */
static void test_sim_sched_lock_sock_blocks_the_second_owner(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;
	u64 wakeups = sim_stats.wakeups;

	(void)state;
	sim_tcp_pair(&lsk_a, &lsk_b, "A", "B");
	assert_int_equal(sim_explore(sock_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_int_equal(r.end_states, 1);
	assert_true(sim_stats.wakeups > wakeups);	/* some waiter was woken */
	assert_false(sock_owned_by_user(lsk_a));
}

static int fast_slow_paths;

static void sock_fast_incr(void *arg)
{
	bool slow;
	int v;

	(void)arg;
	slow = lock_sock_fast(lsk_a);
	if (slow)
		fast_slow_paths++;
	v = sock_counter;
	sock_counter = v + 1;
	unlock_sock_fast(lsk_a, slow);
}

static void sock_fast_scenario(void *arg)
{
	(void)arg;
	sock_counter = 0;
	sim_task_start("owner", sock_incr, NULL);
	sim_task_start("fast", sock_fast_incr, NULL);
	if (sim_sched_run(NULL) != SIM_SCHED_OK)
		sim_explore_fail("run failed: %s", sim_sched_report());
	if (sock_counter != 2)
		sim_explore_fail("lost update under lock_sock_fast: %d", sock_counter);
}

/* lock_sock_fast() on an owned socket takes the slow path (sleeps in
 * __lock_sock until release_sock) and returns true; no update is lost. */
static void test_sim_sched_lock_sock_fast_slow_path_waits(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	fast_slow_paths = 0;
	sim_tcp_pair(&lsk_a, &lsk_b, "A", "B");
	assert_int_equal(sim_explore(sock_fast_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_true(fast_slow_paths > 0);
	assert_false(sock_owned_by_user(lsk_a));
}

static void relocks_sock(void *arg)
{
	(void)arg;
	lock_sock(lsk_a);
	lock_sock(lsk_a);		/* BUG: would wait for itself */
	release_sock(lsk_a);
	release_sock(lsk_a);
}

/* lock_sock() twice in one task is reported, and the socket lock is
 * force-released with the killed task. */
static void test_sim_sched_lock_sock_recursion_reported(void **state)
{
	struct sim_sched_opts o = { .quiet = true };

	(void)state;
	sim_tcp_pair(&lsk_a, &lsk_b, "A", "B");
	sim_task_start("relocker", relocks_sock, NULL);
	assert_int_equal(sim_sched_run(&o), SIM_SCHED_BUG);
	assert_non_null(strstr(sim_sched_report(), "lock_sock(A) while this task already owns it"));
	assert_non_null(strstr(sim_sched_report(), "holds sk_lock-AF_INET (lock_sock at sim/sock.c:"));
	assert_false(sock_owned_by_user(lsk_a));
}

static void locks_ab_socks(void *arg)
{
	(void)arg;
	lock_sock(lsk_a);
	lock_sock(lsk_b);
	release_sock(lsk_b);
	release_sock(lsk_a);
}

static void locks_ba_socks(void *arg)
{
	(void)arg;
	lock_sock(lsk_b);
	lock_sock(lsk_a);
	release_sock(lsk_a);
	release_sock(lsk_b);
}

static void sock_abba_scenario(void *arg)
{
	(void)arg;
	sim_task_start("ab", locks_ab_socks, NULL);
	sim_task_start("ba", locks_ba_socks, NULL);
	sim_sched_run(NULL);
}

/* Two tasks lock_sock() two sockets in opposite orders: with one
 * preemption both sleep in __lock_sock forever; the report names the
 * socket each waits for and the task that owns it. */
static void test_sim_sched_lock_sock_abba_deadlock_names_owners(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(1);
	struct sim_explore_result r;
	const struct sim_explore_failure *f;

	(void)state;
	sim_tcp_pair(&lsk_a, &lsk_b, "A", "B");
	/* sk_lock -> sk_lock nests one class: lockdep reports nothing here */
	assert_int_equal(sim_explore(sock_abba_scenario, NULL, &o, &r), -1);
	f = sim_explore_find(&r, "deadlock");
	assert_non_null(f);
	assert_int_equal(f->preemptions, 1);
	assert_non_null(strstr(f->report, "task 0 \"ab\" (process, cpu 0) waits in lock_sock(B) at sim/sock.c:"));
	assert_non_null(strstr(f->report, "task 1 \"ba\" (process, cpu 1) waits in lock_sock(A) at sim/sock.c:"));
	assert_non_null(strstr(f->report, ", held by task 1 \"ba\""));
	assert_non_null(strstr(f->report, ", held by task 0 \"ab\""));
	assert_false(sock_owned_by_user(lsk_a));
	assert_false(sock_owned_by_user(lsk_b));
	assert_int_equal(sim_lockdep_reports(), 0);
}

/* ---- the sim's TCP under tasks (smoke: no false report) ---- */

static struct tcp_world {
	struct sock *a, *b;
	int sent, got;
	unsigned char buf[64];
} tw;

static void tcp_sender(void *arg)
{
	(void)arg;
	tw.sent = sim_send_pattern(tw.a, 0, 0, sizeof(tw.buf), 0);
}

static void tcp_receiver(void *arg)
{
	(void)arg;
	tw.got = 0;
	while (tw.got < (int)sizeof(tw.buf)) {
		int n = sim_recv(tw.b, tw.buf + tw.got, sizeof(tw.buf) - tw.got, 0);

		if (n <= 0)
			break;
		tw.got += n;
	}
}

static void tcp_scenario(void *arg)
{
	(void)arg;
	tw.sent = tw.got = 0;
	memset(tw.buf, 0, sizeof(tw.buf));
	sim_task_start("receiver", tcp_receiver, NULL);
	sim_task_start("sender", tcp_sender, NULL);
	if (sim_sched_run(NULL) != SIM_SCHED_OK)
		sim_explore_fail("run failed: %s", sim_sched_report());
	else if (tw.got != (int)sizeof(tw.buf) || tw.sent != (int)sizeof(tw.buf))
		sim_explore_fail("sent %d, received %d", tw.sent, tw.got);
	assert_pattern(tw.buf, 0, 0, tw.got);
}

/* A blocking recv() (sk_wait_data: lock_sock, wait_woken, the data_ready
 * wake-up) against a send() on the peer, over every schedule with up to
 * one preemption: the sim's socket code runs on the scheduler with no
 * deadlock, hang or lockdep report, and every byte arrives. */
static void test_sim_sched_blocking_recv_against_send(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(1);
	struct sim_explore_result r;

	(void)state;
	sim_tcp_pair(&tw.a, &tw.b, "A", "B");
	assert_int_equal(sim_explore(tcp_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.nondeterministic, 0);
	assert_true(r.schedules > 1);
	assert_int_equal(sim_lockdep_reports(), 0);
}


/* ---- watched fields: WRITE_ONCE as a scheduling point, the lock-set check ---- */

static struct watch_world {
	int x;
	spinlock_t lock;
	bool locked, via_work;
	struct work_struct work;
} wtw;

static void watched_incr(void *arg)
{
	(void)arg;
	if (wtw.locked)
		spin_lock(&wtw.lock);
	WRITE_ONCE(wtw.x, wtw.x + 1);	/* evaluates, passes the point, stores */
	if (wtw.locked)
		spin_unlock(&wtw.lock);
}

static void watched_work_fn(struct work_struct *work)
{
	(void)work;
	watched_incr(NULL);
}

/* A task that writes, then queues work that writes: ordered by the
 * queueing (happens-before), never a report. */
static void watched_then_queue(void *arg)
{
	watched_incr(arg);
	schedule_work(&wtw.work);
}

static void watch_scenario(void *arg)
{
	(void)arg;
	wtw.x = 0;
	spin_lock_init(&wtw.lock);
	INIT_WORK(&wtw.work, watched_work_fn);
	sim_watch_register(&wtw.x, sizeof(wtw.x), "x", "toy", SIM_RULE_SPINLOCK, &wtw.lock);
	if (wtw.via_work) {
		sim_task_start("writer", watched_then_queue, NULL);
	} else {
		sim_task_start("inc0", watched_incr, NULL);
		sim_task_start("inc1", watched_incr, NULL);
	}
	if (sim_sched_run(NULL) != SIM_SCHED_OK)
		sim_explore_fail("run failed: %s", sim_sched_report());
	cancel_work_sync(&wtw.work);
	sim_watch_forget(&wtw.x, sizeof(wtw.x));
	if (wtw.x != 2)
		sim_explore_fail("lost update: x is %d, expected 2", wtw.x);
	sim_explore_end_state(wtw.x);
}

/* Broken on purpose: two unlocked WRITE_ONCE(x, x + 1). The lock-set
 * check reports it in the first, non-preemptive schedule (no interleaving
 * needed), naming both sites and that neither held the lock; K=1 then
 * finds the torn update itself. */
static void test_sim_sched_watched_unlocked_write_reported_and_torn(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(0);
	struct sim_explore_result r;

	(void)state;
	wtw.locked = wtw.via_work = false;
	sim_lockset_expect(1);
	assert_int_equal(sim_explore(watch_scenario, NULL, &o, &r), 0);
	assert_int_equal(sim_lockset_reports(), 1);
	assert_non_null(strstr(sim_lockset_last_report(), "lock-set: toy.x (rule: &wtw.lock) written by task 1 at tests/test_sim_sched.c:"));
	assert_non_null(strstr(sim_lockset_last_report(), "holding {}; also written by task 0"));
	assert_true(sim_watch_accesses("x") >= 2);
	o = QUIET_DFS(1);
	assert_int_equal(sim_explore(watch_scenario, NULL, &o, &r), -1);
	assert_non_null(sim_explore_find(&r, "lost update: x is 1"));
	assert_int_equal(sim_lockset_reports(), 1);	/* once per site pair */
	assert_int_equal(sim_watch_fields(), 0);
}

/* Fixed twin: under the lock, no report and no lost update in any
 * schedule with up to two preemptions. */
static void test_sim_sched_watched_locked_write_is_quiet(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	wtw.locked = true;
	wtw.via_work = false;
	assert_int_equal(sim_explore(watch_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(sim_lockset_reports(), 0);
}

/* Unlocked writes ordered by queue_work -> the work running: no report. */
static void test_sim_sched_watched_write_ordered_by_work_is_quiet(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(2);
	struct sim_explore_result r;

	(void)state;
	wtw.locked = false;
	wtw.via_work = true;
	assert_int_equal(sim_explore(watch_scenario, NULL, &o, &r), 0);
	assert_true(r.complete);
	assert_int_equal(sim_lockset_reports(), 0);
}

/* ---- figures ---- */

/* Figures for the two-task toy (printed; only the counts are asserted):
 * schedules per second under PCT, and the size of the complete DFS space
 * for K = 0, 1, 2. */
static void test_sim_sched_throughput(void **state)
{
	struct sim_explore_opts o = { .pct = true, .pct_runs = 500, .seed = 1, .quiet = true };
	struct sim_explore_result r;
	struct timespec t0, t1;
	double s;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sim_explore(counter_scenario, (void *)1, &o, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(r.schedules, 500);
	assert_int_equal(r.failures, 0);
	printf("sim_sched: %ld schedules of the two-task toy in %.3f s: %.0f schedules/s\n",
	       r.schedules, s, r.schedules / s);
	for (int k = 0; k <= 2; k++) {
		o = QUIET_DFS(k);
		sim_explore(counter_scenario, NULL, &o, &r);
		assert_true(r.complete);
		printf("sim_sched: unlocked two-task toy, K=%d: %ld schedules, %ld failing, %ld end states\n",
		       k, r.schedules, r.failures, r.end_states);
	}
}

/* stop_on_failure: the search ends at the first failing schedule. */
static void test_sim_sched_explore_stops_on_first_failure(void **state)
{
	struct sim_explore_opts o = QUIET_DFS(1);
	struct sim_explore_result r;
	long all;

	(void)state;
	sim_explore(counter_scenario, NULL, &o, &r);
	all = r.schedules;
	o.stop_on_failure = true;
	assert_int_equal(sim_explore(counter_scenario, NULL, &o, &r), -1);
	assert_int_equal(r.failures, 1);
	assert_false(r.complete);
	assert_true(r.schedules < all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_sim_sched_no_tasks_is_a_no_op),
		SIM_TEST(test_sim_sched_many_softirqs_in_one_run),
		SIM_TEST(test_sim_sched_counter_without_preemption_never_loses),
		SIM_TEST(test_sim_sched_lost_update_found_with_one_preemption),
		SIM_TEST(test_sim_sched_locked_counter_never_loses),
		SIM_TEST(test_sim_sched_assert_in_scenario_fails_that_schedule),
		SIM_TEST(test_sim_sched_pct_finds_lost_update),
		SIM_TEST(test_sim_sched_replay_is_deterministic),
		SIM_TEST(test_sim_sched_abba_deadlock_reported),
		SIM_TEST(test_sim_sched_lock_order_inversion_across_runs),
		SIM_TEST(test_sim_sched_sleep_under_spinlock_reported),
		SIM_TEST(test_sim_sched_sleep_with_bh_disabled_reported),
		SIM_TEST(test_sim_sched_sleep_in_softirq_reported),
		SIM_TEST(test_sim_sched_assert_in_task_fails_the_run),
		SIM_TEST(test_sim_sched_violation_in_task_fails_the_run),
		SIM_TEST(test_sim_sched_softirq_vs_bh_disabled_lock_never_deadlocks),
		SIM_TEST(test_sim_sched_softirq_vs_bh_enabled_lock_deadlocks),
		SIM_TEST(test_sim_sched_wakeup_never_hangs),
		SIM_TEST(test_sim_sched_lost_wakeup_reported),
		SIM_TEST(test_sim_sched_killed_waiter_leaves_its_wait_queue),
		SIM_TEST(test_sim_sched_timed_wait_expires_in_virtual_time),
		SIM_TEST(test_sim_sched_rearming_work_does_not_hide_a_hang),
		SIM_TEST(test_sim_sched_delayed_work_wakes_a_sleeper_in_virtual_time),
		SIM_TEST(test_sim_sched_livelock_reported),
		SIM_TEST(test_sim_sched_synchronize_rcu_waits_for_parked_reader_only),
		SIM_TEST(test_sim_sched_synchronize_rcu_in_reader_is_a_bug),
		SIM_TEST(test_sim_sched_rcu_work_waits_for_its_grace_period),
		SIM_TEST(test_sim_sched_cancel_work_sync_waits_for_running_work),
		SIM_TEST(test_sim_sched_lock_sock_blocks_the_second_owner),
		SIM_TEST(test_sim_sched_lock_sock_fast_slow_path_waits),
		SIM_TEST(test_sim_sched_lock_sock_recursion_reported),
		SIM_TEST(test_sim_sched_lock_sock_abba_deadlock_names_owners),
		SIM_TEST(test_sim_sched_blocking_recv_against_send),
		SIM_TEST(test_sim_sched_explore_stops_on_first_failure),
		SIM_TEST(test_sim_sched_watched_unlocked_write_reported_and_torn),
		SIM_TEST(test_sim_sched_watched_locked_write_is_quiet),
		SIM_TEST(test_sim_sched_watched_write_ordered_by_work_is_quiet),
		SIM_TEST(test_sim_sched_throughput),
	};

	return SIM_RUN_GROUP("sim_sched", tests);
}
