// SPDX-License-Identifier: GPL-2.0
/* A made-up file for the selftest of review/mutants.py: the lines that
 * new/net/demo/demo.c adds are what gets mutated.
 */
#include <linux/demo.h>

#define DEMO_MAX(a, b) \
	((a) < (b) ? (b) : (a))

struct demo_pair {
	int a, b;
};

static int demo_take(struct demo *d, int len)
{
	int ret = 0;

	/* an added comment: if (len < 0) is no code */

	if (len > d->avail ||
	    d->shift << 2 >= len)
		return -EAGAIN;
	d->avail -= len;
	if (d->page)
		put_page(d->page);
#ifdef CONFIG_DEMO
	d->stats++;
#endif
	sk_mem_uncharge(d->sk,
			len);
	pr_debug("if (x < y) in a string\n");	// and a comment
	return ret;
}

static struct demo_pair demo_pair_of(struct demo *d)
{
	struct demo_pair p = { .a = d->avail, .b = 0 };

	p.b = d->users;
	return p;
}

static struct page *demo_page(struct demo *d)
{
	do {
		d->tries++;
	} while (d->tries <= 3);
	return d->page;
}

static bool demo_idle(const struct demo *d)
{
	bool idle;

	rcu_read_lock();
	idle = !d->users;
	rcu_read_unlock();
	return idle;
}

static void demo_release(struct demo *d)
{
	spin_lock_bh(&d->lock);
	d->users--;
	if (!d->users)
		goto out;
	d->users--;
out:
	spin_unlock_bh(&d->lock);
}
