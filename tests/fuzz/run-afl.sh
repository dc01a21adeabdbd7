#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: run-afl.sh NAME FUZZER_BIN SECONDS CORPUS DICT WORKDIR REPLAY_BIN
#
# Runs AFL++ on a copy of the committed CORPUS (the committed one is never
# written) with the dictionary DICT: one main instance (-M main) and
# AFL_INSTANCES-1 secondaries (-S secN; default 2 instances in all, one per
# core of a 2-core machine), each bounded by -V SECONDS, output in
# WORKDIR/out (emptied first). Unattended: no UI, no CPU binding (the
# machine is shared), no questions about the CPU governor. Prints progress
# (corpus, crashes, hangs per instance) every 10 s, then `afl-whatsup -s`
# and one line of figures.
# On a crash (or a seed that crashes, which afl-fuzz skips): prints
# "sockmap-sim: afl: NAME crashed: REASON" (REASON from re-running the
# first crash file), then one replay command per crash file with the gcc
# build, and exits 2 (the caller then builds that binary and exits 1).
# Exit 0 when nothing crashed, 1 when afl-fuzz could not run.
set -uo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi
(( $# == 7 )) || { echo "usage: run-afl.sh NAME BIN SECONDS CORPUS DICT WORKDIR REPLAY" >&2; exit 1; }
name=$1 bin=$2 secs=$3 corpus=$4 dict=$5 work=$6 replay=$7
ninst=${AFL_INSTANCES:-2}
(( ninst >= 1 )) || { echo "sockmap-sim: afl: AFL_INSTANCES must be >= 1" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/in" "$work/out"
cp "$corpus"/* "$work/in/"
out=$work/out

export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
# crashes would go to a core-dump helper (and AFL would refuse to start)
[[ $(cat /proc/sys/kernel/core_pattern 2>/dev/null) == core ]] ||
	export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# afl-fuzz sets the sanitizer options it needs (abort_on_error=1,
# symbolize=0, ...) when they are unset; the caller's would be refused.
unset ASAN_OPTIONS UBSAN_OPTIONS MSAN_OPTIONS LSAN_OPTIONS

dictarg=()
[[ -f $dict ]] && dictarg=(-x "$dict")
ids=(main)
for (( i = 1; i < ninst; i++ )); do ids+=("sec$i"); done
echo "  AFL      $name: ${secs} s x ${ninst} instances (${ids[*]}), $(ls "$work/in" | wc -l) seeds, output $out"
t0=$(date +%s)
pids=()
for id in "${ids[@]}"; do
	role=-S
	[[ $id == main ]] && role=-M
	# -t 2000: 2 s per input (ASan, 64 KiB sends, a loaded machine: AFL's
	# own estimate, "-t 2000+", came to 20 ms and flagged load as hangs);
	# timeout(1) only if afl-fuzz itself misbehaves.
	timeout -k 10 $(( secs + 120 )) afl-fuzz "$role" "$id" -i "$work/in" -o "$out" \
		"${dictarg[@]}" -t 2000 -V "$secs" -- "$bin" >"$work/$id.log" 2>&1 &
	pids+=($!)
done

# "key : value" of an instance's fuzzer_stats
stat() { awk -F' *: *' -v k="$2" '$1 == k { print $2 }' "$out/$1/fuzzer_stats" 2>/dev/null; }
# afl-fuzz 4.04c without a UI writes fuzzer_stats and plot_data only at
# the end: progress is what the output directories hold so far
progress() {
	local id n c h
	local -a parts=()
	for id in "${ids[@]}"; do
		[[ -d $out/$id/queue ]] || { parts+=(" $id starting"); continue; }
		n=$(ls "$out/$id/queue" | grep -c '^id:')
		c=$(ls "$out/$id/crashes" 2>/dev/null | grep -c '^id:')
		h=$(ls "$out/$id/hangs" 2>/dev/null | grep -c '^id:')
		parts+=(" $id corpus $n crashes $c hangs $h")
	done
	local IFS=';'
	echo "  AFL      $name: $(( $(date +%s) - t0 )) s:${parts[*]}"
}

alive() {
	local p
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}
while alive; do
	for (( i = 0; i < 10; i++ )); do alive && sleep 1; done
	alive && progress
done
rcs=()
for p in "${pids[@]}"; do wait "$p"; rcs+=($?); done
t1=$(date +%s)

# A seed that crashes is skipped by afl-fuzz ("Test case 'id:...,orig:NAME'
# results in a crash, skipping"; if all do, it stops): a finding too, the
# seed file is in/NAME
seedcrash=()
for id in "${ids[@]}"; do
	while IFS= read -r s; do
		[[ -n $s ]] && seedcrash+=("$work/in/${s##*orig:}")
	done < <(grep -aoE "Test case '[^']*' results in a crash" "$work/$id.log" 2>/dev/null |
		sed -e "s/^Test case '//" -e "s/' results in a crash$//")
done
mapfile -t seedcrash < <(printf '%s\n' "${seedcrash[@]}" | grep -v '^$' | sort -u)
failed=0
for i in "${!ids[@]}"; do
	id=${ids[i]}
	if [[ ! -s $out/$id/fuzzer_stats ]]; then
		echo "sockmap-sim: afl: $name: afl-fuzz $id did not run (exit ${rcs[i]}); $work/$id.log ends:" >&2
		grep -av '^\s*$' "$work/$id.log" | tail -5 | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/^/    /' >&2
		failed=1
	fi
done
if (( failed && ${#seedcrash[@]} == 0 )); then
	exit 1
fi

if (( !failed )); then
	echo "  AFL      $name: afl-whatsup -s:"
	# -d: the instances have ended (-V); tput complains without a terminal
	afl-whatsup -s -d "$out" 2>&1 | grep -vE '^\s*$|^tput:|status check tool' | sed 's/^/    /'
	parts=() total=0 crashes=0 hangs=0
	for id in "${ids[@]}"; do
		execs=$(stat "$id" execs_done) rt=$(stat "$id" run_time)
		eps=$(awk -v e="${execs:-0}" -v t="${rt:-0}" 'BEGIN { printf "%.0f", (t > 0 ? e / t : 0) }')
		parts+=("$id $eps exec/s")
		total=$(( total + ${execs:-0} ))
		crashes=$(( crashes + $(stat "$id" saved_crashes || echo 0) ))
		hangs=$(( hangs + $(stat "$id" saved_hangs || echo 0) ))
	done
	corpus=$(stat main corpus_count) found=0
	for id in "${ids[@]}"; do found=$(( found + $(stat "$id" corpus_found || echo 0) )); done
	(IFS=','; echo "  AFL      $name: $((t1 - t0)) s,${parts[*]/#/ }, $total execs; corpus ${corpus:-?} (main; ${found} new paths in all), edges $(stat main edges_found)/$(stat main total_edges) ($(stat main bitmap_cvg)), crashes $crashes, hangs $hangs")
	# not a failure: slow inputs (and load) too; a wait that never ends
	# is the sim's own finding ("unbounded wait(s)"), a crash
	(( hangs )) && echo "  AFL      $name: $hangs inputs took over 2 s (slow or stuck; not a failure): $out/*/hangs/"
fi

mapfile -t crashfiles < <(printf '%s\n' "${seedcrash[@]}"; ls "$out"/*/crashes/id:* 2>/dev/null)
mapfile -t crashfiles < <(printf '%s\n' "${crashfiles[@]}" | grep -v '^$')
(( ${#crashfiles[@]} )) || exit 0

# The reason: the first crash file run again by the AFL build (its driver
# runs the files named on the command line), symbolized.
first=${crashfiles[0]}
# (bash's own "Illegal instruction" line goes to /dev/null)
{ ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:symbolize=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	timeout -k 5 60 "$bin" "$first" >"$work/reason.log" 2>&1; } 2>/dev/null
reason=$(grep -m1 -E 'sockmap-sim: (oracle|ledger|accounting|world)|ERROR: (Address|Leak|Undefined)Sanitizer|runtime error|deadly signal|BUG|WARN' "$work/reason.log" |
	sed -e 's/^==[0-9]*==//')
seeds=
(( ${#seedcrash[@]} )) && seeds=" (${#seedcrash[@]} of them seeds)"
echo "sockmap-sim: afl: $name crashed: ${#crashfiles[@]} crash files$seeds in $((t1 - t0)) s: ${reason:-see $work/reason.log}"
for f in "${crashfiles[@]}"; do
	printf '  replay:     %s %q\n' "$replay" "$f"
done
echo "  (or: $bin FILE; SOCKMAP_SIM_FUZZ_TRACE=1 traces the operations)"
exit 2
