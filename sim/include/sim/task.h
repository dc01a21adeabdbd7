/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: tasks and the deterministic scheduler. Stands for the parts of
 * kernel/sched/ (schedule(), the run queue, softirq context) and
 * kernel/locking/lockdep.c (held-lock stacks, lock order, irq-state
 * consistency) that the sockmap code's concurrency depends on.
 *
 * A task is a real pthread (ASan and the ledger see real threads), but
 * exactly one runs at any moment: control passes only at scheduling points
 * (lock acquire/release, lock_sock/release_sock, bh enable, RCU read-side
 * entry/exit, sleeps and wake-ups, work queueing, cond_resched(),
 * sim_sched_point()). At a point where more than one task is runnable the
 * strategy picks one; that choice sequence is the schedule.
 *
 * Schedule strings: the choices, each a task index in base 36 ('0'-'9',
 * 'a'-'z'), run-length encoded as runs "<task>" or "<task>x<count>"
 * separated by '.', e.g. "0x5.1.0x3". Replaying a string past its end
 * keeps the running task while it is runnable, else the lowest-index
 * runnable task (the non-preemptive default), so trailing default choices
 * are dropped from printed schedules. SCHEDULE=<string> in the environment
 * replays a schedule in sim_sched_run() and sim_explore().
 *
 * Failures in a task (BUG, a CMocka assert through tests/sim_test.h, a
 * ledger violation, deadlock, livelock, lost wake-up, a lockdep report) end
 * the run: the failing task longjmps back to its thread's start, every
 * other task is resumed in turn with a kill flag and longjmps out the same
 * way (its held locks are force-released), and sim_sched_run() returns the
 * verdict with a report. The world state the tasks touched is the
 * scenario's to tear down. No task started: everything behaves as the
 * single-threaded sim always did.
 */
#ifndef _SIM_TASK_H
#define _SIM_TASK_H

#include <stdio.h>
#include <sim/compiler.h>

struct sim_task;

enum sim_task_kind {
	SIM_TASK_PROCESS,	/* a user task in a syscall */
	SIM_TASK_SOFTIRQ,	/* softirq context on its CPU: never sleeps */
	SIM_TASK_WORKER,	/* the kworker sim_sched_run() starts */
};

enum sim_sched_verdict {
	SIM_SCHED_OK,
	SIM_SCHED_DEADLOCK,	/* every unfinished task blocked */
	SIM_SCHED_HANG,		/* a sleep nothing can end (lost wake-up) */
	SIM_SCHED_LIVELOCK,	/* a task passed the livelock limit */
	SIM_SCHED_LOCKDEP,	/* lock order / bh consistency report */
	SIM_SCHED_BUG,		/* BUG, assert, ledger violation in a task */
	SIM_SCHED_DIVERGED,	/* replayed choice not runnable */
};

enum sim_strategy {
	SIM_STRAT_DEFAULT,	/* non-preemptive (replay of "") */
	SIM_STRAT_REPLAY,	/* opts->schedule */
	SIM_STRAT_PCT,		/* opts->seed, opts->pct_depth */
	SIM_STRAT_DFS,		/* internal: sim_explore()'s systematic search */
	SIM_STRAT_BYTES,	/* opts->bytes: a fuzzer's input decides */
};

struct sim_sched_opts {
	enum sim_strategy strategy;
	const char *schedule;		/* REPLAY */
	u64 seed;			/* PCT */
	int pct_depth;			/* PCT: d (bug depth), default 3 */
	long pct_steps;			/* PCT: estimated scheduling points */
	/* BYTES: at each point where n > 1 tasks are runnable, the next byte
	 * b picks the (b % n)-th of them in index order; once the bytes run
	 * out, the default choice. The printed schedule replays the run. */
	const u8 *bytes;
	size_t nbytes;
	long livelock_limit;		/* default 100000 */
	int ncpus;			/* default 2 */
	bool no_kworker;		/* do not start the kworker */
	bool quiet;			/* do not print the failure report */
};

/* Create a task; it runs only inside sim_sched_run(). @cpu < 0: round robin. */
struct sim_task *sim_task_start(const char *name, void (*fn)(void *), void *arg);
struct sim_task *sim_task_start_on(const char *name, enum sim_task_kind kind,
				   int cpu, void (*fn)(void *), void *arg);
/* Whether this run can start one more task (SIM_MAX_TASKS). */
bool sim_task_slot_free(void);
/* Run every started task to completion; returns the verdict. @opts may be
 * NULL (SCHEDULE from the environment, else the default strategy). */
enum sim_sched_verdict sim_sched_run(const struct sim_sched_opts *opts);
/* A scheduling point (no-op outside sim_sched_run()); reports name @site
 * and the caller's file:line. */
void sim_sched_point(const char *site);
#define sim_sched_point(site)						\
	sim_sched_point_at("sim_sched_point", (site), __FILE__, __LINE__)
/* Tasks started and not yet run by sim_sched_run() (a world must end
 * with none). */
int sim_tasks_unrun(void);
/* Are tasks running (is the caller one of them)? */
bool sim_sched_active(void);
/* The last run: verdict name, report text, schedule (RLE), choice count. */
const char *sim_sched_verdict_name(enum sim_sched_verdict v);
const char *sim_sched_report(void);
const char *sim_sched_schedule(void);
/* Every choice of the last run, RLE, nothing dropped (for comparisons). */
const char *sim_sched_trace(void);
long sim_sched_choices(void);
int sim_sched_preemptions(void);
/* Tasks the last run had: those started, the kworker, softirqs raised. */
int sim_sched_tasks(void);
/* The task running now (the test thread's outside a run). */
struct sim_task *sim_task_self(void);
const char *sim_task_name(const struct sim_task *t);
int sim_task_index(const struct sim_task *t);
/* Fail the running task's run (BUG/assert in a task): does not return
 * when called in a task; returns false outside one. */
bool sim_task_fail(enum sim_sched_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record a non-fatal failure (ledger violation) of the current run. */
void sim_sched_note_failure(const char *what);

/* Systematic and randomised exploration of a scenario. The scenario sets
 * up, starts tasks, calls sim_sched_run(NULL) (which then follows the
 * explorer's strategy), checks, tears down, and may call
 * sim_explore_fail() and sim_explore_end_state(). A CMocka assert in the
 * scenario or a task fails that schedule only; @cleanup (optional) then
 * runs instead of the rest of the scenario. */
struct sim_explore_opts {
	int preemption_bound;		/* DFS: K (default 0: non-preemptive) */
	long max_schedules;		/* cap (default 100000) */
	bool pct;			/* PCT instead of DFS */
	long pct_runs;			/* PCT: runs (default 1000) */
	u64 seed;			/* PCT: first seed */
	int pct_depth;			/* PCT: d (default 2) */
	bool stop_on_failure;
	bool quiet;			/* no per-failure report on stderr */
	void (*cleanup)(void *arg);
};

struct sim_explore_failure {
	enum sim_sched_verdict verdict;	/* BUG also for sim_explore_fail() */
	char report[1024];
	char schedule[256];		/* replay string, fewest preemptions found */
	int preemptions;
	long count;			/* runs that failed this way */
};

struct sim_explore_result {
	long schedules;			/* runs */
	long failures;			/* runs that failed */
	long end_states;		/* distinct sim_explore_end_state() hashes */
	bool complete;			/* DFS exhausted the bounded space */
	long nondeterministic;		/* DFS: a replayed prefix diverged */
	int nkinds;			/* failure kinds (first report line) */
	struct sim_explore_failure kinds[8];
	const struct sim_explore_failure *best;	/* fewest preemptions */
};
/* The kept failure whose report contains @needle, or NULL. */
const struct sim_explore_failure *
sim_explore_find(const struct sim_explore_result *res, const char *needle);

int sim_explore(void (*scenario)(void *arg), void *arg,
		const struct sim_explore_opts *opts, struct sim_explore_result *res);
/* In a scenario run by sim_explore(): this schedule failed / ended in @hash. */
void sim_explore_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_explore_end_state(u64 hash);
/* Is the caller inside sim_explore()? */
bool sim_exploring(void);
/* tests/sim_test.h: a CMocka assert failed; true if it was captured (in a
 * task or in an explored scenario: does not return then). */
bool sim_capture_assert(const char *file, int line);

/* Lockdep reports (order inversion, bh inconsistency) since the last
 * sim_lockdep_reset(); the world fixture fails on unexpected ones. */
long sim_lockdep_reports(void);
const char *sim_lockdep_last_report(void);
void sim_lockdep_expect(long n);
long sim_lockdep_expected(void);
/* Forget lock classes and the order graph (a test of the checker). */
void sim_lockdep_reset(void);


/* ---- for the sim's own shims (lock.c, sock.c, wait.c, workqueue.c, rcu) ---- */

/* A run is in progress (some task may be running). */
extern bool sim_sched_on;

/* What a blocked task waits for: runnable again once ready(arg) is true
 * or (timeout >= 0 and not MAX_SCHEDULE_TIMEOUT) that many virtual jiffies
 * have passed. @holder or @held_lock (optional) name the owner(s) in
 * deadlock reports. */
struct sim_wait_for {
	const char *op, *name, *file;
	int line;
	bool (*ready)(const void *arg);
	const void *arg;
	struct sim_task *const *holder;
	const void *held_lock;	/* or: the holders are who hold this lock */
	long timeout;
	bool lock;		/* a lock (deadlock), not a sleep (hang) */
};
/* Block the running task; returns false if the timeout ended the wait. */
bool sim_task_block(const struct sim_wait_for *w);
void sim_sched_point_at(const char *op, const char *name, const char *file, int line);

/* The held-lock stack of the current task (lockdep's held_locks). */
void sim_lock_acquired(const void *lock, const char *name, const char *op,
		       void (*force_release)(void *lock), const char *file, int line);
void sim_lock_released(const void *lock, const char *op, const char *file, int line);
bool sim_lock_held_by_me(const void *lock);
/* Happens-before (vector clocks, for the lock-set check of sim/watch.c):
 * releasing @obj (a lock's release, queueing a work item) publishes the
 * task's clock into it; acquiring it (the lock's acquire, the work item
 * starting) joins it. Tasks inherit their starter's clock. Atomics and
 * refcounts carry no edge. */
void sim_hb_release(const void *obj);
void sim_hb_acquire(const void *obj);
const u32 *sim_task_vc(void);	/* SIM_MAX_TASKS entries */
/* The names of the locks the current task holds, ", "-separated. */
size_t sim_task_held_names(char *buf, size_t size);
/* The CPU a task runs on (a softirq it raises runs there too). */
int sim_task_cpu(const struct sim_task *t);
/* Locks the test thread's task still holds (a world must end with none). */
int sim_main_task_held(void);
/* While tasks run: undo @fn(@arg) if the task is killed (its stack frames
 * vanish with the longjmp); pop it when the frame undoes it itself. */
void sim_task_push_cleanup(void (*fn)(void *arg), void *arg);
void sim_task_pop_cleanup(void *arg);
/* Is the current task in softirq context? */
bool sim_in_softirq(void);
/* The current task's counters (lock.c, rcu). */
int *sim_task_bh(void);
int *sim_task_atomic(void);
/* RCU (sim/include/sim/rcu.h) */
void sim_rcu_read_lock(const char *file, int line);
void sim_rcu_read_unlock(const char *file, int line);
bool sim_rcu_read_lock_held(void);
/* A grace-period snapshot: the readers in a read-side section now. */
struct sim_rcu_snap {
	u32 mask;
	unsigned long qs[16];
};
void sim_rcu_snapshot(struct sim_rcu_snap *s);
bool sim_rcu_snap_elapsed(const struct sim_rcu_snap *s);
/* The kworker (sim/workqueue.c) */
void sim_kworker_fn(void *arg);
bool sim_kworker_has_work(void);
bool sim_kworker_ready(const void *arg);	/* has work, or nothing else runs */
long sim_kworker_next_due(void);	/* jiffies until the next delayed item, <0: none */
void sim_work_abandon(void);
/* All non-worker tasks have finished. */
bool sim_sched_others_done(void);
/* Tasks of one run, finished ones included (their vector clocks stay):
 * a kworker's egress sends start a softirq task per segment. At most 32:
 * the runnable masks are u32, and a schedule string names a task by one
 * character (0-9, a-v). */
#define SIM_MAX_TASKS 32

#endif /* _SIM_TASK_H */
