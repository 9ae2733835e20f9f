#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# coverage.sh TARGET - source-based coverage of a fuzz target's corpus.
#
# Replays the seeds, the campaign corpus and the filed findings of TARGET
# with the clang coverage build, merges the profiles and writes an HTML
# report with line and branch coverage to build/coverage/TARGET/. The
# summary groups files by chapter: ref/NN-topic/ mirrors doc/NN-topic.md
# (clang's coverage mapping keeps the real file names, not the #line ones).
set -u
target=$1
B=build
bin=$B/cov/fuzz/bin/$target
out=$B/coverage/$target
rm -rf "$out"
mkdir -p "$out/profraw"
inputs=()
for d in "$B/fuzz/$target/seeds" "fuzz/seeds/$target" "$B/fuzz/$target/corpus"; do
	[ -d "$d" ] && inputs+=("$d")
done
for f in "$B/fuzz/$target"/findings/*/input; do
	[ -f "$f" ] && inputs+=("$f")
done
if [ ${#inputs[@]} -eq 0 ]; then
	echo "coverage: no corpus for '$target' yet: run make fuzz FUZZ_TARGET=$target first" >&2
	exit 1
fi
# Findings abort by design; keep going, a profile is written per process.
for i in "${inputs[@]}"; do
	LLVM_PROFILE_FILE="$out/profraw/%p.profraw" "$bin" "$i" >/dev/null 2>&1
done
llvm-profdata merge -sparse "$out"/profraw/*.profraw -o "$out/cov.profdata" || exit 1
llvm-cov show "$bin" -instr-profile="$out/cov.profdata" -format=html \
	-show-branches=count -show-line-counts-or-regions \
	-output-dir="$out/html" -ignore-filename-regex='^/usr/' || exit 1
llvm-cov report "$bin" -instr-profile="$out/cov.profdata" \
	-ignore-filename-regex='^/usr/' >"$out/report.txt" || exit 1
echo "coverage: $out/html/index.html"
# Per chapter: sum the files that belong to each doc/NN-*.md or ref/NN-*/.
awk 'NR > 2 && $1 !~ /^-+$/ && $1 != "TOTAL" && NF >= 13 {
	ch = $1
	if (match(ch, /doc\/[0-9][0-9]-[a-z0-9-]+\.md/)) ch = substr(ch, RSTART, RLENGTH)
	else if (match(ch, /ref\/[0-9][0-9]-[a-z0-9-]+/)) ch = substr(ch, RSTART, RLENGTH)
	else if (match(ch, /(fuzz|examples)\/[^\/]+/)) ch = substr(ch, RSTART, RLENGTH)
	lines[ch] += $8; lmiss[ch] += $9; br[ch] += $11; bmiss[ch] += $12
} END {
	printf "%-40s %14s %16s\n", "chapter", "lines", "branches"
	for (c in lines) if (lines[c])
		printf "%-40s %6d/%-6d %5.1f%%  %6d/%-6d %5.1f%%\n", c,
			lines[c] - lmiss[c], lines[c], lines[c] ? 100 * (lines[c] - lmiss[c]) / lines[c] : 100,
			br[c] - bmiss[c], br[c], br[c] ? 100 * (br[c] - bmiss[c]) / br[c] : 100
}' "$out/report.txt" | sort | tee "$out/chapters.txt"
tail -n 1 "$out/report.txt"
