#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: test-steps.sh TIMES 'make arguments' ...
#
# make test's steps, in order: each argument is one `$MAKE <arguments>`
# run.  A progress line before each, then (also after a failure, which
# stops the run) every step's wall time and the total, written to TIMES as
# well: the figures behind the README's cold and warm make test times.
# Environment: MAKE (the make to run, with its flags).
set -uo pipefail

times=$1
shift
mkdir -p "$(dirname "$times")"
: >"$times"
start=$SECONDS
failed=

report() {
	echo "sockmap-sim: make test step times"
	sed -e 's/^/    /' "$times"
	printf '    %5d s  total%s\n' $((SECONDS - start)) "${failed:+ (stopped: $failed failed)}"
}

for step in "$@"; do
	echo "sockmap-sim: --- make $step ---"
	t0=$SECONDS
	# shellcheck disable=SC2086 # a step is make arguments, split on purpose
	${MAKE:-make} $step
	rc=$?
	printf '%5d s  %s%s\n' $((SECONDS - t0)) "$step" "$( ((rc)) && echo ' FAILED')" >>"$times"
	if ((rc)); then
		failed=$step
		report
		exit "$rc"
	fi
done
report
