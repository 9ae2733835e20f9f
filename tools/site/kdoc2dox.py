#!/usr/bin/env python3
"""Doxygen INPUT_FILTER: rewrite kernel-doc comments into Doxygen markup.

Usage: kdoc2dox.py FILE   (Doxygen calls it so; the result goes to stdout)

The output has exactly as many lines as the input, so Doxygen's line numbers
(and its warnings) still point at the real source line.

kernel-doc forms handled (see the kernel's Documentation/doc-guide/kernel-doc.rst
for the format itself):

  /**
   * name() - summary            -> @brief summary
   * struct|union|enum|typedef name - summary
   * @arg: text                  -> @param arg text   (functions, macros)
   * @member: text               -> moved to the member as a trailing  /**< text */
   * Return: / Returns: text     -> @return text
   * Context: / Note: / ... text -> @ksection{Context} text  (alias in the Doxyfile)
   * DOC: title                  -> left as a plain comment (not API)
   */

Inline markup: @arg -> @p arg, %CONST -> @c CONST, &struct foo -> foo.
Characters Doxygen would take as commands or HTML (#word, <, >, \\) are escaped
outside `code spans`.

Problems kernel-doc itself would report (a /** comment that is not
kernel-doc, a documented member or parameter that does not exist, a comment
naming a different function than the one that follows) are printed to stderr
as "FILE:LINE: warning: ..." so the Doxygen log check fails the build.
"""
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
HEAD_RE = re.compile(
    r"^(?:(?P<kind>struct|union|enum|typedef)\s+(?P<tname>" + IDENT + r")"
    r"|(?P<fname>" + IDENT + r")\s*(?:\(\s*\))?)\s*-+\s*(?P<summary>.*)$")
DOC_RE = re.compile(r"^DOC:\s*(.*)$")
PARAM_RE = re.compile(r"^@(" + IDENT + r"|\.\.\.)\s*:\s?(.*)$")
SECTION_RE = re.compile(r"^([A-Z][a-z]+(?: [a-z]+)?):\s*(.*)$")
RULE_REF_RE = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]")
RETURN_SECTIONS = {"Return", "Returns"}
KNOWN_SECTIONS = {"Context", "Note", "Notes", "Example", "Locking", "Warning",
                  "Caller", "Description", "Lock", "See also", "Todo"}


def warn(path, lineno, msg):
    sys.stderr.write("%s:%d: warning: %s\n" % (path, lineno, msg))


def escape_text(text):
    """Escape Doxygen specials and convert kernel-doc inline markup,
    leaving `code spans` untouched."""
    parts = re.split(r"(`+[^`]*`+)", text)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1:
            out.append(part.replace("``", "`"))
            continue
        part = part.replace("\\", "\\\\")
        part = part.replace("<", "\\<").replace(">", "\\>")
        part = re.sub(r"#(?=\w)", r"\\#", part)
        part = re.sub(r"&(?:struct|union|enum|typedef)\s+(" + IDENT + ")", r"\1", part)
        part = re.sub(r"&(" + IDENT + r")", r"\1", part)
        part = re.sub(r"(?<![\w@])@(" + IDENT + r"|\.\.\.)", r"@p \1", part)
        part = re.sub(r"%(" + IDENT + r")", r"@c \1", part)
        part = RULE_REF_RE.sub(r'<a href="../rules.html#\1">[\1]</a>', part)
        out.append(part)
    return "".join(out)


def split_comment_line(line):
    """Return (prefix, content) for a line inside a /** ... */ comment."""
    m = re.match(r"^(\s*\*(?!/) ?)(.*)$", line)
    if m:
        return m.group(1), m.group(2)
    m = re.match(r"^(\s*)(.*)$", line)
    return m.group(1), m.group(2)


class Comment:
    def __init__(self, start, lines):
        self.start = start          # 0-based index of the "/**" line
        self.lines = lines          # raw lines, first is "/**...", last has "*/"
        self.kind = None            # 'func', 'struct', 'union', 'enum', 'typedef', 'doc', None
        self.name = None
        self.members = {}           # name -> (lineno, text)  (struct/union/enum)


def convert_comment(path, c):
    """Rewrite the lines of one comment in place; returns the new lines."""
    raw = c.lines
    out = list(raw)
    first = raw[0]
    # Text after "/**" on the opening line.
    m = re.match(r"^(\s*/\*\*)(.*)$", first)
    opener, rest = m.group(1), m.group(2)
    if rest.startswith("<") or rest.startswith("*"):
        return out  # /**< member comment or a /*** banner: not kernel-doc, keep
    if "*/" in rest:
        # one-line form: /** name() - summary */
        inner, after = rest.split("*/", 1)
        mh = HEAD_RE.match(inner.strip())
        if not mh:
            warn(path, c.start + 1, "comment starts with '/**' but is not a kernel-doc comment "
                 "(expected 'name() - summary')")
            return out
        if mh.group("kind"):
            c.kind, c.name = mh.group("kind"), mh.group("tname")
        else:
            c.kind, c.name = "func", mh.group("fname")
        out[0] = opener + " @brief " + escape_text(mh.group("summary").strip()) + " */" + after
        return out
    body = []  # (index in raw, prefix, content)
    if rest.strip():
        body.append((0, opener + " ", rest.strip()))
    for i in range(1, len(raw)):
        line = raw[i]
        if "*/" in line:
            pre = line[:line.index("*/")]
            if pre.strip(" \t*"):
                p, t = split_comment_line(pre)
                body.append((i, p, t))
            break
        p, t = split_comment_line(line)
        body.append((i, p, t))
    # Find the head line (first non-empty content).
    head_idx = next((k for k, b in enumerate(body) if b[2].strip()), None)
    if head_idx is None:
        return out
    hi, hp, htext = body[head_idx]
    md = DOC_RE.match(htext.strip())
    if md:
        c.kind = "doc"
        out[0] = first.replace("/**", "/* ", 1)
        return out
    mh = HEAD_RE.match(htext.strip())
    if not mh:
        warn(path, c.start + 1 + hi,
             "comment starts with '/**' but is not a kernel-doc comment "
             "(expected 'name() - summary' or 'struct name - summary')")
        return out
    if mh.group("kind"):
        c.kind, c.name = mh.group("kind"), mh.group("tname")
    else:
        c.kind, c.name = "func", mh.group("fname")
    summary = mh.group("summary").strip()
    if not summary:
        warn(path, c.start + 1 + hi, "kernel-doc for '%s' has an empty summary" % c.name)
    out[hi] = hp + "@brief " + escape_text(summary) if hi else opener + " @brief " + escape_text(summary)
    # Walk the remaining lines: parameters/members, then sections.
    current = None  # ('member', name) while collecting a member description
    for (i, p, t) in body[head_idx + 1:]:
        s = t.strip()
        mp = PARAM_RE.match(s)
        if mp:
            name, text = mp.group(1), mp.group(2)
            if c.kind in ("struct", "union", "enum"):
                c.members[name] = [c.start + 1 + i, text.strip()]
                current = name
                out[i] = p.rstrip() if p.strip() else p
            else:
                current = None
                out[i] = p + "@param " + name + " " + escape_text(text)
            continue
        if current is not None:
            if s and not SECTION_RE.match(s):
                c.members[current][1] += " " + s
                out[i] = p.rstrip() if p.strip() else p
                continue
            current = None
        ms = SECTION_RE.match(s)
        if ms and (ms.group(1) in RETURN_SECTIONS or ms.group(1) in KNOWN_SECTIONS):
            sect, text = ms.group(1), ms.group(2)
            if sect in RETURN_SECTIONS:
                out[i] = p + "@return " + escape_text(text)
            elif sect == "Description":
                out[i] = p + escape_text(text)
            else:
                out[i] = p + "@ksection{" + sect + "} " + escape_text(text)
            continue
        out[i] = p + escape_text(t) if t else raw[i]
    return out


def decl_name_ok(c, following):
    """Check that the declaration after a comment matches the name it documents."""
    text = " ".join(following)
    if c.kind == "func":
        return re.search(r"\b" + re.escape(c.name) + r"\b", text) is not None
    if c.kind in ("struct", "union", "enum"):
        return re.search(r"\b" + c.kind + r"\s+" + re.escape(c.name) + r"\b", text) is not None
    if c.kind == "typedef":
        return re.search(r"\b" + re.escape(c.name) + r"\b", text) is not None
    return True


MEMBER_END_RE = re.compile(r"(" + IDENT + r")\s*(?:\[[^\]]*\]\s*)*(?::\s*\w+\s*)?;")
FPTR_RE = re.compile(r"\(\s*\*\s*(" + IDENT + r")\s*\)\s*[(\[]")
ENUMVAL_RE = re.compile(r"^\s*(" + IDENT + r")\s*(?:=[^,/]*)?,?\s*(?:/\*.*\*/\s*)?$")


def declarators(code):
    """Names declared by a statement with several declarators ("int a, b[2];"),
    or None for a single declarator or anything with parentheses."""
    if "(" in code or ";" not in code:
        return None
    parts = code[:code.index(";")].split(",")
    if len(parts) < 2:
        return None
    names = []
    for part in parts:
        part = re.sub(r"\[[^\]]*\]", "", part)
        part = re.sub(r":\s*\w+\s*$", "", part)
        m = re.search("(" + IDENT + r")\s*$", part)
        if not m:
            return None
        names.append(m.group(1))
    return names


def attach_members(path, lines, c, body_start):
    """Append /**< text */ to the member declarations named in c.members.
    body_start is the index of the first line after the comment."""
    depth = 0
    seen_open = False
    pending_fptr = None
    found = set()
    end = len(lines)
    for j in range(body_start, len(lines)):
        line = lines[j]
        code = re.sub(r"/\*.*?\*/", "", line.split("//")[0])
        names = []
        if seen_open and depth >= 1:
            mf = FPTR_RE.search(code)
            if mf:
                pending_fptr = mf.group(1)
            if pending_fptr and ";" in code:
                names.append(pending_fptr)
                pending_fptr = None
            elif c.kind == "enum":
                me = ENUMVAL_RE.match(code)
                if me and me.group(1) not in ("enum",):
                    names.append(me.group(1))
            else:
                for mm in MEMBER_END_RE.finditer(code):
                    names.append(mm.group(1))
        multi = declarators(code) if (seen_open and depth >= 1 and c.kind != "enum") else None
        if multi:
            # "int a, b;": Doxygen takes "/** doc */" before each declarator
            pos = 0
            for name in multi:
                m = re.compile(r"\b" + re.escape(name) + r"\b").search(lines[j], pos)
                if not m:
                    continue
                if name in c.members and name not in found:
                    found.add(name)
                    ins = "/** " + escape_text(c.members[name][1]).replace("*/", "* /") + " */ "
                    lines[j] = lines[j][:m.start()] + ins + lines[j][m.start():]
                    pos = m.end() + len(ins)
                else:
                    pos = m.end()
            names = []
        for name in names:
            if name in c.members and name not in found:
                found.add(name)
                doc = escape_text(c.members[name][1]).replace("*/", "* /")
                tail = " /**< " + doc + " */"
                if "//" in line:
                    k = line.index("//")
                    lines[j] = line[:k].rstrip() + tail + " " + line[k:]
                else:
                    lines[j] = line.rstrip("\n") + tail
        depth += code.count("{") - code.count("}")
        if "{" in code:
            seen_open = True
        if seen_open and depth <= 0:
            end = j
            break
    for name, (lineno, _) in c.members.items():
        if name not in found:
            warn(path, lineno, "%s %s: documented member '%s' not found in the body"
                 % (c.kind, c.name, name))
    return end


def process(path, text):
    lines = text.split("\n")
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if re.match(r"^\s*/\*\*(?![*<])", line):
            j = i
            while j < n and "*/" not in (lines[j] if j > i else lines[j][lines[j].index("/**") + 3:]):
                j += 1
            if j >= n:
                warn(path, i + 1, "unterminated comment")
                break
            c = Comment(i, lines[i:j + 1])
            lines[i:j + 1] = convert_comment(path, c)
            nxt = j + 1
            if c.kind and c.kind != "doc":
                following = [l for l in lines[nxt:nxt + 6]]
                if not decl_name_ok(c, following):
                    warn(path, i + 1, "kernel-doc names '%s' but the next declaration is "
                         "something else" % c.name)
                if c.members:
                    nxt = attach_members(path, lines, c, nxt)
                elif c.kind in ("struct", "union", "enum"):
                    pass
            i = max(nxt, j + 1)
            continue
        i += 1
    return "\n".join(lines)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: kdoc2dox.py FILE\n")
        return 2
    path = argv[1]
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        sys.stderr.write("kdoc2dox.py: %s\n" % e)
        return 1
    sys.stdout.write(process(path, text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
