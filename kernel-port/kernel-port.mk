# SPDX-License-Identifier: GPL-2.0
#
# kernel-port/kernel-port.mk: the kernel source pipeline, included by the
# top-level Makefile.  The real kernel files are never committed: they are
# extracted from the Debian linux-source tarball (allow-list:
# kernel-port/files.txt), patched with kernel-patches/series, and checked.
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
#   KSERIES_UPTO    apply only the first N patches of the series (0: none),
#                   into a separate tree ($(O)/ksrc-upto-N)
#   EXTRA_PATCHES   patches applied after the series, into a separate tree
#   KPATCHES_DIR    where the series lives (kernel-patches)
#   KSRC_PREFIX     directory of the tree inside the tarball
#                   (default, in extract.sh: linux-source-MAJOR.MINOR)
#
# Defines:
#   KPKG            Debian source package (linux-source-6.12)
#   KPORT_FILES     the allow-list
#   KPORT_SUMS      pristine checksums of the allow-listed files, if present
#   KSERIES_FILE    $(KPATCHES_DIR)/series
#   KSERIES         the patches it names, in order ($(KPATCHES_DIR)/NAME)
#   KSRC            the patched tree: $(O)/ksrc, or $(O)/ksrc-extra-HASH
#                   with EXTRA_PATCHES (HASH: 12 hex digits of sha256 over
#                   their contents)
#   KVARIANT_SUFFIX "" or -extra-HASH, for separate object directories
#   KSRC_STAMP      $(KSRC)/.stamp: make every port object depend on it
#   KDEPS_STAMP     $(O)/.deps-stamp: the kernel source package was checked
# Targets:
#   ksrc                extract + patch (cached by $(KSRC_STAMP))
#   deps                install/check every package (deps.sh, always runs)
#   verify-kernel-port  prove $(KSRC) == fresh tarball files + series, and
#                       that the port objects were compiled from it
#   kport-sums          regenerate $(KPORT_SUMS) from the tarball
#                       (maintainers, after a KVER/KPKG_VERSION bump)

KPKG ?= linux-source-$(word 1,$(subst ., ,$(KVER))).$(word 2,$(subst ., ,$(KVER)))
KPORT_FILES := kernel-port/files.txt
KPORT_SUMS := $(wildcard kernel-port/SHA256SUMS)
KSRC_PREFIX ?=

# kernel-patches/series, quilt style: one file name per line; '#' comments
# and blank lines are ignored, and so is anything after the name.
kport_hash := \#
KPATCHES_DIR ?= kernel-patches
KSERIES_FILE := $(KPATCHES_DIR)/series
KSERIES := $(addprefix $(KPATCHES_DIR)/,$(shell \
	sed -e 's/[$(kport_hash)].*//' $(KSERIES_FILE) | awk 'NF { print $$1 }'))

# KSERIES_UPTO=N builds against the first N patches of the series only
# (0: the pristine files), in a tree of its own: the copying splice of
# patch 4 and the full series are compared in one run this way.
KSERIES_UPTO ?=
ifneq ($(strip $(KSERIES_UPTO)),)
KSERIES := $(wordlist 1,$(KSERIES_UPTO),$(KSERIES))
kport_upto := -upto-$(KSERIES_UPTO)
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
KSRC_PRISTINE := $(O)/ksrc-pristine
KSRC_PRISTINE_STAMP := $(KSRC_PRISTINE)/.stamp

# Environment of the scripts.
kport_env = V='$(V)' KPKG_VERSION='$(KPKG_VERSION)' KSRC_PREFIX='$(KSRC_PREFIX)' \
	KPORT_SUMS='$(KPORT_SUMS)' KSRC_PRISTINE='$(KSRC_PRISTINE)'

# The stamp records the settings that have no file to depend on; if they
# changed since the last extraction, extract again.
ksrc_params := $(strip $(KVER) $(KSRC_TARBALL) $(KSRC_PREFIX) $(KPORT_SUMS) \
	$(KSERIES_FILE) $(KSERIES) $(EXTRA_PATCHES))
ifneq ($(ksrc_params),$(strip $(file <$(KSRC_STAMP))))
kport_force := kport-force
endif

# A series entry whose file is missing: say so (an existing file with no
# prerequisites is simply up to date, so this recipe only runs if missing).
$(KSERIES):
	@echo "sockmap-sim: $(KSERIES_FILE) names $@, which does not exist" >&2; exit 1

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

$(KSRC_STAMP): $(KPORT_FILES) $(KPORT_SUMS) $(KSERIES_FILE) $(KSERIES) $(EXTRA_PATCHES) \
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
verify-kernel-port: $(KSRC_STAMP) $(KSRC_PRISTINE_STAMP)
	$(Q)$(kport_env) DEPFILES='$(KPORT_DEPFILES)' kernel-port/verify.sh '$(KSRC_TARBALL)' \
		$(KVER) $(KPORT_FILES) $(KSRC) $(KSERIES) $(EXTRA_PATCHES)

# Pristine checksums of the allow-listed files taken from the tarball (files
# created by the series have none).  The extraction itself is thrown away.
kport-sums: | $(KDEPS_STAMP)
	$(Q)$(kport_env) KPORT_SUMS= KSRC_PRISTINE= KPORT_SUMS_OUT=kernel-port/SHA256SUMS \
		kernel-port/extract.sh '$(KSRC_TARBALL)' $(KVER) $(KPORT_FILES) \
		$(O)/ksrc-sums $(KSERIES)
	$(Q)rm -rf $(O)/ksrc-sums $(O)/ksrc-sums.log
	@echo "  SUMS     kernel-port/SHA256SUMS"
