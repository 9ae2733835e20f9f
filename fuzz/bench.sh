#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# bench.sh - fuzzing throughput, as ratios to the empty harness measured in
# the same run (doc/13-fuzzing.md, section 13.6), with the goal and the
# verdict on every line.
#
# Each figure is measured BENCH_FUZZ_ROUNDS times (default 3), the empty
# harness right before the targets in every round, and each measurement
# runs the engine for BENCH_FUZZ_SECONDS (default 10) from the kernel
# target's seeds (the litmus suite encoded, build/fuzz/kernel/seeds) into a
# scratch corpus; findings do not stop it (MMUSPEC_FUZZ_KEEP_GOING). A line
# gives the median over the rounds and the spread (lowest-highest), and
# the 1-minute load average over its measurements.
#
# Every engine runs with the options a campaign passes (fuzz/campaign.sh,
# through fuzz/engine-options.sh): the target's dictionary and its
# .options; the empty harness gets the kernel target's, so that it runs
# the same way.
#
# Rates are executions per second of CPU time (user + sys) of the engine
# and everything it started and waited for (for AFL++: afl-fuzz, its fork
# server and the target), so that other work on a shared machine, which
# takes CPU time away, changes them little; the wall-clock rates are
# printed beside them.
#
# The oracle's cost is measured on fixed inputs: the corpus the first
# round's libFuzzer kernel run grew, replayed by the uninstrumented
# kernel target with the oracle and with it compiled out (bench_main.c).
set -u
. "$(dirname "$0")/engine-options.sh"
B=${FUZZ_BUILD:-build}
export MMUSPEC_FUZZ_KEEP_GOING=1
secs=${BENCH_FUZZ_SECONDS:-10}
rounds=${BENCH_FUZZ_ROUNDS:-3}
seeds=$B/fuzz/kernel/seeds
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

# The engine options of TARGET (the kernel target's for the empty harness).
options_of() {
	if [ "$1" = empty ]; then engine_options kernel; else engine_options "$1"; fi
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# libfuzzer_rate CONFIG TARGET ROUND: "CPU-RATE WALL-RATE"; keeps the corpus.
libfuzzer_rate() {
	local out=$scratch/$1-$2-$3
	mkdir -p "$out/corpus"
	options_of "$2"
	/usr/bin/time -f '%U %S' -o "$out.time" "$B/$1/fuzz/bin/$2" \
		-max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$out/" "${dict_lf[@]}" "${opts[@]}" \
		"$out/corpus" "$seeds" >"$out.log" 2>&1
	awk 'FILENAME ~ /time$/ {cpu = $1 + $2; next}
		/^stat::number_of_executed_units:/ {n = $2}
		/^stat::average_exec_per_sec:/ {w = $2}
		END {printf "%d %d\n", (cpu > 0 ? n / cpu : 0), w}' \
		"$out.time" "$out.log"
}

# afl_cpu FILE COMMAND...: run COMMAND, write its CPU seconds to FILE.
# The target process of AFL++'s persistent mode is killed, not waited for,
# when afl-fuzz stops, so getrusage() (time) never sees its CPU time;
# perf's inherited task-clock counter does. Without perf (linux-perf),
# AFL++ is measured on wall-clock time, which a loaded machine distorts.
afl_unit="wall     "
command -v perf >/dev/null &&
	perf stat -e task-clock -x, -o /dev/null true 2>/dev/null &&
	afl_unit="per CPU-s"
afl_cpu() {
	local f=$1
	shift
	if [ "$afl_unit" = "per CPU-s" ]; then
		perf stat -e task-clock -x, -o "$f.perf" "$@"
		awk -F, '$3 == "task-clock" {print $1 / 1000}' "$f.perf" >"$f"
	else
		"$@"
		echo 0 >"$f"
	fi
}

# afl_rate TARGET ROUND: "CPU-RATE WALL-RATE".
afl_rate() {
	local out=$scratch/afl-$1-$2 in=$scratch/afl-in
	if [ ! -d "$in" ]; then
		mkdir -p "$in" && cp "$seeds"/* "$in/" 2>/dev/null
		[ -n "$(ls -A "$in")" ] || printf '\0\0\0\0' >"$in/zero"
	fi
	options_of "$1"
	AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		afl_cpu "$out.time" afl-fuzz -i "$in" -o "$out" -V "$secs" \
		"${dict_afl[@]}" -- "$B/afl/fuzz/bin/$1" >"$out.log" 2>&1
	awk -F' *: *' 'FILENAME ~ /time$/ {cpu = $1; next}
		$1=="execs_done" {e=$2} $1=="run_time" {t=$2}
		END {w = t ? e / t : 0; printf "%d %d\n", (cpu > 0 ? e / cpu : w), w}' \
		"$out.time" "$out"/default/fuzzer_stats 2>/dev/null || echo 0 0
}

# median and spread of a list of numbers (ratios in %, or rates)
summary() {
	tr ' ' '\n' | sort -g | awk 'NF {v[n++] = $1}
		END {if (!n) {print "n/a"; exit}
			m = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
			printf "%s %s %s\n", m, v[0], v[n - 1]}'
}

# verdict MEDIAN GOAL OP: met, NOT MET, or not measured (no or zero figure)
verdict() { awk -v m="$1" -v g="$2" -v op="$3" 'BEGIN {
	if (m == "n/a" || m + 0 <= 0) {print "NOT MEASURED"; exit}
	ok = op == ">=" ? m >= g : m <= g
	print ok ? "met" : "NOT MET"}'; }

declare -A rate wall load
engine_options kernel
echo "bench-fuzz: $(nproc) CPU(s), $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "  $rounds round(s); each figure: the engine for ${secs} s from the $(ls "$seeds" | wc -l) kernel seeds"
echo "  (corpus/litmus and corpus/regressions encoded) into a scratch corpus;"
echo "  the empty harness (return 0) runs the same way right before, in every round;"
echo "  the campaign's options (fuzz/engine-options.sh): kernel: ${dict_lf[*]} ${opts[*]}"
for r in $(seq "$rounds"); do
	for cfg in fzfast fz afl; do
		for t in empty "${targets[@]}"; do
			load[$cfg,$t]+="$(load1) "
			if [ "$cfg" = afl ]; then
				read -r c w < <(afl_rate "$t" "$r")
			else
				read -r c w < <(libfuzzer_rate "$cfg" "$t" "$r")
			fi
			rate[$cfg,$t]+="$c "
			wall[$cfg,$t]+="$w "
			load[$cfg,$t]+="$(load1) "
		done
	done
done

# ratios per round, in percent of the same round's empty harness
ratios() {
	local -a a b
	read -ra a <<<"${rate[$1,$2]}"
	read -ra b <<<"${rate[$1,empty]}"
	for i in "${!a[@]}"; do
		awk -v x="${a[$i]}" -v y="${b[$i]:-0}" 'BEGIN {printf "%.3f ", y ? 100 * x / y : 0}'
	done
}

line() { # ENGINE CFG TARGET GOAL-% UNIT
	local s ld
	read -r m lo hi < <(summary <<<"${rate[$2,$3]}")
	[ "$m" = n/a ] && m=0 lo=0 hi=0
	read -r _ llo lhi < <(summary <<<"${load[$2,$3]}")
	ld=$(printf 'load %s-%s' "${llo:-?}" "${lhi:-?}")
	if [ "$3" = empty ]; then
		printf '%-26s %-10s %9.0f exec/s %s (%.0f-%.0f)  %s\n' "$1" empty \
			"$m" "$5" "$lo" "$hi" "$ld"
		return
	fi
	read -r rm rlo rhi < <(ratios "$2" "$3" | summary)
	[ "$rm" = n/a ] && rm=0 rlo=0 rhi=0
	s=$(printf '%-26s %-10s %9.0f exec/s %s  %7.3f%% of empty (%.3f-%.3f%%)' \
		"$1" "$3" "$m" "$5" "$rm" "$rlo" "$rhi")
	if [ "$3" = kernel ]; then
		echo "$s  goal >= $4%: $(verdict "$rm" "$4" ">=")  $ld"
	else
		echo "$s  (no goal)  $ld"
	fi
}

echo
for t in empty "${targets[@]}"; do
	line "libFuzzer, no sanitizers" fzfast "$t" 4 "per CPU-s"
done
for t in empty "${targets[@]}"; do
	line "libFuzzer, ASan+UBSan" fz "$t" 2 "per CPU-s"
done
for t in empty "${targets[@]}"; do
	line "AFL++ (persistent)" afl "$t" 80 "$afl_unit"
done
for cfg in fzfast fz afl; do
	printf '  %s, wall-clock exec/s per round:' "$cfg"
	for t in empty "${targets[@]}"; do printf ' %s: %s' "$t" "${wall[$cfg,$t]% }"; done
	echo
done

# AFL++: is the harness really in persistent mode?
log=$scratch/afl-kernel-1.log
modes=""
grep -q 'Persistent mode binary detected' "$log" && modes+="persistent mode (__AFL_LOOP), "
grep -q 'Deferred forkserver binary detected' "$log" && modes+="deferred fork server, "
grep -q 'SHARED MEMORY FUZZING' "$log" && modes+="shared-memory test cases, "
echo "  AFL++ kernel target runs with: ${modes:-NONE of persistent mode, deferred fork server, shared memory}"

# The oracle's cost, on fixed inputs.
corpus=$scratch/fzfast-kernel-1/corpus
with=() without=()
for r in $(seq "$rounds"); do
	with+=("$("$B/clang/fuzz/bench/kernel" 2 "$corpus" "$seeds" |
		awk '{printf "%d", $4 / $8}')")
	without+=("$("$B/clang/fuzz/bench/kernel-no-oracle" 2 "$corpus" "$seeds" |
		awk '{printf "%d", $4 / $8}')")
done
n=$(($(ls "$corpus" | wc -l) + $(ls "$seeds" | wc -l)))
read -r wm _ _ < <(summary <<<"${with[*]}")
read -r om _ _ < <(summary <<<"${without[*]}")
x=$(for i in "${!with[@]}"; do
	awk -v a="${without[$i]}" -v b="${with[$i]}" 'BEGIN {printf "%.3f ", b ? a / b : 0}'
done)
read -r xm xlo xhi < <(summary <<<"$x")
echo
echo "oracle overhead: the kernel target, uninstrumented (clang -O2), over the $n inputs"
echo "  of round 1's libFuzzer corpus and the seeds, $rounds round(s) of 2 s, exec per CPU-s:"
printf '  with the oracle %.0f, compiled out %.0f: %.2fx faster without (%.2f-%.2fx)  goal <= 2x: %s\n' \
	"$wm" "$om" "$xm" "$xlo" "$xhi" "$(verdict "$xm" 2 "<=")"
