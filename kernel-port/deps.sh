#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: deps.sh KPKG KPKG_VERSION [PKG...]
#
# Make sure the Debian packages the build needs are installed:
#   KPKG     the kernel source package (linux-source-6.12), which must be
#            installed at exactly KPKG_VERSION (6.12.117-1~deb12u1);
#   PKG...   any other packages (any version).
# Also checks the tools the kernel-port scripts run (tar, xz, patch, ...).
#
# Everything present: prints nothing, does nothing (only dpkg-query calls).
# Something missing, not root: one error line with the apt-get command, exit 1.
# Something missing, root: apt-get update (once) + apt-get install of the
# missing packages, pinning KPKG=KPKG_VERSION (downgrading if needed).
# V=1 traces the commands.

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: $*" >&2; exit 1; }

(( $# >= 2 )) || die "usage: deps.sh KPKG KPKG_VERSION [PKG...]"
kpkg=$1 kver=$2
shift 2

# Tools run by extract.sh/verify.sh, and the package that provides each.
declare -A tool_pkg=(
	[tar]=tar [xz]=xz-utils [patch]=patch [sha256sum]=coreutils
	[realpath]=coreutils [awk]=mawk
)
tools=(tar xz patch sha256sum realpath awk)

missing_tools() {
	local t
	for t in "${tools[@]}"; do
		command -v "$t" >/dev/null 2>&1 || echo "$t"
	done
}

# Installed version of $1, or nothing if it is not (fully) installed.
# ${db:Status-Abbrev} is e.g. "ii " : 2nd char 'i' = installed, 3rd ' ' = ok.
installed_version() {
	local line
	line=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}\n' "$1" 2>/dev/null) || return 0
	while IFS= read -r line; do
		[[ ${line:1:2} == "i " ]] && { echo "${line#*|}"; return 0; }
	done <<<"$line"
	return 0
}

need=()		# apt-get install arguments
wrong=""	# "installed X, expected Y" note for KPKG
downgrade=()

# 1. The kernel source package, pinned.
have=$(installed_version "$kpkg")
if [[ $have != "$kver" ]]; then
	need+=("$kpkg=$kver")
	if [[ -n $have ]]; then
		wrong="$kpkg $have is installed, $kver is required; "
		downgrade=(--allow-downgrades)
	fi
fi

# 2. Tools: their packages join the list.
mtools=$(missing_tools)
for t in $mtools; do
	need+=("${tool_pkg[$t]}")
done

# 3. The other packages, in one dpkg-query call.  A name matches either
# ${Package} or ${binary:Package} (pkg:arch), whichever the caller used.
declare -A ok=()
if (( $# )); then
	while IFS='|' read -r st p bp; do
		[[ ${st:1:2} == "i " ]] || continue
		[[ -n $p ]] && ok[$p]=1
		[[ -n $bp ]] && ok[$bp]=1
	done < <(dpkg-query -W -f='${db:Status-Abbrev}|${Package}|${binary:Package}\n' "$@" 2>/dev/null || true)
fi
for p in "$@"; do
	[[ $p == "$kpkg" ]] && continue		# pinned above
	[[ -n ${ok[$p]:-} ]] && continue
	need+=("$p")
done

(( ${#need[@]} )) || exit 0

# Drop duplicates, keep order.
declare -A seen=()
uniq=()
for p in "${need[@]}"; do
	[[ -n ${seen[$p]:-} ]] && continue
	seen[$p]=1
	uniq+=("$p")
done
need=("${uniq[@]}")

if (( EUID != 0 )); then
	for t in $mtools; do
		echo "sockmap-sim: missing tool: $t (install package ${tool_pkg[$t]})" >&2
	done
	# Only tool packages missing: the lines above said it all.
	others=0
	for p in "${need[@]}"; do
		[[ " ${tool_pkg[*]} " == *" $p "* ]] || others=1
	done
	(( others )) || exit 1
	die "${wrong}missing packages: ${need[*]} (run as root or: apt-get install ${downgrade[*]:+${downgrade[*]} }${need[*]})"
fi

# Root: install.  apt output goes to a log; its last line explains failures.
log=$(mktemp "${TMPDIR:-/tmp}/sockmap-sim-apt.XXXXXX")
trap 'rm -f "$log"' EXIT
last_line() { awk 'NF { l = $0 } END { print l }' "$log"; }

echo "sockmap-sim: ${wrong}installing ${need[*]} (apt-get)" >&2
# An update failure (offline mirror...) is not fatal by itself: install
# then fails with the message that matters.
apt-get update -q >"$log" 2>&1 || true
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${downgrade[@]}" "${need[@]}" >>"$log" 2>&1; then
	die "cannot install ${need[*]}: $(last_line)"
fi

# Re-check what the install was supposed to fix.
have=$(installed_version "$kpkg")
[[ $have == "$kver" ]] || die "cannot install $kpkg=$kver: ${have:-nothing} is installed after apt-get"
for t in $(missing_tools); do
	die "missing tool: $t (install package ${tool_pkg[$t]})"
done
exit 0
