#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: run-fuzz.sh NAME FUZZER_BIN SECONDS CORPUS DICT WORKDIR REPLAY_BIN
#
# Runs libFuzzer for SECONDS on a copy of the committed CORPUS (the
# committed one is never written; none: an empty corpus), prints exec/s
# and coverage at the end.
# On a crash: prints "sockmap-sim: fuzz: NAME crashed after T s: REASON",
# minimizes the reproducer (bounded), prints a one-command replay line and
# exits 1. Exit 0 when nothing crashed.
set -uo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi
(( $# == 7 )) || { echo "usage: run-fuzz.sh NAME BIN SECONDS CORPUS DICT WORKDIR REPLAY" >&2; exit 1; }
name=$1 bin=$2 secs=$3 corpus=$4 dict=$5 work=$6 replay=$7

rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/crashes"
# CORPUS none: start from nothing (the dictionary still helps)
[[ $corpus == none ]] || cp "$corpus"/* "$work/corpus/"
log=$work/fuzz.log
echo "  FUZZ     $name: ${secs} s, $(ls "$work/corpus" | wc -l) seeds, log $log"
# ASan's allocator keeps the memory it once mapped (no release to the OS
# every 5 s, which libFuzzer's heap churn then faults in again page by
# page) and records 8 frames of each allocation and free instead of 30
# (a crash's replay command, the gcc build, prints the full stacks). Same
# checks, same reports' first lines.
FUZZ_ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:allocator_release_to_os_interval_ms=-1:malloc_context_size=8
t0=$(date +%s.%N)
ASAN_OPTIONS=$FUZZ_ASAN_OPTIONS UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bin" -max_total_time="$secs" -dict="$dict" -print_final_stats=1 \
	-artifact_prefix="$work/crashes/" "$work/corpus" >"$log" 2>&1
rc=$?
t1=$(date +%s.%N)
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
# libFuzzer's final stats (-print_final_stats=1); the last status line if
# it died before printing them
execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{print $2}')
eps=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | awk '{print $2}')
[[ -n $execs ]] || execs=$(grep -oE '^#[0-9]+' <<<"$last" | tr -d '#')
[[ -n $eps ]] || eps=$(grep -oE 'exec/s: [0-9]+' <<<"$last" | awk '{print $2}')
secs_run=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
# the one-line summary (review/report.py reads it: "  FUZZ ... runs")
echo "  FUZZ     $name: ${execs:-?} runs in $secs_run s, ${eps:-?} exec/s, $(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$last"), corpus $(ls "$work/corpus" | wc -l)"
if (( rc == 0 )); then
	exit 0
fi
crash=$(ls -t "$work"/crashes/* 2>/dev/null | head -1)
reason=$(grep -m1 -E 'sockmap-sim: (oracle|ledger|accounting)|ERROR: (Address|Leak|Undefined)Sanitizer|runtime error|deadly signal' "$log" |
	 sed -e 's/^==[0-9]*==//')
# time to the crash: the last status line before it says how long it ran
elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "sockmap-sim: fuzz: $name crashed after $elapsed s: ${reason:-see $log}"
if [[ -n $crash ]]; then
	min=$work/crashes/minimized-$(basename "$crash")
	"$bin" -minimize_crash=1 -max_total_time=30 -exact_artifact_path="$min" "$crash" \
		>"$work/minimize.log" 2>&1 || true
	[[ -s $min ]] || min=$crash
	echo "  reproducer: $min"
	echo "  replay:     $replay $min    (or: $bin $min)"
fi
exit 1
