#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# test_site.sh - the site build and its checks accept a good fixture and
# reject broken ones (issue 8). Run from the repository root; prints
# "ok - ..." / "not ok - ..." lines and a closing "N passed, N failed".
#
# The fixture (tests/site/fixture/doc) is tangled by the stand-in
# fallback-tangle.py into a scratch tree under build/site-test/, built with
# mk/site.mk (tests/site/fixture.mk), and then damaged in one way per case.
set -u
cd "$(dirname "$0")/../.."
root=build/site-test
tools=tools/site
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
notok() { echo "not ok - $1"; failed=$((failed + 1)); }

fresh() { # fresh DIR: a tangled copy of the fixture
	rm -rf "$1" && mkdir -p "$1" && cp -r tests/site/fixture/doc "$1/" &&
		python3 tests/site/fallback-tangle.py --tangle "$1" "$1"/doc/*.md
}
build() { make --no-print-directory -s -f tests/site/fixture.mk FX="$1" "${2:-site}" >"$1.log" 2>&1; }

# 1. kernel-doc filter: conversion, line count kept, problems reported.
out=$(python3 $tools/kdoc2dox.py tests/site/fixture/kdoc/sample.h 2>"$root.kdoc.err")
if [ "$(printf '%s\n' "$out" | wc -l)" -eq "$(wc -l <tests/site/fixture/kdoc/sample.h)" ] &&
	grep -q '@brief start a read-side critical section' <<<"$out" &&
	grep -q '@param flags @c FX_NOWAIT or 0' <<<"$out" &&
	grep -q '@return the sequence count' <<<"$out" &&
	grep -q 'unsigned long seq; /\*\*< sequence count' <<<"$out" &&
	grep -q 'int /\*\* first line \*/ line, /\*\* first column \*/ col;' <<<"$out" &&
	grep -q 'documented member .nosuch. not found' "$root.kdoc.err" &&
	grep -q "names 'fx_wrong' but the next declaration" "$root.kdoc.err" &&
	grep -q 'is not a kernel-doc comment' "$root.kdoc.err"; then
	ok "kdoc2dox converts kernel-doc, keeps line numbers, reports bad comments"
else
	notok "kdoc2dox output or warnings (see tests/site/fixture/kdoc/sample.h)"
fi

# 2. The good fixture builds and passes every check.
good=$root/good
mkdir -p $root
if fresh $good && build $good site-check; then
	ok "fixture site builds and passes site-check"
else
	notok "fixture site-check failed: $good.log"
	tail -n 30 $good.log
fi
site=$good/out/site
if grep -q 'id="FX-FIRST"' $site/00-intro.html &&
	grep -q 'href="#FX-FIRST"' $site/00-intro.html &&
	grep -q '<tr id="FX-CODE">' $site/rules.html &&
	grep -q 'class="apilink"' $site/00-intro.html &&
	grep -q '<svg' $site/00-intro.html &&
	grep -q 'chunk-src" href="source/01-code.html#L5"' $site/01-code.html &&
	grep -q 'href="#chunk-fx-types">⟨fx types⟩' $site/01-code.html &&
	grep -q '\[<a class="ruleref" href="00-intro.html#FX-FIRST">FX-FIRST</a>\]' $site/01-code.html &&
	grep -q 'Not produced yet' $site/litmus.html &&
	[ -f $site/pagefind/pagefind.js ]; then
	ok "fixture pages carry rule anchors, API links, SVG, chunk labels, honest placeholders"
else
	notok "fixture page content"
fi

# 3. Incremental: touching one chapter re-renders only that chapter.
sleep 1
touch $good/doc/01-code.md
if make --no-print-directory -f tests/site/fixture.mk FX=$good site >$good.incr.log 2>&1 &&
	grep -q 'PANDOC .*01-code.html' $good.incr.log &&
	! grep -q 'PANDOC .*00-intro.html' $good.incr.log; then
	ok "incremental build re-renders only the touched chapter"
else
	notok "incremental build: $good.incr.log"
fi

# 4. A broken internal link is rejected, by linkchecker and by check-anchors.
bad=$root/badlink
fresh $bad && build $bad site &&
	sed -i 's|<p>Ordinary prose|<p><a href="nowhere.html">x</a> <a href="01-code.html#no-such-anchor">y</a> Ordinary prose|' $bad/out/site/00-intro.html
cp $tools/linkchecker.ini $root/linkcheckerrc && chmod 644 $root/linkcheckerrc
linkchecker -f $root/linkcheckerrc --no-status --no-warnings "$PWD/$bad/out/site/index.html" >$bad.lc.log 2>&1
lc=$?
python3 $tools/check-anchors.py $bad/out/site $bad/out/site-src/rules.tsv >$bad.log 2>&1
ca=$?
if [ $lc -ne 0 ] && grep -q 'nowhere.html' $bad.lc.log &&
	[ $ca -ne 0 ] && grep -q 'nowhere.html does not exist' $bad.log &&
	grep -q 'no id="no-such-anchor" on 01-code.html' $bad.log; then
	ok "linkchecker rejects a broken link; check-anchors rejects it and a broken #anchor"
else
	notok "planted broken link/anchor not rejected: $bad.lc.log $bad.log"
fi

# 5. A rule without its anchor is rejected (anchor removed from the page).
bad=$root/noanchor
fresh $bad && build $bad site &&
	sed -i 's|id="FX-SECOND-2"|id="renamed"|' $bad/out/site/00-intro.html
if ! python3 $tools/check-anchors.py $bad/out/site $bad/out/site-src/rules.tsv >$bad.log 2>&1 &&
	grep -q 'FX-SECOND-2.*no id="FX-SECOND-2" anchor on 00-intro.html' $bad.log; then
	ok "check-anchors rejects a rule with no anchor"
else
	notok "check-anchors accepted a missing rule anchor: $bad.log"
fi

# 6. The browser check rejects a JavaScript error and a blank page.
bad=$root/browser
fresh $bad && build $bad site &&
	printf 'undefinedFunctionCall();\n' >>$bad/out/site/assets/site.js &&
	cp $bad/out/site/rules.html $bad/out/site/rules.orig &&
	printf '<!DOCTYPE html><html lang="en"><head><title>x</title><link rel="icon" href="data:,"></head><body></body></html>\n' \
		>$bad/out/site/rules.html
if build $bad site-check; then
	notok "a JS error and a blank rules page passed the browser check"
elif grep -q 'JavaScript error: undefinedFunctionCall is not defined' $bad.log &&
	grep -q 'rules: .*blank render\|rules: body text is empty' $bad.log; then
	ok "browser check rejects a JavaScript error and a blank page"
else
	notok "browser check failed, but not as planted: $bad.log"
fi

# 7. Doxygen warnings fail the build (a @param that names no parameter).
bad=$root/doxwarn
fresh $bad && sed -i 's|^ \* @flags: |&|; s|^ \* @r: the range being read| * @nope: no such parameter|' $bad/ref/fx/fx.h
if build $bad site; then
	notok "a kernel-doc parameter that does not exist passed Doxygen"
elif grep -q "nope" $bad.log && grep -q 'zero warnings' $bad.log; then
	ok "Doxygen warnings fail the site build"
else
	notok "site build failed, but not on the planted warning: $bad.log"
fi

# 8. A graphviz error in a chapter is a build error that names the chapter.
bad=$root/baddot
fresh $bad && sed -i 's|digraph g { rankdir=LR; a -> b -> c; }|digraph g { a -> -> }|' $bad/doc/00-intro.md
if build $bad site; then
	notok "a broken dot diagram was accepted"
elif grep -q 'graphviz failed on diagram 1' $bad.log; then
	ok "a broken dot diagram fails the build with its chapter named"
else
	notok "site build failed, but not on the diagram: $bad.log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
