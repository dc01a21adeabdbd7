// SPDX-License-Identifier: GPL-2.0
/* A made-up file for the selftest of review/mutants.py: the lines that
 * new/net/demo/demo.c adds are what gets mutated.
 */
#include <linux/demo.h>

struct demo_pair {
	int a, b;
};

static int demo_take(struct demo *d, int len)
{
	int ret = 0;

	if (len > d->avail)
		return -EAGAIN;
	d->avail -= len;
	return ret;
}

static struct demo_pair demo_pair_of(struct demo *d)
{
	struct demo_pair p = { .a = d->avail, .b = 0 };

	return p;
}

static void demo_release(struct demo *d)
{
	spin_lock_bh(&d->lock);
	d->users--;
	spin_unlock_bh(&d->lock);
}
