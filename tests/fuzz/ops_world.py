# SPDX-License-Identifier: GPL-2.0
"""tests/fuzz/ops_world.py: op scripts of the world harness (fuzz_world.c).

Script format, one op per line, '#' comments:
  world verdict=pass|redirect|drop read=recv|splice apply=0|1|700|4096
        cork=0|1|100|3000 pipe=16|1          (first line)
  send LEN | read LEN | peek LEN | other LEN | work | fionread
  fail page|slab|skb|sk_msg|sock SKIP COUNT | drain-other
"""
import sys

OPS = ["send", "read", "peek", "other", "work", "fionread", "fail", "drain-other"]
VERDICT = {"pass": 0, "redirect": 1, "drop": 2}
APPLY = [0, 1, 700, 4096]
CORK = [0, 1, 100, 3000]
KINDS = ["page", "slab", "skb", "sk_msg", "sock"]


def compile_script(path):
    out = bytearray()
    for lineno, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        op, args = line[0], line[1:]
        where = f"{path}:{lineno}"
        if op == "world":
            kv = dict(a.split("=", 1) for a in args)
            cfg = VERDICT[kv.get("verdict", "redirect")]
            cfg |= 4 if kv.get("read", "recv") == "splice" else 0
            cfg |= APPLY.index(int(kv.get("apply", 0))) << 3
            cfg |= CORK.index(int(kv.get("cork", 0))) << 5
            cfg |= 0x80 if kv.get("pipe", "16") == "1" else 0
            if out:
                sys.exit(f"{where}: 'world' must come first")
            out.append(cfg)
            continue
        if not out:
            sys.exit(f"{where}: the first line must be 'world ...'")
        if op not in OPS:
            sys.exit(f"{where}: unknown op '{op}'")
        out.append(OPS.index(op))
        if op in ("send", "read", "peek"):
            n = int(args[0])
            if op in ("send", "peek"):
                n -= 1          # the harness adds 1
            out += max(0, min(n, 65535)).to_bytes(2, "big")
        elif op == "other":
            out.append(max(0, min(int(args[0]) - 1, 255)))
        elif op == "fail":
            out += bytes([KINDS.index(args[0]), int(args[1]), int(args[2])])
    return bytes(out)
