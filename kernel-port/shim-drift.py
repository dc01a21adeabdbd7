#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""shim-drift: check the sim's transcriptions of kernel functions.

A function in sim/*.c that is a transcription of a kernel function carries
one line directly above its definition:

    /* sim-origin: net/ipv4/tcp.c tcp_read_skb */

(a function the series adds says so: "... inet_splice_read (series) */", and
is skipped at the levels below the patch that adds it), and every deliberate difference inside the copy is marked by a comment
containing "sim-edit: <reason>", either at the end of the line that
differs or on a comment line of its own, which then marks the next line
of code.

Usage:
  shim-drift.py files SIMFILE...             the kernel files the markers name
  shim-drift.py check KTREE SIMFILE...       compare every marked function
  shim-drift.py selftest KTREE SCRATCHDIR    the checker's own test

check: each marked function is extracted from KTREE (the kernel files at the
build's series level) and from the sim file, comments are stripped and both
are compared as token streams (leading storage classes "static", "inline"...
ignored).  SHIM_DRIFT_REPORT=FILE writes every function's token diff there.
Every difference must lie on a sim line marked sim-edit (a
deletion: the sim line at or just before the deletion point), otherwise the
check fails, one line per unmarked difference.
"""

import difflib
import os
import re
import signal
import sys

PROG = "sockmap-sim: shim-drift"
ORIGIN_RE = re.compile(r"/\*\s*sim-origin:\s*(\S+)\s+(\w+)(\s+\(series\))?\s*\*/")
EDIT_RE = re.compile(r"sim-edit:")

TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<nl>\n)
  | (?P<lcomment>//[^\n]*)
  | (?P<bcomment>/\*.*?\*/)
  | (?P<str>"(?:\\.|[^"\\\n])*")
  | (?P<chr>'(?:\\.|[^'\\\n])*')
  | (?P<cont>\\\n)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[\w.])*)
  | (?P<op>->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\.\.\.|\#\#|[^\s])
""", re.S | re.X)

HEAD_SKIP = {"static", "inline", "__always_inline", "noinline", "extern"}


class Tok:
    __slots__ = ("text", "line", "pp")

    def __init__(self, text, line, pp):
        self.text, self.line, self.pp = text, line, pp



def match_paren(toks, j, open_="(", close=")"):
    """Index of the token that closes the open_ at toks[j] (len(toks) if none)."""
    depth = 0
    while j < len(toks):
        if toks[j].text == open_:
            depth += 1
        elif toks[j].text == close:
            depth -= 1
            if depth == 0:
                break
        j += 1
    return j

def die(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(1)


def tokenize(src):
    """Tokens (comments dropped) and, per line, whether a sim-edit comment
    marks it.  pp: the token belongs to a preprocessor directive line."""
    toks = []
    marked = set()
    pending_mark = False	# a comment-only line said sim-edit: mark next code line
    line = 1
    line_has_code = False
    in_pp = False
    pos = 0
    n = len(src)
    while pos < n:
        m = TOKEN_RE.match(src, pos)
        if not m:
            die(f"cannot tokenize at line {line}")
        kind = m.lastgroup
        text = m.group(kind)
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "nl":
            line += 1
            line_has_code = False
            in_pp = False
            continue
        if kind == "cont":
            line += 1
            continue
        if kind in ("lcomment", "bcomment"):
            if EDIT_RE.search(text):
                if line_has_code:
                    marked.add(line)
                else:
                    pending_mark = True
            line += text.count("\n")
            continue
        if not line_has_code:
            line_has_code = True
            if pending_mark:
                marked.add(line)
                pending_mark = False
            if text == "#":
                in_pp = True
        toks.append(Tok(text, line, in_pp))
    return toks, marked


def find_function(toks, name, after_line=0):
    """(start, end) token indices of the definition of name (end exclusive):
    from the return type to the closing brace.  None if absent."""
    i = 0
    nt = len(toks)
    while i < nt:
        t = toks[i]
        if (t.text == name and not t.pp and t.line > after_line
                and i + 1 < nt and toks[i + 1].text == "("
                and (i == 0 or toks[i - 1].text not in (".", "->"))):
            # the parameter list
            j = match_paren(toks, i + 1) + 1
            # attributes/annotations between ")" and "{": identifiers and
            # their (...) arguments, e.g. __releases(&sk->sk_lock.slock)
            while j < nt and toks[j].text not in ("{", ";", ",", "=", ")") and not toks[j].pp:
                if toks[j].text == "(":
                    j = match_paren(toks, j)
                elif not re.match(r"\w", toks[j].text):
                    break
                j += 1
            if j < nt and toks[j].text == "{" and (i == 0 or toks[i - 1].text not in ("=", "(", ",", "return")):
                k = match_paren(toks, j, "{", "}")
                if k >= nt:
                    die(f"{name}: unbalanced braces")
                s = i
                while s > 0 and toks[s - 1].text not in (";", "}", "{") and not toks[s - 1].pp:
                    s -= 1
                while s < i and toks[s].text in HEAD_SKIP:
                    s += 1
                return s, k + 1
        i += 1
    return None


def read(path):
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.read()
    except OSError as e:
        die(f"cannot read {path}: {e.strerror}")


def origins(simfiles):
    """[(simfile, marker line, kernel file, function, added by the series)]"""
    out = []
    for sf in simfiles:
        for no, text in enumerate(read(sf).split("\n"), 1):
            m = ORIGIN_RE.search(text)
            if m:
                out.append((sf, no, m.group(1), m.group(2), bool(m.group(3))))
            elif "sim-origin:" in text:
                die(f"{sf}:{no}: malformed marker (want /* sim-origin: <kernel file> <function> */)")
    return out


_cache = {}


def tokens_of(path):
    if path not in _cache:
        _cache[path] = tokenize(read(path))
    return _cache[path]


def compare(kpath, kname, spath, sline, label=None):
    """Compare kernel function kname in kpath with the sim function defined
    on the line after sline in spath.  Returns (diffs, unmarked, n_marked):
    diffs are printable lines, unmarked the error lines."""
    label = label or kname
    ktoks, _ = tokens_of(kpath)
    stoks, marked = tokens_of(spath)
    kr = find_function(ktoks, kname)
    if kr is None:
        return [], [f"{PROG}: {kname}: not defined in {kpath}"], 0
    # the sim copy: the first definition starting after the marker line
    sr = None
    for idx, t in enumerate(stoks):
        if t.line > sline:
            if t.pp:
                continue
            if t.line != sline + 1:
                break
            # name of the sim function: the identifier before the first "("
            k = idx
            while k < len(stoks) and stoks[k].text != "(":
                k += 1
            if k < len(stoks):
                sr = find_function(stoks, stoks[k - 1].text, after_line=sline)
            break
    if sr is None:
        return [], [f"{PROG}: {kname}: no function definition on the line after "
                    f"the sim-origin marker at {spath}:{sline}"], 0
    ks = ktoks[kr[0]:kr[1]]
    ss = stoks[sr[0]:sr[1]]
    lo_line, hi_line = ss[0].line, ss[-1].line
    fn_marked = sorted(l for l in marked if lo_line <= l <= hi_line)
    sm = difflib.SequenceMatcher(None, [t.text for t in ks], [t.text for t in ss], autojunk=False)
    diffs, unmarked = [], []
    used = set()
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        kt = " ".join(t.text for t in ks[i1:i2])
        st = " ".join(t.text for t in ss[j1:j2])
        if i2 > i1:
            kl = f"{ks[i1].line}" + (f"-{ks[i2 - 1].line}" if ks[i2 - 1].line != ks[i1].line else "")
        else:
            kl = f"{ks[i1 - 1].line if i1 else ks[0].line}+"
        if j2 > j1:
            lines = sorted({t.line for t in ss[j1:j2]})
            sl = f"{lines[0]}" + (f"-{lines[-1]}" if lines[-1] != lines[0] else "")
            ok = all(l in marked for l in lines)
            bad = [l for l in lines if l not in marked]
            used.update(l for l in lines if l in marked)
        else:
            near = [ss[j].line for j in (j1 - 1, j1) if 0 <= j < len(ss)]
            sl = f"{near[0]}+"
            hit = [l for l in near if l in marked]
            ok = bool(hit)
            bad = near[:1]
            used.update(hit)
        tag = "marked" if ok else "UNMARKED"
        diffs.append(f"    {tag:8} {kpath}:{kl} [{kt}] -> {spath}:{sl} [{st}]")
        if not ok:
            unmarked.append(f"{PROG}: {label}: {spath}:{bad[0]}: differs from {kpath}:{kl} "
                            f"without a sim-edit marker ([{kt}] -> [{st}])")
    return diffs, unmarked, len(fn_marked)


SELFTEST_KFILE, SELFTEST_FN = "net/core/sock.c", "__release_sock"


def cmd_files(simfiles):
    for f in sorted({o[2] for o in origins(simfiles)} | {SELFTEST_KFILE}):
        print(f)


def cmd_check(ktree, simfiles, verbose):
    errs = []
    rows = []
    report = []	# every function's differences (SHIM_DRIFT_REPORT)
    total = 0
    seen = set()
    skipped = []
    for sf, line, kfile, fn, by_series in origins(simfiles):
        if (kfile, fn) in seen:
            errs.append(f"{PROG}: {fn}: {sf}:{line}: {kfile} {fn} marked twice")
            continue
        seen.add((kfile, fn))
        kpath = os.path.join(ktree, kfile)
        if not os.path.isfile(kpath):
            die(f"{kpath} missing (make shim-drift extracts it)")
        if by_series and find_function(tokens_of(kpath)[0], fn) is None:
            skipped.append(f"{fn} ({kfile}: added by a series patch above this level)")
            continue
        diffs, unmarked, nm = compare(kpath, fn, sf, line)
        total += nm
        state = (f"{len(diffs)} difference(s)" if diffs else
                 "NOT COMPARED" if unmarked else "identical")
        rows.append((fn, kfile, sf, nm, state))
        head = f"  {fn} ({kfile} vs {sf}): {state}, {nm} marked edit(s)"
        report.append(head)
        report.extend(diffs)
        if (verbose or unmarked) and diffs:
            print(head)
            for d in diffs:
                print(d)
        errs.extend(unmarked)
    if not rows:
        die("no sim-origin marker found in " + " ".join(simfiles))
    out = os.environ.get("SHIM_DRIFT_REPORT")
    if out:
        with open(out + ".tmp", "w") as f:
            f.write("\n".join(report) + "\n")
        os.replace(out + ".tmp", out)
    print(f"  SHIM-DRIFT {len(rows)} functions checked, {total} marked edits in all"
          + (f" (token diffs: {out})" if out else ""))
    w = max(len(r[0]) for r in rows)
    for fn, kfile, sf, nm, state in rows:
        print(f"    {fn:{w}}  {nm:3} marked edit(s)  {state:18}  {kfile} -> {sf}")
    for sk in skipped:
        print(f"    skipped: {sk}")
    if errs:
        for e in errs:
            print(e, file=sys.stderr)
        return 1
    return 0


def cmd_selftest(ktree, scratch):
    """A kernel function copied to a scratch sim file: unchanged passes, one
    token changed fails, the changed line marked sim-edit passes."""
    kfile, fn = SELFTEST_KFILE, SELFTEST_FN
    kpath = os.path.join(ktree, kfile)
    ktoks, _ = tokens_of(kpath)
    r = find_function(ktoks, fn)
    if r is None:
        die(f"selftest: {fn} not found in {kpath}")
    src = read(kpath).split("\n")
    first, last = ktoks[r[0]].line, ktoks[r[1] - 1].line
    body = src[first - 1:last]
    os.makedirs(scratch, exist_ok=True)

    # the line to change: the first with "sk_backlog_rcv"... any line with
    # an identifier after the signature
    target = next(i for i, l in enumerate(body) if i > 1 and re.search(r"\bnext\b", l))

    def run(name, lines, expect_ok):
        p = os.path.join(scratch, name)
        with open(p, "w") as f:
            f.write("/* shim-drift selftest */\n")
            f.write(f"/* sim-origin: {kfile} {fn} */\n")
            f.write("\n".join(lines) + "\n")
        _cache.pop(p, None)
        diffs, unmarked, nm = compare(kpath, fn, p, 2)
        ok = not unmarked
        if ok != expect_ok:
            die(f"selftest {name}: expected {'pass' if expect_ok else 'failure'}, got "
                f"{'pass' if ok else 'failure'}: {unmarked or diffs}")
        return diffs, unmarked

    d, _ = run("unchanged.c", body, True)
    if d:
        die(f"selftest unchanged.c: differences reported: {d}")
    changed = list(body)
    changed[target] = re.sub(r"\bnext\b", "nxt", changed[target], count=1)
    _, u = run("changed.c", changed, False)
    if not any(f"changed.c:{target + 3}:" in e for e in u):
        die(f"selftest changed.c: the failure does not name line {target + 3}: {u}")
    marked = list(changed)
    marked[target] += " /* sim-edit: selftest */"
    run("marked.c", marked, True)
    # a sim-edit comment on its own line marks the next line
    pre = list(changed)
    pre.insert(target, "\t/* sim-edit: selftest, preceding line */")
    run("marked-before.c", pre, True)
    # a deleted line: unmarked fails, marked passes
    dele = list(body)
    del dele[target]
    run("deleted.c", dele, False)
    dele.insert(target, "\t/* sim-edit: selftest, line deleted */")
    run("deleted-marked.c", dele, True)
    print(f"  SHIM-DRIFT selftest: 6 cases on {fn} ({kfile}) pass")
    return 0


def main(argv):
    verbose = os.environ.get("V") == "1" or os.environ.get("SHIM_DRIFT_VERBOSE") == "1"
    if len(argv) >= 2 and argv[0] == "files":
        cmd_files(argv[1:])
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        return cmd_check(argv[1], argv[2:], verbose)
    if len(argv) == 3 and argv[0] == "selftest":
        return cmd_selftest(argv[1], argv[2])
    die("usage: shim-drift.py files SIMFILE... | check KTREE SIMFILE... | selftest KTREE SCRATCHDIR")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv[1:]))
