# SPDX-License-Identifier: GPL-2.0
#
# sockmap-sim: the real net/core/skmsg.c, net/ipv4/tcp_bpf.c,
# net/core/sock_map.c and include/linux/skmsg.h of Linux 6.12.117 (+ kernel-patches/) compiled
# against userspace shims (sim/) and tested with CMocka under ASan+UBSan.
#
#   make test      install what is missing, build, run every test, verify
#                  that the compiled kernel files are pristine + the series
#   make run       the main job: the TX->RX cost report
#   make help      every target
#
# V=1 shows full commands. O=dir moves the build directory.

# ---- pinned inputs (one place) -------------------------------------------
KVER		:= 6.12.117
KPKG_VERSION	:= 6.12.117-1~deb12u1
KSRC_TARBALL	?= /usr/src/linux-source-6.12.tar.xz
# Author and Signed-off-by of every patch in kernel-patches/fixes and
# kernel-patches/splice.
PATCH_IDENTITY	:= sockmap-sim maintainers <maintainers@sockmap-sim.invalid>
# Debian packages the tests need (the kernel source package is handled
# with its pinned version by kernel-port/deps.sh).
DEPS_PKGS	:= gcc make libc6-dev libcmocka-dev patch xz-utils lcov python3

O		?= build
VARIANT		?= asan
V		?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

all: build-tests

include kernel-port/kernel-port.mk
include kernel-port/kernel-check.mk
include coverage/coverage.mk

TEST_MORE := extra-patches-selftest test-steps-selftest

BDIR := $(O)/$(VARIANT)$(KVARIANT_SUFFIX)
PKGS_STAMP := $(O)/.pkgs-stamp

# The kernel's own semantics (top-level Makefile of 6.12), then ours.
KERNEL_CFLAGS := -std=gnu11 -fno-strict-aliasing -fno-strict-overflow \
	-fno-delete-null-pointer-checks -funsigned-char -fno-common \
	-Wno-pointer-sign -Werror=implicit-function-declaration
WARN_CFLAGS := -Wall -Wno-unused-function
CFLAGS_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
LDFLAGS_asan := -fsanitize=address,undefined
CC_asan := gcc
CC := $(CC_$(VARIANT))
SIM_CFLAGS := $(KERNEL_CFLAGS) $(WARN_CFLAGS) $(CFLAGS_$(VARIANT)) -MMD -MP
# The series level the kernel files carry (kernel-port.mk): tests expect its
# behaviour, by name (sim/include/sim/series.h: SIM_LEVEL_PRISTINE, _FIXES,
# _COPY, _FULL).
SIM_CPPFLAGS := -D_GNU_SOURCE -iquote $(KSRC) -I $(KSRC)/include -I sim/include \
	-DSIM_SERIES_LEVEL=$(SIM_SERIES_LEVEL) -DSIM_SERIES_PATCHES=$(words $(KSERIES))
LDLIBS := -lcmocka -lpthread

SIM_SRCS := $(wildcard sim/*.c)
KPORT_SRCS := kernel-port/skmsg.c kernel-port/tcp_bpf.c kernel-port/sock_map.c \
	kernel-port/strparser.c
SIM_OBJS := $(patsubst %.c,$(BDIR)/%.o,$(SIM_SRCS))
KPORT_OBJS := $(patsubst %.c,$(BDIR)/%.o,$(KPORT_SRCS))
KPORT_DEPFILES := $(KPORT_OBJS:.o=.d)
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(BDIR)/tests/%,$(TEST_SRCS))

$(PKGS_STAMP): kernel-port/deps.sh Makefile
	$(Q)mkdir -p $(@D)
	$(Q)V='$(V)' kernel-port/deps.sh $(KPKG) '$(KPKG_VERSION)' $(DEPS_PKGS)
	$(Q)touch $@

$(BDIR)/%.o: %.c $(KSRC_STAMP) | $(PKGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  CC       $<")
	$(Q)$(CC) $(SIM_CFLAGS) $(SIM_CPPFLAGS) -c $< -o $@

# Kernel code's memcpy() calls go to the shim standing for the kernel's
# memcpy (arch/x86/lib/memcpy_64.S), which counts data copies into pages
# (sim/mm.c: sim_kernel_memcpy). The object is relinked at the symbol
# level only; the source compiled is the pristine file.
$(KPORT_OBJS): $(BDIR)/%.o: %.c $(KSRC_STAMP) | $(PKGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  CC       $<")
	$(Q)$(CC) $(SIM_CFLAGS) $(SIM_CPPFLAGS) -c $< -o $@
	$(Q)objcopy --redefine-sym memcpy=sim_kernel_memcpy $@

# A suite is compiled, then linked: a change to a kernel file or a shim
# relinks the suites without compiling them again.
$(BDIR)/tests/%.o: tests/%.c tests/sim_test.h tests/sim_bypass.h $(KSRC_STAMP) | $(PKGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  TEST-CC  $<")
	$(Q)$(CC) $(SIM_CFLAGS) $(SIM_CPPFLAGS) -c $< -o $@

$(TEST_BINS): $(BDIR)/tests/%: $(BDIR)/tests/%.o $(SIM_OBJS) $(KPORT_OBJS)
	@$(if $(filter 1,$(V)),,echo "  TEST-LD  $@")
	$(Q)$(CC) $(SIM_CFLAGS) $< $(SIM_OBJS) $(KPORT_OBJS) \
		$(LDFLAGS_$(VARIANT)) $(LDLIBS) -o $@

-include $(SIM_OBJS:.o=.d) $(KPORT_OBJS:.o=.d) $(TEST_BINS:=.d)

verify-kernel-port: $(KPORT_OBJS)

.PHONY: all build-tests check test run run-variant help clean distclean hdrcheck test-reports \
	test-steps-selftest

# Each shim header compiles on its own, and after <stdio.h> (glibc pulls in
# UAPI headers of the same names: a shim must not shadow them by accident).
SHIM_HDRS := $(shell find sim/include -name '*.h' | sort)
hdrcheck: $(KSRC_STAMP) | $(PKGS_STAMP)
	@echo "  HDRCHECK $(words $(SHIM_HDRS)) shim headers"
	$(Q)set -e; for h in $(SHIM_HDRS); do \
		i=$${h#sim/include/}; \
		printf '#include <%s>\n' "$$i" | $(CC) $(KERNEL_CFLAGS) $(WARN_CFLAGS) \
			$(SIM_CPPFLAGS) -x c -fsyntax-only - || { echo "sockmap-sim: $$h does not compile on its own" >&2; exit 1; }; \
		printf '#include <stdio.h>\n#include <%s>\n' "$$i" | $(CC) $(KERNEL_CFLAGS) $(WARN_CFLAGS) \
			$(SIM_CPPFLAGS) -x c -fsyntax-only - || { echo "sockmap-sim: $$h does not compile after <stdio.h>" >&2; exit 1; }; \
	done

build-tests: $(TEST_BINS)

# Run every test binary (TAP), print the CMocka summary and the totals.
# The links (one per suite) run in parallel unless make was given its own
# -j; the suites too (run-tests.sh, TEST_JOBS).
NPROC := $(shell nproc 2>/dev/null || echo 1)
check:
	$(Q)$(MAKE) --no-print-directory $(if $(findstring -j,$(MAKEFLAGS)),,-j$(NPROC)) build-tests
	$(Q)TEST_FILTER='$(TEST_FILTER)' UNTESTED_LIST='$(KSRC)/.untested' \
		tests/run-tests.sh $(TEST_BINS)

# The same binaries, their results as JUnit XML and TAP for CI systems.
test-reports: build-tests
	$(Q)tests/test-reports.sh $(BDIR)/test-reports $(TEST_BINS)

# The full series, then the same tests at the other levels: the copying
# splice (fixes + splice/ up to its "level: copy" line), the fixes alone and
# the pristine files; then the series in the real kernel tree (kernel-check:
# ~2 min cold, ~1 min warm, so always), coverage and the later parts'
# TEST_MORE. One step after the other (tests/test-steps.sh), each timed:
# the times are printed at the end and kept in $(O)/test-times.txt. A step
# that passed before on exactly the same inputs (every file of the
# repository, the tarball, the packages, the environment) is not run
# again; TEST_CACHE=0 runs them all.
SERIES_TEST_LEVELS ?= copy fixes pristine
test:
	$(Q)MAKE='$(MAKE) --no-print-directory' CACHE_DIR='$(O)/test-cache' \
		KSRC_TARBALL='$(KSRC_TARBALL)' MAKE_OVERRIDES='$(MAKEOVERRIDES)' \
		tests/test-steps.sh $(O)/test-times.txt \
		hdrcheck 'check verify-kernel-port' \
		$(foreach l,$(SERIES_TEST_LEVELS),'check verify-kernel-port SERIES_LEVEL=$(l)') \
		kernel-check coverage $(TEST_MORE)

# make test's step runner on a scratch repository: what it runs, what it
# does not run again, and that a failure stops it and is not recorded.
test-steps-selftest:
	$(Q)tests/test-steps-selftest.sh

# The full series (read and zero-copy splice rows), then the always-copy
# splice (level copy) and the pristine files (where splice moves nothing).
run: $(BDIR)/tests/report
	$(Q)$(BDIR)/tests/report
	$(Q)$(MAKE) --no-print-directory run-variant SERIES_LEVEL=copy
	$(Q)$(MAKE) --no-print-directory run-variant SERIES_LEVEL=pristine

run-variant: $(BDIR)/tests/report
	$(Q)$(BDIR)/tests/report --splice-only --no-header

$(BDIR)/tests/report: tests/report.c tests/sim_test.h $(SIM_OBJS) $(KPORT_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(SIM_CFLAGS) $(SIM_CPPFLAGS) $< $(SIM_OBJS) $(KPORT_OBJS) \
		$(LDFLAGS_$(VARIANT)) $(LDLIBS) -o $@

help:
	@echo "make test                hdrcheck, all tests (ASan+UBSan) at 4 series levels, verify-kernel-port, kernel-check, coverage,"
	@echo "                         vm-smoke, conformance, series-figures-check, fuzz-replay(-order), cflite-check, shim-drift"
	@echo "make run                 the TX->RX cost report (the main job)"
	@echo "make check               build and run the tests only"
	@echo "make verify-kernel-port  prove the compiled kernel files = pristine $(KVER) + series"
	@echo "make kernel-check        git am the series onto the whole $(KVER) tree; W=1 build after each patch; checkpatch --strict"
	@echo "make coverage            gcov build, every test, lcov HTML + patch coverage of the series in $(O)/coverage/"
	@echo "make hdrcheck            compile every shim header alone and after <stdio.h>"
	@echo "make shim-drift          the sim's transcribed kernel functions (sim-origin/sim-edit markers) against the tarball; shim-drift-selftest"
	@echo "make conformance         the scenarios on the sim, on 6.12.117 in qemu (pristine, patched) and the host"
	@echo "make series-figures      rewrite the measured figures of the two cover letters (series-figures-check: compare)"
	@echo "make series-export SIGNOFF='Name <mail>' [BASE=commit]  both series with your From:/Signed-off-by: in $(O)/series/"
	@echo "make test-reports        the suites as JUnit XML and TAP in $(BDIR)/test-reports/"
	@echo "make review PATCH=x      test mailed patches (or MBOX=) on a level of the series; report in $(O)/review/"
	@echo "                         (REVIEW_MUTANTS=30: mutants of the added lines; review-mutants-selftest)"
	@echo "make fuzz | afl          libFuzzer | AFL++ on FUZZER=world|ring for FUZZ_SECONDS (60)"
	@echo "make fuzz-replay         the committed fuzz corpus, gcc ASan+UBSan; fuzz-coverage: what it reaches"
	@echo "make fuzz-replay-order   the corpus forwards then backwards: each input's end state must not depend on the ones before"
	@echo "make cflite-check        .clusterfuzzlite/build.sh as OSS-Fuzz runs it"
	@echo "make mutation-check      the mutants of tests/mutants, killed by the tests or by fuzzing (MUTANT_FUZZ=always)"
	@echo "make explore SCENARIO=x  every schedule of a concurrent scenario with at most K (2) preemptions; explore-pct: PCT"
	@echo "make explore-list        the concurrent scenarios; bench-sched: schedules/s, K=2 spaces, time to find N2"
	@echo "make bench               the bench variant (-O2, no sanitizers) at levels full/copy/pristine: callgrind instructions"
	@echo "                         per byte (kernel vs shims), MB/s (median of BENCH_RUNS), bytes per splice call; $(O)/bench/results/"
	@echo "make bench-smoke         the same rows at one size, one run, no callgrind (in make test)"
	@echo "make experiments         each experiments/NNNN-*.patch on the full series: suites, corpus replay, its mutants, and"
	@echo "                         callgrind instructions and per-message counts against the base (EXPERIMENTS=, EXP_SIZES=, EXP_MUTANTS=0)"
	@echo "make experiments-check   each experiment applies, builds and passes its own suite (in make test)"
	@echo "make deps                install/check every Debian package"
	@echo "make ksrc                extract and patch the kernel files into $(O)/"
	@echo "make clean | distclean   remove $(BDIR) | all of $(O)"
	@echo "variables: V=1  O=dir  TEST_FILTER=glob  EXTRA_PATCHES='a.patch b.patch'  TEST_JOBS=N (suites at once)"
	@echo "           TEST_CACHE=0 (make test: run the steps that passed on the same inputs too)  KCHECK_CACHE=0"
	@echo "           SERIES_LEVEL=pristine|fixes|copy|full (default full)  KSERIES_UPTO=N (first N of fixes/ then splice/)"
	@echo "           BENCH_SIZES=64,1024,...  BENCH_RUNS=N  BENCH_BYTES=B  BENCH_CALLGRIND=0"

clean:
	rm -rf $(BDIR)

distclean:
	rm -rf $(O)

# The later parts, each owning its directory and makefile. A part that
# belongs in `make test` appends its target to TEST_MORE (run in order,
# after coverage). Included last: they use the variables above.
include vm/vm.mk
include conformance/conformance.mk
include kernel-port/series.mk
include tests/fuzz/fuzz.mk
include tests/mutants/mutants.mk
include tests/race.mk
include kernel-port/shim-drift.mk
include review/review.mk
include bench/bench.mk
include experiments/experiments.mk
