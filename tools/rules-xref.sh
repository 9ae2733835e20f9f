#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# rules-xref.sh - cross-reference every rule with its oracle check and its
# litmus tests (doc/12-exploration.md, "The rule cross-reference").
#
# Writes build/rules-xref.tsv: ID <TAB> check (file:line) <TAB>
# forbidden-files (comma) <TAB> allowed-files (comma), one line per rule of
# `make rules` whose ID belongs to the oracle's families (MN-, TLB-, LAZY-).
# A rule needs a check in doc/10-oracle.md (a violation(o, ev, "ID" call or
# a check_stale(o, ev, "ID" argument, possibly wrapped after "violation("), a corpus file `expect forbidden ID`, and
# an `expect allowed` file listing ID on its rules line.
# ENFORCE=1 (or a corpus that covers every rule) makes a gap fatal; until
# then the gap is reported under one line that says "not yet enforced".
set -u
B=${B:-build}
mkdir -p "$B"
out=$B/rules-xref.tsv
tangle=${TANGLE:-$B/tools/tangle}
rules=$("$tangle" --rules doc/*.md 2>/dev/null | cut -f1 | grep -E '^(MN|TLB|LAZY)-')
: >"$out"
missing=0
report=()
shopt -s nullglob
files=(corpus/litmus/*.litmus)
for id in $rules; do
	check=$(grep -n -E "(o, &?ev, |check_stale\(o, ev, )\"$id\"" doc/10-oracle.md | head -1 | cut -d: -f1)
	[ -n "$check" ] && check="doc/10-oracle.md:$check"
	forb=() allow=()
	for f in "${files[@]}"; do
		if grep -qE "^expect[[:space:]]+forbidden[[:space:]]+$id([[:space:]]|#|$)" "$f"; then
			forb+=("$f")
		elif grep -qE '^expect[[:space:]]+allowed' "$f" &&
			grep -qE "^rules([[:space:]].*)?[[:space:]]$id([[:space:]]|#|$)" "$f"; then
			allow+=("$f")
		fi
	done
	printf '%s\t%s\t%s\t%s\n' "$id" "${check:--}" \
		"$(IFS=,; echo "${forb[*]:--}")" "$(IFS=,; echo "${allow[*]:--}")" >>"$out"
	gaps=()
	[ -z "$check" ] && gaps+=("no oracle check")
	[ ${#forb[@]} -eq 0 ] && gaps+=("no forbidden test")
	[ ${#allow[@]} -eq 0 ] && gaps+=("no allowed test")
	if [ ${#gaps[@]} -gt 0 ]; then
		missing=$((missing + 1))
		report+=("$id: $(IFS=';'; echo "${gaps[*]}")")
	fi
done
n=$(wc -l <"$out")
if [ "$missing" -eq 0 ]; then
	echo "ok - rules-xref: all $n rules have a check, a forbidden and an allowed litmus test ($out)"
	exit 0
fi
if [ "${ENFORCE:-0}" = 1 ]; then
	printf 'not ok - rules-xref: %s\n' "${report[@]}"
	exit 1
fi
echo "rules-xref: NOT YET ENFORCED: $missing of $n rules lack a check or a litmus test in either direction ($out)"
printf '  %s\n' "${report[@]}"
exit 0
