#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make experiments: the table. Runs the base's bench driver (the full
series) and each experiment's (the full series + the experiment) under
callgrind (bench/bench.c --mode callgrind: 64 measured messages per row
after 4 of warm-up, collection on only around the measured section) and
in granularity mode, and prints, per experiment, its verdicts and per row
the base's figure beside the experiment's: instructions per byte and per
message (bench/run.py's split: the kernel files, the shims, the copies
and libc; the driver's own instructions are not counted), then per
message what the sim counted in the measured section: allocations (of
every kind), lock_sock(), sk_data_ready, sleepers woken, work items run
and page references taken. Then bytes per splice call and pipe slots per
KiB. Writes experiments.csv and granularity.csv beside the logs. Counts,
not timings: nothing here depends on the machine's load.
"""
import argparse
import csv
import glob
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import run as bench  # noqa: E402  (bench/run.py: annotate(), NO_REP_MOVSB)

COUNTS = ["alloc", "lock", "ready", "wake", "work", "get", "pbuf"]


def die(msg):
    print(f"sockmap-sim: experiments: {msg}", file=sys.stderr)
    sys.exit(1)


def callgrind(name, binary, sizes, out):
    """{(path, consumer, size): (msgs, bytes, instr, {count: n})}"""
    cgdir = os.path.join(out, "callgrind", name)
    shutil.rmtree(cgdir, ignore_errors=True)
    os.makedirs(cgdir)
    stdout = bench.run(["env", f"GLIBC_TUNABLES={bench.NO_REP_MOVSB}",
                        "valgrind", "-q", "--tool=callgrind", "--collect-atstart=no",
                        f"--callgrind-out-file={cgdir}/cg.%p.out", binary,
                        "--mode", "callgrind", "--sizes", sizes, "--queued", "1"],
                       f"callgrind of {binary}")
    meta = {}
    for r in csv.reader(stdout.splitlines()):
        if r and r[0] == "cg":
            meta[",".join(r[1:5])] = (int(r[6]), int(r[7]), dict(zip(COUNTS, map(int, r[10:17]))))
    found = {}
    for dump in glob.glob(f"{cgdir}/cg.*.out.*"):
        trig, costs, _ = bench.annotate(dump)
        if trig in meta:
            found[trig] = sum(costs[k] for k in ("kernel", "sim", "copy", "libc"))
    rows = {}
    for trig, (msgs, nbytes, counts) in meta.items():    # the driver's order
        if trig not in found:
            die(f"callgrind of {binary}: no dump for the row {trig}")
        _, path, cons, size = trig.split(",")
        rows[(path, cons, size)] = (msgs, nbytes, found[trig], counts)
    return rows


def granularity(binary, sizes):
    """{(path, consumer, size): (calls, first, moved, slots, queued)}"""
    stdout = bench.run([binary, "--mode", "granularity", "--sizes", sizes], f"granularity of {binary}")
    rows = {}
    for r in csv.reader(stdout.splitlines()):
        if r and r[0] == "gran":
            rows[(r[2], r[3], r[4])] = (int(r[7]), int(r[8]), int(r[9]), int(r[10]), r[5])
    return rows


def pair(b, e, fmt):
    """base>experiment, or the one figure when they print the same"""
    fb, fe = fmt.format(b), fmt.format(e)
    return fb if fb == fe else f"{fb}>{fe}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--exp", action="append", default=[], help="name=binary")
    ap.add_argument("--verdict", action="append", default=[], help="name=text")
    a = ap.parse_args()
    if not shutil.which("valgrind"):
        die("valgrind not found (make deps)")
    verdicts = dict(v.split("=", 1) for v in a.verdict)
    exps = [e.split("=", 1) for e in a.exp]
    base_cg = callgrind("base", a.base, a.sizes, a.out)
    base_gr = granularity(a.base, a.sizes)

    print("sockmap-sim make experiments: each experiment = the full series + its patch (EXTRA_PATCHES), "
          "against the full series (base); bench variant (gcc -O2, no sanitizers)")
    print("""
Rows: read, splice-zc: the consumer keeps up: each message is sent, then consumed (recv(), or splice() + read(pipe))
  before the next; TX->RX and RX->RX measure send + consume, PROXY the proxy's hop only (splice P1 -> pipe -> P2, or
  recv + send); 64 measured messages after 4 of warm-up. Work policy EAGER: the due work (the psock backlog) runs
  after every send, and again whenever the consumer finds less than a message (bench/bench.c send_msg(),
  consume_all()).
  read-q, splice-zc-q: the consumer is behind: 64 messages (at most 64 KiB) are sent, then B takes them in as few
  calls as it can (PROXY: C sends them to P1, the proxy moves all in as few calls, S reads); the whole path is
  measured, so costs that move between sender and receiver are all counted. Work policy LAZY: no work runs after
  the sends; the consumer runs the due work only when it finds nothing; what is still due at the end runs too
  (bench/bench.c run_queued()).
  The sim runs deferred work only when told: work/m is work runs per message under the row's policy, not what a
  kernel's scheduler would do; no figure here is a throughput.
Columns: instr/B, instr/msg: callgrind instructions of the kernel files, the shims, the data copies and libc (the
  driver's own not counted); alloc: pages, slab objects, skbs, sk_msgs; lock: lock_sock(); ready: sk_data_ready;
  wake: sleepers woken; work: work items run; get: page references taken; pbuf: pipe buffers filled.
Each cell is base>experiment (one figure when equal). Size mix: the messages cycle through 64, 64, 1024, 64, 200,
  4096, 64 and 100 bytes (mean 835).""")
    cg_csv = open(os.path.join(a.out, "experiments.csv"), "w", newline="")
    gr_csv = open(os.path.join(a.out, "granularity.csv"), "w", newline="")
    cw, gw = csv.writer(cg_csv), csv.writer(gr_csv)
    cw.writerow(["experiment", "path", "consumer", "msg_size", "which", "msgs", "bytes", "instr",
                 "instr_per_byte", "instr_per_msg"] + [f"{c}_per_msg" for c in COUNTS])
    gw.writerow(["experiment", "path", "consumer", "msg_size", "which", "queued", "calls",
                 "first_call_bytes", "bytes_moved", "pipe_slots", "bytes_per_call", "slots_per_kib"])
    for name, binary in exps:
        cg = callgrind(name, binary, a.sizes, a.out)
        gr = granularity(binary, a.sizes)
        print(f"\n{name}")
        print(f"  {verdicts.get(name, '')}")
        print(f"{'path':6} {'consumer':11} {'size':>4} {'instr/B':>13} {'d%':>6} {'instr/msg':>13} "
              + " ".join(f"{c + '/m':>11}" for c in COUNTS))
        for key, (msgs, nb, instr, counts) in base_cg.items():
            path, cons, size = key
            e = cg.get(key)
            if not e or not msgs or not nb or not e[0] or not e[1]:
                print(f"{path:6} {cons:11} {size:>4}   (no bytes moved)")
                continue
            em, eb, ei, ec = e
            bpb, epb = instr / nb, ei / eb
            for which, (m, b, i, c) in (("base", (msgs, nb, instr, counts)), ("exp", e)):
                cw.writerow([name, path, cons, size, which, m, b, i, f"{i / b:.3f}", f"{i / m:.0f}"]
                            + [f"{c[k] / m:.3f}" for k in COUNTS])
            print(f"{path:6} {cons:11} {size:>4} {pair(bpb, epb, '{:.2f}'):>13} "
                  f"{100.0 * (epb - bpb) / bpb:>+5.1f}% {pair(instr / msgs, ei / em, '{:.0f}'):>13} "
                  + " ".join(f"{pair(counts[k] / msgs, ec[k] / em, '{:.2f}'):>11}" for k in COUNTS))
        print(f"  splice granularity: the messages queued on B, then splice(B -> 16-slot pipe) until all "
              f"moved, the pipe read empty between calls")
        print(f"  {'path':8} {'consumer':10} {'size':>4} {'queued':>6} {'calls':>7} {'1st call B':>13} "
              f"{'B/call':>13} {'slots/KiB':>13}")
        for key, (calls, first, moved, slots, q) in base_gr.items():
            path, cons, size = key
            e = gr.get(key)
            if not e:
                continue
            ec, ef, em, es, _ = e
            for which, (c, f, m, s) in (("base", (calls, first, moved, slots)), ("exp", (ec, ef, em, es))):
                gw.writerow([name, path, cons, size, which, q, c, f, m, s, f"{m / c:.0f}" if c else "",
                             f"{s / (m / 1024.0):.3f}" if m else ""])
            spk = slots / (moved / 1024.0) if moved else 0
            espk = es / (em / 1024.0) if em else 0
            print(f"  {'tcp' if path == 'tcp' else path:8} {cons:10} {size:>4} {q:>6} "
                  f"{pair(calls, ec, '{}'):>7} {pair(first, ef, '{}'):>13} "
                  f"{pair(moved / calls if calls else 0, em / ec if ec else 0, '{:.0f}'):>13} "
                  f"{pair(spk, espk, '{:.3f}'):>13}")
    cg_csv.close()
    gr_csv.close()
    print(f"\nCSV: {os.path.join(a.out, 'experiments.csv')} {os.path.join(a.out, 'granularity.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
