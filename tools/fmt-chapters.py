#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""fmt-chapters.py - apply clang-format to the code blocks of the chapters.

`make style` checks the generated C with clang-format, but the chapters are
the source, so a style fix has to be made there. This tool formats each
generated file, splits the original and the formatted text at the #line
directives the tangler wrote (each piece between two of them is a run of
consecutive lines of one chapter), and writes every changed piece back over
the chapter lines it came from, without the indentation a chunk reference
added. Run `make tangle` afterwards. A file whose pieces clang-format moved
across a #line boundary is left alone and reported.

usage: fmt-chapters.py FILE...   (generated files under ref/ or examples/)
"""
import re
import subprocess
import sys

LINE = re.compile(r'^#line (\d+) "([^"]+)"$')


def pieces(lines):
    """[(chapter, first_line, [lines])] after each #line directive."""
    out = []
    for text in lines:
        m = LINE.match(text)
        if m:
            out.append((m.group(2), int(m.group(1)), []))
        elif out:
            out[-1][2].append(text)
    return out


def main(files):
    edits = {}  # chapter -> {first_line: (old_count, new_lines)}
    status = 0
    for path in files:
        # Generated files end with a newline: drop the empty last piece.
        orig = open(path, encoding="utf-8").read().split("\n")[:-1]
        fmt = subprocess.run(["clang-format", path], check=True,
                             capture_output=True, text=True).stdout.split("\n")[:-1]
        a, b = pieces(orig), pieces(fmt)
        if [(c, n) for c, n, _ in a] != [(c, n) for c, n, _ in b]:
            print(f"{path}: clang-format moved code across #line directives; fix by hand", file=sys.stderr)
            status = 1
            continue
        for (chapter, first, old), (_, _, new) in zip(a, b):
            if old == new:
                continue
            src = open(chapter, encoding="utf-8").read().split("\n")
            indent = None
            for k, text in enumerate(old):
                ch = src[first - 1 + k]
                if text.strip():
                    if not text.endswith(ch):
                        indent = None
                        break
                    indent = text[:len(text) - len(ch)]
                    break
            if indent is None or any(t.strip() and not t.startswith(indent) for t in new):
                print(f"{path}: cannot map a piece back to {chapter}:{first}; fix by hand", file=sys.stderr)
                status = 1
                continue
            edits.setdefault(chapter, {})[first] = (
                len(old), [t[len(indent):] if t.strip() else "" for t in new])
    for chapter, by_line in edits.items():
        src = open(chapter, encoding="utf-8").read().split("\n")
        for first in sorted(by_line, reverse=True):
            count, new = by_line[first]
            src[first - 1:first - 1 + count] = new
        open(chapter, "w", encoding="utf-8").write("\n".join(src))
        print(f"formatted {len(by_line)} piece(s) of {chapter}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
