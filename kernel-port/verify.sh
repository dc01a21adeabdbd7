#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: [DEPFILES="a.d b.d"] verify.sh TARBALL KVER FILES_LIST COMPILED_DIR [PATCH...]
#
# Proves that the kernel files compiled from COMPILED_DIR are exactly the
# pristine TARBALL files plus PATCH... (the series):
#   1. a fresh extract + patch (extract.sh) into COMPILED_DIR.verify; with
#      KSRC_PRISTINE set, the pristine files are copied from the build's
#      cached extract of the tarball and checked against KPORT_SUMS (the
#      committed kernel-port/SHA256SUMS), so a warm run never reads the
#      tarball; the series is applied afresh either way;
#   2. every allow-listed file: its sha256 in the fresh tree, in COMPILED_DIR
#      and as recorded in COMPILED_DIR/.sha256 at extraction must all agree;
#      COMPILED_DIR holds nothing else (Makefile, .sha256, .stamp, .untested, .offsets aside);
#   3. DEPFILES (gcc -MMD output of the port objects, optional): every path
#      in them under COMPILED_DIR is allow-listed, and every allow-listed .c
#      file appears in at least one of them, and no depfile is older than
#      the files it names, i.e. that tree, as it is now, is what was compiled.
# V=1 traces the commands.

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: $*" >&2; exit 1; }

(( $# >= 4 )) || die "usage: verify.sh TARBALL KVER FILES_LIST COMPILED_DIR [PATCH...]"
tarball=$1 kver=$2 list=$3 compiled=${4%/}
shift 4
npatches=$#

[[ -d $compiled ]] || die "$compiled does not exist (run: make ksrc)"
[[ -f $compiled/.sha256 ]] || die "$compiled/.sha256 missing: $compiled was not made by extract.sh (run: make ksrc)"

# 1. Fresh tree, next to the compiled one (same build directory).
fresh=$compiled.verify
trap 'rm -rf "$fresh"' EXIT
trap 'exit 1' HUP INT TERM
"$(dirname "$0")/extract.sh" "$tarball" "$kver" "$list" "$fresh" "$@"
rm -f "$fresh.log"

# 2. Compare.  The fresh .sha256 is the allow-list, in order.
declare -A recorded=() allowed=()
while read -r h f; do
	recorded[$f]=$h
done <"$compiled/.sha256"

files=()
bad=0
report=()
while read -r h f; do
	files+=("$f")
	allowed[$f]=1
	if [[ ! -f $compiled/$f ]]; then
		echo "sockmap-sim: $f is missing from $compiled" >&2
		bad=1
		continue
	fi
	c=$(sha256sum <"$compiled/$f")
	c=${c%% *}
	if [[ $c != "$h" ]]; then
		echo "sockmap-sim: $f differs from the pristine tarball file plus the series" >&2
		bad=1
	elif [[ ${recorded[$f]:-} != "$h" ]]; then
		echo "sockmap-sim: $f differs from the pristine tarball file plus the series (per $compiled/.sha256, recorded at extraction)" >&2
		bad=1
	fi
	report+=("  ${h:0:16}  $f")
done <"$fresh/.sha256"

for f in "${!recorded[@]}"; do
	[[ -n ${allowed[$f]:-} ]] ||
		{ echo "sockmap-sim: $compiled/.sha256 lists $f, which is not allow-listed" >&2; bad=1; }
done

# Nothing else is visible in the compiled tree.
while IFS= read -r f; do
	case $f in Makefile | .sha256 | .stamp | .untested | .offsets) continue ;; esac
	[[ -n ${allowed[$f]:-} ]] && continue
	echo "sockmap-sim: $compiled/$f is not an allow-listed file" >&2
	bad=1
done < <(cd "$compiled" && find . ! -type d -printf '%P\n')

(( bad == 0 )) || exit 1

# 3. Depfiles: "target: prereq prereq \" lines; -MP adds "prereq:" lines.
if [[ -n ${DEPFILES:-} ]]; then
	root=$(realpath -m -- "$compiled")
	declare -A seen=()
	for d in $DEPFILES; do
		[[ -f $d ]] || die "depfile $d missing (build the port objects first)"
		# One prerequisite per line (continuations joined, targets cut).
		mapfile -t deps < <(awk '
			{ line = line $0 }
			/\\$/ { sub(/\\$/, "", line); next }
			{
				sub(/^[^:]*:/, "", line)
				n = split(line, t, " ")
				for (i = 1; i <= n; i++) print t[i]
				line = ""
			}' "$d")
		(( ${#deps[@]} )) || continue
		while IFS= read -r p; do
			case $p in "$root"/*) ;; *) continue ;; esac
			rel=${p#"$root"/}
			[[ -n ${allowed[$rel]:-} ]] ||
				die "$d: $compiled/$rel is not an allow-listed file"
			# gcc wrote the depfile when it compiled: a newer file
			# means a later extraction the object never saw.
			[[ ! $compiled/$rel -nt $d ]] ||
				die "$d is older than $compiled/$rel: the object was compiled from a previous extraction (rebuild it)"
			seen[$rel]=1
		done < <(realpath -m -- "${deps[@]}")
	done
	for f in "${files[@]}"; do
		[[ $f == *.c ]] || continue
		[[ -n ${seen[$f]:-} ]] ||
			die "$compiled/$f appears in none of the depfiles ($DEPFILES): it was not compiled from $compiled"
	done
fi

s() { (( $1 == 1 )) || echo s; }
echo "verify-kernel-port: ${#files[@]} file$(s ${#files[@]}) identical to pristine $kver + $npatches patch$( (( npatches == 1 )) || echo es)"
if [[ -n ${DEPFILES:-} ]]; then
	nd=$(wc -w <<<"$DEPFILES")
	echo "verify-kernel-port: $nd depfile$(s "$nd") compiled from $compiled, allow-listed files only"
fi
printf '%s\n' "${report[@]}"
