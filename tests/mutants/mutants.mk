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
