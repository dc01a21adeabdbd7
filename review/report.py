#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report of `make review`, from what review/review.sh left in OUT.

Usage: report.py --out DIR --base LEVEL --name NAME --ksrc TREE --failed 0|1
                 [--skipped SUBJECT...]

Reads OUT/patches.tsv, OUT/*.status, OUT/logs/*.log, OUT/cov-out (the
coverage report directory, whose summary.json patchcov.py wrote),
OUT/mutation/mutants.json (review/mutants.py) and OUT/conf*.out; writes
OUT/report.md, OUT/report.json and OUT/report.html (the patches with every
added line marked: not executed, a branch outcome never taken, a mutant
that survived, or executed/not executable).
"""

import argparse
import html
import json
import os
import re
import sys

PROG = "sockmap-sim: review"


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def lines_of(path):
    return read(path).splitlines()


def warnings_of(path, ksrc):
    """{(file, text): [full line]} of a review-warnings log, line numbers
    dropped from the key so a patch that shifts lines adds nothing."""
    out = {}
    pat = re.compile(r"^(\S+?):(\d+):(\d+): warning: (.*)$")
    for line in lines_of(path):
        m = pat.match(line)
        if not m:
            continue
        f = m.group(1)
        f = re.sub(r"^.*?/ksrc[^/]*/", "", f)
        out.setdefault((f, m.group(4)), []).append(f"{f}:{m.group(2)}: {m.group(4)}")
    return out


TELLING = re.compile(r"sockmap-sim: (ledger|oracle|accounting|invariant|lockdep|WARN)|"
                     r"ERROR: \w+Sanitizer|runtime error|BUG|WARNING|Failure!|"
                     r"sockmap-sim: .*(expected|violation)")
FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ in (\S+) (\S*ksrc[^ ]*/(net|include)/\S+)")


def first_telling(lines):
    """The line that says what went wrong, and where in a kernel file."""
    what = next((l.strip() for l in lines if TELLING.search(l)), None)
    if what:
        what = re.sub(r"^==\d+==", "", what)
        what = re.sub(r" at pc 0x[0-9a-f]+ bp .*$", "", what)
    if what is None:
        what = next((l.strip() for l in lines if l.strip() and not l.startswith("[")
                     and not l.startswith("===")), "(no message)")
    where = next((m for m in (FRAME.match(l) for l in lines) if m), None)
    if where:
        f = re.sub(r"^.*?/ksrc[^/]*/", "", where.group(2))
        what += f" (first kernel frame: {where.group(1)} {f})"
    return what


def suites(path):
    text = lines_of(path)
    res = {"passed": None, "failed": None, "failures": []}
    for line in text:
        m = re.match(r"^sockmap-sim: (\d+) tests passed, (\d+) failed", line)
        if m:
            res["passed"], res["failed"] = int(m.group(1)), int(m.group(2))
    current, body = None, []
    for line in text + ["[==========] end"]:
        m = re.match(r"^\[ RUN      \] (\S+)", line)
        if m or line.startswith("[==========]"):
            if current:	# the binary stopped inside this test
                res["failures"].append({"test": current + " (aborted)",
                                        "first": first_telling(body)})
            current, body = (m.group(1) if m else None), []
            continue
        if line.startswith("[       OK ]"):
            current = None
            continue
        m = re.match(r"^\[  (FAILED|ERROR) +\] (\S+)", line)
        if m and m.group(2) == current:
            res["failures"].append({"test": current, "first": first_telling(body)})
            current = None
            continue
        if current:
            body.append(line)
    bad = [l for l in text if l.startswith("sockmap-sim: failing: ")]
    res["failing_binaries"] = bad[0][len("sockmap-sim: failing: "):] if bad else ""
    return res


def fuzz(logs):
    res = {"replay": {}, "runs": {}}
    rep = lines_of(os.path.join(logs, "fuzz-replay.log"))
    res["replay"]["lines"] = [l.strip() for l in rep if l.startswith("  REPLAY")]
    bad = [l.strip() for l in rep if re.search(
        r"sockmap-sim: (oracle|ledger|accounting)|ERROR: \w+Sanitizer|runtime error|Error \d", l)]
    base_bad = [l for l in lines_of(os.path.join(logs, "fuzz-replay-base.log")) if re.search(
        r"sockmap-sim: (oracle|ledger|accounting)|ERROR: \w+Sanitizer|runtime error|Error \d", l)]
    res["replay"]["ok"] = not bad
    res["replay"]["problem"] = bad[0] if bad else ""
    res["replay"]["fails_without_patches"] = bool(base_bad)
    for h in ("world", "ring"):
        path = os.path.join(logs, f"fuzz-{h}.log")
        if not os.path.exists(path):
            continue
        text = lines_of(path)
        runs = [re.sub(r"^FUZZ +\w+: ", "", l.strip()) for l in text
                if re.match(r"^  FUZZ .*runs", l)]
        crash = [l.strip() for l in text if l.startswith("sockmap-sim: fuzz:")]
        repro = [l.strip() for l in text if l.strip().startswith(("reproducer:", "replay:"))]
        base = lines_of(os.path.join(logs, f"fuzz-{h}-base.log"))
        # the reproducer replayed without the patches (review.sh): a crash
        # the base has too is not the patches'
        base_rc = [l.strip().split(": ", 1)[1] for l in base if l.startswith("base-replay-exit: ")]
        res["runs"][h] = {"summary": runs[-1] if runs else "(no summary: see logs)",
                          "crash": crash[0] if crash else "", "reproducer": repro,
                          "fails_without_patches": bool(base_rc) and base_rc[0] != "0"}
    return res


def coverage(out):
    cov_dir = read(os.path.join(out, "cov-out")).strip()
    path = os.path.join(cov_dir, "summary.json") if cov_dir else ""
    log = lines_of(os.path.join(out, "logs", "coverage.log"))
    # tests that fail with the patches (COV_ALLOW_FAIL=1): measured anyway
    failing = [l.split("): ", 1)[-1].strip() for l in log if "COV_ALLOW_FAIL=1" in l]
    why = [l for l in log if "COV_ALLOW_FAIL=1" not in l and
           re.match(r"sockmap-sim: .*(failed|error|cannot|missing|not found)", l)]
    if why or not path or not os.path.exists(path):
        return {"error": why[0] if why else "no summary.json (see logs/coverage.log)"}
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    extra = [p for p in s.get("patches", []) if p.get("extra")]
    idx = {p["index"] for p in extra}
    unexec = [u for u in s.get("unexecuted_added_lines", []) if u["patch"] in idx]
    untaken = [u for u in s.get("added_lines_with_untaken_branches", [])
               if u["patch"] in idx]
    return {"patches": extra, "unexecuted": unexec, "untaken": untaken,
            "tests": s.get("tests"), "failing": failing[0] if failing else ""}


def mutation(out, cov):
    """The mutants of the added lines and their verdicts, or why not."""
    path = os.path.join(out, "mutation", "mutants.json")
    if not os.path.exists(path):
        log = lines_of(os.path.join(out, "logs", "mutation.log"))
        if not log:
            return {"error": "not run (REVIEW_MUTANTS=0)"}
        why = next((l for l in log if l.startswith("sockmap-sim")), "see logs/mutation.log")
        return {"error": why}
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    unexec = {(u["file"], u["line"]) for u in (cov or {}).get("unexecuted", [])}
    res = {k: m.get(k) for k in ("generated", "compiled", "killed", "survived",
                                 "not_compiled", "equivalent", "errors", "seconds", "rate")}
    res["stats"] = m.get("stats", {})
    res["reference"] = m.get("reference", {})
    res["mutants"] = []
    for x in m.get("mutants", []):
        res["mutants"].append({k: x.get(k) for k in ("id", "file", "line", "op", "before",
                                                     "after", "verdict", "by", "seconds",
                                                     "patch_file", "fixes")})
        res["mutants"][-1]["unexecuted"] = (x["file"], x["line"]) in unexec
    if m.get("error") and isinstance(m["error"], str):
        res["error"] = m["error"]
    elif not m.get("mutants"):
        res["error"] = ""
    elif "rate" not in m:
        res["error"] = "interrupted: verdicts of the mutants run so far only (see logs/mutation.log)"
    else:
        res["error"] = ""
    return res


def table_diff(base, new):
    """Rows of make run's table (or conformance lines) that differ."""
    def rows(lines):
        d = {}
        for l in lines:
            if not l.strip() or l.startswith("#"):
                continue
            key = " ".join(l.split()[:4])
            d.setdefault(key, []).append(l.rstrip())
        return d
    b, n = rows(base), rows(new)
    changed = []
    for k in list(n) + [k for k in b if k not in n]:
        if b.get(k) != n.get(k):
            changed.append({"key": k, "before": b.get(k, ["(absent)"]),
                            "after": n.get(k, ["(absent)"])})
    return changed


def conf_diff(base, new):
    """Conformance observations (scenario step => result) that differ."""
    def obs(lines):
        d = {}
        for l in lines:
            if "=>" in l and not l.startswith("#"):
                k, v = l.split("=>", 1)
                d[k.strip()] = v.strip()
        return d
    b, n = obs(base), obs(new)
    return [{"step": k, "before": b.get(k, "(absent)"), "after": n.get(k, "(absent)")}
            for k in sorted(set(b) | set(n)) if b.get(k) != n.get(k)]


def vm_columns(out, conf):
    """REVIEW_VM=1: the booted kernels' observations, without and with the
    patches (OUT/vm/vm-base.out, vm.out, each with a .status line), against
    each other and against the sim's (conf: the sim's comparison)."""
    d = os.path.join(out, "vm")
    st = {w: (lines_of(os.path.join(d, f"{w}.status")) or ["not run (see logs/vm.log)"])[0].strip()
          for w in ("vm-base", "vm")}
    res = {"base_status": st["vm-base"], "status": st["vm"]}
    if st["vm-base"] != "ok" or st["vm"] != "ok":
        return res
    vb, vn = (lines_of(os.path.join(d, f"{w}.out")) for w in ("vm-base", "vm"))
    res["changed"] = conf_diff(vb, vn)
    if conf and not conf.get("error"):
        sb = conf_diff(lines_of(os.path.join(out, "conf-base.out")), vb)
        sn = conf_diff(lines_of(os.path.join(out, "conf.out")), vn)
        known = {x["step"]: x for x in sb}
        # before = the sim, after = the kernel
        res["disagree"] = [dict(x, new=(known.get(x["step"]) != x)) for x in sn]
        res["disagree_base"] = len(sb)
    return res


def step_error(logs, base_log, log):
    """The first telling line of a with/without step that failed, or ""."""
    pat = re.compile(r"sockmap-sim: (oracle|ledger|accounting|conformance)|"
                     r"ERROR: \w+Sanitizer|runtime error|\*\*\* |No rule")
    for which, name in (("without the patches", base_log), ("with the patches", log)):
        text = lines_of(os.path.join(logs, name))
        bad = [l.strip() for l in text if pat.search(l)]
        if bad:
            first = next((b for b in bad if "ledger" in b or "Sanitizer" in b or
                          "oracle" in b), bad[0])
            return f"{which}, it failed: {first}"
    return ""


def patch_added_lines(path):
    """[(file, text)] of the lines a patch adds, in order, and the whole
    mail as [(file, line, kind, hunk, index)]: kind "add", "del" or "ctx"
    for a hunk's lines (counted by its @@ header, so a message line or the
    "-- " signature that starts with - or + is not taken for one), "hunk"
    for the header, "" for the rest; hunk numbers the hunk (None outside
    one) and index is the line's place on the hunk's new side. Also the
    hunks: [(file, new start, [new-side texts])]."""
    cur, added, diff, hunks = None, [], [], []
    hunk = re.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
    old = new = 0
    for line in lines_of(path):
        kind, h, idx = "", None, None
        if old > 0 or new > 0:
            h = len(hunks) - 1
            if line.startswith("+"):
                kind, new = "add", new - 1
                idx = len(hunks[h][2])
                hunks[h][2].append(line[1:])
                if cur:
                    added.append((cur, line[1:]))
            elif line.startswith("-"):
                kind, old = "del", old - 1
            elif line.startswith("\\"):
                kind = "ctx"
            else:
                kind, old, new = "ctx", old - 1, new - 1
                idx = len(hunks[h][2])
                hunks[h][2].append(line[1:])
        elif line.startswith("+++ "):
            p = line[4:].split("\t")[0]
            cur = p.split("/", 1)[1] if "/" in p else p
        elif cur and (m := hunk.match(line)):
            kind = "hunk"
            old = int(m.group(1) if m.group(1) is not None else 1)
            new = int(m.group(3) if m.group(3) is not None else 1)
            hunks.append((cur, int(m.group(2)), []))
        diff.append((cur, line, kind, h, idx))
    return added, diff, hunks


def hunk_lines(ksrc, hunks):
    """The line numbers of each hunk's new side in the reviewed tree: the
    place nearest its @@ start where the whole new side stands (a patch
    applied with an offset or fuzz moved it); None when it is not there."""
    files, where = {}, []
    for f, start, new in hunks:
        if f not in files:
            files[f] = [l.rstrip("\n") for l in lines_of(os.path.join(ksrc, f))] if ksrc else []
        text = files[f]
        found = [i for i in range(len(text) - len(new) + 1) if text[i:i + len(new)] == new]
        where.append(min(found, key=lambda i: abs(i + 1 - start)) + 1 if found and new else None)
    return where


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--ksrc", default="")
    ap.add_argument("--failed", default="0")
    ap.add_argument("--vm", default="0")
    ap.add_argument("--skipped", nargs="*", default=[])
    a = ap.parse_args()
    out, logs = a.out, os.path.join(a.out, "logs")

    patches = [l.split("\t", 1) for l in lines_of(os.path.join(out, "patches.tsv"))]
    apply_log = lines_of(os.path.join(logs, "apply.log"))
    offsets = [l.strip()[len("OFFSET"):].strip() for l in apply_log
               if l.startswith("  OFFSET ")]
    untested = [l.split("warning: ", 1)[1] for l in apply_log
                if l.startswith("sockmap-sim: warning: ")]
    apply_err = [re.sub(r"^.*\*\*\* (sockmap-sim: .*?)\.? +Stop\.$", r"\1", l)
                 for l in apply_log if (l.startswith("sockmap-sim: ") or "*** sockmap-sim: " in l)
                 and "warning:" not in l]
    r = {
        "name": a.name, "base": a.base, "patches": [p[1] if len(p) > 1 else p[0] for p in patches],
        "skipped_mails": a.skipped,
        "apply": {"status": read(os.path.join(out, "apply.status")).strip(),
                  "offsets": offsets, "not_tested_here": untested,
                  "error": apply_err[0] if apply_err else ""},
        "build": {"status": read(os.path.join(out, "build.status")).strip() or "not run"},
    }
    wb = warnings_of(os.path.join(logs, "warnings-base.log"), a.ksrc)
    wn = warnings_of(os.path.join(logs, "warnings.log"), a.ksrc)
    new_w = []
    for k, v in wn.items():
        extra = len(v) - len(wb.get(k, []))
        if extra > 0:
            new_w += v[:extra]
    r["build"]["new_warnings"] = new_w
    if r["build"]["status"] == "failed":
        r["build"]["error"] = next((l for l in lines_of(os.path.join(logs, "build.log"))
                                    if "error" in l), "see logs/build.log")
    ran = os.path.exists(os.path.join(logs, "suites.log"))
    r["suites"] = suites(os.path.join(logs, "suites.log")) if ran else None
    if ran:
        b = suites(os.path.join(logs, "suites-base.log"))
        before = {f["test"].replace(" (aborted)", "") for f in b["failures"]}
        now = {f["test"].replace(" (aborted)", "") for f in r["suites"]["failures"]}
        for f in r["suites"]["failures"]:
            f["new"] = f["test"].replace(" (aborted)", "") not in before
        r["suites"]["base"] = {"passed": b["passed"], "failed": b["failed"]}
        r["suites"]["fixed"] = sorted(before - now)
    r["fuzz"] = fuzz(logs) if ran else None
    r["coverage"] = coverage(out) if ran else None
    r["mutation"] = mutation(out, r["coverage"]) if ran else None
    r["costs"] = r["conformance"] = None
    if ran:
        r["costs"] = {"error": step_error(logs, "run-base.log", "run.log")}
        if not r["costs"]["error"]:
            r["costs"]["changed"] = table_diff(lines_of(os.path.join(logs, "run-base.log")),
                                               lines_of(os.path.join(logs, "run.log")))
        r["conformance"] = {"error": step_error(logs, "conf-base.log", "conf.log")}
        if not r["conformance"]["error"]:
            r["conformance"]["changed"] = conf_diff(
                lines_of(os.path.join(out, "conf-base.out")),
                lines_of(os.path.join(out, "conf.out")))
    r["vm"] = vm_columns(out, r["conformance"]) if ran and a.vm == "1" else None
    r["failed"] = a.failed == "1"
    reasons = []
    if r["failed"]:
        reasons.append("the patches did not apply or build")
    if r["suites"] and any(f["new"] for f in r["suites"]["failures"]):
        reasons.append("tests fail that pass without the patches")
    if r["fuzz"]:
        rp = r["fuzz"]["replay"]
        if not rp["ok"] and not rp["fails_without_patches"]:
            reasons.append("the corpus replay fails")
        if any(v["crash"] and not v["fails_without_patches"] for v in r["fuzz"]["runs"].values()):
            reasons.append("the fuzzer crashed")
    if r["vm"] and r["vm"]["base_status"] == "ok" and r["vm"]["status"] != "ok":
        reasons.append("the kernel with the patches " + r["vm"]["status"].split(":")[0] +
                       " in the VM")
    r["failed"] = bool(reasons)
    r["failed_because"] = reasons

    md = [f"# Review of {a.name} (on level {a.base})", ""]
    for p in r["patches"]:
        md.append(f"- {p}")
    for s in a.skipped:
        md.append(f"- skipped (no diff, a cover letter?): {s}")
    md += ["", "## Apply", ""]
    if r["apply"]["error"]:
        md.append(f"- FAILED: {r['apply']['error']}")
    for o in offsets:
        md.append(f"- offset/fuzz: {o}")
    for u in untested:
        md.append(f"- not tested here: {u}")
    if not (r["apply"]["error"] or offsets or untested):
        md.append("- applied exactly, every file compiled by the sim")
    md += ["", "## Build", ""]
    if r["build"]["status"] == "failed":
        md.append(f"- FAILED: {r['build'].get('error')}")
    elif r["build"]["status"] == "ok":
        md.append(f"- new W=1 warnings in the kernel files: {len(new_w)}")
        md += [f"  - {w}" for w in new_w]
    else:
        md.append("- not run (the patches did not apply)")
    if r["suites"] is not None:
        s = r["suites"]
        md += ["", "## Suites (ASan+UBSan)", "",
               f"- with the patches: {s['passed']} passed, {s['failed']} failed; "
               f"without: {s['base']['passed']} passed, {s['base']['failed']} failed"]
        junit = sorted(x for x in os.listdir(os.path.join(a.out, "test-reports"))
                       if x.endswith(".xml")) if os.path.isdir(
                           os.path.join(a.out, "test-reports")) else []
        r["suites"]["junit"] = [os.path.join("test-reports", x) for x in junit]
        if junit:
            md.append(f"  - JUnit XML and TAP of the suites with the patches: "
                      f"test-reports/ ({len(junit)} suites)")
        for f in s["failures"]:
            if f["new"]:
                md.append(f"  - NEW FAILURE {f['test']}: {f['first']}")
        old_f = [f for f in s["failures"] if not f["new"]]
        if old_f:
            md.append(f"  - failing without the patches too ({len(old_f)}; the tests assert "
                      f"the behaviour of a series level): " + ", ".join(f["test"] for f in old_f))
        if s["fixed"]:
            md.append(f"  - failing without the patches, passing with them (the tests that "
                      f"show what they change; {len(s['fixed'])}): " + ", ".join(s["fixed"]))
        if s.get("failing_binaries"):
            md.append(f"  - failing binaries: {s['failing_binaries']}")
        fz = r["fuzz"]
        md += ["", "## Fuzzing", "",
               "- corpus replay: " + ("ok" if fz["replay"]["ok"] else
                                      "FAILED: " + fz["replay"]["problem"] +
                                      (" (fails without the patches too)"
                                       if fz["replay"]["fails_without_patches"] else ""))]
        for h, v in fz["runs"].items():
            md.append(f"- {h}: {v['summary']}")
            if v["crash"]:
                md.append(f"  - CRASH: {v['crash']}" +
                          (" (the reproducer fails without the patches too: not theirs)"
                           if v["fails_without_patches"] else ""))
                md += [f"  - {x}" for x in v["reproducer"]]
        md += ["", "## Coverage of the added lines", ""]
        c = r["coverage"]
        if "error" in c:
            md.append(f"- not measured: {c['error']}")
        else:
            if c.get("failing"):
                md.append(f"- measured with tests failing (a binary that crashed counted nothing): "
                          f"{c['failing']}")
            for p in c["patches"]:
                files = ", ".join(p["sim_files"]) or "none"
                md.append(f"- {p['subject']}: {p['executed']}/{p['executable']} executable added "
                          f"lines executed, {p['branches_taken']}/{p['branches']} branch outcomes "
                          f"taken (files: {files})")
            for u in c["unexecuted"]:
                md.append(f"  - not executed: {u['file']}:{u['line']} `{u['text'].strip()}` "
                          f"({u['function']})")
            for u in c["untaken"]:
                md.append(f"  - branch outcomes {u['taken']}/{u['outcomes']}: "
                          f"{u['file']}:{u['line']} `{u['text'].strip()}`")
        md += ["", "## Mutation of the added lines", ""]
        mu = r["mutation"]
        if mu.get("error") and not mu.get("mutants"):
            md.append(f"- not measured: {mu['error']}")
        elif not mu.get("mutants"):
            st = mu["stats"]
            md.append(f"- no mutant: {st.get('code_lines', 0)} added code lines in the compiled "
                      f"kernel files, none an operator applies to")
        else:
            st = mu["stats"]
            ms = mu["mutants"]
            done = [x for x in ms if x.get("verdict")]
            killed = sum(1 for x in done if x["verdict"] == "killed")
            comp = sum(1 for x in done if x["verdict"] in ("killed", "survived"))
            pct = f" ({100 * killed // comp} %)" if comp else ""
            md.append(f"- killed {killed}/{comp} compiled mutants{pct}: {len(ms)} mutants of "
                      f"{st.get('code_lines')} added code lines ({', '.join(st.get('files', []))}; "
                      f"{st.get('candidates')} candidates, {st.get('identical', 0)} identical "
                      f"dropped), each built in a copy of the reviewed build and run against the "
                      f"suites and the corpus replay"
                      + (f", {mu['seconds']:.0f} s" if mu.get("seconds") else ""))
            for what, verdict in (("not compiled (left out of the rate)", "not compiled"),
                                  ("equivalent: the same object code (left out of the rate)",
                                   "equivalent"),
                                  ("errors (left out of the rate)", "error")):
                xs = [x for x in ms if x.get("verdict") == verdict]
                if xs:
                    md.append(f"- {what}: " + "; ".join(
                        f"{x['file']}:{x['line']} {x['op']}" + (f" ({x['by']})" if verdict != "equivalent" else "")
                        for x in xs))
            if st.get("no_operator"):
                no = st["no_operator"]
                md.append(f"- added code lines no operator applies to ({len(no)}): " + ", ".join(
                    f"`{x['text']}`" for x in no[:6]) + (", ..." if len(no) > 6 else ""))
            if mu.get("error"):
                md.append(f"- {mu['error']}")
            surv = [x for x in ms if x.get("verdict") == "survived"]
            if surv:
                md.append(f"- survivors, where the tests would not notice the patch being "
                          f"wrong ({len(surv)}):")
                for x in surv:
                    before = " ".join(x["before"].split())
                    after = " ".join(x["after"].split())
                    md.append(f"  - {x['file']}:{x['line']} {x['op']}: `{before}` -> `{after}`"
                              + (" (the suites never execute this line)" if x["unexecuted"] else "")
                              + (f" (and {len(x['fixes'])} tests that fail with the patches pass "
                                 f"with it: {', '.join(x['fixes'][:3])}"
                                 f"{', ...' if len(x['fixes']) > 3 else ''})" if x.get("fixes") else ""))
            elif done:
                md.append("- no survivor")
        md += ["", "## Costs (make run, level " + a.base + ")", ""]
        if r["costs"]["error"]:
            md.append(f"- not measured: {r['costs']['error']}")
        elif not r["costs"]["changed"]:
            md.append("- no row changed")
        for ch in r["costs"].get("changed", []):
            md.append(f"- {ch['key']}")
            md.append(f"  - before: `{' '.join(ch['before'][0].split())}`")
            md.append(f"  - after:  `{' '.join(ch['after'][0].split())}`")
        md += ["", "## Conformance (the sim's observations)", ""]
        if r["conformance"]["error"]:
            md.append(f"- not compared: {r['conformance']['error']}")
        elif not r["conformance"]["changed"]:
            md.append("- no observation changed")
        for ch in r["conformance"].get("changed", []):
            md.append(f"- {ch['step']}: {ch['before']} -> {ch['after']}")
        if r["vm"]:
            v = r["vm"]
            md += ["", "## Conformance on booted kernels (REVIEW_VM=1, 6.12.117 in qemu)", "",
                   f"- the level's kernel: {v['base_status']}",
                   f"- with the patches: {v['status']}"]
            if "changed" in v:
                md.append(f"- observations the patches change in the kernel: {len(v['changed'])}")
                for ch in v["changed"]:
                    md.append(f"  - {ch['step']}: {ch['before']} -> {ch['after']}")
            if "disagree" in v:
                new = [x for x in v["disagree"] if x["new"]]
                md.append(f"- the sim and the kernel disagree on {len(v['disagree'])} observations "
                          f"with the patches ({v['disagree_base']} without them); "
                          f"new with the patches: {len(new)}")
                for x in new:
                    md.append(f"  - {x['step']}: sim {x['before']}, kernel {x['after']}")
    md += ["", "## Verdict", "",
           "FAILED: " + "; ".join(reasons) if r["failed"] else
           "passed: nothing failed (unexecuted lines and untested files are listed above)", ""]
    with open(os.path.join(out, "report.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md))
    with open(os.path.join(out, "report.json"), "w", encoding="utf-8") as f:
        json.dump(r, f, indent=1)

    # HTML: each patch with its added lines marked, by their line in the
    # reviewed tree (two added lines with the same text are two lines)
    unexec = {(u["file"], u["line"]) for u in (r["coverage"] or {}).get("unexecuted", [])}
    untaken = {(u["file"], u["line"]) for u in (r["coverage"] or {}).get("untaken", [])}
    survived = {}
    for x in (r["mutation"] or {}).get("mutants", []) or []:
        if x.get("verdict") == "survived":
            survived.setdefault((x["file"], x["line"]), []).append(x["op"])
    h = ["<!DOCTYPE html><html><head><meta charset='utf-8'>",
         f"<title>review: {html.escape(a.name)}</title><style>",
         "body{font-family:sans-serif;margin:1.5em} pre{font-size:13px;line-height:1.3}",
         "pre.md{white-space:pre-wrap}",
         ".add{background:#e6ffec} .del{background:#ffebe9} .hunk{color:#0550ae}",
         ".unexec{background:#ffb3b3} .untaken{background:#fff2a8}",
         ".survived{background:#ffd8a8}",
         ".legend span{padding:0 .4em;margin-right:.6em}</style></head><body>",
         f"<h1>Review of {html.escape(a.name)} on level {html.escape(a.base)}</h1>",
         "<p class='legend'><span class='unexec'>added, never executed</span>"
         "<span class='untaken'>added, a branch outcome never taken</span>"
         "<span class='survived'>added, a mutant of it survived</span>"
         "<span class='add'>added: executed or not executable</span></p>",
         "<pre class='md'>" + html.escape("\n".join(md)) + "</pre>"]
    for name in sorted(os.listdir(os.path.join(out, "patches"))):
        _, diff, hunks = patch_added_lines(os.path.join(out, "patches", name))
        starts = hunk_lines(a.ksrc, hunks)
        h.append(f"<h2>{html.escape(name)}</h2><pre>")
        for cur, line, kind, hk, idx in diff:
            cls = kind if kind in ("del", "hunk") else ""
            if kind == "add":
                key = (cur, starts[hk] + idx if starts[hk] else None)
                cls = "unexec" if key in unexec else "untaken" if key in untaken else \
                    "survived" if key in survived else "add"
                if key in survived:
                    line += "    <- survived: " + ", ".join(survived[key])
            h.append(f"<span class='{cls}'>{html.escape(line)}</span>" if cls
                     else html.escape(line))
        h.append("</pre>")
    h.append("</body></html>")
    with open(os.path.join(out, "report.html"), "w", encoding="utf-8") as f:
        f.write("\n".join(h))
    return 1 if r["failed"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a broken report is not a failed review
        print(f"{PROG}: report.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(3)
