#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# test_audit.sh - every procedure of chapter 08's procedure table has a
# passing event-sequence check under every profile on both architectures.
#
# Reads the table's first column (the check ids) from
# doc/08-kernel-procedures.md, runs test_procedures, and fails if a check
# failed, if an id lacks a passing check under a profile/arch pair, or if
# the tests tag a check with an id the table does not list. Then it runs
# the same audit on doctored output, which must fail.
set -u
cd "$(dirname "$0")/../.."

chapter=doc/08-kernel-procedures.md
bin=${TEST_PROCEDURES:-build/asan/tests/08-kernel-procedures/test_procedures}
profiles="v6.5 v6.6 v6.15 v7.0"
arches="x86-64 arm64"
fails=0

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fails=$((fails + 1)); }

# The ids: first cells of the rows after "### The procedure table".
ids=$(awk '/^### The procedure table/ { on = 1; next }
	   on && /^#/ { exit }
	   on && /^\| `[a-z0-9-]+` \|/ { split($0, c, "`"); print c[2] }' \
	"$chapter")

# audit OUTPUT: print one line per problem; exit status = problems found.
audit() {
	local out=$1 n=0 id p a used
	if grep -q '^not ok' "$out"; then
		echo "a check failed: $(grep -m1 '^not ok' "$out")"
		n=$((n + 1))
	fi
	for id in $ids; do
		for p in $profiles; do
			for a in $arches; do
				if ! grep -qF "ok - $p/$a [$id] " "$out"; then
					echo "[$id] has no passing check under $p/$a"
					n=$((n + 1))
				fi
			done
		done
	done
	used=$(grep -o '^ok - v[0-9.]*/[a-z0-9-]* \[[a-z0-9-]*\]' "$out" |
		sed 's/.*\[\(.*\)\]/\1/' | sort -u)
	for id in $used; do
		if ! grep -qx "$id" <<<"$ids"; then
			echo "[$id] is used by the tests but not in the table"
			n=$((n + 1))
		fi
	done
	return "$n"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ $(wc -w <<<"$ids") -lt 20 ]]; then
	notok "the procedure table of $chapter lists $(wc -w <<<"$ids") ids"
	exit 1
fi
ok "the procedure table lists $(wc -w <<<"$ids") procedures"
if [[ ! -x $bin ]]; then
	notok "$bin is not built"
	exit 1
fi
"$bin" >"$tmp/out" 2>&1
rc=$?
[[ $rc -eq 0 ]] || notok "test_procedures exited with $rc"
if problems=$(audit "$tmp/out"); then
	ok "every procedure has a passing check under all 4 profiles x 2 arches"
else
	notok "audit: $(head -3 <<<"$problems" | tr '\n' ';')"
fi

# The audit can fail: one pair removed, a failing check, an unknown id.
first=$(head -1 <<<"$ids")
grep -vF "ok - v6.15/arm64 [$first] " "$tmp/out" >"$tmp/missing"
if problems=$(audit "$tmp/missing"); then
	notok "audit accepts output without [$first] under v6.15/arm64"
else
	grep -qF "[$first] has no passing check under v6.15/arm64" \
		<<<"$problems" && ok "audit rejects a missing pair: $problems" ||
		notok "audit reports the wrong problem: $problems"
fi
# rejected WHAT LINE: the audit must fail on the output plus LINE.
rejected() {
	{ cat "$tmp/out"; echo "$2"; } >"$tmp/doctored"
	if audit "$tmp/doctored" >/dev/null; then
		notok "audit accepts $1"
	else
		ok "audit rejects $1"
	fi
}
rejected "a failed check" "not ok - v6.5/x86-64 [$first] doctored"
rejected "an id missing from the table" \
	"ok - v6.5/x86-64 [no-such-procedure] doctored"
exit $((fails > 0))
