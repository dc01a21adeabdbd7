# SPDX-License-Identifier: GPL-2.0
#
# review/review.mk: `make review`, included by the top Makefile.
#
#   make review PATCH="a.patch b.patch" | MBOX=series.mbx
#        [REVIEW_BASE=pristine|fixes|copy|full] [REVIEW_FUZZ_SECONDS=60]
#        [REVIEW_NAME=name] [REVIEW_FUZZ=2] [REVIEW_EXPECT=level]
#        [REVIEW_MUTANTS=30] [REVIEW_MUTANT_TIMEOUT=seconds]
#
# Tests mailed patches on top of a level of the series and writes
# $(O)/review/NAME/report.{md,json,html}: see review/review.sh and the
# README's "Reviewing a patch".
#
# Helpers for review.sh (each with the level and EXTRA_PATCHES of its
# command line): review-warnings compiles the kernel files alone with the
# kernel's W=1 warnings (scripts/Makefile.extrawarn of 6.12), printing
# them; review-costs prints make run's table; print-ksrc, print-bdir and
# print-cov-out name the tree, the objects and the coverage report.
#
# review-mutants-selftest (part of make test): review/mutants.py, which
# makes the mutants of the added lines, on a fixed made-up diff
# (review/mutants-selftest/): exactly the mutants of expected.txt, twice,
# none on a comment, blank or preprocessor line, every one a patch that
# applies, and the choice under a limit as documented.

REVIEW_W1 := -Wextra -Wunused -Wno-unused-parameter -Wmissing-declarations \
	-Wmissing-format-attribute -Wmissing-prototypes -Wold-style-definition \
	-Wmissing-include-dirs -Wunused-but-set-variable -Wunused-const-variable \
	-Wpacked-not-aligned -Wformat-overflow -Wformat-truncation \
	-Wstringop-truncation -Wno-missing-field-initializers -Wno-type-limits \
	-Wno-shift-negative-value -Wno-maybe-uninitialized -Wno-sign-compare \
	-Wno-unused-but-set-parameter -Wno-override-init

.PHONY: review review-warnings review-costs print-ksrc print-bdir print-cov-out \
	review-mutants-selftest

review:
	$(Q)MAKE='$(MAKE)' O='$(O)' V='$(V)' PATCH='$(PATCH)' MBOX='$(MBOX)' \
		REVIEW_BASE='$(REVIEW_BASE)' REVIEW_FUZZ_SECONDS='$(REVIEW_FUZZ_SECONDS)' \
		REVIEW_NAME='$(REVIEW_NAME)' REVIEW_FUZZ='$(REVIEW_FUZZ)' \
		REVIEW_EXPECT='$(REVIEW_EXPECT)' REVIEW_MUTANTS='$(REVIEW_MUTANTS)' \
		REVIEW_MUTANT_TIMEOUT='$(REVIEW_MUTANT_TIMEOUT)' REVIEW_FILES='$(KPORT_FILES)' \
		review/review.sh

# One "file:line: warning: text [-Wflag]" line per warning, sim headers'
# own warnings left out (only the kernel files are under review).
review-warnings: $(KSRC_STAMP) | $(PKGS_STAMP)
	$(Q)for f in $(KPORT_SRCS); do \
		gcc $(KERNEL_CFLAGS) $(WARN_CFLAGS) $(REVIEW_W1) $(SIM_CPPFLAGS) \
			-fsyntax-only $$f 2>&1 | grep -E '^$(KSRC)/[^:]*:[0-9]+:[0-9]+: warning:' || true; \
	done

print-ksrc:
	@echo $(KSRC)

print-bdir:
	@echo $(BDIR)

# One fuzz input (FUZZ_FILE) replayed by the gcc build of FUZZER's harness
# at this level: review.sh asks whether a crash the fuzzer found with the
# patches happens without them too.
fuzz-replay-file: $(BDIR)/tests/fuzz/replay-$(FUZZER)
	$(Q)test -f '$(FUZZ_FILE)' || { echo "sockmap-sim: fuzz-replay-file: FUZZ_FILE='$(FUZZ_FILE)' is not a file" >&2; exit 1; }
	$(Q)ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(BDIR)/tests/fuzz/replay-$(FUZZER) '$(FUZZ_FILE)'

print-cov-out:
	@echo $(COV_OUT)

review-mutants-selftest: | $(PKGS_STAMP)
	$(Q)python3 review/mutants.py selftest

TEST_MORE += review-mutants-selftest

# make run's whole table at one level (review.sh runs it with and without
# the patches and reports the rows that change)
review-costs: $(BDIR)/tests/report
	$(Q)$(BDIR)/tests/report --no-header
