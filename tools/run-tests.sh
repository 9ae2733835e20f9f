#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# run-tests.sh - run mmuspec's tests and count their checks.
#
# Each argument is a test: an executable (a C test program or a test_*.sh
# script) or "make:TARGET". A test reports its checks as lines "ok - what"
# and "not ok - what"; a test that prints none counts as one check, passed
# when it exits 0. A test that exits non-zero fails even if all its checks
# passed. Logs go to build/test-logs/. Tests run two at a time (JOBS).
# The last line is "N passed, N failed".
set -u
logdir=build/test-logs
mkdir -p "$logdir"
jobs=${JOBS:-2}
limit=${TEST_TIMEOUT:-600}

logname() { printf '%s/%s.log' "$logdir" "$(printf '%s' "$1" | tr '/:' '__')"; }

run_one() {
	local t=$1 log rc
	log=$(logname "$t")
	if [[ $t == make:* ]]; then
		timeout "$limit" make --no-print-directory -s "${t#make:}" >"$log" 2>&1
	else
		timeout "$limit" "./$t" >"$log" 2>&1
	fi
	rc=$?
	echo "$rc" >"$log.rc"
}
export -f run_one logname
export logdir limit

printf '%s\n' "$@" | xargs -d '\n' -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}

passed=0 failed=0
for t in "$@"; do
	log=$(logname "$t")
	rc=$(cat "$log.rc" 2>/dev/null || echo 127)
	ok=$(grep -c '^ok ' "$log")
	bad=$(grep -c '^not ok ' "$log")
	if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
		[ "$rc" -eq 0 ] && ok=1 || bad=1
	elif [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -eq 0 ]; then
		printf 'PASS %s (%d)\n' "$t" "$ok"
	else
		printf 'FAIL %s (exit %s, %d failed): %s\n' "$t" "$rc" "$bad" "$log"
		grep '^not ok ' "$log" | head -n 20 | sed 's/^/    /'
		[ "$(grep -c '^not ok ' "$log")" -eq 0 ] && tail -n 20 "$log" | sed 's/^/    /'
	fi
done
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
