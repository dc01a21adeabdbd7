# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/afl.mk: the harnesses under AFL++. Included by fuzz.mk.
#
#   make afl [FUZZER=world] [FUZZ_SECONDS=60]
#                        AFL++ (afl-clang-fast, ASan+UBSan, AFL++'s
#                        libFuzzer driver) with one main (-M) and one
#                        secondary (-S) instance, each for FUZZ_SECONDS, on
#                        a copy of tests/fuzz/corpus/FUZZER with
#                        FUZZER.dict; output in $(O)/afl/FUZZER; honours
#                        SERIES_LEVEL, KSERIES_UPTO, EXTRA_PATCHES. Prints the
#                        afl-whatsup summary and one line of figures; exit 0
#                        if nothing crashed, else 1 after the line
#                        "sockmap-sim: afl: NAME crashed: REASON" and a gcc
#                        replay command per crash file
#   AFL_INSTANCES=N      1 + N-1 secondaries instead of 2 (default: 2, one
#                        per core of the machine this was written for)
#
# See tests/fuzz/README.md.

AFL_PKGS := afl++ clang libclang-rt-14-dev
AFL_INSTANCES ?= 2
AFL_DIR := $(O)/afl

# The AFL++ build is a variant of its own ($(O)/afl...): the sim and the
# kernel files compiled by afl-clang-fast (AFL++'s LLVM instrumentation)
# with ASan+UBSan, and each harness linked with AFL++'s libFuzzer driver
# (afl-clang-fast -fsanitize=fuzzer links /usr/lib/afl/libAFLDriver.a: a
# main() that runs LLVMFuzzerInitialize once, then LLVMFuzzerTestOneInput
# in persistent mode with shared-memory inputs). The generic link rule of
# fuzz.mk ($(BDIR)/tests/fuzz/fuzz-%) makes $(O)/afl/tests/fuzz/fuzz-NAME.
CC_afl := afl-clang-fast
CFLAGS_afl := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
LDFLAGS_afl := -fsanitize=fuzzer -fsanitize=address,undefined
ifeq ($(VARIANT),afl)
CC := $(CC_afl)
SIM_CFLAGS := $(KERNEL_CFLAGS) $(WARN_CFLAGS) $(CFLAGS_afl) -MMD -MP
# afl-clang-fast prints a banner per file unless quiet
export AFL_QUIET := 1
endif

AFL_DEPS_STAMP := $(O)/.afl-deps-stamp
$(AFL_DEPS_STAMP): kernel-port/deps.sh tests/fuzz/afl.mk
	$(Q)mkdir -p $(@D)
	$(Q)V='$(V)' kernel-port/deps.sh $(KPKG) '$(KPKG_VERSION)' $(AFL_PKGS)
	$(Q)touch $@

.PHONY: afl afl-build

afl-build: | $(AFL_DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory VARIANT=afl \
		$(O)/afl$(KVARIANT_SUFFIX)/tests/fuzz/fuzz-$(FUZZER)

# run-afl.sh exits 2 after a crash: then build the gcc replay binary its
# replay lines name, and fail.
afl: afl-build
	$(Q)V='$(V)' AFL_INSTANCES='$(AFL_INSTANCES)' tests/fuzz/run-afl.sh $(FUZZER) \
		$(O)/afl$(KVARIANT_SUFFIX)/tests/fuzz/fuzz-$(FUZZER) $(FUZZ_SECONDS) \
		tests/fuzz/corpus/$(FUZZER) tests/fuzz/$(FUZZER).dict \
		$(AFL_DIR)/$(FUZZER)$(KVARIANT_SUFFIX) '$(BDIR)/tests/fuzz/replay-$(FUZZER)'; \
	rc=$$?; \
	if [ $$rc = 2 ]; then \
		$(MAKE) --no-print-directory '$(BDIR)/tests/fuzz/replay-$(FUZZER)'; exit 1; \
	fi; \
	exit $$rc
