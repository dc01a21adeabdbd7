#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: mkinitramfs.sh GEN_INIT_CPIO INIT RUNNER OUT
#
# Writes OUT, an uncompressed newc cpio archive (the vm kernels have no
# decompressor), with the kernel tree's own usr/gen_init_cpio:
#   /dev/console (char 5 1: the kernel opens it for /init before any
#   devtmpfs), /init = INIT, /runner = RUNNER, and the directories /init
#   mounts on (/proc, /sys) plus /tmp and /mnt (where the BPF selftests'
#   cgroup_helpers mount their cgroup2); each file of VM_INITRAMFS_FILES
#   (space-separated paths) goes in / under its own name, read-only (a
#   selftest's BPF object, which it opens from the working directory, /).
# INIT and RUNNER must be static executables (there is no libc inside).

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: vm: initramfs: $*" >&2; exit 1; }

(( $# == 4 )) || die "usage: mkinitramfs.sh GEN_INIT_CPIO INIT RUNNER OUT"
gen=$1 init=$2 runner=$3 out=$4
[[ -x $gen ]] || die "$gen not found (built from the kernel tree's usr/gen_init_cpio.c)"
for f in "$init" "$runner"; do
	[[ -f $f && -x $f ]] || die "$f is not an executable file"
	if ! readelf -h "$f" >/dev/null 2>&1; then
		die "$f is not an ELF executable"
	fi
	if readelf -l "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then
		die "$f is dynamically linked (the initramfs has no libc: build it with -static)"
	fi
done

list=$out.list
cat >"$list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 1777 0 0
dir /mnt 0755 0 0
file /init $(realpath "$init") 0755 0 0
file /runner $(realpath "$runner") 0755 0 0
EOF
for f in ${VM_INITRAMFS_FILES:-}; do
	[[ -f $f ]] || die "VM_INITRAMFS_FILES: $f is not a file"
	case $(basename "$f") in init | runner) die "VM_INITRAMFS_FILES: $f would replace /$(basename "$f")" ;; esac
	echo "file /$(basename "$f") $(realpath "$f") 0444 0 0" >>"$list"
done
"$gen" "$list" >"$out.tmp" 2>"$out.err" || die "$gen failed: $(head -n 1 "$out.err")"
mv "$out.tmp" "$out"
rm -f "$out.err"
