#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kernel-port/cover-figures.py: the figures the two cover letters carry.

Usage: cover-figures.py (--check | --write) --report-full CSV
           --report-copy CSV --report-pristine CSV --conformance DIR
           FIXES_COVER SPLICE_COVER

Every figure in kernel-patches/{fixes,splice}/0000-cover-letter.patch that
sockmap-sim measures sits in a block: a fixed title line, then the rows,
up to the next blank line. This script computes each block from its
source and either rewrites the blocks in place (--write, `make
series-figures`) or fails, naming the cover letter and the block, when a
committed block differs from what the code measures now (--check, `make
series-figures-check`, part of `make test`):

  splice cover, "sockmap-sim, make run ...": the TX->RX costs from the
      report (tests/report.c, FORMAT=csv) at levels full, copy, pristine;
  fixes cover, "sockmap-sim, make conformance ... fixes/ ...": the
      observations kernel-patches/fixes changes (sim-unpatched.out vs
      sim-fixes.out of make conformance-sim);
  splice cover, "sockmap-sim, make conformance ... splice/ ...": those
      kernel-patches/splice changes (sim-fixes.out vs sim-patched.out).

The conformance rows come from the sim's columns; `make conformance`
checks separately that the sim and 6.12.117 booted in qemu agree on
every row, unpatched and with the whole series.
"""
import argparse
import csv
import difflib
import os
import sys

COST_TITLE = "sockmap-sim, make run (TX->RX, 64 messages per size):"
FIXES_TITLE = "sockmap-sim, make conformance: what kernel-patches/fixes changes:"
SPLICE_TITLE = "sockmap-sim, make conformance: what kernel-patches/splice changes:"


def die(msg):
    print(f"sockmap-sim: cover-figures: {msg}", file=sys.stderr)
    sys.exit(1)


def report_rows(path):
    """{(path, consumer, msg_size): row dict} of a FORMAT=csv report."""
    if not os.path.exists(path):
        die(f"{path} not found")
    with open(path) as f:
        return {(r["path"], r["consumer"], int(r["msg_size"])): r for r in csv.DictReader(f)}


def cost_block(full, copy, pristine):
    def get(rows, consumer, size):
        r = rows.get(("TX->RX", consumer, size))
        if r is None:
            die(f"the report has no TX->RX {consumer} row for {size} bytes")
        if r["verified"] != "1":
            die(f"the report's TX->RX {consumer} row for {size} bytes failed its check")
        return r

    lines = [COST_TITLE,
             "                       copies/byte   page refs/msg    allocations/msg",
             "                                     (get, 64 KiB)    (64 B / 64 KiB)"]
    for label, rows, consumer in (("recvmsg()", full, "read"),
                                  ("splice, zero-copy", full, "splice-zc"),
                                  ("splice, always-copy", copy, "splice-cp")):
        big, small = get(rows, consumer, 65536), get(rows, consumer, 64)
        lines.append(f"  {label:<20} {float(big['copies_per_byte']):5.2f}"
                     f"           {float(big['page_get_per_msg']):>4g}"
                     f"            {float(small['allocs_per_msg']):>4g} / "
                     f"{float(big['allocs_per_msg']):g}")
    unp = get(pristine, "splice-unpatched", 65536)
    if int(unp["bytes"]) != 0:
        die("the pristine report's splice moved data")
    lines.append("  splice, unpatched       moves nothing: -EAGAIN, data stays queued")
    return lines


def load_out(path):
    """[(scenario, index, op, observation)] of a runner output file."""
    if not os.path.exists(path):
        die(f"{path} not found (make conformance-sim writes it)")
    rows = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#") or " => " not in line:
                continue
            left, obs = line.split(" => ", 1)
            parts = left.split(" ", 2)
            if len(parts) == 3:
                rows.append((parts[0], parts[1], parts[2], obs))
    return rows


def change_block(title, before, after):
    b = {(s, i): (op, o) for s, i, op, o in before}
    lines = [title]
    for s, i, op, o in after:
        if (s, i) in b and b[(s, i)][1] != o:
            lines.append(f"  {s} {i} {op}: {b[(s, i)][1]} -> {o}")
    if len(lines) == 1:
        lines.append("  (nothing)")
    return lines


def replace_block(text, block, path):
    lines = text.split("\n")
    try:
        start = lines.index(block[0])
    except ValueError:
        die(f"{path} has no line '{block[0]}'")
    end = start
    while end < len(lines) and lines[end] != "":
        end += 1
    return "\n".join(lines[:start] + block + lines[end:]), lines[start:end]


def main():
    ap = argparse.ArgumentParser()
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    ap.add_argument("--report-full", required=True)
    ap.add_argument("--report-copy", required=True)
    ap.add_argument("--report-pristine", required=True)
    ap.add_argument("--conformance", required=True)
    ap.add_argument("fixes_cover")
    ap.add_argument("splice_cover")
    a = ap.parse_args()

    cost = cost_block(report_rows(a.report_full), report_rows(a.report_copy),
                      report_rows(a.report_pristine))
    unp = load_out(os.path.join(a.conformance, "sim-unpatched.out"))
    fixes = load_out(os.path.join(a.conformance, "sim-fixes.out"))
    full = load_out(os.path.join(a.conformance, "sim-patched.out"))
    blocks = {a.fixes_cover: [change_block(FIXES_TITLE, unp, fixes)],
              a.splice_cover: [cost, change_block(SPLICE_TITLE, fixes, full)]}

    stale = 0
    for path, bl in blocks.items():
        with open(path) as f:
            text = f.read()
        new = text
        for block in bl:
            new, old = replace_block(new, block, path)
            if old != block:
                stale += 1
                if a.check:
                    print(f"sockmap-sim: cover-figures: {path}: '{block[0]}' differs from what "
                          f"the code measures now (make series-figures rewrites it):", file=sys.stderr)
                    sys.stderr.writelines(l + "\n" for l in difflib.unified_diff(
                        old, block, "committed", "measured", lineterm="", n=0))
        if a.write and new != text:
            with open(path, "w") as f:
                f.write(new)
            print(f"  FIGURES  {path}")
    if a.check and stale:
        return 1
    if a.check:
        print(f"sockmap-sim: cover-figures: the {sum(len(b) for b in blocks.values())} figure "
              f"blocks of the cover letters match the code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
