#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# bench-litmus.sh LITMUS FILE... - the litmus suite's figures for make bench
# (doc/12-exploration.md, 12.7): wall time of the suite as make litmus runs
# it (-j 2), every test explored exhaustively at the default bound with its
# schedules, steps and seconds, schedules/s and steps/s, the slowest test,
# and what a fuzzer pays for a machine (create vs reload) and a run.
set -eu
litmus=$1
shift
t0=$(date +%s.%N)
"$litmus" -j 2 "$@" >/dev/null
t1=$(date +%s.%N)
echo "suite: $# tests, make litmus (-j 2) wall time $(echo "$t1 - $t0" | bc -l | xargs printf '%.3f') s"
"$litmus" --exhaust --time "$@" | awk '
	/^TIME / { n++; r += $3; s += $4; t += $5
		   if ($5 > max) { max = $5; slow = $2 }
		   if ($5 > 1) over++ }
	END {
		printf "exhaustive (default bound, one core): %d tests, %d schedules, %d steps, %.3f s\n", n, r, s, t
		printf "  %.0f schedules/s, %.0f steps/s\n", r / t, s / t
		printf "  slowest: %s %.3f s; tests over 1 s: %d\n", slow, max, over
	}'
echo "per input, for fuzzing:"
"$litmus" --reload-bench="$1"
