#!/usr/bin/env python3
"""Every rule printed by `make rules` must have an anchor on the site.

  check-anchors.py SITE_DIR RULES_TSV

For each rule ID (from lines ID<TAB>doc/NN-x.md<TAB>LINE<TAB>summary):
  - NN-x.html has an element id="ID" holding a permalink <a href="#ID">;
  - rules.html has an element id="ID".
Prints every problem and exits 1 if there is one.
"""
import os
import sys
from html.parser import HTMLParser


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.stack = []          # ids of open elements
        self.permalinks = set()  # ids that contain an <a href="#id">

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
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
    for pr in problems:
        print("  " + pr)
    if problems:
        print("rule anchors FAILED: %d problems" % len(problems))
        return 1
    print("rule anchors: %d rules, each anchored on its chapter and in rules.html" % len(rules))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
