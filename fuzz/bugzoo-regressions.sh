#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# bugzoo-regressions.sh - keep one fuzzer kill per bug as a regression
# (doc/14-bug-zoo.md, section 14.2).
#
# For every bug that a `make bugzoo` run killed, take the killing input
# under build/bugzoo/runs/, minimize it with the ASan+UBSan replay build
# (MMUSPEC_BUGS set), write it as a litmus test with its schedule fixed and
# its bug line, and save it as corpus/regressions/zoo-BUG.litmus unless that
# file exists (FORCE=1 replaces it). tests/14-bug-zoo/test_zoo.sh runs them.
set -u
B=${B:-build}
replay=$B/asan/fuzz/bin/kernel
runs=$B/bugzoo/runs
[ -d "$runs" ] || { echo "bugzoo-regressions: no $runs: run make bugzoo first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for res in "$runs"/*/*/result; do
	IFS=$'\t' read -r _ bug rule _ _ verdict _ <"$res"
	[ "$verdict" = killed ] && [ "$bug" != none ] || continue
	out=corpus/regressions/zoo-$bug.litmus
	[ -e "$tmp/done-$bug" ] && continue
	[ -e "$out" ] && [ -z "${FORCE:-}" ] && continue
	dir=$(dirname "$res")
	# The killing input is the last crash the run saved.
	crash=$(ls -t "$dir"/crash-* "$dir"/afl-*/default/crashes/id:* 2>/dev/null | head -n 1)
	[ -n "$crash" ] || continue
	MMUSPEC_BUGS=$bug "$replay" --minimize "$tmp/min" "$crash" >/dev/null 2>&1 ||
		cp "$crash" "$tmp/min"
	if ! MMUSPEC_BUGS=$bug "$replay" --litmus "$tmp/t.litmus" "$tmp/min" >/dev/null 2>&1 ||
		! grep -qE "^expect forbidden $rule\$" "$tmp/t.litmus"; then
		echo "bugzoo-regressions: $bug: the minimized kill does not give forbidden $rule; skipped"
		continue
	fi
	{
		echo "# Bug zoo regression (doc/14-bug-zoo.md): the fuzzer's kill of the"
		echo "# '$bug' switch ($rule), minimized, with the schedule it ran under."
		echo "# Made by fuzz/bugzoo-regressions.sh from $(basename "$crash")."
		sed -e "s/^name .*/name zoo-$bug/" \
			-e "s/^about .*/about the bug zoo's minimized fuzz kill of $bug/" "$tmp/t.litmus"
		grep -q '^source ' "$tmp/t.litmus" ||
			echo "source make bugzoo, MMUSPEC_BUGS=$bug; chapter 14 cites the commits"
	} >"$out"
	echo "bugzoo-regressions: wrote $out"
	touch "$tmp/done-$bug" # each bug once
done
