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
#   make bench-sched [K2_MAX=10000]
#                              schedules/s, K=2 space per scenario (at most
#                              K2_MAX schedules each), N2 from nothing
#   make check-n3-fix          make check with the experimental n3 fix on
#                              the full series (N2's fix is fixes/0010)
#
# SIM_N3_FIX: 1 when the kernel files carry the experimental N3 fix
# (EXTRA_PATCHES names it); the tests then expect N3 fixed (N3_FIXED in
# tests/test_tcp_bpf_race.c). It follows EXTRA_PATCHES, so one build
# directory never mixes the two.

RACE_BIN := $(BDIR)/tests/test_tcp_bpf_race
# N3's experimental fix (tests/race/n3-fix-experimental.patch).
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
K2_MAX ?= 10000

.PHONY: explore explore-pct explore-list bench-sched bench-sched-one check-n3-fix

explore-list: $(RACE_BIN)
	$(Q)$(RACE_BIN) --list

explore: $(RACE_BIN)
	$(Q)test -n '$(SCENARIO)' || { echo "sockmap-sim: make explore SCENARIO=<name> (make explore-list)" >&2; exit 2; }
	$(Q)$(RACE_BIN) --explore '$(SCENARIO)' --k '$(K)' --max '$(MAX)'

explore-pct: $(RACE_BIN)
	$(Q)test -n '$(SCENARIO)' || { echo "sockmap-sim: make explore-pct SCENARIO=<name> RUNS=N (make explore-list)" >&2; exit 2; }
	$(Q)$(RACE_BIN) --pct '$(SCENARIO)' --runs '$(RUNS)' --seed '$(SEED)' --depth '$(DEPTH)'

# At level pristine: N2's fix is in kernel-patches/fixes, and the bench
# reports the time to find N2 from nothing.
bench-sched:
	$(Q)$(MAKE) --no-print-directory bench-sched-one SERIES_LEVEL=pristine

bench-sched-one: $(RACE_BIN)
	$(Q)SIM_BENCH_K2_MAX='$(K2_MAX)' taskset -c 0 $(RACE_BIN) --bench

# N3's experimental fix on the full series (tests/race/README.md).
check-n3-fix:
	$(Q)$(MAKE) --no-print-directory check EXTRA_PATCHES='$(N3_FIX_PATCH)'
