#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Mutants of the lines a reviewed patch adds to the compiled kernel files.

Usage:
  mutants.py gen --base TREE --new TREE --files LIST --max N --out DIR
  mutants.py run --base TREE --new TREE --files LIST --max N --out DIR
                 --bdir BDIR [--timeout S] -- MAKE [VAR=value...]
  mutants.py selftest [--fixtures DIR]

gen: the added and changed lines are those `diff` finds between the tree
without the patches (--base) and with them (--new), in the allow-listed
files (--files, kernel-port/files.txt); comments, blank lines and
preprocessor lines are no code and get no mutant. Each code line gets the
mutants that apply to it, in this order:
  drop NAME()        an expression statement that only calls get_page,
                     put_page, sk_mem_charge, sk_mem_uncharge, sock_put,
                     sock_hold, release_sock or an unlock (spin_unlock_bh,
                     mutex_unlock, rcu_read_unlock...) is removed
  delete statement   any other expression statement (or break, continue,
                     goto) is removed; the body of an unbraced if, for,
                     while or else becomes an empty statement `;`
  negate condition   if (C) / while (C) become if (!(C)) / while (!(C));
                     on a line that continues a condition, the operand the
                     line holds is negated
  swap A to B        one relational operator: < and <=, > and >=
  return early       `return V;` inserted before the statement the line
                     starts, V from the function's return type (void:
                     nothing, pointer: NULL, bool: false, integer: 0;
                     another type: no such mutant)
Mutants that give the same file as one before them are dropped. At most
N are chosen, line by line, every line once before any line twice (when
fewer than the lines remain, evenly spread over them), so the choice is
the same at every run. Each mutant is DIR/NNN.patch, a unified diff of
one file against --new, applied with `patch -p1`; DIR/mutants.json lists
them (file, line, operator, the line and what it becomes).

run: gen, then each mutant is built and tested as the reviewed build
is, without extracting or compiling anything else: --new and --bdir (its
objects) are copied to DIR/work, the dependency files of the copy are
made to name the copy, the mutant is applied to its one file with
`patch`, and make (MAKE VAR=value... KSRC=copy BDIR=copy) rebuilds what
depends on that file (the kernel object, the suites' links), runs
`check` and then `fuzz-replay-one`. After the build, the mutated file
must be the mutant and every other file of the copy what extract.sh
recorded in its .sha256 (the checksums verify-kernel-port proves are the
tarball's files + the series + the reviewed patches), and the objects
that depend on the file newer than it. The copy without a mutant runs
first, the files that get mutants compiled again at the copy's path: its
failures (the tests of a level the patches do not reach) are the
reference, and so are its objects (a mutant compiled to the same objects
is "equivalent"). A mutant is killed when a
test or a suite binary fails that did not, or the corpus replay fails
where it did not, or it runs longer than --timeout (default: 5 times the
reference, at least 30 s); one that does not compile is left out of the
rate. DIR/mutants.json gets the verdicts, DIR/logs/ the logs; one
progress line per mutant.

selftest: gen on review/mutants-selftest/{base,new}.c must give exactly
expected.txt, twice, and every patch must apply with `patch`; the
choice under a small N must follow the rule above.
"""

import argparse
import difflib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# the file reader of coverage/patchcov.py (same tree, same rules for odd bytes)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "coverage"))
from patchcov import read_lines  # noqa: E402

PROG = "sockmap-sim: review: mutants"
# a build (a mutated header recompiles every object that includes it) or
# the reference's tests
BUILD_TIMEOUT = 900

DROP_CALLS = {"get_page", "put_page", "sk_mem_charge", "sk_mem_uncharge",
              "sock_put", "sock_hold", "release_sock"}
UNLOCK_RE = re.compile(r"^\w*unlock\w*$")
KEYWORDS = {"if", "else", "while", "for", "do", "switch", "case", "default",
            "return", "goto", "break", "continue", "sizeof", "typeof",
            "__typeof__", "struct", "union", "enum", "static", "const",
            "volatile", "inline", "extern", "register", "unsigned", "signed",
            "int", "long", "short", "char", "bool", "void", "float", "double",
            "_Bool", "asm", "__asm__"}
# tokens before a function's name that are not its return type
FN_ATTRS = {"static", "inline", "__always_inline", "noinline", "__cold",
            "notrace", "__init", "__exit", "__net_init", "__net_exit",
            "INDIRECT_CALLABLE_SCOPE", "__bpf_kfunc", "extern", "__weak",
            "__must_check", "__maybe_unused", "noinstr"}
INT_TYPES = {"int", "long", "short", "char", "unsigned", "signed", "size_t",
             "ssize_t", "loff_t", "u8", "u16", "u32", "u64", "s8", "s16",
             "s32", "s64", "__u8", "__u16", "__u32", "__u64", "__s8",
             "__s16", "__s32", "__s64", "__poll_t", "enum"}


def die(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(1)


# ---- lexing ----------------------------------------------------------------

def code_view(lines):
    """Per line: the line with comments and the contents of string and
    character literals blanked (same columns), and whether it is a
    preprocessor line (or a continuation of one)."""
    out, pre = [], []
    in_comment = False
    cont = False
    for line in lines:
        buf = []
        i, n = 0, len(line)
        quote = None
        while i < n:
            c = line[i]
            if in_comment:
                if line.startswith("*/", i):
                    in_comment = False
                    buf.append("  ")
                    i += 2
                else:
                    buf.append(" ")
                    i += 1
            elif quote:
                if c == "\\" and i + 1 < n:
                    buf.append("  ")
                    i += 2
                    continue
                if c == quote:
                    quote = None
                    buf.append(c)
                else:
                    buf.append(" ")
                i += 1
            elif line.startswith("/*", i):
                in_comment = True
                buf.append("  ")
                i += 2
            elif line.startswith("//", i):
                buf.append(" " * (n - i))
                break
            elif c in "\"'":
                quote = c
                buf.append(c)
                i += 1
            else:
                buf.append(c)
                i += 1
        code = "".join(buf)
        is_pre = cont or code.lstrip().startswith("#")
        cont = is_pre and line.rstrip().endswith("\\")
        out.append(code)
        pre.append(is_pre)
    return out, pre


TOKEN_RE = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|"
                      r"[-+*/%&|^!=]=|\"[^\"]*\"|'[^']*'|\S")


class Tok:
    __slots__ = ("text", "line", "col")

    def __init__(self, text, line, col):
        self.text, self.line, self.col = text, line, col

    def __repr__(self):
        return f"{self.text}@{self.line}:{self.col}"


def tokenize(code, pre):
    toks = []
    for ln, (c, p) in enumerate(zip(code, pre), 1):
        if p:
            continue
        for m in TOKEN_RE.finditer(c):
            toks.append(Tok(m.group(0), ln, m.start()))
    return toks


def is_ident(t):
    return re.match(r"^[A-Za-z_]\w*$", t) is not None


def match_paren(toks, i):
    """Index of the token closing the ( [ or { at i."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    o, c, depth = toks[i].text, pairs[toks[i].text], 0
    for j in range(i, len(toks)):
        if toks[j].text == o:
            depth += 1
        elif toks[j].text == c:
            depth -= 1
            if depth == 0:
                return j
    return None


# ---- statements ------------------------------------------------------------

class Stmt:
    """kind: expr, decl, return, jump (break/continue/goto), header
    (if/while/for/switch/else/do and macro loops), label. first/last:
    token indices; cond: (open, close) paren indices of an if/while;
    after: the kind of what precedes it ("block" after ; { } or a label,
    "body" after a header: the unbraced body); ret: the enclosing
    function's return value text, or None."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def statements(toks):
    """The statements inside function bodies, in order."""
    out = []
    stack = []		# brace kinds: func, block, init, other
    i, n = 0, len(toks)
    after = "block"
    header_start = 0	# first token of the current top-level declaration
    fn_ret = None
    while i < n:
        t = toks[i].text
        in_fn = "func" in stack
        if t == "{":
            prev = toks[i - 1].text if i else ""
            if not stack:
                if prev == ")":
                    stack.append("func")
                    fn_ret = return_value(toks[header_start:i])
                else:
                    stack.append("other")
            elif in_fn:
                stack.append("block")
            else:
                stack.append("other")
            after = "block"
            i += 1
            continue
        if t == "}":
            if stack:
                stack.pop()
            if not stack:
                header_start = i + 1
                fn_ret = None
            after = "block"
            i += 1
            continue
        if not in_fn:
            if t == ";" and not stack:
                header_start = i + 1
            if t in "([":
                j = match_paren(toks, i)
                i = (j if j is not None else i) + 1
                continue
            i += 1
            continue
        if t == ";":		# empty statement
            after = "block"
            i += 1
            continue
        first = i
        if t in ("if", "while", "for", "switch") and i + 1 < n and toks[i + 1].text == "(":
            close = match_paren(toks, i + 1)
            if close is None:
                break
            last = close
            if t == "while" and close + 1 < n and toks[close + 1].text == ";":
                last = close + 1		# do { } while (C);
                kind = "header-end"
            else:
                kind = "header"
            cond = (i + 1, close) if t in ("if", "while") else None
            out.append(Stmt(kind=kind, first=first, last=last, cond=cond, key=t,
                            after=after, ret=fn_ret))
            after = "block" if kind == "header-end" else "body"
            i = last + 1
            continue
        if t in ("else", "do"):
            out.append(Stmt(kind="header", first=i, last=i, cond=None, key=t,
                            after=after, ret=fn_ret))
            after = "body"
            i += 1
            continue
        if t in ("case", "default") or (is_ident(t) and t not in KEYWORDS and i + 1 < n
                                         and toks[i + 1].text == ":"):
            j = i
            while j < n and toks[j].text != ":":
                j += 1
            out.append(Stmt(kind="label", first=i, last=j, cond=None, key=t,
                            after=after, ret=fn_ret))
            after = "block"
            i = j + 1
            continue
        # a statement up to ; at depth 0 (initializer braces included), or
        # a macro loop header: ident ( ... ) followed by { or a statement
        j = i
        depth = 0
        end = None
        while j < n:
            x = toks[j].text
            if x in "([":
                depth += 1
            elif x in ")]":
                depth -= 1
            elif x == "{":
                if depth == 0 and j > 0 and toks[j - 1].text not in ("=", ",", "(", "{"):
                    break		# macro loop header, then its block
                depth += 1
            elif x == "}":
                if depth == 0:
                    break
                depth -= 1
            elif x == ";" and depth == 0:
                end = j
                break
            j += 1
        if end is None:		# header of a macro loop (list_for_each...)
            last = j - 1
            out.append(Stmt(kind="header", first=first, last=last, cond=None,
                            key=t, after=after, ret=fn_ret))
            after = "body" if j < n and toks[j].text != "{" else "block"
            i = j
            continue
        if t == "return":
            kind = "return"
        elif t in ("break", "continue", "goto"):
            kind = "jump"
        elif is_declaration(toks[first:end]):
            kind = "decl"
        else:
            kind = "expr"
        out.append(Stmt(kind=kind, first=first, last=end, cond=None, key=t,
                        after=after, ret=fn_ret))
        after = "block"
        i = end + 1
    return out


def is_declaration(ts):
    t = [x.text for x in ts]
    if not t:
        return False
    if t[0] in ("struct", "union", "enum", "const", "static", "unsigned", "signed",
                "int", "long", "short", "char", "bool", "void", "volatile", "register"):
        return True
    if t[0] in KEYWORDS or not is_ident(t[0]):
        return False
    k = 1
    while k < len(t) and t[k] == "*":
        k += 1
    return k < len(t) and is_ident(t[k]) and t[k] not in KEYWORDS


def return_value(header):
    """`return X;` text for a function whose header tokens are given, or
    None when its type is not one we know a plausible value for."""
    t = [x.text for x in header]
    if "(" not in t:
        return None
    k = t.index("(")
    if k < 2 or not is_ident(t[k - 1]):
        return None
    typ = [x for x in t[:k - 1] if x not in FN_ATTRS]
    if not typ:
        return None
    if "*" in typ:
        return "return NULL;"
    if typ == ["void"]:
        return "return;"
    if typ == ["bool"]:
        return "return false;"
    if all(x in INT_TYPES or (typ[0] == "enum" and is_ident(x)) for x in typ):
        return "return 0;"
    return None


# ---- mutants of one file ---------------------------------------------------

class Mutant:
    def __init__(self, line, op, new_lines, span):
        self.line, self.op = line, op
        self.new_lines = new_lines	# replacement of lines span[0]..span[1]
        self.span = span		# 1-based, inclusive; (L, L-1): insertion


def replace_cols(line, edits):
    """edits: [(col, length, text)], applied right to left."""
    for col, length, text in sorted(edits, reverse=True):
        line = line[:col] + text + line[col + length:]
    return line


def file_mutants(lines, added):
    """{line: [Mutant]} for the added line numbers of a file."""
    code, pre = code_view(lines)
    toks = tokenize(code, pre)
    stmts = statements(toks)
    by_line = {}

    def add(m):
        by_line.setdefault(m.line, []).append(m)

    def edit_tokens(edits):
        """edits: [(tok_index, 'before'|'after'|'replace', text)] ->
        (span, new lines)."""
        per_line = {}
        for ti, how, text in edits:
            tk = toks[ti]
            if how == "before":
                e = (tk.col, 0, text)
            elif how == "after":
                e = (tk.col + len(tk.text), 0, text)
            else:
                e = (tk.col, len(tk.text), text)
            per_line.setdefault(tk.line, []).append(e)
        lo, hi = min(per_line), max(per_line)
        new = [replace_cols(lines[ln - 1], per_line.get(ln, [])) for ln in range(lo, hi + 1)]
        return (lo, hi), new

    for s in stmts:
        L = toks[s.first].line
        first_on_line = code[L - 1][:toks[s.first].col].strip() == ""
        indent = re.match(r"^\s*", lines[L - 1]).group(0)
        last_line = toks[s.last].line
        if L in added and first_on_line and s.kind in ("expr", "jump"):
            whole_lines = code[last_line - 1][toks[s.last].col + 1:].strip() == ""
            if whole_lines:
                t = [x.text for x in toks[s.first:s.last + 1]]
                call = (len(t) >= 4 and is_ident(t[0]) and t[1] == "("
                        and match_paren(toks, s.first + 1) == s.last - 1)
                if call and (t[0] in DROP_CALLS or UNLOCK_RE.match(t[0])):
                    op = f"drop {t[0]}()"
                else:
                    op = "delete statement"
                # the same number of lines: __LINE__ and the debug line
                # table stay, so a mutant the compiler drops gives the
                # same object (run() finds it equivalent)
                new = [indent + ";" if s.after == "body" else ""] + [""] * (last_line - L)
                add(Mutant(L, op, new, (L, last_line)))
        if s.cond and L in added:
            o, c = s.cond
            span, new = edit_tokens([(o, "after", "!("), (c, "before", ")")])
            add(Mutant(L, "negate condition", new, span))
        # a line that continues a condition after && or || (of an if, a
        # while, or any expression: a return value, a macro's condition
        # argument): the operand it holds
        depth = 0
        for k in range(s.first + 1, s.last + 1):
            ln = toks[k].line
            if (toks[k - 1].text in ("&&", "||") and ln != toks[k - 1].line
                    and ln in added and ln != L):
                d, e = 0, k
                while e <= s.last:
                    y = toks[e].text
                    if y in "([":
                        d += 1
                    elif y in ")]":
                        if d == 0:
                            break
                        d -= 1
                    elif d == 0 and y in ("&&", "||", "?", ":", ",", ";"):
                        break
                    e += 1
                if e > k and toks[e - 1].line == ln and d == 0:
                    span, new = edit_tokens([(k, "before", "!("), (e - 1, "after", ")")])
                    add(Mutant(ln, "negate condition", new, span))
        if (L in added and first_on_line and s.after == "block" and s.ret
                and s.kind in ("expr", "jump", "decl", "return", "header", "header-end")
                and s.key != "else"
                and not (s.kind == "return" and
                         " ".join(x.text for x in toks[s.first:s.last + 1]) ==
                         " ".join(re.findall(TOKEN_RE, s.ret)))):
            add(Mutant(L, "return early", [indent + s.ret + " " + lines[L - 1].lstrip()], (L, L)))
    # relational operators, on any added line inside a function
    in_fn_lines = set()
    for s in stmts:
        for k in range(s.first, s.last + 1):
            in_fn_lines.add(toks[k].line)
    swap = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
    for k, tk in enumerate(toks):
        if tk.text in swap and tk.line in added and tk.line in in_fn_lines:
            span, new = edit_tokens([(k, "replace", swap[tk.text])])
            add(Mutant(tk.line, f"swap {tk.text} to {swap[tk.text]}", new, span))
    rank = {"drop": 0, "delete": 0, "negate": 1, "swap": 2, "return": 3}
    for ln in by_line:	# stable: within an operator, the order found
        by_line[ln].sort(key=lambda m: rank[m.op.split()[0]])
    return by_line


def apply_mutant(lines, m):
    lo, hi = m.span
    return lines[:lo - 1] + m.new_lines + lines[hi:]


def unified(path, old, new):
    """A unified diff (3 lines of context) of one file, as `diff -u`."""
    d = difflib.unified_diff([x + "\n" for x in old], [x + "\n" for x in new],
                             "a/" + path, "b/" + path, n=3)
    return "".join(d)


def added_lines(base, new):
    """Line numbers of `new` that `diff` finds added or changed."""
    if not os.path.exists(base):
        return set(range(1, sum(1 for _ in open(new, encoding="utf-8", errors="replace")) + 1))
    p = subprocess.run(["diff", "-U0", base, new], stdout=subprocess.PIPE,
                       universal_newlines=True, errors="replace")
    if p.returncode > 1:
        die(f"diff {base} {new} failed")
    out = set()
    for h in re.finditer(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", p.stdout, re.M):
        start, cnt = int(h.group(1)), int(h.group(2) if h.group(2) is not None else 1)
        out.update(range(start, start + cnt))
    return out


def allow_list(path):
    out = []
    for l in read_lines(path):
        l = re.sub(r"#.*", "", l).strip()
        if l:
            out.append(l)
    return out


def choose(per_line, n):
    """per_line: [(key, [candidates])] in order; at most n candidates,
    every line once before any twice; a round with more lines than the
    budget left takes them evenly spread. -> [(key, candidate)]"""
    chosen = []
    r = 0
    while len(chosen) < n:
        elig = [(k, c[r]) for k, c in per_line if len(c) > r]
        if not elig:
            break
        left = n - len(chosen)
        if len(elig) > left:
            elig = [elig[(i * len(elig)) // left] for i in range(left)]
        chosen += elig
        r += 1
    return chosen


def generate(base, new, files, n):
    """-> (mutants: [dict], stats), deterministic."""
    per_line = []
    stats = {"files": [], "code_lines": 0, "no_operator": [], "identical": 0}
    seen = set()
    for f in files:
        nf = os.path.join(new, f)
        if not os.path.exists(nf):
            continue
        add = added_lines(os.path.join(base, f), nf)
        if not add:
            continue
        lines = read_lines(nf)
        code, pre = code_view(lines)
        code_lines = sorted(ln for ln in add if code[ln - 1].strip() and not pre[ln - 1])
        stats["files"].append(f)
        stats["code_lines"] += len(code_lines)
        muts = file_mutants(lines, set(code_lines))
        for ln in code_lines:
            cands = []
            for m in muts.get(ln, []):
                result = apply_mutant(lines, m)
                h = hashlib.sha256(("\n".join(result) + "\n").encode("utf-8", "surrogateescape")).hexdigest()
                if (f, h) in seen:
                    stats["identical"] += 1
                    continue
                seen.add((f, h))
                cands.append((m, result, h))
            if cands:
                per_line.append(((f, ln, lines), cands))
            else:
                stats["no_operator"].append({"file": f, "line": ln,
                                             "text": lines[ln - 1].strip()})
    out = []
    for (f, ln, lines), (m, result, h) in choose(per_line, n):
        lo, hi = m.span
        out.append({"file": f, "line": ln, "op": m.op,
                    "before": "\n".join(lines[min(lo, ln) - 1:max(hi, ln)]),
                    "after": "\n".join(x for x in m.new_lines if x.strip()) or "(removed)",
                    "sha256": h, "patch": unified(f, lines, result)})
    # file order, then line: the report lists them so
    order = {f: i for i, f in enumerate(files)}
    out.sort(key=lambda x: (order[x["file"]], x["line"], x["op"]))
    for i, m in enumerate(out, 1):
        m["id"] = i
    stats["candidates"] = sum(len(c) for _, c in per_line)
    return out, stats


def write_mutants(out_dir, muts, stats):
    os.makedirs(out_dir, exist_ok=True)
    for m in muts:
        slug = re.sub(r"[^a-z0-9]+", "-", m["op"].lower()).strip("-")
        m["patch_file"] = f"{m['id']:03d}-{os.path.basename(m['file']).split('.')[0]}-{m['line']}-{slug}.patch"
        with open(os.path.join(out_dir, m["patch_file"]), "w", encoding="utf-8",
                  errors="surrogateescape") as fp:
            fp.write(f"sockmap-sim review mutant {m['id']}: {m['file']}:{m['line']}: {m['op']}\n\n")
            fp.write(m["patch"])


# ---- run -------------------------------------------------------------------

def run_make(cmd, log, timeout):
    """(exit status or 'timeout', seconds); the make and everything it
    started run in a process group of their own, ended on timeout."""
    t0 = time.time()
    with open(log, "a", encoding="utf-8") as lf:
        lf.write("$ " + " ".join(cmd) + "\n")
        lf.flush()
        p = subprocess.Popen(cmd, stdout=lf, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            rc = "timeout"
    return rc, time.time() - t0


# test names; not the summary's "[  FAILED  ] 2 test(s), listed below:"
FAILED_RE = re.compile(r"^\[  (?:FAILED|ERROR) +\] ([A-Za-z_]\w*)\s*$")
RUN_RE = re.compile(r"^\[ RUN      \] ([A-Za-z_]\w*)")


def failures(log):
    """Failing tests (a test a binary stopped in counts; an [ ERROR ]
    teardown too) and {binary: exit status} of the failing binaries."""
    tests, bins, cur = [], [], None
    for line in read_lines(log):
        m = RUN_RE.match(line)
        if m:
            if cur:
                tests.append(cur)
            cur = m.group(1)
            continue
        if line.startswith("[       OK ]"):
            cur = None
            continue
        m = FAILED_RE.match(line)
        if m:
            if m.group(1) not in tests:
                tests.append(m.group(1))
            cur = None
            continue
        if line.startswith("[==========]") and cur:
            tests.append(cur)
            cur = None
        if line.startswith("sockmap-sim: failing: "):
            bins += re.findall(r"(\S+) \(exit (\d+)\)", line)
    if cur:
        tests.append(cur)
    return tests, {b: int(code) for b, code in bins}


def prepare(work, ksrc, bdir):
    """work/ksrc and work/bdir: copies of the reviewed tree and objects,
    whose dependency files name the copies."""
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    wk, wb = os.path.join(work, "ksrc"), os.path.join(work, "bdir")
    for src, dst in ((ksrc, wk), (bdir, wb)):
        if subprocess.run(["cp", "-a", src, dst]).returncode:
            die(f"cannot copy {src} to {dst}")
    for root, _, names in os.walk(wb):
        for nm in names:
            if nm.endswith(".d"):
                p = os.path.join(root, nm)
                with open(p, encoding="utf-8", errors="surrogateescape") as fp:
                    t = fp.read()
                t2 = t.replace(bdir.rstrip("/") + "/", wb + "/").replace(ksrc.rstrip("/") + "/", wk + "/")
                if t2 != t:
                    st = os.stat(p)
                    with open(p, "w", encoding="utf-8", errors="surrogateescape") as fp:
                        fp.write(t2)
                    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    return wk, wb


def depfiles_naming(wb, path):
    out = []
    for root, _, names in os.walk(wb):
        for nm in names:
            if nm.endswith(".d"):
                p = os.path.join(root, nm)
                if any(path in l.split() for l in read_lines(p)):
                    out.append(p[:-2] + ".o")
    return out


def sha_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def tree_differs(wk, mfile=None, msha=None):
    """The first file of the copy that is not what extract.sh recorded
    in .sha256 (the tarball's file + the series + the reviewed patches,
    as verify-kernel-port proves it), the mutated one aside, which must
    be the mutant; or None."""
    for line in read_lines(os.path.join(wk, ".sha256")):
        h, f = line.split(None, 1)
        want = msha if f == mfile else h
        if sha_file(os.path.join(wk, f)) != want:
            return f
    return None


def run(a, mk):
    muts, stats = generate(a.base, a.new, allow_list(a.files), a.max)
    write_mutants(a.out, muts, stats)
    logs = os.path.join(a.out, "logs")
    os.makedirs(logs, exist_ok=True)
    res = {"generated": len(muts), "stats": stats, "mutants": muts}
    jpath = os.path.join(a.out, "mutants.json")

    def save():
        with open(jpath, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)

    save()
    print(f"  MUTANTS  {len(muts)} of {stats['candidates']} candidates on "
          f"{stats['code_lines']} added code lines ({', '.join(stats['files']) or 'no compiled file'})",
          flush=True)
    if not muts:
        return 0
    # relative paths stay relative: the objects' __FILE__ strings then read
    # as the reviewed build's do
    work = os.path.join(a.out, "work")
    if not os.path.isabs(a.new):
        work = os.path.relpath(work)
    t_all = time.time()

    # the reference: the copy without a mutant
    log = os.path.join(logs, "000-reference.log")
    open(log, "w").close()
    wk, wb = prepare(work, a.new, a.bdir)
    # the files that get mutants are compiled again, at the copy's path
    # (the same for every mutant): their objects are the reference for
    # "equivalent" (a mutant that compiles to the same code)
    mfiles = sorted({m["file"] for m in muts})
    now = time.time()
    for f in mfiles:
        os.utime(os.path.join(wk, f), (now, now))
    rc, _ = run_make(mk + ["build-tests", f"KSRC={wk}", f"BDIR={wb}"], log, BUILD_TIMEOUT)
    rebuilt = [l.split()[1] for l in read_lines(log) if re.match(r"^  (CC|TEST-CC) ", l)]
    if tree_differs(wk):
        res["error"] = f"the copy's {tree_differs(wk)} is not the reviewed file"
        save()
        print(f"{PROG}: {res['error']}", file=sys.stderr)
        return 1
    ref_objs = {}
    for f in mfiles:
        for o in depfiles_naming(wb, os.path.join(wk, f)):
            ref_objs[o] = sha_file(o) if os.path.exists(o) else None
    if rc != 0:
        res["error"] = f"the copy of the reviewed build does not build (see {log})"
        save()
        print(f"{PROG}: {res['error']}", file=sys.stderr)
        return 1
    t0 = time.time()
    rc, _ = run_make(mk + ["check", f"KSRC={wk}", f"BDIR={wb}"], log, BUILD_TIMEOUT)
    ref_tests, ref_bins = failures(log)
    rrc, _ = run_make(mk + ["fuzz-replay-one", f"KSRC={wk}", f"BDIR={wb}"], log, BUILD_TIMEOUT)
    ref_secs = time.time() - t0
    timeout = a.timeout or max(30, int(5 * ref_secs))
    res["reference"] = {"failing_tests": ref_tests, "failing_binaries": ref_bins,
                        "replay_ok": rrc == 0, "seconds": round(ref_secs, 1),
                        "recompiled": rebuilt, "timeout": timeout}
    print(f"  MUTANT   reference (the copy, no mutant; {', '.join(rebuilt) or 'nothing'} "
          f"compiled again): {len(ref_tests)} tests failing, replay "
          f"{'ok' if rrc == 0 else 'failing'}, {ref_secs:.0f} s; timeout {timeout} s per mutant",
          flush=True)

    counts = {"killed": 0, "survived": 0, "not_compiled": 0, "equivalent": 0, "errors": 0}
    for m in muts:
        t = time.time()
        log = os.path.join(logs, m["patch_file"][:-len(".patch")] + ".log")
        open(log, "w").close()
        wk, wb = prepare(work, a.new, a.bdir)
        target = os.path.join(wk, m["file"])
        os.chmod(target, 0o644)
        p = subprocess.run(["patch", "-p1", "--fuzz=0", "--batch", "--forward",
                            "--no-backup-if-mismatch", "-d", wk,
                            "-i", os.path.abspath(os.path.join(a.out, m["patch_file"]))],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        os.chmod(target, 0o444)
        with open(log, "a", encoding="utf-8") as lf:
            lf.write(p.stdout)
        verdict, by = None, ""
        if p.returncode or sha_file(target) != m["sha256"]:
            verdict, by = "error", "the mutant does not apply to the reviewed file"
        if not verdict:
            rc, _ = run_make(mk + ["build-tests", f"KSRC={wk}", f"BDIR={wb}"], log, BUILD_TIMEOUT)
            if rc == "timeout":
                verdict, by = "error", f"the build took longer than {BUILD_TIMEOUT} s"
            elif rc != 0:
                err = next((l.strip() for l in read_lines(log) if " error: " in l), "see the log")
                verdict, by = "not compiled", re.sub(r"^\S*/ksrc/", "", err)
            elif tree_differs(wk, m["file"], m["sha256"]):
                verdict, by = "error", f"{tree_differs(wk, m['file'], m['sha256'])} in the " \
                    "copy is not the reviewed file (or the mutant) after the build"
            else:
                stale = [o for o in depfiles_naming(wb, target)
                         if not os.path.exists(o) or os.path.getmtime(o) < os.path.getmtime(target)]
                objs = depfiles_naming(wb, target)
                if stale or not objs:
                    verdict, by = "error", "the mutated file was not compiled"
                elif all(ref_objs.get(o) == sha_file(o) for o in objs):
                    verdict, by = "equivalent", "it compiles to the same objects as without it"
        if not verdict:
            rc, _ = run_make(mk + ["check", f"KSRC={wk}", f"BDIR={wb}"], log, timeout)
            tests, bins = failures(log)
            new_t = [x for x in tests if x not in ref_tests]
            # a suite binary that failed with the patches counts when it
            # now crashes (a signal: the tests after the crash never ran)
            new_b = [f"{b} (exit {c})" for b, c in bins.items()
                     if b not in ref_bins or (c >= 128 and ref_bins[b] < 128)]
            # tests failing with the patches that pass with this mutant
            m["fixes"] = [x for x in ref_tests if x not in tests] if rc != "timeout" else []
            if rc == "timeout":
                verdict, by = "killed", f"timeout ({timeout} s) in the suites"
            elif new_t or new_b:
                verdict, by = "killed", (new_t or new_b)[0]
            elif rc != 0 and not (ref_tests or ref_bins):
                verdict, by = "killed", "make check failed"
        if not verdict:
            rc, _ = run_make(mk + ["fuzz-replay-one", f"KSRC={wk}", f"BDIR={wb}"], log, timeout)
            if rc == "timeout":
                verdict, by = "killed", f"timeout ({timeout} s) in the corpus replay"
            elif rc != 0 and rrc == 0:
                why = next((l.strip() for l in read_lines(log) if re.search(
                    r"sockmap-sim: (oracle|ledger|accounting|invariant)|ERROR: \w+Sanitizer|runtime error", l)),
                    "it fails")
                verdict, by = "killed", "the corpus replay: " + why[:120]
            else:
                verdict = "survived"
        m["verdict"], m["by"], m["seconds"] = verdict, by, round(time.time() - t, 1)
        counts[{"error": "errors"}.get(verdict, verdict.replace(" ", "_"))] += 1
        save()
        print(f"  MUTANT   {m['id']}/{len(muts)} {m['file']}:{m['line']} {m['op']}: "
              f"{verdict.upper() if verdict == 'survived' else verdict}{': ' + by if by else ''} "
              f"[{m['seconds']:.0f} s]", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    compiled = counts["killed"] + counts["survived"]
    res.update(counts)
    res["compiled"] = compiled
    res["seconds"] = round(time.time() - t_all, 1)
    res["rate"] = f"{counts['killed']}/{compiled}" if compiled else "-"
    save()
    print(f"  MUTANTS  killed {counts['killed']}/{compiled} compiled, {counts['survived']} survived, "
          f"{counts['not_compiled']} not compiled, {counts['equivalent']} equivalent, "
          f"{counts['errors']} errors, in {res['seconds']:.0f} s",
          flush=True)
    return 0


# ---- selftest --------------------------------------------------------------

def describe(m):
    after = m["after"].replace("\n", " | ")
    return f"{m['file']}:{m['line']}: {m['op']}: {after.strip()}"


def selftest(fixtures):
    base = os.path.join(fixtures, "base")
    new = os.path.join(fixtures, "new")
    files = allow_list(os.path.join(fixtures, "files.txt"))
    expected = [l for l in read_lines(os.path.join(fixtures, "expected.txt"))
                if l and not l.startswith("#")]
    bad = 0

    def check(cond, what):
        nonlocal bad
        if not cond:
            bad += 1
            print(f"{PROG}: selftest: {what}", file=sys.stderr)

    muts, stats = generate(base, new, files, 1000)
    got = [describe(m) for m in muts]
    if got != expected:
        for g in got:
            if g not in expected:
                print(f"  unexpected: {g}", file=sys.stderr)
        for e in expected:
            if e not in got:
                print(f"  missing:    {e}", file=sys.stderr)
    check(got == expected, f"the mutants differ from {fixtures}/expected.txt (above)")
    again, _ = generate(base, new, files, 1000)
    check([describe(m) for m in again] == got and
          [m["patch"] for m in again] == [m["patch"] for m in muts], "two runs differ")
    # no mutant on a comment, a blank or a preprocessor line
    for f in files:
        lines = read_lines(os.path.join(new, f))
        for m in muts:
            if m["file"] != f:
                continue
            t = lines[m["line"] - 1].strip()
            check(t and not t.startswith(("/*", "*", "//", "#")),
                  f"a mutant on a line that is no code: {f}:{m['line']}: {t}")
    check(stats["no_operator"] != [], "no code line without an operator reported")
    # a mutant that gives the same file as one before it is dropped: the
    # file given twice, every mutant of the second time is one
    _, st2 = generate(base, new, files + files[:1], 1000)
    n1 = sum(1 for m in muts if m["file"] == files[0])
    check(st2["identical"] == stats["identical"] + n1,
          f"{st2['identical'] - stats['identical']} identical mutants dropped, not {n1}")
    # every patch applies with patch(1) and gives the file hashed
    with tempfile.TemporaryDirectory() as tmp:
        for m in muts:
            d = os.path.join(tmp, str(m["id"]))
            shutil.copytree(new, d)
            p = subprocess.run(["patch", "-p1", "--fuzz=0", "--batch", "--forward", "-s", "-d", d],
                               input=m["patch"], universal_newlines=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            check(p.returncode == 0 and sha_file(os.path.join(d, m["file"])) == m["sha256"],
                  f"mutant {describe(m)} does not apply with patch: {p.stdout.strip()}")
    # the choice: every line once before any line twice, spread, stable
    lines_all = sorted({(m["file"], m["line"]) for m in muts})
    for n in (3, len(lines_all), len(lines_all) + 2):
        small, _ = generate(base, new, files, n)
        again, _ = generate(base, new, files, n)
        check([describe(m) for m in small] == [describe(m) for m in again],
              f"choice of {n} differs between runs")
        lines_n = [(m["file"], m["line"]) for m in small]
        check(len(small) == min(n, len(muts)), f"choice of {n} gives {len(small)}")
        if n <= len(lines_all):
            check(len(set(lines_n)) == n, f"choice of {n} mutates a line twice")
        else:
            check(set(lines_n) == set(lines_all), f"choice of {n} leaves a line out")
        if n == 3:
            check(lines_n[0] != lines_all[0] or lines_n[-1] != lines_all[2],
                  "choice of 3 is not spread over the lines")
    if bad:
        print(f"{PROG}: selftest: {bad} failed", file=sys.stderr)
        return 1
    print(f"  MUTANTS  selftest: {len(muts)} mutants of {stats['code_lines']} added code lines "
          f"as expected, {len(stats['no_operator'])} without an operator, "
          f"{stats['identical']} identical dropped; patches apply; choice stable")
    return 0


def main():
    argv = sys.argv[1:]
    mk = []
    if "--" in argv:
        k = argv.index("--")
        argv, mk = argv[:k], argv[k + 1:]
    ap = argparse.ArgumentParser(prog="mutants.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("gen", "run"):
        p = sub.add_parser(name)
        p.add_argument("--base", required=True)
        p.add_argument("--new", required=True)
        p.add_argument("--files", required=True)
        p.add_argument("--max", type=int, default=30)
        p.add_argument("--out", required=True)
        if name == "run":
            p.add_argument("--bdir", required=True)
            p.add_argument("--timeout", type=int, default=0)
    p = sub.add_parser("selftest")
    p.add_argument("--fixtures", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "mutants-selftest"))
    a = ap.parse_args(argv)
    if a.cmd == "selftest":
        return selftest(a.fixtures)
    for d in (a.new,) + ((a.bdir,) if a.cmd == "run" else ()):
        if not os.path.isdir(d):
            die(f"{d} does not exist (the reviewed build)")
    if a.max < 0:
        die(f"REVIEW_MUTANTS={a.max} is not a number of mutants")
    if a.cmd == "gen":
        muts, stats = generate(a.base, a.new, allow_list(a.files), a.max)
        write_mutants(a.out, muts, stats)
        with open(os.path.join(a.out, "mutants.json"), "w", encoding="utf-8") as f:
            json.dump({"generated": len(muts), "stats": stats, "mutants": muts}, f, indent=1)
        for m in muts:
            print(describe(m))
        return 0
    if not mk:
        die("run: no make command after --")
    return run(a, mk)


if __name__ == "__main__":
    sys.exit(main())
