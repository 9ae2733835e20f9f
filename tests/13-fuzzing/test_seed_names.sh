#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# litmus2fuzz names a seed after its test without the ".litmus" suffix, so
# version twins stay two seeds, and refuses two tests of one name
# (doc/13-fuzzing.md, section 13.4).
set -u
conv=build/asan/bin/litmus2fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {
	if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fails=1; fi
}
mkdir -p "$tmp/a" "$tmp/b" "$tmp/out1" "$tmp/out2"
src=corpus/litmus/tlb-upgrade-arm64-smmu-v6.6.litmus
cp "$src" "$tmp/a/twin-v6.5.litmus"
cp "$src" "$tmp/a/twin-v6.6.litmus"
"$conv" kernel "$tmp/out1" "$tmp/a/twin-v6.5.litmus" "$tmp/a/twin-v6.6.litmus" >"$tmp/log1" 2>&1
rc=$?
check "version twins encode without error (exit $rc)" '[ $rc -eq 0 ] && grep -q "2 of 2" "$tmp/log1"'
check "version twins are two seeds" '[ -f "$tmp/out1/twin-v6.5" ] && [ -f "$tmp/out1/twin-v6.6" ]'
cp "$src" "$tmp/b/twin-v6.5.litmus"
"$conv" kernel "$tmp/out2" "$tmp/a/twin-v6.5.litmus" "$tmp/b/twin-v6.5.litmus" >"$tmp/log2" 2>&1
rc=$?
check "two tests of one name fail (exit $rc)" '[ $rc -eq 1 ]'
check "and the error names the second file" 'grep -q "$tmp/b/twin-v6.5.litmus: .*another test has the same name" "$tmp/log2"'
exit $fails
