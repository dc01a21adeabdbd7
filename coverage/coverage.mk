# SPDX-License-Identifier: GPL-2.0
#
# coverage/coverage.mk: `make coverage`, included by the top Makefile
# (before it sets CC and SIM_CFLAGS from VARIANT, so VARIANT=cov works).
#
#   make coverage   build the sim, the kernel files and the tests with gcc
#                   --coverage -O0 (no sanitizers) in $(O)/cov, run every
#                   test, collect with lcov (branch coverage), write
#                   genhtml reports of the kernel files and of sim/, and
#                   the patch coverage of the series; print the summary
#
# Output, in $(COV_OUT) ($(O)/coverage):
#   index.html     the summary, links to both reports and the annotated
#                  kernel sources
#   kernel/        genhtml of build/ksrc (skmsg.c, tcp_bpf.c, sock_map.c, strparser.c, skmsg.h, strparser.h)
#   sim/           genhtml of sim/ (shims and headers)
#   summary.txt    what `make coverage` prints
#   summary.json   the same, for scripts (coverage/compare.py A B)
#   tests.log      the test run; *.info the lcov data (all, kernel, sim)
#
# The steps are cached: a warm `make coverage` with nothing changed only
# prints the summary.  The tests run again when a test binary changed
# (any source, kernel file or patch), or TEST_FILTER did.
#
# The gcov objects never mix with the ASan ones: the top Makefile's rules
# build them in $(O)/cov$(KVARIANT_SUFFIX) from CC_cov/CFLAGS_cov/LDFLAGS_cov
# in a sub-make with VARIANT=cov.  SERIES_LEVEL, KSERIES_UPTO and EXTRA_PATCHES work as
# for `make check` (report in $(O)/coverage$(KVARIANT_SUFFIX)).
#
# Uses from the top Makefile / kernel-port.mk: O, Q, V, KVER, KPKG,
# KPKG_VERSION, KSRC, KSRC_STAMP, KSRC_PRISTINE, KSRC_PRISTINE_STAMP,
# KSERIES, EXTRA_PATCHES, KPORT_FILES, KVARIANT_SUFFIX, PKGS_STAMP (in
# recipes only).

CC_cov := gcc
CFLAGS_cov := -O0 -g --coverage -fprofile-update=atomic
LDFLAGS_cov := --coverage

COV_BDIR := $(O)/cov$(KVARIANT_SUFFIX)
COV_OUT := $(O)/coverage$(KVARIANT_SUFFIX)
COV_TEST_BINS := $(patsubst tests/%.c,$(COV_BDIR)/tests/%,$(wildcard tests/test_*.c))
COV_PKGS_STAMP := $(O)/.cov-pkgs-stamp
COV_LCOV := lcov --quiet --config-file coverage/lcovrc --rc lcov_branch_coverage=1
COV_GENHTML := genhtml --quiet --config-file coverage/lcovrc --branch-coverage \
	--function-coverage --legend
COV_TOOL := coverage/patchcov.py
COV_REASONS := coverage/reasons.txt

# Settings without a file to depend on: a change re-runs the tests.
COV_ALLOW_FAIL ?= 0
ifeq ($(filter 0 1,$(COV_ALLOW_FAIL)),)
$(error sockmap-sim: COV_ALLOW_FAIL=$(COV_ALLOW_FAIL) is neither 0 nor 1)
endif
cov_params := $(strip $(TEST_FILTER) allow-fail=$(COV_ALLOW_FAIL))
ifneq ($(cov_params),$(strip $(file <$(COV_OUT)/.params)))
cov_force := cov-force
endif

.PHONY: coverage cov-report cov-force
cov-force:

# Everything happens in a sub-make with VARIANT=cov: the top Makefile's
# object and test rules then build into $(COV_BDIR) with the gcov flags.
coverage:
	$(Q)$(MAKE) --no-print-directory VARIANT=cov cov-report

ifeq ($(VARIANT),cov)

$(COV_PKGS_STAMP): kernel-port/deps.sh coverage/coverage.mk
	$(Q)mkdir -p $(@D)
	$(Q)V='$(V)' kernel-port/deps.sh $(KPKG) '$(KPKG_VERSION)' lcov python3
	$(Q)touch $@

# 1. Run every test binary against fresh counters.  A failing test fails
# `make coverage`: the figures of a broken run would mislead.  Except with
# COV_ALLOW_FAIL=1 (make review, whose patches may leave a level's tests
# failing): the report is made anyway, the failing binaries named on
# stderr and in tests.log (a binary that crashed wrote no counters).
$(COV_OUT)/tests.log: $(COV_TEST_BINS) tests/run-tests.sh $(cov_force) | $(COV_PKGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  COV-RUN  $(words $(COV_TEST_BINS)) test binaries (gcov build, $(COV_BDIR))")
	$(Q)find $(COV_BDIR) -name '*.gcda' -delete
	$(Q)rm -f $@; if ! RUN_TESTS_LABEL='gcov build' TEST_FILTER='$(TEST_FILTER)' tests/run-tests.sh $(COV_TEST_BINS) >$@.tmp 2>&1; then \
		failing=$$(grep -m1 '^sockmap-sim: failing' $@.tmp | sed 's/^sockmap-sim: failing: //'); \
		if [ '$(COV_ALLOW_FAIL)' = 1 ]; then \
			echo "sockmap-sim: coverage: tests failed in the gcov build (COV_ALLOW_FAIL=1: reported anyway; a binary that crashed wrote no counters): $$failing" >&2; \
		else \
			echo "sockmap-sim: coverage: tests failed in the gcov build: $$failing; log: $@.tmp" >&2; \
			exit 1; \
		fi; fi
	$(Q)sed -n 's/^\(sockmap-sim: [0-9]* tests passed.*\)$$/  \1/p' $@.tmp
	$(Q)echo '$(cov_params)' >$(COV_OUT)/.params
	$(Q)mv $@.tmp $@

# 2. lcov: everything, then the kernel files and sim/ apart.
$(COV_OUT)/all.info: $(COV_OUT)/tests.log coverage/lcovrc
	@$(if $(filter 1,$(V)),,echo "  LCOV     $@")
	$(Q)$(COV_LCOV) --capture --directory $(COV_BDIR) --base-directory $(CURDIR) \
		--output-file $@.tmp 2>$@.log || { \
		echo "sockmap-sim: coverage: lcov --capture failed: $$(tail -n1 $@.log)" >&2; exit 1; }
	$(Q)mv $@.tmp $@

$(COV_OUT)/kernel.info: $(COV_OUT)/all.info
	@$(if $(filter 1,$(V)),,echo "  LCOV     $@ ($(KSRC))")
	$(Q)$(COV_LCOV) --extract $< '$(abspath $(KSRC))/*' --output-file $@ 2>$@.log || { \
		echo "sockmap-sim: coverage: lcov --extract failed: $$(tail -n1 $@.log)" >&2; exit 1; }

$(COV_OUT)/sim.info: $(COV_OUT)/all.info
	@$(if $(filter 1,$(V)),,echo "  LCOV     $@ (sim/)")
	$(Q)$(COV_LCOV) --extract $< '$(CURDIR)/sim/*' --output-file $@ 2>$@.log || { \
		echo "sockmap-sim: coverage: lcov --extract failed: $$(tail -n1 $@.log)" >&2; exit 1; }

# 3. genhtml: annotated sources with paths relative to the tree.
$(COV_OUT)/kernel/index.html: $(COV_OUT)/kernel.info
	@$(if $(filter 1,$(V)),,echo "  GENHTML  $(@D)")
	$(Q)rm -rf $(@D)
	$(Q)$(COV_GENHTML) --prefix $(abspath $(KSRC)) \
		--title 'sockmap-sim: Linux $(KVER) kernel files + series' \
		--output-directory $(@D) $< 2>$(COV_OUT)/kernel.genhtml.log || { \
		echo "sockmap-sim: coverage: genhtml failed: $$(tail -n1 $(COV_OUT)/kernel.genhtml.log)" >&2; exit 1; }

$(COV_OUT)/sim/index.html: $(COV_OUT)/sim.info
	@$(if $(filter 1,$(V)),,echo "  GENHTML  $(@D)")
	$(Q)rm -rf $(@D)
	$(Q)$(COV_GENHTML) --prefix $(CURDIR) --title 'sockmap-sim: sim/ (shims)' \
		--output-directory $(@D) $< 2>$(COV_OUT)/sim.genhtml.log || { \
		echo "sockmap-sim: coverage: genhtml failed: $$(tail -n1 $(COV_OUT)/sim.genhtml.log)" >&2; exit 1; }

# 4. Patch coverage and the summary (text, JSON, index.html).
$(COV_OUT)/summary.json: $(COV_OUT)/kernel.info $(COV_OUT)/sim.info \
		$(COV_OUT)/kernel/index.html $(COV_OUT)/sim/index.html \
		$(COV_TOOL) $(COV_REASONS) $(KSERIES) $(EXTRA_PATCHES) $(KPORT_FILES) \
		$(KSRC_STAMP) $(KSRC_PRISTINE_STAMP)
	@$(if $(filter 1,$(V)),,echo "  PATCHCOV $(words $(KSERIES) $(EXTRA_PATCHES)) patches -> $(COV_OUT)/index.html")
	$(Q)python3 $(COV_TOOL) --kver $(KVER) --pristine $(KSRC_PRISTINE) --ksrc $(KSRC) \
		--allow $(KPORT_FILES) --reasons $(COV_REASONS) \
		--kernel-info $(COV_OUT)/kernel.info --sim-info $(COV_OUT)/sim.info \
		--tests-log $(COV_OUT)/tests.log --test-filter '$(TEST_FILTER)' --out $(COV_OUT) $(KSERIES) $(addprefix --extra ,$(EXTRA_PATCHES))

cov-report: $(COV_OUT)/summary.json
	$(Q)cat $(COV_OUT)/summary.txt
	@echo "sockmap-sim: coverage report: $(COV_OUT)/index.html"

endif
