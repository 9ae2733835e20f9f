#!/usr/bin/env python3
"""Stand-in for the project tangler, used ONLY by tests/site on the fixture.

  fallback-tangle.py --rules FILE...        print ID<TAB>FILE<TAB>LINE<TAB>summary
  fallback-tangle.py --tangle ROOT FILE...  write file= blocks (chunks expanded) under ROOT

It is deliberately small: the real tool is build/tools/tangle.
"""
import os
import re
import sys

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(.*)$")
RULE = re.compile(r"^\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]\s+(.*)$")


def blocks(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            fence, info = m.group(2), m.group(3)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            yield i + 1, info, lines[i + 1:j]
            i = j + 1
            continue
        yield i + 1, None, [lines[i]]
        i += 1


def rules(paths):
    for p in paths:
        prev_blank = True
        for lineno, info, ls in blocks(p):
            if info is None:
                m = RULE.match(ls[0])
                if m and prev_blank:
                    summary = re.split(r"(?<=[.;:])\s", m.group(2))[0]
                    print("%s\t%s\t%d\t%s" % (m.group(1), p, lineno, summary))
                prev_blank = not ls[0].strip()
            else:
                prev_blank = False


def tangle(root, paths):
    chunks, files = {}, {}
    for p in paths:
        for _, info, ls in blocks(p):
            if not info:
                continue
            mf = re.search(r'file="?([^"\s}]+)', info)
            mc = re.search(r'chunk="([^"]+)"', info)
            if mf:
                files.setdefault(mf.group(1), []).extend(ls)
            elif mc:
                chunks.setdefault(mc.group(1), []).extend(ls)

    def expand(ls, depth=0):
        out = []
        for l in ls:
            m = re.match(r"^(\s*)<<(.+)>>\s*$", l)
            if m:
                if m.group(2) not in chunks or depth > 20:
                    sys.exit("fallback-tangle: undefined chunk %s" % m.group(2))
                out.extend(m.group(1) + x for x in expand(chunks[m.group(2)], depth + 1))
            else:
                out.append(l)
        return out

    for name, ls in files.items():
        dest = os.path.join(root, name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write("\n".join(expand(ls)) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--rules":
        rules(sys.argv[2:])
    elif len(sys.argv) > 3 and sys.argv[1] == "--tangle":
        tangle(sys.argv[2], sys.argv[3:])
    else:
        sys.exit("usage: fallback-tangle.py --rules FILE... | --tangle ROOT FILE...")
