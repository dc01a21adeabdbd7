#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: test-reports.sh OUTDIR BIN...
# The CMocka suites' results for CI systems: each binary run once with
# CMOCKA_MESSAGE_OUTPUT=xml (JUnit XML, OUTDIR/<binary>.xml) and once with
# CMOCKA_MESSAGE_OUTPUT=tap (OUTDIR/<binary>.tap). Exit 1 if a run fails.
set -uo pipefail
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(( $# >= 2 )) || { echo "usage: test-reports.sh OUTDIR BIN..." >&2; exit 1; }
out=$1
shift
rm -rf "$out"
mkdir -p "$out"
bad=()
for bin in "$@"; do
	b=$(basename "$bin")
	CMOCKA_MESSAGE_OUTPUT=xml CMOCKA_XML_FILE="$out/$b.xml" "$bin" >"$out/$b.xml.log" 2>&1 ||
		bad+=("$b")
	CMOCKA_MESSAGE_OUTPUT=tap "$bin" >"$out/$b.tap" 2>"$out/$b.tap.log" || true
	[[ -s $out/$b.xml ]] || { echo "sockmap-sim: test-reports: $b wrote no JUnit XML (see $out/$b.xml.log)" >&2; bad+=("$b"); }
done
tests=$(cat "$out"/*.xml 2>/dev/null | grep -o '<testcase ' | wc -l)
fails=$(cat "$out"/*.xml 2>/dev/null | grep -o '<failure' | wc -l)
echo "sockmap-sim: test-reports: $tests test cases, $fails failures, JUnit XML and TAP in $out"
(( ${#bad[@]} == 0 )) || { echo "sockmap-sim: test-reports: failing: ${bad[*]}" >&2; exit 1; }
