#!/usr/bin/env python3
"""Generate the inputs of the mmuspec site that are not chapters.

Every output is written only when its content changes, so make rebuilds only
the pages whose inputs really changed.

  sitegen.py nav      --out nav.yaml DOC...
        chapter list (href, num, title) for the template's sidebar and pager.
  sitegen.py rulemap  --rules rules.tsv --out rulemap.tsv
        ID<TAB>page.html, from `tangle --rules` output.
  sitegen.py source   --out X.md DOC
        the markdown source view of one chapter, with an anchor per line (#L12).
  sitegen.py pages    --outdir DIR --rules rules.tsv --nav nav.yaml [options]
        index, rules, diagrams, litmus, bugzoo and search pages (markdown with
        raw HTML), plus plot images copied into the site.

Data read by `pages`, each optional; what is absent is reported as
"none yet" / "not produced yet" on the page, never invented:
  --xref FILE       rules cross references, lines ID<TAB>KIND<TAB>TARGET[<TAB>LABEL]
                    KIND is oracle, litmus, bugzoo or test; TARGET is a site URL
                    (ending .html or containing .html#) or a repository path
                    "path[:line]" (linked to its Doxygen source page if known).
  --litmus-dir DIR  *.litmus files; header lines "rules: ID ID..." and
                    "expect: VERDICT" (any comment leader), shown verbatim.
  --litmus-results FILE  lines NAME<TAB>OBSERVED from a litmus run.
  --bugzoo-dir DIR  table.md (a markdown table) and *.svg/*.png plots.
  --bench-dir DIR   *.txt figures from `make bench`.
  --diagrams DIR    *.dot sources; "// caption: ..." lines give the caption.
  --index FILE      markdown prose for the front page.
  --tag FILE        Doxygen tag file (to link repository paths to source pages).
"""
import argparse
import html
import os
import re
import shutil
import sys

RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
RULE_REF = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]")
BARE_RULE = re.compile(r"\b([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\b")
H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")


def die(msg):
    sys.stderr.write("sitegen: error: %s\n" % msg)
    sys.exit(1)


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False
    except OSError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return True


def esc(s):
    return html.escape(s, quote=True)


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_of(doc):
    return os.path.splitext(os.path.basename(doc))[0] + ".html"


def chapter_title(doc):
    with open(doc, encoding="utf-8") as f:
        in_fence = None
        for line in f:
            m = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
            if m:
                fence = m.group(1)
                if in_fence is None:
                    in_fence = fence
                elif fence[0] == in_fence[0] and len(fence) >= len(in_fence):
                    in_fence = None
                continue
            if in_fence is None:
                m = H1.match(line)
                if m:
                    return m.group(1)
    die("%s: no level-1 heading ('# Title'); every chapter needs one" % doc)


def read_nav(path):
    """Parse the nav.yaml that cmd_nav writes (a fixed, simple shape)."""
    chapters = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'^\s*- \{href: "(.*?)", num: "(.*?)", title: (".*"), src: "(.*?)"\}\s*$', line)
            if m:
                title = m.group(3)[1:-1].replace('\\"', '"').replace("\\\\", "\\")
                chapters.append({"href": m.group(1), "num": m.group(2), "title": title,
                                 "src": m.group(4)})
    return chapters


def read_rules(path):
    rules = []
    if not path or not os.path.exists(path):
        return rules
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) < 4 or not RULE_ID.match(parts[0]) or not parts[2].isdigit():
                die("%s:%d: expected ID<TAB>FILE<TAB>LINE<TAB>SUMMARY, got %r" % (path, n, line))
            rules.append({"id": parts[0], "src": parts[1], "line": int(parts[2]),
                          "summary": "\t".join(parts[3:])})
    seen = {}
    for r in rules:
        if r["id"] in seen:
            die("rule %s defined twice: %s:%d and %s:%d" % (
                r["id"], seen[r["id"]]["src"], seen[r["id"]]["line"], r["src"], r["line"]))
        seen[r["id"]] = r
    return rules


# --------------------------------------------------------------------------- nav
def cmd_nav(a):
    lines = ["chapters:"]
    for doc in sorted(a.docs, key=os.path.basename):
        base = os.path.basename(doc)
        m = re.match(r"^(\d+)-", base)
        num = m.group(1) if m else ""
        # "02 — The machine" / "01. Literate conventions": the number is shown apart
        title = re.sub(r"^\d+(?:\.\d+)*\.?\s*(?:[—–:-]\s*)?", "", chapter_title(doc)) or chapter_title(doc)
        lines.append('  - {href: "%s", num: "%s", title: %s, src: "%s"}' % (
            page_of(doc), num, yaml_str(title), doc))
    if len(lines) == 1:
        lines = ["chapters: []"]
    write_if_changed(a.out, "\n".join(lines) + "\n")


def cmd_rulemap(a):
    rules = read_rules(a.rules)
    write_if_changed(a.out, "".join("%s\t%s\n" % (r["id"], page_of(r["src"])) for r in rules))


# ------------------------------------------------------------------------ source
def cmd_source(a):
    with open(a.doc, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = ['---', 'title: %s' % yaml_str("Source of " + os.path.basename(a.doc)),
           'page-class: source', '---', '',
           'The markdown this chapter is built from, with a link per line. '
           'Chapter page: [%s](../%s).' % (os.path.basename(a.doc), page_of(a.doc)), '',
           '```{=html}', '<pre class="source-view"><code>']
    for i, l in enumerate(lines, 1):
        out.append('<span class="ln" id="L%d"><span class="n">%d</span>%s</span>' % (i, i, esc(l)))
    out += ['</code></pre>', '```', '']
    write_if_changed(a.out, "\n".join(out))


# ------------------------------------------------------------------------- pages
def front(title, page_class, extra=""):
    return "---\ntitle: %s\npage-class: %s\n%s---\n\n" % (yaml_str(title), page_class, extra)


def raw(htmltext):
    return "```{=html}\n" + htmltext.rstrip("\n") + "\n```\n\n"


def none_yet(what="none yet"):
    return '<span class="status none">%s</span>' % esc(what)


def check_link(loc, titles):
    """doc/NN-x.md:LINE -> link to that line of the chapter's source view."""
    m = re.match(r"^(.*?)(?::(\d+))?$", loc)
    path, line = m.group(1), m.group(2)
    page = page_of(path)
    if path.endswith(".md") and page in titles:
        href = "source/%s%s" % (page, "#L" + line if line else "")
        return '<a href="%s"><code>%s</code></a>' % (esc(href), esc(os.path.basename(loc)))
    return "<code>%s</code>" % esc(loc)


def read_xref(path):
    """ID -> {"check": str or None, "forbidden": [files], "allowed": [files]}."""
    xref = {}
    if not path or not os.path.exists(path):
        return xref
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or not RULE_ID.match(parts[0]):
                die("%s:%d: expected ID<TAB>check<TAB>forbidden-files<TAB>allowed-files, got %r"
                    % (path, n, line))
            xref[parts[0]] = {"check": None if parts[1] == "-" else parts[1],
                              "forbidden": split_files(parts[2]), "allowed": split_files(parts[3])}
    return xref


def split_files(cell):
    return [] if cell == "-" else [x for x in cell.split(",") if x]


LITMUS_DECL = re.compile(r"^(name|about|expect|rules)[ \t]+(.*?)\s*(?:[ \t]#.*)?$")


def litmus_name(path):
    base = os.path.basename(path)
    return base[:-len(".litmus")] if base.endswith(".litmus") else base


def read_litmus(d, results_path):
    tests = []
    if not d or not os.path.isdir(d):
        return tests
    observed = {}
    if results_path and os.path.exists(results_path):
        with open(results_path, encoding="utf-8") as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) >= 2:
                    observed[p[0]] = p[1]
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".litmus"):
            continue
        with open(os.path.join(d, fn), encoding="utf-8") as f:
            text = f.read()
        decl, rules = {}, []
        for line in text.split("\n"):
            m = LITMUS_DECL.match(line)
            if not m:
                continue
            if m.group(1) == "rules":
                rules += [x for x in m.group(2).split() if RULE_ID.match(x)]
            else:
                decl.setdefault(m.group(1), m.group(2))
        expect = decl.get("expect")
        if expect:
            ids = [x for x in expect.split()[1:] if RULE_ID.match(x)]
            rules = ids + [r for r in rules if r not in ids]
        name = litmus_name(fn)
        tests.append({"name": name, "file": fn, "text": text, "rules": rules, "expect": expect,
                      "about": decl.get("about"), "observed": observed.get(name)})
    return tests


def rule_link(rid, rulemap):
    page = rulemap.get(rid)
    if page:
        return '<a class="ruleref" href="%s#%s">%s</a>' % (page, rid, rid)
    return '<span class="ruleref unknown" title="no rule %s is defined">%s</span>' % (rid, rid)


def bugzoo_rows(path):
    """(entry, [rule ids]) for each row of the bug-zoo markdown table."""
    rows = []
    if not path or not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.lstrip().startswith("|") or re.match(r"^\s*\|[\s:|-]+\|\s*$", line):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            ids = sorted(set(BARE_RULE.findall(line)))
            if cells and ids:
                rows.append((re.sub(r"[`*\[\]]", "", cells[0]), ids))
    return rows


def page_rules(a, chapters, rules, rulemap):
    xref = read_xref(a.xref)
    litmus = read_litmus(a.litmus_dir, a.litmus_results)
    by_name = {t["name"]: t for t in litmus}
    by_rule = {}   # ID -> {litmus test name: verdict}
    for t in litmus:
        for rid in t["rules"]:
            by_rule.setdefault(rid, {})[t["name"]] = t["observed"] or t["expect"] or ""
    for rid, x in xref.items():
        for kind in ("forbidden", "allowed"):
            for f in x[kind]:
                by_rule.setdefault(rid, {}).setdefault(litmus_name(f), kind)
    bz = {}
    for entry, ids in bugzoo_rows(a.bugzoo_dir and os.path.join(a.bugzoo_dir, "table.md")):
        for rid in ids:
            bz.setdefault(rid, []).append(entry)
    titles = {c["href"]: c for c in chapters}
    out = front("Rule index", "rules")
    if not rules:
        return out + ("No rules yet: `make rules` printed nothing. A rule is a paragraph that "
                      "starts with its ID in brackets, e.g. `[MN-PAIR] ...`.\n\n")
    out += ("Every normative rule of the specification, in chapter order (%d rules). "
            "Each ID is a permalink: `rules.html#ID` here, `NN-chapter.html#ID` at its "
            "definition.\n\n" % len(rules))

    def origin(ok, what):
        return ("read from " if ok else "none yet: nothing in ") + what

    out += ("Where the other columns come from:\n\n"
            "- Oracle check: %s.\n- Litmus tests: %s.\n- Bug zoo: %s.\n\n" % (
                origin(any(x["check"] for x in xref.values()),
                       "`build/rules-xref.tsv` (`make rules-xref`)"),
                origin(bool(by_rule), "`corpus/litmus/*.litmus` and `build/rules-xref.tsv`"),
                origin(bool(bz), "`build/bugzoo/table.md`")))
    rows = []
    for r in rules:
        page = page_of(r["src"])
        ch = titles.get(page)
        chap = ('<a href="%s">%s</a>' % (page, esc(ch["num"] + " " + ch["title"])) if ch
                else esc(r["src"]))
        srcline = '<a class="srcline" href="source/%s#L%d"><code>%s:%d</code></a>' % (
            page, r["line"], esc(os.path.basename(r["src"])), r["line"])
        x = xref.get(r["id"])
        oracle = [check_link(x["check"], titles)] if x and x["check"] else []
        lit = []
        for name, verdict in sorted(by_rule.get(r["id"], {}).items()):
            label = esc(name) + (' <span class="verdict">%s</span>' % esc(verdict) if verdict else "")
            lit.append('<a href="litmus.html#litmus-%s">%s</a>' % (esc(name), label)
                       if name in by_name else label + ' <span class="status">file missing</span>')
        bugs = ['<a href="bugzoo.html">%s</a>' % esc(e) for e in bz.get(r["id"], [])]
        rows.append(
            '<tr id="%s"><td><a class="rule-id" href="%s#%s">%s</a> '
            '<a class="permalink" href="#%s" title="Permalink to this row">¶</a></td>'
            '<td>%s</td><td>%s<br>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
                r["id"], page, r["id"], r["id"], r["id"], esc(r["summary"]), chap, srcline,
                "<br>".join(oracle) or none_yet(), "<br>".join(lit) or none_yet(),
                "<br>".join(bugs) or none_yet()))
    out += raw('<table class="rules">\n<thead><tr><th>Rule</th><th>Statement</th><th>Chapter</th>'
               '<th>Oracle check</th><th>Litmus tests</th><th>Bug zoo</th></tr></thead>\n<tbody>\n'
               + "\n".join(rows) + "\n</tbody>\n</table>")
    return out


def page_litmus(a, rulemap):
    tests = read_litmus(a.litmus_dir, a.litmus_results)
    out = front("Litmus tests", "litmus")
    if not tests:
        return out + ("Not produced yet: there are no `corpus/litmus/*.litmus` files. When they "
                      "exist, each is shown here verbatim with its rules and verdict.\n\n")
    out += ("%d litmus tests from `corpus/litmus/`, each shown verbatim with the verdict it "
            "declares (`expect`) and, once the runner has run it, the verdict observed.\n\n"
            % len(tests))
    for t in tests:
        rules = ", ".join(rule_link(r, rulemap) for r in t["rules"]) or none_yet("no rules line")
        verdict = esc(t["expect"]) if t["expect"] else none_yet("no expect line")
        obs = esc(t["observed"]) if t["observed"] else none_yet("not run yet")
        out += "## %s {#litmus-%s}\n\n" % (t["name"], t["name"])
        out += raw('<p>%s<span class="litmus-meta">Rules: %s<br>Expected: <span class="verdict">%s</span>'
                   '<br>Observed: <span class="verdict">%s</span></span></p>\n'
                   '<div class="chunk"><div class="chunk-label"><span class="chunk-kind">file</span> '
                   '<code>corpus/litmus/%s</code></div><pre><code>%s</code></pre></div>' % (
                       (esc(t["about"]) + "<br>") if t["about"] else "", rules, verdict, obs,
                       esc(t["file"]), esc(t["text"].rstrip("\n"))))
    return out


def page_bugzoo(a, site_out):
    out = front("Bug zoo", "bugzoo")
    d = a.bugzoo_dir
    table = d and os.path.join(d, "table.md")
    if table and os.path.exists(table):
        with open(table, encoding="utf-8") as f:
            out += "## Mutants and historical bugs\n\n" + f.read().strip() + "\n\n"
    else:
        out += ("## Mutants and historical bugs\n\nNot produced yet: `build/bugzoo/table.md` does "
                "not exist (the bug-zoo run writes it).\n\n")
    plots = sorted(f for f in os.listdir(d) if f.endswith((".svg", ".png"))) if d and os.path.isdir(d) else []
    out += "## Time to detection\n\n"
    if plots:
        os.makedirs(os.path.join(site_out, "bugzoo"), exist_ok=True)
        for p in plots:
            src, dst = os.path.join(d, p), os.path.join(site_out, "bugzoo", p)
            if not os.path.exists(dst) or open(src, "rb").read() != open(dst, "rb").read():
                shutil.copyfile(src, dst)
            out += '![%s](bugzoo/%s)\n\n' % (p, p)
    else:
        out += "Not produced yet: no plot in `build/bugzoo/`.\n\n"
    out += "## Latest benchmark figures\n\n"
    bench = sorted(f for f in os.listdir(a.bench_dir) if f.endswith(".txt")) \
        if a.bench_dir and os.path.isdir(a.bench_dir) else []
    if bench:
        for b in bench:
            with open(os.path.join(a.bench_dir, b), encoding="utf-8") as f:
                out += "### %s\n\n" % b + raw("<pre><code>%s</code></pre>" % esc(f.read().rstrip("\n")))
    else:
        out += "Not produced yet: no `build/bench/*.txt` (run `make bench`).\n\n"
    return out


def page_diagrams(a):
    out = front("Diagrams", "diagrams")
    files = sorted(f for f in os.listdir(a.diagrams) if f.endswith(".dot")) \
        if a.diagrams and os.path.isdir(a.diagrams) else []
    if not files:
        return out + "No diagrams yet.\n\n"
    out += ("State machines and call sequences of the two contracts, drawn with graphviz from "
            "`site/diagrams/*.dot`. Each caption names the kernel commits it follows.\n\n")
    for fn in files:
        with open(os.path.join(a.diagrams, fn), encoding="utf-8") as f:
            text = f.read()
        title = None
        caption = []
        for line in text.split("\n"):
            m = re.match(r"^\s*//\s*(title|caption):\s*(.*)$", line)
            if m and m.group(1) == "title":
                title = m.group(2)
            elif m:
                caption.append(m.group(2))
        name = fn[:-4]
        out += "## %s {#diagram-%s}\n\n" % (title or name, name)
        fence = "````"
        out += '%s{.dot caption="%s"}\n%s\n%s\n\n' % (
            fence, " ".join(caption).replace('"', "'"), text.rstrip("\n"), fence)
        out += "Source: `site/diagrams/%s`.\n\n" % fn
    return out


def page_index(a, chapters, rules):
    prose = ""
    if a.index and os.path.exists(a.index):
        with open(a.index, encoding="utf-8") as f:
            prose = f.read().strip() + "\n\n"
    m = re.match(r"^#\s+(.+?)\s*\n", prose)
    title = "mmuspec"
    if m:
        title, prose = m.group(1), prose[m.end():]
    out = front(title, "home") + prose
    out += "## Chapters {#chapters}\n\n"
    if chapters:
        items = "".join('<li><a href="%s"><span class="num">%s</span> %s</a></li>\n' % (
            c["href"], esc(c["num"]), esc(c["title"])) for c in chapters)
        out += raw('<ol class="cards">\n' + items + "</ol>")
    else:
        out += "No chapters yet.\n\n"
    out += "## Reference\n\n"
    out += raw(
        '<ul class="cards">\n'
        '<li><a href="rules.html">Rule index</a><p>%d rules, each with its checks and tests.</p></li>\n'
        '<li><a href="api/index.html">API</a><p>The reference code in ref/ and examples/, from its kernel-doc.</p></li>\n'
        '<li><a href="diagrams.html">Diagrams</a><p>Lazy-MMU states, interval-notifier sequence states, invalidation call order.</p></li>\n'
        '<li><a href="litmus.html">Litmus tests</a><p>Small scenarios with their verdicts.</p></li>\n'
        '<li><a href="bugzoo.html">Bug zoo</a><p>Known bugs and mutants the oracle must catch.</p></li>\n'
        '<li><a href="search.html">Search</a><p>Full-text search over chapters and API pages.</p></li>\n'
        '</ul>' % len(rules))
    return out


def page_search():
    out = front("Search", "search",
                'header-includes: |\n  <link rel="stylesheet" href="pagefind/pagefind-ui.css">\n'
                'include-after: |\n  <script src="pagefind/pagefind-ui.js"></script>\n'
                '  <script src="assets/search.js"></script>\n')
    out += raw('<p id="search-note">Loading the search index…</p>\n<div id="search"></div>')
    return out


def cmd_pages(a):
    chapters = read_nav(a.nav) if a.nav and os.path.exists(a.nav) else []
    rules = read_rules(a.rules)
    rulemap = {r["id"]: page_of(r["src"]) for r in rules}
    pages = {
        "index": page_index(a, chapters, rules),
        "rules": page_rules(a, chapters, rules, rulemap),
        "litmus": page_litmus(a, rulemap),
        "bugzoo": page_bugzoo(a, a.site_out),
        "diagrams": page_diagrams(a),
        "search": page_search(),
    }
    for name, text in pages.items():
        write_if_changed(os.path.join(a.outdir, name + ".md"), text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("nav")
    s.add_argument("--out", required=True)
    s.add_argument("docs", nargs="*")
    s = sub.add_parser("rulemap")
    s.add_argument("--rules", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("source")
    s.add_argument("--out", required=True)
    s.add_argument("doc")
    s = sub.add_parser("pages")
    s.add_argument("--outdir", required=True)
    s.add_argument("--site-out", required=True)
    s.add_argument("--rules")
    s.add_argument("--nav")
    s.add_argument("--xref")
    s.add_argument("--litmus-dir")
    s.add_argument("--litmus-results")
    s.add_argument("--bugzoo-dir")
    s.add_argument("--bench-dir")
    s.add_argument("--diagrams")
    s.add_argument("--index")
    a = p.parse_args()
    {"nav": cmd_nav, "rulemap": cmd_rulemap, "source": cmd_source, "pages": cmd_pages}[a.cmd](a)


if __name__ == "__main__":
    main()
