#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# Tests of tools/tangle (chapter 01, sections 1.2-1.5), run with the
# ASan+UBSan build. Each error class asserts the exact file:line and message.
set -u
top=$(pwd)
T=${TANGLE_ASAN:-$top/build/tools/tangle-asan}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98

fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fails=$((fails + 1)); }

# new_case NAME: fresh directory with doc/, cd into it
new_case() {
	cd "$top" || exit 1
	rm -rf "${scratch:?}/case"
	mkdir -p "$scratch/case/doc"
	cd "$scratch/case" || exit 1
}

# expect_error NAME EXPECTED-STDERR [tangle args...]: exit 1, exact stderr
expect_error() {
	local name=$1 want=$2 got rc
	shift 2
	got=$("$T" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$got" = "$want" ]; then
		ok "$name"
	else
		notok "$name (exit $rc)"
		printf '    want: %s\n    got:  %s\n' "$want" "$got"
	fi
}

expect_ok() {
	local name=$1 got rc
	shift
	got=$("$T" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$got" ]; then
		ok "$name"
	else
		notok "$name (exit $rc)"
		printf '    %s\n' "$got"
	fi
}

fence='```'

# --- undefined chunk ------------------------------------------------------
new_case
cat >doc/05-a.md <<EOF
# A

$fence{.c file=ref/05-a/a.c}
int f(void)
{
	<<missing piece>>
}
$fence
EOF
expect_error "undefined chunk is reported at the reference" \
	"doc/05-a.md:6: error: reference to undefined chunk <<missing piece>>" \
	doc/05-a.md
[ ! -e ref/05-a/a.c ] && ok "nothing is written when there are errors" ||
	notok "nothing is written when there are errors"

# --- unused chunk ----------------------------------------------------------
new_case
cat >doc/05-a.md <<EOF
# A

$fence{.c file=ref/05-a/a.c}
int x;
$fence

Text.

$fence{.c chunk="spare part"}
int y;
$fence
EOF
expect_error "unused chunk is reported at its fence" \
	"doc/05-a.md:9: error: chunk <<spare part>> is defined but never used" \
	doc/05-a.md

# --- cycle -----------------------------------------------------------------
new_case
cat >doc/05-a.md <<EOF
# A

$fence{.c file=ref/05-a/a.c}
<<one>>
$fence

$fence{.c chunk="one"}
<<two>>
$fence

$fence{.c chunk="two"}
<<one>>
$fence
EOF
expect_error "reference cycle is reported with the whole cycle" \
	"doc/05-a.md:12: error: chunk reference cycle: <<one>> -> <<two>> -> <<one>>" \
	doc/05-a.md

# --- output paths ----------------------------------------------------------
new_case
cat >doc/05-a.md <<EOF
# A

$fence{.c file=src/a.c}
int x;
$fence

$fence{.c file=ref/../etc/a.c}
int y;
$fence

$fence{.py file=ref/a.py}
y = 1
$fence
EOF
expect_error "output paths outside ref/ and examples/ are rejected" \
	"doc/05-a.md:3:8: error: output path 'src/a.c' is outside ref/ and examples/
doc/05-a.md:7:8: error: output path 'ref/../etc/a.c' is not a plain relative path (no //, . or .. parts)
doc/05-a.md:11:9: error: output path 'ref/a.py' is not a .c, .h, Makefile or Kbuild file" \
	doc/05-a.md

# --- stray file --------------------------------------------------------------
new_case
cat >doc/05-a.md <<EOF
# A

$fence{.c file=ref/05-a/a.c}
int x;
$fence
EOF
mkdir -p ref/05-a examples/old
echo 'int stale;' >examples/old/b.c
expect_error "a file no chapter produces is an error" \
	"examples/old/b.c:1: error: no chapter produces this file: move its text into a chapter block {.c file=examples/old/b.c}, or delete it" \
	doc/05-a.md

# --- malformed markdown ------------------------------------------------------
new_case
printf '# A\n\n%s{.c file=ref/a.c}\nint x;\n' "$fence" >doc/05-a.md
expect_error "unterminated fence" \
	"doc/05-a.md:3:1: error: unterminated code fence: expected a closing line of at least 3 '\`'" \
	doc/05-a.md

new_case
printf '# A\n\n%s\nint x;\n%s\n' "$fence" "$fence" >doc/05-a.md
expect_error "empty info string" \
	"doc/05-a.md:3:1: error: code block without an info string: name its language (\`\`\`c, \`\`\`sh, \`\`\`text) or tangle it ({.c file=ref/...})" \
	doc/05-a.md

new_case
printf '# A\n\n    int x;\n' >doc/05-a.md
expect_error "indented code block" \
	"doc/05-a.md:3: error: indented code block: use a fenced block with an info string (\`\`\`c, \`\`\`sh, \`\`\`text)" \
	doc/05-a.md

new_case
printf '# A\n\nab\0cd\n' >doc/05-a.md
expect_error "NUL byte" \
	"doc/05-a.md:3:3: error: NUL byte in a chapter: chapters are UTF-8 text" \
	doc/05-a.md

new_case
printf '# A\n\nx \xff\xfe y\n' >doc/05-a.md
expect_error "invalid UTF-8" \
	"doc/05-a.md:3:3: error: invalid UTF-8 (byte 0xff): chapters are UTF-8 text" \
	doc/05-a.md

new_case
printf '# A\r\n' >doc/05-a.md
expect_error "carriage return" \
	"doc/05-a.md:1:4: error: carriage-return byte in a chapter: chapters use LF line endings" \
	doc/05-a.md

new_case
head -c 10485760 /dev/urandom | base64 -w 76 >doc/05-a.md
expect_error "10 MB chapter" \
	"doc/05-a.md:1: error: chapter is $(stat -c %s doc/05-a.md) bytes; chapters are limited to 4194304 bytes (split it)" \
	doc/05-a.md

new_case
head -c 200000 /dev/urandom >doc/05-a.md
got=$("$T" doc/05-a.md 2>&1)
rc=$?
[ "$rc" -eq 1 ] && [[ $got == doc/05-a.md:*": error: "* ]] &&
	ok "random binary chapter: clean error" ||
	notok "random binary chapter: clean error (exit $rc): ${got:0:200}"

new_case
cat >doc/05-a.md <<EOF
# A

$fence{.c file=ref/a.c
int x;
$fence

$fence{.c file=ref/b.c chunk="x"}
int y;
$fence

$fence{.c .h file=ref/c.c}
int z;
$fence

- item

  $fence{.c file=ref/d.c}
  int w;
  $fence

$fence{.c chunk="unterminated}
int v;
$fence

$fence c file=ref/e.c
int u;
$fence
EOF
expect_error "malformed attributes and misplaced blocks" \
	"doc/05-a.md:3:20: error: attributes not closed: expected '}'
doc/05-a.md:7:21: error: a block names either a file or a chunk, not both
doc/05-a.md:11:4: error: a tangled block needs exactly one language class, e.g. {.c file=...}
doc/05-a.md:17:3: error: a tangled block must be at the top level, not inside a list or quote
doc/05-a.md:21:14: error: unterminated quoted value: expected '\"'
doc/05-a.md:25:5: error: tangle attributes must be in braces: {.c file=...} or {.c chunk=\"...\"}" \
	doc/05-a.md

new_case
printf '# A\n' >doc/Intro.md
expect_error "chapter name" \
	"doc/Intro.md:1: error: chapter names have the form NN-topic.md (two digits, lower-case words joined by dashes)" \
	doc/Intro.md

# --- rules -------------------------------------------------------------------
new_case
cat >doc/05-a.md <<'EOF'
# A

[MN-PAIR] Every start has one end. More detail.

[Mn-Pair] Lower case is not an ID.

Some text [MN-PAIR] in the middle is not a rule.

- [TLB_STALE] Underscores are not allowed.

[MN-PAIR] Twice.
EOF
got=$("$T" --rules doc/05-a.md 2>"$scratch/err")
rc=$?
want_err="doc/05-a.md:5: error: malformed rule ID '[Mn-Pair]': a rule ID is upper-case words and digits joined by single dashes, e.g. [MN-PAIR]
doc/05-a.md:9: error: malformed rule ID '[TLB_STALE]': a rule ID is upper-case words and digits joined by single dashes, e.g. [MN-PAIR]
doc/05-a.md:11: error: duplicate rule ID [MN-PAIR]: first defined at doc/05-a.md:3"
tab=$'\t'
if [ "$rc" -eq 1 ] && [ "$(cat "$scratch/err")" = "$want_err" ] &&
	[ "$got" = "MN-PAIR${tab}doc/05-a.md${tab}3${tab}Every start has one end" ]; then
	ok "rule index and rule lint"
else
	notok "rule index and rule lint (exit $rc)"
	printf '    out: %s\n    err: %s\n' "$got" "$(cat "$scratch/err")"
fi

# --- what tangling produces ------------------------------------------------
new_case
cat >doc/05-a.md <<EOF
# A

$fence{.c file=ref/05-a/a.c}
int f(void)
{
	if (1) {
		<<body>>
	}
	return 0;
}
$fence

$fence{.c chunk="body"}
g();

h();
$fence

$fence{.c file=ref/include/a.h}
int f(void);
$fence
EOF
cat >doc/06-b.md <<EOF
# B

$fence{.c file=ref/05-a/a.c}
int tail;
$fence
EOF
expect_ok "a good pair of chapters tangles silently" doc/05-a.md doc/06-b.md
want_c='// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Generated by tools/tangle from the chapters below: do not edit
 * this file. Edit the chapter, then run `make tangle`.
 *   doc/05-a.md
 *   doc/06-b.md
 */
#line 4 "doc/05-a.md"
int f(void)
{
	if (1) {
#line 14 "doc/05-a.md"
		g();

		h();
#line 8 "doc/05-a.md"
	}
	return 0;
}
#line 4 "doc/06-b.md"
int tail;'
[ "$(cat ref/05-a/a.c)" = "$want_c" ] && ok "banner, #line, indentation kept, blank lines unindented, continuation across chapters" ||
	{ notok "generated .c file"; diff <(echo "$want_c") ref/05-a/a.c | sed 's/^/    /'; }
[ "$(head -n 1 ref/include/a.h)" = "/* SPDX-License-Identifier: GPL-2.0-only OR MIT */" ] &&
	ok "headers get the /* */ SPDX form" || notok "headers get the /* */ SPDX form"
touch -d '2000-01-01' ref/05-a/a.c
"$T" doc/05-a.md doc/06-b.md
[ "$(stat -c %Y ref/05-a/a.c)" = "$(date -d 2000-01-01 +%s)" ] &&
	ok "an unchanged file is not rewritten" || notok "an unchanged file is not rewritten"
cp ref/05-a/a.c "$scratch/first"
"$T" --out "$scratch/again" doc/05-a.md doc/06-b.md
cmp -s "$scratch/first" "$scratch/again/ref/05-a/a.c" && ok "tangling is deterministic" ||
	notok "tangling is deterministic"

# --- tangle-check catches a hand edit ---------------------------------------
sed -i 's/h();/h(); \/\* quick fix \*\//' ref/05-a/a.c
expect_error "--check names the chapter line behind a hand edit" \
	"doc/05-a.md:16: error: ref/05-a/a.c:15 differs from what the chapters produce (edited by hand? edit the chapter, then run \`make tangle\`)" \
	--check doc/05-a.md doc/06-b.md
rm ref/include/a.h
expect_error "--check reports a missing file at its first block" \
	"doc/05-a.md:16: error: ref/05-a/a.c:15 differs from what the chapters produce (edited by hand? edit the chapter, then run \`make tangle\`)
doc/05-a.md:19: error: ref/include/a.h is produced here but missing: run \`make tangle\`" \
	--check doc/05-a.md doc/06-b.md

# --- #line lands compiler errors in the chapter -----------------------------
new_case
cat >doc/07-broken.md <<EOF
# Broken on purpose

$fence{.c file=ref/07-broken/b.c}
int f(void);

int f(void)
{
	<<the broken part>>
}
$fence

The chunk below uses a name that does not exist.

$fence{.c chunk="the broken part"}
int a = 1;

return a + no_such_variable;
$fence
EOF
"$T" doc/07-broken.md
for cc in gcc clang; do
	msg=$($cc -c ref/07-broken/b.c -o /dev/null 2>&1)
	if grep -q '^doc/07-broken.md:17:[0-9]*: error: .*no_such_variable' <<<"$msg"; then
		ok "$cc reports the error at the chapter line"
	else
		notok "$cc reports the error at the chapter line"
		printf '    %s\n' "$msg"
	fi
done

# --- the real chapters --------------------------------------------------------
cd "$top" || exit 1
mkdir -p "$scratch/real"
if "$T" --out "$scratch/real" doc/*.md; then
	for d in ref examples; do mkdir -p "$d" "$scratch/real/$d"; done
	if diff -r ref "$scratch/real/ref" >/dev/null &&
		diff -r examples "$scratch/real/examples" >/dev/null; then
		ok "round trip: doc/ tangles to exactly the committed ref/ and examples/"
	else
		notok "round trip: doc/ tangles to exactly the committed ref/ and examples/"
	fi
else
	notok "round trip: the real chapters tangle"
fi

# A hand edit of the real tree, on a scratch copy.
mkdir -p "$scratch/copy"
cp -r doc ref examples "$scratch/copy/"
cd "$scratch/copy" || exit 1
victim=ref/01-literate/warn.c
sed -i 's/warn_count++;/warn_count += 2;/' "$victim"
out=$("$T" --check doc/*.md 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && [[ $out == "doc/01-literate.md:"*"$victim:"*"differs"* ]]; then
	ok "tangle-check on a copy of the real tree names doc/01-literate.md after a hand edit"
else
	notok "tangle-check on a copy of the real tree names the chapter (exit $rc): $out"
fi

[ "$fails" -eq 0 ]
