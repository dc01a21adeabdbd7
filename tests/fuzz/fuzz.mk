# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/fuzz.mk: fuzzing the real skmsg.c/tcp_bpf.c through the sim.
# Included by the top Makefile.
#
#   make fuzz-replay     (part of `make test`) check that the committed
#                        corpus is what its op scripts compile to, then
#                        replay every corpus file with the gcc ASan+UBSan
#                        build, against the full series and against patches
#                        1-4 (the copying splice)
#   make fuzz [FUZZER=world|ring] [FUZZ_SECONDS=60]
#                        libFuzzer (clang, -fsanitize=fuzzer,address,
#                        undefined) on a copy of the corpus with the
#                        dictionary; honours SERIES_LEVEL, KSERIES_UPTO and EXTRA_PATCHES;
#                        exit 0 if nothing crashed, else 1 after the line
#                        "sockmap-sim: fuzz: NAME crashed after T s: REASON",
#                        the reproducer (minimized) and a replay command;
#                        FUZZ_CORPUS=none starts from nothing
#   make fuzz-corpus     recompile tests/fuzz/corpus/ from tests/fuzz/seeds/
#   make fuzz-coverage   the kernel-file coverage the corpus reaches (below)
#   make afl             AFL++, one main and one secondary instance (afl.mk)
#   make cflite-check    .clusterfuzzlite/build.sh as OSS-Fuzz runs it
#                        (cflite.mk; part of `make test`)
#
# See tests/fuzz/README.md.

# every tests/fuzz/fuzz_NAME.c is a harness, with seeds/NAME, corpus/NAME,
# NAME.dict and ops_NAME.py
FUZZ_HARNESSES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZER ?= world
FUZZ_SECONDS ?= 60
# the seeds make fuzz starts from; none: an empty corpus (what the fuzzer
# finds on its own)
FUZZ_CORPUS ?= tests/fuzz/corpus/$(FUZZER)
FUZZ_DIR := $(O)/fuzzing
FUZZ_PKGS := clang libclang-rt-14-dev

# The libFuzzer build is a variant of its own ($(O)/fuzz...): the sim and
# the kernel files compiled by clang with the fuzzer's instrumentation.
CC_fuzz := clang
CFLAGS_fuzz := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
LDFLAGS_fuzz := -fsanitize=fuzzer,address,undefined
ifeq ($(VARIANT),fuzz)
CC := $(CC_fuzz)
SIM_CFLAGS := $(KERNEL_CFLAGS) $(WARN_CFLAGS) $(CFLAGS_fuzz) -MMD -MP
# The sim's own objects (the shims: TCP, ledger, locks, scheduler) keep
# their edge coverage but not the comparison hooks (trace-cmp): without
# -use_value_profile those only feed libFuzzer's table of recent compares
# for mutations, and the lock and ledger bookkeeping's compares were a
# fifth of the world harness's time. The kernel files and the harnesses
# keep them.
$(SIM_OBJS): SIM_CFLAGS += -fno-sanitize-coverage=trace-cmp
# Edge counters: the kernel files, the harnesses and the sim's concurrency
# machinery (FUZZ_SIM_COV: the scheduler, locks and lockdep, sleeps and
# wake-ups, deferred work; new interleavings of a concurrent group show
# there) keep them; the other shims (TCP, skbs, sockets, pages, ledger,
# pipes, sockmap, ...) have none. Every edge a run hits is a feature
# libFuzzer's entropic schedule keeps frequencies of, per input; the
# shims' were 45% of the world harness's, and a 60 s run without them
# reaches as much of the kernel files and as many preempting groups
# (tests/fuzz/README.md, "Throughput"). A FUZZ_SIM_COV given on the
# command line needs a rebuild of the fuzz variant's objects.
FUZZ_SIM_COV ?= task lock wait workqueue
ifneq ($(filter-out $(patsubst sim/%.c,%,$(wildcard sim/*.c)),$(FUZZ_SIM_COV)),)
$(error sockmap-sim: FUZZ_SIM_COV names $(filter-out $(patsubst sim/%.c,%,$(wildcard sim/*.c)),$(FUZZ_SIM_COV)), not a file of sim/ (sim/NAME.c))
endif
FUZZ_SIM_NOCOV_OBJS := $(filter-out $(patsubst %,$(BDIR)/sim/%.o,$(FUZZ_SIM_COV)),$(SIM_OBJS))
$(FUZZ_SIM_NOCOV_OBJS): SIM_CFLAGS += -fno-sanitize-coverage=inline-8bit-counters,pc-table,indirect-calls
# (flags set here: rebuild when they change)
$(SIM_OBJS) $(KPORT_OBJS): tests/fuzz/fuzz.mk
endif

FUZZ_LINK_CFLAGS = $(filter-out -MMD -MP,$(SIM_CFLAGS)) $(SIM_CPPFLAGS)

# gcc replay binary of a harness (the asan variant's BDIR)
$(BDIR)/tests/fuzz/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(SIM_OBJS) $(KPORT_OBJS)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  FUZZ-LD  $@")
	$(Q)$(CC) $(FUZZ_LINK_CFLAGS) $< tests/fuzz/replay.c $(SIM_OBJS) $(KPORT_OBJS) \
		$(LDFLAGS_$(VARIANT)) $(LDLIBS) -o $@

# libFuzzer binary (VARIANT=fuzz)
$(BDIR)/tests/fuzz/fuzz-%: tests/fuzz/fuzz_%.c $(SIM_OBJS) $(KPORT_OBJS)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  FUZZ-LD  $@")
	$(Q)$(CC) $(FUZZ_LINK_CFLAGS) $< $(SIM_OBJS) $(KPORT_OBJS) \
		$(LDFLAGS_$(VARIANT)) $(LDLIBS) -o $@

FUZZ_DEPS_STAMP := $(O)/.fuzz-deps-stamp
$(FUZZ_DEPS_STAMP): kernel-port/deps.sh tests/fuzz/fuzz.mk
	$(Q)mkdir -p $(@D)
	$(Q)V='$(V)' kernel-port/deps.sh $(KPKG) '$(KPKG_VERSION)' $(FUZZ_PKGS)
	$(Q)touch $@

# AFL++ (make afl) and OSS-Fuzz/ClusterFuzzLite (make cflite-check)
include tests/fuzz/afl.mk
include tests/fuzz/cflite.mk

.PHONY: fuzz fuzz-replay fuzz-replay-one fuzz-corpus fuzz-build

fuzz-corpus:
	$(Q)for h in $(FUZZ_HARNESSES); do \
		python3 tests/fuzz/ops2bin.py tests/fuzz/seeds/$$h tests/fuzz/corpus/$$h || exit 1; \
	done

fuzz-replay-one: $(addprefix $(BDIR)/tests/fuzz/replay-,$(FUZZ_HARNESSES))
	$(Q)set -e; for h in $(FUZZ_HARNESSES); do \
		echo "  REPLAY   $$h: $$(ls tests/fuzz/corpus/$$h | wc -l) inputs, level $(SIM_SERIES_LEVEL_NAME), $(words $(KSERIES)) patches"; \
		ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			$(BDIR)/tests/fuzz/replay-$$h tests/fuzz/corpus/$$h; \
	done
	@# ring checks the rings an operation did not touch every 8 operations;
	@# the same corpus with the full check after every operation
	@echo "  REPLAY   ring: $$(ls tests/fuzz/corpus/ring | wc -l) inputs, SOCKMAP_SIM_FUZZ_FULL_CHECK=1 (every ring after every operation)"
	$(Q)ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		SOCKMAP_SIM_FUZZ_FULL_CHECK=1 $(BDIR)/tests/fuzz/replay-ring tests/fuzz/corpus/ring

fuzz-replay: | $(PKGS_STAMP)
	$(Q)for h in $(FUZZ_HARNESSES); do \
		python3 tests/fuzz/ops2bin.py --check tests/fuzz/seeds/$$h tests/fuzz/corpus/$$h || exit 1; \
	done
	$(Q)$(MAKE) --no-print-directory fuzz-replay-one
	$(Q)$(MAKE) --no-print-directory fuzz-replay-one SERIES_LEVEL=copy

fuzz-build: | $(FUZZ_DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory VARIANT=fuzz \
		$(O)/fuzz$(KVARIANT_SUFFIX)/tests/fuzz/fuzz-$(FUZZER)

fuzz: fuzz-build
	$(Q)V='$(V)' tests/fuzz/run-fuzz.sh $(FUZZER) \
		$(O)/fuzz$(KVARIANT_SUFFIX)/tests/fuzz/fuzz-$(FUZZER) $(FUZZ_SECONDS) \
		$(FUZZ_CORPUS) tests/fuzz/$(FUZZER).dict $(FUZZ_DIR)/$(FUZZER)$(KVARIANT_SUFFIX) \
		'$(BDIR)/tests/fuzz/replay-$(FUZZER)'

TEST_MORE += fuzz-replay
# build.sh as OSS-Fuzz runs it (about 50 s cold, 16 s warm)
TEST_MORE += cflite-check

# ---- fuzz-coverage: what the committed corpus reaches of the kernel files
#
#   make fuzz-coverage   gcov build of the replay binaries (VARIANT=fcov,
#                        objects and counters of its own in $(O)/fcov...),
#                        replay each harness's corpus, lcov; prints line,
#                        function and branch coverage of skmsg.c, tcp_bpf.c
#                        and skmsg.h per harness and for all of them
#                        (FCOV_OUT: $(O)/fuzz-coverage...);
#                        FCOV_CORPUS='$(O)/fuzzing/%/corpus' measures what a
#                        make fuzz run grew instead (% is the harness)
FCOV_OUT := $(O)/fuzz-coverage$(KVARIANT_SUFFIX)
FCOV_CORPUS ?= tests/fuzz/corpus/%
CFLAGS_fcov := -O0 -g --coverage
LDFLAGS_fcov := --coverage
ifeq ($(VARIANT),fcov)
CC := gcc
SIM_CFLAGS := $(KERNEL_CFLAGS) $(WARN_CFLAGS) $(CFLAGS_fcov) -MMD -MP
endif
FCOV_LCOV = lcov --quiet --config-file coverage/lcovrc --rc lcov_branch_coverage=1

.PHONY: fuzz-coverage fuzz-coverage-report
fuzz-coverage: | $(PKGS_STAMP)
	$(Q)$(MAKE) --no-print-directory VARIANT=fcov fuzz-coverage-report

fuzz-coverage-report: $(addprefix $(BDIR)/tests/fuzz/replay-,$(FUZZ_HARNESSES))
	$(Q)mkdir -p $(FCOV_OUT)
	$(Q)set -e; infos=; for h in $(FUZZ_HARNESSES); do \
		find $(BDIR) -name '*.gcda' -delete; \
		c=$(subst %,$$h,$(FCOV_CORPUS)); \
		echo "  FCOV     $$h: $$(ls $$c | wc -l) inputs in $$c (gcov build, $(BDIR))"; \
		$(BDIR)/tests/fuzz/replay-$$h $$c >$(FCOV_OUT)/$$h.log 2>&1 || { \
			echo "sockmap-sim: fuzz-coverage: the replay of $$h failed: $$(tail -n1 $(FCOV_OUT)/$$h.log)" >&2; exit 1; }; \
		$(FCOV_LCOV) --capture --directory $(BDIR) --base-directory $(CURDIR) \
			--output-file $(FCOV_OUT)/$$h-all.info 2>$(FCOV_OUT)/lcov.log; \
		$(FCOV_LCOV) --extract $(FCOV_OUT)/$$h-all.info '$(abspath $(KSRC))/*' \
			--output-file $(FCOV_OUT)/$$h.info 2>>$(FCOV_OUT)/lcov.log; \
		infos="$$infos -a $(FCOV_OUT)/$$h.info"; \
	done; \
	$(FCOV_LCOV) $$infos --output-file $(FCOV_OUT)/all.info 2>>$(FCOV_OUT)/lcov.log; \
	for h in $(FUZZ_HARNESSES) all; do \
		lcov --config-file coverage/lcovrc --rc lcov_branch_coverage=1 --summary $(FCOV_OUT)/$$h.info 2>&1 | \
			awk -v h=$$h '/(lines|functions|branches)\.*:/ { sub(/^ */, ""); sub(/\.*:/, ""); \
				s = s (s ? ", " : "") $$0 } END { printf "  FCOV     %-6s kernel files: %s\n", h, s }'; \
	done; \
	lcov --config-file coverage/lcovrc --rc lcov_branch_coverage=1 --list $(FCOV_OUT)/all.info 2>/dev/null | \
		grep -E '^(include|net)/|Total:' | sed 's/^/           /'
	@echo "sockmap-sim: fuzz-coverage: $(FCOV_OUT)/all.info (lcov; genhtml it to browse)"

# tests/test_fuzz_regressions.c includes the world harness (its concurrent
# groups' tests)
$(BDIR)/tests/test_fuzz_regressions: tests/fuzz/fuzz_world.c

# ---- fuzz-replay-order: an input's outcome does not depend on the inputs
# before it in the process (libFuzzer runs every input in one process)
#
#   make fuzz-replay-order   (part of make test) every corpus input run in
#                            name order, then in reverse order, by the gcc
#                            ASan+UBSan replay binary with
#                            SOCKMAP_SIM_REPLAY_ORDER=1: the end-state fields
#                            each harness notes (fuzz_state.h) must be the
#                            same both times; the first difference fails,
#                            naming the input and the field. Seconds.
.PHONY: fuzz-replay-order
fuzz-replay-order: $(addprefix $(BDIR)/tests/fuzz/replay-,$(FUZZ_HARNESSES)) | $(PKGS_STAMP)
	$(Q)set -e; for h in $(FUZZ_HARNESSES); do \
		echo "  ORDER    $$h: $$(ls tests/fuzz/corpus/$$h | wc -l) inputs forwards and backwards, level $(SIM_SERIES_LEVEL_NAME)"; \
		SOCKMAP_SIM_REPLAY_ORDER=1 ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			$(BDIR)/tests/fuzz/replay-$$h tests/fuzz/corpus/$$h 2>$(BDIR)/tests/fuzz/replay-order-$$h.log || { \
			grep -m1 'sockmap-sim: \(replay-order\|oracle\|replay\)' $(BDIR)/tests/fuzz/replay-order-$$h.log >&2 || \
				tail -n1 $(BDIR)/tests/fuzz/replay-order-$$h.log >&2; exit 1; }; \
	done

TEST_MORE += fuzz-replay-order
