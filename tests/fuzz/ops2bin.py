#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/fuzz/ops2bin.py: compile readable op scripts into fuzz inputs.

Usage: ops2bin.py [--check] SEEDS_DIR CORPUS_DIR
SEEDS_DIR is tests/fuzz/seeds/HARNESS; the script format and the input
layout are HARNESS's own: tests/fuzz/ops_HARNESS.py compiles one script
(compile_script(path) -> bytes), tests/fuzz/fuzz_HARNESS.c documents the
layout. Every SEEDS_DIR/NAME.ops becomes CORPUS_DIR/NAME. With --check,
nothing is written: exit 1 (one line naming the file) if the corpus
differs from what the scripts compile to, or if a corpus file has no
script.
"""
import importlib
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    check = "--check" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--check"]
    seeds, corpus = args
    harness = os.path.basename(os.path.normpath(seeds))
    try:
        compile_script = importlib.import_module(f"ops_{harness}").compile_script
    except ModuleNotFoundError:
        sys.exit(f"sockmap-sim: fuzz: no tests/fuzz/ops_{harness}.py for {seeds}")
    scripts = sorted(f for f in os.listdir(seeds) if f.endswith(".ops"))
    if not check:
        os.makedirs(corpus, exist_ok=True)
    for s in scripts:
        data = compile_script(os.path.join(seeds, s))
        dst = os.path.join(corpus, s[:-4])
        if check:
            if not os.path.exists(dst) or open(dst, "rb").read() != data:
                sys.exit(f"sockmap-sim: fuzz: {dst} is not what {seeds}/{s} compiles to "
                         "(make fuzz-corpus)")
        else:
            open(dst, "wb").write(data)
    if check:
        extra = set(os.listdir(corpus)) - {s[:-4] for s in scripts}
        if extra:
            sys.exit(f"sockmap-sim: fuzz: {corpus} has files without a script: {sorted(extra)}")
    print(f"  CORPUS   {corpus}: {len(scripts)} inputs {'match their scripts' if check else 'written'}")


if __name__ == "__main__":
    main()
