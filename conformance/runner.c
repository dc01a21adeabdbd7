// SPDX-License-Identifier: GPL-2.0
/*
 * conformance/runner.c: runs every scenario (or those named on the command
 * line) through the backend it is linked with and prints one line per
 * operation (see scenarios.h). Lines starting with '#' are comments that
 * compare.py ignores. Exit status: 0, or 1 if a backend teardown found a
 * problem (the sim's ledger) or a scenario could not run.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runner.h"

const char *conf_current;
static unsigned char *buf, *sbuf;
static size_t sent[CONF_MAX_SOCKS];

/* FILL and PUMP send in chunks of this size */
#define CHUNK		16384
/* PUMP gives up after this many settles in a row without progress */
#define PUMP_IDLE	30

static void pattern(int sock, unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = conf_pattern(sock, sent[sock] + i);
}

/* OP_FILL: how many bytes a send takes before -EAGAIN depends on the
 * kernel's skb truesize and window arithmetic, which the sim does not
 * reproduce byte for byte: the observation is only whether -EAGAIN came
 * before len bytes ("-EAGAIN before N"), or N if all were taken. */
static void fill(const struct conf_step *s, char *res, size_t size)
{
	size_t done = 0, len = s->len;
	long n = 0;
	int tries = 0;

	while (done < len && tries++ < 4096) {
		size_t chunk = len - done < CHUNK ? len - done : CHUNK;

		pattern(s->sock, sbuf, chunk);
		n = be_send(s->sock, sbuf, chunk, s->flags);
		if (n <= 0)
			break;
		sent[s->sock] += n;
		done += n;
	}
	if (done == len)
		snprintf(res, size, "%zu", len);
	else if (n == -EAGAIN)
		snprintf(res, size, "-EAGAIN before %zu", len);
	else if (n <= 0)
		snprintf(res, size, "%s after %s", n ? conf_errname(n) : "0",
			 done ? "some" : "none");
	else
		snprintf(res, size, "stuck");
}

/* OP_PUMP: the reader reads (MSG_DONTWAIT) what arrives, the writer sends
 * (MSG_DONTWAIT) the rest of its first len bytes, and when neither moves
 * the backend settles (the RX paths' backlog, a window update). The
 * reader must not have read from this stream before. The observation is
 * the count received and sent, and the hash of every byte received, in
 * order: the same on every backend when everything sent arrived once. */
static void pump(const struct conf_step *s, char *res, size_t size)
{
	size_t got = 0, len = s->len;
	int r = s->sock, wr = s->arg, idle = 0, rounds = 0;
	const char *why = NULL;
	long n = -EAGAIN;

	while (got < len && !why) {
		bool moved = false;

		while (got < len && (n = be_recv(r, buf + got, len - got, s->flags)) > 0) {
			got += n;
			moved = true;
		}
		if (got < len && n != -EAGAIN) {
			why = n ? conf_errname(n) : "EOF";
			break;
		}
		while (sent[wr] < len) {
			size_t chunk = len - sent[wr] < CHUNK ? len - sent[wr] : CHUNK;

			pattern(wr, sbuf, chunk);
			n = be_send(wr, sbuf, chunk, s->flags);
			if (n <= 0)
				break;
			sent[wr] += n;
			moved = true;
		}
		if (sent[wr] < len && n != -EAGAIN) {
			why = n ? conf_errname(n) : "send 0";
			break;
		}
		if (moved)
			idle = 0;
		else if (++idle > PUMP_IDLE)
			why = "stalled";
		else
			be_settle();
		if (++rounds > 10000)
			why = "too many rounds";
	}
	snprintf(res, size, "received=%zu sent=%zu fnv=%08x%s%s", got, sent[wr],
		 conf_fnv(buf, got), why ? " " : "", why ? why : "");
}

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
	case OP_MAP_DELETE:
		ret = be_map_delete(s->arg);
		break;
	case OP_LISTEN:
		ret = be_listen(s->sock);
		break;
	case OP_CONNECT:
		ret = be_connect(s->sock, s->arg);
		break;
	case OP_ACCEPT:
		ret = be_accept(s->sock, s->arg);
		break;
	case OP_ACCEPT_WAIT: {
		bool timed_out = false;

		ret = be_accept_wait(s->sock, s->arg, s->len, &timed_out);
		if (ret >= 0) {
			snprintf(res, size, "%ld %s", ret, timed_out ? "at the timeout" : "woken");
			return 0;
		}
		break;
	}
	case OP_SNDBUF:
		ret = be_sndbuf(s->sock, s->arg);
		break;
	case OP_RCVBUF:
		ret = be_rcvbuf(s->sock, s->arg);
		break;
	case OP_FILL:
		fill(s, res, size);
		return 0;
	case OP_PUMP:
		pump(s, res, size);
		return 0;
	case OP_WARNS:
		ret = be_warns();
		if (ret >= 0) {
			snprintf(res, size, "warns=%ld", ret);
			return 0;
		}
		break;
	case OP_MSG_PROG:
		ret = be_msg_prog(s->verdict, s->arg, s->apply, s->cork);
		break;
	case OP_SKB_PROG:
	case OP_STRP_PROG:
		if (s->verdict == V_REDIR_THEN_PASS) {
			/* a scenario's mistake: refused, not observed */
			fprintf(stderr, "sockmap-sim: conformance: %s: %s is an sk_msg verdict only\n",
				conf_current, conf_verdict_name(s->verdict));
			exit(2);
		}
		ret = s->op == OP_SKB_PROG ? be_skb_prog(s->verdict, s->arg) :
		      be_strp_prog(s->verdict, s->arg, s->len);
		break;
	case OP_BYPASS:
		ret = be_bypass();
		break;
	case OP_SOCKOPS_ADD:
		ret = be_sockops_add(s->arg);
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
	case OP_RECV_FAULT:
		ret = s->op == OP_RECV ? be_recv(s->sock, buf, s->len, s->flags) :
		      s->op == OP_RECV_SHUTRD ? be_recv_shutrd(s->sock, buf, s->len) :
		      s->op == OP_RECV_FAULT ? be_recv_fault(s->sock, buf, s->len, s->arg, s->flags) :
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
	case OP_SO_ERROR:
		ret = be_so_error(s->sock, &val);
		if (!ret) {
			snprintf(res, size, "so_error=%s", val ? conf_errname(-val) : "0");
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
	char what[96], res[96];

	conf_current = sc->name;
	memset(sent, 0, sizeof(sent));
	be_begin();
	for (int i = 0; i < CONF_MAX_OPS && sc->steps[i].op != OP_END; i++) {
		conf_format_step(&sc->steps[i], what, sizeof(what));
		run_step(&sc->steps[i], res, sizeof(res));
		observe(sc, i, what, res);
	}
	if (sc->breaks_below)
		be_breaks_below(sc->breaks_below);
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

	/* the scenarios that need a boot of their own on a kernel */
	if (argc == 2 && !strcmp(argv[1], "--alone")) {
		for (size_t i = 0; i < conf_nr_scenarios; i++)
			if (conf_scenarios[i].breaks_below)
				printf("%s\n", conf_scenarios[i].name);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		size_t i;

		for (i = 0; i < conf_nr_scenarios; i++)
			if (!strcmp(argv[a], conf_scenarios[i].name))
				break;
		if (i == conf_nr_scenarios) {
			fprintf(stderr, "sockmap-sim: conformance: no scenario is named '%s'%s\n",
				argv[a], !strcmp(argv[a], "--alone") ? " (--alone takes no scenario)" : "");
			return 2;
		}
	}
	buf = malloc(CONF_BUF);
	sbuf = malloc(CONF_BUF);
	if (!buf || !sbuf)
		return 1;
	why = be_init();
	if (why) {
		printf("# %s: cannot run: %s\n", be_name, why);
		fprintf(stderr, "sockmap-sim: conformance: %s backend cannot run: %s\n", be_name, why);
		return 2;
	}
	printf("# backend %s\n", be_name);
	for (size_t i = 0; i < conf_nr_scenarios; i++) {
		const struct conf_scenario *sc = &conf_scenarios[i];
		/* the sim cannot be corrupted: it runs these with the others */
		bool alone = sc->breaks_below && strcmp(be_name, "sim");
		bool named_only = sc->oops_below || sc->warns || alone;
		bool host = getenv("SOCKMAP_SIM_CONF_HOST");
		bool want = argc < 2 && !named_only;

		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], sc->name);
		if (!want && !(alone && host && argc < 2))
			continue;
		if (named_only && host) {
			/* never on the machine we run on */
			printf("# %s: not run on the host: it %s 6.12.117\n", sc->name,
			       sc->oops_below ? "panics" :
			       sc->warns ? "WARNs on" : "puts a page twice on");
			continue;
		}
		bad += run_scenario(&conf_scenarios[i]);
		ran++;
	}
	printf("# %d scenarios, %d with teardown problems\n", ran, bad);
	free(buf);
	free(sbuf);
	return bad ? 1 : 0;
}
