#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: kernel-tree.sh TARBALL KVER WORKDIR
#
# The whole kernel tree of TARBALL as a git repository, shared by
# kernel-check.sh and the vm kernels (vm/vm-kernel.sh): the tarball is
# extracted once into WORKDIR/tree (its Makefile must say KVER), which gets
# one commit, tagged `base`, committed as PATCH_IDENTITY.  Cached by
# WORKDIR/.tree-stamp (KVER, package, tarball path, size and mtime): a warm
# call only reads the stamp and checks that `base` exists.
#
# A (re)extraction also removes what was derived from the previous tree in
# WORKDIR: out/, the other .*-stamp files, baseline.* (kernel-check's).
#
# The caller holds WORKDIR/.lock (flock), as kernel-check.sh does for its
# whole run: the tree is shared.
#
# Environment: KPKG, KPKG_VERSION (the base commit message), PATCH_IDENTITY
# ("Name <email>"), V=1 (set -x).  Log: WORKDIR/extract.log.

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: kernel-tree: $*" >&2; exit 1; }
progress() { printf '  %-8s %s\n' "$1" "$2"; }

(( $# == 3 )) || die "usage: kernel-tree.sh TARBALL KVER WORKDIR"
tarball=$1 kver=$2
: "${KPKG:?}" "${KPKG_VERSION:?}" "${PATCH_IDENTITY:?}"
[[ $kver =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || die "bad KVER '$kver' (want e.g. 6.12.117)"
[[ $kver == *.*.* ]] && kver_full=$kver || kver_full=$kver.0
[[ $PATCH_IDENTITY =~ ^(.+)\ \<([^<>]+)\>$ ]] ||
	die "PATCH_IDENTITY '$PATCH_IDENTITY' is not 'Name <email>'"
ident_name=${BASH_REMATCH[1]} ident_email=${BASH_REMATCH[2]}

unset LC_CTYPE LC_MESSAGES
export LC_ALL=C LANG=C GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

mkdir -p "$3"
work=$(realpath "$3")
tree=$work/tree out=$work/out
elapsed() { echo "$(( SECONDS - $1 )) s"; }

tree_version() {
	awk '$2 == "=" && $1 == "VERSION" { v = $3 }
	     $2 == "=" && $1 == "PATCHLEVEL" { p = $3 }
	     $2 == "=" && $1 == "SUBLEVEL" { s = $3 }
	     END { print v "." p "." s }' "$1"
}

extract_tree() {
	local tmp=$work/tree.tmp log=$work/extract.log t0=$SECONDS v
	progress EXTRACT "$tarball (whole tree)"
	rm -rf "$tmp" "$tree" "$out" "$work"/.*-stamp "$work"/baseline.*
	mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 >"$log" 2>&1 ||
		die "cannot extract $tarball (see $log)"
	v=$(tree_version "$tmp/Makefile")
	[[ $v == "$kver_full" ]] || die "$tarball contains Linux $v, expected $kver"
	# Debian's .gitignore ignores the top level: add -f.
	{
		git -C "$tmp" init -q &&
		git -C "$tmp" config user.name "$ident_name" &&
		git -C "$tmp" config user.email "$ident_email" &&
		git -C "$tmp" config gc.auto 0 &&
		git -C "$tmp" add -f . &&
		git -C "$tmp" commit -q -m "Linux $kver ($KPKG_DEBIAN_NAME)" &&
		git -C "$tmp" tag base
	} >>"$log" 2>&1 || die "cannot make $tmp a git repository (see $log)"
	mv "$tmp" "$tree"
	echo "$tree_params" >"$work/.tree-stamp"
	progress GIT "base = Linux $kver ($KPKG_DEBIAN_NAME), $(elapsed "$t0")"
}

[[ -f $tarball ]] || die "$tarball not found (install $KPKG=$KPKG_VERSION: make deps)"
KPKG_DEBIAN_NAME="Debian $KPKG $KPKG_VERSION"
tree_params="$kver $KPKG_DEBIAN_NAME $(realpath "$tarball") $(stat -c '%s %Y' "$tarball")"
if [[ $(cat "$work/.tree-stamp" 2>/dev/null) != "$tree_params" ]] ||
		! git -C "$tree" rev-parse -q --verify 'base^{commit}' >/dev/null 2>&1; then
	extract_tree
fi
