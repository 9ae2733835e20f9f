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
# build_fails DIR TARGET WHAT PATTERN...: making TARGET in DIR fails and its
# log matches every PATTERN (grep -E).
build_fails() {
	local dir=$1 target=$2 what=$3 p
	shift 3
	if build "$dir" "$target"; then
		notok "$what: the build passed"
		return
	fi
	for p in "$@"; do
		if ! grep -qE -- "$p" "$dir.log"; then
			notok "$what: the build failed, but $dir.log has no '$p'"
			return
		fi
	done
	ok "$what"
}

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
# a measured bug-zoo table, in the shape fuzz/bugzoo-report.py writes
zootable() {
	mkdir -p "$1/bugzoo" && cat >"$1/bugzoo/table.md" <<'EOF'
Measured by `make bugzoo BUGZOO_SECONDS=5` on 2026-01-01 00:00 UTC: a fixture, not a measurement.

| bug | rule expected | rule fired | libFuzzer empty: kill s median / min / max | kills | libFuzzer seeds: kill s median / min / max | kills | verdict |
|---|---|---|---|---|---|---|---|
| (no bug: control) | none | none | — | 0/1 | — | 0/1 | clean |
| `lost-flush` | FX-FIRST | FX-FIRST | 1.50 / 1.00 / 2.00 | 1/1 | — | 0/1 | **survived** 1/2 |
EOF
}
if fresh $good && zootable $good && build $good site-check; then
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

# Rule index: bug-zoo entries from the zoo chapter's table (linked to their
# story, with measured kill times when there are some); a rule that is not
# an oracle rule says what checks it, from its paragraph or its family.
if grep -q '<tr id="FX-FIRST">.*<a href="02-zoo.html#lost-flush">lost-flush</a>.*libFuzzer empty 1.50 s, libFuzzer seeds no kill' $site/rules.html &&
	grep -q '<tr id="FX-SECOND-2">.*<a href="02-zoo.html">early-free</a> <span class="status" title="no step reaches it, yet">gap</span>' $site/rules.html &&
	grep -q '<tr id="FX-ZOO">.*not an oracle rule</span><br><code>make fx-zoo</code> checks it.' $site/rules.html &&
	grep -q '<tr id="FXL-ONE">.*not an oracle rule</span><br><code>make fx-lint</code> enforces (<a href="02-zoo.html#' $site/rules.html &&
	grep -q '<table class="zoo">' $site/bugzoo.html &&
	grep -q '<a href="02-zoo.html#lost-flush"><code>lost-flush</code></a></td><td data-label="Rule broken"><a class="ruleref" href="00-intro.html#FX-FIRST">' $site/bugzoo.html; then
	ok "rule index: zoo entries from the zoo chapter with kill times; what checks a non-oracle rule"
else
	notok "rule index zoo / non-oracle columns ($site/rules.html)"
fi

# Index cards carry the chapter's first sentence; the search page's
# stylesheet is in <head>, not in a <p> above the top bar; the API pages
# carry the site's top bar.
if grep -q '<p class="summary" title="[^"]*">This fixture chapter defines a small bug zoo, the way the real bug-zoo chapter does.</p>' $site/index.html &&
	sed -n '/<head>/,/<\/head>/p' $site/search.html | grep -q '<link rel="stylesheet" href="pagefind/pagefind-ui.css">' &&
	! grep -q '<p><link' $site/search.html &&
	grep -q '<header class="topbar"' $site/api/index.html &&
	grep -q '<a href="../litmus.html">Litmus</a>' $site/api/index.html; then
	ok "chapter cards have summaries; search page head is clean; API pages share the top bar"
else
	notok "index summaries / search head / API top bar"
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
fresh $bad && sed -i 's|^ \* @r: the range being read| * @nope: no such parameter|' $bad/ref/fx/fx.h
build_fails $bad site "Doxygen warnings fail the site build" "nope" "zero warnings"

# 8. A graphviz error in a chapter is a build error that names the chapter.
bad=$root/baddot
fresh $bad && sed -i 's|digraph g { rankdir=LR; a -> b -> c; }|digraph g { a -> -> }|' $bad/doc/00-intro.md
build_fails $bad site "a broken dot diagram fails the build with its chapter named" \
	"graphviz failed on diagram 1"

# 9. The browser check rejects what a reader would find sloppy: something
# above the top bar, a page wider than the window, an API top bar unlike the
# others, a chapter card without summary, a zoo entry missing from the rule
# index.
bad=$root/layout
fresh $bad && build $bad site &&
	sed -i 's|<body class="litmus">|&<p>a strip above the bar</p>|' $bad/out/site/litmus.html &&
	sed -i 's|<article>|&<div style="width: 3000px">wide</div>|' $bad/out/site/diagrams.html &&
	sed -i 's|<a href="02-zoo.html#lost-flush">lost-flush</a>||' $bad/out/site/rules.html &&
	sed -i -E 's|<p class="summary"([^>]*)>.*</p></li>|<p class="summary"></p></li>|' $bad/out/site/index.html &&
	sed -i '/<a href="..\/litmus.html">Litmus<\/a>/d' $bad/out/site/api/*.html
build_fails $bad site-check "browser check rejects a strip above the top bar, a too-wide page, a different API bar, a card without summary, a missing zoo entry" \
	'litmus: top bar is at y=' 'diagrams: page is [0-9]+ px wide' \
	'rules: rule FX-FIRST: the Bug zoo column does not list lost-flush' \
	'index: chapter card "00 .*" has no summary' 'api: top bar differs from the front page'

# 10. A malformed zoo entry is an error that names the chapter line.
bad=$root/badzoo
fresh $bad && sed -i 's|"FX-FIRST", "fx-lost-flush"|"fx-first", "fx-lost-flush"|' $bad/doc/02-zoo.md
build_fails $bad site "a malformed zoo entry fails the build with file:line" \
	'02-zoo.md:21: zoo entry lost-flush: expected a rule ID string'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
