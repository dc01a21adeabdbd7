#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# review/review.sh: make review PATCH="a.patch b.patch" | MBOX=series.mbx
#
# Tests mailed sockmap patches on top of a level of the project's series
# and writes a report, in this order: how the patches applied (offsets,
# fuzz, files the sim does not compile), build warnings they introduce,
# the CMocka suites, the fuzz corpus replay and a bounded fuzz run of each
# harness, the coverage of every line they add to a compiled kernel file,
# the mutants of those lines the tests do not kill (review/mutants.py),
# and what they change in make run's costs and in the sim's conformance
# observations. Each step prints one progress line; the report is
# $O/review/NAME/report.md (printed at the end), report.json and
# report.html. Exit 0 when nothing failed; 1 when the patches do not
# apply or build, or a test or the fuzzer fails.
#
# Environment (from review/review.mk): MAKE, O, PATCH, MBOX, REVIEW_BASE
# (pristine|fixes|copy|full, default full, or N: the first N patches), REVIEW_FUZZ_SECONDS (60; 0
# skips the fuzz run, not the corpus replay), REVIEW_NAME, REVIEW_FUZZ
# (lines of fuzz allowed when applying, default 2), REVIEW_EXPECT (the
# level whose tests judge the patched build), REVIEW_MUTANTS (at most that
# many mutants of the added lines, default 30; 0 skips the step),
# REVIEW_MUTANT_TIMEOUT (seconds a mutant's tests may take; default 5
# times those of the build without a mutant, at least 30), REVIEW_FILES
# (kernel-port/files.txt), REVIEW_VM (1: the VM columns too: the level's
# kernel and the same with the patches, booted with the conformance
# runner; make review-vm in review/review.mk), V.
set -uo pipefail
if [[ ${V:-} == 1 ]]; then set -x; fi

die() { echo "sockmap-sim: review: $*" >&2; exit 1; }
MAKE=${MAKE:-make}
O=${O:-build}
base=${REVIEW_BASE:-full}
fuzz_secs=${REVIEW_FUZZ_SECONDS:-60}
# A level, or N: the first N patches of fixes/ then splice/ (the series
# before patch N+1, to review one of the project's own patches).
case $base in
pristine | fixes | copy | full) level=(SERIES_LEVEL="$base") ;;
*)
	[[ $base =~ ^[0-9]+$ ]] ||
		die "REVIEW_BASE=$base is neither a series level (pristine, fixes, copy, full) nor a patch count"
	level=(KSERIES_UPTO="$base")
	;;
esac
[[ $fuzz_secs =~ ^[0-9]+$ ]] || die "REVIEW_FUZZ_SECONDS=$fuzz_secs is not a number of seconds"
nmutants=${REVIEW_MUTANTS:-30}
[[ $nmutants =~ ^[0-9]+$ ]] || die "REVIEW_MUTANTS=$nmutants is not a number of mutants"
[[ ${REVIEW_MUTANT_TIMEOUT:-0} =~ ^[0-9]+$ ]] ||
	die "REVIEW_MUTANT_TIMEOUT=$REVIEW_MUTANT_TIMEOUT is not a number of seconds"
[[ ${REVIEW_FUZZ:-2} =~ ^[0-9]$ ]] || die "REVIEW_FUZZ=$REVIEW_FUZZ is not a number of fuzz lines (0-9)"
case ${REVIEW_VM:-0} in 0 | 1) ;; *) die "REVIEW_VM=$REVIEW_VM is neither 0 nor 1" ;; esac
vm=${REVIEW_VM:-0}
[[ -n ${PATCH:-}${MBOX:-} ]] || die "give PATCH=\"a.patch b.patch\" or MBOX=series.mbx"
[[ -z ${PATCH:-} || -z ${MBOX:-} ]] || die "give PATCH or MBOX, not both"

# --- inputs -------------------------------------------------------------------
inputs=()
if [[ -n ${MBOX:-} ]]; then
	[[ -f $MBOX ]] || die "MBOX file $MBOX not found"
	name=${REVIEW_NAME:-$(basename "${MBOX%.*}")}
else
	for p in $PATCH; do
		[[ -f $p ]] || die "PATCH file $p not found"
		inputs+=("$p")
	done
	name=${REVIEW_NAME:-$(basename "${inputs[0]%.patch}")}
fi
name=${name//[^A-Za-z0-9._-]/_}
out=$O/review/$name
rm -rf "$out"
mkdir -p "$out/patches" "$out/logs"
out=$(cd "$out" && pwd)
logs=$out/logs

step_n=0
nsteps=$((9 + vm))
step() { step_n=$((step_n + 1)); printf 'sockmap-sim: review [%d/%d] %s\n' "$step_n" "$nsteps" "$*"; }

# subject FILE: the mail's Subject:, folded lines joined
subject() {
	awk '/^Subject: / { s = substr($0, 10); insub = 1; next }
	     insub && /^[ \t]/ { sub(/^[ \t]+/, " "); s = s $0; next }
	     insub { print s; exit }' "$1"
}

step "inputs: ${MBOX:-${inputs[*]}}"
skipped_mails=()
if [[ -n ${MBOX:-} ]]; then
	mdir=$out/mails
	mkdir -p "$mdir"
	git mailsplit -o"$mdir" "$MBOX" >/dev/null || die "MBOX $MBOX: git mailsplit failed"
	for m in "$mdir"/*; do
		subj=$(subject "$m")
		if ! grep -qE '^(diff --git |--- )' "$m"; then
			skipped_mails+=("$subj")
			echo "  SKIP     no diff (cover letter?): $subj"
			continue
		fi
		inputs+=("$m")
	done
	(( ${#inputs[@]} )) || die "MBOX $MBOX holds no patch"
fi
patches=()
i=0
for p in "${inputs[@]}"; do
	i=$((i + 1))
	subj=$(subject "$p" | sed -E 's/^\[[^]]*\] *//')
	[[ -n $subj ]] || subj=$(basename "${p%.patch}")
	slug=$(printf '%s' "$subj" | tr -c 'A-Za-z0-9_\n-' '-' | cut -c1-50)
	dst=$out/patches/$(printf '%04d' "$i")-$slug.patch
	cp "$p" "$dst"
	patches+=("$dst")
	printf '%s\t%s\n' "$(basename "$dst")" "$subj" >>"$out/patches.tsv"
done
mk=("$MAKE" --no-print-directory "O=$O")
# REVIEW_EXPECT=<level>: judge both builds by that level's tests (the
# patches complete it).
if [[ -n ${REVIEW_EXPECT:-} ]]; then
	case $REVIEW_EXPECT in pristine | fixes | copy | full) ;;
	*) die "REVIEW_EXPECT=$REVIEW_EXPECT is not a series level (pristine, fixes, copy, full)" ;;
	esac
fi
patched=("${level[@]}" ${REVIEW_EXPECT:+TEST_LEVEL="$REVIEW_EXPECT"} EXTRA_PATCHES="${patches[*]}" ALLOW_UNTESTED=1
	 USER_PATCH_FUZZ="${REVIEW_FUZZ:-2}")
# Without the patches, judged by the same level: a test that fails
# there and passes with them is one that shows what they change.
based=("${level[@]}" ${REVIEW_EXPECT:+TEST_LEVEL="$REVIEW_EXPECT"})
failed=0

# --- apply ----------------------------------------------------------------------
step "apply on level $base (fuzz ${REVIEW_FUZZ:-2})"
if "${mk[@]}" ksrc "${patched[@]}" >"$logs/apply.log" 2>&1; then
	echo ok >"$out/apply.status"
else
	echo failed >"$out/apply.status"
	failed=1
fi
grep -E '^  OFFSET |^sockmap-sim: |\*\*\* sockmap-sim: ' "$logs/apply.log" | sed 's/^/  /' | head -20
ksrc=$("${mk[@]}" -s print-ksrc "${patched[@]}" 2>/dev/null | tail -1)

if (( !failed )); then
	# --- build and warnings ------------------------------------------------
	step "build (ASan+UBSan) and W=1 warnings of the compiled kernel files"
	"${mk[@]}" review-warnings "${based[@]}" >"$logs/warnings-base.log" 2>&1
	"${mk[@]}" review-warnings "${patched[@]}" >"$logs/warnings.log" 2>&1
	if ! "${mk[@]}" build-tests "${patched[@]}" >"$logs/build.log" 2>&1; then
		echo failed >"$out/build.status"
		failed=1
		grep -m3 -E 'error' "$logs/build.log" | sed 's/^/  /'
	else
		echo ok >"$out/build.status"
	fi
fi
if (( !failed )); then
	# --- suites -----------------------------------------------------------
	# Without the patches too: the tests assert each level's behaviour, so
	# at a count between levels some fail already; only what the patches
	# change is theirs (report.py compares the two runs).
	step "CMocka suites at level $base, with and without the patches"
	"${mk[@]}" check "${based[@]}" >"$logs/suites-base.log" 2>&1
	"${mk[@]}" check "${patched[@]}" >"$logs/suites.log" 2>&1
	grep -E '^sockmap-sim: [0-9]+ tests passed|^sockmap-sim: failing' "$logs/suites.log" | sed 's/^/  /'
	# The same suites with the patches as JUnit XML and TAP, for CI
	# systems: $out/test-reports/ (a failing suite is in them, and in the
	# verdict above; it does not stop the review).
	"${mk[@]}" test-reports "${patched[@]}" >"$logs/test-reports.log" 2>&1 || true
	rbdir=$("${mk[@]}" -s print-bdir "${patched[@]}" 2>/dev/null | tail -1)
	rm -rf "$out/test-reports"
	if [[ -n $rbdir && -d $rbdir/test-reports ]]; then
		cp -r "$rbdir/test-reports" "$out/test-reports"
		xml=("$out"/test-reports/*.xml)
		echo "  JUnit XML and TAP: $out/test-reports/ (${#xml[@]} suites)"
	else
		echo "  JUnit XML and TAP: not written (see $logs/test-reports.log)"
	fi

	# --- fuzz -------------------------------------------------------------
	step "fuzz: corpus replay, then ${fuzz_secs} s of libFuzzer per harness"
	"${mk[@]}" fuzz-replay-one "${based[@]}" >"$logs/fuzz-replay-base.log" 2>&1
	"${mk[@]}" fuzz-replay-one "${patched[@]}" >"$logs/fuzz-replay.log" 2>&1
	for h in world ring; do
		if (( fuzz_secs > 0 )); then
			"${mk[@]}" fuzz FUZZER=$h FUZZ_SECONDS="$fuzz_secs" "${patched[@]}" \
				>"$logs/fuzz-$h.log" 2>&1
			grep -E '^  FUZZ .*runs|^sockmap-sim: fuzz' "$logs/fuzz-$h.log" | sed 's/^/  /'
			# A crash: the same input without the patches. A bug the
			# base has already is reported, not the patches' failure.
			repro=$(sed -n 's/^  reproducer: //p' "$logs/fuzz-$h.log" | head -n 1)
			rm -f "$logs/fuzz-$h-base.log"
			if [[ -n $repro && -f $repro ]]; then
				"${mk[@]}" fuzz-replay-file FUZZER=$h FUZZ_FILE="$repro" "${based[@]}" \
					>"$logs/fuzz-$h-base.log" 2>&1
				echo "base-replay-exit: $?" >>"$logs/fuzz-$h-base.log"
				if grep -q '^base-replay-exit: 0$' "$logs/fuzz-$h-base.log"; then
					echo "  $h: the reproducer passes without the patches"
				else
					echo "  $h: the reproducer fails without the patches too (see $logs/fuzz-$h-base.log)"
				fi
			fi
		fi
	done

	# --- coverage ---------------------------------------------------------
	step "coverage of the added lines (gcov build, every suite)"
	"${mk[@]}" coverage "${patched[@]}" COV_ALLOW_FAIL=1 >"$logs/coverage.log" 2>&1 ||
		echo "  coverage failed: see $logs/coverage.log"
	"${mk[@]}" -s print-cov-out "${patched[@]}" 2>/dev/null | tail -1 >"$out/cov-out"

	# --- mutation of the added lines ----------------------------------------
	# Each mutant is a patch of one file applied to a copy of the reviewed
	# tree and objects (review/mutants.py): one kernel object compiled, the
	# suites relinked and run, then the corpus replay. Survivors are
	# reported, not failures.
	if (( nmutants > 0 )); then
		step "mutation of the added lines (at most $nmutants mutants; the suites and the corpus replay each)"
		ksrc_base=$("${mk[@]}" -s print-ksrc "${based[@]}" 2>/dev/null | tail -1)
		bdir=$("${mk[@]}" -s print-bdir "${patched[@]}" 2>/dev/null | tail -1)
		python3 review/mutants.py run --base "$ksrc_base" --new "$ksrc" \
			--files "${REVIEW_FILES:-kernel-port/files.txt}" --max "$nmutants" \
			--out "$out/mutation" --bdir "$bdir" --timeout "${REVIEW_MUTANT_TIMEOUT:-0}" \
			-- "${mk[@]}" "${patched[@]}" 2>&1 | tee "$logs/mutation.log" |
			grep --line-buffered -E '^  MUTANT|^sockmap-sim' | sed -u 's/^/  /'
	else
		step "mutation of the added lines: skipped (REVIEW_MUTANTS=0)"
	fi

	# --- costs and conformance ------------------------------------------
	step "costs (make run) and the sim's conformance observations, with and without"
	"${mk[@]}" review-costs "${based[@]}" >"$logs/run-base.log" 2>&1
	"${mk[@]}" review-costs "${patched[@]}" >"$logs/run.log" 2>&1
	"${mk[@]}" conformance-sim-one "${based[@]}" CONF_OUT="$out/conf-base.out" \
		>"$logs/conf-base.log" 2>&1
	"${mk[@]}" conformance-sim-one "${patched[@]}" CONF_OUT="$out/conf.out" \
		>"$logs/conf.log" 2>&1

	# --- the booted kernels (REVIEW_VM=1) ----------------------------------
	# The whole patches, also their hunks outside the compiled files.
	if (( vm )); then
		step "VM: the level's kernel and the same with the patches, the conformance runner booted on each"
		rm -rf "$out/vm"
		"${mk[@]}" review-vm "${level[@]}" REVIEW_VM_OUT="$out/vm" \
			REVIEW_VM_PATCHES="${patches[*]}" REVIEW_FUZZ="${REVIEW_FUZZ:-2}" \
			>"$logs/vm.log" 2>&1 || echo "  review-vm failed to start: see $logs/vm.log"
		grep -E '^  REVIEW-VM' "$logs/vm.log" | sed 's/^/  /'
	fi
fi

step "report: $out/report.md"
# report.py decides the rest of the verdict (new test failures, replay or
# fuzz crashes): exit 1 = failed, anything else = it could not write.
python3 review/report.py --out "$out" --base "$base" --name "$name" --vm "$vm" \
	--ksrc "$ksrc" --failed "$failed" ${skipped_mails[@]:+--skipped "${skipped_mails[@]}"}
rc=$?
(( rc <= 1 )) || die "the report could not be written"
cat "$out/report.md"
exit "$rc"
