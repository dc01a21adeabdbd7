# SPDX-License-Identifier: GPL-2.0
"""tests/fuzz/ops_ring.py: op scripts of the ring harness (fuzz_ring.c).

Script format: one op per line, '#' starts a comment. M is the msg, 0 or 1
(the harness's M0 and M1, both charged to socket A). Sizes are what the
harness gets; it clamps them to what the msg holds (see fuzz_ring.c).

  alloc M LEN [coalesce=end-1|end|always|start]
                           sk_msg_alloc() to size + LEN (LEN >= 1);
                           elem_first_coalesce: end-1 (the default, as
                           tcp_bpf_sendmsg), end (a new element), always
                           (-1), start
  copy M [LEN]             sk_msg_memcopy_from_iter() of LEN bytes (default:
                           all the unwritten bytes) into the unwritten tail
  copy-short M LEN HAVE    the same with an iterator of HAVE < LEN bytes:
                           -EFAULT, then sk_msg_trim() back (tcp_bpf_sendmsg)
  trim M LEN               sk_msg_trim() to LEN
  free-partial M LEN [nocharge]
                           sk_msg_free_partial[_nocharge]() of LEN bytes
  free M [nocharge]        sk_msg_free[_nocharge]()
  return M [LEN]           sk_msg_return() of LEN bytes (default: all)
  return-zero M [LEN]      sk_msg_return_zero() of LEN bytes (default: all),
                           then what tls_sw does with them
  clone M OFF LEN          sk_msg_clone() of the other msg into M
  uncharge                 sk_mem_uncharge() what _nocharge frees left charged
  start-at M SLOT          the empty msg M starts at ring slot SLOT (0-17)
  fail page|slab|sk_msg|sock|psock SKIP COUNT
                           sim_fail_alloc(): skip SKIP allocations, fail COUNT
  queue M [self]           move M to A's psock ingress_msg (A joins a
                           SOCKMAP on first use); self: msg->sk = A
  recv LEN [peek]          sk_msg_recvmsg() of LEN bytes (LEN >= 1)
  read LEN [peek] [eio] [step=0|1|7|100|4096|5000] [limit=N]
                           __sk_msg_read() of LEN bytes with a test actor that
                           takes at most step bytes a call (0: all) and stops
                           after limit bytes (default 65535) returning 0, or
                           -EIO with eio (below patch 3: sk_msg_recvmsg)
  splice LEN               splice(A -> pipe, LEN, SPLICE_F_NONBLOCK), LEN >= 1
  pipe-read LEN            read(pipe, LEN), LEN >= 1
"""
import sys

OPS = ["alloc", "copy", "copy-short", "trim", "free-partial", "free", "return",
       "return-zero", "clone", "uncharge", "start-at", "fail", "queue", "recv",
       "read", "splice", "pipe-read"]
COALESCE = ["end-1", "end", "always", "start"]
KINDS = ["page", "slab", "sk_msg", "sock", "psock"]
STEPS = [0, 1, 7, 100, 4096, 5000]


def u16(n, where):
    if not 0 <= n <= 65535:
        sys.exit(f"{where}: {n} does not fit in 16 bits")
    return n.to_bytes(2, "big")


def msg(arg, where):
    if arg not in ("0", "1"):
        sys.exit(f"{where}: msg must be 0 or 1, not '{arg}'")
    return int(arg)


def compile_script(path):
    out = bytearray()
    for lineno, line in enumerate(open(path), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        op, args = words[0], words[1:]
        where = f"{path}:{lineno}"
        if op not in OPS:
            sys.exit(f"{where}: unknown op '{op}'")
        flags = {a for a in args if not a[0].isdigit() and "=" not in a}
        kv = dict(a.split("=", 1) for a in args if "=" in a)
        nums = [int(a) for a in args if a[0].isdigit()]
        out.append(OPS.index(op))
        if op == "alloc":
            mode = COALESCE.index(kv.get("coalesce", "end-1"))
            out.append(msg(args[0], where) | mode << 1)
            out += u16(nums[1] - 1, where)
        elif op in ("copy", "return", "return-zero"):
            out.append(msg(args[0], where))
            out += u16(nums[1] if len(nums) > 1 else 0, where)
        elif op == "copy-short":
            out.append(msg(args[0], where))
            out += u16(nums[1], where) + u16(nums[2], where)
        elif op == "trim":
            out.append(msg(args[0], where))
            out += u16(nums[1], where)
        elif op == "free-partial":
            out.append(msg(args[0], where) | ("nocharge" in flags) << 1)
            out += u16(nums[1], where)
        elif op == "free":
            out.append(msg(args[0], where) | ("nocharge" in flags) << 1)
        elif op == "clone":
            out.append(msg(args[0], where))
            out += u16(nums[1], where) + u16(nums[2], where)
        elif op == "start-at":
            out.append(msg(args[0], where))
            out.append(nums[1])
        elif op == "fail":
            out += bytes([KINDS.index(args[0]), int(args[1]), int(args[2])])
        elif op == "queue":
            out.append(msg(args[0], where) | ("self" in flags) << 1)
        elif op == "recv":
            out.append(1 if "peek" in flags else 0)
            out += u16(nums[0] - 1, where)
        elif op == "read":
            mode = ("peek" in flags) | ("eio" in flags) << 1
            mode |= STEPS.index(int(kv.get("step", 0))) << 2
            out.append(mode)
            out += u16(nums[0] - 1, where) + u16(int(kv.get("limit", 65535)), where)
        elif op in ("splice", "pipe-read"):
            out += u16(nums[0] - 1, where)
    return bytes(out)
