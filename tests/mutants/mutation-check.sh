#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: mutation-check.sh MAKE O FUZZ_SECONDS FUZZ_MODE MUTANT.patch...
#
# For each mutant (a patch applied after the full series, fixes/ then splice/, through
# EXTRA_PATCHES, into a tree and object directory of its own):
#   1. build the tests against it: a mutant that does not apply or does
#      not compile is an ERROR of the mutant, never a kill;
#   2. `make check` (every CMocka suite), then `fuzz-replay-one` (the
#      committed fuzz corpus, every harness): a failure of either is
#      "killed by tests", naming the first failing test or the corpus;
#   3. a bounded libFuzzer run of each harness (world, then ring), from
#      the committed corpus: FUZZ_MODE=survivors (the default) runs it only
#      for what step 2 let through, which a crash makes "killed by
#      fuzzing"; FUZZ_MODE=always runs it for every mutant and reports the
#      time to the first crash in a column of its own (what the fuzzer
#      finds without the tests); MUTANT_FUZZ_CORPUS=none in the
#      environment starts it from an empty corpus instead of the seeds;
#   4. otherwise "survived": a gap in the tests or the oracle.
# A mutant of an experiment (experiments/README.md) names it on a line
# "Experiment: experiments/NNNN-name.patch" before its diff: the
# experiment is applied first (EXTRA_PATCHES="experiment mutant"), and its
# own suite runs with the others.
# Prints a table and the totals; exits 1 if any mutant survived or errored.
# Logs: O/mutants/NAME.log.
set -uo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

(( $# >= 5 )) || { echo "usage: mutation-check.sh MAKE O FUZZ_SECONDS FUZZ_MODE MUTANT.patch..." >&2; exit 1; }
mk=$1 out=$2 fuzz_s=$3 mode=$4
shift 4
[[ $mode == always || $mode == survivors ]] ||
	{ echo "sockmap-sim: mutation-check: MUTANT_FUZZ must be 'always' or 'survivors', not '$mode'" >&2; exit 1; }
logdir=$out/mutants
mkdir -p "$logdir"
harnesses=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | sed 's|.*/fuzz_\(.*\)\.c|\1|' | sort -r)

# fuzz_mutant PATCH LOG: "HARNESS T" of the first harness that crashes
# within fuzz_s seconds, or nothing
fuzz_mutant() {
	local h t
	for h in $harnesses; do
		if ! "$mk" --no-print-directory fuzz FUZZER="$h" FUZZ_SECONDS="$fuzz_s" O="$out" \
			EXTRA_PATCHES="$1" ${MUTANT_FUZZ_CORPUS:+FUZZ_CORPUS=$MUTANT_FUZZ_CORPUS} \
			>>"$2" 2>&1; then
			t=$(grep -oE "fuzz: $h crashed after [0-9.]+ s" "$2" | tail -1 | grep -oE '[0-9.]+ s$')
			echo "$h ${t:-? s}"
			return
		fi
	done
}

fmt='%-36s %-18s %-58s %s\n'
if [[ $mode == always ]]; then
	printf "$fmt" mutant verdict "tests (first failure)" "fuzzing alone"
else
	printf "$fmt" mutant verdict "by" ""
fi
killed=0 survived=0 errors=0 n=0 t0=$SECONDS
for m in "$@"; do
	name=$(basename "$m" .patch)
	log=$logdir/$name.log
	n=$((n + 1))
	t=$SECONDS
	by= fz=
	exp=$(sed -n 's/^Experiment: *//p' "$m" | head -1)
	if [[ -n $exp && ! -f $exp ]]; then
		printf "$fmt" "$name" ERROR "names the experiment $exp, which does not exist" ""
		errors=$((errors + 1))
		continue
	fi
	extra="${exp:+$exp }$m"
	if ! "$mk" --no-print-directory build-tests O="$out" EXTRA_PATCHES="$extra" >"$log" 2>&1; then
		printf "$fmt" "$name" ERROR "does not apply or build (see $log)" ""
		errors=$((errors + 1))
		continue
	fi
	if ! "$mk" --no-print-directory check O="$out" EXTRA_PATCHES="$extra" >>"$log" 2>&1; then
		by=$(grep -m1 -oE '^\[  (FAILED|ERROR)   ?\] [A-Za-z0-9_]+' "$log" | awk '{print $NF}')
		# a sanitizer abort ends the binary inside the test that ran last
		[[ -n $by ]] || by=$(grep -m1 -B1000 -E 'ERROR: (Address|Leak)Sanitizer|runtime error|ledger violation' "$log" |
			grep -oE '^\[ RUN      \] [A-Za-z0-9_]+' | tail -1 | awk '{print $NF}')
		by=${by:-see $log}
	elif ! "$mk" --no-print-directory fuzz-replay-one O="$out" EXTRA_PATCHES="$extra" >>"$log" 2>&1; then
		by="the corpus: $(grep -m1 -oE 'sockmap-sim: (oracle|ledger|accounting)[^(]*|ERROR: [A-Za-z]+Sanitizer[^(]*|runtime error.*' "$log" | cut -c1-40)"
	fi
	if [[ $mode == always || -z $by ]]; then
		fz=$(fuzz_mutant "$extra" "$log")
	fi
	if [[ -n $by ]]; then
		verdict="killed by tests"
		killed=$((killed + 1))
	elif [[ -n $fz ]]; then
		verdict="killed by fuzzing"
		killed=$((killed + 1))
	else
		verdict=SURVIVED
		survived=$((survived + 1))
	fi
	if [[ $mode == always || -z $by ]]; then
		fz=${fz:-not in ${fuzz_s} s per harness}
	fi
	printf "$fmt" "$name" "$verdict" "${by:--}" "$fz  [$((SECONDS - t)) s]"
done
echo "sockmap-sim: mutation-check: $n mutants: $killed killed, $survived survived, $errors errors, in $((SECONDS - t0)) s"
(( survived == 0 && errors == 0 ))
