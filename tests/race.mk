# SPDX-License-Identifier: GPL-2.0
#
# tests/race.mk: the kernel's sockmap code under the scheduler
# (tests/test_tcp_bpf_race.c, tests/race/README.md). Included by the top
# Makefile. The suite itself runs in `make check` with fixed budgets.
#
#   make explore SCENARIO=<name> [K=2] [MAX=100000]
#       systematic, preemption-bounded (DFS with at most K preemptions, at
#       most MAX schedules); each failure with its replay command, minimized
#       to the fewest preemptions; a summary line. SCHEDULE=<string> in the
#       environment replays one schedule.
#   make explore-pct SCENARIO=<name> RUNS=N [SEED=1] [DEPTH=3]
#       PCT (probabilistic concurrency testing), runs from seeds SEED..
#   make explore-list          the scenarios
#   make bench-sched           schedules/s, K=2 space per scenario, N2 from nothing
#   make check-n2-fix          make check with tests/race/n2-fix.patch on the
#                              full series, then at SERIES_LEVEL=fixes
#   make check-n3-fix          make check with n2-fix and the experimental
#                              n3 fix on the full series
#
# SIM_N2_FIX: 1 when the kernel files carry tests/race/n2-fix.patch
# (EXTRA_PATCHES names it); the tests then expect N2 fixed (N2_FIXED in
# tests/test_tcp_bpf_race.c). It follows EXTRA_PATCHES, so one build
# directory never mixes the two.

RACE_BIN := $(BDIR)/tests/test_tcp_bpf_race
N2_FIX_PATCH := tests/race/n2-fix.patch
SIM_N2_FIX := $(if $(filter $(N2_FIX_PATCH),$(EXTRA_PATCHES)),1,0)
ifeq ($(SIM_N2_FIX),1)
SIM_CPPFLAGS += -DSIM_N2_FIX=1
endif
# The same for N3's experimental fix (tests/race/n3-fix-experimental.patch).
N3_FIX_PATCH := tests/race/n3-fix-experimental.patch
SIM_N3_FIX := $(if $(filter $(N3_FIX_PATCH),$(EXTRA_PATCHES)),1,0)
ifeq ($(SIM_N3_FIX),1)
SIM_CPPFLAGS += -DSIM_N3_FIX=1
endif

SCENARIO ?=
K ?= 2
MAX ?= 100000
RUNS ?= 1000
SEED ?= 1
DEPTH ?= 3

.PHONY: explore explore-pct explore-list bench-sched check-n2-fix check-n3-fix

explore-list: $(RACE_BIN)
	$(Q)$(RACE_BIN) --list

explore: $(RACE_BIN)
	$(Q)test -n '$(SCENARIO)' || { echo "sockmap-sim: make explore SCENARIO=<name> (make explore-list)" >&2; exit 2; }
	$(Q)$(RACE_BIN) --explore '$(SCENARIO)' --k '$(K)' --max '$(MAX)'

explore-pct: $(RACE_BIN)
	$(Q)test -n '$(SCENARIO)' || { echo "sockmap-sim: make explore-pct SCENARIO=<name> RUNS=N (make explore-list)" >&2; exit 2; }
	$(Q)$(RACE_BIN) --pct '$(SCENARIO)' --runs '$(RUNS)' --seed '$(SEED)' --depth '$(DEPTH)'

bench-sched: $(RACE_BIN)
	$(Q)taskset -c 0 $(RACE_BIN) --bench

check-n2-fix:
	$(Q)$(MAKE) --no-print-directory check EXTRA_PATCHES=$(N2_FIX_PATCH)
	$(Q)$(MAKE) --no-print-directory check EXTRA_PATCHES=$(N2_FIX_PATCH) SERIES_LEVEL=fixes

# Both fixes on the full series (N3's is experimental: tests/race/README.md).
check-n3-fix:
	$(Q)$(MAKE) --no-print-directory check EXTRA_PATCHES='$(N2_FIX_PATCH) $(N3_FIX_PATCH)'
