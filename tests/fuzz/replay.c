// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz/replay.c: runs a harness's LLVMFuzzerTestOneInput on every
 * file named on the command line (directories: every file in them, in
 * name order), without libFuzzer: the gcc/ASan+UBSan build that `make
 * fuzz-replay` (part of `make test`) runs on the committed corpus, and the
 * way to replay a reproducer: replay-world crash-FILE.
 *
 * SOCKMAP_SIM_REPLAY_ORDER=1 (make fuzz-replay-order): run every input
 * twice, once with the inputs in name order and once in reverse order,
 * each time after a different history in this process, and compare the
 * state each run ended in (the harness's fields, fuzz_state.h): the first
 * field that differs fails the replay with the input's and the field's
 * names. Global state that one input leaves to the next (time, sequence
 * numbers, fault counters, the ledger, recycled memory...) must not change
 * what an input does.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stdbool.h>
#include "fuzz_state.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int runs;
static bool order_mode;
/* order mode: every input's path and end state, from the first pass */
static struct saved {
	char *path;
	struct fuzz_state st;
} *saved;
static size_t nsaved;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 20];
	size_t n;

	if (!f) {
		fprintf(stderr, "sockmap-sim: replay: cannot open %s\n", path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fuzz_state_reset();
	LLVMFuzzerTestOneInput(buf, n);
	runs++;
	if (fuzz_state.overflow) {
		fprintf(stderr, "sockmap-sim: replay: %s: more than %d state fields\n", path,
			FUZZ_STATE_MAX);
		exit(1);
	}
	if (order_mode) {
		saved = realloc(saved, (nsaved + 1) * sizeof(*saved));
		if (!saved || !(saved[nsaved].path = strdup(path)))
			exit(1);
		saved[nsaved++].st = fuzz_state;
	}
}

/* Order mode, second pass: every input again, last first, each compared
 * with its first run. */
static void run_backwards(void)
{
	for (size_t i = nsaved; i-- > 0;) {
		const struct fuzz_state *a = &saved[i].st, *b = &fuzz_state;

		order_mode = false;
		run_file(saved[i].path);
		for (int k = 0; k < a->n || k < b->n; k++) {
			if (k >= a->n || k >= b->n) {
				fprintf(stderr, "sockmap-sim: replay-order: %s: %d state fields in name order, %d in reverse order\n",
					saved[i].path, a->n, b->n);
				exit(1);
			}
			if (a->v[k] != b->v[k] || strcmp(a->who[k], b->who[k]) ||
			    strcmp(a->what[k], b->what[k])) {
				fprintf(stderr, "sockmap-sim: replay-order: %s: %s %s is %lld run in name order, %s %s is %lld run in reverse order\n",
					saved[i].path, a->who[k], a->what[k], a->v[k], b->who[k],
					b->what[k], b->v[k]);
				exit(1);
			}
		}
	}
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0;
	DIR *d;

	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (nr + 1) * sizeof(*names));
		if (!names || asprintf(&names[nr++], "%s/%s", path, de->d_name) < 0)
			exit(1);
	}
	if (d)
		closedir(d);
	qsort(names, nr, sizeof(*names), cmp);
	for (size_t i = 0; i < nr; i++) {
		run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *order = getenv("SOCKMAP_SIM_REPLAY_ORDER");
	int fields = 0;

	order_mode = order && *order && strcmp(order, "0");
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	if (!order_mode) {
		printf("sockmap-sim: replay: %d inputs, no oracle violation\n", runs);
		return 0;
	}
	run_backwards();
	for (size_t i = 0; i < nsaved; i++)
		fields += saved[i].st.n;
	printf("sockmap-sim: replay-order: %zu inputs run in name order and in reverse order, no oracle violation, the same %d end-state fields\n",
	       nsaved, fields);
	return 0;
}
