#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: extra-patches-selftest.sh TARBALL KVER FILES_LIST SCRATCH
#
# Shows that a patch a user passes with EXTRA_PATCHES is never silently
# left untested: extract.sh must stop with one line naming the cause for
# a file that is no patch, a patch that touches no compiled file and a
# patch that is partly outside them, and must accept the last one with
# ALLOW_UNTESTED=1, listing what stays untested in OUTDIR/.untested. A
# patch inside the compiled files applies with no such line. Uses the
# build's pristine extract (KSRC_PRISTINE), so nothing is decompressed.
set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: extra-patches-selftest: $*" >&2; exit 1; }
(( $# == 4 )) || die "usage: extra-patches-selftest.sh TARBALL KVER FILES_LIST SCRATCH"
tarball=$1 kver=$2 list=$3 scratch=${4%/}
here=$(dirname "$0")
[[ -f ${KSRC_PRISTINE:-}/.stamp ]] || die "KSRC_PRISTINE (the pristine extract) is missing"

rm -rf "$scratch"
mkdir -p "$scratch/a/net/core" "$scratch/b/net/core"
cp "$KSRC_PRISTINE/net/core/skmsg.c" "$scratch/a/net/core/"
cp "$KSRC_PRISTINE/net/core/skmsg.c" "$scratch/b/net/core/"
chmod u+w "$scratch/b/net/core/skmsg.c"
awk 'NR == 2 { print; print "/* a comment: the sim compiles this file */"; next } 1' \
	"$scratch/a/net/core/skmsg.c" >"$scratch/b/net/core/skmsg.c"
(cd "$scratch" && diff -u a/net/core/skmsg.c b/net/core/skmsg.c) >"$scratch/inside.patch" || true
cat >"$scratch/outside.patch" <<'PATCH'
--- a/net/ipv4/tcp.c
+++ b/net/ipv4/tcp.c
@@ -1,1 +1,2 @@
 // SPDX-License-Identifier: GPL-2.0-or-later
+/* a comment in a file the sim does not compile */
PATCH
cat "$scratch/inside.patch" "$scratch/outside.patch" >"$scratch/mixed.patch"
echo "this is a mail, not a patch" >"$scratch/notes.txt"

# run NAME ALLOW PATCH: extract.sh's exit status and first error line
run() {
	local out rc=0
	out=$(USER_PATCHES="$3" ALLOW_UNTESTED=$2 KSRC_PRISTINE="$KSRC_PRISTINE" \
		"$here/extract.sh" "$tarball" "$kver" "$list" "$scratch/tree-$1" "$3" 2>&1 >/dev/null) || rc=$?
	printf '%s\t%s\n' "$rc" "$(grep -m1 '^sockmap-sim: ' <<<"$out" || true)"
}

fail=0
# expect NAME ALLOW PATCH RC PATTERN: one case
expect() {
	local got rc line
	got=$(run "$1" "$2" "$3")
	rc=${got%%$'\t'*} line=${got#*$'\t'}
	if [[ $rc != "$4" || ! $line =~ $5 ]]; then
		echo "sockmap-sim: extra-patches-selftest: $1: got exit $rc '$line', want exit $4 and /$5/" >&2
		fail=1
	else
		echo "  ok       $1: exit $rc${line:+: $line}"
	fi
}
expect not-a-patch "" "$scratch/notes.txt" 1 'notes.txt is not a patch'
expect outside "" "$scratch/outside.patch" 1 'outside.patch: touches no file the sim compiles: net/ipv4/tcp.c'
expect mixed "" "$scratch/mixed.patch" 1 'mixed.patch: not tested here: net/ipv4/tcp.c .*ALLOW_UNTESTED=1'
expect mixed-allowed 1 "$scratch/mixed.patch" 0 'warning: mixed.patch: not tested here: net/ipv4/tcp.c'
grep -q 'mixed.patch: not tested here: net/ipv4/tcp.c' "$scratch/tree-mixed-allowed/.untested" ||
	{ echo "sockmap-sim: extra-patches-selftest: .untested does not list net/ipv4/tcp.c" >&2; fail=1; }
grep -q 'a comment: the sim compiles this file' "$scratch/tree-mixed-allowed/net/core/skmsg.c" ||
	{ echo "sockmap-sim: extra-patches-selftest: the compiled half of mixed.patch was not applied" >&2; fail=1; }
expect inside "" "$scratch/inside.patch" 0 '^$'
[[ ! -e $scratch/tree-inside/.untested ]] ||
	{ echo "sockmap-sim: extra-patches-selftest: a patch inside the compiled files left a .untested" >&2; fail=1; }
(( !fail )) || exit 1
rm -rf "$scratch"
echo "sockmap-sim: extra-patches-selftest: 5 cases as expected"
