#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# bugzoo.sh - time how fast the kernel fuzz target finds each historical bug
# (doc/14-bug-zoo.md, section 14.2).
#
# For every bug of the zoo table (build/gcc/bin/bugzoo), every engine of
# BUGZOO_ENGINES, both starting corpora (empty, seeds) and BUGZOO_SEEDS
# random seeds, run the kernel target with MMUSPEC_BUGS=<bug> for at most
# BUGZOO_SECONDS. A kill is the first finding whose rule is the one the
# table expects; a finding with another rule is recorded and the engine is
# restarted (same corpus, next seed) for the time that is left; libFuzzer
# runs with MMUSPEC_FUZZ_ONLY=<rule>, so that it reports the other rules'
# findings (mmuspec-other) and goes on without a restart. Writes
# build/bugzoo/results.tsv, table.md and kill-times.svg; exits 1 if a bug
# survives a run or only fires other rules.
#
# Environment: BUGZOO_SECONDS (60), BUGZOO_SEEDS (5), BUGZOO_BUGS (a,b: only
# these), BUGZOO_ENGINES (libfuzzer; libfuzzer,afl adds AFL++), BUGZOO_JOBS
# (1: runs at a time), B (build).
set -u
B=${B:-build}
secs=${BUGZOO_SECONDS:-60}
nseeds=${BUGZOO_SEEDS:-5}
engines=${BUGZOO_ENGINES:-libfuzzer}
only=${BUGZOO_BUGS:-}
jobs=${BUGZOO_JOBS:-1}
out=$B/bugzoo
lf=$B/fzfast/fuzz/bin/kernel
afl=$B/afl/fuzz/bin/kernel
replay=$B/asan/fuzz/bin/kernel
seeds=$B/fuzz/kernel/seeds
# The engines run with the kernel target's dictionary and options, as a
# campaign does (fuzz/engine-options.sh).
. "$(dirname "$0")/engine-options.sh"
engine_options kernel

die() { echo "bugzoo: $*" >&2; exit 2; }
for v in secs nseeds jobs; do
	case ${!v} in '' | *[!0-9]* | 0) die "$v must be a positive integer, got '${!v}'" ;; esac
done
for e in ${engines//,/ }; do
	case $e in libfuzzer | afl) ;; *) die "unknown engine '$e' (libfuzzer, afl)" ;; esac
done
table=$($B/gcc/bin/bugzoo) || die "the zoo table is broken (doc/14-bug-zoo.md)"
# The control: no bug switched on. Its findings are false alarms of the
# target (or model bugs), which the bug rows may meet as other findings.
table="none	-	-	-	control: no bug switched on
$table"
if [ -n "$only" ]; then
	for b in ${only//,/ }; do
		grep -q "^$b	" <<<"$table" || die "unknown bug '$b'; known: $(cut -f1 <<<"$table" | tr '\n' ' ')"
	done
	table=$(awk -F'\t' -v l=",$only," 'index(l, "," $1 ",")' <<<"$table")
fi

rm -rf "$out/runs" "$out/bin" && mkdir -p "$out/runs" "$out/bin" || exit 2
# Run private copies: a concurrent rebuild must not swap a binary mid-run.
for v in lf afl replay; do
	[ -x "${!v}" ] || continue
	cp "${!v}" "$out/bin/$v" && printf -v "$v" '%s' "$out/bin/$v"
done
printf '%s\n' "$table" >"$out/zoo.tsv"
results=$out/results.tsv
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# The rule of a saved crash input, by replaying it (MMUSPEC_BUGS is set).
rule_of() {
	"$replay" "$1" 2>&1 | sed -n 's/^mmuspec-finding: \([^ ]*\) at .*/\1/p' | head -n 1
}

# Engines. prepare_ENGINE sets up a run's folder; try_ENGINE runs the engine
# once for at most $left seconds (attempt $n) and sets got_execs and
# got_rule (empty if the time ran out without a crash).
prepare_libfuzzer() {
	mkdir -p "$dir/corpus"
}

try_libfuzzer() {
	local log=$dir/libfuzzer-$n.log extra=()
	[ "$kind" = seeds ] && extra=("$seeds")
	mkdir -p "$dir/others"
	MMUSPEC_BUGS=${bug#none} MMUSPEC_FUZZ_ONLY=${want#-} \
		MMUSPEC_FUZZ_OTHERS_DIR=$dir/others "$lf" \
		-seed=$((seed + 1000 * n)) \
		-max_total_time="$left" -print_final_stats=1 "${dict_lf[@]}" \
		"${opts[@]}" -artifact_prefix="$dir/crash-$n-" \
		"$dir/corpus" "${extra[@]}" >"$log" 2>&1
	got_execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	got_rule=$(sed -n 's/^mmuspec-finding: \([^ ]*\) at .*/\1/p' "$log" | head -n 1)
	got_others=$(sed -n 's/^mmuspec-other: \([^ ]*\) at .*/\1/p' "$log" | paste -sd, -)
	if [ -z "$got_rule" ] && grep -q 'Test unit written' "$log"; then
		got_rule=CRASH
	fi
}

prepare_afl() {
	mkdir -p "$dir/in"
	if [ "$kind" = seeds ]; then
		cp "$seeds"/* "$dir/in/"
	else
		printf '\0' >"$dir/in/empty"
	fi
}

# AFL++ in persistent mode, stopping at its first crash; a rerun starts
# from the queue of the one before.
try_afl() {
	local o=$dir/afl-$n c
	MMUSPEC_BUGS=${bug#none} AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 \
		AFL_BENCH_UNTIL_CRASH=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		timeout $((left + 30)) afl-fuzz -i "$dir/in" -o "$o" \
		-s $((seed + 1000 * n)) -V "$left" "${dict_afl[@]}" -- "$afl" >"$o.log" 2>&1
	got_execs=$(awk -F' *: *' '$1 == "execs_done" { print $2 }' "$o"/default/fuzzer_stats 2>/dev/null)
	got_rule=
	c=$(ls "$o"/default/crashes/id:* 2>/dev/null | head -n 1)
	if [ -n "$c" ]; then
		got_rule=$(MMUSPEC_BUGS=${bug#none} rule_of "$c")
		[ -n "$got_rule" ] || got_rule=CRASH
		cp "$o"/default/queue/id:* "$dir/in/" 2>/dev/null
	fi
}

# One run: prints "verdict rule seconds execs others".
run_one() {
	local engine=$1 bug=$2 want=$3 kind=$4 seed=$5 dir=$6
	local start left got_execs got_rule got_others execs=0 n=0 others=""
	"prepare_$engine"
	start=$(now)
	while :; do
		left=$(awk -v s="$start" -v t="$(now)" -v b="$secs" \
			'BEGIN { l = b - (t - s); print (l >= 1) ? int(l + 0.999) : 0 }')
		[ "$left" -gt 0 ] || break
		got_others=
		"try_$engine"
		execs=$((execs + ${got_execs:-0}))
		[ -n "$got_others" ] && others=${others:+$others,}$got_others
		[ -n "$got_rule" ] || break # time is up
		if [ "$got_rule" = "$want" ]; then
			echo "killed $got_rule $(elapsed "$start") $execs ${others:--}"
			return
		fi
		others=${others:+$others,}$got_rule
		n=$((n + 1))
	done
	if [ -n "$others" ]; then
		echo "wrong-rule ${others%%,*} - $execs $others"
	else
		echo "survived - - $execs -"
	fi
}

# The list of runs: engine bug rule kind seed.
runs=()
while IFS=$'\t' read -r bug rule _ _; do
	for e in ${engines//,/ }; do
		for kind in empty seeds; do
			for s in $(seq 1 "$nseeds"); do
				runs+=("$e $bug $rule $kind $s")
			done
		done
	done
done <<<"$table"
total=${#runs[@]}
echo "bugzoo: $total run(s): $(wc -l <<<"$table") bug(s) x {$engines} x {empty,seeds} x $nseeds seed(s), at most $secs s each, $jobs at a time"
echo "bugzoo: about $(( (total * secs + jobs - 1) / jobs / 60 + 1 )) min at worst; results in $results"

one() {
	local e=$1 bug=$2 rule=$3 kind=$4 s=$5 dir res
	dir=$out/runs/$bug/$e-$kind-$s
	mkdir -p "$dir"
	res=$(run_one "$e" "$bug" "$rule" "$kind" "$s" "$dir")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$e" "$bug" "$rule" "$kind" "$s" \
		"$(tr ' ' '\t' <<<"$res")" >"$dir/result"
}

printf 'engine\tbug\texpected\tcorpus\tseed\tverdict\tfired\tseconds\texecs\tothers\n' >"$results"
i=0 started=$(date +%s)
running=()

# "A,A,B" -> "A x2, B"
summary() {
	tr ',' '\n' <<<"$1" | sort | uniq -c | awk '{ printf "%s%s%s", (NR > 1 ? ", " : ""), $2, ($1 > 1 ? " x" $1 : "") }'
}

# Collect the runs that ended, and say how each went.
reap() {
	local x left=() f verdict fired t ex oth what
	for x in "${running[@]}"; do
		set -- $x
		if kill -0 "$1" 2>/dev/null; then
			left+=("$x")
			continue
		fi
		wait "$1"
		i=$((i + 1))
		f=$out/runs/$3/$2-$5-$6/result
		cat "$f" >>"$results"
		IFS=$'\t' read -r _ _ _ _ _ verdict fired t ex oth <"$f"
		case $verdict in
		killed) what="killed by $fired in $t s ($ex execs)" ;;
		survived) what="SURVIVED $secs s ($ex execs)" ;;
		*) what="WRONG RULE: $oth ($ex execs)" ;;
		esac
		[ "$3" = none ] && case $verdict in
			survived) what="clean for $secs s ($ex execs)" ;;
			*) what="FALSE FINDINGS: $(summary "$oth") ($ex execs)" ;;
			esac
		case $what in WRONG*) what="WRONG RULE: $(summary "$oth") ($ex execs)" ;; esac
		[ "$verdict" = killed ] && [ "$oth" != - ] && what="$what; other findings first: $(summary "$oth")"
		printf 'bugzoo: [%d/%d, %4ds] %-9s %-27s %-5s seed %s: %s\n' \
			"$i" "$total" $(($(date +%s) - started)) "$2" "$3" "$5" "$6" "$what"
	done
	running=("${left[@]}")
}

for r in "${runs[@]}"; do
	while [ "${#running[@]}" -ge "$jobs" ]; do
		reap
		[ "${#running[@]}" -ge "$jobs" ] && sleep 0.2
	done
	one $r &
	running+=("$! $r")
done
while [ "${#running[@]}" -gt 0 ]; do
	reap
	[ "${#running[@]}" -gt 0 ] && sleep 0.2
done

python3 fuzz/bugzoo-report.py "$results" "$out" "$secs" "$nseeds" "$out/zoo.tsv" || exit 2
if command -v gnuplot >/dev/null; then
	gnuplot "$out/kill-times.gp" || echo "bugzoo: gnuplot failed; no plot" >&2
fi
cat "$out/table.md"
awk -F'\t' 'NR > 1 && $2 != "none" && $6 != "killed" { bad = 1 } END { exit bad }' "$results" || {
	echo "bugzoo: FAIL: not every run killed its bug with the expected rule (see $results)"
	exit 1
}
echo "bugzoo: every run killed its bug with the expected rule"
