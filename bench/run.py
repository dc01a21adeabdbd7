#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: run the bench variant's drivers (bench/bench.c, one per
series level) and report, in this order:

 1. callgrind: instructions per byte and per message of each row's
    measured section, split by where they execute: the real kernel files
    (build/ksrc*: skmsg.c, tcp_bpf.c, sock_map.c, strparser.c, skmsg.h),
    the shims (sim/), libc (memcpy, memset, malloc: called by the shims,
    and memset by the kernel code too) and the driver;
 2. MB/s (10^6 bytes per second of the process's CPU time in the
    measured section): median of --runs runs, with min and max; zc/read
    and copy/read beside the seed's 0.995 and 0.645, and the same ratios
    from the instruction counts;
 3. splice granularity: bytes per splice call and pipe slots per KiB.

Writes callgrind.csv, throughput.csv, ratios.csv, granularity.csv,
conditions.txt and the PNG plots into --out. No figure is checked: a
benchmark, not a test. A driver that finds bytes missing or a leak exits
1 and so does this script.
"""
import argparse
import csv
import glob
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

SEED = {"read": 4292.0, "zc": 4270.0, "copy": 2770.0}
SEED_ZC_RATIO = 0.995   # 4270 / 4292
SEED_CP_RATIO = 0.645   # 2770 / 4292
PATHS = ["TX->RX", "RX->RX", "PROXY"]
VERBOSE = os.environ.get("V") == "1"
# Under callgrind, glibc's memcpy/memset for large sizes is "rep movsb/stosb"
# (ERMS), which callgrind counts as one instruction per byte; the hardware
# moves tens of bytes per cycle. With these tunables glibc uses its vector
# loops instead (32 bytes per AVX load/store), so that instruction counts
# of copies are comparable with the rest. Native (timed) runs keep ERMS.
NO_REP_MOVSB = ("glibc.cpu.x86_rep_movsb_threshold=2147483647:"
                "glibc.cpu.x86_rep_stosb_threshold=2147483647")


def die(msg):
    print(f"sockmap-sim: bench: {msg}", file=sys.stderr)
    sys.exit(1)


def progress(msg):
    print(f"  BENCH    {msg}", file=sys.stderr, flush=True)


def run(cmd, what):
    if VERBOSE:
        print(" ".join(f"'{c}'" if (">" in c or " " in c) else c for c in cmd), file=sys.stderr)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if p.returncode:
        die(f"{what} failed (exit {p.returncode}): {' '.join(cmd)}")
    return p.stdout


def fmt_size(n):
    n = int(n)
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024}K"
    return str(n)


GHOST_RE = re.compile(r"^\(below main\)|^__libc_start_main")
COPY_FNS = re.compile(r"^__(memcpy|memmove|mempcpy)_")


def kind_of(path, fn):
    """Where a callgrind file:function line's instructions execute."""
    if "/ksrc" in path or path.startswith("build/"):
        return "kernel"
    if "/sim/" in path or path.startswith("sim/"):
        return "sim"
    if "bench/bench.c" in path or "tests/" in path:
        return "driver"
    if COPY_FNS.match(fn):
        return "copy"
    return "libc"


LINE_RE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S[^:]*):(\S.*)$")


def annotate(dump):
    out = run(["callgrind_annotate", "--threshold=100", "--auto=no", dump], "callgrind_annotate")
    trigger = total = None
    costs = {"kernel": 0, "sim": 0, "copy": 0, "libc": 0, "driver": 0}
    top = {"kernel": {}, "sim": {}}
    in_table = seen = False
    for line in out.splitlines():
        if line.startswith("Trigger: Client Request: "):
            trigger = line[len("Trigger: Client Request: "):].strip()
        if "PROGRAM TOTALS" in line:
            v = line.split()[0]
            total = 0 if v == "." else int(v.replace(",", ""))
        if "file:function" in line:
            in_table = True
            continue
        if not in_table:
            continue
        if line.startswith("---"):
            if seen:
                break
            continue
        seen = True
        m = LINE_RE.match(line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        path, fn = m.group(2), m.group(3)
        # The frames below main() that were on the stack when collection was
        # toggled on show the whole total as their own: not instructions.
        if GHOST_RE.search(fn) or (path == "???" and fn.startswith("0x")):
            continue
        k = kind_of(path, fn.split(" ")[0])
        costs[k] += ir
        if k in top:
            top[k][fn] = top[k].get(fn, 0) + ir
    counted = sum(costs.values())
    if trigger and (total is None or abs(counted - total) > total / 100):
        die(f"callgrind_annotate of {dump}: the functions add up to {counted} instructions, "
            f"the total is {total}")
    return trigger, costs, top


def callgrind(bins, sizes, out):
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        die("valgrind not found (apt-get install valgrind, or BENCH_CALLGRIND=0)")
    cgdir = os.path.join(out, "callgrind")
    shutil.rmtree(cgdir, ignore_errors=True)
    os.makedirs(cgdir)
    rows = {}
    tops = {}
    for level, binary in bins:
        progress(f"callgrind, level {level}: {len(PATHS)} paths x 2 consumers x {len(sizes)} sizes")
        t0 = time.time()
        stdout = run(["env", f"GLIBC_TUNABLES={NO_REP_MOVSB}",
                      "valgrind", "-q", "--tool=callgrind", "--collect-atstart=no",
                      f"--callgrind-out-file={cgdir}/{level}.%p.out", binary,
                      "--mode", "callgrind", "--sizes", ",".join(sizes)],
                     f"callgrind of {binary}")
        meta = {}
        for r in csv.reader(stdout.splitlines()):
            if r and r[0] == "cg":
                meta[",".join(r[1:5])] = (int(r[6]), int(r[7]), r[9] == "1")
        found = {}
        for dump in glob.glob(f"{cgdir}/{level}.*.out.*"):
            trig, costs, top = annotate(dump)
            if trig in meta:
                found[trig] = (costs, top)
        for trig, (msgs, nbytes, nothing) in meta.items():   # the driver's order
            if trig not in found:
                die(f"callgrind: no dump for the row {trig}")
            rows[trig] = (msgs, nbytes, nothing, found[trig][0])
            tops[trig] = found[trig][1]
        progress(f"callgrind, level {level}: done in {time.time() - t0:.0f} s")
    return rows, tops


def timing(bins, sizes, runs, nbytes, verify=False):
    """@runs rounds; each runs every level's driver once (one run per row),
    so that a burst of load from other jobs spreads over the rows."""
    res = {}
    for rnd in range(runs):
        progress(f"timing, round {rnd + 1} of {runs}: levels {' '.join(l for l, _ in bins)}, "
                 f"about {int(nbytes) / 1048576:g} MiB per row")
        for level, binary in bins:
            stdout = run([binary, "--mode", "time", "--sizes", ",".join(sizes), "--runs", "1",
                          "--bytes", str(nbytes), "--verify", "1" if verify else "0",
                          "--reverse", str(rnd % 2)],
                         f"timing of {binary}")
            for r in csv.reader(stdout.splitlines()):
                if not r or r[0] != "time":
                    continue
                key = ",".join(r[1:5])
                msgs, b, ns, nothing = int(r[6]), int(r[7]), int(r[8]), r[9] == "1"
                e = res.setdefault(key, {"mbps": [], "nothing": False, "msgs": msgs})
                if nothing:
                    e["nothing"] = True
                elif ns:
                    e["mbps"].append(b * 1000.0 / ns)   # bytes/ns * 1000 = MB/s
    return res


def granularity(bins, sizes):
    rows = []
    for level, binary in bins:
        stdout = run([binary, "--mode", "granularity", "--sizes", ",".join(sizes)],
                     f"granularity of {binary}")
        for r in csv.reader(stdout.splitlines()):
            if r and r[0] == "gran":
                rows.append(r[1:])
    return rows


def conditions():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gcc = subprocess.run(["gcc", "-dumpfullversion"], stdout=subprocess.PIPE, text=True).stdout.strip()
    load = open("/proc/loadavg").read().split()[:3]
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {cpu}, {os.cpu_count()} CPUs, "
            f"load {' '.join(load)}, gcc {gcc} -O2, kernel {platform.release()}, one core used")


def gnuplot(script, what):
    if not shutil.which("gnuplot"):
        die("gnuplot not found (apt-get install gnuplot-nox)")
    p = subprocess.run(["gnuplot"], input=script, text=True, stderr=subprocess.PIPE)
    if p.returncode:
        die(f"gnuplot failed on {what}: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else '?'}")


def plot(out, cg_rows, tm, sizes):
    """instr-per-byte.png, mbps.png, ratio.png (RX->RX and TX->RX, PROXY)."""
    dat = os.path.join(out, "plot.dat")
    cons = [("full", "read", "read (full)"), ("full", "splice-zc", "splice-zc"),
            ("copy", "splice-cp", "splice-cp (level copy)")]
    def med(key):
        e = tm.get(key)
        return statistics.median(e["mbps"]) if e and e["mbps"] else None

    def instr(key):
        cg = cg_rows.get(key)
        return sum(cg[3][x] for x in ("kernel", "sim", "copy", "libc")) / cg[1] if cg and cg[1] else None

    def ratio(a, b):
        return f"{a / b:.4f}" if a and b else "NaN"

    with open(dat, "w") as f:
        for path in PATHS:
            f.write(f"# {path}\n# size")
            for _, c, _ in cons:
                f.write(f" {c}_kernel {c}_total {c}_mbps {c}_min {c}_max")
            f.write(" zc/read cp/read zc/read(instr) cp/read(instr)\n")
            for s in sizes:
                f.write(s)
                for level, c, _ in cons:
                    key = f"{level},{path},{c},{s}"
                    cg = cg_rows.get(key)
                    if cg and cg[1]:
                        f.write(f" {cg[3]['kernel'] / cg[1]:.4f} {instr(key):.4f}")
                    else:
                        f.write(" NaN NaN")
                    e = tm.get(key)
                    if e and e["mbps"]:
                        v = e["mbps"]
                        f.write(f" {statistics.median(v):.1f} {min(v):.1f} {max(v):.1f}")
                    else:
                        f.write(" NaN NaN NaN")
                # throughput ratios (same build's read), then the same from
                # instructions per byte (read's over splice's: higher = faster)
                f.write(" " + ratio(med(f"full,{path},splice-zc,{s}"), med(f"full,{path},read,{s}")))
                f.write(" " + ratio(med(f"copy,{path},splice-cp,{s}"), med(f"copy,{path},read,{s}")))
                f.write(" " + ratio(instr(f"full,{path},read,{s}"), instr(f"full,{path},splice-zc,{s}")))
                f.write(" " + ratio(instr(f"copy,{path},read,{s}"), instr(f"copy,{path},splice-cp,{s}")))
                f.write("\n")
            f.write("\n\n")
    xtics = ", ".join(f'"{fmt_size(x)}" {x}' for x in sizes)
    common = ('set terminal pngcairo size 1200,420 font ",10"\n'
              'set logscale x 2\nset grid\nset key bottom left font ",9"\n'
              'set xlabel "message size (bytes; K = 1024)"\n'
              f'set xtics ({xtics})\n'
              f'set xrange [{int(sizes[0]) / 1.5}:{int(sizes[-1]) * 1.5}]\n')
    pngs = []

    def three_paths(name, settings, title, ylabel, series):
        """One PNG, a panel per path; series(i) is the plot list of panel i."""
        png = os.path.join(out, name)
        s = (common + f'set output "{png}"\n{settings}set multiplot layout 1,3 title "{title}"\n'
             f'set ylabel "{ylabel}"\n')
        for i, path in enumerate(PATHS):
            s += f'set title "{path}{" (proxy hop)" if path == "PROXY" else ""}"\n'
            s += f'plot "{dat}" index {i} ' + ", ".join(series(i)) + "\n"
        s += "unset multiplot\n"
        gnuplot(s, png)
        pngs.append(png)

    if cg_rows:
        three_paths("instr-per-byte.png", 'set logscale y 10\nset key top right font ",9"\n',
                    "sockmap-sim, bench variant: callgrind instructions per byte delivered (measured section)",
                    "instructions per byte",
                    lambda i: ['using 1:3 w lp lc 1 pt 7 t "read: total"',
                               f'"" index {i} using 1:2 w lp lc 1 dt 2 pt 6 t "read: kernel files"',
                               f'"" index {i} using 1:8 w lp lc 2 pt 7 t "splice-zc: total"',
                               f'"" index {i} using 1:7 w lp lc 2 dt 2 pt 6 t "splice-zc: kernel files"',
                               f'"" index {i} using 1:13 w lp lc 7 pt 7 t "splice-cp: total"',
                               f'"" index {i} using 1:12 w lp lc 7 dt 2 pt 6 t "splice-cp: kernel files"'])
    if tm:
        three_paths("mbps.png", "set logscale y 10\n",
                    "sockmap-sim, bench variant: MB/s of CPU time (median, min-max bars): relative costs "
                    "of the kernel code in the sim, not the kernel's throughput",
                    "MB/s (10^6 bytes/s)",
                    lambda i: ['using 1:4:5:6 w yerrorlines lc 1 pt 7 t "read"',
                               f'"" index {i} using 1:9:10:11 w yerrorlines lc 2 pt 7 t "splice-zc"',
                               f'"" index {i} using 1:14:15:16 w yerrorlines lc 7 pt 7 t "splice-cp"'])
        three_paths("ratio.png", 'set yrange [0:1.6]\nset key top right font ",9"\n',
                    "sockmap-sim, bench variant: splice vs read of the same build (MB/s medians; "
                    "instructions: read/splice per byte). Seed, RX->RX on a real kernel: 0.995, 0.645",
                    "ratio to read (same build)",
                    lambda i: ['using 1:17 w lp lc 2 pt 7 t "zc/read, MB/s"',
                               f'"" index {i} using 1:18 w lp lc 7 pt 7 t "copy/read, MB/s"',
                               f'"" index {i} using 1:19 w lp lc 2 dt 2 pt 6 t "zc/read, from instructions"',
                               f'"" index {i} using 1:20 w lp lc 7 dt 2 pt 6 t "copy/read, from instructions"',
                               f'{SEED_ZC_RATIO} w l lc 2 dt 3 t "seed zc/read 0.995"',
                               f'{SEED_CP_RATIO} w l lc 7 dt 3 t "seed copy/read 0.645"'])
    return pngs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bytes", type=int, default=8 << 20)
    ap.add_argument("--callgrind", default="1")
    ap.add_argument("--bin", action="append", default=[], help="level=path")
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    sizes = [s for s in a.sizes.split(",") if s]
    if not sizes or not all(s.isdigit() and int(s) > 0 for s in sizes):
        die(f"BENCH_SIZES='{a.sizes}' is not a list of sizes in bytes (e.g. 64,1024,65536)")
    if a.runs < 1:
        die(f"BENCH_RUNS={a.runs}: at least 1")
    bins = []
    for b in a.bin:
        level, path = b.split("=", 1)
        if not os.access(path, os.X_OK):
            die(f"{path} is missing (make bench-build)")
        bins.append((level, path))
    os.makedirs(a.out, exist_ok=True)
    for old in ("callgrind.csv", "callgrind-top.txt", "throughput.csv", "ratios.csv", "granularity.csv",
                "conditions.txt", "plot.dat", "instr-per-byte.png", "mbps.png", "ratio.png"):
        if os.path.exists(os.path.join(a.out, old)):
            os.remove(os.path.join(a.out, old))
    shutil.rmtree(os.path.join(a.out, "callgrind"), ignore_errors=True)
    cond = conditions()

    if a.smoke:
        tm = timing(bins, sizes, 1, a.bytes, verify=True)
        gran = granularity(bins, sizes)
        want = {f"{l},{p},{c},{s}" for l, _ in bins for p in PATHS for s in sizes
                for c in ["read", {"full": "splice-zc", "copy": "splice-cp"}.get(l, "splice-unpatched")]}
        missing = sorted(want - set(tm))
        if missing:
            die(f"smoke: rows missing from the driver: {' '.join(missing)}")
        for key, e in sorted(tm.items()):
            level = key.split(",")[0]
            if level == "pristine" and "splice" in key:
                if not e["nothing"]:
                    die(f"smoke: {key}: the pristine splice moved bytes (it should move nothing)")
            elif not e["mbps"]:
                die(f"smoke: {key}: no bytes arrived")
        if len(gran) != len(sizes) * (2 * len(bins) + 1):
            die(f"smoke: {len(gran)} granularity rows, expected {len(sizes) * (2 * len(bins) + 1)}")
        print(f"sockmap-sim: bench-smoke: {len(tm)} rows at {','.join(sizes)} B and {len(gran)} "
              f"granularity rows at levels {' '.join(l for l, _ in bins)}: every byte arrived, "
              f"no leak (pristine splice moved nothing, as expected)")
        return 0

    print(f"sockmap-sim make bench: real skmsg.c/tcp_bpf.c/sock_map.c/strparser.c of Linux 6.12.117 "
          f"in the bench variant (gcc -O2, no sanitizers, the sim's own checks compiled out)")
    print(f"conditions: {cond}")
    with open(os.path.join(a.out, "conditions.txt"), "w") as f:
        f.write(cond + "\n")

    # (1) callgrind
    cg_rows, tops = {}, {}
    if a.callgrind == "1":
        cg_rows, tops = callgrind(bins, sizes, a.out)
        print("\n(1) callgrind: instructions of the measured section (TX->RX, RX->RX: send + consume; "
              "PROXY: the proxy's hop only), 64 messages per row after 4 of warm-up")
        print("    kernel = the real files (build/ksrc*); sim = the shims (sim/); copy = libc memcpy/memmove "
              "(the data copies: the kernel's memcpy and the shims' user copies, vector loops, no rep movsb);")
        print("    libc = the rest of libc (malloc/free behind the shims' allocator, memset); the driver's own "
              "instructions are not counted. Per byte delivered, per message.")
        hdr = (f"{'level':8} {'path':6} {'consumer':16} {'size':>5} {'instr/B':>8} {'instr/msg':>9} "
               f"{'kernel':>8} {'sim':>8} {'copy':>8} {'libc':>8} {'kernel%':>7}")
        print(hdr)
        with open(os.path.join(a.out, "callgrind.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["level", "path", "consumer", "msg_size", "msgs", "bytes", "instr_total",
                        "instr_kernel", "instr_sim", "instr_copy", "instr_libc", "instr_driver",
                        "instr_per_byte", "instr_per_msg", "kernel_per_msg", "sim_per_msg",
                        "copy_per_msg", "libc_per_msg", "moved_nothing"])
            for key, (msgs, nb, nothing, c) in cg_rows.items():
                level, path, cons, size = key.split(",")
                tot = c["kernel"] + c["sim"] + c["copy"] + c["libc"]
                raw = [c["kernel"], c["sim"], c["copy"], c["libc"], c["driver"]]
                if not msgs or not nb:
                    w.writerow([level, path, cons, size, msgs, nb, tot] + raw + [""] * 6 + [int(nothing)])
                    print(f"{level:8} {path:6} {cons:16} {fmt_size(size):>5} {'-':>8} {'-':>9} "
                          f"{'-':>8} {'-':>8} {'-':>8} {'-':>8} {'-':>7}   "
                          + ("splice moves nothing (EAGAIN) on the pristine files"
                             if nothing else "no message arrived"))
                    continue
                per_b = tot / nb
                w.writerow([level, path, cons, size, msgs, nb, tot] + raw +
                           [f"{per_b:.3f}", f"{tot / msgs:.0f}"] +
                           [f"{c[k] / msgs:.0f}" for k in ("kernel", "sim", "copy", "libc")] +
                           [int(nothing)])
                print(f"{level:8} {path:6} {cons:16} {fmt_size(size):>5} {per_b:>8.2f} {tot / msgs:>9.0f} "
                      + " ".join(f"{c[k] / msgs:>8.0f}" for k in ("kernel", "sim", "copy", "libc"))
                      + f" {100.0 * c['kernel'] / tot:>6.1f}%")
        with open(os.path.join(a.out, "callgrind-top.txt"), "w") as f:
            for key, top in tops.items():
                f.write(f"{key}\n")
                for k in ("kernel", "sim"):
                    best = sorted(top[k].items(), key=lambda x: -x[1])[:8]
                    f.write(f"  {k}: " + ", ".join(f"{fn} {ir}" for fn, ir in best) + "\n")

    # (2) MB/s
    progress("timing (wall clock; noisy while other jobs run)")
    tm = timing(bins, sizes, a.runs, a.bytes)
    print(f"\n(2) MB/s: 10^6 bytes per second of the process's CPU time in the measured section, median "
          f"of {a.runs} run(s) [min - max], about {a.bytes / 1048576:g} MiB per run (at least 64 messages);")
    print("    runs interleave the levels and alternate the order of read and splice rows.")
    print("    The sim's figures are relative costs of the kernel code (and the shims around it) "
          "in one thread, not the kernel's throughput.")
    print(f"{'level':8} {'path':6} {'consumer':16} {'size':>5} {'MB/s':>9} {'min':>9} {'max':>9}")
    with open(os.path.join(a.out, "throughput.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["level", "path", "consumer", "msg_size", "runs", "mbps_median", "mbps_min",
                    "mbps_max", "moved_nothing"])
        for key, e in tm.items():
            level, path, cons, size = key.split(",")
            v = e["mbps"]
            if v:
                w.writerow([level, path, cons, size, len(v), f"{statistics.median(v):.1f}",
                            f"{min(v):.1f}", f"{max(v):.1f}", 0])
                print(f"{level:8} {path:6} {cons:16} {fmt_size(size):>5} {statistics.median(v):>9.1f} "
                      f"{min(v):>9.1f} {max(v):>9.1f}")
            else:
                w.writerow([level, path, cons, size, 0, "", "", "", 1])
                print(f"{level:8} {path:6} {cons:16} {fmt_size(size):>5} {'-':>9} {'':>9} {'':>9}   "
                      f"splice moves nothing (EAGAIN) on the pristine files; recv() gets the bytes")

    def med(key):
        e = tm.get(key)
        return statistics.median(e["mbps"]) if e and e["mbps"] else None

    print("\n    Ratios of medians, splice / read of the same build (the seed, rx-verdict-ingress = RX->RX,"
          " real kernel, loopback, 8 CPUs: zc/read 0.995, copy/read 0.645)")
    print(f"{'path':6} {'size':>5} {'zc/read':>8} {'seed':>6} {'copy/read':>10} {'seed':>6}")
    with open(os.path.join(a.out, "ratios.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "msg_size", "zc_over_read", "seed_zc_over_read", "copy_over_read",
                    "seed_copy_over_read"])
        for path in PATHS:
            for s in sizes:
                rf, zc = med(f"full,{path},read,{s}"), med(f"full,{path},splice-zc,{s}")
                rc, cp = med(f"copy,{path},read,{s}"), med(f"copy,{path},splice-cp,{s}")
                zr = zc / rf if zc and rf else None
                cr = cp / rc if cp and rc else None
                w.writerow([path, s, f"{zr:.3f}" if zr else "", SEED_ZC_RATIO,
                            f"{cr:.3f}" if cr else "", SEED_CP_RATIO])
                print(f"{path:6} {fmt_size(s):>5} {(f'{zr:.3f}' if zr else '-'):>8} {SEED_ZC_RATIO:>6} "
                      f"{(f'{cr:.3f}' if cr else '-'):>10} {SEED_CP_RATIO:>6}")

    # (3) granularity
    progress("splice granularity")
    gran = granularity(bins, sizes)
    print("\n(3) splice granularity: N messages queued on B, then splice(B -> 16-slot pipe) until all "
          "moved, the pipe emptied between calls")
    print(f"{'level':8} {'path':11} {'consumer':16} {'size':>5} {'queued':>12} {'calls':>5} "
          f"{'1st call B':>10} {'B/call':>9} {'slots/KiB':>9}")
    with open(os.path.join(a.out, "granularity.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["level", "path", "consumer", "msg_size", "queued_msgs", "queued_bytes", "calls",
                    "first_call_bytes", "bytes_moved", "pipe_slots", "bytes_per_call", "slots_per_kib"])
        for level, path, cons, size, q, qb, calls, first, moved, slots in gran:
            calls, moved, slots = int(calls), int(moved), int(slots)
            bpc = moved / calls if calls else 0
            spk = slots / (moved / 1024.0) if moved else 0
            w.writerow([level, path, cons, size, q, qb, calls, first, moved, slots, f"{bpc:.0f}",
                        f"{spk:.3f}"])
            label = "tcp (plain)" if path == "tcp" else path
            note = "   moves nothing (EAGAIN)" if not moved else ""
            print(f"{level:8} {label:11} {cons:16} {fmt_size(size):>5} {q + ' x ' + fmt_size(size):>12} "
                  f"{calls:>5} {int(first):>10} {bpc:>9.0f} {spk:>9.3f}{note}")
    print("    tcp (plain): B2 sends to B on a connection without sockmap (tcp_splice_read). The sim's TCP "
          "queues each send as its own skb and its splice shim gives each piece a pipe slot;")
    print("    a real kernel merges small in-order segments (tcp_try_coalesce) and adjacent pieces of a page "
          "(spd_can_coalesce), so there one splice would move all 64 x 64 B (read from the code, not measured).")

    pngs = plot(a.out, cg_rows, tm, sizes)
    print("\nCSV: " + " ".join(os.path.join(a.out, n) for n in
                               (["callgrind.csv"] if cg_rows else []) +
                               ["throughput.csv", "ratios.csv", "granularity.csv"]))
    print("PNG: " + " ".join(pngs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
