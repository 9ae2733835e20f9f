#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""bugzoo-report.py RESULTS OUTDIR SECONDS SEEDS ZOO - summarize a bug-zoo run.

Reads the per-run lines fuzz/bugzoo.sh wrote (results.tsv) and writes
OUTDIR/table.md (one row per bug: rule expected, rule fired, kill time
median/min/max and executions to kill, from the empty and from the seed
corpus, per engine; ZOO is the zoo table the run used, for the known gaps;
the control row `none` runs with no bug), OUTDIR/kill-times.dat and OUTDIR/kill-times.gp (the
gnuplot script of kill-times.svg).
"""
import csv
import os
import statistics
import sys
import time

results, out, secs, nseeds, zoo = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
gaps = {}
for line in open(zoo, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if len(f) >= 5 and f[4] != "-" and f[0] != "none":
        gaps[f[0]] = f[4]
rows = list(csv.DictReader(open(results, encoding="utf-8"), delimiter="\t"))
if not rows:
    sys.exit("bugzoo-report: no runs in %s" % results)
bugs, engines = [], []
for r in rows:
    if r["bug"] not in bugs:
        bugs.append(r["bug"])
    if r["engine"] not in engines:
        engines.append(r["engine"])
ENGINE = {"libfuzzer": "libFuzzer", "afl": "AFL++"}


def runs(bug, engine, kind):
    return [r for r in rows if r["bug"] == bug and r["engine"] == engine and r["corpus"] == kind]


def times(rs):
    return [float(r["seconds"]) for r in rs if r["verdict"] == "killed"]


def stats(rs):
    """'median / min / max' of the kill times, and the kills out of runs."""
    t = times(rs)
    if not t:
        return "—", "0/%d" % len(rs)
    return ("%.2f / %.2f / %.2f" % (statistics.median(t), min(t), max(t)),
            "%d/%d" % (len(t), len(rs)))


def execs(rs):
    e = [int(r["execs"]) for r in rs if r["verdict"] == "killed"]
    return "%d" % statistics.median(e) if e else "—"


def fired(bug):
    rs = [r for r in rows if r["bug"] == bug]
    want = rs[0]["expected"]
    kills = any(r["verdict"] == "killed" for r in rs)
    other = {}
    for r in rs:
        if r["others"] != "-":
            for o in r["others"].split(","):
                other[o] = other.get(o, 0) + 1
    cell = want if kills else ""
    if want == "-":
        want, cell = "none", ""
    if other:
        extra = ", ".join("%s ×%d" % (o, n) for o, n in sorted(other.items()))
        cell = "%s (other findings first: %s)" % (cell, extra) if cell else extra
    return cell or "none"


def verdict(bug):
    rs = [r for r in rows if r["bug"] == bug]
    if bug == "none":
        bad = [r for r in rs if r["verdict"] != "survived"]
        return "clean" if not bad else "**false findings** in %d/%d runs" % (len(bad), len(rs))
    k = sum(r["verdict"] == "killed" for r in rs)
    if k == len(rs):
        return "killed"
    s = sum(r["verdict"] == "survived" for r in rs)
    w = sum(r["verdict"] == "wrong-rule" for r in rs)
    parts = []
    if s:
        parts.append("**survived** %d/%d" % (s, len(rs)))
    if w:
        parts.append("**wrong rule** %d/%d" % (w, len(rs)))
    v = ", ".join(parts)
    if bug in gaps:
        v += " (known gap: %s)" % gaps[bug]
    return v


head = ["bug", "rule expected", "rule fired"]
for e in engines:
    for kind in ("empty", "seeds"):
        head += ["%s %s: kill s median / min / max" % (ENGINE[e], kind),
                 "kills", "execs to kill (median)"]
head.append("verdict")
lines = ["Measured by `make bugzoo BUGZOO_SECONDS=%g BUGZOO_SEEDS=%s%s` on %s: "
         "one engine process per run, %s s budget; a kill is the first finding "
         "carrying the expected rule (libFuzzer reports other findings and "
         "goes on; AFL++ restarts with the corpus it built). Times are "
         "wall-clock seconds from the "
         "engine's start." % (secs, nseeds,
                              "" if engines == ["libfuzzer"] else
                              " BUGZOO_ENGINES=" + ",".join(engines),
                              time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "%g" % secs),
         "",
         "| " + " | ".join(head) + " |",
         "|" + "|".join("---" for _ in head) + "|"]
for b in bugs:
    rs0 = [r for r in rows if r["bug"] == b]
    cells = ["`%s`" % b if b != "none" else "(no bug: control)",
             rs0[0]["expected"] if b != "none" else "none", fired(b)]
    for e in engines:
        for kind in ("empty", "seeds"):
            rs = runs(b, e, kind)
            s, k = stats(rs)
            cells += [s, k, execs(rs)]
    cells.append(verdict(b))
    lines.append("| " + " | ".join(cells) + " |")
real = [b for b in bugs if b != "none"]
killed = sum(verdict(b) == "killed" for b in real)
lines += ["", "%d of %d bugs killed in every run." % (killed, len(real))]
open(os.path.join(out, "table.md"), "w", encoding="utf-8").write("\n".join(lines) + "\n")

# Plot data: per bug and (engine, corpus) series, median/min/max, or the
# budget for a series with no kill (drawn as an open marker).
series = [(e, k) for e in engines for k in ("empty", "seeds")]
bugs = [b for b in bugs if b != "none"]
with open(os.path.join(out, "kill-times.dat"), "w", encoding="utf-8") as f:
    for si, (e, k) in enumerate(series):
        f.write("# %s %s\n" % (ENGINE[e], k))
        for i, b in enumerate(bugs):
            t = times(runs(b, e, k))
            x = i + (si - (len(series) - 1) / 2) * 0.8 / len(series)
            if t:
                f.write("%g %g %g %g 1 %s\n" % (x, statistics.median(t), min(t), max(t), b))
            else:
                f.write("%g %g %g %g 0 %s\n" % (x, secs, secs, secs, b))
        f.write("\n\n")
xtics = ", ".join('"%s" %d' % (b, i) for i, b in enumerate(bugs))
plots = []
for si, (e, k) in enumerate(series):
    plots.append("'kill-times.dat' index %d using 1:($5 > 0 ? $2 : 1/0):3:4 "
                 "with yerrorbars pt %d lc %d title '%s, %s corpus (median, min-max)'"
                 % (si, 7 if k == "empty" else 5, si + 1, ENGINE[e], k))
    plots.append("'kill-times.dat' index %d using 1:($5 > 0 ? 1/0 : $2) "
                 "with points pt %d lc %d title '%s, %s: not killed in %g s'"
                 % (si, 6 if k == "empty" else 4, si + 1, ENGINE[e], k, secs))
gp = """# Generated by fuzz/bugzoo-report.py; run from %s.
cd '%s'
set terminal svg size 1100,520 dynamic font 'DejaVu Sans,11'
set output 'kill-times.svg'
set title 'Bug zoo: time for the kernel fuzz target to find each bug (%s seed(s), %g s budget)'
set ylabel 'seconds to the first finding of the expected rule'
set logscale y
set yrange [0.01:%g]
set xrange [-0.7:%g]
set xtics (%s) rotate by -40 left font ',9'
set grid ytics
set key outside bottom center horizontal
set bmargin 13
plot %s
""" % (out, os.path.abspath(out), nseeds, secs, secs * 2, len(bugs) - 0.3, xtics,
       ", \\\n     ".join(plots))
open(os.path.join(out, "kill-times.gp"), "w", encoding="utf-8").write(gp)
