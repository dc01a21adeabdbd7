#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: test-steps-selftest.sh
#
# tests/test-steps.sh on a scratch git repository with a stand-in make that
# records its steps: the first run runs every step; a second on the same
# inputs runs none; a changed file, TEST_CACHE=0 or a variable on the
# command line run them all again; a TEST_CACHE other than 0 or 1 is
# refused; a failing step stops the run, is
# reported, and is not recorded as passed (the steps before it are).
# Exit 1 naming the first case that went wrong.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
die() { echo "sockmap-sim: test-steps-selftest: $*" >&2; exit 1; }

repo=$tmp/repo
mkdir -p "$repo"
git -C "$repo" init -q
echo one >"$repo/input.txt"
# the stand-in make: records its arguments, fails on "bad"
cat >"$tmp/make" <<'EOF'
#!/bin/bash
echo "$*" >>"$RAN"
[[ $* != bad ]]
EOF
chmod +x "$tmp/make"
export RAN=$tmp/ran MAKE=$tmp/make CACHE_DIR=$tmp/cache KSRC_TARBALL=$repo/input.txt
unset TEST_CACHE MAKE_OVERRIDES

# run STEP...: test-steps.sh in the repository; its exit status in $rc,
# the steps it ran (one line each) in $ran, its output in $out
run() {
	: >"$RAN"
	out=$(cd "$repo" && "$here/test-steps.sh" "$tmp/times.txt" "$@" 2>&1)
	rc=$?
	ran=$(tr '\n' ' ' <"$RAN")
}
expect() {	# expect CASE RC 'STEPS RUN '
	[[ $rc == "$2" && $ran == "$3" ]] ||
		die "$1: exit $rc, ran '$ran'; expected exit $2, ran '$3' (output: $(tail -n 3 <<<"$out" | tr '\n' '|'))"
}

run one two
expect "first run" 0 "one two "
grep -q 'total' <<<"$out" || die "first run: no step times printed"
run one two
expect "same inputs" 0 ""
grep -q 'passed on these inputs' <<<"$out" || die "same inputs: no line saying why a step did not run"
echo two >"$repo/input.txt"
run one two
expect "a file changed" 0 "one two "
TEST_CACHE=0 run one two
expect "TEST_CACHE=0" 0 "one two "
MAKE_OVERRIDES='SERIES_LEVEL=copy' run one two
expect "a variable on the command line" 0 "one two "
TEST_CACHE=yes run one two
expect "TEST_CACHE=yes" 1 ""
grep -q "TEST_CACHE='yes' is not 0 or 1" <<<"$out" || die "TEST_CACHE=yes: refused without saying why"
run one bad three
expect "a failing step" 1 "bad "
grep -q 'bad FAILED' <<<"$out" || die "a failing step: not named in the step times"
grep -q 'stopped: bad failed' <<<"$out" || die "a failing step: the total does not say the run stopped"
run one bad three
expect "a failing step again" 1 "bad "
echo "sockmap-sim: test-steps-selftest: 8 cases: steps run, passed on the same inputs, re-run after a change, TEST_CACHE=0 and a command-line variable, a bad TEST_CACHE refused, a failure stops and is not recorded"
