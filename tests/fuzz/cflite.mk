# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/cflite.mk: the harnesses built the OSS-Fuzz / ClusterFuzzLite
# way (.clusterfuzzlite/build.sh). Included by fuzz.mk.
#
#   make cflite-check    run .clusterfuzzlite/build.sh here, with the
#                        variables OSS-Fuzz sets for libFuzzer + ASan (CC,
#                        CFLAGS, LIB_FUZZING_ENGINE, OUT, SRC, WORK under
#                        $(O)/cflite), check what it put in $OUT, and run
#                        each fuzzer on its unzipped seed corpus for
#                        CFLITE_RUNS inputs (1000) from libFuzzer seed
#                        CFLITE_SEED (1): a count, not a time
#
# See tests/fuzz/README.md.

CFLITE_DIR := $(O)/cflite
CFLITE_RUNS ?= 1000
CFLITE_SEED ?= 1

# VARIANT=ossfuzz: the compiler, flags and fuzzing engine are OSS-Fuzz's,
# given by build.sh on the command line (CC_ossfuzz="$CC"
# CFLAGS_ossfuzz="$CFLAGS" CXX_ossfuzz="$CXX" CXXFLAGS_ossfuzz="$CXXFLAGS"
# LIB_FUZZING_ENGINE_ossfuzz="$LIB_FUZZING_ENGINE"). Everything else (the
# kernel files extracted from the Debian package and patched, the kernel's
# flags, the sim) is what every other variant builds. cmocka is not linked
# at all: OSS-Fuzz runs the fuzzers in another image (base-runner), which
# does not have it (the sim's RCU is its own, sim/task.c: no liburcu).
ifeq ($(VARIANT),ossfuzz)
CC := $(CC_ossfuzz)
SIM_CFLAGS := $(KERNEL_CFLAGS) $(WARN_CFLAGS) $(CFLAGS_ossfuzz) -MMD -MP
LDLIBS := -lpthread
endif

# OSS-Fuzz links fuzzers with $CXX $CXXFLAGS ... $LIB_FUZZING_ENGINE (the
# engine may be a C++ library)
$(BDIR)/tests/fuzz/ossfuzz-%: tests/fuzz/fuzz_%.c $(SIM_OBJS) $(KPORT_OBJS)
	@mkdir -p $(@D)
	@$(if $(filter 1,$(V)),,echo "  FUZZ-LD  $@")
	$(Q)$(CC) $(FUZZ_LINK_CFLAGS) -c $< -o $@.o
	$(Q)$(CXX_ossfuzz) $(CXXFLAGS_ossfuzz) $@.o $(SIM_OBJS) $(KPORT_OBJS) \
		$(LIB_FUZZING_ENGINE_ossfuzz) $(LDLIBS) -o $@

.PHONY: ossfuzz-fuzzers cflite-check

# build.sh: make VARIANT=ossfuzz ... ossfuzz-fuzzers
ossfuzz-fuzzers: $(addprefix $(BDIR)/tests/fuzz/ossfuzz-,$(FUZZ_HARNESSES))

cflite-check: | $(FUZZ_DEPS_STAMP)
	$(Q)V='$(V)' CFLITE_RUNS='$(CFLITE_RUNS)' CFLITE_SEED='$(CFLITE_SEED)' tests/fuzz/cflite-check.sh $(CFLITE_DIR) $(FUZZ_HARNESSES)
