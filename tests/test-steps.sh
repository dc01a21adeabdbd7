#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: test-steps.sh TIMES 'make arguments' ...
#
# make test's steps, in order: each argument is one `$MAKE <arguments>`
# run.  A progress line before each, then (also after a failure, which
# stops the run) every step's wall time and the total, written to TIMES as
# well: the figures behind the README's cold and warm make test times.
#
# A step that passed before on exactly the same inputs is not run again:
# every step is deterministic (DESIGN.md: reproducible from its seed, the
# VM and conformance runs included), so its verdict on the same inputs is
# the same.  The inputs are every file of the repository (tracked, and
# untracked unless ignored: the contents, not the commit), the kernel
# tarball (path, size, mtime), the installed Debian packages and their
# versions, the running kernel (the conformance host column), the
# environment and the make command line.  Any difference runs every step.
# The passes are kept in CACHE_DIR (one file per step and inputs);
# TEST_CACHE=0 runs every step regardless, and so does a make command line
# that sets variables (EXTRA_PATCHES may name files outside the
# repository).
#
# Environment: MAKE (the make to run, with its flags), TEST_CACHE (1),
# CACHE_DIR, KSRC_TARBALL, MAKE_OVERRIDES (make's $(MAKEOVERRIDES)).
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

# --- the inputs' key ---------------------------------------------------------

cache=${TEST_CACHE:-1}
[[ $cache == [01] ]] || { echo "sockmap-sim: make test: TEST_CACHE='$cache' is not 0 or 1" >&2; exit 1; }
if [[ $cache == 1 && -n ${MAKE_OVERRIDES:-} ]]; then
	echo "sockmap-sim: make test: variables on the command line ($MAKE_OVERRIDES): every step runs"
	cache=0
fi
inputs_key() {
	# The environment less what differs between two shells of one user.
	{
		echo "files:"
		(cd "$top" && git ls-files -z -c -o --exclude-standard |
			xargs -0 sha256sum -- 2>&1)
		echo "tarball: ${KSRC_TARBALL:-} $(stat -c '%s %Y' "${KSRC_TARBALL:-/nonexistent}" 2>/dev/null)"
		echo "packages:"
		dpkg-query -W -f '${Package} ${Version}\n' 2>/dev/null
		echo "kernel: $(uname -r) $(uname -v)"
		echo "environment:"
		env -0 | tr '\0' '\n' | grep -a -v -E \
			'^(PWD|OLDPWD|SHLVL|_|MAKEFLAGS|MFLAGS|MAKELEVEL|MAKE_TERMOUT|MAKE_TERMERR|TERM|COLUMNS|LINES|SSH_[A-Z_]*|DISPLAY|MAKE|TEST_CACHE)=' |
			sort
	} | sha256sum | cut -c1-32
}

# The passes are recorded at the end, and only if the inputs did not
# change while the steps ran (an edit during a run).
passed=()
record() {
	local k s
	[[ $cache == 1 && ${#passed[@]} -gt 0 ]] || return 0
	k=$(inputs_key)
	if [[ $k != "$key" ]]; then
		echo "sockmap-sim: make test: the inputs changed during the run: no step is recorded as passed"
		return 0
	fi
	for s in "${passed[@]}"; do
		date -u '+%Y-%m-%d %H:%M UTC' >"$CACHE_DIR/$s"
	done
}

key=
if [[ $cache == 1 ]]; then
	top=$(git rev-parse --show-toplevel 2>/dev/null) || cache=0
fi
if [[ $cache == 1 ]]; then
	key=$(inputs_key)
	mkdir -p "${CACHE_DIR:?}"
fi

# --- the steps ------------------------------------------------------------------

for step in "$@"; do
	stamp=
	if [[ $cache == 1 ]]; then
		stamp=$(printf '%s %s' "$key" "$step" | sha256sum | cut -c1-32)
		if [[ -f $CACHE_DIR/$stamp ]]; then
			echo "sockmap-sim: --- make $step: passed on these inputs at $(cat "$CACHE_DIR/$stamp") (TEST_CACHE=0 runs it again) ---"
			printf '%5d s  %s (passed before on the same inputs)\n' 0 "$step" >>"$times"
			continue
		fi
	fi
	echo "sockmap-sim: --- make $step ---"
	t0=$SECONDS
	# shellcheck disable=SC2086 # a step is make arguments, split on purpose
	${MAKE:-make} $step
	rc=$?
	printf '%5d s  %s%s\n' $((SECONDS - t0)) "$step" "$( ((rc)) && echo ' FAILED')" >>"$times"
	if ((rc)); then
		failed=$step
		record
		report
		exit "$rc"
	fi
	[[ -z $stamp ]] || passed+=("$stamp")
done
record
report
