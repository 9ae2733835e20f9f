#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# campaign.sh ENGINE TARGET SECONDS JOBS - run one fuzzing campaign.
#
# ENGINE is libfuzzer or afl. Everything lives under build/fuzz/TARGET/ and
# survives a kill: the corpus and the raw crashes are written by the engine
# as they are found, and a rerun resumes from them. When the engine stops
# (time is up, Ctrl-C, or a kill of the engine), every raw crash is replayed
# with the ASan+UBSan replay build, deduplicated by its report (the rule ID
# and location a harness prints, or the sanitizer's summary line), minimized
# and filed under findings/, and a summary is printed.
set -u
engine=$1 target=$2 seconds=$3 jobs=$4
B=${FUZZ_BUILD:-build}
dir=$B/fuzz/$target
replay=$B/asan/fuzz/bin/$target
mkdir -p "$dir/corpus" "$dir/raw" "$dir/findings" "$dir/logs" "$dir/seeds" \
	"$dir/rules"
started=$(date +%s)
export MMUSPEC_CAMPAIGN_START=$(date +%s.%N)
export MMUSPEC_RULE_LOG=$PWD/$dir/rules.log
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log=$dir/logs/$engine-$stamp.log

case $jobs in '' | *[!0-9]* | 0)
	echo "campaign: JOBS must be a positive integer, got '$jobs'" >&2
	exit 2 ;;
esac
case $seconds in '' | *[!0-9]* | 0)
	echo "campaign: FUZZ_SECONDS must be a positive integer, got '$seconds'" >&2
	exit 2 ;;
esac

seed_dirs=("$dir/seeds")
[ -d "fuzz/seeds/$target" ] && seed_dirs+=("fuzz/seeds/$target")
. "$(dirname "$0")/engine-options.sh"
engine_options "$target"

# AFL++ statistics are cumulative over resumed runs: remember the start.
afl_execs() {
	local f n=0
	for f in "$B/afl/$target"/*/fuzzer_stats; do
		[ -f "$f" ] && n=$((n + $(awk -F' *: *' '$1=="execs_done"{print $2}' "$f")))
	done
	echo "$n"
}
afl_base=$(afl_execs)

interrupted=0
trap 'interrupted=1' INT TERM

run_libfuzzer() {
	local bin=$B/fz/fuzz/bin/$target deadline=$((started + seconds))
	local left pid rc mode=()
	echo "campaign: libFuzzer, target $target, $seconds s, $jobs job(s); log $log"
	# With one job, one process runs fastest. Fork mode spreads over JOBS
	# processes and keeps going after a crash (each is saved to raw/), so
	# a single-job campaign switches to it after its first crash rather
	# than stopping or finding the same input again on every restart.
	[ "$jobs" -gt 1 ] && mode=(-fork="$jobs" -ignore_crashes=1 \
		-ignore_timeouts=1 -ignore_ooms=1)
	while [ "$interrupted" -eq 0 ]; do
		left=$((deadline - $(date +%s)))
		[ "$left" -ge 1 ] || break
		"$bin" "${mode[@]}" -max_total_time="$left" -print_final_stats=1 \
			-artifact_prefix="$dir/raw/" "${dict_lf[@]}" "${opts[@]}" \
			"$dir/corpus" "${seed_dirs[@]}" >>"$log" 2>&1 &
		pid=$!
		progress "$pid"
		wait "$pid"
		rc=$?
		[ "$rc" -eq 0 ] || [ ${#mode[@]} -gt 0 ] && break
		echo "campaign: $(( $(date +%s) - started )) s: the target crashed (exit $rc), input saved in $dir/raw/; going on in fork mode"
		mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
	done
}

run_afl() {
	local bin=$B/afl/fuzz/bin/$target out=$B/afl/$target pids=() i
	mkdir -p "$out" "$dir/afl-in"
	# AFL++ starts from one folder: the seeds and the libFuzzer corpus,
	# or a single zero input when both are empty.
	find "${seed_dirs[@]}" "$dir/corpus" -maxdepth 1 -type f \
		-exec cp -n -t "$dir/afl-in" {} + 2>/dev/null
	[ -n "$(find "$dir/afl-in" -type f -print -quit)" ] ||
		printf '\0\0\0\0' >"$dir/afl-in/zero"
	echo "campaign: AFL++, target $target, $seconds s, $jobs instance(s); log $log"
	export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_AUTORESUME=1
	export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
	for ((i = 0; i < jobs; i++)); do
		local role=(-M main)
		[ "$i" -gt 0 ] && role=(-S "sec$i")
		[ "$jobs" -eq 1 ] && role=()
		afl-fuzz -i "$dir/afl-in" -o "$out" -V "$seconds" \
			"${dict_afl[@]}" "${role[@]}" -- "$bin" \
			>"$log.$i" 2>&1 &
		pids+=($!)
	done
	progress "${pids[0]}"
	wait "${pids[@]}"
	cat "$log".* >"$log"
	cp -n "$out"/*/crashes/id:* "$dir/raw/" 2>/dev/null
	cp -n "$out"/*/queue/id:* "$dir/corpus/" 2>/dev/null
}

# A line every 10 s while the engine runs; forwards Ctrl-C to it.
progress() {
	local pid=$1 last="" tick=0 line
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		[ "$interrupted" -eq 1 ] && kill -INT "$pid" 2>/dev/null
		tick=$((tick + 1))
		[ $((tick % 10)) -eq 0 ] || continue
		line=$(progress_line)
		[ -n "$line" ] && [ "$line" != "$last" ] &&
			echo "campaign: $(( $(date +%s) - started )) s: $line"
		last=$line
	done
}

progress_line() {
	if [ "$engine" = libfuzzer ]; then
		grep -aE '^#[0-9]+' "$log" 2>/dev/null | tail -n 1 | cut -c1-150
	else
		local f=$B/afl/$target/main/fuzzer_stats
		[ -f "$f" ] || f=$B/afl/$target/default/fuzzer_stats
		[ -f "$f" ] && awk -F' *: *' '/^(execs_done|execs_per_sec|bitmap_cvg|saved_crashes|corpus_count)/ {printf "%s=%s ", $1, $2}' "$f"
	fi
}

case $engine in
libfuzzer) run_libfuzzer ;;
afl) run_afl ;;
*) echo "campaign: unknown engine '$engine'" >&2; exit 2 ;;
esac
trap - INT TERM

fuzz/triage.sh "$target" "$replay" "$dir"

# Closing summary.
elapsed=$(( $(date +%s) - started ))
[ "$elapsed" -gt 0 ] || elapsed=1
echo "== campaign summary: $engine, target $target, $elapsed s, $jobs job(s)"
if [ "$engine" = libfuzzer ]; then
	# One-process sessions end with stat:: lines; a fork-mode session
	# counts in its "#N: cov:" lines. Add the two.
	execs=$(awk '/^stat::number_of_executed_units:/ {n += $2}
		/^#[0-9]+: cov:/ {f = substr($1, 2) + 0}
		END {print n + f}' "$log")
	last=$(grep -aE '^#[0-9]+' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | tail -n 1)
	ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | tail -n 1)
	echo "executions: ${execs:-0}; exec/s: $(( ${execs:-0} / elapsed )); coverage: ${cov:-cov: ?} edges, ${ft:-ft: ?} features"
else
	execs=$(( $(afl_execs) - afl_base )) cvg=""
	for f in "$B/afl/$target"/*/fuzzer_stats; do
		[ -f "$f" ] && cvg="$cvg $(awk -F' *: *' '$1=="bitmap_cvg"{print $2}' "$f")"
	done
	echo "executions: $execs; exec/s: $((execs / elapsed)); bitmap coverage:${cvg:- ?}"
fi
echo "corpus: $(find "$dir/corpus" -type f | wc -l) inputs in $dir/corpus"
if [ -s "$dir/rules.log" ]; then
	echo "rules triggered (first trigger, seconds into the campaign):"
	sort -t$'\t' -k1,1 -k2,2g "$dir/rules.log" | awk -F'\t' '!seen[$1]++ {printf "  %-14s %8.2f s  %s executions (process-local)\n", $1, $2, $3}'
fi
n=$(find "$dir/findings" -mindepth 1 -maxdepth 1 -type d | wc -l)
echo "findings: $n (in $dir/findings)"
for f in "$dir"/findings/*/signature; do
	[ -f "$f" ] && echo "  $(cat "$f")  [$(dirname "$f")]"
done
exit 0
