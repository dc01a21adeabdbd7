#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: boot.sh KERNEL_IMAGE INITRAMFS OUTFILE TIMEOUT_S [RUNNER_ARGS...]
#
# Boots KERNEL_IMAGE with INITRAMFS (vm/mkinitramfs.sh: /init = vm/init.c,
# /runner) under qemu-system-x86_64 (TCG: no KVM needed), console on the
# serial port, and:
#   - writes the whole console log to OUTFILE.log;
#   - writes the runner's output (the lines between the SOCKMAP-SIM-BEGIN
#     and SOCKMAP-SIM-EXIT markers /init prints) to OUTFILE;
#   - exits 0 only if /init printed "SOCKMAP-SIM-EXIT 0" and the kernel
#     printed no warning (WARNING:, BUG:, Oops, a panic...); otherwise one
#     error line: timeout, kernel panic, kernel warning, runner exit N,
#     naming the log.
# qemu gets TIMEOUT_S seconds in all (timeout(1)); /init kills the runner
# a little earlier (kernel parameter sockmap_sim_timeout), so that a hung
# runner is reported as such and the kernel still shuts down cleanly.
# RUNNER_ARGS go to the runner's argv (after "--" on the kernel command
# line; one with spaces in double quotes: no quotes or control characters
# inside an argument).
#
# Environment: QEMU (qemu-system-x86_64), VM_MEM (512), VM_SMP (1),
# V=1 (set -x).  Prints one line: what booted and how long it took.

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: vm: boot: $*" >&2; exit 1; }

(( $# >= 4 )) || die "usage: boot.sh KERNEL_IMAGE INITRAMFS OUTFILE TIMEOUT_S [RUNNER_ARGS...]"
kernel=$1 initrd=$2 outfile=$3 tmo=$4
shift 4
qemu=${QEMU:-qemu-system-x86_64}
[[ -f $kernel ]] || die "kernel image $kernel not found (make vm-kernels)"
[[ -f $initrd ]] || die "initramfs $initrd not found"
[[ $tmo =~ ^[0-9]+$ ]] && (( tmo >= 5 )) || die "TIMEOUT_S must be a number of seconds >= 5, not '$tmo'"
command -v "$qemu" >/dev/null || die "$qemu not found (install qemu-system-x86)"
# An argument with spaces goes in double quotes, which the kernel's
# next_arg() takes off; quotes, tabs and newlines cannot be carried.
args=()
for a in "$@"; do
	[[ -n $a && $a =~ ^[^\"\'[:cntrl:]]+$ ]] ||
		die "runner argument '$a' is empty or has quotes or control characters (the kernel command line cannot carry it)"
	[[ $a == *" "* ]] && a="\"$a\""
	args+=("$a")
done

log=$outfile.log
mkdir -p "$(dirname "$outfile")"
rm -f "$outfile" "$log"

# The runner gets the time qemu has, minus what boot and shutdown need.
runner_tmo=$(( tmo > 30 ? tmo - 15 : tmo * 2 / 3 ))
append="console=ttyS0 panic=-1 oops=panic loglevel=7 sockmap_sim_timeout=$runner_tmo"
append+=" -- ${args[*]}"

t0=$(date +%s.%N)
rc=0
timeout --kill-after=5 "$tmo" "$qemu" -nographic -no-reboot -nic none \
	-m "${VM_MEM:-512}" -smp "${VM_SMP:-1}" -kernel "$kernel" -initrd "$initrd" \
	-append "$append" </dev/null >"$log.raw" 2>&1 || rc=$?
t1=$(date +%s.%N)
# The serial console says \r\n.
tr -d '\r' <"$log.raw" >"$log"
rm -f "$log.raw"

awk '/^SOCKMAP-SIM-BEGIN$/ { on = 1; next }
     /^SOCKMAP-SIM-EXIT / { on = 0 }
     on' "$log" >"$outfile"

# Boot-to-marker: the kernel's own clock (PRINTK_TIME) at the last printk
# before the begin marker is not precise enough; report qemu's wall time.
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
exit_line=$(grep -a -m1 '^SOCKMAP-SIM-EXIT ' "$log" || true)
# Kernel lines only (PRINTK_TIME: "[    1.234567] "): the runner may print
# anything.
splat=$(grep -a -m1 -E '^\[ *[0-9]+\.[0-9]+\] .*(Kernel panic|WARNING:|BUG:|Oops|general protection fault|Call Trace:)' "$log" |
	sed -e 's/^\[ *[0-9.]*\] //' || true)

if [[ -z $exit_line ]]; then
	if [[ $splat == *"Kernel panic"* ]] || grep -aqE '^\[ *[0-9]+\.[0-9]+\] Kernel panic' "$log"; then
		die "kernel panic: $splat (see $log)"
	elif (( rc == 124 || rc == 137 )); then
		die "timeout: no end marker after $tmo s${splat:+, $splat} (see $log)"
	elif ! grep -aq '^SOCKMAP-SIM-BEGIN$' "$log"; then
		die "the runner never started (qemu exit $rc${splat:+, $splat}; see $log)"
	fi
	die "no end marker (qemu exit $rc${splat:+, $splat}; see $log)"
fi
code=${exit_line#SOCKMAP-SIM-EXIT }
if [[ $code == 124 ]] && grep -aq '^SOCKMAP-SIM-TIMEOUT$' "$log"; then
	die "timeout: the runner was killed after $runner_tmo s (see $log)"
fi
[[ -z $splat ]] || die "kernel warning: $splat (runner exit $code; see $log)"
[[ $code == 0 ]] || die "runner exit $code (see $log)"
echo "  VM-BOOT   $(basename "$kernel"): runner exit 0, $(wc -l <"$outfile") lines, ${secs} s (qemu, TCG)"
