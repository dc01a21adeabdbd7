// SPDX-License-Identifier: GPL-2.0
/*
 * conformance/runner.c: runs every scenario (or those named on the command
 * line) through the backend it is linked with and prints one line per
 * operation (see scenarios.h). Lines starting with '#' are comments that
 * compare.py ignores. Exit status: 0, or 1 if a backend teardown found a
 * problem (the sim's ledger) or a scenario could not run.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runner.h"

const char *conf_current;
static unsigned char *buf;
static size_t sent[CONF_MAX_SOCKS];

static void observe(const struct conf_scenario *sc, int i, const char *what,
		    const char *result)
{
	printf("%s %02d %s => %s\n", sc->name, i, what, result);
	fflush(stdout);
}

static int run_step(const struct conf_step *s, char *res, size_t size)
{
	long ret = 0;
	int val;

	switch (s->op) {
	case OP_PAIR:
		ret = be_pair(s->sock, s->arg);
		break;
	case OP_MAP_ADD:
		ret = be_map_add(s->arg, s->sock);
		break;
	case OP_MSG_PROG:
		ret = be_msg_prog(s->verdict, s->arg, s->apply, s->cork);
		break;
	case OP_SKB_PROG:
		ret = be_skb_prog(s->verdict, s->arg);
		break;
	case OP_BYPASS:
		ret = be_bypass();
		break;
	case OP_SEND:
		for (int i = 0; i < s->len; i++)
			buf[i] = conf_pattern(s->sock, sent[s->sock] + i);
		ret = be_send(s->sock, buf, s->len, s->flags);
		if (ret > 0)
			sent[s->sock] += ret;
		break;
	case OP_RECV:
	case OP_PIPE_READ:
	case OP_RECV_SHUTRD:
		ret = s->op == OP_RECV ? be_recv(s->sock, buf, s->len, s->flags) :
		      s->op == OP_RECV_SHUTRD ? be_recv_shutrd(s->sock, buf, s->len) :
		      be_pipe_read(buf, s->len);
		if (ret > 0) {
			snprintf(res, size, "%ld fnv=%08x", ret, conf_fnv(buf, ret));
			return 0;
		}
		break;
	case OP_SPLICE:
		ret = be_splice(s->sock, s->len, s->flags);
		break;
	case OP_SPLICE_OUT:
		ret = be_splice_out(s->sock, s->len, s->flags);
		break;
	case OP_NONBLOCK:
		ret = be_nonblock(s->sock);
		break;
	case OP_RCVTIMEO:
		ret = be_rcvtimeo(s->sock, s->arg);
		break;
	case OP_FIONREAD:
		ret = be_fionread(s->sock, &val);
		if (!ret) {
			snprintf(res, size, "fionread=%d", val);
			return 0;
		}
		break;
	case OP_POLL:
		ret = be_poll(s->sock);
		if (ret >= 0) {
			snprintf(res, size, "poll=%s%s%s%s", ret ? "" : "0",
				 ret & CONF_POLL_IN ? "IN" : "",
				 ret & CONF_POLL_RDHUP ? (ret & CONF_POLL_IN ? "|RDHUP" : "RDHUP") : "",
				 ret & CONF_POLL_ERR ? (ret & 3 ? "|ERR" : "ERR") : "");
			return 0;
		}
		break;
	case OP_SHUTDOWN:
		ret = be_shutdown(s->sock, s->arg);
		break;
	case OP_CLOSE:
		ret = be_close(s->sock);
		break;
	case OP_SETTLE:
		be_settle();
		break;
	case OP_END:
		break;
	}
	if (ret < 0)
		snprintf(res, size, "%s", conf_errname(ret));
	else
		snprintf(res, size, "%ld", ret);
	return 0;
}

static int run_scenario(const struct conf_scenario *sc)
{
	const char *problem;
	char what[96], res[64];

	conf_current = sc->name;
	memset(sent, 0, sizeof(sent));
	be_begin();
	for (int i = 0; i < CONF_MAX_OPS && sc->steps[i].op != OP_END; i++) {
		conf_format_step(&sc->steps[i], what, sizeof(what));
		run_step(&sc->steps[i], res, sizeof(res));
		observe(sc, i, what, res);
	}
	problem = be_end();
	if (problem) {
		printf("# %s: teardown: %s\n", sc->name, problem);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *why;
	int bad = 0, ran = 0;

	buf = malloc(CONF_BUF);
	if (!buf)
		return 1;
	why = be_init();
	if (why) {
		printf("# %s: cannot run: %s\n", be_name, why);
		fprintf(stderr, "sockmap-sim: conformance: %s backend cannot run: %s\n", be_name, why);
		return 2;
	}
	printf("# backend %s\n", be_name);
	for (size_t i = 0; i < conf_nr_scenarios; i++) {
		bool want = argc < 2 && !conf_scenarios[i].oops_below;

		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], conf_scenarios[i].name);
		if (!want)
			continue;
		if (conf_scenarios[i].oops_below && getenv("SOCKMAP_SIM_CONF_HOST")) {
			/* never on the machine we run on */
			printf("# %s: not run on the host: it panics 6.12.117\n",
			       conf_scenarios[i].name);
			continue;
		}
		bad += run_scenario(&conf_scenarios[i]);
		ran++;
	}
	printf("# %d scenarios, %d with teardown problems\n", ran, bad);
	free(buf);
	return bad ? 1 : 0;
}
