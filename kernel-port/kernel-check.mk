# SPDX-License-Identifier: GPL-2.0
#
# kernel-port/kernel-check.mk: `make kernel-check`, included by the top
# Makefile (after kernel-port/kernel-port.mk).  Proves that the series
# applies to the whole Debian $(KVER) tree with git am and builds there:
#
#   make kernel-check     git am every patch of fixes/ then splice/ onto the tree
#                         (tag base), build KCHECK_OBJS and the objects of
#                         the .c files the series touches with W=1 at base
#                         and after each patch (no new warning, no error),
#                         then checkpatch.pl --strict on every patch
#
# The work is done by kernel-port/kernel-check.sh (see its header), in
# $(KCHECK_DIR): tree/ (the whole tarball, a git repository), out/ (the
# out-of-tree build), *.log.  The tree and `make prepare` are cached by
# stamps: a cold run takes minutes, a warm one rebuilds what the patches touch.
#
# Uses from the top Makefile / kernel-port.mk: O, V, Q, KVER, KPKG,
# KPKG_VERSION, KSRC_TARBALL, PATCH_IDENTITY.
# Command line:
#   KCHECK_SERIES_DIRS directories holding `series` and the patches, applied
#                      in order (kernel-patches/fixes kernel-patches/splice;
#                      point it at copies to try a change)
#   KCHECK_OBJS        objects always built (the series' own .c files are
#                      added to them)
#   KCHECK_JOBS        kbuild -j (2)
#   KCHECK_CACHE=0     check again although a run passed on the same
#                      patches, tree and toolchain (1: say so and stop)

KCHECK_SERIES_DIRS ?= $(KSERIES_DIRS)
KCHECK_DIR := $(O)/kernel
KCHECK_OBJS ?= net/ipv4/tcp_bpf.o net/core/skmsg.o net/ipv4/af_inet.o \
	net/ipv6/af_inet6.o net/ipv4/tcp_ipv4.o net/ipv6/tcp_ipv6.o \
	net/core/sock_map.o
KCHECK_JOBS ?= 2
KCHECK_CACHE ?= 1
# What a kernel build and git am need (besides the pinned source package).
KCHECK_PKGS := flex bison bc libelf-dev libssl-dev perl git gcc make
KCHECK_DEPS_STAMP := $(KCHECK_DIR)/.deps-stamp

$(KCHECK_DEPS_STAMP): kernel-port/deps.sh kernel-port/kernel-check.mk
	$(Q)mkdir -p $(@D)
	$(Q)V='$(V)' kernel-port/deps.sh $(KPKG) '$(KPKG_VERSION)' $(KCHECK_PKGS)
	$(Q)touch $@

.PHONY: kernel-check
kernel-check: | $(KCHECK_DEPS_STAMP)
	$(Q)V='$(V)' KPKG='$(KPKG)' KPKG_VERSION='$(KPKG_VERSION)' \
		PATCH_IDENTITY='$(PATCH_IDENTITY)' KCHECK_OBJS='$(KCHECK_OBJS)' \
		KCHECK_JOBS='$(KCHECK_JOBS)' KCHECK_CACHE='$(KCHECK_CACHE)' \
		kernel-port/kernel-check.sh '$(KSRC_TARBALL)' $(KVER) \
		'$(KCHECK_SERIES_DIRS)' '$(KCHECK_DIR)'
