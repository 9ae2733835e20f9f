#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# triage.sh TARGET REPLAY DIR - file the raw crashes of a campaign.
#
# Every input in DIR/raw/ that has not been triaged is replayed with the
# ASan+UBSan replay build REPLAY. Its report gives the signature: the line
# "mmuspec-finding: RULE-ID at LOCATION" that a harness prints before it
# aborts, else the sanitizer's SUMMARY line, else the exit status. One
# folder per signature under DIR/findings/ keeps the first input, its
# report, a minimized input (when the target can minimize: fewest threads
# and steps first, then bytes) and, when the target can print one, the
# finding as a litmus file with its schedule fixed.
set -u
target=$1 replay=$2 dir=$3
mkdir -p "$dir/findings"
touch "$dir/raw/.triaged"

signature_of() {
	local report=$1 s
	s=$(grep -aoE 'mmuspec-finding: .*' "$report" | head -n 1 | cut -d' ' -f2-)
	[ -n "$s" ] || s=$(grep -aoE 'SUMMARY: [A-Za-z]+Sanitizer: .*' "$report" |
		head -n 1 | sed -E 's/^SUMMARY: //; s/ in [^ ]*$//')
	[ -n "$s" ] || s="exit status $2"
	printf '%s' "$s"
}

for raw in "$dir"/raw/*; do
	[ -f "$raw" ] || continue
	grep -qxF "$(basename "$raw")" "$dir/raw/.triaged" && continue
	report=$(mktemp)
	# A real subshell (not exec'ed), so that the shell's notice of the
	# abort goes to the report, not to the terminal.
	("$replay" "$raw"; exit $?) >"$report" 2>&1
	rc=$?
	echo "$(basename "$raw")" >>"$dir/raw/.triaged"
	if [ "$rc" -eq 0 ]; then
		echo "triage: $(basename "$raw") does not reproduce in the replay build; kept in raw/"
		rm -f "$report"
		continue
	fi
	sig=$(signature_of "$report" "$rc")
	slug=$(printf '%s' "$sig" | tr -c 'A-Za-z0-9-' '_' | cut -c1-40)
	key=$(printf '%s' "$sig" | sha1sum | cut -c1-8)
	f=$dir/findings/$slug-$key
	if [ -d "$f" ]; then
		echo $(( $(cat "$f/count") + 1 )) >"$f/count"
		rm -f "$report"
		continue
	fi
	mkdir -p "$f"
	cp "$raw" "$f/input"
	mv "$report" "$f/report.txt"
	printf '%s\n' "$sig" >"$f/signature"
	echo 1 >"$f/count"
	echo "triage: new finding: $sig"
	# Minimize with the target's own step-level minimizer if it has one.
	if "$replay" --minimize "$f/minimized" "$f/input" >"$f/minimize.log" 2>&1 &&
		[ -s "$f/minimized" ]; then
		("$replay" "$f/minimized"; exit $?) >"$f/minimized.report" 2>&1
		if [ "$(signature_of "$f/minimized.report" 1)" != "$sig" ]; then
			echo "triage: the minimized input changed the signature; kept the original"
			rm -f "$f/minimized"
		fi
	fi
	src=$f/input
	[ -s "$f/minimized" ] && src=$f/minimized
	if "$replay" --litmus "$f/finding.litmus" "$src" >"$f/litmus.log" 2>&1; then
		echo "triage: litmus file $f/finding.litmus"
	fi
done
