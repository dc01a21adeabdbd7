#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
#
# .clusterfuzzlite/build.sh: builds every fuzz harness of sockmap-sim
# (tests/fuzz/fuzz_NAME.c) the OSS-Fuzz / ClusterFuzzLite way. The same
# script serves as projects/sockmap-sim/build.sh in OSS-Fuzz.
#
# Input (set by OSS-Fuzz's `compile`, or by `make cflite-check`):
#   CC CXX CFLAGS CXXFLAGS  the compilers and the sanitizer/coverage flags
#   LIB_FUZZING_ENGINE      what links the engine (-fsanitize=fuzzer, or a
#                           library for AFL++ / honggfuzz)
#   OUT                     where the fuzzers and their files go
#   WORK                    scratch space for the build
# Run from the project's checkout (the Dockerfile's WORKDIR).
#
# The project's own make does the build (VARIANT=ossfuzz, tests/fuzz/
# cflite.mk): the kernel files are extracted from Debian's linux-source-6.12
# package (/usr/src/linux-source-6.12.tar.xz, pinned 6.12.117-1~deb12u1)
# and patched with kernel-patches/ exactly as in every other build, then
# compiled with the kernel's flags plus $CFLAGS.
#
# Output, for each harness NAME: $OUT/NAME (the fuzzer),
# $OUT/NAME_seed_corpus.zip (tests/fuzz/corpus/NAME) and $OUT/NAME.dict.

if [[ ! -f tests/fuzz/fuzz.mk && -f $SRC/sockmap-sim/tests/fuzz/fuzz.mk ]]; then
	cd "$SRC/sockmap-sim"
fi
[[ -f tests/fuzz/fuzz.mk ]] || { echo "build.sh: run me from the sockmap-sim checkout" >&2; exit 1; }

build=$WORK/sockmap-sim
jobs=${SOCKMAP_SIM_JOBS:-$(nproc)}

# every tests/fuzz/fuzz_NAME.c is a harness (as in tests/fuzz/fuzz.mk)
names=()
for f in tests/fuzz/fuzz_*.c; do
	n=${f#tests/fuzz/fuzz_}
	names+=("${n%.c}")
done

make -j"$jobs" O="$build" VARIANT=ossfuzz \
	CC_ossfuzz="$CC" CFLAGS_ossfuzz="$CFLAGS" \
	CXX_ossfuzz="$CXX" CXXFLAGS_ossfuzz="$CXXFLAGS" \
	LIB_FUZZING_ENGINE_ossfuzz="$LIB_FUZZING_ENGINE" \
	ossfuzz-fuzzers

# a zip of the files of a directory, without their path
zip_flat() {
	local zip=$1 dir=$2
	rm -f "$zip"
	if command -v zip >/dev/null; then
		zip -q -j -X "$zip" "$dir"/*
	else
		python3 - "$zip" "$dir" <<-'EOF'
		import os, sys, zipfile
		zf, d = sys.argv[1], sys.argv[2]
		with zipfile.ZipFile(zf, "w", zipfile.ZIP_DEFLATED) as z:
		    for n in sorted(os.listdir(d)):
		        z.write(os.path.join(d, n), n)
		EOF
	fi
}

for n in "${names[@]}"; do
	cp "$build/ossfuzz/tests/fuzz/ossfuzz-$n" "$OUT/$n"
	if [[ -d tests/fuzz/corpus/$n ]]; then
		zip_flat "$OUT/${n}_seed_corpus.zip" "tests/fuzz/corpus/$n"
	fi
	if [[ -f tests/fuzz/$n.dict ]]; then
		cp "tests/fuzz/$n.dict" "$OUT/$n.dict"
	fi
done
