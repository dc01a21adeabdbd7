#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run CMocka test binaries; print their output and the totals; fail if any
# test fails. Usage: run-tests.sh BIN...
set -uo pipefail
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pass=0 fail=0 bins=0 bad=()
for bin in "$@"; do
	bins=$((bins + 1))
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
	# a failing test prints "[  FAILED  ] name" once before the summary
	f=$(printf '%s\n' "$out" | sed '/^\[==========\] .* run\./q' | grep -c '^\[  FAILED  \] ')
	pass=$((pass + p))
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	fail=$((fail + f))
	[ $rc -eq 0 ] || bad+=("$(basename "$bin") (exit $rc)")
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
