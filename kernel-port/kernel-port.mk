# SPDX-License-Identifier: GPL-2.0
#
# kernel-port/kernel-port.mk: the kernel source pipeline, included by the
# top-level Makefile.  The real kernel files are never committed: they are
# extracted from the Debian linux-source tarball (allow-list:
# kernel-port/files.txt), patched with kernel-patches/{fixes,splice}, and checked.
#
# The top Makefile defines, before including this file:
#   O               build directory (build)
#   KVER            kernel version the tarball must contain (6.12.117)
#   KPKG_VERSION    Debian version of the source package (6.12.117-1~deb12u1)
#   KSRC_TARBALL    the tarball (/usr/src/linux-source-6.12.tar.xz)
#   Q, V            '@' unless V=1; V=1 also traces the scripts (set -x)
#   DEPS_PKGS       packages `make deps` installs besides $(KPKG)
#   KPORT_DEPFILES  gcc -MMD .d files of the port objects (verify-kernel-port)
# Command line:
#   SERIES_LEVEL    pristine, fixes, copy or full (the default): the patches
#                   of that level only, into a tree of its own
#                   ($(O)/ksrc-<level>; full is $(O)/ksrc)
#   KSERIES_UPTO    apply only the first N patches of fixes/ then splice/
#                   (0: none), into a separate tree ($(O)/ksrc-<level> if N
#                   is a level's count, else $(O)/ksrc-upto-N)
#   EXTRA_PATCHES   patches applied after the series, into a separate tree;
#                   one that is no patch, or touches a file the sim does
#                   not compile, stops the build with one line naming it
#   ALLOW_UNTESTED  1: build anyway; the untested files are listed in
#                   $(KSRC)/.untested and again after the test totals
#   USER_PATCH_FUZZ lines of fuzz allowed to EXTRA_PATCHES (default 0, the
#                   series always 0); offsets and fuzz used are printed and
#                   kept in $(KSRC)/.offsets
#   KPATCHES_DIR    where the series lives (kernel-patches)
#   KSRC_PREFIX     directory of the tree inside the tarball
#                   (default, in extract.sh: linux-source-MAJOR.MINOR)
#
# Defines:
#   KPKG            Debian source package (linux-source-6.12)
#   KPORT_FILES     the allow-list
#   KPORT_SUMS      pristine checksums of the allow-listed files, if present
#   KSERIES_DIRS    $(KPATCHES_DIR)/fixes $(KPATCHES_DIR)/splice, in order
#   KSERIES_FILES   their series files
#   KSERIES_ALL     every patch they name, in order (fixes/ then splice/)
#   KSERIES         the patches of the level built (all of them by default)
#   SERIES_LEVELS   pristine fixes copy full; KSERIES_N_<level>: its count
#   SIM_SERIES_LEVEL, SIM_SERIES_LEVEL_NAME  the level of KSERIES (index
#                   in SERIES_LEVELS, name): what the tests expect
#   KSRC            the patched tree: $(O)/ksrc[-<level>], or ...-extra-HASH
#                   with EXTRA_PATCHES (HASH: 12 hex digits of sha256 over
#                   their contents)
#   KVARIANT_SUFFIX "", -<level>, -upto-N, then -extra-HASH: object directories
#   KSRC_STAMP      $(KSRC)/.stamp: make every port object depend on it
#   KDEPS_STAMP     $(O)/.deps-stamp: the kernel source package was checked
# Targets:
#   ksrc                extract + patch (cached by $(KSRC_STAMP))
#   deps                install/check every package (deps.sh, always runs)
#   verify-kernel-port  prove $(KSRC) == fresh tarball files + series, and
#                       that the port objects were compiled from it, and
#                       that no sim/ file defines a function they define
#   kport-sums          regenerate $(KPORT_SUMS) from the tarball
#                       (maintainers, after a KVER/KPKG_VERSION bump)

KPKG ?= linux-source-$(word 1,$(subst ., ,$(KVER))).$(word 2,$(subst ., ,$(KVER)))
KPORT_FILES := kernel-port/files.txt
KPORT_SUMS := $(wildcard kernel-port/SHA256SUMS)
KSRC_PREFIX ?=

# The two series, each quilt style (kernel-patches/<series>/series: one
# file name per line; '#' comments and blank lines are ignored, and so is
# anything after the name), applied in this order: fixes/ (for the bpf
# tree and stable) on the pristine files, splice/ (bpf-next) on top.
kport_hash := \#
KPATCHES_DIR ?= kernel-patches
KSERIES_DIRS := $(KPATCHES_DIR)/fixes $(KPATCHES_DIR)/splice
KSERIES_FILES := $(addsuffix /series,$(KSERIES_DIRS))
$(foreach f,$(KSERIES_FILES),$(if $(wildcard $(f)),,$(error sockmap-sim: $(f) not found)))
kport_series = $(addprefix $(1)/,$(shell \
	sed -e 's/[$(kport_hash)].*//' $(1)/series | awk 'NF { print $$1 }'))
KSERIES_FIXES := $(call kport_series,$(KPATCHES_DIR)/fixes)
KSERIES_SPLICE := $(call kport_series,$(KPATCHES_DIR)/splice)
KSERIES_ALL := $(KSERIES_FIXES) $(KSERIES_SPLICE)

# The series levels, by name (tests, make run, coverage, mutants, the vm
# and conformance use these names, never patch numbers):
#   pristine  the 6.12.117 files as the tarball has them
#   fixes     + kernel-patches/fixes
#   copy      + the splice/ patches above its "# level: copy" line (the
#             copying splice_read)
#   full      + all of kernel-patches/splice (zero-copy splice)
SERIES_LEVELS := pristine fixes copy full
kport_copy_n := $(shell awk '/^[$(kport_hash)][ \t]*level:[ \t]*copy/ { print n + 0; f = 1; exit } \
	{ sub(/[$(kport_hash)].*/, "") } NF { n++ } END { if (!f) print "missing" }' \
	$(KPATCHES_DIR)/splice/series)
ifeq ($(kport_copy_n),missing)
$(error sockmap-sim: $(KPATCHES_DIR)/splice/series has no "# level: copy" line)
endif
KSERIES_N_pristine := 0
KSERIES_N_fixes := $(words $(KSERIES_FIXES))
KSERIES_N_copy := $(words $(KSERIES_FIXES) $(wordlist 1,$(kport_copy_n),$(KSERIES_SPLICE)))
KSERIES_N_full := $(words $(KSERIES_ALL))

# SERIES_LEVEL=<name> builds against that level, KSERIES_UPTO=N against the
# first N patches of fixes/ then splice/ (0: the pristine files), each in a
# tree of its own ($(O)/ksrc-<level>, $(O)/ksrc-upto-N); neither: full.
SERIES_LEVEL ?=
KSERIES_UPTO ?=
ifneq ($(strip $(SERIES_LEVEL)),)
ifneq ($(strip $(KSERIES_UPTO)),)
$(error sockmap-sim: give SERIES_LEVEL or KSERIES_UPTO, not both)
endif
ifeq ($(filter $(SERIES_LEVEL),$(SERIES_LEVELS)),)
$(error sockmap-sim: SERIES_LEVEL=$(SERIES_LEVEL) is not a level: $(SERIES_LEVELS))
endif
kport_n := $(KSERIES_N_$(SERIES_LEVEL))
else ifneq ($(strip $(KSERIES_UPTO)),)
ifneq ($(shell test '$(KSERIES_UPTO)' -ge 0 -a '$(KSERIES_UPTO)' -le $(KSERIES_N_full) 2>/dev/null && echo ok),ok)
$(error sockmap-sim: KSERIES_UPTO=$(KSERIES_UPTO) is not a count from 0 to $(KSERIES_N_full))
endif
kport_n := $(KSERIES_UPTO)
else
kport_n := $(KSERIES_N_full)
endif
KSERIES := $(wordlist 1,$(kport_n),$(KSERIES_ALL))
# The level the kernel files are at: the highest whose patches are all
# applied (a count between two levels builds, and tests expect the lower).
# Its index in SERIES_LEVELS less one is SIM_SERIES_LEVEL for the tests
# (sim/include/sim/series.h).
kport_reached := $(foreach l,$(SERIES_LEVELS),$(if $(shell \
	test $(KSERIES_N_$(l)) -le $(kport_n) && echo y),$(l)))
SIM_SERIES_LEVEL_NAME := $(lastword $(kport_reached))
SIM_SERIES_LEVEL := $(words $(wordlist 2,9,$(kport_reached)))
kport_exact := $(firstword $(foreach l,$(SERIES_LEVELS),$(if $(filter $(kport_n),$(KSERIES_N_$(l))),$(l))))
ifeq ($(kport_exact),full)
kport_upto :=
else ifneq ($(kport_exact),)
kport_upto := -$(kport_exact)
else
kport_upto := -upto-$(kport_n)
ifeq ($(MAKELEVEL)$(strip $(TEST_LEVEL)),0)
$(info sockmap-sim: KSERIES_UPTO=$(kport_n) lies between two levels: the tests expect level $(SIM_SERIES_LEVEL_NAME) ($(KSERIES_N_$(SIM_SERIES_LEVEL_NAME)) patches))
endif
endif

# TEST_LEVEL=<name>: the tests expect that level's behaviour whatever the
# files are at, e.g. make review of the patch that completes a level, on
# the series before it (REVIEW_EXPECT). Its own tree and objects.
TEST_LEVEL ?=
ifneq ($(strip $(TEST_LEVEL)),)
ifeq ($(filter $(TEST_LEVEL),$(SERIES_LEVELS)),)
$(error sockmap-sim: TEST_LEVEL=$(TEST_LEVEL) is not a level: $(SERIES_LEVELS))
endif
kport_expect := $(firstword $(foreach i,1 2 3 4 5 6 7 8 9,$(if $(filter $(TEST_LEVEL),$(word $(i),$(SERIES_LEVELS))),$(i))))
SIM_SERIES_LEVEL_NAME := $(TEST_LEVEL)
SIM_SERIES_LEVEL := $(shell echo $$(($(kport_expect) - 1)))
kport_upto := $(kport_upto)-expect-$(TEST_LEVEL)
endif

# EXTRA_PATCHES (e.g. a patch under review) get their own tree, so the
# series build and its objects stay as they are.
EXTRA_PATCHES ?=
ifneq ($(strip $(EXTRA_PATCHES)),)
$(foreach p,$(EXTRA_PATCHES),$(if $(wildcard $(p)),,\
	$(error sockmap-sim: EXTRA_PATCHES file $(p) not found)))
KEXTRA_HASH := $(shell cat $(EXTRA_PATCHES) | sha256sum | cut -c1-12)
export KVARIANT_SUFFIX := $(kport_upto)-extra-$(KEXTRA_HASH)
else
export KVARIANT_SUFFIX := $(kport_upto)
endif
KSRC := $(O)/ksrc$(KVARIANT_SUFFIX)
KSRC_STAMP := $(KSRC)/.stamp
KDEPS_STAMP := $(O)/.deps-stamp

# The pristine allow-listed files, extracted from the tarball once per
# build directory; every patched tree (and verify-kernel-port's fresh one)
# is made from copies of it, so a warm build never reads the tarball.
KSRC_PRISTINE := $(O)/ksrc-tarball
KSRC_PRISTINE_STAMP := $(KSRC_PRISTINE)/.stamp

# Environment of the scripts.
kport_env = V='$(V)' KPKG_VERSION='$(KPKG_VERSION)' KSRC_PREFIX='$(KSRC_PREFIX)' \
	KPORT_SUMS='$(KPORT_SUMS)' KSRC_PRISTINE='$(KSRC_PRISTINE)' \
	USER_PATCHES='$(EXTRA_PATCHES)' ALLOW_UNTESTED='$(ALLOW_UNTESTED)' \
	USER_PATCH_FUZZ='$(USER_PATCH_FUZZ)'

# The stamp records the settings that have no file to depend on; if they
# changed since the last extraction, extract again.
ksrc_params := $(strip $(KVER) $(KSRC_TARBALL) $(KSRC_PREFIX) $(KPORT_SUMS) \
	$(KSERIES_FILES) $(KSERIES) $(EXTRA_PATCHES) $(if $(EXTRA_PATCHES),$(ALLOW_UNTESTED) $(USER_PATCH_FUZZ)))
ifneq ($(ksrc_params),$(strip $(file <$(KSRC_STAMP))))
kport_force := kport-force
endif

# A series entry whose file is missing: say so (an existing file with no
# prerequisites is simply up to date, so this recipe only runs if missing).
$(KSERIES):
	@echo "sockmap-sim: $(dir $@)series names $(notdir $@), which does not exist" >&2; exit 1

# Checking the kernel source package (dpkg-query only: fast) once per build
# directory is enough: the tarball it provides is checked at every
# extraction anyway (version, and $(KPORT_SUMS)).
$(KDEPS_STAMP): kernel-port/deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)V='$(V)' kernel-port/deps.sh $(KPKG) '$(KPKG_VERSION)'
	$(Q)touch $@

# Extract + patch.  A warm build does not run this: the tarball is only a
# prerequisite through its (stable) mtime, and only if it exists, so that a
# missing tarball is reported by extract.sh (after $(KDEPS_STAMP) had a
# chance to install it) rather than as "No rule to make target".
$(KSRC_PRISTINE_STAMP): $(KPORT_FILES) $(KPORT_SUMS) kernel-port/extract.sh \
		$(wildcard $(KSRC_TARBALL)) | $(KDEPS_STAMP)
	$(Q)$(kport_env) KSRC_PRISTINE= kernel-port/extract.sh '$(KSRC_TARBALL)' $(KVER) \
		$(KPORT_FILES) $(KSRC_PRISTINE)
	$(Q)echo '$(KVER) $(KSRC_TARBALL)' >$@

$(KSRC_STAMP): $(KPORT_FILES) $(KPORT_SUMS) $(KSERIES_FILES) $(KSERIES) $(EXTRA_PATCHES) \
		kernel-port/extract.sh kernel-port/kernel-port.mk \
		$(KSRC_PRISTINE_STAMP) $(kport_force) | $(KDEPS_STAMP)
	$(Q)$(kport_env) kernel-port/extract.sh '$(KSRC_TARBALL)' $(KVER) $(KPORT_FILES) \
		$(KSRC) $(KSERIES) $(EXTRA_PATCHES)
	$(Q)echo '$(ksrc_params)' >$@

.PHONY: ksrc deps verify-kernel-port kport-sums kport-force
kport-force:

ksrc: $(KSRC_STAMP)

deps:
	$(Q)V='$(V)' kernel-port/deps.sh $(KPKG) '$(KPKG_VERSION)' $(DEPS_PKGS)
	$(Q)mkdir -p $(O) && touch $(KDEPS_STAMP)

# The top Makefile adds the port objects as prerequisites, so that
# $(KPORT_DEPFILES) exist: verify-kernel-port: $(KPORT_OBJS)
# And no function of the compiled files is defined again under sim/
# (kernel-port/no-shadow.py).
verify-kernel-port: $(KSRC_STAMP) $(KSRC_PRISTINE_STAMP)
	$(Q)$(kport_env) DEPFILES='$(KPORT_DEPFILES)' kernel-port/verify.sh '$(KSRC_TARBALL)' \
		$(KVER) $(KPORT_FILES) $(KSRC) $(KSERIES) $(EXTRA_PATCHES)
	$(Q)python3 kernel-port/no-shadow.py --selftest $(KSRC) $(KPORT_FILES) $(sort $(wildcard sim/*.c))

# Pristine checksums of the allow-listed files taken from the tarball (files
# created by the series have none).  The extraction itself is thrown away.
kport-sums: | $(KDEPS_STAMP)
	$(Q)$(kport_env) KPORT_SUMS= KSRC_PRISTINE= KPORT_SUMS_OUT=kernel-port/SHA256SUMS \
		kernel-port/extract.sh '$(KSRC_TARBALL)' $(KVER) $(KPORT_FILES) \
		$(O)/ksrc-sums $(KSERIES)
	$(Q)rm -rf $(O)/ksrc-sums $(O)/ksrc-sums.log
	@echo "  SUMS     kernel-port/SHA256SUMS"

# EXTRA_PATCHES that are no patch, or touch files the sim does not compile,
# stop the build (ALLOW_UNTESTED=1 goes on and lists them): shown on five
# made-up patches (part of make test).
.PHONY: extra-patches-selftest
extra-patches-selftest: $(KSRC_PRISTINE_STAMP)
	$(Q)V='$(V)' KSRC_PRISTINE='$(KSRC_PRISTINE)' kernel-port/extra-patches-selftest.sh \
		'$(KSRC_TARBALL)' $(KVER) $(KPORT_FILES) $(O)/extra-patches-selftest
