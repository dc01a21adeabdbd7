# SPDX-License-Identifier: GPL-2.0
#
# bench/bench.mk: make bench (issue 18, item 2), included by the top
# Makefile after the variables it uses. A benchmark, not a test: nothing
# here asserts a timing; bench-smoke (in make test's TEST_MORE) only checks
# that the variant builds, the rows come out and the bytes arrive.
#
#   make bench        the bench variant at levels full, copy and pristine,
#                     then bench/run.py: (1) callgrind instructions per byte
#                     and per message, kernel files vs shims, (2) MB/s,
#                     median of BENCH_RUNS with min and max, the zc/read and
#                     copy/read ratios beside the seed's, (3) bytes per
#                     splice call and pipe slots per KiB. Table on the
#                     terminal; CSV and gnuplot PNGs in $(BENCH_OUT)
#   make bench-smoke  one size, one run, no callgrind, the three levels
#
# Knobs: BENCH_SIZES=64,1024,...  (default 64 B to 256 KiB)
#        BENCH_RUNS=N             timed runs per row (default 5)
#        BENCH_BYTES=B            bytes per timed run (default 8 MiB)
#        BENCH_CALLGRIND=0        skip the callgrind figures
#
# The bench variant: VARIANT=bench builds the sim, the kernel files and
# the driver with gcc -O2 -g, no sanitizers, in $(O)/bench$(KVARIANT_SUFFIX)
# ($(O)/bench, $(O)/bench-copy, $(O)/bench-pristine), with -DSIM_BENCH:
# the sim's own bookkeeping (ledger records, per-step invariant checks,
# poisoning, the page quarantine) is compiled out (<sim/ledger.h>:
# SIM_BOOKKEEPING); refcounts, memory, locks and wake-ups stay real.
# CC and SIM_CFLAGS were set from VARIANT above this include; recipes
# expand them late, so the variant's flags are added here.

CC_bench := gcc
CFLAGS_bench := -O2 -g -DSIM_BENCH
LDFLAGS_bench :=
ifeq ($(VARIANT),bench)
CC := $(CC_bench)
SIM_CFLAGS += $(CFLAGS_bench)
endif

BENCH_LEVELS := full copy pristine
BENCH_SIZES ?= 64,256,1024,4096,16384,65536,262144
BENCH_RUNS ?= 5
BENCH_BYTES ?= 8388608
BENCH_CALLGRIND ?= 1
BENCH_OUT := $(O)/bench/results
BENCH_SMOKE_OUT := $(O)/bench/smoke
# The level's build directory of the variant (as BDIR at VARIANT=bench).
bench_bdir = $(O)/bench$(if $(filter full,$(1)),,-$(1))
BENCH_BINS := $(foreach l,$(BENCH_LEVELS),$(call bench_bdir,$(l))/bench/bench)
# Debian packages: valgrind (callgrind, <valgrind/callgrind.h>) and gnuplot.
BENCH_PKGS := valgrind gnuplot-nox
DEPS_PKGS += $(BENCH_PKGS)
$(PKGS_STAMP): bench/bench.mk

.PHONY: bench bench-smoke bench-build bench-bin
TEST_MORE += bench-smoke

$(BDIR)/bench/bench: bench/bench.c tests/scenario.h tests/sim_bypass.h $(SIM_OBJS) $(KPORT_OBJS)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  BENCH-LD $@")
	$(Q)$(CC) $(SIM_CFLAGS) $(SIM_CPPFLAGS) $< $(SIM_OBJS) $(KPORT_OBJS) \
		$(LDFLAGS_$(VARIANT)) $(LDLIBS) -o $@

# One level's driver (a sub-make sets VARIANT=bench and SERIES_LEVEL).
bench-bin: $(BDIR)/bench/bench
	@:

bench-build: | $(PKGS_STAMP)
	$(Q)set -e; for l in $(BENCH_LEVELS); do \
		echo "  BENCH    building the bench variant at level $$l"; \
		$(MAKE) --no-print-directory bench-bin VARIANT=bench SERIES_LEVEL=$$l \
			|| { echo "sockmap-sim: bench: the bench variant does not build at level $$l" >&2; exit 1; }; \
	done

bench: bench-build
	$(Q)V='$(V)' python3 bench/run.py --out $(BENCH_OUT) --sizes '$(BENCH_SIZES)' \
		--runs '$(BENCH_RUNS)' --bytes '$(BENCH_BYTES)' --callgrind '$(BENCH_CALLGRIND)' \
		$(foreach l,$(BENCH_LEVELS),--bin $(l)=$(call bench_bdir,$(l))/bench/bench)

bench-smoke: bench-build
	$(Q)V='$(V)' python3 bench/run.py --smoke --out $(BENCH_SMOKE_OUT) --sizes 4096 \
		--runs 1 --bytes 262144 --callgrind 0 \
		$(foreach l,$(BENCH_LEVELS),--bin $(l)=$(call bench_bdir,$(l))/bench/bench)
