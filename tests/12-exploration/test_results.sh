#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# litmus --results=FILE writes what each test observed, one line per test,
# also with -j (doc/12-exploration.md, section 12.5); the site's litmus page
# shows it.
set -u
L=build/asan/bin/litmus
rules=build/rules.tsv
[ -f "$rules" ] || rules=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {
	if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fails=1; fi
}
forb=corpus/litmus/lazy-flush-before-leave.litmus
allo=corpus/litmus/lazy-flush-after-leave.litmus
# A test whose declared verdict is wrong: the forbidden one, declared allowed.
sed -e "s/^expect forbidden.*/expect allowed/" -e "s/^name .*/name wrong/" "$forb" >"$tmp/wrong.litmus"
"$L" --rules="$rules" -j 2 --results="$tmp/r.tsv" "$forb" "$allo" \
	"$tmp/wrong.litmus" >"$tmp/out" 2>&1
rc=$?
check "the run fails because of the wrong test (exit $rc)" '[ $rc -eq 1 ]'
check "one line per test" '[ "$(wc -l <"$tmp/r.tsv")" -eq 3 ]'
check "a forbidden test's line names the rule" \
	'grep -qP "^lazy-flush-before-leave\tforbidden LAZY-FLUSH \(violation in run [0-9]+\)$" "$tmp/r.tsv"'
check "an allowed test's line says how many runs" \
	'grep -qP "^lazy-flush-after-leave\tallowed \(no violation in [0-9]+ runs\)$" "$tmp/r.tsv"'
check "a failing test's line says it failed and why" \
	'grep -qP "^wrong\tfailed: .+" "$tmp/r.tsv"'
"$L" --rules="$rules" --results= "$forb" >"$tmp/out2" 2>&1
rc=$?
check "an empty --results= is a usage error (exit $rc)" '[ $rc -eq 2 ]'
exit $fails
