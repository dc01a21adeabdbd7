# SPDX-License-Identifier: GPL-2.0
"""tests/fuzz/ops_world.py: op scripts of the world harness (fuzz_world.c).

Script format, one op per line, '#' comments. The first line sets up the
world (every key optional, defaults first):
  world mode=tx|rx verdict=redirect|pass|drop|egress apply=0|1|700|4096
        cork=0|1|100|3000 parser=verdict|stream pipe=16|1
        read=recv|splice|lazy|proxy map=sockmap|sockhash ip=4|6
        progs=one|both crowd=0|1 accepted=0|1
        strp=LEN|chunk [need=10] [strp-err=N] [strp-errno=eproto|estrpipe]
        [timer=1]
strp= attaches a stream parser (with a STREAM_VERDICT) where there is an
skb verdict (mode=rx, or progs=both): messages of LEN bytes (1-65535), or
every chunk read is a message; need=10: "need more" while the message skb
is shorter than 10 bytes; strp-err=N: the parser fails from its run N + 1
on (N: 0, 1, 2, 5, 20, 100, 1000) with -EPROTO or -ESTRPIPE; timer=1: A's
and B's SO_RCVTIMEO is 10 jiffies (the strparser's message timer).
then (WHO is a, a2, b or b2; lengths are bytes):
  send LEN          S0: A sends (tx), A2 sends to A (rx)
  send1 LEN         S1: B2 sends to B
  inject LEN SHAPE  an skb on A (rx) or B (tx); SHAPE: slab, headfrag,
                    frags, slab+frags, 1byte-frags, headfrag+frags,
                    fraglist, headfrag+fraglist
  read WHO LEN | peek WHO LEN | pipe-read | pipe-close | fionread WHO
  other LEN | drain-other | work | quiesce
  fail page|slab|skb|sk_msg|sock SKIP COUNT
  delete a|b | detach msg|skb | shutdown WHO rd|wr|rdwr | close WHO
  add a|b | attach msg|skb
  crowd K [close]   crowd world: crowd socket K (0-29) leaves the map if in
                    it, else joins it; close: closes it
  bufs WHO snd|rcv min|max   setsockopt(SO_SNDBUF / SO_RCVBUF)
and concurrent groups (fuzz_world.c: "Concurrent groups"):
  group [softirq] [sched=B,B,...]
  OP ...            2 to 4 operations, each run by a task of its own
  end
sched= lists the choice bytes: at each scheduling point with n > 1
runnable tasks (the group's, in order, then the kworker, then softirqs),
the next byte b runs the (b % n)-th; after them, the default choice.
"""
import sys

OPS = ["send", "send1", "inject", "read", "peek", "pipe-read", "other", "drain-other",
       "work", "fionread", "fail", "delete", "detach", "shutdown", "close", "quiesce",
       "pipe-close", "add", "attach", "group", "crowd", "bufs"]
VERDICT = ["pass", "redirect", "drop", "egress"]
APPLY = [0, 1, 700, 4096]
CORK = [0, 1, 100, 3000]
READ = ["recv", "splice", "lazy", "proxy"]
KINDS = ["page", "slab", "skb", "sk_msg", "sock"]
SHAPES = ["slab", "headfrag", "frags", "slab+frags", "1byte-frags", "headfrag+frags",
          "fraglist", "headfrag+fraglist"]
WHO = ["a", "a2", "b", "b2"]
HOW = ["rd", "wr", "rdwr"]
STRP_ERR_AFTER = [0, 1, 2, 5, 20, 100, 1000]


def u16(n, minus=1):
    return max(0, min(int(n) - minus, 65535)).to_bytes(2, "big")


def world(kv, where):
    known = {"mode", "verdict", "apply", "cork", "parser", "pipe", "read", "map", "ip", "progs",
             "crowd", "accepted", "strp", "need", "strp-err", "strp-errno", "timer"}
    if set(kv) - known:
        sys.exit(f"{where}: unknown world keys {sorted(set(kv) - known)}")
    rx = kv.get("mode", "tx") == "rx"
    cfg = VERDICT.index(kv.get("verdict", "redirect"))
    cfg |= 4 if rx else 0
    if rx:
        if "apply" in kv or "cork" in kv:
            sys.exit(f"{where}: apply/cork are sk_msg helpers: mode=tx only")
        cfg |= 8 if kv.get("parser", "verdict") == "stream" else 0
    else:
        cfg |= APPLY.index(int(kv.get("apply", 0))) << 3
        cfg |= CORK.index(int(kv.get("cork", 0))) << 5
    cfg |= 0x80 if kv.get("pipe", "16") == "1" else 0
    cfg2 = READ.index(kv.get("read", "recv"))
    cfg2 |= 4 if kv.get("map", "sockmap") == "sockhash" else 0
    cfg2 |= 8 if kv.get("ip", "4") == "6" else 0
    cfg2 |= 16 if kv.get("progs", "one") == "both" else 0
    cfg2 |= 32 if kv.get("crowd", "0") == "1" else 0
    cfg2 |= 64 if kv.get("accepted", "0") == "1" else 0
    strp = b""
    if "strp" in kv:
        if not rx and kv.get("progs", "one") != "both":
            sys.exit(f"{where}: strp= needs an skb verdict: mode=rx or progs=both")
        cfg2 |= 0x80
        length = 0 if kv["strp"] == "chunk" else int(kv["strp"])
        if not 0 < length <= 65535 and kv["strp"] != "chunk":
            sys.exit(f"{where}: strp=LEN is 1-65535 (or chunk)")
        pf = 1 if kv.get("need", "0") == "10" else 0
        if "strp-err" in kv:
            pf |= (STRP_ERR_AFTER.index(int(kv["strp-err"])) + 1) << 1
            pf |= 16 if kv.get("strp-errno", "eproto") == "estrpipe" else 0
        pf |= 32 if kv.get("timer", "0") == "1" else 0
        strp = bytes([pf]) + length.to_bytes(2, "big")
    elif {"need", "strp-err", "strp-errno", "timer"} & set(kv):
        sys.exit(f"{where}: need/strp-err/strp-errno/timer go with strp=")
    return bytes([cfg, cfg2]) + strp


def compile_op(op, args, where):
    if op not in OPS or op == "group":
        sys.exit(f"{where}: unknown op '{op}'")
    out = bytearray([OPS.index(op)])
    try:
        if op in ("send", "send1"):
            out += u16(args[0])
        elif op == "inject":
            out += u16(args[0]) + bytes([SHAPES.index(args[1])])
        elif op in ("read", "peek"):
            out += bytes([WHO.index(args[0])]) + u16(args[1])
        elif op == "fionread" or op == "close":
            out.append(WHO.index(args[0]))
        elif op == "other":
            out.append(max(0, min(int(args[0]) - 1, 255)))
        elif op == "fail":
            out += bytes([KINDS.index(args[0]), int(args[1]), int(args[2])])
        elif op in ("delete", "add"):
            out.append(["a", "b"].index(args[0]))
        elif op in ("detach", "attach"):
            out.append(["skb", "msg"].index(args[0]))
        elif op == "shutdown":
            out += bytes([WHO.index(args[0]), HOW.index(args[1])])
        elif op == "crowd":
            k = int(args[0])
            if not 0 <= k < 30 or args[1:] not in ([], ["close"]):
                raise ValueError("crowd K [close], K 0-29")
            out.append(k | (32 if args[1:] else 0))
        elif op == "bufs":
            out.append(WHO.index(args[0]) | (4 if ["snd", "rcv"].index(args[1]) else 0) |
                       (8 if ["min", "max"].index(args[2]) else 0))
    except (ValueError, IndexError) as e:
        sys.exit(f"{where}: bad arguments for '{op}': {e}")
    return bytes(out)


def group_header(args, where):
    softirq, sched = False, []
    for a in args:
        if a == "softirq":
            softirq = True
        elif a.startswith("sched="):
            try:
                sched = [int(b, 0) for b in a[6:].split(",") if b]
            except ValueError as e:
                sys.exit(f"{where}: bad sched=: {e}")
            if len(sched) > 255 or any(not 0 <= b <= 255 for b in sched):
                sys.exit(f"{where}: sched= is at most 255 bytes of 0..255")
        else:
            sys.exit(f"{where}: unknown group argument '{a}'")
    return softirq, sched


def compile_script(path):
    out = bytearray()
    group = None    # (softirq, sched, [op bytes], where) inside group ... end
    for lineno, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        op, args = line[0], line[1:]
        where = f"{path}:{lineno}"
        if op == "world":
            if out:
                sys.exit(f"{where}: 'world' must come first")
            out += world(dict(a.split("=", 1) for a in args), where)
            continue
        if not out:
            sys.exit(f"{where}: the first line must be 'world ...'")
        if op == "group":
            if group:
                sys.exit(f"{where}: groups do not nest")
            group = group_header(args, where) + ([], where)
        elif op == "end":
            if not group:
                sys.exit(f"{where}: 'end' without 'group'")
            softirq, sched, ops, gwhere = group
            if not 2 <= len(ops) <= 4:
                sys.exit(f"{gwhere}: a group has 2 to 4 operations, not {len(ops)}")
            out += bytes([OPS.index("group"), (len(ops) - 2) | (4 if softirq else 0)])
            out += b"".join(ops) + bytes([len(sched)]) + bytes(sched)
            group = None
        elif group:
            group[2].append(compile_op(op, args, where))
        else:
            out += compile_op(op, args, where)
    if group:
        sys.exit(f"{group[3]}: 'group' without 'end'")
    return bytes(out)
