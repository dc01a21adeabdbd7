# SPDX-License-Identifier: GPL-2.0
#
# tests/mutants/mutants.mk: `make mutation-check`, included by the top
# Makefile. Small page-ownership and accounting bugs written on purpose
# (tests/mutants/*.patch, applied after the series with EXTRA_PATCHES), each
# of which the tests (or the fuzzer) must catch; see tests/mutants/README.md.
#   MUTANTS='tests/mutants/01-....patch ...'  a subset
#   MUTANT_FUZZ_SECONDS=60                     the bounded fuzz run per harness
#   MUTANT_FUZZ=survivors|always               fuzz only what the tests let
#                                              through, or every mutant (a
#                                              column of its own: what the
#                                              fuzzer finds without the tests)
#   MUTANT_FUZZ_CORPUS=none                    fuzz from an empty corpus
# Not part of `make test`: it builds and runs the suite once per mutant.

MUTANTS ?= $(sort $(wildcard tests/mutants/*.patch))
MUTANT_FUZZ_SECONDS ?= 60
MUTANT_FUZZ ?= survivors

.PHONY: mutation-check
mutation-check: | $(PKGS_STAMP)
	$(Q)V='$(V)' MUTANT_FUZZ_CORPUS='$(MUTANT_FUZZ_CORPUS)' tests/mutants/mutation-check.sh '$(MAKE)' '$(O)' \
		'$(MUTANT_FUZZ_SECONDS)' '$(MUTANT_FUZZ)' $(MUTANTS)

# mutants-apply-check (part of make test, about a second): every mutant
# still applies to the full series' kernel files (after its experiment,
# when it names one), exactly, in a scratch copy. A mutant written for an
# older version of a patch otherwise only shows up as an ERROR row of the
# next mutation-check, which make test does not run.
.PHONY: mutants-apply-check
mutants-apply-check: $(KSRC_STAMP) | $(PKGS_STAMP)
	$(Q)t=$(O)/mutants-apply; bad=0; n=0; \
	for m in $(MUTANTS); do \
		n=$$((n + 1)); rm -rf $$t; cp -a $(KSRC) $$t; \
		exp=$$(sed -n 's/^Experiment: *//p' $$m | head -1); \
		if [ -n "$$exp" ] && ! patch -s -p1 -F0 -d $$t --no-backup-if-mismatch <$$exp >/dev/null 2>&1; then \
			echo "sockmap-sim: mutants-apply-check: $$m: its experiment $$exp does not apply to $(KSRC)" >&2; bad=1; continue; fi; \
		if ! patch -s -p1 -F0 -d $$t --no-backup-if-mismatch <$$m >/dev/null 2>&1; then \
			echo "sockmap-sim: mutants-apply-check: $$m does not apply to $(KSRC)$${exp:+ + $$exp} without fuzz: write it again against the current series" >&2; bad=1; fi; \
	done; rm -rf $$t; \
	test $$bad = 0 && echo "  MUTANTS  $$n mutants apply to the full series (exactly)"

TEST_MORE += mutants-apply-check
