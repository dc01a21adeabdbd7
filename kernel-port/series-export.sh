#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: series-export.sh IDENTITY SIGNOFF BASE OUTDIR SERIES_DIR...
#
# Writes each SERIES_DIR (kernel-patches/fixes, kernel-patches/splice) to
# OUTDIR/<name>/ for the person who sends it: every "From:" header and
# every "Signed-off-by:" line of IDENTITY (the project's role identity,
# which the committed patches carry) becomes SIGNOFF ("Name <mail>"), and
# so does the name of the cover letter's shortlog; the
# series file is copied, and with BASE (an upstream commit id the sender
# rebased onto) each cover letter ends with "base-commit: BASE", as
# git format-patch --base writes it. Nothing else changes: the patches
# stay byte for byte what kernel-check checked.
set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi
die() { echo "sockmap-sim: series-export: $*" >&2; exit 1; }

(( $# >= 5 )) || die "usage: series-export.sh IDENTITY SIGNOFF BASE OUTDIR SERIES_DIR..."
identity=$1 signoff=$2 base=$3 out=$4
shift 4
[[ -n $signoff ]] || die 'SIGNOFF is required: make series-export SIGNOFF="Your Name <you@example.org>"'
[[ $signoff =~ ^[^\<\>@]+\ \<[^\<\>\ ]+@[^\<\>\ ]+\>$ ]] ||
	die "SIGNOFF '$signoff' is not 'Name <mail>'"
[[ -z $base || $base =~ ^[0-9a-f]{12,40}$ ]] || die "BASE '$base' is not a commit id (12 to 40 hex digits)"

for dir in "$@"; do
	dir=${dir%/}
	name=$(basename "$dir")
	[[ -f $dir/series ]] || die "$dir/series not found"
	rm -rf "${out:?}/$name"
	mkdir -p "$out/$name"
	cp "$dir/series" "$out/$name/series"
	n=0
	for p in "$dir"/*.patch; do
		dst=$out/$name/$(basename "$p")
		# the cover letter's shortlog: "Name (N):"
		awk -v id="$identity" -v so="$signoff" '
			BEGIN { idn = id; sub(/ <.*/, "", idn); son = so; sub(/ <.*/, "", son) }
			$0 == "From: " id { print "From: " so; next }
			$0 == "Signed-off-by: " id { print "Signed-off-by: " so; next }
			index($0, idn " (") == 1 && $0 ~ /^.* \([0-9]+\):$/ { print son substr($0, length(idn) + 1); next }
			{ print }' "$p" >"$dst"
		if grep -qF "$identity" "$dst"; then
			die "$(basename "$p"): '$identity' is left in a line the export does not rewrite"
		fi
		if [[ -n $base && $(basename "$p") == 0000-cover-letter.patch ]]; then
			# before the signature ("-- "), as format-patch --base does
			awk -v b="$base" '$0 == "-- " && !done { print "base-commit: " b; print ""; done = 1 } { print }' \
				"$dst" >"$dst.tmp" && mv "$dst.tmp" "$dst"
		fi
		n=$(( n + 1 ))
	done
	printf '  %-8s %s\n' EXPORT "$out/$name: $n files, From/Signed-off-by: $signoff${base:+, base-commit: $base}"
done
