#!/usr/bin/env python3
"""Deterministic generator of monorepo-sized benchmark inputs for prcov (stdlib only).

Everything is scaled from REAL coverage: zlib (vendored by the libz-sys crate) built with
`gcc --coverage`, driven by bench/seed/driver.c, captured with `lcov --checksum` (see run.sh).
Each generated source file is a sequence of real zlib functions (their source text, their DA/BRDA
records and checksums), with per-file test intensity (a log-normal factor on hit counts), untested
files and uncalled functions, so hit distributions, branch shapes and checksums are those of a
real C program, only more of it.

Subcommands (all write into OUT, default bench/out):
  lcov   --files N --name F      LCOV (lcov 1.16 layout, absolute paths, checksums on part of the files)
  cobertura --files N --name F   gcovr-8-shaped Cobertura (<methods> repeating the class lines)
  repo   --files N               git repository: main and pr branches, pr changes ~608 files
  junit  --cases N --name F      JUnit XML with failures, errors, skips and reruns
  junit-preset --dialect D       JUnit as surefire-logs, pytest, jest or nextest write it
  cobertura-preset --dialect D   Cobertura as coverage.py (coveragepy), cobertura-maven, coverlet
  lcov-preset --dialect D        LCOV with DA only (lines), checksums on every line, lcov 2 records
  presets                        the named presets (name, job, file) bench.py runs
  preset NAME                    writes the input of one preset

The same --files and --seed always give byte-identical output. File i is the same in every size,
so S is a prefix of M, and M of L.
"""

import argparse
import hashlib
import math
import os
import random
import subprocess
import sys

SEED = 20261125
# Files with line checksums (DA:n,c,md5). lcov writes them for the whole capture with --checksum;
# a monorepo merges captures of many jobs, only some made with --checksum.
CHECKSUM_SHARE = 0.30
UNTESTED_FILE_SHARE = 0.10
UNCALLED_FUNCTION_SHARE = 0.18
MEAN_LINES_PER_FILE = 241  # 2.8 M instrumented lines over 11,600 files
PR_FILES = 608
PR_ADDED_LINES = 40_000


# ---------------------------------------------------------------- the real seed

class Chunk:
    """One real function: its source text and its coverage records, lines relative to its start."""

    __slots__ = ("name", "src", "da", "brda", "fnda", "branchy")

    def __init__(self, name, src, da, brda, fnda):
        self.name = name
        self.src = src  # list of source lines (without newline)
        self.da = da  # [(rel_line, count, checksum)]
        self.brda = brda  # [(rel_line, block, branch, taken or None)]
        self.fnda = fnda
        self.branchy = len(brda) / max(1, len(da))


def load_seed(info_path, src_dir):
    files = {}
    cur = None
    with open(info_path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("SF:"):
                cur = {"fn": [], "fnda": {}, "da": [], "brda": []}
                files[os.path.basename(line[3:])] = cur
            elif line.startswith("FN:"):
                n, name = line[3:].split(",", 1)
                cur["fn"].append((int(n), name))
            elif line.startswith("FNDA:"):
                c, name = line[5:].split(",", 1)
                cur["fnda"][name] = int(c)
            elif line.startswith("DA:"):
                parts = line[3:].split(",")
                cur["da"].append((int(parts[0]), int(parts[1]), parts[2] if len(parts) > 2 else ""))
            elif line.startswith("BRDA:"):
                n, b, br, t = line[5:].split(",")
                cur["brda"].append((int(n), int(b), int(br), None if t == "-" else int(t)))
    chunks = []
    for base, rec in sorted(files.items()):
        with open(os.path.join(src_dir, base), encoding="utf-8", errors="replace") as f:
            src = f.read().split("\n")
        fns = sorted(rec["fn"])
        for i, (start, name) in enumerate(fns):
            end = fns[i + 1][0] - 1 if i + 1 < len(fns) else len(src)
            # Stop a function's text at the last line its records touch (plus the closing brace).
            last = max([n for n, _, _ in rec["da"] if start <= n <= end] or [start])
            end = min(end, last + 1)
            da = [(n - start, c, s) for n, c, s in rec["da"] if start <= n <= end]
            brda = [(n - start, b, br, t) for n, b, br, t in rec["brda"] if start <= n <= end]
            if not da:
                continue
            chunks.append(Chunk(name, src[start - 1:end], da, brda, rec["fnda"].get(name, 0)))
    return chunks


# ---------------------------------------------------------------- the monorepo model

def repo_path(i):
    """Repo-relative path of file i: services/<svc>/<module>/<name>.c, 40 × 10 × ~29."""
    svc = i % 40
    mod = (i // 40) % 10
    return f"services/svc{svc:02d}/src/mod{mod}/unit{i:06d}.c"


HEADER = [
    "/* Copyright (c) the monorepo authors. Generated for the prcov benchmark from zlib,",
    " * Copyright (C) 1995-2024 Jean-loup Gailly and Mark Adler (zlib license). */",
    "#include \"zutil.h\"",
    "",
]


def build_file(chunks, weights, i, seed):
    """The head version of file i: header, then real functions until the line target is met."""
    rng = random.Random(seed * 1_000_003 + i)
    target = max(20, int(rng.lognormvariate(math.log(MEAN_LINES_PER_FILE * 0.83) - 0.18, 0.6)))
    parts = []
    n_da = 0
    while n_da < target:
        c = rng.choices(chunks, weights)[0]
        parts.append(c)
        n_da += len(c.da)
    untested = rng.random() < UNTESTED_FILE_SHARE
    intensity = rng.lognormvariate(-1.0, 1.6)
    checksums = rng.random() < CHECKSUM_SHARE
    uncalled = [untested or rng.random() < UNCALLED_FUNCTION_SHARE for _ in parts]
    return {"parts": parts, "intensity": intensity, "uncalled": uncalled, "checksums": checksums}


def scale(count, f):
    if count == 0:
        return 0
    return max(1, int(count * f))


def file_records(model, drop=()):
    """Source text and coverage records of a file, with the chunks in `drop` left out (base versions)."""
    src = list(HEADER)
    fns, da, brda = [], [], []
    names = {}
    f = model["intensity"]
    for k, (c, uncalled) in enumerate(zip(model["parts"], model["uncalled"])):
        if k in drop:
            continue
        off = len(src) + 1
        src.extend(c.src)
        src.append("")
        seen = names.get(c.name, 0)
        names[c.name] = seen + 1
        name = c.name if seen == 0 else f"{c.name}_{seen + 1}"
        fns.append((off, name, 0 if uncalled else scale(c.fnda, f)))
        for n, cnt, s in c.da:
            da.append((off + n, 0 if uncalled else scale(cnt, f), s))
        for n, b, br, t in c.brda:
            if uncalled or t is None:
                brda.append((off + n, b, br, None if uncalled or t is None else 0))
            else:
                brda.append((off + n, b, br, scale(t, f) if t else 0))
    return src, fns, da, brda


# ---------------------------------------------------------------- writers

def write_lcov(out, chunks, weights, nfiles, root, seed):
    w = out.write
    for i in range(nfiles):
        m = build_file(chunks, weights, i, seed)
        _, fns, da, brda = file_records(m)
        buf = ["TN:\n", f"SF:{root}/{repo_path(i)}\n"]
        for line, name, _ in fns:
            buf.append(f"FN:{line},{name}\n")
        for _, name, c in fns:
            buf.append(f"FNDA:{c},{name}\n")
        buf.append(f"FNF:{len(fns)}\nFNH:{sum(1 for f in fns if f[2])}\n")
        for n, b, br, t in brda:
            buf.append(f"BRDA:{n},{b},{br},{'-' if t is None else t}\n")
        buf.append(f"BRF:{len(brda)}\nBRH:{sum(1 for x in brda if x[3])}\n")
        if m["checksums"]:
            for n, c, s in da:
                buf.append(f"DA:{n},{c},{s}\n")
        else:
            for n, c, _ in da:
                buf.append(f"DA:{n},{c}\n")
        buf.append(f"LF:{len(da)}\nLH:{sum(1 for x in da if x[1])}\nend_of_record\n")
        w("".join(buf))


def line_xml(n, hits, branches, indent):
    """One gcovr <line> element (pretty-printed), with its <conditions> when it has branches."""
    if not branches:
        return f'{indent}<line number="{n}" hits="{hits}" branch="false"/>\n'
    total = len(branches)
    cov = sum(1 for t in branches if t)
    pct = cov * 100 // total
    return (
        f'{indent}<line number="{n}" hits="{hits}" branch="true" condition-coverage="{pct}% ({cov}/{total})">\n'
        f"{indent}  <conditions>\n"
        f'{indent}    <condition number="0" type="jump" coverage="{pct}%"/>\n'
        f"{indent}  </conditions>\n"
        f"{indent}</line>\n"
    )


def rate(a, b):
    return repr(a / b) if b else "1.0"


def write_cobertura(out, chunks, weights, nfiles, root, seed):
    # Totals go on the root element, so they are computed in a first pass (cheap: no text built).
    totals = [0, 0, 0, 0]
    for i in range(nfiles):
        _, _, da, brda = file_records(build_file(chunks, weights, i, seed))
        totals[0] += len(da)
        totals[1] += sum(1 for x in da if x[1])
        totals[2] += len(brda)
        totals[3] += sum(1 for x in brda if x[3])
    w = out.write
    w("<?xml version='1.0' encoding='utf-8'?>\n")
    w("<!DOCTYPE coverage SYSTEM 'https://github.com/cobertura/cobertura/blob/e5eea8679ebce047ec6ccdfdbf6cf2c14b376875/cobertura/src/site/htdocs/xml/coverage-04.dtd'>\n")
    w(f'<coverage line-rate="{rate(totals[1], totals[0])}" branch-rate="{rate(totals[3], totals[2])}" '
      f'lines-covered="{totals[1]}" lines-valid="{totals[0]}" branches-covered="{totals[3]}" '
      f'branches-valid="{totals[2]}" complexity="0.0" timestamp="1795646535" version="gcovr 8.8">\n')
    w(f"  <sources>\n    <source>{root}</source>\n  </sources>\n  <packages>\n")
    # gcovr makes one package per directory; files of one directory are consecutive in path order.
    by_dir = {}
    for i in range(nfiles):
        by_dir.setdefault(os.path.dirname(repo_path(i)), []).append(i)
    for d in sorted(by_dir):
        classes = []
        pl = [0, 0, 0, 0]
        for i in sorted(by_dir[d], key=repo_path):
            m = build_file(chunks, weights, i, seed)
            _, fns, da, brda = file_records(m)
            br_by_line = {}
            for n, _, _, t in brda:
                br_by_line.setdefault(n, []).append(bool(t))
            lc = sum(1 for x in da if x[1])
            bc = sum(1 for x in brda if x[3])
            pl[0] += len(da); pl[1] += lc; pl[2] += len(brda); pl[3] += bc
            path = repo_path(i)
            buf = [f'        <class name="{os.path.basename(path).replace(".", "_")}" filename="{path}" '
                   f'line-rate="{rate(lc, len(da))}" branch-rate="{rate(bc, len(brda))}" complexity="0.0">\n'
                   "          <methods>\n"]
            starts = [f[0] for f in fns] + [10**9]
            for k, (start, name, _) in enumerate(fns):
                mda = [x for x in da if start <= x[0] < starts[k + 1]]
                mbr = [t for n, _, _, t in brda if start <= n < starts[k + 1]]
                buf.append(f'            <method name="{name}" signature="" '
                           f'line-rate="{rate(sum(1 for x in mda if x[1]), len(mda))}" '
                           f'branch-rate="{rate(sum(1 for t in mbr if t), len(mbr))}" complexity="0.0">\n'
                           "              <lines>\n")
                for n, c, _ in mda:
                    buf.append(line_xml(n, c, br_by_line.get(n), "                "))
                buf.append("              </lines>\n            </method>\n")
            buf.append("          </methods>\n          <lines>\n")
            for n, c, _ in da:
                buf.append(line_xml(n, c, br_by_line.get(n), "            "))
            buf.append("          </lines>\n        </class>\n")
            classes.append("".join(buf))
        w(f'    <package name="{d.replace("/", ".")}" line-rate="{rate(pl[1], pl[0])}" '
          f'branch-rate="{rate(pl[3], pl[2])}" complexity="0.0">\n      <classes>\n')
        for c in classes:
            w(c)
        w("      </classes>\n    </package>\n")
    w("  </packages>\n</coverage>\n")


# ---------------------------------------------------------------- Cobertura presets: other writers

def cobertura_line(dialect, n, hits, branches, indent):
    """One <line> as `dialect` writes it; `branches` is the list of taken flags or None."""
    if dialect == "coveragepy":
        return f'{indent}<line number="{n}" hits="{hits}"/>\n'
    true_, false_ = ("True", "False") if dialect == "coverlet" else ("true", "false")
    close = " />" if dialect == "coverlet" else "/>"
    if not branches:
        return f'{indent}<line number="{n}" hits="{hits}" branch="{false_}"{close}\n'
    total = len(branches)
    cov = sum(1 for t in branches if t)
    pct = cov * 100 // total
    if dialect == "maven":
        # One <condition> per decision: a jump for two-way branches, a switch for more.
        kind = "jump" if total == 2 else "switch"
        conds = f'{indent}    <condition number="0" type="{kind}" coverage="{pct}%"/>\n'
    else:  # coverlet: one condition per branch offset
        conds = "".join(f'{indent}    <condition number="{17 + 5 * k}" type="jump" coverage="{100 if t else 0}%" />\n'
                        for k, t in enumerate(branches))
    return (f'{indent}<line number="{n}" hits="{hits}" branch="{true_}" condition-coverage="{pct}% ({cov}/{total})">\n'
            f"{indent}  <conditions>\n{conds}{indent}  </conditions>\n{indent}</line>\n")


def write_cobertura_dialect(out, dialect, chunks, weights, nfiles, root, seed):
    """Cobertura as coverage.py (line-only: no branch attributes, empty <methods/>, tabs),
    cobertura-maven (Java: a class per function group, inner classes sharing the file, <methods>
    with their own <lines>, <conditions>) or coverlet (C#: `True`/`False`, one <condition> per
    branch, compiler-generated classes sharing the file) writes it, for the same monorepo."""
    ext = {"coveragepy": ".py", "maven": ".java", "coverlet": ".cs"}[dialect]
    w = out.write
    w('<?xml version="1.0" ?>\n' if dialect == "coveragepy" else '<?xml version="1.0" encoding="utf-8"?>\n')
    w(f'<coverage line-rate="0.5" branch-rate="0" lines-covered="0" lines-valid="0" branches-covered="0" '
      f'branches-valid="0" complexity="0" version="{ {"coveragepy": "7.6.1", "maven": "2.1.1", "coverlet": "1.9"}[dialect] }" timestamp="1795646535">\n')
    w(f"\t<sources>\n\t\t<source>{root}</source>\n\t</sources>\n\t<packages>\n")
    by_dir = {}
    for i in range(nfiles):
        by_dir.setdefault(os.path.dirname(repo_path(i)), []).append(i)
    for d in sorted(by_dir):
        w(f'\t\t<package name="{d.replace("/", ".")}" line-rate="0.5" branch-rate="0" complexity="0">\n\t\t\t<classes>\n')
        for i in sorted(by_dir[d], key=repo_path):
            m = build_file(chunks, weights, i, seed)
            _, fns, da, brda = file_records(m)
            path = repo_path(i)[:-2] + ext
            base = os.path.basename(path)[:-len(ext)]
            br_by_line = {}
            if dialect != "coveragepy":
                for n, _, _, t in brda:
                    br_by_line.setdefault(n, []).append(bool(t))
            if dialect == "coveragepy":
                w(f'\t\t\t\t<class name="{os.path.basename(path)}" filename="{path}" complexity="0" line-rate="0.5" branch-rate="0">\n'
                  "\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n")
                for n, c, _ in da:
                    w(f'\t\t\t\t\t\t<line number="{n}" hits="{c}"/>\n')
                w("\t\t\t\t\t</lines>\n\t\t\t\t</class>\n")
                continue
            # Functions in groups of three per class: the first group is the outer class, the
            # others inner (Java `Outer$Inner`) or compiler-generated (C# `Outer/<M>d__3`) classes.
            starts = [f[0] for f in fns] + [10**9]
            groups = [list(range(g, min(g + 3, len(fns)))) for g in range(0, len(fns), 3)]
            for gi, group in enumerate(groups):
                if gi == 0:
                    cname = f"com.example.{d.replace('/', '.')}.{base}" if dialect == "maven" else f"Mono.{base}"
                elif dialect == "maven":
                    cname = f"com.example.{d.replace('/', '.')}.{base}$Inner{gi}"
                else:
                    cname = f"Mono.{base}/&lt;{fns[group[0]][1]}&gt;d__{gi}"
                w(f'\t\t\t\t<class name="{cname}" filename="{path}" line-rate="0.5" branch-rate="0.5" complexity="3">\n'
                  "\t\t\t\t\t<methods>\n")
                class_lines = []
                for k in group:
                    start, name, _ = fns[k]
                    mda = [x for x in da if start <= x[0] < starts[k + 1]]
                    sig = "(Ljava/lang/String;I)V" if dialect == "maven" else "(System.String,System.Int32)"
                    w(f'\t\t\t\t\t\t<method name="{name}" signature="{sig}" line-rate="0.5" branch-rate="0.5" complexity="2">\n'
                      "\t\t\t\t\t\t\t<lines>\n")
                    for n, c, _ in mda:
                        w(cobertura_line(dialect, n, c, br_by_line.get(n), "\t\t\t\t\t\t\t\t"))
                    w("\t\t\t\t\t\t\t</lines>\n\t\t\t\t\t\t</method>\n")
                    class_lines.extend(mda)
                w("\t\t\t\t\t</methods>\n\t\t\t\t\t<lines>\n")
                for n, c, _ in class_lines:
                    w(cobertura_line(dialect, n, c, br_by_line.get(n), "\t\t\t\t\t\t"))
                w("\t\t\t\t\t</lines>\n\t\t\t\t</class>\n")
        w("\t\t\t</classes>\n\t\t</package>\n")
    w("\t</packages>\n</coverage>\n")


# ---------------------------------------------------------------- LCOV presets: other writers

def write_lcov_dialect(out, dialect, chunks, weights, nfiles, root, seed):
    """LCOV as other tools write it, for the same monorepo: `lines` (DA only, as coverage.py,
    c8 or cargo-llvm-cov without branches write it: no FN/FNDA/BRDA), `checksums` (every DA with
    an md5, lcov --checksum on the whole capture), `lcov2` (lcov 2.x: VER, FNL/FNA, FN with end
    lines, BRDA with expression names, relative paths)."""
    w = out.write
    for i in range(nfiles):
        m = build_file(chunks, weights, i, seed)
        _, fns, da, brda = file_records(m)
        path = f"{root}/{repo_path(i)}" if dialect != "lcov2" else repo_path(i)
        buf = ["TN:\n", f"SF:{path}\n"]
        if dialect == "lcov2":
            buf.append(f"VER:{hashlib.md5(path.encode()).hexdigest()[:12]}\n")
            ends = [f[0] for f in fns[1:]] + [da[-1][0] if da else 1]
            for k, (line, name, c) in enumerate(fns):
                buf.append(f"FNL:{k},{line},{max(line, ends[k] - 1)}\nFNA:{k},{c},{name}\n")
            buf.append(f"FNF:{len(fns)}\nFNH:{sum(1 for f in fns if f[2])}\n")
            for n, b, br, t in brda:
                expr = f"e{b}" if b % 3 == 0 else str(b)
                buf.append(f"BRDA:{n},{expr},{br},{'-' if t is None else t}\n")
            buf.append(f"BRF:{len(brda)}\nBRH:{sum(1 for x in brda if x[3])}\n")
        if dialect == "checksums":
            for n, c, s in da:
                buf.append(f"DA:{n},{c},{s or hashlib.md5(str(n).encode()).hexdigest()}\n")
        else:
            for n, c, _ in da:
                buf.append(f"DA:{n},{c}\n")
        buf.append(f"LF:{len(da)}\nLH:{sum(1 for x in da if x[1])}\nend_of_record\n")
        w("".join(buf))


# ---------------------------------------------------------------- git repository

def pr_plan(chunks, weights, nfiles, seed):
    """Which files the PR touches and how. Returns {i: ('modified'|'added'|'renamed', drop)}."""
    rng = random.Random(seed + 7)
    touched = rng.sample(range(nfiles), min(PR_FILES, nfiles))
    plan = {}
    per_file = PR_ADDED_LINES / max(1, len(touched))
    for j, i in enumerate(touched):
        if j % 50 == 0:
            plan[i] = ("added", None)
            continue
        m = build_file(chunks, weights, i, seed)
        parts = m["parts"]
        # Drop functions from the base version until about `per_file` source lines were added.
        want = rng.expovariate(1 / (per_file * 0.6))
        order = list(range(len(parts)))
        rng.shuffle(order)
        drop, got = set(), 0
        for k in order[:-1]:
            size = len(parts[k].src) + 1
            if drop and got + size > want:
                continue
            drop.add(k)
            got += size
        plan[i] = ("renamed" if j % 50 == 25 else "modified", drop)
    return plan


def fast_import_stream(chunks, weights, nfiles, seed, plan, emit):
    def blob(text):
        data = text.encode("utf-8")
        emit(b"blob\ndata %d\n" % len(data) + data + b"\n")

    def commit(ref, msg, ts, files, mark, parent=None, deletes=()):
        m = msg.encode()
        head = (f"commit {ref}\nmark :{mark}\nauthor Bench <bench@example.com> {ts} +0000\n"
                f"committer Bench <bench@example.com> {ts} +0000\n").encode()
        emit(head + b"data %d\n" % len(m) + m + b"\n")
        if parent:
            emit(f"from {parent}\n".encode())
        for p in deletes:
            emit(f"D {p}\n".encode())
        for p, text in files:
            data = text.encode("utf-8")
            emit(f"M 100644 inline {p}\n".encode() + b"data %d\n" % len(data) + data + b"\n")
        emit(b"\n")

    def text_of(i, drop=()):
        src, _, _, _ = file_records(build_file(chunks, weights, i, seed), drop)
        return "\n".join(src) + "\n"

    def old_path(i):
        return repo_path(i).replace("/unit", "/old_unit")

    base_files = []
    for i in range(nfiles):
        kind, drop = plan.get(i, ("same", None))
        if kind == "added":
            continue
        path = old_path(i) if kind == "renamed" else repo_path(i)
        base_files.append((path, text_of(i, drop or ())))
    base_files.append(("README.md", "# bench monorepo\n"))
    commit("refs/heads/main", "base", 1_700_000_000, base_files, 1)
    # main moves on after the PR branched: the PR diff must use the merge-base, not main's tip.
    rng = random.Random(seed + 11)
    later = [i for i in rng.sample(range(nfiles), min(40, nfiles)) if i not in plan]
    commit("refs/heads/main", "main moves on", 1_700_000_100,
           [(repo_path(i), text_of(i) + "/* touched on main */\n") for i in later], 2)
    pr_files, deletes = [], []
    for i, (kind, drop) in sorted(plan.items()):
        if kind == "renamed":
            deletes.append(old_path(i))
        pr_files.append((repo_path(i), text_of(i)))
    commit("refs/heads/pr", "the pull request", 1_700_000_200, pr_files, 3,
           parent=":1", deletes=deletes)


def make_repo(chunks, weights, nfiles, seed, repo):
    if os.path.exists(repo):
        sys.exit(f"{repo} exists; remove it first")
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    plan = pr_plan(chunks, weights, nfiles, seed)
    p = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE)
    fast_import_stream(chunks, weights, nfiles, seed, plan, p.stdin.write)
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "pr"], cwd=repo, check=True)


# ---------------------------------------------------------------- JUnit

STACK = "".join(
    f"    at com.example.mono.svc{k:02d}.Handler{k}.process(Handler{k}.java:{100 + 7 * k})\n"
    for k in range(14)
)


def write_junit(out, ncases, seed):
    """Surefire-shaped JUnit: suites of ~200 cases; 3% failed, 0.5% errors, 4% skipped,
    1.5% flaky (flakyFailure then pass), 0.5% failing every rerun (rerunFailure)."""
    rng = random.Random(seed + 13)
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
    per_suite = 200
    left, s = ncases, 0
    while left > 0:
        n = min(per_suite, left)
        left -= n
        cases = []
        counts = [0, 0, 0]
        for k in range(n):
            cls = f"com.example.mono.svc{s % 40:02d}.Module{s}Test"
            t = rng.expovariate(1 / 0.05)
            head = (f'    <testcase name="test_{k}_handles_case_{rng.randrange(10**6)}" classname="{cls}" '
                    f'time="{t:.3f}" file="services/svc{s % 40:02d}/src/Module{s}Test.java" line="{20 + 9 * k}"')
            r = rng.random()
            if r < 0.03:
                counts[0] += 1
                cases.append(f'{head}>\n      <failure message="expected:&lt;{k}&gt; but was:&lt;{k + 1}&gt;" '
                             f'type="org.opentest4j.AssertionFailedError">org.opentest4j.AssertionFailedError: '
                             f'expected: &lt;{k}&gt; but was: &lt;{k + 1}&gt;\n{STACK}</failure>\n'
                             f'      <system-out>request id {rng.randrange(10**9)} took {t:.3f}s</system-out>\n'
                             "    </testcase>\n")
            elif r < 0.035:
                counts[1] += 1
                cases.append(f'{head}>\n      <error message="connection refused" type="java.net.ConnectException">'
                             f'java.net.ConnectException: connection refused\n{STACK}</error>\n    </testcase>\n')
            elif r < 0.075:
                counts[2] += 1
                if r < 0.055:
                    cases.append(f'{head}>\n      <skipped message="requires docker"/>\n    </testcase>\n')
                else:
                    cases.append(f"{head}>\n      <skipped/>\n    </testcase>\n")
            elif r < 0.09:
                cases.append(f'{head}>\n      <flakyFailure message="timeout after 5s" type="java.util.concurrent.TimeoutException">'
                             f"<stackTrace>java.util.concurrent.TimeoutException\n{STACK}</stackTrace>"
                             "</flakyFailure>\n    </testcase>\n")
            elif r < 0.095:
                counts[0] += 1
                cases.append(f'{head}>\n      <failure message="still failing" type="java.lang.AssertionError">'
                             f"java.lang.AssertionError: still failing\n{STACK}</failure>\n"
                             f'      <rerunFailure message="still failing" type="java.lang.AssertionError">'
                             f"<stackTrace>java.lang.AssertionError\n{STACK}</stackTrace></rerunFailure>\n"
                             "    </testcase>\n")
            elif rng.random() < 0.55:
                logs = "".join(
                    f"2026-11-25 12:00:{q:02d}.{rng.randrange(1000):03d} INFO  [main] c.e.m.svc{s % 40:02d}.Service - "
                    f"handled request {rng.randrange(10**9)} in {rng.randrange(900)} ms\n"
                    for q in range(rng.randrange(2, 8)))
                cases.append(f"{head}>\n      <system-out><![CDATA[{logs}]]></system-out>\n    </testcase>\n")
            else:
                cases.append(f"{head}/>\n")
        w(f'  <testsuite name="com.example.mono.suite{s}" tests="{n}" failures="{counts[0]}" '
          f'errors="{counts[1]}" skipped="{counts[2]}" time="{n * 0.05:.3f}" timestamp="2026-11-25T12:00:00">\n')
        for c in cases:
            w(c)
        w("  </testsuite>\n")
        s += 1
    w("</testsuites>\n")


# ---------------------------------------------------------------- JUnit presets: other runners

# Names and texts with what real reports carry: parametrised ids with [], quotes (escaped as
# entities in attributes), non-ASCII identifiers and messages.
PARAMS = ["[1-2]", "[empty]", "[&quot;quoted&quot;]", "[a'b]", "[ünïcödé-ß]", "[日本語]", "[x&lt;y]", "[None-0.5]",
          "[case 3 of 12]", "[emoji-✓]"]
PY_TRACE = "".join(
    f'  File "/builds/mono/tests/svc{k:02d}/test_handlers.py", line {40 + 3 * k}, in test_call_{k}\n'
    f"    result = handler.process(request, timeout={k})\n"
    for k in range(10)
)
JS_TRACE = "".join(f"    at Object.&lt;anonymous&gt; (/builds/mono/packages/app{k}/src/handler.test.ts:{10 + k}:{5 + k})\n"
                   for k in range(10))
LONG_STACK = "".join(f"    at org.springframework.mono.layer{k}.Proxy{k}.invoke(Proxy{k}.java:{200 + k})\n"
                     for k in range(30)) + "    ... 42 more\n"
RUST_TRACE = "".join(f"  {k}: mono_svc{k}::handler::process\n             at ./crates/svc{k}/src/handler.rs:{30 + k}:9\n"
                     for k in range(10))


def log_lines(rng, n, tag, plain):
    """`n` application log lines; in plain text `<`/`&` appear escaped (as runners write them)."""
    lt, amp = ("&lt;", "&amp;") if plain else ("<", "&")
    return "".join(
        f"2026-11-25 12:{q % 60:02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d} {tag} "
        f"[worker-{rng.randrange(16)}] c.e.m.Service - handled {lt}request id={rng.randrange(10**9)}> "
        f"user=\"ü{rng.randrange(1000)}\" {amp} {rng.randrange(900)} ms, payload size {rng.randrange(10**6)} bytes\n"
        for q in range(n))


def output_el(rng, el, n, cdata_share, tag):
    if rng.random() < cdata_share:
        return f"<{el}><![CDATA[{log_lines(rng, n, tag, False)}]]></{el}>"
    return f"<{el}>{log_lines(rng, n, tag, True)}</{el}>"


def write_junit_preset(out, dialect, ncases, per_suite, seed):
    """JUnit as `dialect` writes it (surefire-logs, pytest, jest, nextest): attribute sets,
    properties, output, failure bodies and suite sizes of that runner. Counts in the root and
    suite attributes are right (a reader may check them)."""
    rng = random.Random(seed + 17)
    w = out.write
    nsuites = -(-ncases // per_suite)
    root_attrs = {"surefire-logs": "", "pytest": "", "jest": f' name="jest tests" tests="{ncases}"',
                  "nextest": f' name="nextest-run" tests="{ncases}" uuid="1b0c2b9e-6a53-4c55-9b44-7f0e1c1c0d11" timestamp="2026-11-25T12:00:00.000+00:00"'}[dialect]
    w(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites{root_attrs}>\n')
    left, s = ncases, 0
    while left > 0:
        n = min(per_suite, left)
        left -= n
        cases, counts = [], [0, 0, 0]
        for k in range(n):
            r = rng.random()
            t = rng.expovariate(1 / 0.05)
            param = PARAMS[rng.randrange(len(PARAMS))] if rng.random() < 0.3 else ""
            if dialect == "surefire-logs":
                cls = f"com.example.mono.svc{s % 40:02d}.Module{s}Test"
                head = (f'    <testcase name="test_{k}_handles_{rng.randrange(10**6)}{param}" classname="{cls}" '
                        f'time="{t:.3f}"')
                trace = f"org.opentest4j.AssertionFailedError: expected: &lt;{k}&gt; but was: &lt;{k + 1}&gt;\n{STACK}"
                if rng.random() < 0.3:
                    # Long multi-line bodies: wrapped exceptions, each with its frames.
                    trace += "".join(f"Caused by: java.lang.IllegalStateException: layer {q} failed for ü-{k}\n{LONG_STACK}"
                                     for q in range(rng.randrange(1, 4)))
                fail_attrs = f'message="expected: &lt;{k}&gt; but was: &lt;{k + 1}&gt;" type="org.opentest4j.AssertionFailedError"'
            elif dialect == "pytest":
                cls = f"tests.svc{s % 40:02d}.test_module{s % 700}"
                head = (f'    <testcase classname="{cls}" name="test_{k}_handles_{rng.randrange(10**6)}{param}" '
                        f'file="tests/svc{s % 40:02d}/test_module{s % 700}.py" line="{20 + 9 * k}" time="{t:.3f}"')
                trace = f"{PY_TRACE}E       AssertionError: assert {k} == {k + 1}\nE        +  where {k} = len([...])"
                fail_attrs = f'message="AssertionError: assert {k} == {k + 1}"'
            elif dialect == "jest":
                cls = f"Handler{s} › renders"
                head = f'    <testcase classname="{cls} case {k}{param}" name="{cls} case {k}{param}" time="{t:.3f}"'
                trace = f"Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: {k}\nReceived: {k + 1}\n{JS_TRACE}"
                fail_attrs = ""
            else:  # nextest
                cls = f"mono-svc{s % 40:02d}::handler_tests"
                head = f'    <testcase name="handler::tests::case_{k}_{rng.randrange(10**6)}" classname="{cls}" timestamp="2026-11-25T12:00:00.000+00:00" time="{t:.3f}"'
                trace = f"thread 'handler::tests::case_{k}' panicked at crates/svc/src/handler.rs:{k + 1}:5:\nassertion `left == right` failed\n  left: {k}\n right: {k + 1}\nstack backtrace:\n{RUST_TRACE}"
                fail_attrs = 'type="test failure"'
            body = []
            if r < 0.03:
                counts[0] += 1
                if dialect == "nextest" and rng.random() < 0.5:
                    body.append(f'      <rerunFailure {fail_attrs}>{trace}</rerunFailure>\n')
                body.insert(0, f"      <failure{' ' if fail_attrs else ''}{fail_attrs}>{trace}</failure>\n")
                if dialect == "nextest":
                    body.append("      " + output_el(rng, "system-out", 2, 0, "INFO") + "\n")
                    body.append(f"      <system-err>{trace}</system-err>\n")
            elif r < 0.035 and dialect == "jest":
                # jest-junit has no errors: a test that threw is a failure.
                counts[0] += 1
                body.append(f"      <failure>{trace}</failure>\n")
            elif r < 0.035:
                counts[1] += 1
                body.append(f'      <error message="connection refused: ü&quot;db&quot;" type="ConnectionError">'
                            f"{trace}</error>\n")
            elif r < 0.075:
                counts[2] += 1
                msg = {"pytest": ' type="pytest.skip" message="requires docker"'}.get(dialect, ' message="requires docker"')
                body.append(f"      <skipped{msg}>{'tests/conftest.py:12: requires docker' if dialect == 'pytest' else ''}</skipped>\n")
            elif r < 0.085 and dialect == "nextest":
                body.append(f'      <flakyFailure {fail_attrs} timestamp="2026-11-25T12:00:00.000+00:00" time="0.5">'
                            f"<stackTrace>{trace}</stackTrace><system-err>{trace}</system-err></flakyFailure>\n")
            if dialect in ("surefire-logs", "pytest"):
                # ≈9 % of the cases log to stdout (a third in CDATA), ≈2 % to stderr.
                if rng.random() < 0.09:
                    body.append("      " + output_el(rng, "system-out", rng.randrange(4, 34), 0.35, "INFO") + "\n")
                if rng.random() < 0.02:
                    body.append("      " + output_el(rng, "system-err", rng.randrange(2, 20), 0.35, "WARN") + "\n")
                if dialect == "pytest" and rng.random() < 0.05:
                    body.insert(0, '      <properties><property name="owner" value="team-ü"/>'
                                   f'<property name="ticket" value="MONO-{rng.randrange(10**5)}"/></properties>\n')
            if body:
                cases.append(f"{head}>\n{''.join(body)}    </testcase>\n")
            else:
                cases.append(f"{head}/>\n")
        if dialect == "surefire-logs":
            suite = (f'  <testsuite name="com.example.mono.suite{s}" tests="{n}" failures="{counts[0]}" errors="{counts[1]}" '
                     f'skipped="{counts[2]}" time="{n * 0.05:.3f}" timestamp="2026-11-25T12:00:00" hostname="runner-7">\n'
                     '    <properties>\n' + "".join(
                         f'      <property name="{k}" value="{v}"/>\n' for k, v in (
                             ("java.version", "21.0.5"), ("os.name", "Linux"), ("user.dir", "/builds/mono"),
                             ("surefire.test.class.path", "/builds/mono/target/classes:" + ":".join(
                                 f"/root/.m2/repository/org/lib{q}/lib{q}-1.{q}.jar" for q in range(12))),
                             ("file.encoding", "UTF-8"), ("line.separator", "&#10;"))) + "    </properties>\n")
        elif dialect == "pytest":
            suite = (f'  <testsuite name="pytest" errors="{counts[1]}" failures="{counts[0]}" skipped="{counts[2]}" '
                     f'tests="{n}" time="{n * 0.05:.3f}" timestamp="2026-11-25T12:00:00.000000+00:00" hostname="runner-7">\n')
        elif dialect == "jest":
            suite = (f'  <testsuite name="packages/app{s % 90}/src/handler{s}.test.ts" errors="0" failures="{counts[0] + counts[1]}" '
                     f'skipped="{counts[2]}" timestamp="2026-11-25T12:00:00" time="{n * 0.05:.3f}" tests="{n}">\n')
        else:
            suite = (f'  <testsuite name="mono-svc{s % 40:02d}::handler_tests_{s}" tests="{n}" disabled="{counts[2]}" '
                     f'errors="{counts[1]}" failures="{counts[0]}">\n')
        w(suite)
        for c in cases:
            w(c)
        if dialect == "surefire-logs":
            # Suite-level output (what Surefire captures outside the test methods).
            w("    " + output_el(rng, "system-out", rng.randrange(5, 60), 0.35, "INFO") + "\n")
            if rng.random() < 0.3:
                w("    " + output_el(rng, "system-err", rng.randrange(2, 10), 0.35, "WARN") + "\n")
        w("  </testsuite>\n")
        s += 1
    w("</testsuites>\n")


# ---------------------------------------------------------------- presets

# Named input shapes: name -> (job, file in OUT, gen.py arguments). The job says which prcov
# command and peers bench.py runs on it. Sizes: the headline presets at the sizes
# (LCOV ~100 MB, Cobertura ~750 MB, JUnit ~97 MB), the others smaller (stated in README).
PRESETS = {
    "lcov-mono": ("lcov", "mono-M.info", ["lcov", "--files", "11600", "--name", "mono-M.info"]),
    "lcov-lines": ("lcov", "lcov-lines.info", ["lcov-preset", "--dialect", "lines", "--files", "11600", "--name", "lcov-lines.info"]),
    "lcov-checksums": ("lcov", "lcov-checksums.info", ["lcov-preset", "--dialect", "checksums", "--files", "6000", "--name", "lcov-checksums.info"]),
    "lcov-lcov2": ("lcov", "lcov-lcov2.info", ["lcov-preset", "--dialect", "lcov2", "--files", "6000", "--name", "lcov-lcov2.info"]),
    "cobertura-gcovr": ("cobertura", "mono-M.xml", ["cobertura", "--files", "11600", "--name", "mono-M.xml"]),
    "cobertura-coveragepy": ("cobertura", "cob-coveragepy.xml", ["cobertura-preset", "--dialect", "coveragepy", "--files", "11600", "--name", "cob-coveragepy.xml"]),
    "cobertura-maven": ("cobertura", "cob-maven.xml", ["cobertura-preset", "--dialect", "maven", "--files", "3000", "--name", "cob-maven.xml"]),
    "cobertura-coverlet": ("cobertura", "cob-coverlet.xml", ["cobertura-preset", "--dialect", "coverlet", "--files", "2000", "--name", "cob-coverlet.xml"]),
    "diff-lcov": ("diff", "mono-M.info", None),
    "diff-cobertura": ("diff", "mono-M.xml", None),
    "junit-surefire-10k": ("junit", "junit-10k.xml", ["junit", "--cases", "10000", "--name", "junit-10k.xml"]),
    "junit-surefire": ("junit", "junit-200k.xml", ["junit", "--cases", "200000", "--name", "junit-200k.xml"]),
    "junit-logs": ("junit", "junit-logs.xml", ["junit-preset", "--dialect", "surefire-logs", "--cases", "200000", "--per-suite", "200", "--name", "junit-logs.xml"]),
    "junit-pytest": ("junit", "junit-pytest.xml", ["junit-preset", "--dialect", "pytest", "--cases", "100000", "--per-suite", "100000", "--name", "junit-pytest.xml"]),
    "junit-jest": ("junit", "junit-jest.xml", ["junit-preset", "--dialect", "jest", "--cases", "100000", "--per-suite", "4", "--name", "junit-jest.xml"]),
    "junit-nextest": ("junit", "junit-nextest.xml", ["junit-preset", "--dialect", "nextest", "--cases", "100000", "--per-suite", "50", "--name", "junit-nextest.xml"]),
}


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["lcov", "cobertura", "repo", "junit", "junit-preset", "cobertura-preset",
                                     "lcov-preset", "preset", "presets", "stats"])
    ap.add_argument("preset_name", nargs="?", help="preset: the name of the preset to write")
    ap.add_argument("--dialect", default="surefire-logs", help="junit-preset: surefire-logs, pytest, jest, nextest; "
                    "cobertura-preset: coveragepy, maven, coverlet; lcov-preset: lines, checksums, lcov2")
    ap.add_argument("--per-suite", type=int, default=200, help="junit-preset: cases per <testsuite>")
    ap.add_argument("--seed-dir", default=None, help="directory with seed.info and the zlib sources")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    ap.add_argument("--files", type=int, default=11_600)
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument("--name", default=None)
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args()
    if a.what == "presets":
        for name, (job, file, _) in PRESETS.items():
            print(name, job, file)
        return
    if a.what == "preset":
        job, file, args = PRESETS[a.preset_name]
        if args:
            extra = [x for x in ("--out", a.out, "--seed", str(a.seed)) + (("--seed-dir", a.seed_dir) if a.seed_dir else ())]
            subprocess.run([sys.executable, os.path.abspath(__file__)] + args + extra, check=True)
        return
    out = os.path.realpath(a.out)
    os.makedirs(out, exist_ok=True)
    root = os.path.join(out, "repo")
    if a.what == "junit":
        with open(os.path.join(out, a.name), "w", encoding="utf-8") as f:
            write_junit(f, a.cases, a.seed)
        return
    if a.what == "junit-preset":
        with open(os.path.join(out, a.name), "w", encoding="utf-8", buffering=1 << 20) as f:
            write_junit_preset(f, a.dialect, a.cases, a.per_suite, a.seed)
        return
    seed_dir = a.seed_dir or os.path.join(out, "seed")
    chunks = load_seed(os.path.join(seed_dir, "seed.info"), seed_dir)
    # Monorepo code is branchier than zlib on average (the 2.8 M lines carry 3.2 M branches), so
    # branchy functions are drawn more often.
    weights = [0.02 + c.branchy ** 4 for c in chunks]
    if a.what == "stats":
        lines = br = 0
        for i in range(a.files):
            _, _, da, brda = file_records(build_file(chunks, weights, i, a.seed))
            lines += len(da)
            br += len(brda)
        print(f"{a.files} files, {lines} lines, {br} branches, {len(chunks)} seed functions")
    elif a.what == "lcov":
        with open(os.path.join(out, a.name), "w", encoding="utf-8", buffering=1 << 20) as f:
            write_lcov(f, chunks, weights, a.files, root, a.seed)
    elif a.what == "cobertura":
        with open(os.path.join(out, a.name), "w", encoding="utf-8", buffering=1 << 20) as f:
            write_cobertura(f, chunks, weights, a.files, root, a.seed)
    elif a.what == "cobertura-preset":
        with open(os.path.join(out, a.name), "w", encoding="utf-8", buffering=1 << 20) as f:
            write_cobertura_dialect(f, a.dialect, chunks, weights, a.files, root, a.seed)
    elif a.what == "lcov-preset":
        with open(os.path.join(out, a.name), "w", encoding="utf-8", buffering=1 << 20) as f:
            write_lcov_dialect(f, a.dialect, chunks, weights, a.files, root, a.seed)
    elif a.what == "repo":
        make_repo(chunks, weights, a.files, a.seed, root)


if __name__ == "__main__":
    main()
