// SPDX-License-Identifier: GPL-2.0
/*
 * sim: tasks, the deterministic scheduler, lockdep's checks and RCU's
 * grace periods. Stands for kernel/sched/core.c (schedule(), wake-ups,
 * the run queue), kernel/softirq.c (softirq context on a CPU),
 * kernel/locking/lockdep.c (held locks, lock order, softirq-state
 * consistency, deadlock) and kernel/rcu/tree.c (readers, synchronize_rcu()).
 * See <sim/task.h> for the model.
 *
 * Handoff: each task has a semaphore; the running task picks the next one
 * at a scheduling point, posts its semaphore and waits on its own. The
 * test thread waits on its own semaphore for the whole run. So exactly one
 * thread runs sim code at any moment, and every handoff is a
 * happens-before edge for ASan.
 *
 * Softirq model: every task has a CPU (round robin over ncpus, default 2).
 * A SOFTIRQ task on CPU c may be picked only while no other task on c has
 * bh disabled (a local_bh_disable() or a _bh lock); once it has started,
 * the other tasks of CPU c are interrupted (not runnable) until it ends.
 * A softirq never sleeps (might_sleep() in one is a BUG).
 */
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sim/task.h>
#include <sim/sched.h>
#include <sim/lock.h>
#include <sim/workqueue.h>
#include <sim/watch.h>

#define HELD_MAX	48
#define RING		16
#define CLEANUP_MAX	16
#define MAX_CLASSES	128
#define SIM_IDLE_ADVANCES 10000

struct held {
	const void *lock;
	const char *name, *op, *file;
	int line;
	int cls;
	bool bh;
	void (*force_release)(void *lock);
};

struct site {
	const char *op, *name, *file;
	int line;
};

enum tstate { T_NEW, T_RUNNABLE, T_BLOCKED, T_DONE };

/* Task threads are pooled: a finished task's pthread parks on its
 * semaphore until it is given the next task (creating a pthread per task
 * per schedule costs more than the schedule). */
struct pool_thread {
	pthread_t thread;
	sem_t sem;
	struct sim_task *task;
	struct pool_thread *next_idle;
};

struct sim_task {
	struct task_struct ts;		/* first: current is &task->ts */
	char name[32];
	int idx, cpu;
	enum sim_task_kind kind;
	void (*fn)(void *);
	void *arg;
	struct pool_thread *pt;		/* the pthread running it */
	jmp_buf start_env;
	enum tstate state;
	bool started, killed, timed_out;
	struct sim_wait_for wait;
	unsigned long deadline;
	bool has_deadline;
	int bh, rcu, atomic;
	u32 vc[SIM_MAX_TASKS];		/* vector clock (happens-before) */
	unsigned long qs;		/* RCU quiescent states passed */
	struct held held[HELD_MAX];
	int nheld;
	struct {
		void (*fn)(void *arg);
		void *arg;
	} cleanup[CLEANUP_MAX];		/* undone if the task is killed */
	int ncleanup;
	long since_block;
	struct site ring[RING];
	int ring_pos;
	long prio;			/* PCT */
};

static struct sim_task main_task = { .ts = { .comm = "sim-test" }, .idx = -1 };
__thread struct task_struct *sim_current = &main_task.ts;
bool sim_sched_on;

static struct sim_task *tasks[SIM_MAX_TASKS];
_Static_assert(SIM_MAX_TASKS <= 32, "runnable masks are u32, schedules name tasks 0-9a-v");
static int ntasks;
static sem_t main_sem;
static bool main_sem_ready;
static bool abandoned;
static enum sim_sched_verdict verdict;
static char report[8192];
static size_t report_len;

/* The strategy of the current run. */
static struct {
	enum sim_strategy strategy;
	signed char *forced;		/* REPLAY / DFS prefix */
	long nforced;
	long livelock_limit;
	int ncpus;
	bool quiet;
	/* PCT */
	u64 rng;
	long step;
	long change[8];
	int nchange;
	/* BYTES */
	const u8 *bytes;
	size_t nbytes, bpos;
} run;

/* The choices of the current run, with what the explorer needs. */
struct choice {
	u32 runnable;
	signed char chosen, me;
	bool me_runnable;
	short pre_before;
};
static struct choice *choices;
static long nchoices, choices_cap;
static int preemptions;
static int last_ntasks;
static long idle_advances;	/* time jumps since a non-worker task ran */
static char schedule_str[4096];
static char trace_str[8192];

static inline struct sim_task *self(void)
{
	return (struct sim_task *)sim_current;
}

struct sim_task *sim_task_self(void)
{
	return self();
}

const char *sim_task_name(const struct sim_task *t)
{
	return t->name[0] ? t->name : t->ts.comm;
}

int sim_task_index(const struct sim_task *t)
{
	return t->idx;
}

bool sim_sched_active(void)
{
	return sim_sched_on && self() != &main_task;
}

bool sim_task_slot_free(void)
{
	return ntasks < SIM_MAX_TASKS;
}

int *sim_task_bh(void)
{
	return &self()->bh;
}

int *sim_task_atomic(void)
{
	return &self()->atomic;
}

bool sim_in_softirq(void)
{
	return self()->kind == SIM_TASK_SOFTIRQ;
}

const char *sim_sched_verdict_name(enum sim_sched_verdict v)
{
	static const char *const names[] = {
		"ok", "deadlock", "hang", "livelock", "lockdep", "bug", "diverged",
	};
	return v < ARRAY_SIZE(names) ? names[v] : "?";
}

__attribute__((format(printf, 1, 2)))
static void rep(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (report_len >= sizeof(report) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(report + report_len, sizeof(report) - report_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		report_len = min(report_len + (size_t)n, sizeof(report) - 1);
}

const char *sim_sched_report(void)
{
	return report;
}

const char *sim_sched_schedule(void)
{
	return schedule_str;
}

const char *sim_sched_trace(void)
{
	return trace_str;
}

long sim_sched_choices(void)
{
	return nchoices;
}

int sim_sched_tasks(void)
{
	return last_ntasks;
}

int sim_sched_preemptions(void)
{
	return preemptions;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = 0;
}

/* ---- schedule strings ---------------------------------------------------- */

static char idx_char(int i)
{
	return i < 10 ? '0' + i : 'a' + i - 10;
}

static int char_idx(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return -1;
}

static int default_choice(const struct choice *c)
{
	if (c->me_runnable)
		return c->me;
	return __builtin_ctz(c->runnable);
}

/* RLE of choices[0..n), trailing default choices dropped if @strip. */
static void encode(const struct choice *c, long n, char *out, size_t size, bool strip)
{
	size_t len = 0;
	long i = 0;

	while (strip && n > 0 && c[n - 1].chosen == default_choice(&c[n - 1]))
		n--;
	out[0] = 0;
	while (i < n && len + 16 < size) {
		long j = i;

		while (j < n && c[j].chosen == c[i].chosen)
			j++;
		len += snprintf(out + len, size - len, "%s%c", len ? "." : "",
				idx_char(c[i].chosen));
		if (j - i > 1)
			len += snprintf(out + len, size - len, "x%ld", j - i);
		i = j;
	}
	if (i < n)
		snprintf(out + len, size - len, "...");
}

/* Parse a schedule string; returns the number of choices or -1. */
static long decode(const char *s, signed char **out)
{
	long n = 0, cap = 64;
	signed char *v = malloc(cap);

	while (s && *s) {
		int t = char_idx(*s++);
		long count = 1;

		if (t < 0) {
			free(v);
			return -1;
		}
		if (*s == 'x')
			count = strtol(s + 1, (char **)&s, 10);
		if (*s == '.')
			s++;
		while (count-- > 0) {
			if (n == cap)
				v = realloc(v, cap *= 2);
			v[n++] = t;
		}
	}
	*out = v;
	return n;
}

/* ---- runnability and the choice --------------------------------------- */

static bool others_on_cpu_bh(const struct sim_task *t)
{
	for (int i = 0; i < ntasks; i++) {
		struct sim_task *o = tasks[i];

		if (o != t && o->cpu == t->cpu && o->state != T_DONE &&
		    o->kind != SIM_TASK_SOFTIRQ && o->bh > 0)
			return true;
	}
	return false;
}

static bool cpu_in_softirq(const struct sim_task *t)
{
	for (int i = 0; i < ntasks; i++) {
		struct sim_task *o = tasks[i];

		if (o != t && o->cpu == t->cpu && o->kind == SIM_TASK_SOFTIRQ &&
		    o->started && o->state != T_DONE)
			return true;
	}
	return false;
}

static bool runnable(struct sim_task *t)
{
	if (t->state == T_DONE)
		return false;
	if (t->state == T_BLOCKED) {
		if (!t->wait.ready(t->wait.arg) && !t->timed_out)
			return false;
	}
	if (t->kind == SIM_TASK_SOFTIRQ) {
		if (!t->started && others_on_cpu_bh(t))
			return false;
	} else if (cpu_in_softirq(t)) {
		return false;
	}
	return true;
}

int sim_tasks_unrun(void)
{
	return sim_sched_on ? 0 : ntasks;
}

bool sim_sched_others_done(void)
{
	for (int i = 0; i < ntasks; i++)
		if (tasks[i]->kind != SIM_TASK_WORKER && tasks[i]->state != T_DONE)
			return false;
	return true;
}

static u64 rng_next(void)
{
	u64 z = (run.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void abandon_run(void);

static struct sim_task *choose(struct sim_task *me, u32 mask)
{
	struct choice c = {
		.runnable = mask,
		.me = me ? me->idx : -1,
		.me_runnable = me && (mask & (1u << me->idx)),
		.pre_before = preemptions,
	};
	int pick = default_choice(&c);

	if (run.strategy == SIM_STRAT_PCT) {
		run.step++;
		for (int j = 0; j < run.nchange; j++)
			if (run.step == run.change[j] && me)
				me->prio = j + 1;	/* below every initial priority */
	}
	if (!(mask & (mask - 1))) {
		/* one runnable task: no choice */
		if (tasks[pick]->kind != SIM_TASK_WORKER)
			idle_advances = 0;
		return tasks[pick];
	}
	if (run.strategy == SIM_STRAT_PCT) {
		long best = -1;

		for (int i = 0; i < ntasks; i++)
			if ((mask & (1u << i)) && tasks[i]->prio > best) {
				best = tasks[i]->prio;
				pick = i;
			}
	} else if (run.strategy == SIM_STRAT_BYTES) {
		if (run.bpos < run.nbytes) {
			/* the (byte % n)-th runnable task, lowest index first */
			u32 m = mask;

			for (int k = run.bytes[run.bpos++] % __builtin_popcount(mask); k; k--)
				m &= m - 1;
			pick = __builtin_ctz(m);
		}
	} else if (nchoices < run.nforced) {
		pick = run.forced[nchoices];
		if (pick < 0 || pick >= ntasks || !(mask & (1u << pick))) {
			verdict = SIM_SCHED_DIVERGED;
			rep("schedule diverged at choice %ld: task %d is not runnable (runnable mask 0x%x)\n",
			    nchoices, pick, mask);
			abandon_run();
			/* returns only on the test thread (the run's first
			 * choice), whose callers check abandoned: no task */
			return NULL;
		}
	}
	c.chosen = pick;
	if (tasks[pick]->kind != SIM_TASK_WORKER)
		idle_advances = 0;
	if (c.me_runnable && pick != c.me)
		preemptions++;
	if (nchoices == choices_cap) {
		choices_cap = choices_cap ? choices_cap * 2 : 256;
		choices = realloc(choices, choices_cap * sizeof(*choices));
	}
	choices[nchoices++] = c;
	return tasks[pick];
}

static void describe_task(struct sim_task *t)
{
	rep("  task %d \"%s\" (%s, cpu %d)", t->idx, sim_task_name(t),
	    t->kind == SIM_TASK_SOFTIRQ ? "softirq" :
	    t->kind == SIM_TASK_WORKER ? "kworker" : "process", t->cpu);
	if (t->state == T_BLOCKED) {
		rep(" waits in %s(%s) at %s:%d", t->wait.op, t->wait.name ? t->wait.name : "",
		    t->wait.file, t->wait.line);
		if (t->wait.holder && *t->wait.holder) {
			struct sim_task *h = *t->wait.holder;

			rep(", held by task %d \"%s\"", h->idx, sim_task_name(h));
		} else if (t->wait.held_lock) {
			for (int i = 0; i < ntasks; i++)
				for (int j = 0; j < tasks[i]->nheld; j++)
					if (tasks[i]->held[j].lock == t->wait.held_lock)
						rep(", held by task %d \"%s\"", tasks[i]->idx,
						    sim_task_name(tasks[i]));
		}
	} else {
		rep(" %s", t->state == T_DONE ? "finished" : "runnable");
	}
	rep("\n");
	for (int i = t->nheld - 1; i >= 0; i--)
		rep("    holds %s (%s at %s:%d)\n", t->held[i].name, t->held[i].op,
		    t->held[i].file, t->held[i].line);
}

/* Nothing is runnable and no timeout is pending. */
static void report_stuck(void)
{
	bool lock = false;

	for (int i = 0; i < ntasks; i++)
		if (tasks[i]->state == T_BLOCKED && tasks[i]->wait.lock)
			lock = true;
	verdict = lock ? SIM_SCHED_DEADLOCK : SIM_SCHED_HANG;
	rep(lock ? "deadlock: every unfinished task is blocked\n"
		 : "lost wake-up / hang: a task sleeps with no timeout and nothing left to wake it\n");
	for (int i = 0; i < ntasks; i++)
		if (tasks[i]->state != T_DONE &&
		    !(tasks[i]->kind == SIM_TASK_WORKER && !tasks[i]->nheld &&
		      tasks[i]->state == T_BLOCKED && !tasks[i]->wait.lock))
			describe_task(tasks[i]);
}

/* A killed task leaves: its wait entries and the like, which live in the
 * frames the longjmp discards, are unlinked first, while those frames
 * are still intact (once back in pool_main() the stack is reused). */
static void __attribute__((noreturn)) task_unwind(struct sim_task *me)
{
	while (me->ncleanup > 0) {
		me->ncleanup--;
		me->cleanup[me->ncleanup].fn(me->cleanup[me->ncleanup].arg);
	}
	longjmp(me->start_env, 1);
}

/*
 * Pick the next task and switch to it. @me is the running task (NULL for
 * the test thread starting the run); it may be runnable, blocked or done.
 */
static bool reschedule(struct sim_task *me)
{
	struct sim_task *next;
	u32 mask;

	for (;;) {
		unsigned long earliest = 0;
		bool timed = false;

		mask = 0;
		for (int i = 0; i < ntasks; i++)
			if (runnable(tasks[i]))
				mask |= 1u << i;
		if (mask)
			break;
		/* Nothing runnable: virtual time jumps to the earliest timeout
		 * (an idle kworker's: the first delayed work item's due jiffy). */
		for (int i = 0; i < ntasks; i++) {
			struct sim_task *t = tasks[i];
			unsigned long deadline = t->deadline;
			bool has = t->has_deadline;

			if (t->state != T_BLOCKED)
				continue;
			if (t->wait.ready == sim_kworker_ready) {
				long due = sim_kworker_next_due();

				has = due >= 0;
				deadline = sim_jiffies + (due > 0 ? due : 0);
			}
			if (has && (!timed || (long)(deadline - earliest) < 0)) {
				earliest = deadline;
				timed = true;
			}
		}
		/* Only the kworker's timers keep firing (a work item re-arming
		 * itself) while every task sleeps: as stuck as no timer at all. */
		if (!timed || ++idle_advances > SIM_IDLE_ADVANCES) {
			report_stuck();
			abandon_run();
			return false;
		}
		if ((long)(earliest - sim_jiffies) > 0)
			sim_jiffies = earliest;
		for (int i = 0; i < ntasks; i++) {
			struct sim_task *t = tasks[i];

			if (t->state == T_BLOCKED && t->has_deadline &&
			    (long)(sim_jiffies - t->deadline) >= 0)
				t->timed_out = true;
		}
	}
	next = choose(me && me->state != T_DONE ? me : NULL, mask);
	if (abandoned)
		return false;
	if (next == me)
		return false;
	{
		/* After the post, a finished @me may be freed by the test
		 * thread and the run's state belongs to @next: decide before. */
		bool wait_self = me && me->state != T_DONE;

		sem_post(&next->pt->sem);
		if (!wait_self)
			return true;
	}
	while (sem_wait(&me->pt->sem))
		;
	if (me->killed)
		task_unwind(me);
	return true;
}

/* ---- failures ------------------------------------------------------------ */

/* End the run: every task is killed; the caller (a task) longjmps out. */
static void abandon_run(void)
{
	struct sim_task *me = self();

	abandoned = true;
	for (int i = 0; i < ntasks; i++)
		if (tasks[i]->state != T_DONE)
			tasks[i]->killed = true;
	if (me != &main_task && me->state != T_DONE)
		task_unwind(me);
}

bool sim_task_fail(enum sim_sched_verdict v, const char *fmt, ...)
{
	struct sim_task *me = self();
	va_list ap;

	if (!sim_sched_on || me == &main_task)
		return false;
	if (verdict == SIM_SCHED_OK)
		verdict = v;
	rep("%s in task %d \"%s\": ", sim_sched_verdict_name(v), me->idx, sim_task_name(me));
	va_start(ap, fmt);
	if (report_len < sizeof(report) - 1) {
		int n = vsnprintf(report + report_len, sizeof(report) - report_len, fmt, ap);

		if (n > 0)
			report_len = min(report_len + (size_t)n, sizeof(report) - 1);
	}
	va_end(ap);
	rep("\n");
	for (int i = 0; i < ntasks; i++)
		describe_task(tasks[i]);
	abandon_run();
	return true;	/* not reached */
}

void sim_sched_note_failure(const char *what)
{
	if (!sim_sched_on)
		return;
	if (verdict == SIM_SCHED_OK) {
		verdict = SIM_SCHED_BUG;
		rep("ledger violation in task %d \"%s\": %s\n", self()->idx,
		    sim_task_name(self()), what);
	}
}

/* ---- tasks ----------------------------------------------------------------- */

static void release_held(struct sim_task *t)
{
	while (t->nheld > 0) {
		struct held *h = &t->held[--t->nheld];

		if (h->force_release)
			h->force_release((void *)h->lock);
	}
}

void sim_task_push_cleanup(void (*fn)(void *arg), void *arg)
{
	struct sim_task *me = self();

	if (!sim_sched_on || me == &main_task)
		return;
	if (me->ncleanup == CLEANUP_MAX)
		sim_bug(__FILE__, __LINE__, "sim_task_push_cleanup", "more than %d cleanups",
			CLEANUP_MAX);
	me->cleanup[me->ncleanup].fn = fn;
	me->cleanup[me->ncleanup++].arg = arg;
}

void sim_task_pop_cleanup(void *arg)
{
	struct sim_task *me = self();

	if (!sim_sched_on || me == &main_task)
		return;
	for (int i = me->ncleanup - 1; i >= 0; i--)
		if (me->cleanup[i].arg == arg) {
			memmove(&me->cleanup[i], &me->cleanup[i + 1],
				(me->ncleanup - i - 1) * sizeof(me->cleanup[0]));
			me->ncleanup--;
			return;
		}
}

static void task_finish(struct sim_task *t)
{
	/* A killed task ran its cleanups before its longjmp (task_unwind());
	 * one killed before it ever started has none. */
	BUG_ON(t->ncleanup && t->killed);
	/* kernel/exit.c: do_exit() drops the task's page_frag page */
	sim_page_frag_release(&t->ts.task_frag);
	t->state = T_DONE;
	if (t->killed)
		release_held(t);
	t->qs++;
	if (abandoned) {
		/* Unwind the next killed task, or hand back to the test thread. */
		for (int i = 0; i < ntasks; i++)
			if (tasks[i]->state != T_DONE) {
				sem_post(&tasks[i]->pt->sem);
				return;
			}
		sem_post(&main_sem);
		return;
	}
	for (int i = 0; i < ntasks; i++)
		if (tasks[i]->state != T_DONE) {
			if (reschedule(t))
				return;		/* handed off: touch nothing more */
			if (abandoned) {
				for (int j = 0; j < ntasks; j++)
					if (tasks[j]->state != T_DONE) {
						sem_post(&tasks[j]->pt->sem);
						return;
					}
				sem_post(&main_sem);
			}
			return;
		}
	sem_post(&main_sem);
}

static struct pool_thread *idle_threads;

static void *pool_main(void *p)
{
	struct pool_thread *pt = p;

	for (;;) {
		struct sim_task *volatile t;

		while (sem_wait(&pt->sem))
			;
		t = pt->task;
		sim_current = &t->ts;
		/* a task killed inside an accounting shim left its site set */
		sim_acct_site = (struct sim_acct_site){ 0 };
		if (!t->killed && !setjmp(t->start_env)) {
			t->started = true;
			t->state = T_RUNNABLE;
			t->fn(t->arg);
		}
		sim_current = &main_task.ts;
		/* the last use of @t and of the run's state by this thread */
		task_finish(t);
	}
	return NULL;
}

static struct pool_thread *pool_get(void)
{
	struct pool_thread *pt = idle_threads;

	if (pt) {
		idle_threads = pt->next_idle;
		return pt;
	}
	pt = calloc(1, sizeof(*pt));
	BUG_ON(!pt);
	sem_init(&pt->sem, 0, 0);
	BUG_ON(pthread_create(&pt->thread, NULL, pool_main, pt));
	return pt;
}

struct sim_task *sim_task_start_on(const char *name, enum sim_task_kind kind,
				   int cpu, void (*fn)(void *), void *arg)
{
	struct sim_task *t;

	BUG_ON(ntasks >= SIM_MAX_TASKS);
	t = calloc(1, sizeof(*t));
	BUG_ON(!t);
	copy_str(t->name, sizeof(t->name), name);
	t->ts.comm = t->name;
	t->idx = ntasks;
	t->kind = kind;
	t->cpu = cpu;
	t->fn = fn;
	t->arg = arg;
	t->state = T_NEW;
	if (sim_sched_on) {
		/* started by a task during the run */
		if (t->cpu < 0)
			t->cpu = t->idx % run.ncpus;
		if (run.strategy == SIM_STRAT_PCT)
			t->prio = run.nchange + 1 + (long)(rng_next() % 1000000);
	}
	/* The child knows what its starter knew (fork/raise happens-before). */
	if (sim_sched_on && self() != &main_task)
		memcpy(t->vc, self()->vc, sizeof(t->vc));
	t->vc[t->idx] = 1;
	tasks[ntasks++] = t;
	t->pt = pool_get();
	t->pt->task = t;
	return t;
}

struct sim_task *sim_task_start(const char *name, void (*fn)(void *), void *arg)
{
	return sim_task_start_on(name, SIM_TASK_PROCESS, -1, fn, arg);
}

/* ---- scheduling points and blocking ---------------------------------------- */

static void note_site(struct sim_task *me, const char *op, const char *name,
		      const char *file, int line)
{
	struct site *s = &me->ring[me->ring_pos++ % RING];

	s->op = op;
	s->name = name;
	s->file = file;
	s->line = line;
	if (++me->since_block > run.livelock_limit) {
		char buf[2048];
		size_t len = 0;

		for (int i = 0; i < RING && len < sizeof(buf) - 200; i++) {
			struct site *r = &me->ring[(me->ring_pos + i) % RING];

			if (r->op)
				len += snprintf(buf + len, sizeof(buf) - len,
						"\n    %s(%s) at %s:%d", r->op,
						r->name ? r->name : "", r->file, r->line);
		}
		verdict = SIM_SCHED_LIVELOCK;
		sim_task_fail(SIM_SCHED_LIVELOCK,
			      "%ld scheduling points without blocking; last sites:%s",
			      me->since_block - 1, buf);
	}
}

void sim_sched_point_at(const char *op, const char *name, const char *file, int line)
{
	struct sim_task *me = self();

	if (!sim_sched_on || me == &main_task)
		return;
	note_site(me, op, name, file, line);
	if (me->killed)
		task_unwind(me);
	if (!me->rcu && !me->bh && !me->atomic)
		me->qs++;
	reschedule(me);
}

void (sim_sched_point)(const char *site)
{
	sim_sched_point_at("sim_sched_point", site, "", 0);
}

bool sim_task_block(const struct sim_wait_for *w)
{
	struct sim_task *me = self();

	BUG_ON(!sim_sched_on || me == &main_task);
	if (w->ready(w->arg))
		return true;
	me->wait = *w;
	me->timed_out = false;
	me->has_deadline = w->timeout >= 0 && w->timeout != LONG_MAX;
	if (me->has_deadline)
		me->deadline = sim_jiffies + w->timeout;
	me->state = T_BLOCKED;
	me->since_block = 0;
	if (!me->rcu && !me->bh && !me->atomic)
		me->qs++;
	reschedule(me);
	me->state = T_RUNNABLE;
	return !me->timed_out || w->ready(w->arg);
}

/* ---- the run ---------------------------------------------------------------- */

static void hb_new_run(void);
static struct sim_sched_opts explore_opts;	/* set by sim_explore() */
static bool exploring;
static void explore_note_run(void);
static signed char *dfs_prefix;
static long dfs_len;

enum sim_sched_verdict sim_sched_run(const struct sim_sched_opts *opts)
{
	struct sim_sched_opts o = {0};
	struct sim_task *kworker = NULL;
	signed char *forced = NULL;

	BUG_ON(self() != &main_task);
	if (opts)
		o = *opts;
	else if (exploring)
		o = explore_opts;
	else if (getenv("SCHEDULE")) {
		o.strategy = SIM_STRAT_REPLAY;
		o.schedule = getenv("SCHEDULE");
	}
	if (!main_sem_ready) {
		sem_init(&main_sem, 0, 0);
		main_sem_ready = true;
	}
	memset(&run, 0, sizeof(run));
	run.strategy = o.strategy;
	run.livelock_limit = o.livelock_limit ? o.livelock_limit : 100000;
	run.ncpus = o.ncpus > 0 ? o.ncpus : 2;
	run.quiet = o.quiet;
	if (o.strategy == SIM_STRAT_REPLAY) {
		run.nforced = decode(o.schedule, &forced);
		BUG_ON(run.nforced < 0);
		run.forced = forced;
	} else if (o.strategy == SIM_STRAT_DFS) {
		run.forced = dfs_prefix;
		run.nforced = dfs_len;
	} else if (o.strategy == SIM_STRAT_BYTES) {
		run.bytes = o.bytes;
		run.nbytes = o.bytes ? o.nbytes : 0;
	}
	verdict = SIM_SCHED_OK;
	report_len = 0;
	report[0] = 0;
	nchoices = 0;
	preemptions = 0;
	idle_advances = 0;
	abandoned = false;
	if (!o.no_kworker && ntasks)
		kworker = sim_task_start_on("kworker", SIM_TASK_WORKER, -1, sim_kworker_fn, NULL);
	for (int i = 0; i < ntasks; i++)
		if (tasks[i]->cpu < 0)
			tasks[i]->cpu = i % run.ncpus;
	if (o.strategy == SIM_STRAT_PCT) {
		int d = o.pct_depth > 0 ? o.pct_depth : 3;
		long k = o.pct_steps > 0 ? o.pct_steps : 100;

		run.rng = o.seed;
		for (int i = 0; i < ntasks; i++)
			tasks[i]->prio = d + (long)(rng_next() % 1000000);
		run.nchange = min(d - 1, 8);
		for (int j = 0; j < run.nchange; j++)
			run.change[j] = 1 + (long)(rng_next() % k);
	}
	if (ntasks) {
		sim_sched_on = true;
		hb_new_run();
		sim_watch_run_begin();
		for (int i = 0; i < ntasks; i++)
			tasks[i]->state = T_RUNNABLE;
		if (kworker) {
			/* The kworker starts idle: runnable once work is due. */
			kworker->wait = (struct sim_wait_for){
				.op = "worker_thread", .file = __FILE__, .line = __LINE__,
				.ready = sim_kworker_ready, .timeout = -1,
			};
			kworker->state = T_BLOCKED;
		}
		{
			u32 mask = 0;
			struct sim_task *first;

			for (int i = 0; i < ntasks; i++)
				if (runnable(tasks[i]))
					mask |= 1u << i;
			if (!mask) {
				report_stuck();
				abandon_run();
			}
			first = abandoned ? NULL : choose(NULL, mask);
			if (!abandoned)
				sem_post(&first->pt->sem);
			else
				sem_post(&tasks[0]->pt->sem);
		}
		while (sem_wait(&main_sem))
			;
		/* Every task is done and its thread has no more use of it. */
		for (int i = 0; i < ntasks; i++) {
			tasks[i]->pt->next_idle = idle_threads;
			idle_threads = tasks[i]->pt;
		}
		sim_sched_on = false;
		sim_watch_run_end();
		if (abandoned)
			sim_work_abandon();
	}
	for (int i = 0; i < ntasks; i++) {
		free(tasks[i]);
		tasks[i] = NULL;
	}
	last_ntasks = ntasks;
	ntasks = 0;
	encode(choices, nchoices, schedule_str, sizeof(schedule_str), true);
	encode(choices, nchoices, trace_str, sizeof(trace_str), false);
	if (verdict != SIM_SCHED_OK) {
		rep("schedule: SCHEDULE='%s' (%d preemption(s), %ld choice(s))\n",
		    schedule_str, preemptions, nchoices);
		if (!run.quiet && !exploring)
			fprintf(stderr, "sockmap-sim: sched: %s", report);
	}
	if (forced)
		free(forced);
	run.forced = NULL;
	if (exploring)
		explore_note_run();
	return verdict;
}

/* ---- happens-before: vector clocks over locks and work ------------------ */

/* Release/acquire objects (locks, work items): each holds the join of
 * the clocks released into it during the current run. */
#define HB_SLOTS 1024
static struct hb_obj {
	const void *obj;
	unsigned long gen;
	u32 vc[SIM_MAX_TASKS];
} hb_objs[HB_SLOTS];
static unsigned long hb_gen = 1;

static void hb_new_run(void)
{
	hb_gen++;
}

static struct hb_obj *hb_find(const void *obj, bool create)
{
	size_t i = ((uintptr_t)obj * 0x9e3779b97f4a7c15ULL) >> 54;

	for (size_t n = 0; n < HB_SLOTS; n++, i = (i + 1) % HB_SLOTS) {
		struct hb_obj *h = &hb_objs[i];

		if (h->gen != hb_gen) {
			if (!create)
				return NULL;
			h->gen = hb_gen;
			h->obj = obj;
			memset(h->vc, 0, sizeof(h->vc));
			return h;
		}
		if (h->obj == obj)
			return h;
	}
	return NULL;	/* full: the edge is lost (more reports, never fewer) */
}

void sim_hb_release(const void *obj)
{
	struct sim_task *me = self();
	struct hb_obj *h;

	if (!sim_sched_on || me == &main_task)
		return;
	h = hb_find(obj, true);
	if (h)
		for (int i = 0; i < SIM_MAX_TASKS; i++)
			h->vc[i] = max(h->vc[i], me->vc[i]);
	me->vc[me->idx]++;
}

void sim_hb_acquire(const void *obj)
{
	struct sim_task *me = self();
	struct hb_obj *h;

	if (!sim_sched_on || me == &main_task)
		return;
	h = hb_find(obj, false);
	if (h)
		for (int i = 0; i < SIM_MAX_TASKS; i++)
			me->vc[i] = max(me->vc[i], h->vc[i]);
}

const u32 *sim_task_vc(void)
{
	return self()->vc;
}

/* ---- lockdep: held locks, lock order, softirq state ------------------------ */

struct lock_class {
	const char *name;
	const char *softirq_file, *bhon_file;	/* first such use */
	int softirq_line, bhon_line;
	bool bh_reported;
};

struct edge_site {
	const char *file;
	int line;
	const char *from_file;
	int from_line;
};

static struct lock_class classes[MAX_CLASSES];
static int nclasses;
static u64 after[MAX_CLASSES][MAX_CLASSES / 64];	/* edge a -> b: b taken holding a */
static u64 reported[MAX_CLASSES][MAX_CLASSES / 64];
static struct edge_site edge_sites[MAX_CLASSES][MAX_CLASSES];
static long lockdep_reports, lockdep_expected;
static char lockdep_last[2048];

long sim_lockdep_reports(void)
{
	return lockdep_reports;
}

const char *sim_lockdep_last_report(void)
{
	return lockdep_last;
}

void sim_lockdep_expect(long n)
{
	if (!n)
		lockdep_reports = 0;
	lockdep_expected = n;
}

long sim_lockdep_expected(void)
{
	return lockdep_expected;
}

void sim_lockdep_reset(void)
{
	nclasses = 0;
	memset(after, 0, sizeof(after));
	memset(reported, 0, sizeof(reported));
	memset(classes, 0, sizeof(classes));
}

static int class_of(const char *name)
{
	if (!name)
		name = "?";
	for (int i = 0; i < nclasses; i++)
		if (classes[i].name == name || !strcmp(classes[i].name, name))
			return i;
	if (nclasses == MAX_CLASSES)
		return -1;
	classes[nclasses].name = name;
	return nclasses++;
}

static bool reaches(int from, int to, u64 *seen)
{
	if (from == to)
		return true;
	seen[from / 64] |= 1ull << (from % 64);
	for (int i = 0; i < nclasses; i++)
		if ((after[from][i / 64] & (1ull << (i % 64))) &&
		    !(seen[i / 64] & (1ull << (i % 64))) && reaches(i, to, seen))
			return true;
	return false;
}

__attribute__((format(printf, 1, 2)))
static void lockdep_report(const char *fmt, ...)
{
	va_list ap;
	struct sim_task *me = self();

	lockdep_reports++;
	va_start(ap, fmt);
	vsnprintf(lockdep_last, sizeof(lockdep_last), fmt, ap);
	va_end(ap);
	if (lockdep_reports > lockdep_expected)
		fprintf(stderr, "sockmap-sim: lockdep: %s\n", lockdep_last);
	if (sim_sched_on && me != &main_task) {
		if (verdict == SIM_SCHED_OK)
			verdict = SIM_SCHED_LOCKDEP;
		rep("lockdep in task %d \"%s\": %s\n", me->idx, sim_task_name(me), lockdep_last);
	}
}

static void check_order(struct sim_task *me, int b, const char *file, int line)
{
	for (int i = 0; i < me->nheld; i++) {
		int a = me->held[i].cls;
		u64 seen[MAX_CLASSES / 64] = {0};

		if (a < 0 || a == b)
			continue;
		if (!(after[a][b / 64] & (1ull << (b % 64)))) {
			/* A new edge a -> b: does b already reach a? */
			if (reaches(b, a, seen) && !(reported[b][a / 64] & (1ull << (a % 64)))) {
				struct edge_site *old = &edge_sites[b][a];

				reported[b][a / 64] |= 1ull << (a % 64);
				reported[a][b / 64] |= 1ull << (b % 64);
				lockdep_report("possible circular locking dependency: %s -> %s "
					       "(%s taken at %s:%d while holding %s taken at %s:%d), "
					       "but earlier %s -> %s (%s taken at %s:%d while holding %s taken at %s:%d)",
					       classes[a].name, classes[b].name,
					       classes[b].name, file, line, classes[a].name,
					       me->held[i].file, me->held[i].line,
					       classes[b].name, classes[a].name,
					       classes[a].name, old->file ? old->file : "?", old->line,
					       classes[b].name, old->from_file ? old->from_file : "?",
					       old->from_line);
			}
			after[a][b / 64] |= 1ull << (b % 64);
			edge_sites[a][b] = (struct edge_site){ file, line, me->held[i].file,
							       me->held[i].line };
		}
	}
}

static void check_softirq_state(struct sim_task *me, int c, const char *file, int line)
{
	struct lock_class *k = &classes[c];

	if (me->kind == SIM_TASK_SOFTIRQ) {
		if (!k->softirq_file) {
			k->softirq_file = file;
			k->softirq_line = line;
		}
	} else if (!me->bh && !k->bhon_file) {
		k->bhon_file = file;
		k->bhon_line = line;
	}
	if (k->softirq_file && k->bhon_file && !k->bh_reported) {
		k->bh_reported = true;
		lockdep_report("inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage of %s: "
			       "taken in softirq at %s:%d and with bh enabled at %s:%d",
			       k->name, k->softirq_file, k->softirq_line,
			       k->bhon_file, k->bhon_line);
	}
}

void sim_lock_acquired(const void *lock, const char *name, const char *op,
		       void (*force_release)(void *lock), const char *file, int line)
{
	struct sim_task *me = self();
	struct held *h;
	int c = -1;

	if (me->nheld == HELD_MAX)
		sim_bug(file, line, op, "lockdep: more than %d locks held", HELD_MAX);
	if (sim_sched_on && me != &main_task) {
		c = class_of(name);
		if (c >= 0) {
			check_order(me, c, file, line);
			if (strcmp(op, "lock_sock"))
				check_softirq_state(me, c, file, line);
		}
	}
	sim_hb_acquire(lock);
	h = &me->held[me->nheld++];
	h->lock = lock;
	h->name = name ? name : "?";
	h->op = op;
	h->file = file;
	h->line = line;
	h->cls = c;
	h->bh = me->bh > 0;
	h->force_release = force_release;
}

void sim_lock_released(const void *lock, const char *op, const char *file, int line)
{
	struct sim_task *me = self();

	sim_hb_release(lock);
	for (int i = me->nheld - 1; i >= 0; i--)
		if (me->held[i].lock == lock) {
			memmove(&me->held[i], &me->held[i + 1],
				(me->nheld - i - 1) * sizeof(me->held[0]));
			me->nheld--;
			return;
		}
	sim_bug(file, line, op, "lockdep: releasing a lock this task does not hold");
}

bool sim_lock_held_by_me(const void *lock)
{
	struct sim_task *me = self();

	for (int i = 0; i < me->nheld; i++)
		if (me->held[i].lock == lock)
			return true;
	return false;
}

size_t sim_task_held_names(char *buf, size_t size)
{
	struct sim_task *me = self();
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < me->nheld && len < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				 me->held[i].name);

		if (n < 0)
			break;
		len += n;
	}
	if (me->bh && len < size)
		len += snprintf(buf + len, size - len, "%sbh off", me->nheld ? ", " : "");
	return min(len, size - 1);
}

int sim_task_cpu(const struct sim_task *t)
{
	return t->cpu;
}

int sim_main_task_held(void)
{
	return main_task.nheld + main_task.bh + main_task.rcu;
}

/* ---- RCU ----------------------------------------------------------------- */

void sim_rcu_read_lock(const char *file, int line)
{
	struct sim_task *me = self();

	if (!me->rcu)
		sim_sched_point_at("rcu_read_lock", NULL, file, line);
	me->rcu++;
}

void sim_rcu_read_unlock(const char *file, int line)
{
	struct sim_task *me = self();

	if (me->rcu <= 0)
		sim_bug(file, line, "rcu_read_unlock", "rcu_read_unlock() without rcu_read_lock()");
	if (--me->rcu == 0)
		sim_sched_point_at("rcu_read_unlock", NULL, file, line);
}

bool sim_rcu_read_lock_held(void)
{
	return self()->rcu > 0;
}

/* Every reader, the caller included: call_rcu()/queue_rcu_work() from
 * inside a read-side section (sock_map_close() dropping the last psock
 * reference under rcu_read_lock()) must wait for the caller's section too;
 * synchronize_rcu() in a reader is a BUG before it gets here. */
void sim_rcu_snapshot(struct sim_rcu_snap *s)
{
	s->mask = 0;
	if (!sim_sched_on)
		return;
	for (int i = 0; i < ntasks; i++) {
		struct sim_task *t = tasks[i];

		if (t->state != T_DONE && (t->rcu || t->bh || t->atomic)) {
			s->mask |= 1u << i;
			s->qs[i] = t->qs;
		}
	}
}

bool sim_rcu_snap_elapsed(const struct sim_rcu_snap *s)
{
	if (!sim_sched_on)
		return true;
	for (int i = 0; i < ntasks; i++)
		if ((s->mask & (1u << i)) && tasks[i] && tasks[i]->state != T_DONE &&
		    tasks[i]->qs == s->qs[i])
			return false;
	return true;
}

static bool gp_ready(const void *arg)
{
	return sim_rcu_snap_elapsed(arg);
}

/* kernel/rcu/tree.c: synchronize_rcu(): wait for every reader that was in
 * a read-side section (or a bh/preempt-disabled region) when it began. */
void synchronize_rcu(void)
{
	struct sim_task *me = self();
	struct sim_rcu_snap snap;
	struct sim_wait_for w = {
		.op = "synchronize_rcu", .file = __FILE__, .line = __LINE__,
		.ready = gp_ready, .arg = &snap, .timeout = -1, .lock = true,
	};

	if (me->rcu)
		sim_bug(__FILE__, __LINE__, "synchronize_rcu",
			"synchronize_rcu() inside an RCU read-side section (deadlock)");
	sim_might_sleep(__FILE__, __LINE__);
	if (!sim_sched_active())
		return;
	sim_sched_point_at("synchronize_rcu", NULL, __FILE__, __LINE__);
	sim_rcu_snapshot(&snap);
	sim_task_block(&w);
}

void sim_might_sleep(const char *file, int line)
{
	struct sim_task *me = self();

	if (me->atomic)
		sim_bug(file, line, "might_sleep",
			"sleeping function called with %d spinlock(s) held", me->atomic);
	if (me->rcu)
		sim_bug(file, line, "might_sleep",
			"sleeping function called inside an RCU read-side section");
	if (me->kind == SIM_TASK_SOFTIRQ)
		sim_bug(file, line, "might_sleep",
			"sleeping function called from softirq context");
	if (me->bh)
		sim_bug(file, line, "might_sleep",
			"sleeping function called with bh disabled");
}

/* ---- exploration ------------------------------------------------------------ */

struct frame {
	u32 runnable, tried;
	signed char chosen, me;
	bool me_runnable;
	short pre_before;
};

static struct {
	bool failed, hash_set;
	u64 hash;
	char msg[1024];
	jmp_buf env;
	bool in_scenario;
	/* the run's choices, copied from the scheduler */
	struct choice *c;
	long nc, cap;
	int preemptions;
	char schedule[256];
	bool ran;
} ex;

bool sim_exploring(void)
{
	return exploring;
}

void sim_explore_fail(const char *fmt, ...)
{
	va_list ap;

	if (ex.failed)
		return;
	ex.failed = true;
	va_start(ap, fmt);
	vsnprintf(ex.msg, sizeof(ex.msg), fmt, ap);
	va_end(ap);
}

void sim_explore_end_state(u64 hash)
{
	ex.hash = hash;
	ex.hash_set = true;
}

static void explore_note_run(void)
{
	if (ex.cap < nchoices) {
		ex.cap = nchoices;
		ex.c = realloc(ex.c, ex.cap * sizeof(*ex.c));
	}
	memcpy(ex.c, choices, nchoices * sizeof(*ex.c));
	ex.nc = nchoices;
	ex.preemptions = preemptions;
	copy_str(ex.schedule, sizeof(ex.schedule), schedule_str);
	ex.ran = true;
	if (verdict != SIM_SCHED_OK && !ex.failed) {
		ex.failed = true;
		copy_str(ex.msg, sizeof(ex.msg), report);
	}
}

bool sim_capture_assert(const char *file, int line)
{
	if (sim_sched_active())
		return sim_task_fail(SIM_SCHED_BUG, "CMocka assert failed at %s:%d", file, line);
	if (exploring && ex.in_scenario) {
		sim_explore_fail("CMocka assert failed at %s:%d", file, line);
		longjmp(ex.env, 1);
	}
	return false;
}

#define HASHES (1 << 16)

static bool hash_insert(u64 *set, bool *used, u64 h)
{
	size_t i = (h * 0x9e3779b97f4a7c15ULL) >> 48;

	for (size_t n = 0; n < HASHES; n++, i = (i + 1) % HASHES) {
		if (!used[i]) {
			used[i] = true;
			set[i] = h;
			return true;
		}
		if (set[i] == h)
			return false;
	}
	return false;
}

const struct sim_explore_failure *
sim_explore_find(const struct sim_explore_result *res, const char *needle)
{
	for (int i = 0; i < res->nkinds; i++)
		if (strstr(res->kinds[i].report, needle))
			return &res->kinds[i];
	return NULL;
}

static size_t first_line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

int sim_explore(void (*scenario)(void *arg), void *arg,
		const struct sim_explore_opts *opts, struct sim_explore_result *res)
{
	struct sim_explore_opts o = *opts;
	struct frame *frames = NULL;
	long nframes = 0, frames_cap = 0;
	u64 *hset = calloc(HASHES, sizeof(u64));
	bool *hused = calloc(HASHES, sizeof(bool));
	char keys[8][128];
	enum sim_sched_verdict run_verdict;
	const char *env = getenv("SCHEDULE");
	long k_steps = 0;

	memset(res, 0, sizeof(*res));
	if (!o.max_schedules)
		o.max_schedules = 100000;
	if (!o.pct_runs)
		o.pct_runs = 1000;
	exploring = true;
	for (;;) {
		signed char *prefix = NULL;

		memset(&explore_opts, 0, sizeof(explore_opts));
		explore_opts.quiet = true;
		if (env) {
			explore_opts.strategy = SIM_STRAT_REPLAY;
			explore_opts.schedule = env;
		} else if (o.pct) {
			explore_opts.strategy = SIM_STRAT_PCT;
			explore_opts.seed = o.seed + res->schedules;
			explore_opts.pct_depth = o.pct_depth ? o.pct_depth : 2;
			explore_opts.pct_steps = k_steps ? k_steps : 16;
		} else {
			explore_opts.strategy = SIM_STRAT_DFS;
			prefix = malloc(nframes + 1);
			for (long i = 0; i < nframes; i++)
				prefix[i] = frames[i].chosen;
			dfs_prefix = prefix;
			dfs_len = nframes;
		}
		ex.failed = ex.hash_set = ex.ran = false;
		ex.msg[0] = 0;
		ex.schedule[0] = 0;
		ex.preemptions = 0;
		ex.nc = 0;
		ex.in_scenario = true;
		verdict = SIM_SCHED_OK;
		if (!setjmp(ex.env)) {
			scenario(arg);
		} else if (o.cleanup) {
			ex.in_scenario = false;
			o.cleanup(arg);
		}
		ex.in_scenario = false;
		free(prefix);
		dfs_prefix = NULL;
		res->schedules++;
		k_steps = max(k_steps, run.step);
		if (ex.hash_set && hash_insert(hset, hused, ex.hash))
			res->end_states++;
		run_verdict = ex.ran ? verdict : SIM_SCHED_OK;
		if (ex.failed) {
			size_t kl = min(first_line_len(ex.msg), sizeof(keys[0]) - 1);
			struct sim_explore_failure *f = NULL;

			res->failures++;
			for (int i = 0; i < res->nkinds; i++)
				if (!strncmp(keys[i], ex.msg, kl) && !keys[i][kl])
					f = &res->kinds[i];
			if (!f && res->nkinds < (int)ARRAY_SIZE(res->kinds)) {
				memcpy(keys[res->nkinds], ex.msg, kl);
				keys[res->nkinds][kl] = 0;
				f = &res->kinds[res->nkinds++];
				f->preemptions = INT_MAX;
			}
			if (f) {
				f->count++;
				if (ex.preemptions < f->preemptions) {
					f->preemptions = ex.preemptions;
					f->verdict = run_verdict == SIM_SCHED_OK ? SIM_SCHED_BUG : run_verdict;
					copy_str(f->report, sizeof(f->report), ex.msg);
					copy_str(f->schedule, sizeof(f->schedule), ex.schedule);
				}
			}
			if (o.stop_on_failure)
				break;
		}
		if (env || res->schedules >= o.max_schedules)
			break;
		if (o.pct) {
			if (res->schedules >= o.pct_runs)
				break;
			continue;
		}
		/* DFS: the prefix must have replayed the same choice points
		 * (else the scenario is not deterministic and the search is
		 * meaningless); extend the frames with this run's choices,
		 * then backtrack. */
		for (long i = 0; i < min(nframes, ex.nc); i++)
			if (frames[i].runnable != ex.c[i].runnable) {
				res->nondeterministic++;
				if (!o.quiet)
					fprintf(stderr, "sockmap-sim: explore: not deterministic: choice %ld had runnable mask 0x%x, now 0x%x\n",
						i, frames[i].runnable, ex.c[i].runnable);
				break;
			}
		if (ex.nc > frames_cap) {
			frames_cap = ex.nc;
			frames = realloc(frames, frames_cap * sizeof(*frames));
		}
		for (long i = nframes; i < ex.nc; i++) {
			struct choice *c = &ex.c[i];

			frames[i] = (struct frame){
				.runnable = c->runnable, .tried = 1u << c->chosen,
				.chosen = c->chosen, .me = c->me,
				.me_runnable = c->me_runnable, .pre_before = c->pre_before,
			};
		}
		nframes = max(nframes, ex.nc);
		while (nframes > 0) {
			struct frame *f = &frames[nframes - 1];
			u32 cand = f->runnable & ~f->tried;
			bool found = false;

			while (cand) {
				int c = __builtin_ctz(cand);
				int cost = f->me_runnable && c != f->me;

				cand &= cand - 1;
				f->tried |= 1u << c;
				if (f->pre_before + cost <= o.preemption_bound) {
					f->chosen = c;
					found = true;
					break;
				}
			}
			if (found)
				break;
			nframes--;
		}
		if (!nframes) {
			res->complete = true;
			break;
		}
	}
	exploring = false;
	for (int i = 0; i < res->nkinds; i++) {
		if (!res->best || res->kinds[i].preemptions < res->best->preemptions)
			res->best = &res->kinds[i];
		if (!o.quiet)
			fprintf(stderr, "sockmap-sim: explore: %ld run(s) failed; fewest preemptions (%d): SCHEDULE='%s'\n%s\n",
				res->kinds[i].count, res->kinds[i].preemptions,
				res->kinds[i].schedule, res->kinds[i].report);
	}
	if (!o.quiet)
		fprintf(stderr, "sockmap-sim: explore: %ld schedule(s)%s, %ld failing, %ld distinct end state(s)\n",
			res->schedules, res->complete ? " (complete)" : "", res->failures,
			res->end_states);
	free(frames);
	free(hset);
	free(hused);
	return res->failures ? -1 : 0;
}
