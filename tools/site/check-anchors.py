#!/usr/bin/env python3
"""Anchors of the built site.

  check-anchors.py SITE_DIR RULES_TSV

1. Every rule printed by `make rules` (lines ID<TAB>doc/NN-x.md<TAB>LINE<TAB>...):
   NN-x.html has an element id="ID" holding a permalink <a href="#ID">, and
   rules.html has an element id="ID".
2. Every relative link (href/src) of every page, the Doxygen pages included,
   reaches an existing file, and a #fragment reaches an element with that id
   (or a Doxygen <a name=...>).  linkchecker (run beside this) checks the
   pages it crawls from index.html too, but its anchor plugin re-parses a page
   for every fragment link, which takes minutes on a long chapter, so
   fragments are checked here, with one parse per page.
Prints every problem and exits 1 if there is one.
"""
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.stack = []          # ids of open elements
        self.permalinks = set()  # ids that contain an <a href="#id">
        self.links = []          # every href/src

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and tag != "link":
                self.links.append(a[key])
        if tag == "a" and (a.get("href") or "").startswith("#"):
            target = a["href"][1:]
            if target in self.stack:
                self.permalinks.add(target)
        if tag not in ("br", "img", "input", "meta", "link", "hr", "col", "wbr", "source"):
            self.stack.append(a.get("id"))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()


def parse(path):
    p = Ids()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return p


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: check-anchors.py SITE_DIR RULES_TSV\n")
        return 2
    site, rules_tsv = argv[1], argv[2]
    rules = []
    with open(rules_tsv, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                rules.append((parts[0], parts[1], parts[2]))
    cache = {}

    def page(name):
        if name not in cache:
            path = os.path.join(site, name)
            cache[name] = parse(path) if os.path.exists(path) else None
        return cache[name]

    problems = []
    index = page("rules.html")
    if index is None:
        problems.append("rules.html does not exist")
    for rid, src, line in rules:
        name = os.path.splitext(os.path.basename(src))[0] + ".html"
        p = page(name)
        where = "%s:%s" % (src, line)
        if p is None:
            problems.append("%s (%s): page %s does not exist" % (rid, where, name))
        elif rid not in p.ids:
            problems.append("%s (%s): no id=\"%s\" anchor on %s" % (rid, where, rid, name))
        elif rid not in p.permalinks:
            problems.append("%s (%s): anchor on %s has no permalink <a href=\"#%s\">" % (rid, where, name, rid))
        if index is not None and rid not in index.ids:
            problems.append("%s (%s): no id=\"%s\" row in rules.html" % (rid, where, rid))
    nfrag = check_fragments(site, page, problems)
    for pr in problems:
        print("  " + pr)
    if problems:
        print("anchors FAILED: %d problems" % len(problems))
        return 1
    print("anchors: %d rules, each anchored on its chapter and in rules.html; "
          "%d fragment links, all resolve" % (len(rules), nfrag))
    return 0


def check_fragments(site, page, problems):
    """Check every internal link with a #fragment; returns how many."""
    n = 0
    for dirpath, dirnames, filenames in os.walk(site):
        dirnames[:] = [d for d in dirnames if d != "pagefind"]
        for fn in sorted(filenames):
            if not fn.endswith(".html"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, fn), site)
            p = page(rel)
            for href in p.links:
                u = urlsplit(href)
                if u.scheme or u.netloc or href.startswith("//"):
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(rel), unquote(u.path))) \
                    if u.path else rel
                if target.startswith(".."):
                    problems.append("%s: link %s leaves the site" % (rel, href))
                    continue
                if os.path.isdir(os.path.join(site, target)):
                    target = os.path.join(target, "index.html")
                if not target.endswith(".html"):
                    if not os.path.exists(os.path.join(site, target)):
                        problems.append("%s: link %s: %s does not exist" % (rel, href, target))
                    continue
                tp = page(target)
                if tp is None:
                    problems.append("%s: link %s: page %s does not exist" % (rel, href, target))
                    continue
                if not u.fragment:
                    continue
                n += 1
                frag = unquote(u.fragment)
                if frag not in tp.ids:
                    problems.append("%s: link %s: no id=\"%s\" on %s" % (rel, href, frag, target))
    return n


if __name__ == "__main__":
    sys.exit(main(sys.argv))
