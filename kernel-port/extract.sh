#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: extract.sh TARBALL KVER FILES_LIST OUTDIR [PATCH...]
#
# Builds OUTDIR = the allow-listed kernel files (FILES_LIST: one path per line,
# '#' comments) taken from TARBALL, pristine, plus each PATCH applied in order:
#   1. filter each PATCH down to the allow-listed files (git format-patch
#      output may touch other files, e.g. net/ipv4/af_inet.c: those sections
#      are dropped, not failed);
#   2. extract the listed files (minus those the patches create) and the
#      tree's top-level Makefile from TARBALL, whose members live under
#      linux-source-MAJOR.MINOR/ (KSRC_PREFIX overrides);
#   3. check that the Makefile says VERSION.PATCHLEVEL.SUBLEVEL == KVER, and,
#      if KPORT_SUMS names a file ("sha256  path" lines), that the pristine
#      files match it (KPORT_SUMS_OUT instead writes their checksums there);
#   4. apply the filtered patches with patch -p1 --forward --fuzz=0;
#   5. write OUTDIR/.sha256 (sha256sum of every allow-listed file), make the
#      files read-only and replace OUTDIR atomically.
# Diagnostics of tar/patch go to OUTDIR.log.  V=1 traces the commands.
# KPKG_VERSION (optional) only improves the "tarball missing" message.

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: $*" >&2; exit 1; }

(( $# >= 4 )) || die "usage: extract.sh TARBALL KVER FILES_LIST OUTDIR [PATCH...]"
tarball=$1 kver=$2 list=$3 outdir=${4%/}
shift 4
patches=("$@")

[[ $kver =~ ^([0-9]+)\.([0-9]+)(\.[0-9]+)?$ ]] || die "bad KVER '$kver' (want e.g. 6.12.117)"
mm=${BASH_REMATCH[1]}.${BASH_REMATCH[2]}
kver_full=$kver
[[ -n ${BASH_REMATCH[3]} ]] || kver_full=$kver.0
prefix=${KSRC_PREFIX:-linux-source-$mm}
log=$outdir.log

# --- allow-list --------------------------------------------------------------

[[ -f $list ]] || die "file list $list not found"
files=()
declare -A allowed=()
while IFS= read -r f; do
	case $f in
	Makefile)
		die "$list: Makefile is always extracted (for the version check), don't list it" ;;
	*[[:space:]]* | /* | ../* | */../* | */.. | .. | ./* | .*)
		die "$list: bad path '$f' (want a relative kernel path such as net/core/skmsg.c)" ;;
	esac
	[[ -z ${allowed[$f]:-} ]] || die "$list: $f listed twice"
	allowed[$f]=1
	files+=("$f")
done < <(awk '{ sub(/#.*/, ""); gsub(/^[ \t]+|[ \t\r]+$/, ""); if ($0 != "") print }' "$list")
(( ${#files[@]} )) || die "$list lists no files"

# --- scratch space (same filesystem as OUTDIR, so the final mv is atomic) ----

mkdir -p "$(dirname "$outdir")"
: >"$log"
tmp=$(mktemp -d "$outdir.tmp.XXXXXX")
old=""
# shellcheck disable=SC2317 # called by the trap
cleanup() { rm -rf "$tmp" ${old:+"$old"}; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
mkdir "$tmp/tree" "$tmp/patches"
tree=$tmp/tree

# --- 1. filter the patches ---------------------------------------------------
#
# filter_patch PATCH DIR: writes each section of PATCH that touches an
# allow-listed file to DIR/N.diff (N = 1, 2, ...) and prints one index line
# per section: "keep<TAB>N.diff<TAB>path<TAB>new" (new: 1 if the section
# creates the file) or "skip<TAB>-<TAB>path<TAB>-".
#
# A section starts at "diff --git a/X b/Y" or, for plain unified diffs, at a
# "--- X" line directly followed by "+++ Y".  Hunks are consumed by their
# line counts, so a removed line "-- " is not mistaken for the signature
# that ends git format-patch output; after the last hunk any line that is
# not a hunk header, a "\ No newline" marker or a new section ends the
# section (signature, next mail in an mbox, "Index:" lines...).  Paths are
# compared after stripping one leading component, as patch -p1 does.
filter_patch() {
	awk -v allow="${files[*]}" -v dir="$2" '
	function strip(p) {		# "a/x/y.c<TAB>date" -> "x/y.c"
		sub(/\t.*/, "", p)
		sub(/[ \r]+$/, "", p)
		if (p == "/dev/null") return ""
		sub(/^[^\/]*\//, "", p)
		return p
	}
	function begin(a, b) {
		finish()
		insec = 1; n = 0; oldp = ""; newp = ""; gita = a; gitb = b
		created = 0; state = 1
	}
	function finish(   path, keep, i, f) {
		if (!insec) return
		insec = 0; state = 0
		path = newp != "" ? newp : (oldp != "" ? oldp : (gitb != "" ? gitb : gita))
		keep = (oldp in ok) || (newp in ok) || (gita in ok) || (gitb in ok)
		if (!keep) { printf "skip\t-\t%s\t-\n", path; return }
		f = (++nsec) ".diff"
		for (i = 1; i <= n; i++) print buf[i] > (dir "/" f)
		close(dir "/" f)
		printf "keep\t%s\t%s\t%d\n", f, path, created
	}
	function malformed() {
		printf "malformed\t-\t%d\t-\n", NR
		bad = 1
		exit 0
	}
	function count(s) {		# "-12,7" -> 7, "-12" -> 1
		if (s ~ /,/) { sub(/^[^,]*,/, "", s); return s + 0 }
		return 1
	}
	function hunk(line,   h) {	# "@@ -a,b +c,d @@ ..." starts a hunk
		split(line, h, " ")
		if (h[2] !~ /^-[0-9]+(,[0-9]+)?$/ || h[3] !~ /^\+[0-9]+(,[0-9]+)?$/)
			malformed()
		ro = count(h[2]); rn = count(h[3])
		buf[++n] = line
		state = (ro == 0 && rn == 0) ? 3 : 2
	}
	BEGIN {
		na = split(allow, a, " ")
		for (i = 1; i <= na; i++) ok[a[i]] = 1
		state = 0; insec = 0; pending = ""; nsec = 0; bad = 0
	}
	{
		line = $0
		if (pending != "") {	# plain diff: "--- X" then "+++ Y"
			p = pending; pending = ""
			if (line ~ /^\+\+\+ /) {
				begin("", "")
				buf[++n] = p; buf[++n] = line
				oldp = strip(substr(p, 5)); newp = strip(substr(line, 5))
				created = (oldp == "")
				next
			}
		}
		if (state == 2) {	# inside a hunk: trust the counts
			buf[++n] = line
			c = substr(line, 1, 1)
			if (c == " " || line == "") { ro--; rn-- }
			else if (c == "-") ro--
			else if (c == "+") rn--
			else if (c != "\\") malformed()
			if (ro < 0 || rn < 0) malformed()
			if (ro == 0 && rn == 0) state = 3
			next
		}
		if (line ~ /^diff --git [^ ]*\/[^ ]* [^ ]*\//) {
			split(line, g, " ")
			begin(strip(g[3]), strip(g[4]))
			buf[++n] = line
			next
		}
		if (state == 1) {	# section header (index, modes, ---/+++)
			if (line ~ /^@@ /) { hunk(line); next }
			if (line == "-- ") { finish(); next }	# hunkless section, signature
			buf[++n] = line
			if (line ~ /^--- /) { oldp = strip(substr(line, 5)); if (oldp == "") created = 1 }
			else if (line ~ /^\+\+\+ /) newp = strip(substr(line, 5))
			else if (line ~ /^new file mode /) created = 1
			next
		}
		if (state == 3) {	# after a hunk: another hunk, a marker, or the end
			if (line ~ /^@@ /) { hunk(line); next }
			if (substr(line, 1, 1) == "\\") { buf[++n] = line; next }
			finish()
		}
		# state 0: between sections (mail headers, message, diffstat, trailer)
		if (line ~ /^--- /) pending = line
	}
	END {
		if (bad) exit 0
		if (state == 2) malformed()
		finish()
	}' "$1"
}

# USER_PATCHES: the patches among PATCH... that a user passed
# (EXTRA_PATCHES), as opposed to the project's series. A series patch may
# touch files the sim does not compile (selftests, af_inet.c: the kernel
# tree tests those); a user's patch that does is not tested here, and a
# passing run would say otherwise. So such a patch stops the build with
# one line naming what would go untested, unless ALLOW_UNTESTED=1, which
# writes the same lines to OUTDIR/.untested for the test run's summary.
[[ ${USER_PATCH_FUZZ:-0} =~ ^[0-9]$ ]] ||
	die "USER_PATCH_FUZZ=$USER_PATCH_FUZZ is not a number of fuzz lines (0-9)"
declare -A user_patch=()
for p in ${USER_PATCHES:-}; do user_patch[$p]=1; done
untested=()
offsets=()

declare -A created=()	# allow-listed files the series creates
declare -a pindex	# per patch: its filter index
for i in "${!patches[@]}"; do
	p=${patches[$i]}
	[[ -f $p ]] || die "patch file $p not found"
	mkdir "$tmp/patches/$i"
	idx=$(filter_patch "$p" "$tmp/patches/$i")
	pindex[i]=$idx
	declare -A skipped=()
	kept=0
	while IFS=$'\t' read -r what f path new; do
		case $what in
		malformed) die "patch $(basename "$p") is malformed (truncated hunk near line $path)" ;;
		keep) kept=$((kept + 1)); if [[ $new == 1 ]]; then created[$path]=1; fi ;;
		skip) skipped[$path]=1 ;;
		esac
	done <<<"$idx"
	if [[ -n ${user_patch[$p]:-} ]]; then
		name=$(basename "$p")
		(( kept || ${#skipped[@]} )) ||
			die "EXTRA_PATCHES: $name is not a patch (no diff section in it)"
		if (( ${#skipped[@]} )); then
			paths=$(printf '%s\n' "${!skipped[@]}" | sort | paste -sd' ')
			if (( kept )); then
				line="$name: not tested here: $paths (the sim compiles only what kernel-port/files.txt lists)"
			else
				line="$name: touches no file the sim compiles: $paths; nothing of it is tested here"
			fi
			[[ ${ALLOW_UNTESTED:-} == 1 ]] ||
				die "EXTRA_PATCHES: $line (ALLOW_UNTESTED=1 to go on)"
			untested+=("$line")
		fi
	fi
	unset skipped
done

# --- 2. extract --------------------------------------------------------------

members=()
for f in "${files[@]}"; do
	[[ -n ${created[$f]:-} ]] || members+=("$f")
done
# KSRC_PRISTINE: an unpatched tree this script extracted earlier (the
# build's cache of the tarball files). Copying from it spares the ~10 s of
# decompressing the tarball; the checks below (version, KPORT_SUMS) apply
# to the copies exactly as to a tar extract.
pristine=${KSRC_PRISTINE:-}
if [[ -n $pristine && -f $pristine/.stamp ]]; then
	echo "  COPY     ${members[*]} from $pristine (pristine extract of $tarball)"
	for f in "${members[@]}" Makefile; do
		[[ -f $pristine/$f ]] || die "$f missing from $pristine (make distclean)"
		mkdir -p "$tree/$(dirname "$f")"
		cp "$pristine/$f" "$tree/$f"
		chmod u+w "$tree/$f"
	done
else
	if [[ ! -f $tarball ]]; then
		die "kernel tarball $tarball missing (install linux-source-$mm${KPKG_VERSION:+=$KPKG_VERSION}: make deps)"
	fi
	echo "  EXTRACT  ${members[*]} from $tarball"
	# --touch: extracted files get the current time, so anything that
	# depends on them directly is rebuilt after a re-extraction.
	if ! tar -xJf "$tarball" -C "$tree" --strip-components=1 --touch --no-same-owner \
			"${members[@]/#/$prefix/}" "$prefix/Makefile" >>"$log" 2>&1; then
		die "cannot extract from $tarball: $(awk 'NF { print; exit }' "$log")"
	fi
fi

# --- 3. check the version (and the pristine checksums) -----------------------

tv=$(awk '
	/^VERSION[ \t]*=/    && v == "" { v = $3 }
	/^PATCHLEVEL[ \t]*=/ && p == "" { p = $3 }
	/^SUBLEVEL[ \t]*=/   && s == "" { s = $3 }
	END { print v "." p "." s }' "$tree/Makefile")
[[ $tv == "$kver_full" ]] || die "$tarball is $tv, expected $kver"

if [[ -n ${KPORT_SUMS:-} ]]; then
	[[ -f $KPORT_SUMS ]] || die "checksum file $KPORT_SUMS not found"
	declare -A sum=()
	while read -r h f; do
		if [[ -n $h && $h != \#* ]]; then sum[$f]=$h; fi
	done <"$KPORT_SUMS"
	for f in "${members[@]}"; do
		[[ -n ${sum[$f]:-} ]] ||
			die "$KPORT_SUMS has no checksum for $f (regenerate it: make kport-sums)"
		h=$(sha256sum <"$tree/$f")
		[[ ${h%% *} == "${sum[$f]}" ]] ||
			die "$f in $tarball does not match $KPORT_SUMS (not a pristine $kver tarball?)"
	done
fi

if [[ -n ${KPORT_SUMS_OUT:-} ]]; then	# make kport-sums
	(cd "$tree" && sha256sum -- "${members[@]}") >"$KPORT_SUMS_OUT"
fi

# --- 4. patch ----------------------------------------------------------------

for i in "${!patches[@]}"; do
	name=$(basename "${patches[$i]}")
	applied=0
	echo "=== $name" >>"$log"
	while IFS=$'\t' read -r what f path new; do
		[[ -n $what ]] || continue
		echo "$what $path" >>"$log"
		[[ $what == keep ]] || continue
		rej=$tmp/patches/$i/$f.rej
		# The series applies exactly; a user's patch (often against
		# bpf-next) may take USER_PATCH_FUZZ lines of fuzz, and every
		# offset or fuzz used is reported and kept in OUTDIR/.offsets.
		fuzz=0
		[[ -z ${user_patch[${patches[$i]}]:-} ]] || fuzz=${USER_PATCH_FUZZ:-0}
		if ! out=$(patch -p1 --forward --batch --fuzz="$fuzz" --no-backup-if-mismatch \
				-r "$rej" -d "$tree" <"$tmp/patches/$i/$f" 2>&1); then
			{ echo "$out"; echo "--- rejected:"; cat "$rej" 2>/dev/null || true; } >>"$log"
			die "patch $name does not apply to $path (see $log)"
		fi
		echo "$out" >>"$log"
		while IFS= read -r l; do
			if [[ $l =~ ^Hunk\ \#[0-9]+\ succeeded\ at ]]; then
				offsets+=("$name: $path: $l")
				echo "  OFFSET   $name: $path: $l"
			fi
		done <<<"$out"
		applied=$((applied + 1))
	done <<<"${pindex[$i]}"
	if (( applied )); then
		echo "  PATCH    $name"
	else
		echo "  PATCH    $name (skipped: touches no allow-listed file)"
	fi
done

# --- 5. checksums, read-only, atomic replace ---------------------------------

for f in "${files[@]}"; do
	[[ -f $tree/$f ]] || die "$f is allow-listed but neither in $tarball nor created by the series"
done
# Nothing but the allow-listed files and the Makefile (no .orig, .rej...).
extra=$(cd "$tree" && find . ! -type d -printf '%P\n' |
	awk -v allow="${files[*]} Makefile" '
		BEGIN { n = split(allow, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
		!($0 in ok)')
[[ -z $extra ]] || die "unexpected file(s) in the patched tree: ${extra//$'\n'/ }"

(cd "$tree" && sha256sum -- "${files[@]}") >"$tree/.sha256"
if (( ${#offsets[@]} )); then
	printf '%s\n' "${offsets[@]}" >"$tree/.offsets"
fi
if (( ${#untested[@]} )); then
	printf '%s\n' "${untested[@]}" >"$tree/.untested"
	printf 'sockmap-sim: warning: %s\n' "${untested[@]}" >&2
fi
find "$tree" -type f -exec chmod a-w {} +
chmod "$(printf '%o' $(( 8#777 & ~8#$(umask) )))" "$tree"

if [[ -e $outdir || -L $outdir ]]; then
	old=$(mktemp -d "$outdir.old.XXXXXX")
	mv "$outdir" "$old/"
fi
mv "$tree" "$outdir"
exit 0
