#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""mutants.py - systematic mutation of the reference model (doc/14-bug-zoo.md,
section 14.4).

Makes small mutants of the model's C in ref/ (drop a call to a TLB flush, a
notifier, a lock or unlock, a barrier or a lazy-mode hook; swap two adjacent
statements of a kernel procedure; flip a comparison), builds each in a
private copy of the tree, runs the litmus suite against it and, if the
suite passes, a short run of the kernel fuzz target (libFuzzer, from the
seed corpus, a fixed number of executions and a fixed seed; any finding
kills the mutant, as the unmutated model has none in that run), and lists
the mutants that survive both. A survivor is classified automatically as
far as a program can: "not reached" when the same line replaced by a trap
still passes the suite and the fuzz run; otherwise "reached" (an equivalent
mutant or an oracle gap: chapter 14 classifies those by hand).

Usage: tools/mutants.py [--max N] [--seed S] [--ops drop,swap,flip]
                        [--files GLOB] [--grep TEXT] [--out DIR] [--fuzz-runs N]
Writes DIR/mutants.tsv and DIR/report.md (default build/mutants).
"""
import argparse
import fnmatch
import os
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

# Calls whose loss the oracle must notice: TLB flushes and secondary-TLB
# invalidations, MMU notifiers, locks, barriers, lazy MMU hooks.
DROP = re.compile(
    r"^\s*(flush_tlb_\w+|__flush_tlb_\w+|flush_tlb_batched_pending|"
    r"arch_tlbbatch_\w+|try_to_unmap_flush\w*|tlb_flush_mmu\w*|"
    r"mmu_notifier_\w+|\w*invalidate_secondary_tlbs|iotlb_inv|atc_inv|"
    r"cmd_sync|spin_lock|spin_unlock|mutex_lock|mutex_unlock|"
    r"pte_unmap_unlock|mmap_\w+_lock|mmap_\w+_unlock|"
    r"lazy_mmu_mode_\w+|arch_(enter|leave|flush)_lazy_mmu_mode|"
    r"dsb|isb|smp_\w*mb|barrier|put_page|free_page\w*)\s*\(.*\);\s*$")
STMT = re.compile(r"^(\t+)[a-z_][\w>.\-\[\]]*(\s*=\s*[^=].*|\s*\(.*\));\s*$")
FLIP = [(" < ", " <= "), (" <= ", " < "), (" > ", " >= "), (" >= ", " > "),
        (" == ", " != "), (" != ", " == ")]


def chapter_line(lines, i):
    """The chapter position of ref line i (0-based), from #line directives."""
    for j in range(i, -1, -1):
        m = re.match(r'#line (\d+) "([^"]+)"', lines[j])
        if m:
            return "%s:%d" % (m.group(2), int(m.group(1)) + i - j - 1)
    return "?"


def candidates(path, ops):
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    for i, l in enumerate(lines):
        if "drop" in ops and DROP.match(l):
            out.append(("drop", i, "drop `%s`" % l.strip()))
        if "flip" in ops and re.match(r"^\s*(if|while) \(", l):
            for a, b in FLIP:
                if a in l:
                    out.append(("flip", i, "`%s` -> `%s` in `%s`" % (a.strip(), b.strip(), l.strip())))
                    break
        if ("swap" in ops and "08-kernel-procedures" in path and i + 1 < len(lines)
                and STMT.match(l) and STMT.match(lines[i + 1])
                and STMT.match(l).group(1) == STMT.match(lines[i + 1]).group(1)
                and l.strip() != lines[i + 1].strip()):
            out.append(("swap", i, "swap `%s` / `%s`" % (l.strip(), lines[i + 1].strip())))
    return lines, out


def mutate(lines, op, i, probe=False):
    m = list(lines)
    indent = re.match(r"^\s*", m[i]).group(0)
    if probe:  # is line i reached at all? (braces: it may be an if's body)
        if op == "flip":
            m[i] = indent + "__builtin_trap();\n" + m[i]
        else:
            m[i] = indent + "{ __builtin_trap(); " + m[i].strip() + " }"
        return m
    if op == "drop":
        m[i] = indent + ";"
    elif op == "flip":
        for a, b in FLIP:
            if a in m[i]:
                m[i] = m[i].replace(a, b, 1)
                break
    elif op == "swap":
        m[i], m[i + 1] = m[i + 1], m[i]
    return m


def run(cmd, cwd, timeout):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, text=True)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired:
        return None, "timeout"


def build(tree):
    # -o: a mutant differs from its chapter on purpose; skip the tangle check.
    rc, out = run(["make", "-s", "--no-print-directory", "-o", "tangle-check-once",
                   "build/clang/bin/litmus"], tree, 600)
    return rc == 0, out


FUZZ_BIN = "build/fzfast/fuzz/bin/kernel"


def build_fuzz(tree):
    rc, out = run(["make", "-s", "--no-print-directory", "-o", "tangle-check-once",
                   FUZZ_BIN], tree, 900)
    return rc == 0, out


def fuzz(tree, runs, seed):
    """A short kernel-target run from the seeds: "killed" on any finding."""
    if runs <= 0:
        return "survived", ""
    ok, log = build_fuzz(tree)
    if not ok:
        return "stillborn", "the fuzz target does not compile: " + log.strip().split("\n")[-1][:160]
    work = os.path.join(tree, "build/mutant-fuzz")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rc, out = run([FUZZ_BIN, "-runs=%d" % runs, "-seed=%d" % seed, "-detect_leaks=0",
                   "-max_len=4096", "-artifact_prefix=" + work + "/", "-dict=fuzz/targets/kernel.dict",
                   work, "build/fuzz/kernel/seeds"], tree, 600)
    if rc is None:
        return "killed", "fuzz run timed out"
    m = re.search(r"^mmuspec-finding: .*$", out, re.M)
    if m:
        return "killed", "fuzz: " + m.group(0)[len("mmuspec-finding: "):]
    if rc != 0:
        tail = [l for l in out.split("\n") if "ERROR" in l or "SUMMARY" in l]
        return "killed", "fuzz: " + (tail[0] if tail else "exit %d" % rc)[:160]
    return "survived", ""


def suite(tree, litmus_files):
    rc, out = run(["build/clang/bin/litmus", "-j", "2"] + litmus_files, tree, 300)
    if rc is None:
        return "killed", "suite timed out"
    fails = [l for l in out.split("\n") if l.startswith("FAIL ")]
    # Every test must have a verdict: a runner that lost some (a crashed
    # worker) has not passed them.
    m = re.search(r"^(\d+) passed, (\d+) failed$", out, re.M)
    told = int(m.group(1)) + int(m.group(2)) if m else -1
    if rc == 0 and not fails and told == len(litmus_files):
        return "survived", ""
    if not fails and told != len(litmus_files):
        return "killed", "the suite gave %d verdicts for %d tests" % (told, len(litmus_files))
    return "killed", (fails[0] if fails else out.strip().split("\n")[-1])[:160]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", default="drop,swap,flip")
    ap.add_argument("--files", default="ref/0[2-8]*/*.c")
    ap.add_argument("--grep", default="",
                    help="only the candidates whose mutation text contains this string "
                    "(to rebuild one mutant of a report by hand)")
    ap.add_argument("--out", default="build/mutants")
    ap.add_argument("--fuzz-runs", type=int, default=4000,
                    help="kernel-target executions per surviving mutant (0: none)")
    a = ap.parse_args()
    ops = a.ops.split(",")
    os.chdir(ROOT)
    t_start = time.time()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t_start))
    rc, head = run(["git", "rev-parse", "--short=12", "HEAD"], ROOT, 30)
    head = head.strip() if rc == 0 else "?"
    rc, dirty = run(["git", "status", "--porcelain", "--untracked-files=no", "--", "ref", "doc"], ROOT, 30)
    if rc != 0 or dirty.strip():
        head += " with uncommitted changes to ref/ or doc/"
    # The fuzz run needs the seed corpus and the fast fuzz build: make them
    # here, where a later sweep reuses them, rather than fail in the copy.
    if a.fuzz_runs > 0:
        rc, log = run(["make", "-s", "--no-print-directory", FUZZ_BIN,
                       "build/fuzz/kernel/seeds.stamp"], ROOT, 1800)
        if rc != 0:
            sys.exit("mutants: cannot build the fuzz target or its seeds:\n" + log[-2000:])
    files = sorted(f for f in (os.path.join(d, n) for d, _, ns in os.walk("ref") for n in ns)
                   if fnmatch.fnmatch(f, a.files) and not f.endswith("_main.c"))
    if not files:
        sys.exit("mutants: no file matches %s" % a.files)
    pool = []
    for f in files:
        _, c = candidates(f, ops)
        pool += [(f,) + x for x in c if a.grep in x[2]]
    if not pool:
        sys.exit("mutants: no candidate mutation in %s contains %r" % (a.files, a.grep))
    rnd = random.Random(a.seed)
    # Every kind of operator gets its share: round-robin over operators.
    by_op = {o: [p for p in pool if p[1] == o] for o in ops}
    for o in by_op:
        rnd.shuffle(by_op[o])
    chosen = []
    while len(chosen) < a.max and any(by_op.values()):
        for o in ops:
            if by_op[o] and len(chosen) < a.max:
                chosen.append(by_op[o].pop())
    out = os.path.abspath(a.out)
    tree = os.path.join(out, "tree")
    os.makedirs(out, exist_ok=True)
    if os.path.exists(tree):
        shutil.rmtree(tree)
    os.makedirs(tree)
    for d in ("doc", "ref", "examples", "tests", "corpus", "mk", "fuzz", "tools", "site"):
        if os.path.exists(d):
            shutil.copytree(d, os.path.join(tree, d), symlinks=True)
    for f in ("Makefile", ".clang-format"):
        if os.path.exists(f):
            shutil.copy2(f, tree)
    # Reuse the objects of the main build so that a mutant recompiles one file.
    for d in ("build/clang", "build/tools", "build/fzfast", "build/fuzz/kernel/seeds"):
        if os.path.exists(d):
            shutil.copytree(d, os.path.join(tree, d), symlinks=True)
    litmus = sorted(os.path.join("corpus/litmus", n) for n in os.listdir("corpus/litmus")
                    if n.endswith(".litmus"))
    ok, log = build(tree)
    if not ok:
        sys.exit("mutants: the unmutated tree does not build:\n" + log[-2000:])
    v, why = suite(tree, litmus)
    if v != "survived":
        sys.exit("mutants: the unmutated suite fails: " + why)
    v, why = fuzz(tree, a.fuzz_runs, a.seed)
    if v != "survived":
        sys.exit("mutants: the unmutated model fails the fuzz run: " + why)
    print("mutants: %d candidates over %d files (%s); running %d, %d litmus tests each"
          % (len(pool), len(files), ", ".join("%s %d" % (o, sum(p[1] == o for p in pool)) for o in ops),
             len(chosen), len(litmus)))
    rows = []
    t0 = time.time()
    for k, (f, op, i, what) in enumerate(chosen, 1):
        path = os.path.join(tree, f)
        orig = open(path, encoding="utf-8").read()
        lines = orig.split("\n")
        where = chapter_line(lines, i)
        try:
            open(path, "w", encoding="utf-8").write("\n".join(mutate(lines, op, i)))
            ok, log = build(tree)
            if not ok:
                verdict, why, by = "stillborn", "does not compile: " + log.strip().split("\n")[-1][:200], ""
            else:
                verdict, why = suite(tree, litmus)
                by = "suite" if verdict == "killed" else ""
            if verdict == "survived":
                verdict, why = fuzz(tree, a.fuzz_runs, a.seed)
                by = "fuzz" if verdict == "killed" else ""
            cls = ""
            if verdict == "survived":
                open(path, "w", encoding="utf-8").write("\n".join(mutate(lines, op, i, probe=True)))
                ok, _ = build(tree)
                pv, _ = suite(tree, litmus) if ok else ("?", "")
                if pv == "survived":
                    pv, _ = fuzz(tree, a.fuzz_runs, a.seed)
                cls = "not reached" if pv == "survived" else "reached"
        finally:
            open(path, "w", encoding="utf-8").write(orig)
        rows.append((k, op, f, i + 1, where, what, verdict, why, cls, by))
        print("mutants: [%d/%d, %ds] %-5s %s (%s): %s%s" % (
            k, len(chosen), time.time() - t0, op, where, f, verdict.upper() if verdict == "survived" else verdict,
            " (%s)" % (cls or by) if cls or by else ""), flush=True)
    build(tree)  # leave the tree's objects unmutated
    with open(os.path.join(out, "mutants.tsv"), "w", encoding="utf-8") as t:
        t.write("id\top\tfile\tline\tchapter\tmutation\tverdict\twhy\tclass\tkilled_by\n")
        for r in rows:
            t.write("\t".join(str(x) for x in r) + "\n")
    live = [r for r in rows if r[6] != "stillborn"]
    killed = sum(r[6] == "killed" for r in live)
    score = 100.0 * killed / len(live) if live else 0.0
    by_fuzz = sum(r[6] == "killed" and r[9] == "fuzz" for r in live)
    counts = ", ".join("%s %d" % (o, sum(p[1] == o for p in pool)) for o in ops)
    rep = ["Command: `tools/mutants.py %s` at %s (commit %s), "
           "%d litmus tests; %d candidate mutations over %d files (%s), %d drawn; "
           "%.0f minutes in all." % (" ".join(sys.argv[1:]), started, head, len(litmus), len(pool),
                             len(files), counts, len(rows), (time.time() - t_start) / 60), "",
           "Mutation score: **%d of %d** mutants killed (%.0f%%): %d by the litmus suite, %d more by "
           "the kernel fuzz run (%d executions from the seeds, seed %d); "
           "%d stillborn (did not compile), not counted. Operators: %s."
           % (killed, len(live), score, killed - by_fuzz, by_fuzz, a.fuzz_runs, a.seed,
              len(rows) - len(live), ", ".join(ops)), "",
           "| # | operator | where | mutation | verdict | class |", "|---|---|---|---|---|---|"]
    for r in rows:
        rep.append("| %d | %s | `%s` | %s | %s | %s |" % (
            r[0], r[1], r[4], r[5].replace("|", "\\|"), r[6] + (" (%s)" % r[9] if r[9] else ""),
            r[8] or (r[7].replace("|", "\\|") if r[6] == "killed" else "")))
    open(os.path.join(out, "report.md"), "w", encoding="utf-8").write("\n".join(rep) + "\n")
    print("\n".join(rep))


if __name__ == "__main__":
    main()
