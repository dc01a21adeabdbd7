#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: mutation-check.sh MAKE O FUZZ_SECONDS MUTANT.patch...
#
# For each mutant (a patch applied after kernel-patches/series through
# EXTRA_PATCHES, into a tree and object directory of its own):
#   1. build the tests against it: a mutant that does not apply or does
#      not compile is an ERROR of the mutant, never a kill;
#   2. `make check` (every CMocka suite; plus `fuzz-replay-one`, the committed
#      fuzz corpus, when tests/fuzz provides it): a failure is "killed by
#      tests", naming the first failing test;
#   3. otherwise, when `make fuzz` exists, a bounded libFuzzer run of the
#      world harness: a crash is "killed by fuzzing" after N s;
#   4. otherwise "survived": a gap in the tests or the oracle.
# Prints a table and the totals; exits 1 if any mutant survived or errored.
# Logs: O/mutants/NAME.log.
set -uo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

(( $# >= 4 )) || { echo "usage: mutation-check.sh MAKE O FUZZ_SECONDS MUTANT.patch..." >&2; exit 1; }
mk=$1 out=$2 fuzz_s=$3
shift 3
logdir=$out/mutants
mkdir -p "$logdir"

has_target() { "$mk" -n --no-print-directory "$1" O="$out" >/dev/null 2>&1; }
checks=(check)
has_target fuzz-replay-one && checks+=(fuzz-replay-one)
fuzz=0
has_target fuzz && fuzz=1

printf '%-36s %-24s %s\n' mutant verdict "by / time"
killed=0 survived=0 errors=0 n=0 t0=$SECONDS
rows=()
for m in "$@"; do
	name=$(basename "$m" .patch)
	log=$logdir/$name.log
	n=$((n + 1))
	t=$SECONDS
	if ! "$mk" --no-print-directory build-tests O="$out" EXTRA_PATCHES="$m" >"$log" 2>&1; then
		verdict=ERROR by="does not apply or build (see $log)"
		errors=$((errors + 1))
	elif ! "$mk" --no-print-directory "${checks[@]}" O="$out" EXTRA_PATCHES="$m" >>"$log" 2>&1; then
		first=$(grep -m1 -oE '^\[  (FAILED|ERROR)   ?\] [A-Za-z0-9_]+' "$log" | awk '{print $NF}')
		# a sanitizer abort ends the binary inside the test that ran last
		[[ -n $first ]] || first=$(grep -m1 -B1000 -E 'ERROR: (Address|Leak)Sanitizer|runtime error|ledger violation' "$log" |
			grep -oE '^\[ RUN      \] [A-Za-z0-9_]+' | tail -1 | awk '{print $NF}')
		[[ -n $first ]] || first=$(grep -m1 -E 'sockmap-sim: (failing|fuzz|oracle)' "$log" | cut -c1-60)
		verdict="killed by tests" by="${first:-see $log}"
		killed=$((killed + 1))
	elif (( fuzz )); then
		if "$mk" --no-print-directory fuzz FUZZER=world FUZZ_SECONDS="$fuzz_s" O="$out" \
			EXTRA_PATCHES="$m" >>"$log" 2>&1; then
			verdict=SURVIVED by="tests and ${fuzz_s} s of fuzzing"
			survived=$((survived + 1))
		else
			s=$(grep -m1 -oE 'crashed after [0-9.]+ s' "$log" | grep -oE '[0-9.]+')
			verdict="killed by fuzzing" by="${s:-?} s"
			killed=$((killed + 1))
		fi
	else
		verdict=SURVIVED by="tests (no fuzz target: tests/fuzz/fuzz.mk has none)"
		survived=$((survived + 1))
	fi
	printf '%-36s %-24s %s  [%ds]\n' "$name" "$verdict" "$by" $((SECONDS - t))
done
echo "sockmap-sim: mutation-check: $n mutants: $killed killed, $survived survived, $errors errors, in $((SECONDS - t0)) s"
(( survived == 0 && errors == 0 ))
