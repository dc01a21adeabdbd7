// SPDX-License-Identifier: GPL-2.0
/*
 * sim: watched fields and the lock-set check (see <sim/watch.h>). Stands
 * for KCSAN's watchpoints (kernel/kcsan/core.c: a marked access is where
 * another CPU's access can interleave) and for the Eraser lock-set
 * discipline that lockdep_assert_held() states one call at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sim/watch.h>
#include <sim/ledger.h>
#include <sim/task.h>
#include <sim/lock.h>
#include <net/sock.h>
#include <linux/skmsg.h>

#define MAX_FIELDS	1024
#define MAX_REPORTED	64

struct access {
	bool valid, write, ok;
	u32 clock;			/* the task's own clock at the access */
	const char *file, *func;
	int line;
	struct sim_acct_site acct;
	char held[160];
};

struct field {
	const volatile void *addr;
	size_t size;
	const char *name, *owner;
	enum sim_watch_rule rule;
	const void *lock;
	struct access last[SIM_MAX_TASKS];	/* this run, per task index */
	long accesses;
};

bool sim_watch_on;
__thread struct sim_acct_site sim_acct_site;

static struct field fields[MAX_FIELDS];
static int nfields;
static bool run_on;
static long reports, expected;
static char last_report[2048];
static char all_reports[16384];
static size_t all_len;
static struct {
	const char *name, *f1, *f2;
	int l1, l2;
} reported[MAX_REPORTED];
static int nreported;
static struct {
	const char *name;
	long n;
} counts[32];
static int ncounts;

static void update_on(void)
{
	sim_watch_on = run_on && nfields;
}

void sim_watch_register(const volatile void *addr, size_t size, const char *name,
			const char *owner, enum sim_watch_rule rule, const void *lock)
{
	struct field *f;

	if (!SIM_BOOKKEEPING)	/* the bench variant: no lock-set checking */
		return;
	BUG_ON(nfields == MAX_FIELDS);
	f = &fields[nfields++];
	memset(f, 0, sizeof(*f));
	f->addr = addr;
	f->size = size;
	f->name = name;
	f->owner = owner ? owner : "?";
	f->rule = rule;
	f->lock = lock;
	update_on();
}

bool sim_watch_registered(const volatile void *addr)
{
	for (int i = 0; i < nfields; i++)
		if (fields[i].addr == addr)
			return true;
	return false;
}

void sim_watch_forget(const void *addr, size_t size)
{
	const char *lo = addr, *hi = lo + size;

	if (!SIM_BOOKKEEPING)
		return;
	for (int i = 0; i < nfields; ) {
		const char *p = (const char *)fields[i].addr;

		if (p >= lo && p < hi)
			fields[i] = fields[--nfields];
		else
			i++;
	}
	update_on();
}

int sim_watch_fields(void)
{
	return nfields;
}

void sim_watch_run_begin(void)
{
	for (int i = 0; i < nfields; i++)
		memset(fields[i].last, 0, sizeof(fields[i].last));
	run_on = true;
	update_on();
}

void sim_watch_run_end(void)
{
	run_on = false;
	update_on();
}

long sim_lockset_reports(void)
{
	return reports;
}

const char *sim_lockset_last_report(void)
{
	return last_report;
}

bool sim_lockset_reported(const char *needle)
{
	return strstr(all_reports, needle) != NULL;
}

void sim_lockset_expect(long n)
{
	expected = n;
}

long sim_lockset_expected(void)
{
	return expected;
}

void sim_lockset_reset(void)
{
	reports = expected = 0;
	last_report[0] = 0;
	all_reports[0] = 0;
	all_len = 0;
	nreported = 0;
	ncounts = 0;
}

long sim_watch_accesses(const char *name)
{
	for (int i = 0; i < ncounts; i++)
		if (!strcmp(counts[i].name, name))
			return counts[i].n;
	return 0;
}

static void count(const char *name)
{
	for (int i = 0; i < ncounts; i++)
		if (!strcmp(counts[i].name, name)) {
			counts[i].n++;
			return;
		}
	if (ncounts < (int)ARRAY_SIZE(counts))
		counts[ncounts++] = (typeof(counts[0])){ name, 1 };
}

enum { NOT_HELD, HELD, EXCLUSIVE };

static int rule_state(const struct field *f)
{
	switch (f->rule) {
	case SIM_RULE_SOCK: {
		const struct sock *sk = f->lock;

		return (sk->sk_lock.owned && sim_lock_held_by_me(&sk->sk_lock)) ||
		       sim_spin_is_held(&sk->sk_lock.slock) ? HELD : NOT_HELD;
	}
	case SIM_RULE_PSOCK: {
		const struct sk_psock *psock = f->lock;

		if (!refcount_read(&psock->refcnt))
			return EXCLUSIVE;
		return sim_spin_is_held(&psock->ingress_lock) ? HELD : NOT_HELD;
	}
	case SIM_RULE_SPINLOCK:
		return sim_spin_is_held(f->lock) ? HELD : NOT_HELD;
	}
	return NOT_HELD;
}

static const char *rule_name(const struct field *f, char *buf, size_t size)
{
	switch (f->rule) {
	case SIM_RULE_SOCK:
		snprintf(buf, size, "lock_sock(%s) or %s sk_lock.slock", f->owner, f->owner);
		break;
	case SIM_RULE_PSOCK:
		snprintf(buf, size, "%s psock->ingress_lock", f->owner);
		break;
	case SIM_RULE_SPINLOCK:
		snprintf(buf, size, "%s", ((const spinlock_t *)f->lock)->name ?
			 ((const spinlock_t *)f->lock)->name : "its spinlock");
		break;
	}
	return buf;
}

static int describe(char *buf, size_t size, int task, const struct access *a)
{
	int n = snprintf(buf, size, "%s by task %d at %s:%d %s()",
			 a->write ? "written" : "read", task, a->file, a->line, a->func);

	if (a->acct.file && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " from %s at %s:%d %s()", a->acct.what,
			      a->acct.file, a->acct.line, a->acct.func);
	if (n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " holding {%s}", a->held);
	return n;
}

static bool seen(const struct field *f, const struct access *a, const struct access *b)
{
	const char *fa = a->acct.file ? a->acct.file : a->file;
	const char *fb = b->acct.file ? b->acct.file : b->file;
	int la = a->acct.file ? a->acct.line : a->line;
	int lb = b->acct.file ? b->acct.line : b->line;

	for (int i = 0; i < nreported; i++)
		if (!strcmp(reported[i].name, f->name) &&
		    ((!strcmp(reported[i].f1, fa) && reported[i].l1 == la &&
		      !strcmp(reported[i].f2, fb) && reported[i].l2 == lb) ||
		     (!strcmp(reported[i].f1, fb) && reported[i].l1 == lb &&
		      !strcmp(reported[i].f2, fa) && reported[i].l2 == la)))
			return true;
	if (nreported < MAX_REPORTED)
		reported[nreported++] = (typeof(reported[0])){ f->name, fa, fb, la, lb };
	return false;
}

static void check(struct field *f, int me, const struct access *a)
{
	for (int t = 0; t < SIM_MAX_TASKS; t++) {
		const struct access *o = &f->last[t];
		char rb[96], d1[512], d2[512];
		int n;

		/* a write without the rule's lock, and another task's access
		 * not ordered before this one */
		if (t == me || !o->valid || !((a->write && !a->ok) || (o->write && !o->ok)))
			continue;
		if (o->clock <= sim_task_vc()[t])
			continue;
		if (seen(f, a, o))
			continue;
		reports++;
		describe(d1, sizeof(d1), me, a);
		describe(d2, sizeof(d2), t, o);
		n = snprintf(last_report, sizeof(last_report),
			     "lock-set: %s.%s (rule: %s) %s; also %s\n", f->owner, f->name,
			     rule_name(f, rb, sizeof(rb)), d1, d2);
		if (n > 0 && all_len + n < sizeof(all_reports)) {
			memcpy(all_reports + all_len, last_report, n + 1);
			all_len += n;
		}
		if (reports > expected)
			fprintf(stderr, "sockmap-sim: %s", last_report);
	}
}

void sim_watch_access(uintptr_t addr, bool write, const char *file,
		      int line, const char *func)
{
	const char *p = (const char *)addr;
	struct access a;
	struct field *f = NULL;
	int me, state;

	if (!sim_sched_active())
		return;
	for (int i = 0; i < nfields; i++)
		if (p >= (const char *)fields[i].addr &&
		    p < (const char *)fields[i].addr + fields[i].size) {
			f = &fields[i];
			break;
		}
	if (!f)
		return;
	me = sim_task_index(sim_task_self());
	state = rule_state(f);
	a = (struct access){
		.valid = true, .write = write, .ok = state != NOT_HELD,
		.file = file, .func = func, .line = line, .acct = sim_acct_site,
		.clock = sim_task_vc()[me],
	};
	sim_task_held_names(a.held, sizeof(a.held));
	f->accesses++;
	count(f->name);
	if (state == EXCLUSIVE)
		memset(f->last, 0, sizeof(f->last));
	else
		check(f, me, &a);
	f->last[me] = a;
	sim_sched_point_at(write ? "WRITE_ONCE" : "READ_ONCE", f->name, file, line);
}
