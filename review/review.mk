# SPDX-License-Identifier: GPL-2.0
#
# review/review.mk: `make review`, included by the top Makefile.
#
#   make review PATCH="a.patch b.patch" | MBOX=series.mbx
#        [REVIEW_BASE=pristine|fixes|copy|full] [REVIEW_FUZZ_SECONDS=60]
#        [REVIEW_NAME=name] [REVIEW_FUZZ=2] [REVIEW_EXPECT=level]
#        [REVIEW_MUTANTS=30] [REVIEW_MUTANT_TIMEOUT=seconds] [REVIEW_VM=1]
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
		REVIEW_VM='$(REVIEW_VM)' \
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

# REVIEW_VM=1 (review.sh): the VM columns of a review. Two kernels from
# vm/vm-kernel.sh: the reviewed level's (one of the three the project
# builds when the level is pristine, fixes or full; otherwise review-base,
# that many patches of the series) and review (the same + the mailed
# REVIEW_VM_PATCHES, with REVIEW_FUZZ lines of fuzz), each started from the
# nearest build, one after the other; each booted with the conformance
# syscall runner. Writes REVIEW_VM_OUT/vm-base.out and vm.out (their
# consoles in .log) and one status line each in vm-base.status and
# vm.status: "ok", or what failed. Fails only when it cannot start.
review_vm_n := $(words $(KSERIES))
review_vm_base := $(firstword $(if $(filter 0,$(review_vm_n)),unpatched) \
	$(if $(filter $(KSERIES_N_fixes),$(review_vm_n)),fixes) \
	$(if $(filter $(KSERIES_N_full),$(review_vm_n)),patched) review-base)
VM_SERIES_DIRS_review-base = $(VM_SERIES_DIRS)
VM_SERIES_DIRS_review = $(VM_SERIES_DIRS)

.PHONY: review-vm
review-vm: $(CONF_RUNNER) $(VM_INIT) $(VM_GEN_CPIO) | $(VM_DEPS_STAMP)
	$(Q)test -n '$(REVIEW_VM_OUT)' -a -n '$(REVIEW_VM_PATCHES)' || \
		{ echo "sockmap-sim: review-vm: set REVIEW_VM_OUT=<dir> and REVIEW_VM_PATCHES='a.patch ...'" >&2; exit 1; }
	$(Q)mkdir -p '$(REVIEW_VM_OUT)'
	$(Q)o='$(REVIEW_VM_OUT)'; \
	echo "  REVIEW-VM base: the $(review_vm_base) kernel ($(review_vm_n) patches of the series)"; \
	if VM_SERIES_UPTO=$(if $(filter review-base,$(review_vm_base)),$(review_vm_n)) \
			$(call vm_kernel,$(review_vm_base)) >$$o/vm-base.build.log 2>&1; then \
		if { $(call vm_boot,$(review_vm_base),$(CONF_RUNNER),$$o/vm-base.out,$(VM_TIMEOUT),); } \
				>$$o/vm-base.boot.log 2>&1; then echo ok >$$o/vm-base.status; \
		else echo "boot failed: $$(grep -m1 'sockmap-sim' $$o/vm-base.boot.log)" >$$o/vm-base.status; fi; \
	else echo "build failed: $$(grep -m1 'sockmap-sim' $$o/vm-base.build.log)" >$$o/vm-base.status; fi; \
	echo "  REVIEW-VM base: $$(cat $$o/vm-base.status)"; \
	if VM_SERIES_UPTO=$(review_vm_n) VM_EXTRA_PATCHES='$(REVIEW_VM_PATCHES)' VM_PATCH_FUZZ='$(REVIEW_FUZZ)' \
			$(call vm_kernel,review) >$$o/vm.build.log 2>&1; then \
		if { $(call vm_boot,review,$(CONF_RUNNER),$$o/vm.out,$(VM_TIMEOUT),); } \
				>$$o/vm.boot.log 2>&1; then echo ok >$$o/vm.status; \
		else echo "boot failed: $$(grep -m1 'sockmap-sim' $$o/vm.boot.log)" >$$o/vm.status; fi; \
	else echo "build failed: $$(grep -m1 'sockmap-sim' $$o/vm.build.log)" >$$o/vm.status; fi; \
	echo "  REVIEW-VM with the patches: $$(cat $$o/vm.status)"

# The report's HTML page in a real browser: Debian's chromium, headless,
# one full-width screenshot per page height (REVIEW_SHOT_HEIGHT, 3000 px)
# to $(O)/review/NAME/report.png. Not part of make test (chromium is not
# one of its packages): apt-get install chromium first.
REVIEW_SHOT_HEIGHT ?= 3000
.PHONY: review-screenshot
review-screenshot:
	$(Q)test -n '$(REVIEW_NAME)' || { echo "sockmap-sim: review-screenshot: set REVIEW_NAME=<a review under $(O)/review>" >&2; exit 1; }
	$(Q)test -f '$(O)/review/$(REVIEW_NAME)/report.html' || \
		{ echo "sockmap-sim: review-screenshot: $(O)/review/$(REVIEW_NAME)/report.html not found (make review first)" >&2; exit 1; }
	$(Q)case '$(REVIEW_SHOT_HEIGHT)' in ''|*[!0-9]*) echo "sockmap-sim: review-screenshot: REVIEW_SHOT_HEIGHT=$(REVIEW_SHOT_HEIGHT) is not a number of pixels" >&2; exit 1;; esac
	$(Q)command -v chromium >/dev/null || \
		{ echo "sockmap-sim: review-screenshot: chromium not found (apt-get install chromium)" >&2; exit 1; }
	$(Q)timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=1280,$(REVIEW_SHOT_HEIGHT) \
		--screenshot='$(abspath $(O))/review/$(REVIEW_NAME)/report.png' \
		'file://$(abspath $(O))/review/$(REVIEW_NAME)/report.html' >'$(O)/review/$(REVIEW_NAME)/screenshot.log' 2>&1 || \
		{ echo "sockmap-sim: review-screenshot: chromium failed (see $(O)/review/$(REVIEW_NAME)/screenshot.log)" >&2; exit 1; }
	@echo "  SHOT     $(O)/review/$(REVIEW_NAME)/report.png"
