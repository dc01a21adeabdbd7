# SPDX-License-Identifier: GPL-2.0
#
# experiments/experiments.mk: make experiments (issue 18, item 3), included
# by the top Makefile after the variables it uses; see experiments/README.md.
#
#   make experiments   for each experiment (a patch of experiments/ applied
#                      after the full series with EXTRA_PATCHES): the
#                      suites (make check) and the fuzz corpus replay
#                      (fuzz-replay-one) with it, its bench variant beside
#                      the base's (the full series), then one table:
#                      callgrind instructions per byte and per message,
#                      allocations, lock_sock(), sk_data_ready, wake-ups,
#                      work runs and page references per message, base vs
#                      experiment, the splice granularity, and the verdicts
#
# Knobs: EXPERIMENTS='experiments/0001-....patch ...'  a subset
#        EXP_SIZES=64,mix,4096   message sizes of the table ("mix": the
#                                bench driver's cycle of small and large)
#        EXP_MUTANTS=0           skip make mutation-check of the mutants
#                                that name the experiment (tests/mutants/,
#                                an "Experiment: <patch>" line)
#
# With EXTRA_PATCHES naming experiments/NNNN-*.patch (make experiments,
# make mutation-check of a mutant of an experiment, or by hand), every
# object of that tree is compiled with -DSIM_EXPERIMENT_NNNN, which
# <sim/experiments.h> turns into a name tests can ask for, and the
# experiment's own suite, experiments/test_exp_NNNN_*.c, is built and run
# with the others by make check.

EXPERIMENTS ?= $(sort $(wildcard experiments/[0-9][0-9][0-9][0-9]-*.patch))
EXP_SIZES ?= 64,mix,4096
EXP_MUTANTS ?= 1
EXP_OUT := $(O)/experiments

# The experiments EXTRA_PATCHES applies: the numbers of its patches that
# live in a directory named experiments.
exp_num = $(firstword $(subst -, ,$(notdir $(1))))
SIM_EXPERIMENTS_ON := $(sort $(foreach p,$(EXTRA_PATCHES),$(if $(filter experiments,\
	$(notdir $(patsubst %/,%,$(dir $(abspath $(p)))))),$(call exp_num,$(p)))))
SIM_CPPFLAGS += $(foreach n,$(SIM_EXPERIMENTS_ON),-DSIM_EXPERIMENT_$(n))

EXP_TEST_SRCS := $(foreach n,$(SIM_EXPERIMENTS_ON),$(wildcard experiments/test_exp_$(n)_*.c))
EXP_TEST_BINS := $(patsubst experiments/%.c,$(BDIR)/experiments/%,$(EXP_TEST_SRCS))
TEST_BINS += $(EXP_TEST_BINS)
build-tests: $(EXP_TEST_BINS)

$(BDIR)/experiments/%.o: experiments/%.c tests/sim_test.h $(KSRC_STAMP) | $(PKGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  TEST-CC  $<")
	$(Q)$(CC) $(SIM_CFLAGS) $(SIM_CPPFLAGS) -iquote tests -c $< -o $@

$(EXP_TEST_BINS): $(BDIR)/experiments/%: $(BDIR)/experiments/%.o $(SIM_OBJS) $(KPORT_OBJS)
	@$(if $(filter 1,$(V)),,echo "  TEST-LD  $@")
	$(Q)$(CC) $(SIM_CFLAGS) $< $(SIM_OBJS) $(KPORT_OBJS) \
		$(LDFLAGS_$(VARIANT)) $(LDLIBS) -o $@

-include $(EXP_TEST_BINS:=.d)

# make experiments-check (in make test, a few seconds warm): every
# experiment still applies to the series and builds, and its own suite
# passes with it (the suites of the series with it: make experiments).
# An experiment the series has moved away from fails here, not later.
.PHONY: experiments-check
TEST_MORE += experiments-check
experiments-check: | $(PKGS_STAMP)
	$(Q)set -e; for p in $(EXPERIMENTS); do \
		n=$$(basename $$p .patch); n=$${n%%-*}; \
		$(MAKE) --no-print-directory build-tests EXTRA_PATCHES=$$p >/dev/null \
			|| { echo "sockmap-sim: experiments-check: $$p does not apply or build on the series" >&2; exit 1; }; \
		d=$$($(MAKE) -s --no-print-directory exp-print-bdir EXTRA_PATCHES=$$p); \
		for t in $$d/experiments/test_exp_$${n}_*; do \
			[ -x "$$t" ] || continue; \
			ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
				$$t >$$d/experiments/$$(basename $$t).out 2>&1 \
				|| { cat $$d/experiments/$$(basename $$t).out; echo "sockmap-sim: experiments-check: $$(basename $$t) fails with $$p" >&2; exit 1; }; \
			echo "  EXP      $$(basename $$p .patch): applies, builds, $$(grep -c '^\[       OK \]' $$d/experiments/$$(basename $$t).out) tests of its own pass"; \
		done; \
	done

.PHONY: experiments exp-print-bdir
# The build directory of this command line (run.sh asks for the bench
# variant's, which depends on EXTRA_PATCHES' contents).
exp-print-bdir:
	@echo $(BDIR)

experiments: | $(PKGS_STAMP)
	$(Q)V='$(V)' experiments/run.sh '$(MAKE)' '$(O)' '$(EXP_SIZES)' '$(EXP_MUTANTS)' $(EXPERIMENTS)
