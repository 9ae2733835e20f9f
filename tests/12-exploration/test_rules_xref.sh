#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# test_rules_xref.sh - the rule cross-reference lint (doc/12-exploration.md,
# 12.6) passes on the tree, fails when an oracle rule loses its forbidden
# test, and skips LIT- rules and paragraphs marked "Not an oracle rule".
set -u
root=$(pwd)
tangle=$root/build/tools/tangle
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r doc tools corpus "$tmp"/
cd "$tmp" || exit 1
run() { B="$tmp/build" TANGLE="$tangle" tools/rules-xref.sh; }

out=$(run) && echo "ok - rules-xref passes on the tree" ||
	echo "not ok - rules-xref passes on the tree: $out"
grep -q $'^LIT-' build/rules-xref.tsv &&
	echo "not ok - LIT- rules are skipped" || echo "ok - LIT- rules are skipped"
grep -q $'^FUZZ-TOTAL\t' build/rules-xref.tsv &&
	echo "not ok - a paragraph marked 'Not an oracle rule' is skipped" ||
	echo "ok - a paragraph marked 'Not an oracle rule' is skipped"
grep -q $'^TLB-ORDER\tdoc/10-oracle.md:[0-9]' build/rules-xref.tsv &&
	echo "ok - an oracle rule is listed with its check" ||
	echo "not ok - an oracle rule is listed with its check"

grep -lE '^expect[[:space:]]+forbidden[[:space:]]+LAZY-NEST' corpus/litmus/*.litmus | xargs rm -f
out=$(run)
rc=$?
[ $rc -ne 0 ] && grep -q 'LAZY-NEST: no forbidden test' <<<"$out" &&
	echo "ok - a rule without a forbidden test fails the lint" ||
	echo "not ok - a rule without a forbidden test fails the lint (rc $rc: $out)"
out=$(ENFORCE=0 run)
[ $? -eq 0 ] && echo "ok - ENFORCE=0 only reports the gap" ||
	echo "not ok - ENFORCE=0 only reports the gap"
