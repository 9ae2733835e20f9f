#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# The kernel target's MMUSPEC_FUZZ_ONLY and MMUSPEC_FUZZ_OTHERS_DIR, which
# the bug zoo runs it with (doc/14-bug-zoo.md, section 14.2): a finding of
# another rule does not stop the run, is printed once, and its input is
# kept to be replayed.
set -u
K=build/asan/fuzz/bin/kernel
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {
	if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fails=1; fi
}
# With vtd-end-overflow switched on, this allowed test breaks TLB-GRAIN.
build/asan/bin/litmus2fuzz kernel "$tmp" corpus/litmus/tlb-reclaim-x86-sva.litmus >/dev/null
in=$tmp/tlb-reclaim-x86-sva
check "the seed was encoded" '[ -s "$in" ]'
mkdir "$tmp/others"
MMUSPEC_BUGS=vtd-end-overflow MMUSPEC_FUZZ_ONLY=LAZY-FLUSH \
	MMUSPEC_FUZZ_OTHERS_DIR=$tmp/others "$K" "$in" "$in" >"$tmp/log" 2>&1
rc=$?
check "another rule's finding does not stop the run (exit $rc)" '[ $rc -eq 0 ]'
check "it is printed once as mmuspec-other" \
	'[ "$(grep -c "^mmuspec-other: TLB-GRAIN at TLB_INVAL$" "$tmp/log")" -eq 1 ]'
check "and its input is kept under its signature" \
	'cmp -s "$in" "$tmp/others/TLB-GRAIN_at_TLB_INVAL"'
# It aborts: run it in a shell of its own, whose "Aborted" goes to the log.
MMUSPEC_BUGS=vtd-end-overflow MMUSPEC_FUZZ_ONLY=TLB-GRAIN \
	bash -c '"$1" "$2"; exit $?' _ "$K" "$tmp/others/TLB-GRAIN_at_TLB_INVAL" >"$tmp/log2" 2>&1
rc=$?
check "the kept input replays as a finding of that rule (exit $rc)" \
	'[ $rc -ne 0 ] && grep -q "^mmuspec-finding: TLB-GRAIN at TLB_INVAL$" "$tmp/log2"'
"$K" "$in" >"$tmp/log3" 2>&1
rc=$?
check "without the bug the input finds nothing (exit $rc)" \
	'[ $rc -eq 0 ] && ! grep -q "^mmuspec-" "$tmp/log3"'
exit $fails
