// SPDX-License-Identifier: GPL-2.0
/*
 * sim: stands for net/strparser/strparser.c, which is not modelled yet.
 * Reaching any entry point fails the test with a clear message.
 */
#include <net/strparser.h>

int strp_init(struct strparser *strp, struct sock *sk,
	      const struct strp_callbacks *cb)
{
	(void)strp; (void)sk; (void)cb;
	SIM_UNREACHABLE("strp_init (stream parser programs)");
}

void strp_data_ready(struct strparser *strp)
{
	(void)strp;
	SIM_UNREACHABLE("strp_data_ready (stream parser programs)");
}

void strp_stop(struct strparser *strp)
{
	(void)strp;
	SIM_UNREACHABLE("strp_stop (stream parser programs)");
}

void strp_done(struct strparser *strp)
{
	(void)strp;
	SIM_UNREACHABLE("strp_done (stream parser programs)");
}
