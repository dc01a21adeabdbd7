#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two `make coverage` runs: coverage/compare.py OLD.json NEW.json

OLD/NEW are build/coverage/summary.json files (copy the first one away
before the second run).  Prints the change of every figure (per file, the
kernel and sim/ totals, per patch and the series), then the added lines
that became executed or unexecuted (matched by file, patch and source
text, so a line that only moved is not reported).  Exit status 0; 1 on
unreadable input.
"""

import json
import sys


def load(path):
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        print(f"sockmap-sim: compare: {path}: {e}", file=sys.stderr)
        sys.exit(1)
    if d.get("format") != 1:
        print(f"sockmap-sim: compare: {path}: not a summary.json of format 1", file=sys.stderr)
        sys.exit(1)
    return d


def ratio(d, hit, tot):
    if not d:
        return "-"
    return f"{d[hit]}/{d[tot]} ({100.0 * d[hit] / d[tot]:.1f}%)" if d[tot] else f"{d[hit]}/0"


def delta(o, n, hit, tot):
    if not o or not n or not o[tot] or not n[tot]:
        return ""
    v = 100.0 * n[hit] / n[tot] - 100.0 * o[hit] / o[tot]
    return "" if abs(v) < 0.05 else f"{v:+.1f}"


def row(label, o, n, pairs):
    cells = []
    for hit, tot in pairs:
        cells.append(f"{ratio(o, hit, tot):>20} -> {ratio(n, hit, tot):<20} {delta(o, n, hit, tot):>6}")
    print(f"  {label:<34} " + "  ".join(cells))


def main():
    if len(sys.argv) != 3:
        print("usage: compare.py OLD.json NEW.json", file=sys.stderr)
        sys.exit(1)
    o, n = load(sys.argv[1]), load(sys.argv[2])
    print(f"sockmap-sim coverage: {sys.argv[1]} ({o.get('generated')}) -> "
          f"{sys.argv[2]} ({n.get('generated')})")
    lines = [("lines_hit", "lines")]
    print("lines:")
    of = {f["file"]: f for f in o["files"]}
    nf = {f["file"]: f for f in n["files"]}
    for name in sorted(set(of) | set(nf)):
        row(name, of.get(name), nf.get(name), lines)
    row("kernel files", o["kernel_total"], n["kernel_total"], lines)
    row("sim/", o["sim_total"], n["sim_total"], lines)
    print("branches:")
    br = [("branches_hit", "branches")]
    for name in sorted(set(of) | set(nf)):
        row(name, of.get(name), nf.get(name), br)
    row("kernel files", o["kernel_total"], n["kernel_total"], br)
    print("patches (added executable lines executed; their branch outcomes taken):")
    op = {p["name"]: p for p in o["patches"]}
    np_ = {p["name"]: p for p in n["patches"]}
    for name in [p["name"] for p in n["patches"]] + [x for x in op if x not in np_]:
        a, b = op.get(name), np_.get(name)
        if (a or b)["added"] == 0 and (not b or b["added"] == 0):
            continue
        row(name[:34], a, b, [("executed", "executable")])
        row("  branch outcomes", a, b, [("branches_taken", "branches")])
    row("series", o["series"], n["series"], [("executed", "executable")])
    row("  branch outcomes", o["series"], n["series"], [("branches_taken", "branches")])

    def key(u):
        return (u["file"], u["patch"], u["text"].strip())
    ou = {key(u): u for u in o["unexecuted_added_lines"]}
    nu = {key(u): u for u in n["unexecuted_added_lines"]}
    for k in sorted(set(ou) - set(nu)):
        print(f"now executed:     {ou[k]['file']}:{ou[k]['line']} [patch {k[1]}] {k[2]}")
    for k in sorted(set(nu) - set(ou)):
        print(f"now not executed: {nu[k]['file']}:{nu[k]['line']} [patch {k[1]}] {k[2]}")


if __name__ == "__main__":
    main()
