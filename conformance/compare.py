#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""conformance/compare.py: line the seven backends' observations up.

Usage: compare.py [--explained FILE] [--out FILE] DIR

DIR holds sim-unpatched.out, vm-unpatched.out, host.out, sim-fixes.out,
vm-fixes.out, sim-patched.out, vm-patched.out (runner output: "<scenario> <index> <op> => <observation>",
'#' lines are comments). Prints one table: a row per operation, a column
per backend. A row is marked
  !U  sim-unpatched disagrees with vm-unpatched (the sim vs the kernel it models)
  !F  sim-fixes disagrees with vm-fixes (kernel-patches/fixes alone)
  !P  sim-patched disagrees with vm-patched
  h   the host kernel differs from vm-unpatched (informative: another version)
  f   kernel-patches/fixes changes the observation (sim-unpatched vs sim-fixes)
  s   kernel-patches/splice changes it (sim-fixes vs sim-patched)
  *   the series changes the observation (vm-unpatched vs vm-patched)
Exit 1 if a !U, !F or !P row is not listed in the explained file (lines
"<scenario> <index> <U|F|P> <reason>"), or if a required column is missing.
"""
import argparse
import os
import re
import sys

KERNEL_LOG = re.compile(r"^\[\s*\d+\.\d+\]")

COLUMNS = [
    ("sim-unpatched", "sim 6.12.117"),
    ("vm-unpatched", "vm 6.12.117"),
    ("host", "host"),
    ("sim-fixes", "sim +fixes"),
    ("vm-fixes", "vm +fixes"),
    ("sim-patched", "sim +series"),
    ("vm-patched", "vm +series"),
]
REQUIRED = {"sim-unpatched", "vm-unpatched", "sim-fixes", "vm-fixes", "sim-patched", "vm-patched"}


def load(path):
    """{(scenario, index): (op, observation)}, ordered; or a skip reason."""
    rows, skip = {}, None
    if not os.path.exists(path):
        return None, "missing"
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if KERNEL_LOG.match(line):
                continue        # a kernel message on the VM's console
            if line.startswith("#"):
                if "cannot run:" in line:
                    skip = line.split("cannot run:", 1)[1].strip()
                continue
            if " => " not in line:
                if line.strip():
                    rows[("?", line)] = (line, "?")
                continue
            left, obs = line.split(" => ", 1)
            parts = left.split(" ", 2)
            if len(parts) < 3:
                continue
            rows[(parts[0], parts[1])] = (parts[2], obs)
    return rows, skip


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--explained")
    ap.add_argument("--out")
    ap.add_argument("dir")
    args = ap.parse_args()

    explained = {}
    if args.explained and os.path.exists(args.explained):
        with open(args.explained) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    sc, idx, which, reason = line.rstrip("\n").split(" ", 3)
                    explained[(sc, idx, which)] = reason

    data, notes, problems = {}, [], []
    for name, _ in COLUMNS:
        rows, skip = load(os.path.join(args.dir, name + ".out"))
        if rows is None or skip:
            why = skip or "no output"
            notes.append(f"{name}: skipped: {why}")
            if name in REQUIRED:
                problems.append(f"column {name} is missing ({why})")
            rows = {}
        data[name] = rows

    keys = []
    for name, _ in COLUMNS:
        for k in data[name]:
            if k not in keys:
                keys.append(k)

    width = [max(12, max((len(data[n].get(k, ("", ""))[1]) for k in keys), default=0))
             for n, _ in COLUMNS]
    opw = max(len(f"{k[0]} {k[1]} {data['sim-patched'].get(k, data['vm-patched'].get(k, ('?', '')))[0]}")
              for k in keys) if keys else 10
    out = []
    head = f"{'':3} {'scenario / op':{opw}}  " + "  ".join(
        f"{label:{w}}" for (_, label), w in zip(COLUMNS, width))
    out.append(head)
    out.append("-" * len(head))
    counts = {"!U": 0, "!F": 0, "!P": 0, "h": 0, "f": 0, "s": 0, "*": 0}
    last = None
    for k in keys:
        obs = {n: data[n].get(k, (None, None))[1] for n, _ in COLUMNS}
        op = next((data[n][k][0] for n, _ in COLUMNS if k in data[n]), "?")
        marks = []
        for which, a, b in (("U", "sim-unpatched", "vm-unpatched"),
                            ("F", "sim-fixes", "vm-fixes"),
                            ("P", "sim-patched", "vm-patched")):
            if data[a] and data[b] and obs[a] != obs[b]:
                marks.append("!" + which)
                counts["!" + which] += 1
                reason = explained.get((k[0], k[1], which))
                if reason:
                    notes.append(f"{k[0]} {k[1]} !{which} explained: {reason}")
                else:
                    problems.append(f"{k[0]} {k[1]} {op}: sim {obs[a]} but kernel {obs[b]} "
                                    f"({dict(U='unpatched', F='fixes', P='patched')[which]})")
        if data["host"] and data["vm-unpatched"] and obs["host"] is not None and \
                obs["host"] != obs["vm-unpatched"]:
            marks.append("h")
            counts["h"] += 1
        for mark, a, b in (("f", "sim-unpatched", "sim-fixes"), ("s", "sim-fixes", "sim-patched")):
            if data[a] and data[b] and obs[a] != obs[b]:
                marks.append(mark)
                counts[mark] += 1
        if data["vm-unpatched"] and data["vm-patched"] and obs["vm-unpatched"] != obs["vm-patched"]:
            marks.append("*")
            counts["*"] += 1
        if last is not None and last != k[0]:
            out.append("")
        last = k[0]
        label = f"{k[0]} {k[1]} {op}"
        out.append(f"{''.join(m for m in marks if m.startswith('!')):3} {label:{opw}}  " +
                   "  ".join(f"{(obs[n] or '-'):{w}}" for (n, _), w in zip(COLUMNS, width)) +
                   ("  " + " ".join(m for m in marks if not m.startswith("!")) if any(
                       not m.startswith("!") for m in marks) else ""))
    out.append("")
    nsc = len({k[0] for k in keys})
    out.append(f"sockmap-sim: conformance: {nsc} scenarios, {len(keys)} operations; "
               f"sim vs kernel: {counts['!U']} disagreements unpatched, {counts['!F']} fixes, "
               f"{counts['!P']} patched "
               f"({len(problems)} unexplained); the series changes {counts['*']} observations "
               f"(fixes/ {counts['f']}, splice/ {counts['s']}); "
               f"the host differs from 6.12.117 in {counts['h']}")
    for n in notes:
        out.append("  note: " + n)
    for p in problems:
        out.append("  DISAGREEMENT: " + p)
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
