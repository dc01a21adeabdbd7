# SPDX-License-Identifier: GPL-2.0
#
# kernel-port/series.mk: the figures of the two cover letters, included by
# the top Makefile (after conformance/conformance.mk).
#
#   make series-figures        measure, then rewrite the figure blocks of
#                              kernel-patches/{fixes,splice}/0000-cover-letter.patch
#   make series-figures-check  measure, and fail if a committed block
#                              differs (in make test)
#
# The measurements (kernel-port/cover-figures.py says which block comes
# from where): the report of make run as CSV at levels full, copy and
# pristine, and the three sim columns of make conformance-sim. All are
# deterministic, so the check never flakes.

SERIES_OUT := $(O)/series
SERIES_COVERS := $(KPATCHES_DIR)/fixes/0000-cover-letter.patch \
	$(KPATCHES_DIR)/splice/0000-cover-letter.patch
series_figures = python3 kernel-port/cover-figures.py $(1) \
	--report-full $(SERIES_OUT)/report-full.csv \
	--report-copy $(SERIES_OUT)/report-copy.csv \
	--report-pristine $(SERIES_OUT)/report-pristine.csv \
	--conformance $(CONF_DIR) $(SERIES_COVERS)

.PHONY: series-figures series-figures-check series-figures-inputs series-report-csv

# One level's report (the command line's SERIES_LEVEL).
series-report-csv: $(BDIR)/tests/report
	@mkdir -p $(SERIES_OUT)
	@echo "  REPORT   level $(SIM_SERIES_LEVEL_NAME) -> $(SERIES_OUT)/report-$(SIM_SERIES_LEVEL_NAME).csv"
	$(Q)FORMAT=csv $(BDIR)/tests/report > $(SERIES_OUT)/report-$(SIM_SERIES_LEVEL_NAME).csv || \
		{ echo "sockmap-sim: the report at level $(SIM_SERIES_LEVEL_NAME) failed a check (see $(SERIES_OUT)/report-$(SIM_SERIES_LEVEL_NAME).csv)" >&2; exit 1; }

series-figures-inputs:
	$(Q)set -e; for l in full copy pristine; do \
		$(MAKE) --no-print-directory series-report-csv SERIES_LEVEL=$$l; \
	done
	$(Q)$(MAKE) --no-print-directory conformance-sim

series-figures: series-figures-inputs
	$(Q)$(call series_figures,--write)

series-figures-check: series-figures-inputs
	$(Q)$(call series_figures,--check)

TEST_MORE += series-figures-check

# make series-export SIGNOFF="Name <mail>" [BASE=<commit>]: both series
# with the sender's identity in From: and Signed-off-by:, into
# $(SERIES_OUT)/fixes and $(SERIES_OUT)/splice (kernel-port/series-export.sh).
SIGNOFF ?=
BASE ?=
.PHONY: series-export
series-export:
	$(Q)V='$(V)' kernel-port/series-export.sh '$(PATCH_IDENTITY)' '$(SIGNOFF)' '$(BASE)' \
		$(SERIES_OUT) $(KSERIES_DIRS)
