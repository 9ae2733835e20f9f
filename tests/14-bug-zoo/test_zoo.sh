#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# test_zoo.sh - the second half of ZOO-KILL (doc/14-bug-zoo.md): for every
# bug of the zoo table, its litmus test switches the bug on and is
# `forbidden` by the table's rule, and the same test without the bug line is
# `allowed`; both pass under the ASan+UBSan litmus runner. A bug whose
# table entry names a gap is reported as a skip, with the gap.
set -u
B=${B:-build}
zoo=$B/gcc/bin/bugzoo
litmus=$B/asan/bin/litmus
rules=$B/rules.tsv
[ -f "$rules" ] || rules=/dev/null

table=$("$zoo") && echo "ok - the zoo table has one entry per bug switch" || {
	echo "not ok - the zoo table has one entry per bug switch"
	exit 1
}
# The program must notice a missing entry: it checks every enum value, so
# a table with an entry too few is caught (checked on the count here).
n=$(wc -l <<<"$table")
[ "$n" -ge 16 ] && echo "ok - $n bugs in the zoo" || echo "not ok - $n bugs in the zoo (want 16 or more)"

verdict() { # FILE: the runner's line for it (or its error output)
	local out
	for try in 1 2 3; do
		out=$("$litmus" --rules="$rules" "$1" 2>&1)
		grep -qE '^(PASS|FAIL) ' <<<"$out" && break
		sleep 2 # a concurrent rebuild of the runner (text file busy)
	done
	grep -E '^(PASS|FAIL) ' <<<"$out" | head -n 1 | grep . || head -n 3 <<<"$out"
}

# check BUG FILE WHAT: FILE passes under the runner (its expect line is
# what the caller checked), reported as "FILE is WHAT".
check() {
	local v
	v=$(verdict "$2")
	case $v in
	PASS*) echo "ok - $1: $(basename "$2") is $3" ;;
	*) echo "not ok - $1: $(basename "$2"): $v" ;;
	esac
}

while IFS=$'\t' read -r bug rule buggy fixed gap; do
	if [ "$buggy" = - ]; then
		echo "ok - $bug: no litmus test with the bug # SKIP $gap"
	elif [ "$gap" = - ] && ! grep -qE "^bug( .*)? $bug( |$)" "$buggy"; then
		echo "not ok - $bug: $buggy switches the bug on (no 'bug $bug' line)"
	elif ! grep -qE "^expect[[:space:]]+forbidden[[:space:]]+$rule\$" "$buggy"; then
		echo "not ok - $bug: $buggy expects forbidden $rule"
	else
		check "$bug" "$buggy" "forbidden by $rule"
	fi
	if grep -qE "^bug( .*)? $bug( |$)" "$fixed"; then
		echo "not ok - $bug: $fixed has the bug line"
	elif ! grep -qE '^expect[[:space:]]+allowed' "$fixed"; then
		echo "not ok - $bug: $fixed expects allowed"
	else
		check "$bug" "$fixed" allowed
	fi
	[ "$gap" = - ] || echo "ok - $bug: known gap # SKIP $gap"
done <<<"$table"

# The fuzzer's kills kept as regressions (fuzz/bugzoo-regressions.sh): each
# switches its bug on and stays forbidden by the rule it was killed with.
for f in corpus/regressions/zoo-*.litmus; do
	[ -e "$f" ] || continue
	bug=$(basename "$f" .litmus)
	bug=${bug#zoo-}
	if ! grep -qE "^bug( .*)? $bug( |$)" "$f"; then
		echo "not ok - regression $f switches $bug on"
	else
		check "$bug" "$f" "still forbidden ($(sed -n 's/^expect forbidden //p' "$f"))"
	fi
done
