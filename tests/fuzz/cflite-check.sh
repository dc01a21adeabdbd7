#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: cflite-check.sh DIR NAME...
#
# Tests .clusterfuzzlite/build.sh on this machine, in an environment holding
# only what OSS-Fuzz's `compile` sets for libFuzzer + ASan (plus PATH and
# HOME): CC=clang CXX=clang++, OSS-Fuzz's CFLAGS/CXXFLAGS for ASan,
# LIB_FUZZING_ENGINE=-fsanitize=fuzzer, SRC=DIR/src, WORK=DIR/work,
# OUT=DIR/out (emptied first; WORK is kept, so a second run is warm).
# Differences from OSS-Fuzz: the host's clang (Debian's clang-14) and
# CXXFLAGS without -stdlib=libc++ (OSS-Fuzz builds its own libc++; Debian's
# is not installed); build.sh runs in this checkout rather than a copy.
# Then checks, for each harness NAME: $OUT/NAME runs, links neither
# cmocka (or liburcu, which the sim no longer uses) dynamically (the runner image has neither),
# $OUT/NAME_seed_corpus.zip holds tests/fuzz/corpus/NAME, $OUT/NAME.dict is
# tests/fuzz/NAME.dict; and runs each fuzzer on its unzipped seed corpus
# with its dictionary for CFLITE_RUNS inputs (default 1000) from libFuzzer
# seed CFLITE_SEED (default 1): a count, not a time, so a slow machine
# tries as many inputs as a fast one. (Coverage feedback still differs
# slightly between runs with the addresses ASLR gives; a crash leaves the
# input, and the replay command.)
# Prints one line, "sockmap-sim: cflite-check: ok ..." (exit 0) or
# "sockmap-sim: cflite-check: FAILED: ..." (exit 1; a crash names the
# command that replays it).
set -uo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi
(( $# >= 2 )) || { echo "usage: cflite-check.sh DIR NAME..." >&2; exit 1; }
dir=$1
shift
names=("$@")
runs_per=${CFLITE_RUNS:-1000}
seed=${CFLITE_SEED:-1}
t0=$(date +%s)
fail() { echo "sockmap-sim: cflite-check: FAILED: $*"; exit 1; }

mkdir -p "$dir/src" "$dir/work"
rm -rf "$dir/out" "$dir/run"
mkdir -p "$dir/out" "$dir/run"
dir=$(realpath "$dir")
out=$dir/out

# OSS-Fuzz (infra/base-images/base-clang): SANITIZER_FLAGS_address,
# COVERAGE_FLAGS, and -fsanitize=fuzzer-no-link for libFuzzer
cflags="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
echo "  CFLITE   build.sh: CC=clang CFLAGS=\"$cflags\" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$out (log $dir/build.log)"
env -i PATH="$PATH" HOME="${HOME:-/root}" \
	CC=clang CXX=clang++ CFLAGS="$cflags" CXXFLAGS="$cflags" \
	LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
	SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c \
	SRC="$dir/src" WORK="$dir/work" OUT="$out" \
	SOCKMAP_SIM_JOBS=1 \
	bash -eu .clusterfuzzlite/build.sh >"$dir/build.log" 2>&1 ||
	fail "build.sh exited $?; $dir/build.log ends: $(tail -3 "$dir/build.log" | tr '\n' ' ')"
t1=$(date +%s)

runs=()
for n in "${names[@]}"; do
	[[ -x $out/$n ]] || fail "no fuzzer $out/$n"
	ldd "$out/$n" | grep -qE 'liburcu|libcmocka' && fail "$out/$n needs a shared liburcu or cmocka"
	if [[ -d tests/fuzz/corpus/$n ]]; then
		[[ -s $out/${n}_seed_corpus.zip ]] || fail "no $out/${n}_seed_corpus.zip"
		mkdir -p "$dir/run/$n"
		python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
			"$out/${n}_seed_corpus.zip" "$dir/run/$n" || fail "cannot unzip $out/${n}_seed_corpus.zip"
		diff -r -q "tests/fuzz/corpus/$n" "$dir/run/$n" >/dev/null ||
			fail "$out/${n}_seed_corpus.zip is not tests/fuzz/corpus/$n"
	fi
	dictarg=()
	if [[ -f tests/fuzz/$n.dict ]]; then
		cmp -s "tests/fuzz/$n.dict" "$out/$n.dict" || fail "$out/$n.dict is not tests/fuzz/$n.dict"
		dictarg=(-dict="$out/$n.dict")
	fi
	# a fixed seed and number of runs from the seeds; the corpus copy
	# grows, the seeds stay in the zip
	mkdir -p "$dir/run/$n" "$dir/run/$n-crash"
	(cd "$dir/run" && "$out/$n" -seed="$seed" -runs="$runs_per" "${dictarg[@]}" -print_final_stats=1 \
		-artifact_prefix="$dir/run/$n-crash/" "$dir/run/$n" >"$dir/run/$n.log" 2>&1) || {
		crash=$(ls "$dir/run/$n-crash/" 2>/dev/null | head -1)
		fail "$n crashed (libFuzzer seed $seed, $runs_per runs): $(grep -m1 -E 'sockmap-sim:|ERROR:|runtime error|deadly signal' "$dir/run/$n.log"); log $dir/run/$n.log; replay: $out/$n $dir/run/$n-crash/${crash:-?}"
	}
	execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$dir/run/$n.log" | awk '{print $2}')
	cov=$(grep -E '^#[0-9]+' "$dir/run/$n.log" | tail -1 | grep -oE 'cov: [0-9]+' | awk '{print $2}')
	runs+=("$n ${execs:-?} runs cov ${cov:-?}")
done
t2=$(date +%s)
(IFS=','; echo "sockmap-sim: cflite-check: ok: ${#names[@]} fuzzers in $out with seed corpora and dictionaries; $runs_per runs each from libFuzzer seed $seed:${runs[*]/#/ }; build $((t1 - t0)) s, total $((t2 - t0)) s")
