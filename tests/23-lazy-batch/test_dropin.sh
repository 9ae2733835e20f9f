#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# test_dropin.sh - chapter 23's lazy-batch example, plugged into the model
# through chapter 07.3's table, is a drop-in for the built-in batching
# backend: every litmus test of corpus/litmus and corpus/regressions that
# runs with `lazy batch` gets the same verdict with `lazy lazy-batch`
# (forbidden ones by the same rule: LAZY-COMMIT, LAZY-FLUSH, LAZY-PREEMPT
# with the per-CPU bug, LAZY-READ). A fixed schedule line is dropped: it
# counts the built-in backend's scheduling points. Tests under v6.5 and
# v6.6 are left out: the example exists only from v6.15 (the parser refuses
# it earlier, checked at the end). Runs under the ASan+UBSan litmus runner.
set -u
B=${B:-build}
litmus=$B/asan/bin/litmus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

files=$(grep -lx 'lazy batch' corpus/litmus/*.litmus corpus/regressions/*.litmus)
n=0
for f in $files; do
	name=$(basename "$f" .litmus)
	grep -qE '^profile v6\.[56]$' "$f" && continue
	sed -e 's/^lazy batch$/lazy lazy-batch/' -e '/^schedule /d' \
		-e "s/^name .*/name $name-lazy-batch/" "$f" >"$tmp/$name.litmus"
	grep -qx 'lazy lazy-batch' "$tmp/$name.litmus" || {
		echo "not ok - $name: no lazy line to replace"
		continue
	}
	want=$(sed -n 's/^expect //p' "$f")
	out=$("$litmus" "$tmp/$name.litmus" 2>/dev/null)
	if grep -q "^PASS $name-lazy-batch" <<<"$out"; then
		echo "ok - $name with lazy-batch: $want"
	else
		echo "not ok - $name with lazy-batch: want $want; $(grep -m1 '^FAIL' <<<"$out")"
	fi
	n=$((n + 1))
done
# The list must not be empty: a renamed backend would silently skip all.
[ "$n" -ge 10 ] && echo "ok - $n batching-backend tests rerun with lazy-batch" ||
	echo "not ok - $n batching-backend tests rerun with lazy-batch (want 10 or more)"

# The parser refuses the example before v6.15, at the backend's name.
sed -e 's/^profile v6.15$/profile v6.6/' corpus/litmus/lazy-preempt-per-task.litmus |
	sed -e 's/^lazy batch$/lazy lazy-batch/' >"$tmp/early.litmus"
out=$("$litmus" "$tmp/early.litmus" 2>&1)
line=$(grep -n '^lazy ' "$tmp/early.litmus" | cut -d: -f1)
if grep -q "early.litmus:$line:6: .*expected profile v6.15 or later for lazy lazy-batch.*got v6.6" <<<"$out"; then
	echo "ok - lazy lazy-batch under v6.6 is an error at its name"
else
	echo "not ok - lazy lazy-batch under v6.6 is an error at its name: $out"
fi
