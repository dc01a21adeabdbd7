#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: selftests.sh VMWORK GEN_INIT_CPIO INIT TIMEOUT EXPECTED KERNEL...
#
# The kernel tree's own BPF selftest for sockmap, tools/testing/selftests/bpf
# test_sockmap, built from the patched kernel's tree (VMWORK/src, branch
# patched: 6.12.117 with both series, so with the series' own subtests)
# and run on each booted KERNEL (unpatched, fixes, patched):
#   1. VMWORK/selftests/tree: git archive of that commit's tools/, with
#      what libbpf's build reads outside it (scripts/bpf_doc.py, the UAPI
#      bpf.h it generates the helper definitions from) (stamp:
#      the commit id);
#   2. libbpf.a and its headers from tools/lib/bpf (static, the tree's own
#      Makefile);
#   3. the two BPF objects test_sockmap loads (progs/test_sockmap_kern.c,
#      progs/test_sockhash_kern.c), with clang -target bpf;
#   4. test_sockmap itself, static (the initramfs has no libc), with the
#      flags the selftests' lib.mk gives it (-D_GNU_SOURCE=);
#   5. each kernel booted (vm/boot.sh, TIMEOUT seconds) with test_sockmap as
#      /runner and the BPF objects beside it: VMWORK/selftests/KERNEL.out;
#   6. the table (vm/selftests-table.py): a row per subtest, a column per
#      kernel, checked against EXPECTED (the subtests that fail on a kernel,
#      and why); exit 1 on any other verdict, or when a kernel warns,
#      panics or times out.
# Every build step prints one line; V=1 shows the commands.
#
# Environment: V, CLANG (clang), CC (gcc).

set -euo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: vm-selftests: $*" >&2; exit 1; }
progress() { printf '  %-9s %s\n' "$1" "$2"; }

(( $# >= 6 )) || die "usage: selftests.sh VMWORK GEN_INIT_CPIO INIT TIMEOUT EXPECTED KERNEL..."
vmwork=$(realpath "$1") gen=$2 init=$3 tmo=$4 expected=$5
shift 5
kernels=("$@")
clang=${CLANG:-clang} cc=${CC:-gcc}
here=$(dirname "$(realpath "$0")")
src=$vmwork/src work=$vmwork/selftests
[[ -f $expected ]] || die "$expected not found"
command -v "$clang" >/dev/null || die "$clang not found (apt-get install clang)"
git -C "$src" rev-parse -q --verify refs/heads/patched >/dev/null 2>&1 ||
	die "$src has no branch patched (make vm-kernels first)"
commit=$(git -C "$src" rev-parse refs/heads/patched)
mkdir -p "$work"
quiet=(-s)
[[ ${V:-} == 1 ]] && quiet=()

# --- 1-4. build, keyed on the commit and the compilers ------------------------
key="$commit $("$clang" --version | head -n 1) $("$cc" --version | head -n 1) $(sha256sum <"$0" | cut -c1-16)"
bin=$work/bin
if [[ $(cat "$work/.build-stamp" 2>/dev/null) != "$key" ]]; then
	rm -rf "$work/tree" "$work/libbpf" "$bin" "$work/.build-stamp"
	mkdir -p "$work/tree" "$work/libbpf" "$bin"
	progress ST-TREE "tools/ of patched ($(git -C "$src" log -1 --format='%h %s' "$commit" | cut -c1-60))"
	git -C "$src" archive "$commit" tools scripts/bpf_doc.py include/uapi/linux/bpf.h |
		tar -x -C "$work/tree" ||
		die "git archive of $commit failed"
	t=$work/tree/tools st=$work/tree/tools/testing/selftests/bpf
	log=$work/build.log
	: >"$log"
	progress ST-LIBBPF "tools/lib/bpf, static (log: $log)"
	make "${quiet[@]}" -C "$t/lib/bpf" -j2 OUTPUT="$work/libbpf/" BUILD_STATIC_ONLY=1 \
		DESTDIR="$work/libbpf/root" prefix=/usr install_headers "$work/libbpf/libbpf.a" \
		>>"$log" 2>&1 || die "libbpf failed to build (see $log)"
	inc=$work/libbpf/root/usr/include
	for p in test_sockmap_kern test_sockhash_kern; do
		progress ST-BPF "progs/$p.c -> $p.bpf.o"
		"$clang" -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$inc" -I"$t/include/uapi" -I"$st" \
			-idirafter /usr/include -idirafter /usr/include/x86_64-linux-gnu \
			-Wno-compare-distinct-pointer-types -c "$st/progs/$p.c" -o "$bin/$p.bpf.o" \
			>>"$log" 2>&1 || die "progs/$p.c failed to build (see $log)"
	done
	progress ST-CC "test_sockmap (static)"
	"$cc" -O2 -g -static -Wall -D_GNU_SOURCE= -I"$inc" -I"$t/include/uapi" -I"$t/include" -I"$st" \
		"$st/test_sockmap.c" "$st/cgroup_helpers.c" -o "$bin/test_sockmap" \
		"$work/libbpf/libbpf.a" -lelf -lz >>"$log" 2>&1 ||
		die "test_sockmap failed to build (see $log)"
	echo "$key" >"$work/.build-stamp"
fi

# --- 5. boot each kernel -----------------------------------------------------------
# test_sockmap exits non-zero when a subtest fails: boot.sh then says
# "runner exit N", and the table judges the subtests. Any other boot.sh
# error (a kernel warning, a timeout) is the kernel's verdict, except a
# panic: the subtest that was running (the next one in the order of the
# first kernel's complete run) is recorded as PANIC, and the kernel boots
# again with that subtest blacklisted (-b, by title: in every map group),
# at most 5 times. Subtests a blacklist kept from running are SKIP.
# A subtest the expected file names "alone" for a kernel (one whose bug
# leaves that kernel broken for the subtests after it) is blacklisted in
# the main run and gets a boot of its own, whitelisted (-n).
# The last kernel (the most fixed) first: its complete run gives the order.
ref=
for ((ki = ${#kernels[@]} - 1; ki >= 0; ki--)); do
	k=${kernels[ki]}
	out=$work/$k.out
	rm -f "$out" "$out.log" "$work/$k".[0-9]*.out* "$work/$k.boot"
	VM_INITRAMFS_FILES="$bin/test_sockmap_kern.bpf.o $bin/test_sockhash_kern.bpf.o" \
		"$here/mkinitramfs.sh" "$gen" "$init" "$bin/test_sockmap" "$work/$k.cpio" ||
		die "the initramfs for $k could not be made"
	skip=()
	# Subtests the expected file runs alone on this kernel: kept out of
	# the main run (-b), then a boot each (-n, test_sockmap's whitelist).
	mapfile -t alone < <(awk -v k="$k" '$1 == "alone" && ($2 == k || $2 == "*") {
		sub(/^alone[ \t]+[^ \t]+[ \t]+/, ""); print }' "$expected")
	for attempt in 1 2 3 4 5 6; do
		o=$work/$k.$attempt.out
		args=()
		bl=("${skip[@]}" "${alone[@]}")
		(( ${#bl[@]} )) && args=(-b "$(IFS=,; echo "${bl[*]}")")
		if "$here/boot.sh" "$vmwork/$k.bzImage" "$work/$k.cpio" "$o" "$tmo" "${args[@]}" \
				2>"$work/$k.boot"; then
			cat "$o" >>"$out"
			break
		fi
		grep -v 'boot: runner exit' "$work/$k.boot" | sed 's/^/  /' || true
		cat "$o" >>"$out" 2>/dev/null || true
		grep -q 'boot: kernel panic' "$work/$k.boot" || break
		[[ -n $ref ]] || die "$k panicked, and no kernel before it ran every subtest"
		row=$(python3 "$here/selftests-table.py" --panicked "$ref" "$o") ||
			die "$k panicked: the subtest running then is not known (see $o.log)"
		echo "#P/0 $row:PANIC" >>"$out"
		skip+=("${row##*:}")
		(( attempt < 6 )) || break
		echo "  ST-BOOT   $k: again, without \"${row##*:}\""
		: >"$work/$k.boot"
	done
	for t in "${skip[@]}"; do
		# what the blacklist kept from running
		grep -F ":$t:" "$ref" | sed -E 's/^#\s*[0-9]+\/\s*[0-9]+\s+(.*):(OK|FAIL)\s*$/\1/' |
			while IFS= read -r r; do
				grep -qF " $r:" "$out" || echo "#S/0 $r:SKIP" >>"$out"
			done
	done
	# A subtest run alone may leave the kernel broken (the bug it shows):
	# a panic is its verdict; a warning or a timeout after its verdict is
	# printed here, and judged by the expected file's reason for running
	# it alone.
	ai=0
	for t in "${alone[@]}"; do
		o=$work/$k.alone$((++ai)).out
		echo "  ST-BOOT   $k: \"$t\" alone"
		if ! "$here/boot.sh" "$vmwork/$k.bzImage" "$work/$k.cpio" "$o" "$tmo" -n "$t" \
				2>"$work/$k.alone$ai.boot"; then
			grep -v 'boot: runner exit' "$work/$k.alone$ai.boot" | sed 's/^/  /' || true
			if grep -q 'boot: kernel panic' "$work/$k.alone$ai.boot"; then
				grep -F ":$t:" "${ref:-/dev/null}" | sed -E 's/^#\s*[0-9]+\/\s*[0-9]+\s+(.*):(OK|FAIL)\s*$/\1/' |
					while IFS= read -r r; do
						grep -qF " $r:" "$o" 2>/dev/null || echo "#P/0 $r:PANIC" >>"$o"
					done
			fi
		fi
		cat "$o" >>"$out" 2>/dev/null || true
	done
	# the first kernel run must run every subtest: the others' order
	[[ -n $ref ]] || ref=$out
done

# --- 6. the table ----------------------------------------------------------------
python3 "$here/selftests-table.py" --expected "$expected" --dir "$work" "${kernels[@]}"
