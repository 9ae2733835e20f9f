#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# Tests of the campaign tools (doc/13-fuzzing.md): the replay driver,
# triage (deduplication by signature), a short libFuzzer campaign that must
# file a planted finding, and the OSS-Fuzz build contract.
set -u
top=$(pwd)
s=$(mktemp -d)
trap 'rm -rf "$s"' EXIT
fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if eval "$2" 2>/dev/null; then ok "$1"; else notok "$1"; fi; }

# A fake campaign tree: build/{fz,asan}/fuzz/bin/crashy.
mkdir -p "$s/b/fz/fuzz/bin" "$s/b/asan/fuzz/bin"
clang -g -O1 -fsanitize=fuzzer,address,undefined tests/13-fuzzing/crashy.c \
	-o "$s/b/fz/fuzz/bin/crashy" || notok "build the libFuzzer harness"
clang -g -O1 -fsanitize=address,undefined -DWITH_OVF tests/13-fuzzing/crashy.c \
	fuzz/replay_main.c -o "$s/b/asan/fuzz/bin/crashy" ||
	notok "build the replay harness"
r=$s/b/asan/fuzz/bin/crashy

printf 'fine' >"$s/ok.in"
check "replay runs a harmless input and exits 0" "'$r' '$s/ok.in' 2>/dev/null"
printf 'BUG1' >"$s/bug.in"
check "replay aborts on a planted finding" "! ('$r' '$s/bug.in') 2>/dev/null"
check "replay without a minimizer says so and exits 3" \
	"'$r' --minimize '$s/min' '$s/bug.in' 2>&1 | grep -q 'has no minimize'; [ \${PIPESTATUS[0]} -eq 3 ]"

# --isolation: a run that depends on the runs before it is reported.
mkdir -p "$s/iso"
printf 'LEAK' >"$s/iso/a"
printf 'SEEN' >"$s/iso/b"
printf 'fine' >"$s/iso/c"
check "replay --isolation passes inputs that do not depend on each other" \
	"'$r' --isolation '$s/iso/a' '$s/iso/c' 2>&1 | grep -q ' 2 input(s), 0 run(s) differ'"
"$r" --isolation "$s/iso" >"$s/iso.log" 2>&1
rc=$?
check "replay --isolation exits 1 on a run that depends on an earlier one" \
	"[ $rc -eq 1 ] && grep -q '3 input(s), 2 run(s) differ' '$s/iso.log'"
check "replay --isolation names the input and the one before it" \
	"grep -q '$s/iso/b run after $s/iso/a differs' '$s/iso.log' && grep -q 'in sequence: 4 bytes, saw the leak' '$s/iso.log'"

# Triage: two inputs with one signature, one overflow, one harmless.
d=$s/b/fuzz/crashy
mkdir -p "$d/raw"
printf 'BUG1' >"$d/raw/crash-1"
printf 'BUGzz' >"$d/raw/crash-2"
printf 'OVF!' >"$d/raw/crash-3"
printf 'fine' >"$d/raw/crash-4"
fuzz/triage.sh crashy "$r" "$d" >"$s/triage.log" 2>&1
check "triage files one finding per signature" \
	"[ \$(find '$d/findings' -mindepth 1 -maxdepth 1 -type d | wc -l) -eq 2 ]"
check "triage takes the signature from the harness's report" \
	"grep -qx 'TEST-RULE at crashy.c:17' '$d'/findings/*/signature"
check "triage counts duplicates" \
	"[ \"\$(cat \$(dirname \$(grep -lx 'TEST-RULE at crashy.c:17' '$d'/findings/*/signature))/count)\" = 2 ]"
check "triage takes a sanitizer's summary line as the signature" \
	"grep -q '^AddressSanitizer: heap-buffer-overflow' '$d'/findings/*/signature"
check "triage keeps an input that does not reproduce out of findings" \
	"grep -q 'crash-4 does not reproduce' '$s/triage.log'"
fuzz/triage.sh crashy "$r" "$d" >"$s/triage2.log" 2>&1
check "triage is incremental: a second run files nothing new" "[ ! -s '$s/triage2.log' ]"

# A short campaign finds the planted bug from nothing and files it.
rm -rf "$d"
FUZZ_BUILD=$s/b fuzz/campaign.sh libfuzzer crashy 6 1 >"$s/campaign.log" 2>&1
rc=$?
check "a campaign ends with status 0 and a summary" \
	"[ $rc -eq 0 ] && grep -q '^== campaign summary: libfuzzer, target crashy' '$s/campaign.log'"
check "the campaign summary counts executions" \
	"grep -Eq '^executions: [1-9][0-9]*; exec/s: [0-9]+' '$s/campaign.log'"
check "the campaign files the planted finding with its rule" \
	"grep -q 'TEST-RULE at crashy.c:17' '$s/campaign.log'"
check "after the first crash the campaign goes on in fork mode" \
	"grep -q 'going on in fork mode' '$s/campaign.log'"
check "the corpus is kept on disk for the next run" \
	"[ -n \"\$(ls -A '$d/corpus')\" ]"

# The OSS-Fuzz build contract.
out=$s/oss
CC=clang CFLAGS="-O1 -gline-tables-only -fsanitize=address,fuzzer-no-link" \
	LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$out WORK=$s/work \
	bash fuzz/oss-fuzz/build.sh >"$s/oss.log" 2>&1
check "fuzz/oss-fuzz/build.sh succeeds with the OSS-Fuzz variables" "[ $? -eq 0 ]"
for t in fuzz/targets/*.c; do
	n=$(basename "$t" .c)
	check "OSS-Fuzz build writes $n and $n.options" "[ -x '$out/$n' ] && [ -f '$out/$n.options' ]"
	check "the OSS-Fuzz build of $n runs an input" "'$out/$n' '$s/ok.in' >/dev/null 2>&1"
	if [ -f "fuzz/targets/$n.dict" ]; then
		check "OSS-Fuzz build ships $n.dict" "[ -f '$out/$n.dict' ]"
	fi
done
cd "$top" || exit 1
[ "$fails" -eq 0 ]
