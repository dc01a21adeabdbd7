# SPDX-License-Identifier: GPL-2.0
#
# vm/vm.mk: the real Linux $(KVER) under qemu, included by the top Makefile.
# Three minimal kernels (vm/kernel.config) from the pinned Debian tarball:
# unpatched (pristine), fixes (kernel-patches/fixes, git am) and patched
# (kernel-patches/fixes then splice).  See vm/README.md.
#
#   make vm-kernels   build the three (cached: a warm run only checks stamps)
#   make vm-boot VM_KERNEL=unpatched|fixes|patched VM_RUNNER=<static binary>
#                VM_OUT=<file> [VM_ARGS='a b'] [VM_TIMEOUT=120]
#                     boot one with VM_RUNNER as /runner; its output in
#                     VM_OUT, the console log in VM_OUT.log
#   make vm-smoke     boot each with vm/smoke.c (sockmap, programs, TCP,
#                     send/recv, splice: EAGAIN unpatched and fixes, data patched)
#   make vm-selftests the tree's own tools/testing/selftests/bpf test_sockmap
#                     (built from the patched tree, static) booted on each,
#                     a table of its subtests checked against
#                     vm/selftests-expected.txt (vm/selftests.sh)
#   make vm-test      boot each with the conformance syscall runner
#                     ($(CONF_RUNNER), conformance/conformance.mk):
#                     $(VM_DIR)/vm-unpatched.out, $(VM_DIR)/vm-patched.out
#
# Uses from the top Makefile / kernel-port: O, V, Q, KVER, KPKG,
# KPKG_VERSION, KSRC_TARBALL, PATCH_IDENTITY, KCHECK_DIR (the whole tree
# kernel-check extracts, shared), KCHECK_SERIES_DIRS.
# Command line: VM_SERIES_DIRS (kernel-patches/fixes kernel-patches/splice:
# the series the patched kernel gets, in order), VM_JOBS (kbuild -j, 2), VM_TEST_ARGS (arguments of the
# conformance runner in vm-test), QEMU, VM_MEM, VM_SMP (vm/boot.sh).

VM_DIR := $(O)/vm

# make test boots both kernels with the smoke runner (cold: both kernel
# builds; warm: two boots of a few seconds).
TEST_MORE += vm-smoke
VM_SERIES_DIRS ?= $(KCHECK_SERIES_DIRS)
VM_JOBS ?= 2
VM_TIMEOUT ?= 120
VM_ARGS ?=
VM_TEST_ARGS ?=
VM_KERNELS := unpatched fixes patched
# The series each kernel gets (none for unpatched).
VM_SERIES_DIRS_fixes = $(firstword $(VM_SERIES_DIRS))
VM_SERIES_DIRS_patched = $(VM_SERIES_DIRS)
VM_FRAGMENT := vm/kernel.config
VM_INIT := $(VM_DIR)/init
VM_SMOKE := $(VM_DIR)/smoke
VM_GEN_CPIO := $(VM_DIR)/gen_init_cpio
# What the kernel builds, the static programs and qemu need.
VM_PKGS := qemu-system-x86 cpio flex bison bc libelf-dev libssl-dev gcc make \
	git libc6-dev perl xz-utils binutils clang zlib1g-dev
VM_DEPS_STAMP := $(VM_DIR)/.deps-stamp
VM_STATIC_CFLAGS := -O2 -Wall -Wextra -Werror -static

$(VM_DEPS_STAMP): kernel-port/deps.sh vm/vm.mk
	$(Q)mkdir -p $(@D)
	$(Q)V='$(V)' kernel-port/deps.sh $(KPKG) '$(KPKG_VERSION)' $(VM_PKGS)
	$(Q)touch $@

vm_kernel = V='$(V)' KPKG='$(KPKG)' KPKG_VERSION='$(KPKG_VERSION)' \
	PATCH_IDENTITY='$(PATCH_IDENTITY)' VM_JOBS='$(VM_JOBS)' \
	vm/vm-kernel.sh $(1) '$(KSRC_TARBALL)' $(KVER) '$(VM_SERIES_DIRS_$(1))' \
	'$(KCHECK_DIR)' '$(VM_DIR)' $(VM_FRAGMENT)

.PHONY: vm-kernels $(addprefix vm-kernel-,$(VM_KERNELS)) vm-boot vm-smoke vm-test vm-selftests

# One after the other, never two kernel builds at once (also under make -j).
vm-kernels: | $(VM_DEPS_STAMP)
	$(Q)$(call vm_kernel,unpatched)
	$(Q)$(call vm_kernel,fixes)
	$(Q)$(call vm_kernel,patched)

$(addprefix vm-kernel-,$(VM_KERNELS)): vm-kernel-%: | $(VM_DEPS_STAMP)
	$(Q)$(call vm_kernel,$*)

$(VM_DIR)/%: vm/%.c vm/vm.mk | $(VM_DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  VM-CC     $<")
	$(Q)$(CC_VM) $(VM_STATIC_CFLAGS) $< -o $@
CC_VM ?= gcc

# The kernel tree's own initramfs generator, built with the host cc.
$(VM_GEN_CPIO): | vm-kernel-unpatched
	@echo "  VM-HOSTCC $(@F)"
	$(Q)gcc -O2 -o $@ $(VM_DIR)/src/usr/gen_init_cpio.c

# vm_boot KERNEL,RUNNER,OUT,TIMEOUT,ARGS: initramfs with RUNNER, then boot.
# Double quotes: KERNEL and OUT may name the shell loop's variable.
vm_boot = V='$(V)' vm/mkinitramfs.sh $(VM_GEN_CPIO) $(VM_INIT) "$(2)" "$(3).cpio" && \
	V='$(V)' vm/boot.sh "$(VM_DIR)/$(1).bzImage" "$(3).cpio" "$(3)" $(4) $(5)

vm-boot: vm-kernel-$(VM_KERNEL) $(VM_INIT) $(VM_GEN_CPIO)
	$(Q)test -n '$(VM_RUNNER)' -a -n '$(VM_OUT)' || \
		{ echo "sockmap-sim: vm-boot: set VM_RUNNER=<static binary> and VM_OUT=<file>" >&2; exit 1; }
	$(Q)$(call vm_boot,$(VM_KERNEL),$(VM_RUNNER),$(VM_OUT),$(VM_TIMEOUT),$(VM_ARGS))

ifneq ($(filter vm-boot,$(MAKECMDGOALS)),)
ifeq ($(filter $(VM_KERNELS),$(VM_KERNEL)),)
$(error sockmap-sim: vm-boot: VM_KERNEL must be one of $(VM_KERNELS), not '$(VM_KERNEL)')
endif
endif

# The unpatched kernel's splice() after a verdict returns EAGAIN (the bug),
# the patched one's moves the bytes.
VM_SMOKE_ARGS_unpatched := splice=eagain
VM_SMOKE_ARGS_fixes := splice=eagain
VM_SMOKE_ARGS_patched := splice=data

# Both kernels boot even if the first fails; the target fails at the end.
vm-smoke: vm-kernels $(VM_INIT) $(VM_SMOKE) $(VM_GEN_CPIO)
	$(Q)bad=; for k in $(VM_KERNELS); do \
		case $$k in unpatched | fixes) a='$(VM_SMOKE_ARGS_unpatched)';; *) a='$(VM_SMOKE_ARGS_patched)';; esac; \
		$(call vm_boot,$$k,$(VM_SMOKE),$(VM_DIR)/smoke-$$k.out,$(VM_TIMEOUT),$$a) || bad="$$bad $$k"; \
		sed -e 's/^/    /' $(VM_DIR)/smoke-$$k.out 2>/dev/null || true; \
	done; \
	test -z "$$bad" || { echo "sockmap-sim: vm-smoke: failed on:$$bad" >&2; exit 1; }

# conformance.mk is included after this file: $(CONF_RUNNER) is expanded in
# the recipe, where it is known.
vm-test: vm-kernels $(VM_INIT) $(VM_GEN_CPIO)
	$(Q)test -n '$(CONF_RUNNER)' || \
		{ echo "sockmap-sim: vm-test: CONF_RUNNER is not defined (conformance/conformance.mk)" >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory $(CONF_RUNNER)
	$(Q)bad=; for k in $(VM_KERNELS); do \
		$(call vm_boot,$$k,$(CONF_RUNNER),$(VM_DIR)/vm-$$k.out,$(VM_TIMEOUT),$(VM_TEST_ARGS)) || bad="$$bad $$k"; \
		echo "--- $(VM_DIR)/vm-$$k.out"; cat $(VM_DIR)/vm-$$k.out 2>/dev/null || true; \
	done; \
	test -z "$$bad" || { echo "sockmap-sim: vm-test: failed on:$$bad" >&2; exit 1; }

# test_sockmap on the three kernels (about 20 s of qemu each, once built).
VM_SELFTESTS_EXPECTED := vm/selftests-expected.txt
VM_SELFTESTS_TIMEOUT ?= 300
TEST_MORE += vm-selftests
vm-selftests: vm-kernels $(VM_INIT) $(VM_GEN_CPIO)
	$(Q)V='$(V)' vm/selftests.sh $(VM_DIR) $(VM_GEN_CPIO) $(VM_INIT) $(VM_SELFTESTS_TIMEOUT) \
		$(VM_SELFTESTS_EXPECTED) $(VM_KERNELS)
