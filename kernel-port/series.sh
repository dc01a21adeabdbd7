# SPDX-License-Identifier: GPL-2.0
#
# kernel-port/series.sh: sourced by kernel-check.sh and vm/vm-kernel.sh.
#
# series_read DIR...: the patches of each DIR/series (quilt style: '#'
# comments, blank lines and anything after the name ignored), the series
# in the order given (kernel-patches/fixes, then kernel-patches/splice).
# Sets names[] (DIR's last component/patch file, e.g.
# fixes/0001-tcp_bpf-....patch) and patches[] (absolute paths). Calls die()
# (the caller's) on a missing series file, an empty series or a missing
# patch.
series_read() {
	local dir n
	names=() patches=()
	for dir in "$@"; do
		dir=${dir%/}
		[[ -f $dir/series ]] || die "$dir/series not found"
		local these=()
		mapfile -t these < <(sed -e 's/#.*//' "$dir/series" | awk 'NF { print $1 }')
		(( ${#these[@]} )) || die "$dir/series names no patches"
		for n in "${these[@]}"; do
			[[ -f $dir/$n ]] || die "$dir/series names $n, which does not exist"
			names+=("$(basename "$dir")/$n")
			patches+=("$(realpath "$dir/$n")")
		done
	done
	(( ${#patches[@]} )) || die "no series given"
}
