#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: kernel-check.sh TARBALL KVER 'SERIES_DIR...' WORKDIR
#
# Proves that the patch series SERIES_DIR/series (each of the
# space-separated directories in turn: kernel-patches/fixes, then
# kernel-patches/splice on top) apply the way maintainers apply patches,
# and build, in the real kernel tree of TARBALL:
#   1. the WHOLE tarball is extracted once into WORKDIR/tree (its Makefile
#      must say KVER), which becomes a git repository with one commit,
#      tagged `base` (cached by WORKDIR/.tree-stamp; kernel-tree.sh, shared
#      with the vm kernels);
#   2. branch `series` is reset to `base` and every patch named in each
#      SERIES_DIR/series (quilt style: '#' comments, blank lines and anything
#      after the name ignored; kernel-port/series.sh) is applied in order
#      with `git am`;
#   3. WORKDIR/out is configured out of tree: x86_64_defconfig plus the
#      options in CONFIG_OPTS below, each verified =y after olddefconfig,
#      minus CONFIG_WERROR (warnings are compared with the baseline, not
#      fatal by themselves), and `make prepare` is run (cached by stamps);
#   4. KCHECK_OBJS plus the object of every .c file the series touches are
#      built with W=1, first at `base` (the baseline warnings, cached per
#      base tree, config, compiler and object list), then at each commit of
#      the series in turn; every "warning:" line not in the baseline
#      (compared without line:column numbers) and every compile error fails,
#      naming the patch;
#   5. scripts/checkpatch.pl --strict on every patch file of the series:
#      any error, warning or check fails, except UNKNOWN_COMMIT_ID: the
#      one-commit tree has no history, so the ids of Fixes: tags cannot be
#      looked up (the cover letters say how each was verified).
# Exit 1 on any failure, after the summary line.
#
# Environment (kernel-port/kernel-check.mk sets it):
#   KPKG, KPKG_VERSION  Debian source package and version (base commit message)
#   PATCH_IDENTITY      "Name <email>": committer of the base and of git am
#   KCHECK_OBJS         objects always built (space separated)
#   KCHECK_JOBS         parallel kbuild jobs (2)
#   KCHECK_CACHE=0      check again although a run passed on the same inputs
#   V=1                 trace the commands (set -x); kbuild V=1 in the logs
#
# Logs: WORKDIR/*.log.  Only one kernel-check runs per WORKDIR at a time
# (WORKDIR/.lock).  The tree is reset by every run: don't work in it.

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: kernel-check: $*" >&2; exit 1; }
fail() { echo "sockmap-sim: kernel-check: $*" >&2; }
progress() { printf '  %-8s %s\n' "$1" "$2"; }

(( $# == 4 )) || die "usage: kernel-check.sh TARBALL KVER 'SERIES_DIR...' WORKDIR"
tarball=$1 kver=$2
read -r -a series_dirs <<<"$3"
: "${KPKG:?}" "${KPKG_VERSION:?}" "${PATCH_IDENTITY:?}"
jobs=${KCHECK_JOBS:-2}
read -r -a fixed_objs <<<"${KCHECK_OBJS:-}"

CONFIG_OPTS=(BPF_SYSCALL CGROUP_BPF BPF_STREAM_PARSER NET_SOCK_MSG INET IPV6)
# x86_64_defconfig sets WERROR=y, which would turn a new warning into an error.
CONFIG_OPTS_OFF=(WERROR)

[[ $kver =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || die "bad KVER '$kver' (want e.g. 6.12.117)"
[[ $kver == *.*.* ]] && kver_full=$kver || kver_full=$kver.0
[[ $PATCH_IDENTITY =~ ^(.+)\ \<([^<>]+)\>$ ]] ||
	die "PATCH_IDENTITY '$PATCH_IDENTITY' is not 'Name <email>'"
ident_name=${BASH_REMATCH[1]} ident_email=${BASH_REMATCH[2]}

# kbuild must not inherit the top-level make's command line (O=, V=, -j...).
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL GNUMAKEFLAGS
# Plain ASCII diagnostics (kbuild unexports LC_ALL: set LANG too); git
# independent of the user's configuration.
unset LC_CTYPE LC_MESSAGES
export LC_ALL=C LANG=C GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# --- the series ----------------------------------------------------------------

# shellcheck source=kernel-port/series.sh
. "$(dirname "$(realpath "$0")")/series.sh"
series_read "${series_dirs[@]}"

# --- work directory, lock ------------------------------------------------------

mkdir -p "$4"
work=$(realpath "$4")
tree=$work/tree out=$work/out
exec 9>"$work/.lock"
if ! flock -n 9; then
	echo "sockmap-sim: kernel-check: waiting for the other kernel-check in $work" >&2
	flock 9
fi

# --- a verdict on the same inputs ------------------------------------------------

# The verdict depends on the patches (names, contents, order), the tree
# (the tarball: path, size, mtime; KVER, the package), the toolchain (gcc,
# binutils, perl for checkpatch), the objects and options, and these
# scripts.  A run that passed on exactly those inputs is not repeated;
# KCHECK_CACHE=0 checks again.
here=$(dirname "$(realpath "$0")")
[[ ${KCHECK_CACHE:-1} == [01] ]] || die "KCHECK_CACHE='$KCHECK_CACHE' is not 0 or 1"
verdict_key=$( {
	for i in "${!patches[@]}"; do
		printf '%s ' "${names[i]}"
		sha256sum <"${patches[i]}"
	done
	echo "$(realpath "$tarball") $(stat -c '%s %Y' "$tarball" 2>/dev/null) $kver $KPKG $KPKG_VERSION $PATCH_IDENTITY"
	echo "${fixed_objs[*]} ${CONFIG_OPTS[*]} -${CONFIG_OPTS_OFF[*]}"
	gcc --version | head -n 1
	ld --version | head -n 1
	perl -e 'print "$^V\n"'
	cat "$here/kernel-check.sh" "$here/series.sh" "$here/kernel-tree.sh"
} | sha256sum | cut -c1-32)
if [[ ${KCHECK_CACHE:-1} == 1 && -f $work/.pass &&
		$(head -n 1 "$work/.pass") == "$verdict_key" ]]; then
	echo "sockmap-sim: kernel-check: $(sed -n 2p "$work/.pass") (passed at $(sed -n 3p "$work/.pass") on the same patches, tree and toolchain; KCHECK_CACHE=0 checks again)"
	exit 0
fi
rm -f "$work/.pass"

git_t() { git -C "$tree" "$@"; }
kbuild_v=()
[[ ${V:-} == 1 ]] && kbuild_v=(V=1)
kmake() { make -C "$tree" O="$out" -j"$jobs" "${kbuild_v[@]}" "$@"; }
elapsed() { echo "$(( SECONDS - $1 )) s"; }

# --- 1. the whole tree, one commit tagged base ------------------------------------

# kernel-port/kernel-tree.sh (shared with the vm kernels), under our lock.
"$(dirname "$(realpath "$0")")/kernel-tree.sh" "$tarball" "$kver" "$work" || exit 1

# --- 2. git am the series onto a fresh branch ----------------------------------

git_t am --abort >/dev/null 2>&1 || true
git_t checkout -q -f -B series base
git_t clean -q -f -d -x
am_log=$work/am.log
: >"$am_log"
commits=()
for i in "${!patches[@]}"; do
	echo "=== git am ${names[i]}" >>"$am_log"
	if ! git_t am --no-3way "${patches[i]}" >>"$am_log" 2>&1; then
		git_t am --abort >/dev/null 2>&1 || true
		die "${names[i]} does not apply with git am (see $am_log)"
	fi
	commits+=("$(git_t rev-parse HEAD)")
done
progress GIT-AM "${#patches[@]} patches onto base (branch series)"

# The objects: KCHECK_OBJS plus those of the .c files the series touches.
objs=()
declare -A have_obj=()
add_obj() { [[ -n ${have_obj[$1]:-} ]] || { have_obj[$1]=1; objs+=("$1"); }; }
for o in "${fixed_objs[@]}"; do add_obj "$o"; done
while IFS= read -r f; do
	# .c files there are user space or host programs, not kernel objects.
	case $f in tools/* | scripts/* | samples/* | usr/* | Documentation/*) continue ;; esac
	add_obj "${f%.c}.o"
done < <(git_t diff --name-only --diff-filter=d base series -- '*.c')
(( ${#objs[@]} )) || die "no objects to build (KCHECK_OBJS is empty and the series touches no .c file)"

# --- 3. configure, prepare -----------------------------------------------------

cfg_params="x86_64_defconfig ${CONFIG_OPTS[*]} -${CONFIG_OPTS_OFF[*]} $(git_t rev-parse 'base^{tree}')"
if [[ ! -f $out/.config || $(cat "$work/.config-stamp" 2>/dev/null) != "$cfg_params" ]]; then
	t0=$SECONDS
	rm -rf "$out" "$work/.config-stamp" "$work/.prepare-stamp" "$work"/baseline.*
	mkdir -p "$out"
	set_opts=()
	for c in "${CONFIG_OPTS[@]}"; do set_opts+=(-e "$c"); done
	for c in "${CONFIG_OPTS_OFF[@]}"; do set_opts+=(-d "$c"); done
	{
		kmake x86_64_defconfig &&
		"$tree/scripts/config" --file "$out/.config" "${set_opts[@]}" &&
		kmake olddefconfig
	} >"$work/config.log" 2>&1 || die "configuration failed (see $work/config.log)"
	echo "$cfg_params" >"$work/.config-stamp"
	progress CONFIG "x86_64_defconfig + ${CONFIG_OPTS[*]} - ${CONFIG_OPTS_OFF[*]}, $(elapsed "$t0")"
fi
for c in "${CONFIG_OPTS[@]}"; do
	grep -qx "CONFIG_$c=y" "$out/.config" ||
		die "CONFIG_$c is not =y in $out/.config after olddefconfig (a dependency is missing?)"
done
for c in "${CONFIG_OPTS_OFF[@]}"; do
	! grep -q "^CONFIG_$c=" "$out/.config" ||
		die "CONFIG_$c is still set in $out/.config after olddefconfig"
done
if [[ ! -f $work/.prepare-stamp ]]; then
	t0=$SECONDS
	kmake W=1 prepare >"$work/prepare.log" 2>&1 || die "make prepare failed (see $work/prepare.log)"
	touch "$work/.prepare-stamp"
	progress PREPARE "$out, $(elapsed "$t0")"
fi

# --- 4. build at base, then after each patch -------------------------------------

# build LOG: builds, with W=1, the objects whose .c exists in the tree as it
# is checked out now; sets nbuilt (how many were compiled).
build() {
	local log=$1 o present=() marker=$work/.build-marker
	for o in "${objs[@]}"; do
		[[ -f $tree/${o%.o}.c ]] && present+=("$o")
	done
	touch "$marker"
	local rc=0
	kmake -k W=1 "${present[@]}" >"$log" 2>&1 || rc=$?
	nbuilt=$(cd "$out" && { find "${present[@]}" -newer "$marker" 2>/dev/null || true; } | wc -l)
	return $rc
}

# warnings_of LOG: its "warning:" lines, paths relative to the tree.
warnings_of() {
	awk -v tree="$tree/" -v out="$out/" '
		function strip(l, p,   i) {
			while ((i = index(l, p)) > 0)
				l = substr(l, 1, i - 1) substr(l, i + length(p))
			return l
		}
		/warning:/ { print strip(strip($0, tree), out) }' "$1"
}

# new_warnings BASE STEP: the lines of STEP not in BASE (as a multiset),
# compared without line:column numbers and objtool +0x offsets.
new_warnings() {
	awk '
		function norm(l,   p) {
			if (match(l, /^[^ :]+:[0-9]+(:[0-9]+)?:/)) {
				p = substr(l, 1, RLENGTH)
				sub(/:[0-9]+(:[0-9]+)?:$/, ":", p)
				l = p substr(l, RLENGTH + 1)
			}
			gsub(/\+0x[0-9a-f]+(\/0x[0-9a-f]+)?/, "", l)
			return l
		}
		FILENAME == ARGV[1] { seen[norm($0)]++; next }
		{ k = norm($0); if (seen[k] > 0) seen[k]--; else print }' "$1" "$2"
}

log_name() { local n=${1%.patch}; echo "$work/build-${n//\//-}.log"; }

baseline=$work/baseline.warn
base_objs=()
for o in "${objs[@]}"; do
	git_t cat-file -e "base:${o%.o}.c" 2>/dev/null && base_objs+=("$o")
done
base_key="$(git_t rev-parse 'base^{tree}') $cfg_params $(gcc --version | head -n 1) W=1 ${base_objs[*]}"
if [[ ! -f $baseline || $(cat "$work/baseline.key" 2>/dev/null) != "$base_key" ]]; then
	t0=$SECONDS
	rm -f "$baseline" "$work/baseline.key"
	git_t checkout -q base
	(cd "$out" && rm -f "${base_objs[@]}")		# compile them all: every warning
	build "$work/build-base.log" || die "the objects do not build at base (see $work/build-base.log)"
	warnings_of "$work/build-base.log" >"$baseline"
	echo "$base_key" >"$work/baseline.key"
	progress KCHECK "base  ($nbuilt objects, $(wc -l <"$baseline") warnings, $(elapsed "$t0"))"
else
	progress KCHECK "base  (cached: $(wc -l <"$baseline") warnings)"
fi

nnew=0 nbroken=0
for i in "${!patches[@]}"; do
	t0=$SECONDS
	name=${names[i]} log=$(log_name "${names[i]}")
	git_t checkout -q "${commits[i]}"
	status=ok
	if ! build "$log"; then
		status="BUILD FAILED"
		nbroken=$(( nbroken + 1 ))
		fail "$name: does not build (see $log)"
		# The compiler's errors, else make's (e.g. "No rule to make target").
		errs=$(grep -a 'error:' "$log" || grep -a -F '***' "$log" || true)
		head -n 5 <<<"$errs" | sed -e "s|$tree/||g" -e 's/^/    /' >&2
	fi
	warnings_of "$log" >"${log%.log}.warn"
	mapfile -t new < <(new_warnings "$baseline" "${log%.log}.warn")
	for w in "${new[@]}"; do
		fail "$name: new warning: $w"
	done
	nnew=$(( nnew + ${#new[@]} ))
	if (( ${#new[@]} )); then
		if [[ $status == ok ]]; then status="new warnings: ${#new[@]}"
		else status+=", new warnings: ${#new[@]}"; fi
	fi
	progress KCHECK "$name  ($nbuilt rebuilt, $status, $(elapsed "$t0"))"
done
git_t checkout -q series

# --- 5. checkpatch --strict ------------------------------------------------------

cp_log=$work/checkpatch.log
: >"$cp_log"
cp_err=0 cp_warn=0 cp_chk=0 cp_bad=0
for i in "${!patches[@]}"; do
	name=${names[i]}
	out_cp=$(cd "$tree" && ./scripts/checkpatch.pl --strict --ignore UNKNOWN_COMMIT_ID \
		"${patches[i]}" 2>&1) || true
	printf '=== %s\n%s\n' "$name" "$out_cp" >>"$cp_log"
	# "total: 0 errors, 0 warnings, 0 checks, 120 lines checked"
	if [[ $out_cp =~ total:\ ([0-9]+)\ errors?,\ ([0-9]+)\ warnings?,\ ([0-9]+)\ checks? ]]; then
		e=${BASH_REMATCH[1]} w=${BASH_REMATCH[2]} c=${BASH_REMATCH[3]}
	else
		fail "$name: checkpatch.pl printed no total (see $cp_log)"
		cp_bad=$(( cp_bad + 1 ))
		continue
	fi
	cp_err=$(( cp_err + e )) cp_warn=$(( cp_warn + w )) cp_chk=$(( cp_chk + c ))
	progress CHECKPATCH "$name: $e errors, $w warnings, $c checks"
	if (( e + w + c )); then
		fail "$name: checkpatch --strict: $e errors, $w warnings, $c checks (see $cp_log)"
		grep -E '^(ERROR|WARNING|CHECK):' <<<"$out_cp" | sed -e 's/^/    /' >&2 || true
		cp_bad=$(( cp_bad + 1 ))
	fi
done

# --- summary ---------------------------------------------------------------------

n=${#patches[@]}
if (( nbroken )); then
	built="${#objs[@]} objects with W=1: $nbroken of $n patches do not build, $nnew new warning$( (( nnew == 1 )) || echo s)"
else
	built="${#objs[@]} objects build after each patch with W=1, $nnew new warning$( (( nnew == 1 )) || echo s)"
fi
summary="$n patches apply with git am; $built; checkpatch --strict: $cp_err errors, $cp_warn warnings, $cp_chk checks"
if (( nbroken + nnew + cp_bad )); then
	die "FAILED: $summary"
fi
echo "sockmap-sim: kernel-check: $summary"
printf '%s\n%s\n%s\n' "$verdict_key" "$summary" "$(date -u '+%Y-%m-%d %H:%M UTC')" >"$work/.pass"
