#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kernel-port/no-shadow.py: no function of the compiled kernel files is
defined again under sim/.

Usage: no-shadow.py KSRC FILES_TXT SIMFILE...
KSRC is the patched tree the objects are compiled from, FILES_TXT
kernel-port/files.txt (the allow-listed kernel files). Every function
those files define (a definition at column 0, kernel style, or a
BPF_CALL_n() helper body) must not be defined in a SIMFILE: a sim/
function of the same name would stand in for the kernel's (a static one
without a link error), and the tests would exercise the shim instead of
the real code. Prints one line per clash and exits 1; "ok" with the
counts otherwise. A self-test (--selftest) proves it can fail.
"""
import os
import re
import sys
import tempfile

PROG = "sockmap-sim: no-shadow"

# "type name(args)" at column 0 (possibly over several lines) followed by
# a body "{" at column 0: the kernel's and the sim's function definitions.
DEF_RE = re.compile(r"^(?![ \t#}/*])[^;{}()=]*?\b(\w+)\s*\(([^;{}]*?)\)\s*\n\{",
                    re.M)
BPF_CALL_RE = re.compile(r"^BPF_CALL_\d\(\s*(\w+)\s*,", re.M)
COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof"}


def definitions(path):
    try:
        src = open(path, encoding="utf-8", errors="replace").read()
    except OSError as e:
        sys.exit(f"{PROG}: cannot read {path}: {e.strerror}")
    src = COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), src)
    names = {}
    for m in DEF_RE.finditer(src):
        # not keywords, not macro invocations at column 0 (IS_ENABLED(),
        # BPF_CALL_n(), DEFINE_...())
        if m.group(1) not in KEYWORDS and not m.group(1).isupper():
            names.setdefault(m.group(1), src.count("\n", 0, m.start(1)) + 1)
    for m in BPF_CALL_RE.finditer(src):
        names.setdefault(m.group(1), src.count("\n", 0, m.start(1)) + 1)
    return names


def kernel_files(files_txt):
    out = []
    for line in open(files_txt):
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def check(ksrc, files, simfiles):
    kdefs = {}
    for rel in files:
        for name, line in definitions(os.path.join(ksrc, rel)).items():
            kdefs.setdefault(name, f"{rel}:{line}")
    clashes = []
    for sf in simfiles:
        for name, line in definitions(sf).items():
            if name in kdefs:
                clashes.append(f"{PROG}: {sf}:{line} defines {name}(), which "
                               f"{kdefs[name]} defines: the tests would run the sim's")
    return kdefs, clashes


def selftest(ksrc, files):
    """A sim file that defines a kernel function must be reported."""
    kdefs, _ = check(ksrc, files, [])
    name = sorted(kdefs)[0]
    with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
        f.write(f"static int\n{name}(void)\n{{\n\treturn 0;\n}}\n")
    try:
        _, clashes = check(ksrc, files, [f.name])
    finally:
        os.unlink(f.name)
    if len(clashes) != 1:
        sys.exit(f"{PROG}: self-test: a sim file defining {name}() was not reported")
    print(f"{PROG}: self-test: ok (a definition of {name}() in sim/ is reported)")


def main(argv):
    args = [a for a in argv if a != "--selftest"]
    if len(args) < 2:
        sys.exit(__doc__.strip().splitlines()[2])
    ksrc, files_txt, simfiles = args[0], args[1], args[2:]
    files = kernel_files(files_txt)
    if "--selftest" in argv:
        selftest(ksrc, files)
    kdefs, clashes = check(ksrc, files, simfiles)
    for c in clashes:
        print(c, file=sys.stderr)
    if clashes:
        sys.exit(1)
    if len(kdefs) < 100:
        sys.exit(f"{PROG}: only {len(kdefs)} kernel functions found in {ksrc}: "
                 "the definition pattern no longer matches the tree")
    print(f"{PROG}: ok: none of the {len(kdefs)} functions of {len(files)} kernel files "
          f"is defined in the {len(simfiles)} sim files")


if __name__ == "__main__":
    main(sys.argv[1:])
