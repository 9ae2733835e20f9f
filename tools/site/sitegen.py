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
  sitegen.py doxheader --header H --topbar T --out F
        Doxygen's HTML header H with the site's top bar T (pandoc template
        syntax, $root$) in place of its "<!-- mmuspec:topbar" marker line.
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
  --bugzoo-dir DIR  table.md (the measured table of `make bugzoo`) and *.svg/*.png plots.
  --bugzoo-def FILE the bug-zoo chapter: its C table of entries
                    `{ PREFIX_BUG_NAME, "RULE-ID", "buggy", "fixed", gap },`
                    gives each bug its rule; its "### name" section, the story.
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
    for _, line in prose_lines(doc):
        m = H1.match(line)
        if m:
            return m.group(1)
    die("%s: no level-1 heading ('# Title'); every chapter needs one" % doc)


def prose_lines(doc):
    """(line number, text) of the lines of DOC outside fenced code blocks."""
    with open(doc, encoding="utf-8") as f:
        in_fence = None
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
            if m:
                fence = m.group(1)
                if in_fence is None:
                    in_fence = fence
                elif fence[0] == in_fence[0] and len(fence) >= len(in_fence):
                    in_fence = None
                continue
            if in_fence is None:
                yield n, line


def gfm_id(heading):
    """The identifier pandoc's gfm_auto_identifiers gives a heading."""
    text = re.sub(r"[`*_]|\[|\]\([^)]*\)", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


# An abbreviation whose full stop does not end a sentence.
ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|resp|Fig|No)|\b[A-Z])\.$")


def first_sentence(doc):
    """The first sentence of the first prose paragraph after DOC's title."""
    para, seen_title = [], False
    for _, line in prose_lines(doc):
        if not seen_title:
            seen_title = bool(H1.match(line))
            continue
        if not line.strip():
            if para:
                break
            continue
        if not para and re.match(r"^\s*(#|>|[-*+] |\d+\. |\||<|\[[A-Z][A-Z0-9]*(-[A-Z0-9]+)+\])", line):
            continue
        para.append(line.strip())
    text = " ".join(para)
    for m in re.finditer(r"[.!?](?=\s+[A-Z(`*\"]|\s*$)", text):
        if not ABBREV.search(text[:m.end()]):
            return text[:m.end()]
    return text


def inline_html(md):
    """A line of markdown prose as HTML: code spans, links, emphasis."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", md)):
        if i % 2:
            out.append("<code>%s</code>" % esc(part[1:-1]))
            continue
        part = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", part)
        part = esc(part)
        part = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", part)
        part = re.sub(r"(?<![\w*])\*(.+?)\*(?![\w*])", r"<em>\1</em>", part)
        out.append(part)
    return "".join(out)


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


ZOO_ENTRY = re.compile(r"\{\s*[A-Z][A-Z0-9]*_BUG_([A-Z0-9_]+)\s*,(.*?)\}\s*[,;]", re.S)
C_FIELD = re.compile(r'NULL|"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*')


def c_string(tok):
    if tok == "NULL":
        return None
    return "".join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', tok)).replace('\\"', '"')


def read_zoo(path):
    """The bug zoo as its chapter defines it: a list of {name, rule, buggy,
    fixed, gap, href}, from the C table of entries in the chapter's code
    blocks; href is the bug's "### name" section on the chapter page."""
    if not path:
        return []
    if not os.path.exists(path):
        die("%s: bug-zoo chapter not found" % path)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    prose = dict(prose_lines(path))
    code = "\n".join("" if n in prose else l for n, l in enumerate(lines, 1))
    anchors = {gfm_id(m.group(1)) for n, l in prose.items()
               for m in [re.match(r"^#{2,6}\s+(.+?)\s*#*\s*$", l)] if m}
    page = page_of(path)
    zoo, seen = [], {}
    for m in ZOO_ENTRY.finditer(code):
        fields = [c_string(t) for t in C_FIELD.findall(m.group(2))]
        line = code.count("\n", 0, m.start()) + 1
        name = m.group(1).lower().replace("_", "-")
        if not fields or not fields[0] or not RULE_ID.match(fields[0]):
            die('%s:%d: zoo entry %s: expected a rule ID string ("RULE-ID") after the switch'
                % (path, line, name))
        if name in seen:
            die("%s:%d: zoo entry %s given twice (first at line %d)" % (path, line, name, seen[name]))
        seen[name] = line
        fields += [None] * (4 - len(fields))
        zoo.append({"name": name, "rule": fields[0], "buggy": fields[1], "fixed": fields[2],
                    "gap": fields[3], "line": line,
                    "href": page + ("#" + name if name in anchors else "")})
    if not zoo:
        die('%s: no bug-zoo table: expected entries like { MMUSPEC_BUG_NAME, "RULE-ID", '
            '"buggy-test", "fixed-test", NULL }, in a code block' % path)
    return zoo


def read_kills(path):
    """Measured kill times per bug from build/bugzoo/table.md: name ->
    {"kills": [(corpus label, median seconds or None)], "verdict": text},
    and the table's first line (what was measured, how)."""
    kills, header, note = {}, None, ""
    if not path or not os.path.exists(path):
        return kills, note
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("|"):
                note = note or line
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(re.match(r"^:?-+:?$", c) for c in cells):
                continue
            if header is None:
                header = cells
                continue
            m = re.match(r"^`([^`]+)`$", cells[0])
            if not m:
                continue
            row = {"kills": [], "verdict": ""}
            for h, c in zip(header, cells):
                hm = re.match(r"^(.*?):\s*kill s median", h)
                if hm:
                    med = c.split("/")[0].strip()
                    row["kills"].append((hm.group(1), med if re.match(r"^[\d.]+$", med) else None))
                elif h == "verdict":
                    row["verdict"] = re.sub(r"\s*\(known gap.*$", "", c.replace("**", ""))
            kills[m.group(1)] = row
    return kills, note


def kill_text(k):
    """'killed: libFuzzer empty 0.34 s, seeds 0.23 s' for one measured bug."""
    parts = []
    for label, med in k["kills"]:
        parts.append("%s %s" % (esc(label), "%s s" % med if med else "no kill"))
    return '<span class="kill">%s%s</span>' % (
        esc(k["verdict"] or "measured") + (": " if parts else ""), ", ".join(parts))


def rule_paragraph(src, line):
    """The text of the paragraph that starts at SRC:LINE."""
    try:
        with open(src, encoding="utf-8") as f:
            lines = f.read().split("\n")[line - 1:]
    except OSError:
        return ""
    out = []
    for l in lines:
        if not l.strip():
            break
        out.append(l.strip())
    return " ".join(out)


def family_conventions(docs):
    """Rule families that are not oracle rules, as the chapters state it in a
    list item "the `PREFIX-` family ..., which <what checks it>;": a list of
    (prefix, what, href of the section that says so)."""
    out = []
    for doc in docs:
        section, item = "", []
        for _, line in list(prose_lines(doc)) + [(0, "")]:
            h = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
            if h:
                section = gfm_id(h.group(1))
            if re.match(r"^\s*[-*+] ", line) or not line.strip() or h:
                text = " ".join(item)
                m = re.match(r"^the `([A-Z][A-Z0-9]*-)` family\b.*?, which (.+?)[;.]?$", text)
                if m:
                    out.append((m.group(1), m.group(2), page_of(doc) + ("#" + section if section else "")))
                item = [re.sub(r"^\s*[-*+] ", "", line).strip()] if re.match(r"^\s*[-*+] ", line) else []
            elif item:
                item.append(line.strip())
    return out


def not_oracle(rule, families):
    """(what checks it, HTML) for a rule that is not an oracle rule, else None:
    its paragraph's "Not an oracle rule: ..." or its family's convention."""
    para = rule_paragraph(rule["src"], rule["line"])
    m = re.search(r"(?:^|[.!?]\s+)Not an oracle rule\b[:.,]?\s*(.*)$", para)
    if m:
        return inline_html(m.group(1).strip() or "see its paragraph")
    for prefix, what, href in families:
        if rule["id"].startswith(prefix):
            return '%s (<a href="%s">convention</a>)' % (inline_html(what), esc(href))
    return None


def litmus_cell(entries, by_name):
    """Litmus column: forbidden tests by name, the allowed ones folded."""
    def one(name, verdict):
        # The litmus page has the whole observation; here only a run that
        # did not come out as the file declares is flagged.
        observed = (by_name.get(name, {}).get("observed") or "").split(" ")[0].rstrip(":")
        declared = (by_name.get(name, {}).get("expect") or "").split(" ")[0]
        flag = observed if observed and observed != declared else ""
        label = esc(name) + (' <span class="verdict">%s</span>' % esc(flag) if flag else "")
        if name in by_name:
            return '<a href="litmus.html#litmus-%s">%s</a>' % (esc(name), label)
        return label + ' <span class="status">file missing</span>'
    forb = [(n, v) for n, v in entries if not v.startswith("allowed")]
    allowed = [(n, v) for n, v in entries if v.startswith("allowed")]
    out = "<br>".join(one(n, v) for n, v in forb)
    if allowed:
        items = "<br>".join(one(n, v) for n, v in allowed)
        out += ('%s<details><summary>%d allowed</summary>%s</details>'
                % ("" if not forb else "", len(allowed), items))
    return out


def page_rules(a, chapters, rules, rulemap):
    xref = read_xref(a.xref)
    litmus = read_litmus(a.litmus_dir, a.litmus_results)
    by_name = {t["name"]: t for t in litmus}
    by_rule = {}   # ID -> {litmus test name: verdict}
    for t in litmus:
        for rid in t["rules"]:
            by_rule.setdefault(rid, {})[t["name"]] = t["expect"] or ""
    for rid, x in xref.items():
        for kind in ("forbidden", "allowed"):
            for f in x[kind]:
                by_rule.setdefault(rid, {}).setdefault(litmus_name(f), kind)
    zoo = read_zoo(a.bugzoo_def)
    kills, kill_note = read_kills(a.bugzoo_dir and os.path.join(a.bugzoo_dir, "table.md"))
    bz = {}
    for b in zoo:
        k = kills.get(b["name"])
        gap = ' <span class="status" title="%s">gap</span>' % esc(b["gap"]) if b["gap"] else ""
        bz.setdefault(b["rule"], []).append(
            '<a href="%s">%s</a>%s%s' % (esc(b["href"]), esc(b["name"]), gap,
                                        "<br>" + kill_text(k) if k else ""))
    families = family_conventions([c["src"] for c in chapters if os.path.exists(c["src"])])
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

    if zoo:
        zoo_src = "the zoo table of [%s](%s) (%d bugs, each with the rule it breaks); kill " \
            "times: %s" % (os.path.basename(a.bugzoo_def), page_of(a.bugzoo_def), len(zoo),
                           "`build/bugzoo/table.md` (%s)" % re.split(r":\s", kill_note)[0] if kills
                           else "not measured yet (`make bugzoo` writes `build/bugzoo/table.md`)")
    else:
        zoo_src = "none yet: no bug-zoo chapter"
    out += ("Where the other columns come from:\n\n"
            "- Oracle check: %s; a rule that is not an oracle rule says what checks it "
            "instead.\n- Litmus tests: %s.\n- Bug zoo: %s.\n\n" % (
                origin(any(x["check"] for x in xref.values()),
                       "`build/rules-xref.tsv` (`make rules-xref`)"),
                origin(bool(by_rule), "`corpus/litmus/*.litmus` and `build/rules-xref.tsv`"),
                zoo_src))
    rows = []
    for r in rules:
        page = page_of(r["src"])
        ch = titles.get(page)
        chap = ('<a href="%s">%s</a>' % (page, esc(ch["num"] + " " + ch["title"]))
                if ch else esc(r["src"]))
        srcline = '<a class="srcline" href="source/%s#L%d"><code>%s:%d</code></a>' % (
            page, r["line"], esc(os.path.basename(r["src"])), r["line"])
        x = xref.get(r["id"])
        oracle = check_link(x["check"], titles) if x and x["check"] else ""
        if not oracle:
            other = not_oracle(r, families)
            if other:
                oracle = '<span class="status">not an oracle rule</span><br>%s' % other
        lit = litmus_cell(sorted(by_rule.get(r["id"], {}).items()), by_name)
        rows.append(
            '<tr id="%s"><td><a class="rule-id" href="%s#%s">%s</a> '
            '<a class="permalink" href="#%s" title="Permalink to this row">¶</a></td>'
            '<td data-label="Statement">%s</td><td data-label="Chapter">%s<br>%s</td>'
            '<td data-label="Oracle check">%s</td><td data-label="Litmus tests">%s</td>'
            '<td data-label="Bug zoo">%s</td></tr>' % (
                r["id"], page, r["id"], r["id"], r["id"], esc(r["summary"]), chap, srcline,
                oracle or none_yet(), lit or none_yet(),
                "<br>".join(bz.get(r["id"], [])) or none_yet()))
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
    rows = "".join(
        '<tr><td><a href="#litmus-%s">%s</a></td><td class="verdict">%s</td><td>%s</td><td>%s</td></tr>\n' % (
            esc(t["name"]), esc(t["name"]), esc(t["observed"] or t["expect"] or "—"),
            ", ".join(rule_link(r, rulemap) for r in t["rules"]), esc(t["about"] or ""))
        for t in tests)
    out += raw('<table class="litmus-index">\n<thead><tr><th>Test</th><th>%s</th><th>Rules</th>'
               '<th>About</th></tr></thead>\n<tbody>\n%s</tbody>\n</table>' % (
                   "Observed" if any(t["observed"] for t in tests) else "Expected", rows))
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


def page_bugzoo(a, site_out, rulemap, litmus_names):
    out = front("Bug zoo", "bugzoo")
    zoo = read_zoo(a.bugzoo_def)
    if zoo:
        def test(name):
            if not name:
                return none_yet("none")
            if name in litmus_names:
                return '<a href="litmus.html#litmus-%s"><code>%s</code></a>' % (esc(name), esc(name))
            return "<code>%s</code>" % esc(name)
        rows = "".join(
            '<tr><td><a href="%s"><code>%s</code></a></td><td data-label="Rule broken">%s</td>'
            '<td data-label="Forbidden test">%s</td><td data-label="Allowed test">%s</td>'
            '<td data-label="Known gap">%s</td></tr>\n' % (
                esc(b["href"]), esc(b["name"]), rule_link(b["rule"], rulemap), test(b["buggy"]),
                test(b["fixed"]), esc(b["gap"]) if b["gap"] else "—")
            for b in zoo)
        out += ("## The zoo\n\n%d historical bugs, each a switch of the model that turns the "
                "mistake back on, with the rule its finding must carry and the litmus test it "
                "makes `forbidden` (and the same test without the bug, `allowed`). From the table "
                "of [%s](%s); each name links to the bug's story there.\n\n" % (
                    len(zoo), os.path.basename(a.bugzoo_def), page_of(a.bugzoo_def)))
        out += raw('<table class="zoo">\n<thead><tr><th>Bug</th><th>Rule broken</th>'
                   '<th>Forbidden test (bug on)</th><th>Allowed test (bug off)</th><th>Known gap</th>'
                   '</tr></thead>\n<tbody>\n' + rows + "</tbody>\n</table>")
    d = a.bugzoo_dir
    table = d and os.path.join(d, "table.md")
    out += "## Measured kill times\n\n"
    if table and os.path.exists(table):
        with open(table, encoding="utf-8") as f:
            out += "::: {.measured}\n" + f.read().strip() + "\n:::\n\n"
    else:
        out += ("Not measured yet: `build/bugzoo/table.md` does not exist (`make bugzoo` "
                "writes it).\n\n")
    plots = sorted(f for f in os.listdir(d) if f.endswith((".svg", ".png"))) if d and os.path.isdir(d) else []
    out += "## Time to detection\n\n"
    if plots:
        os.makedirs(os.path.join(site_out, "bugzoo"), exist_ok=True)
        for p in plots:
            src, dst = os.path.join(d, p), os.path.join(site_out, "bugzoo", p)
            if not os.path.exists(dst) or open(src, "rb").read() != open(dst, "rb").read():
                shutil.copyfile(src, dst)
            out += '![Plot `build/bugzoo/%s`, written by `make bugzoo` with the table above.](bugzoo/%s)\n\n' % (p, p)
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
        items = "".join(
            '<li><a href="%s"><span class="num">%s</span> %s</a><p class="summary" title="%s">%s</p></li>\n' % (
                c["href"], esc(c["num"]), esc(c["title"]), esc(re.sub(r"[`*]", "", s)), inline_html(s))
            for c, s in ((c, first_sentence(c["src"]) if os.path.exists(c["src"]) else "")
                         for c in chapters))
        out += raw('<ol class="cards chapter-cards">\n' + items + "</ol>")
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
    # css/script: template lists (links in <head>, scripts at the end of
    # <body>); as header-includes markdown, pandoc wraps them in a <p>, which
    # the browser moves into <body> above the top bar.
    out = front("Search", "search",
                "css: [pagefind/pagefind-ui.css]\n"
                "script: [pagefind/pagefind-ui.js, assets/search.js]\n")
    out += raw('<p id="search-note">Loading the search index…</p>\n<div id="search"></div>')
    return out


def cmd_doxheader(a):
    with open(a.topbar, encoding="utf-8") as f:
        bar = f.read()
    if re.search(r"\$(?!root\$)[\w.-]+\$|\$\{", bar.replace("$root$", "")):
        die("%s: only the variable $root$ can be used in the top bar (it is shared "
            "with the Doxygen header)" % a.topbar)
    bar = bar.replace("$root$", "$relpath^../")
    with open(a.header, encoding="utf-8") as f:
        lines = f.read().split("\n")
    marks = [i for i, l in enumerate(lines) if l.lstrip().startswith("<!-- mmuspec:topbar")]
    if len(marks) != 1:
        die("%s: expected one '<!-- mmuspec:topbar' marker line, found %d" % (a.header, len(marks)))
    lines[marks[0]] = bar.rstrip("\n")
    write_if_changed(a.out, "\n".join(lines))


def cmd_pages(a):
    chapters = read_nav(a.nav) if a.nav and os.path.exists(a.nav) else []
    rules = read_rules(a.rules)
    rulemap = {r["id"]: page_of(r["src"]) for r in rules}
    pages = {
        "index": page_index(a, chapters, rules),
        "rules": page_rules(a, chapters, rules, rulemap),
        "litmus": page_litmus(a, rulemap),
        "bugzoo": page_bugzoo(a, a.site_out, rulemap,
                              {t["name"] for t in read_litmus(a.litmus_dir, None)}),
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
    s = sub.add_parser("doxheader")
    s.add_argument("--header", required=True)
    s.add_argument("--topbar", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("pages")
    s.add_argument("--outdir", required=True)
    s.add_argument("--site-out", required=True)
    s.add_argument("--rules")
    s.add_argument("--nav")
    s.add_argument("--xref")
    s.add_argument("--litmus-dir")
    s.add_argument("--litmus-results")
    s.add_argument("--bugzoo-dir")
    s.add_argument("--bugzoo-def")
    s.add_argument("--bench-dir")
    s.add_argument("--diagrams")
    s.add_argument("--index")
    a = p.parse_args()
    {"nav": cmd_nav, "rulemap": cmd_rulemap, "source": cmd_source, "doxheader": cmd_doxheader,
     "pages": cmd_pages}[a.cmd](a)


if __name__ == "__main__":
    main()
