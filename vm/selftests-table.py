#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vm/selftests-table.py: test_sockmap's verdicts on the booted kernels.

Usage: selftests-table.py --expected FILE --dir DIR KERNEL...
       selftests-table.py --panicked REF.out RUN.out

DIR/KERNEL.out is test_sockmap's output on that kernel (vm/selftests.sh),
DIR/KERNEL.boot what vm/boot.sh said when the boot did not end with exit 0.
A subtest line is "#N/M MAP:PREPEND:TITLE:VERDICT"; its row is
"MAP:PREPEND:TITLE" (the test name with its map type and kTLS prefix).
test_sockmap prints OK or FAIL; vm/selftests.sh adds PANIC (the kernel
panicked in it) and SKIP (not run: blacklisted after a panic of a subtest
of the same title). A row's first verdict counts.

Prints a row per subtest and a column per kernel, then checks each
verdict: OK (or SKIP) unless FILE lists "<row> <kernel> FAIL|PANIC
<reason>" (blank lines and '#' comments ignored; <row> may be a shell
pattern, <kernel> "*" for every kernel; the first line that matches
counts, so an OK line before a pattern excepts a row from it). Exit 1, with one line
each, when a verdict is not the expected one, an expected failure is
missing, a kernel's last run did not finish (a warning, a timeout:
anything but "runner exit N"), or a kernel did not run a subtest.

--panicked: the row after RUN.out's last one in REF.out's order (the
subtest a kernel panicked in), printed; exit 1 if there is none.
"""
import argparse
import fnmatch
import os
import re
import sys

PROG = "sockmap-sim: vm-selftests"
LINE = re.compile(r"^#\s*[\dPS]+/\s*\d+\s+(.*):(OK|FAIL|PANIC|SKIP)\s*$")


def load(path):
    rows = {}
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if m:
                rows.setdefault(m.group(1).strip(), m.group(2))
    return rows


def panicked(ref, run):
    order, done = list(load(ref) or {}), load(run) or {}
    last = max((order.index(r) for r in done if r in order), default=-1)
    for r in order[last + 1:]:
        if r not in done:
            print(r)
            return 0
    return 1


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--panicked":
        return panicked(sys.argv[2], sys.argv[3])
    ap = argparse.ArgumentParser()
    ap.add_argument("--expected", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("kernels", nargs="+")
    a = ap.parse_args()

    expected, problems, alone = {}, [], []
    with open(a.expected) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip()
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if re.match(r"^alone\s+(\S+)\s+\S", line):
                # "alone <kernel> <title>": vm/selftests.sh's business
                if line.split()[1] not in a.kernels + ["*"]:
                    problems.append(f"{a.expected}:{n}: alone: no kernel {line.split()[1]}")
                alone.append((n, line.split(None, 2)[2].strip()))
                continue
            m = re.match(r"^(\S.*?)\s+(\S+)\s+(OK|FAIL|PANIC)\s+(.+)$", line)
            if not m or m.group(2) not in a.kernels + ["*"]:
                problems.append(f"{a.expected}:{n}: not '<row> <kernel> OK|FAIL|PANIC <reason>' "
                                f"with a kernel of {' '.join(a.kernels)} or *")
                continue
            expected[(m.group(1), m.group(2))] = (m.group(3), m.group(4))

    runs, order = {}, []
    for k in a.kernels:
        rows = load(os.path.join(a.dir, f"{k}.out"))
        boot = os.path.join(a.dir, f"{k}.boot")
        why = open(boot).read().strip() if os.path.exists(boot) else ""
        if why and not re.search(r"boot: (runner exit \d+|kernel panic)", why):
            problems.append(f"{k}: the run did not finish: {why.splitlines()[0]}")
        if rows is None:
            problems.append(f"{k}: no output ({a.dir}/{k}.out)")
            rows = {}
        runs[k] = rows
        order += [r for r in rows if r not in order]

    def want(r, k):
        for (pat, kern), v in expected.items():
            if kern in (k, "*") and fnmatch.fnmatchcase(r, pat):
                return v
        return ("OK", "")

    width = max([len(r) for r in order] + [10])
    print(f"  {'test_sockmap subtest':<{width}}  " + "  ".join(f"{k:>9}" for k in a.kernels))
    for r in order:
        cells = []
        for k in a.kernels:
            v = runs[k].get(r, "-")
            w, why = want(r, k)
            ok = v in (w, "SKIP")
            cells.append(f"{v + ('' if ok else '!'):>9}")
            if v == "-":
                problems.append(f"{k}: did not run {r}")
            elif not ok:
                problems.append(f"{k}: {r}: {v}, expected {w}" + (f" ({why})" if why else ""))
        print(f"  {r:<{width}}  " + "  ".join(cells))
    for (pat, k) in expected:
        if not any(fnmatch.fnmatchcase(r, pat) for r in order):
            problems.append(f"{a.expected}: {pat} on {k} expected to fail, but no kernel ran it")
    for (ln, title) in alone:
        if not any(r.endswith(":" + title) for r in order):
            problems.append(f"{a.expected}:{ln}: alone: no subtest is titled '{title}'")
    n = {k: sum(v == "OK" for v in runs[k].values()) for k in a.kernels}
    print("  passed: " + ", ".join(f"{k} {n[k]}/{len(runs[k])}" for k in a.kernels)
          + f"; lines of expected failures and panics: {sum(v[0] != 'OK' for v in expected.values())}"
          + f" (! = not as expected, see {a.expected})")
    for p in problems:
        print(f"{PROG}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
