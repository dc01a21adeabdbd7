# SPDX-License-Identifier: GPL-2.0
#
# conformance/conformance.mk: the same scenarios (conformance/scenarios.c)
# on seven columns (the sim at three levels, four kernels), compared line by line. Included by the top Makefile.
#
#   make conformance        all seven columns and the table; fails on any
#                           unexplained disagreement between the sim and the
#                           kernel it models
#   make conformance-sim    the sim at levels pristine, fixes and full
#   make conformance-host   the syscall runner on this machine's kernel
#   make conformance-vm     the syscall runner in qemu on 6.12.117, unpatched,
#                           with the fixes and patched (vm/: builds the
#                           kernels once)
#
# Outputs under $(O)/conformance/: sim-unpatched.out, sim-fixes.out, sim-patched.out,
# host.out, vm-unpatched.out, vm-fixes.out, vm-patched.out, table.txt.
# Variables: CONF_SCENARIOS='name ...' (default: all), CONF_HOST=0 (skip the
# host column, e.g. on a kernel you do not want BPF programs loaded into).

CONF_DIR := $(O)/conformance
CONF_RUNNER := $(CONF_DIR)/runner-syscall
CONF_COMMON := conformance/runner.c conformance/scenarios.c
CONF_HDRS := conformance/runner.h conformance/scenarios.h
CONF_SCENARIOS ?=
CONF_HOST ?= 1
CONF_CFLAGS := -O2 -Wall -Wextra -Wno-missing-field-initializers

# The kernel backend: static, so it runs as /runner in the VM's initramfs.
$(CONF_RUNNER): conformance/runner-syscall.c $(CONF_COMMON) $(CONF_HDRS) | $(PKGS_STAMP)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  CONF-LD  $@")
	$(Q)gcc $(CONF_CFLAGS) -static -o $@ conformance/runner-syscall.c $(CONF_COMMON)

# The sim backend, one per series level (its BDIR).
$(BDIR)/conformance/runner-sim: conformance/runner-sim.c $(CONF_COMMON) $(CONF_HDRS) \
		tests/sim_bypass.h $(SIM_OBJS) $(KPORT_OBJS)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  CONF-LD  $@")
	$(Q)$(CC) $(filter-out -MMD -MP,$(SIM_CFLAGS)) $(SIM_CPPFLAGS) \
		-Wno-missing-field-initializers conformance/runner-sim.c $(CONF_COMMON) \
		$(SIM_OBJS) $(KPORT_OBJS) $(LDFLAGS_$(VARIANT)) $(LDLIBS) -o $@

.PHONY: conformance conformance-sim conformance-sim-one conformance-host conformance-vm

# One sim column: CONF_OUT=file, with the series level of the command line.
conformance-sim-one: $(BDIR)/conformance/runner-sim
	@mkdir -p $(CONF_DIR)
	@echo "  CONF     sim (level $(SIM_SERIES_LEVEL_NAME), $(words $(KSERIES)) patches) -> $(CONF_OUT)"
	$(Q)ASAN_OPTIONS=detect_leaks=1 $(BDIR)/conformance/runner-sim $(CONF_SCENARIOS) > $(CONF_OUT) || \
		{ echo "sockmap-sim: conformance: the sim runner failed (see $(CONF_OUT))" >&2; exit 1; }

conformance-sim:
	$(Q)$(MAKE) --no-print-directory conformance-sim-one SERIES_LEVEL=pristine \
		CONF_OUT=$(CONF_DIR)/sim-unpatched.out
	$(Q)$(MAKE) --no-print-directory conformance-sim-one SERIES_LEVEL=fixes \
		CONF_OUT=$(CONF_DIR)/sim-fixes.out
	$(Q)$(MAKE) --no-print-directory conformance-sim-one \
		CONF_OUT=$(CONF_DIR)/sim-patched.out

# The host column: skipped with a one-line reason when this kernel does not
# let us load BPF programs (the runner says why).
conformance-host: $(CONF_RUNNER)
	@echo "  CONF     host ($$(uname -r)) -> $(CONF_DIR)/host.out"
	$(Q)if [ '$(CONF_HOST)' != 1 ]; then \
		echo "# syscall: cannot run: CONF_HOST=$(CONF_HOST)" > $(CONF_DIR)/host.out; \
	else \
		SOCKMAP_SIM_CONF_HOST=1 timeout 600 $(CONF_RUNNER) $(CONF_SCENARIOS) > $(CONF_DIR)/host.out; rc=$$?; \
		if [ $$rc = 2 ]; then echo "sockmap-sim: conformance: host column skipped: $$(sed -n 's/^# syscall: cannot run: //p' $(CONF_DIR)/host.out)"; \
		elif [ $$rc != 0 ]; then echo "sockmap-sim: conformance: the host run failed (exit $$rc, see $(CONF_DIR)/host.out)" >&2; exit 1; fi; \
	fi

# A scenario that breaks 6.12.117 below a series level without a report of
# its own (.breaks_below; the runner's --alone list) is left out of the
# main boot and runs in a boot of its own on each kernel, its lines
# appended to the kernel's column; so does one that CONF_SCENARIOS names.
conformance-vm: $(CONF_RUNNER)
	$(Q)set -e; all_alone=$$($(CONF_RUNNER) --alone); main= alone=$$all_alone; \
	if [ -n '$(CONF_SCENARIOS)' ]; then alone=; \
		for sc in $(CONF_SCENARIOS); do \
			case " $$(echo $$all_alone) " in *" $$sc "*) alone="$$alone $$sc";; \
			*) main="$$main $$sc";; esac; \
		done; \
	fi; \
	for k in unpatched fixes patched; do \
		echo "  CONF     vm 6.12.117 $$k -> $(CONF_DIR)/vm-$$k.out"; \
		if [ -n '$(CONF_SCENARIOS)' ] && [ -z "$$main" ]; then \
			echo "# backend syscall (every scenario named runs alone)" > $(CONF_DIR)/vm-$$k.out; \
		else \
			$(MAKE) --no-print-directory vm-boot VM_KERNEL=$$k VM_RUNNER=$(CONF_RUNNER) \
				VM_OUT=$(CONF_DIR)/vm-$$k.out VM_ARGS="$$main"; \
		fi; \
		for sc in $$alone; do \
			echo "  CONF     vm 6.12.117 $$k: $$sc alone -> $(CONF_DIR)/vm-$$k.out"; \
			$(MAKE) --no-print-directory vm-boot VM_KERNEL=$$k VM_RUNNER=$(CONF_RUNNER) \
				VM_OUT=$(CONF_DIR)/vm-$$k.$$sc.out VM_ARGS=$$sc; \
			cat $(CONF_DIR)/vm-$$k.$$sc.out >> $(CONF_DIR)/vm-$$k.out; \
		done; \
	done

conformance: | $(PKGS_STAMP)
	$(Q)$(MAKE) --no-print-directory conformance-sim
	$(Q)$(MAKE) --no-print-directory conformance-host
	$(Q)$(MAKE) --no-print-directory conformance-vm
	$(Q)python3 conformance/compare.py --explained conformance/explained.txt \
		--out $(CONF_DIR)/table.txt $(CONF_DIR)

TEST_MORE += conformance
