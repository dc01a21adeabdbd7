#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: run.sh MAKE O SIZES MUTANTS(0|1) EXPERIMENT.patch...
#
# make experiments (experiments/experiments.mk). For each experiment (a
# patch applied after the full series with EXTRA_PATCHES):
#   1. make check with it: every CMocka suite, its own
#      (experiments/test_exp_NNNN_*.c) included; the verdict is the totals
#      line of tests/run-tests.sh;
#   2. make fuzz-replay-one with it: the committed corpus of every harness
#      (make fuzz-replay also replays at level copy, which an experiment on
#      the full series does not apply to);
#   3. with MUTANTS=1, make mutation-check of the mutants that name it
#      (tests/mutants/*.patch with an "Experiment: <patch>" line);
#   4. its bench variant (bench/bench.mk, VARIANT=bench), beside the
#      base's (the full series);
# then experiments/table.py runs the base and every experiment under
# callgrind and in granularity mode and prints one table. Logs and CSV:
# O/experiments/. Exits 1 if a suite, the replay or a mutant fails, or
# something does not build.
set -uo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

(( $# >= 5 )) || { echo "usage: run.sh MAKE O SIZES MUTANTS EXPERIMENT.patch..." >&2; exit 1; }
mk=$1 out=$2 sizes=$3 mutants=$4
shift 4
dir=$out/experiments
mkdir -p "$dir"
bad=0

progress() { echo "  EXP      $*" >&2; }

# The bench variant's driver of this command line (+ EXTRA_PATCHES=...).
bench_bin() {
	"$mk" --no-print-directory bench-bin VARIANT=bench "$@" || return 1
	echo "$("$mk" -s --no-print-directory exp-print-bdir VARIANT=bench "$@")/bench/bench"
}

progress "base: the bench variant of the full series"
base_bin=$(bench_bin 2>"$dir/base.log" | tail -1) && [[ -x $base_bin ]] ||
	{ echo "sockmap-sim: experiments: the base's bench variant does not build (see $dir/base.log)" >&2; exit 1; }

args=()
for p in "$@"; do
	name=$(basename "$p" .patch)
	log=$dir/$name.log
	: >"$log"
	progress "$name: suites (make check)"
	if ! "$mk" --no-print-directory build-tests EXTRA_PATCHES="$p" >>"$log" 2>&1; then
		suites="does not apply or build (see $log)"
		bad=1
	else
		"$mk" --no-print-directory check EXTRA_PATCHES="$p" >>"$log" 2>&1
		rc=$?
		suites=$(grep -oE '[0-9]+ tests passed, [0-9]+ failed' "$log" | tail -1)
		suites=${suites:-no totals (see $log)}
		(( rc == 0 )) || { suites="FAILED: $suites: $(grep -m3 -oE '^\[  FAILED  \] [a-z0-9_]+' "$log" |
			awk '{print $NF}' | sort -u | tr '\n' ' ')(see $log)"; bad=1; }
	fi
	progress "$name: fuzz corpus replay (fuzz-replay-one)"
	if "$mk" --no-print-directory fuzz-replay-one EXTRA_PATCHES="$p" >>"$log" 2>&1; then
		replay="ok, $(grep -oE 'REPLAY   [a-z]+: [0-9]+ inputs' "$log" | awk '{s += $3} END {print s}') inputs"
	else
		replay="FAILED (see $log)"
		bad=1
	fi
	mut=
	if [[ $mutants == 1 ]]; then
		ms=$(grep -l -E "^Experiment: (\./)?experiments/$name\.patch\$" tests/mutants/*.patch 2>/dev/null)
		for m in $ms; do
			progress "$name: mutant $(basename "$m" .patch) (make mutation-check)"
			"$mk" --no-print-directory mutation-check MUTANTS="$m" >>"$log" 2>&1 || bad=1
			v=$(grep -E "^$(basename "$m" .patch) " "$log" | tail -1 | awk '{$1 = ""; sub(/^ /, ""); print}' |
				sed -E 's/ +/ /g; s/ *\[[0-9]+ s\]$//')
			mut+="${mut:+; }$(basename "$m" .patch): ${v:-no verdict (see $log)}"
		done
		mut=${mut:-none names it}
	else
		mut="not run (EXP_MUTANTS=0)"
	fi
	progress "$name: its bench variant"
	if ! bin=$(bench_bin EXTRA_PATCHES="$p" 2>>"$log" | tail -1) || [[ ! -x $bin ]]; then
		echo "sockmap-sim: experiments: $name: the bench variant does not build (see $log)" >&2
		bad=1
		continue
	fi
	args+=(--exp "$name=$bin" --verdict "$name=suites: $suites; fuzz replay: $replay; mutants: $mut")
done

progress "callgrind and granularity: the base and $(( ${#args[@]} / 4 )) experiment(s), sizes $sizes"
python3 experiments/table.py --out "$dir" --sizes "$sizes" --base "$base_bin" "${args[@]}" || bad=1
exit $bad
