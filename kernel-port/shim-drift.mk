# SPDX-License-Identifier: GPL-2.0
#
# kernel-port/shim-drift.mk: make shim-drift (issue 15, item 4), included by
# the top-level Makefile after kernel-port.mk.  Functions of sim/*.c that are
# transcriptions of kernel functions carry "/* sim-origin: <kernel file>
# <function> */" directly above them and "sim-edit: <reason>" comments on
# every line that differs on purpose; kernel-port/shim-drift.py compares
# each with the kernel's function at the build's series level.  See
# kernel-port/README-drift.md.
#
# Targets:
#   shim-drift           the selftest, then the check (SHIM_DRIFT_VERBOSE=1
#                        or V=1 also prints the marked differences; every
#                        function's token diff goes to $(DRIFT_REPORT))
#   shim-drift-selftest  the checker's own test (scratch files in
#                        $(O)/shim-drift-selftest; sim/ is not touched)
#
# The kernel files the markers name are not in $(KSRC) (the allow-list is
# the compiled files): they are extracted by kernel-port/extract.sh
# with an allow-list generated from the markers ($(DRIFT_FILES)), pristine
# once into $(DRIFT_PRISTINE) (the one tarball read), then with the
# series of the level built ($(KSERIES), filtered to those files by
# extract.sh) into $(DRIFT_KSRC).

DRIFT_PY := kernel-port/shim-drift.py
DRIFT_SIM := $(sort $(wildcard sim/*.c))
DRIFT_FILES := $(O)/shim-drift-files.txt
DRIFT_PRISTINE := $(O)/drift-tarball
DRIFT_PRISTINE_STAMP := $(DRIFT_PRISTINE)/.stamp
DRIFT_KSRC := $(O)/drift-ksrc$(KVARIANT_SUFFIX)
DRIFT_KSRC_STAMP := $(DRIFT_KSRC)/.stamp
DRIFT_SCRATCH := $(O)/shim-drift-selftest
DRIFT_REPORT := $(O)/shim-drift-report$(KVARIANT_SUFFIX).txt

drift_env = V='$(V)' KPKG_VERSION='$(KPKG_VERSION)' KSRC_PREFIX='$(KSRC_PREFIX)' KPORT_SUMS=

# The allow-list: the files the markers name (rewritten only when it changes,
# so a warm run extracts nothing).  Computed only when a shim-drift target
# is asked for (make test runs it in a sub-make of its own).
ifneq ($(filter shim-drift%,$(MAKECMDGOALS)),)
drift_files_now := $(shell python3 $(DRIFT_PY) files $(DRIFT_SIM) 2>/dev/null)
ifneq ($(strip $(drift_files_now)),$(strip $(file <$(DRIFT_FILES))))
drift_files_force := shim-drift-files-force
endif
endif
# (a new shim-drift.py runs the recipe, but the list keeps its date unless
# its contents change)
$(DRIFT_FILES): $(DRIFT_PY) $(drift_files_force)
	$(Q)mkdir -p $(@D)
	$(Q)python3 $(DRIFT_PY) files $(DRIFT_SIM) >$@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

drift_params := $(strip $(KVER) $(KSRC_TARBALL) $(KSRC_PREFIX) $(KSERIES) $(EXTRA_PATCHES))
ifneq ($(drift_params),$(strip $(file <$(DRIFT_KSRC_STAMP))))
drift_force := shim-drift-force
endif

$(DRIFT_PRISTINE_STAMP): $(DRIFT_FILES) kernel-port/extract.sh $(wildcard $(KSRC_TARBALL)) | $(KDEPS_STAMP)
	@echo "  SHIM-DRIFT extracting $$(wc -l <$(DRIFT_FILES)) kernel files from $(KSRC_TARBALL) (once, ~15 s)"
	$(Q)$(drift_env) KSRC_PRISTINE= kernel-port/extract.sh '$(KSRC_TARBALL)' $(KVER) \
		$(DRIFT_FILES) $(DRIFT_PRISTINE) >/dev/null
	$(Q)echo '$(KVER) $(KSRC_TARBALL)' >$@

$(DRIFT_KSRC_STAMP): $(DRIFT_PRISTINE_STAMP) $(KSERIES_FILES) $(KSERIES) $(EXTRA_PATCHES) \
		kernel-port/extract.sh kernel-port/shim-drift.mk $(drift_force)
	@echo "  SHIM-DRIFT kernel files at series level $(SIM_SERIES_LEVEL_NAME) in $(DRIFT_KSRC)"
	$(Q)$(drift_env) KSRC_PRISTINE='$(DRIFT_PRISTINE)' kernel-port/extract.sh '$(KSRC_TARBALL)' \
		$(KVER) $(DRIFT_FILES) $(DRIFT_KSRC) $(KSERIES) $(EXTRA_PATCHES) >/dev/null
	$(Q)echo '$(drift_params)' >$@

.PHONY: shim-drift shim-drift-selftest shim-drift-force shim-drift-files-force
shim-drift-force:
shim-drift-files-force:

shim-drift-selftest: $(DRIFT_KSRC_STAMP)
	$(Q)python3 $(DRIFT_PY) selftest $(DRIFT_KSRC) $(DRIFT_SCRATCH)

shim-drift: shim-drift-selftest
	$(Q)SHIM_DRIFT_REPORT='$(DRIFT_REPORT)' python3 $(DRIFT_PY) check $(DRIFT_KSRC) $(DRIFT_SIM)

TEST_MORE += shim-drift
