#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: vm-kernel.sh NAME TARBALL KVER 'SERIES_DIR...' KWORK VMWORK FRAGMENT
#
# Builds one of the vm kernels, NAME = unpatched (pristine Linux KVER of
# the Debian TARBALL), fixes or patched (the same + each SERIES_DIR/series
# in turn, applied with git am; kernel-port/series.sh: kernel-patches/fixes
# for fixes, both series for patched), into VMWORK/NAME.bzImage:
#   1. the whole tree: KWORK/tree, shared with kernel-check
#      (kernel-port/kernel-tree.sh, under KWORK/.lock); our own source tree
#      VMWORK/src, shared by the kernels, is a clone of it.  A patched
#      kernel's commit is base + git am of its series, kept as the branch
#      NAME; each build checks out its kernel's commit first (git
#      rewrites only the files that differ, so their mtimes are newer than
#      every object built from the other content).  kernel-check resets
#      KWORK/tree on every run: nothing is built there;
#   2. VMWORK/out-NAME is configured out of tree: allnoconfig with
#      KCONFIG_ALLCONFIG = the kernel's tinyconfig fragments + FRAGMENT; every
#      option of FRAGMENT is then verified in .config.  A kernel without a
#      build of its own starts from a copy of the other's build directory
#      when that one has the same configuration: same source path, same
#      .config, so kbuild rebuilds only what the series changes;
#   3. bzImage is built (-j VM_JOBS, default 2), log VMWORK/build-NAME.log.
# Stamps (VMWORK/.NAME-*-stamp) key each step on what matters: the tarball
# (path, size, mtime, KVER, package version), the series (names and
# contents; not for unpatched), the fragment and the compiler.  A warm run does
# nothing but check them, without any lock; a changed patch re-applies the
# series (git only rewrites the files that differ) and rebuilds
# incrementally.  One kernel build at a time (VMWORK/.build-lock, which
# also guards the shared source tree).
#
# make review REVIEW_VM=1 builds two more, review-base and review: the
# first VM_SERIES_UPTO patches of the SERIES_DIRs (the reviewed level), and
# for review the mailed VM_EXTRA_PATCHES after them, applied with patch(1)
# and up to VM_PATCH_FUZZ (2) lines of fuzz as the sim's tree applies them
# (git am takes no fuzz), committed as one commit each.  They start from
# the nearest of the three kernels' builds.
#
# Environment: KPKG, KPKG_VERSION, PATCH_IDENTITY (committer of git am),
# VM_JOBS, V=1 (set -x, kbuild V=1 in the log); VM_SERIES_UPTO,
# VM_EXTRA_PATCHES, VM_PATCH_FUZZ (review kernels only).

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

(( $# == 7 )) || { echo "sockmap-sim: vm: usage: vm-kernel.sh NAME TARBALL KVER 'SERIES_DIR...' KWORK VMWORK FRAGMENT" >&2; exit 1; }
name=$1 tarball=$2 kver=$3 fragment=$(realpath "$7")
read -r -a series_dirs <<<"$4"
die() { echo "sockmap-sim: vm: $name: $*" >&2; exit 1; }
progress() { printf '  %-9s %s\n' "$1" "$2"; }
elapsed() { echo "$(( SECONDS - $1 )) s"; }

case $name in
unpatched | fixes | patched) [[ -z ${VM_SERIES_UPTO:-}${VM_EXTRA_PATCHES:-} ]] ||
	die "VM_SERIES_UPTO and VM_EXTRA_PATCHES are for the review kernels" ;;
review-base) [[ -z ${VM_EXTRA_PATCHES:-} ]] || die "VM_EXTRA_PATCHES is for the review kernel" ;;
review) [[ -n ${VM_EXTRA_PATCHES:-} ]] || die "the review kernel needs VM_EXTRA_PATCHES" ;;
*) die "NAME must be unpatched, fixes, patched, review-base or review" ;;
esac
fuzz=${VM_PATCH_FUZZ:-2}
[[ $fuzz =~ ^[0-9]$ ]] || die "VM_PATCH_FUZZ=$fuzz is not a number of lines (0-9)"
: "${KPKG:?}" "${KPKG_VERSION:?}" "${PATCH_IDENTITY:?}"
[[ $PATCH_IDENTITY =~ ^(.+)\ \<([^<>]+)\>$ ]] ||
	die "PATCH_IDENTITY '$PATCH_IDENTITY' is not 'Name <email>'"
ident_name=${BASH_REMATCH[1]} ident_email=${BASH_REMATCH[2]}
jobs=${VM_JOBS:-2}
[[ -f $fragment ]] || die "$fragment not found"

unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL GNUMAKEFLAGS
unset LC_CTYPE LC_MESSAGES
export LC_ALL=C LANG=C GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_COMMITTER_NAME=$ident_name GIT_COMMITTER_EMAIL=$ident_email

mkdir -p "$5" "$6"
kwork=$(realpath "$5") vmwork=$(realpath "$6")
src=$vmwork/src out=$vmwork/out-$name
# Every build runs in one fixed directory, VMWORK/kbuild: kbuild and the
# tools it builds (objtool, which every object depends on) record their
# output path in their commands, so a build directory only carries over
# to the other kernel if it is built at the same path.  Between builds it
# is parked at VMWORK/out-NAME.
kb=$vmwork/kbuild
image=$vmwork/$name.bzImage
git_s() { git -C "$src" "$@"; }

# --- the series (not for unpatched) ---------------------------------------------

patches=() extras=()
series_key=none
nfixes=0
if [[ $name != unpatched ]]; then
	# shellcheck source=kernel-port/series.sh
	. "$(dirname "$(realpath "$0")")/../kernel-port/series.sh"
	series_read "${series_dirs[@]}"
	for n in "${names[@]}"; do [[ $n == fixes/* ]] && nfixes=$((nfixes + 1)); done
	if [[ -n ${VM_SERIES_UPTO:-} ]]; then
		[[ $VM_SERIES_UPTO =~ ^[0-9]+$ ]] && (( VM_SERIES_UPTO <= ${#patches[@]} )) ||
			die "VM_SERIES_UPTO=$VM_SERIES_UPTO is not a count from 0 to ${#patches[@]}"
		patches=("${patches[@]:0:VM_SERIES_UPTO}") names=("${names[@]:0:VM_SERIES_UPTO}")
	fi
	for p in ${VM_EXTRA_PATCHES:-}; do
		[[ -f $p ]] || die "VM_EXTRA_PATCHES: $p not found"
		extras+=("$(realpath "$p")")
	done
	series_key=$({ for i in "${!patches[@]}"; do
		printf '%s ' "${names[i]}"; sha256sum <"${patches[i]}"; done
		for p in "${extras[@]}"; do printf 'extra fuzz %s ' "$fuzz"; sha256sum <"$p"; done; } |
		sha256sum | cut -c1-16)
fi

# --- keys, and the warm path --------------------------------------------------------

# The tree is keyed by the tarball (as kernel-tree.sh keys its extraction):
# a warm run needs neither the shared tree nor its lock.
tree_key="$kver $KPKG $KPKG_VERSION $(realpath "$tarball") $(stat -c '%s %Y' "$tarball" 2>/dev/null || echo missing)"
src_key="$tree_key $series_key"
# The layout of the source tree (one shared tree since the series could
# make the patched build incremental): a build made in an older layout is
# not reused.
layout=shared-src-2
cfg_key="$tree_key $(sha256sum <"$fragment" | cut -c1-16) $(gcc --version | head -n 1)"
build_key="$layout $src_key | $cfg_key"

kbuild_v=()
[[ ${V:-} == 1 ]] && kbuild_v=(V=1)
kmake() {
	make -C "$src" O="$kb" ARCH=x86_64 -j"$jobs" LOCALVERSION="-sockmap-sim-$name" \
		KBUILD_BUILD_USER=sockmap-sim KBUILD_BUILD_HOST=sockmap-sim "${kbuild_v[@]}" "$@"
}

# Every option of the fragment, as asked.
verify_config() {
	local line cfg=$1/.config
	while IFS= read -r line; do
		if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			grep -qxF "$line" "$cfg" ||
				die "${BASH_REMATCH[1]} is not =${BASH_REMATCH[2]} in $cfg (a dependency is missing? see vm/kernel.config)"
		elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			! grep -q "^${BASH_REMATCH[1]}=" "$cfg" ||
				die "${BASH_REMATCH[1]} is set in $cfg, vm/kernel.config says it must not be"
		fi
	done <"$fragment"
}

exit_if_cached() {
	if [[ -f $image && -f $out/.config &&
			$(cat "$vmwork/.$name-build-stamp" 2>/dev/null) == "$build_key" ]]; then
		verify_config "$out"
		progress VM-KERNEL "$name (cached: $image)"
		exit 0
	fi
}
exit_if_cached

exec 8>"$vmwork/.build-lock"
if ! flock -n 8; then
	echo "sockmap-sim: vm: $name: waiting for the other vm kernel build in $vmwork" >&2
	flock 8
	exit_if_cached
fi

# --- 1. source tree ------------------------------------------------------------------

# The shared clone of the tree, with base (keyed on the tarball alone).
if [[ $(cat "$vmwork/.src-stamp" 2>/dev/null) != "$layout $tree_key" ]] ||
		! git_s rev-parse -q --verify base >/dev/null 2>&1; then
	t0=$SECONDS
	rm -f "$vmwork"/.*-src-stamp "$vmwork"/.*-build-stamp "$vmwork/.src-stamp"
	# A new tree: every build is redone, each build directory from
	# scratch (a kernel without one is then seeded from the other's),
	# and the trees of the layout before (one per kernel, gigabytes) go.
	for old in "$vmwork"/src-unpatched "$vmwork"/src-patched "$vmwork"/out-* "$kb"; do
		[[ -d $old ]] || continue
		progress VM-SRC "removing $old (a new source tree)"
		rm -rf "$old"
	done
	log=$vmwork/src.log
	: >"$log"
	# The shared tree, under kernel-check's lock (it resets the tree).
	exec 9>"$kwork/.lock"
	if ! flock -n 9; then
		echo "sockmap-sim: vm: $name: waiting for kernel-check in $kwork" >&2
		flock 9
	fi
	"$(dirname "$(realpath "$0")")/../kernel-port/kernel-tree.sh" "$tarball" "$kver" "$kwork" || exit 1
	if ! git_s rev-parse -q --verify HEAD >/dev/null 2>&1; then
		rm -rf "$src"
		progress VM-SRC "clone of $kwork/tree"
		git clone -q --no-checkout "$kwork/tree" "$src" >>"$log" 2>&1 ||
			die "cannot clone $kwork/tree (see $log)"
		git_s config gc.auto 0
	fi
	git_s fetch -q -f "$kwork/tree" '+refs/tags/base:refs/tags/base' >>"$log" 2>&1 ||
		die "cannot fetch base from $kwork/tree (see $log)"
	flock -u 9
	exec 9>&-
	echo "$layout $tree_key" >"$vmwork/.src-stamp"
	progress VM-SRC "base, $(elapsed "$t0")"
fi

# This kernel's commit: base, or the branch NAME (base + its series).
rev=base
log=$vmwork/src-$name.log
if [[ $name != unpatched ]]; then
	rev=refs/heads/$name
	if [[ $(cat "$vmwork/.$name-src-stamp" 2>/dev/null) != "$src_key" ]] ||
			! git_s rev-parse -q --verify "$rev" >/dev/null 2>&1; then
		t0=$SECONDS
		rm -f "$vmwork/.$name-src-stamp" "$vmwork/.$name-build-stamp"
		: >"$log"
		# The commit is made in a worktree of its own, sparse (only the
		# files the patches touch): the shared tree then goes from what
		# it has checked out to the new commit in one checkout below,
		# which rewrites only the files whose content differs. git am in
		# the shared tree would first rewrite every file of the series
		# back to base, and kbuild would rebuild all that includes them
		# (130 objects of the patched kernel for a change to one patch).
		wt=$vmwork/am-tree
		git_s worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
		git_s worktree prune
		touched=$(cat "${patches[@]}" "${extras[@]}" /dev/null |
			sed -n -e 's|^diff --git a/\([^ ]*\) b/.*|/\1|p' -e 's|^+++ b/\(.*\)|/\1|p' | sort -u)
		{ git_s worktree add -q --no-checkout --detach "$wt" base &&
			git -C "$wt" sparse-checkout set --no-cone ${touched:-/MAINTAINERS} &&
			git -C "$wt" checkout -q --detach base; } >>"$log" 2>&1 ||
			die "cannot make the worktree $wt for git am (see $log)"
		for p in "${patches[@]}"; do
			echo "=== git am $(basename "$p")" >>"$log"
			if ! git -C "$wt" am -q --no-3way "$p" >>"$log" 2>&1; then
				git -C "$wt" am --abort >/dev/null 2>&1 || true
				die "$(basename "$p") does not apply with git am (see $log)"
			fi
		done
		# Mailed patches: with fuzz, as the sim's tree takes them; every
		# offset and fuzz is in the log.
		for p in "${extras[@]}"; do
			echo "=== patch -p1 -F$fuzz $(basename "$p")" >>"$log"
			if ! (cd "$wt" && patch -p1 -F"$fuzz" --no-backup-if-mismatch <"$p") >>"$log" 2>&1; then
				die "$(basename "$p") does not apply with patch -F$fuzz (see $log)"
			fi
			{ git -C "$wt" add -A && git -C "$wt" -c user.name="$ident_name" -c user.email="$ident_email" \
				commit -q --no-verify -m "review: $(basename "$p")"; } >>"$log" 2>&1 ||
				die "cannot commit $(basename "$p") in $wt (see $log)"
		done
		git_s update-ref "$rev" "$(git -C "$wt" rev-parse HEAD)"
		git_s worktree remove --force "$wt" >>"$log" 2>&1 || rm -rf "$wt"
		git_s worktree prune
		echo "$src_key" >"$vmwork/.$name-src-stamp"
		progress VM-SRC "$name: base + ${#patches[@]} patches (git am)${extras:+ + ${#extras[@]} mailed (patch -F$fuzz)}, $(elapsed "$t0")"
	fi
else
	echo "$src_key" >"$vmwork/.$name-src-stamp"
fi
# Only the files that differ are rewritten: kbuild rebuilds what they touch.
git_s am --abort >/dev/null 2>&1 || true
{ git_s checkout -q -f --detach "$rev" && git_s clean -q -f -d -x; } >>"$log" 2>&1 ||
	die "cannot check out $rev in $src (see $log)"

# --- 2. configuration ----------------------------------------------------------------

tiny=(kernel/configs/tiny-base.config kernel/configs/tiny.config arch/x86/configs/tiny.config)
# A build directory left at the fixed path by a build that was stopped
# goes back to its kernel's place first.
if [[ -d $kb ]]; then
	owner=$(cat "$kb/.sim-vm-name" 2>/dev/null || true)
	case $owner in
	unpatched | fixes | patched | review-base | review) rm -rf "$vmwork/out-$owner"; mv "$kb" "$vmwork/out-$owner" ;;
	*) rm -rf "$kb" ;;
	esac
fi
# No build directory of our own yet: start from the other kernel's when it
# was built with the same configuration (the same source tree and build
# path, so the same commands: only what the series changes is rebuilt).
# The nearest first: fixes is unpatched + kernel-patches/fixes, patched is
# fixes + kernel-patches/splice.
case $name in
unpatched) others=(fixes patched) ;;
fixes) others=(unpatched patched) ;;
patched) others=(fixes unpatched) ;;
# the review kernels: the three by how many patches they share, then each other
*)
	if (( ${#patches[@]} == 0 )); then others=(unpatched fixes patched)
	elif (( ${#patches[@]} <= nfixes )); then others=(fixes unpatched patched)
	else others=(patched fixes unpatched); fi
	[[ $name == review ]] && others=(review-base "${others[@]}")
	;;
esac
# A build directory made with another configuration is rebuilt almost
# whole by kbuild: when a kernel with this configuration is built already,
# starting from a copy of it costs only what the series changes.
if [[ -f $out/.config && $(cat "$vmwork/.$name-config-stamp" 2>/dev/null) != "$cfg_key" ]]; then
	for other in "${others[@]}"; do
		if [[ -f $vmwork/out-$other/.config &&
				$(cat "$vmwork/.$other-config-stamp" 2>/dev/null) == "$cfg_key" &&
				$(cat "$vmwork/.$other-build-stamp" 2>/dev/null) == "$layout "* ]]; then
			progress VM-SEED "$name: its build has another configuration, the $other kernel's has this one"
			rm -rf "$out"
			break
		fi
	done
fi
if [[ ! -f $out/.config ]]; then
	for other in "${others[@]}"; do
		[[ $other != "$name" && -f $vmwork/out-$other/.config &&
			$(cat "$vmwork/.$other-config-stamp" 2>/dev/null) == "$cfg_key" &&
			$(cat "$vmwork/.$other-build-stamp" 2>/dev/null) == "$layout "* ]] || continue
		t0=$SECONDS
		rm -rf "$out" "$out.tmp"
		cp -a "$vmwork/out-$other" "$out.tmp"
		mv "$out.tmp" "$out"
		echo "$cfg_key" >"$vmwork/.$name-config-stamp"
		progress VM-SEED "$name: from the $other kernel's build, $(elapsed "$t0")"
		break
	done
fi
mkdir -p "$out"
mv "$out" "$kb"
echo "$name" >"$kb/.sim-vm-name"
trap 'mv "$kb" "$out"' EXIT
if [[ ! -f $kb/.config || $(cat "$vmwork/.$name-config-stamp" 2>/dev/null) != "$cfg_key" ]]; then
	rm -f "$vmwork/.$name-config-stamp" "$vmwork/.$name-build-stamp"
	all=$vmwork/$name-allconfig
	{
		for f in "${tiny[@]}"; do
			[[ -f $src/$f ]] || die "$src/$f not found (not a 6.12 tree?)"
			echo "# --- $f"; cat "$src/$f"
		done
		echo "# --- vm/kernel.config"; cat "$fragment"
	} >"$all"
	progress VM-KCONF "$name"
	KCONFIG_ALLCONFIG=$all kmake allnoconfig >"$vmwork/config-$name.log" 2>&1 ||
		die "configuration failed (see $vmwork/config-$name.log)"
	echo "$cfg_key" >"$vmwork/.$name-config-stamp"
fi
verify_config "$kb"

# --- 3. build --------------------------------------------------------------------------

t0=$SECONDS
log=$vmwork/build-$name.log
progress VM-BUILD "$name (log: $log)"
if ! kmake bzImage >"$log" 2>&1; then
	err=$(grep -a -m1 -E 'error:|\*\*\*' "$log" | sed -e "s|$src/||g" || true)
	die "kernel build failed${err:+: $err} (see $log)"
fi
cp "$kb/arch/x86/boot/bzImage" "$image.tmp"
mv "$image.tmp" "$image"
echo "$build_key" >"$vmwork/.$name-build-stamp"
release=$(cat "$kb/include/config/kernel.release" 2>/dev/null || echo '?')
progress VM-KERNEL "$name: $release, $(stat -c %s "$image") bytes, $(elapsed "$t0")"
