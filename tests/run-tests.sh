#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run CMocka test binaries; print their output and the totals; fail if any
# test fails. Usage: run-tests.sh BIN...
# TEST_JOBS (default: the number of CPUs) binaries run at once, each a
# process of its own (every test is deterministic by itself); their
# outputs are printed whole and in the order given.
set -uo pipefail
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "sockmap-sim: TEST_JOBS='$jobs' is not a positive number" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bins_=("$@")
pids=()
start() {	# start binary $1 (an index), output and exit status in $tmp
	("${bins_[$1]}" >"$tmp/$1.out" 2>&1; echo $? >"$tmp/$1.rc") &
	pids[$1]=$!
}
for ((i = 0; i < jobs && i < ${#bins_[@]}; i++)); do start "$i"; done
pass=0 fail=0 bins=0 bad=()
for i in "${!bins_[@]}"; do
	bin=${bins_[i]}
	wait "${pids[i]}"
	((i + jobs < ${#bins_[@]})) && start $((i + jobs))
	bins=$((bins + 1))
	out=$(cat "$tmp/$i.out")
	rc=$(cat "$tmp/$i.rc")
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
	# a failing test prints "[  FAILED  ] name" once before the summary
	f=$(printf '%s\n' "$out" | sed '/^\[==========\] .* run\./q' | grep -c '^\[  FAILED  \] ')
	pass=$((pass + p))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	fail=$((fail + f))
	[ "$rc" -eq 0 ] || bad+=("$(basename "$bin") (exit $rc)")
done
echo "sockmap-sim: $pass tests passed, $fail failed, in $bins binaries (${RUN_TESTS_LABEL:-ASan+UBSan})"
# EXTRA_PATCHES built with ALLOW_UNTESTED=1: what the totals do not cover
if [[ -n ${UNTESTED_LIST:-} && -s $UNTESTED_LIST ]]; then
	while IFS= read -r line; do
		echo "sockmap-sim: untested (ALLOW_UNTESTED=1): $line"
	done <"$UNTESTED_LIST"
fi
if [ ${#bad[@]} -gt 0 ]; then
	echo "sockmap-sim: failing: ${bad[*]}" >&2
	exit 1
fi
