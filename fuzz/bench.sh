#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# bench.sh - fuzzing throughput, as ratios to the empty harness measured in
# the same run, so that a noisy or slower machine changes little.
#
# For each engine build (libFuzzer without sanitizers, libFuzzer with
# ASan+UBSan, AFL++) the empty target and every real target run for
# BENCH_FUZZ_SECONDS (default 10) each, one after the other, from the
# target's seeds in a scratch corpus (findings do not stop a measurement:
# MMUSPEC_FUZZ_KEEP_GOING). Goals (doc/13-fuzzing.md): kernel
# target >= 4% of empty without sanitizers, >= 2% with them; AFL++ >= 80%.
set -u
B=${FUZZ_BUILD:-build}
# A model that still has findings would end each run at its first one.
export MMUSPEC_FUZZ_KEEP_GOING=1
secs=${BENCH_FUZZ_SECONDS:-10}
targets=()
for t in kernel primitives; do
	if [ -f "fuzz/targets/$t.c" ]; then
		targets+=("$t")
	else
		echo "bench-fuzz: target '$t' not built yet (issue 5): no figure for it"
	fi
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

seeds_of() {
	local d
	for d in "$B/fuzz/$1/seeds" "fuzz/seeds/$1"; do
		[ -d "$d" ] && printf '%s\n' "$d"
	done
}

# libfuzzer_rate CONFIG TARGET: executions per second over $secs seconds.
libfuzzer_rate() {
	local out=$scratch/$1-$2
	mkdir -p "$out/corpus"
	# shellcheck disable=SC2046
	"$B/$1/fuzz/bin/$2" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$out/" "$out/corpus" $(seeds_of "$2") \
		>"$out.log" 2>&1
	awk '/^stat::number_of_executed_units:/ {n = $2}
		/^stat::average_exec_per_sec:/ {r = $2}
		END {print (r ? r : 0)}' "$out.log"
}

afl_rate() {
	local out=$scratch/afl-$1 in=$scratch/afl-in-$1 d
	mkdir -p "$in"
	for d in $(seeds_of "$1"); do cp -n "$d"/* "$in/" 2>/dev/null; done
	[ -n "$(ls -A "$in")" ] || printf '\0\0\0\0' >"$in/zero"
	AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		afl-fuzz -i "$in" -o "$out" -V "$secs" -- "$B/afl/fuzz/bin/$1" \
		>"$out.log" 2>&1
	awk -F' *: *' '$1=="execs_done" {e=$2} $1=="run_time" {t=$2}
		END {printf "%d\n", t ? e / t : 0}' "$out"/default/fuzzer_stats 2>/dev/null || echo 0
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f%%", b ? 100 * a / b : 0}'; }
verdict() { awk -v a="$1" -v b="$2" -v g="$3" 'BEGIN {print (b && 100 * a / b >= g) ? "goal met" : "BELOW GOAL"}'; }

echo "bench-fuzz: $(nproc) CPU(s), $(uname -m), ${secs} s per measurement"
for cfg in fzfast fz; do
	name=$([ "$cfg" = fz ] && echo "libFuzzer ASan+UBSan" || echo "libFuzzer, no sanitizers")
	goal=$([ "$cfg" = fz ] && echo 2 || echo 4)
	base=$(libfuzzer_rate "$cfg" empty)
	printf '%-26s %-11s %10s exec/s\n' "$name" empty "$base"
	for t in "${targets[@]}"; do
		r=$(libfuzzer_rate "$cfg" "$t")
		printf '%-26s %-11s %10s exec/s  %8s of empty  (goal >= %d%%: %s)\n' \
			"$name" "$t" "$r" "$(ratio "$r" "$base")" "$goal" \
			"$(verdict "$r" "$base" "$goal")"
	done
done
base=$(afl_rate empty)
printf '%-26s %-11s %10s exec/s\n' "AFL++" empty "$base"
for t in "${targets[@]}"; do
	r=$(afl_rate "$t")
	printf '%-26s %-11s %10s exec/s  %8s of empty  (goal >= 80%%: %s)\n' \
		"AFL++" "$t" "$r" "$(ratio "$r" "$base")" "$(verdict "$r" "$base" 80)"
done
