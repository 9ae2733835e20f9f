#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# rules-xref.sh - cross-reference every rule with its oracle check and its
# litmus tests (doc/12-exploration.md, "The rule cross-reference").
#
# Writes build/rules-xref.tsv: ID <TAB> check (file:line) <TAB>
# forbidden-files (comma) <TAB> allowed-files (comma), one line per oracle
# rule of `make rules`. Every rule is an oracle rule except
#   - the LIT- family (chapter 01: the literate-programming rules, which
#     the tangler, `make tangle-check` and `make rules-lint` enforce), and
#   - a rule whose paragraph says "Not an oracle rule" (and, by the
#     convention of chapter 12, where it is checked instead).
# An oracle rule needs a check in doc/10-oracle.md (a violation(o, ev, "ID"
# call or a check_stale(o, ev, "ID" argument), a corpus file `expect
# forbidden ID`, and an `expect allowed` file listing ID on its rules line.
# Any gap fails (ENFORCE=0 only reports it).
set -u
B=${B:-build}
mkdir -p "$B"
out=$B/rules-xref.tsv
tmp=$(mktemp "$B/rules-xref.XXXXXX")
trap 'rm -f "$tmp"' EXIT
tangle=${TANGLE:-$B/tools/tangle}
index=$("$tangle" --rules doc/*.md) || { echo "not ok - rules-xref: make rules failed"; exit 1; }

# The paragraph of rule $1 defined at $2:$3 (up to the next blank line).
paragraph() { sed -n "$3,\$p" "$2" | sed '/^[[:space:]]*$/q'; }

missing=0 skipped=()
report=()
shopt -s nullglob
files=(corpus/litmus/*.litmus)
# One pass over the suite: FILE <TAB> forbidden ID <TAB> allowed (1/0)
# <TAB> " rules line ".
meta=$tmp.meta
awk 'function flush() { if (f != "") printf "%s\t%s\t%d\t %s \n", f, forb, allowed, rules }
	FNR == 1 { flush(); f = FILENAME; forb = ""; allowed = 0; rules = "" }
	{ sub(/[ \t]#.*/, "") }
	$1 == "expect" && $2 == "forbidden" { forb = $3 }
	$1 == "expect" && $2 == "allowed" { allowed = 1 }
	$1 == "rules" { rules = $0; sub(/^rules[ \t]*/, "", rules)
		gsub(/[ \t]+/, " ", rules) }
	END { flush() }' "${files[@]}" >"$meta"
while IFS=$'\t' read -r id chap line _; do
	[ -n "$id" ] || continue
	case $id in LIT-*) skipped+=("$id"); continue ;; esac
	if paragraph "$id" "$chap" "$line" | tr '\n' ' ' | grep -qi 'not an oracle rule'; then
		skipped+=("$id")
		continue
	fi
	check=$(grep -n -E "(o, &?ev, |check_stale\(o, ev, )\"$id\"" doc/10-oracle.md | head -1 | cut -d: -f1)
	[ -n "$check" ] && check="doc/10-oracle.md:$check"
	mapfile -t forb < <(awk -F'\t' -v id="$id" '$2 == id {print $1}' "$meta")
	mapfile -t allow < <(awk -F'\t' -v id="$id" \
		'$3 == 1 && index($4, " " id " ") {print $1}' "$meta")
	printf '%s\t%s\t%s\t%s\n' "$id" "${check:--}" \
		"$(IFS=,; echo "${forb[*]:--}")" "$(IFS=,; echo "${allow[*]:--}")" >>"$tmp"
	gaps=()
	[ -z "$check" ] && gaps+=("no oracle check")
	[ ${#forb[@]} -eq 0 ] && gaps+=("no forbidden test")
	[ ${#allow[@]} -eq 0 ] && gaps+=("no allowed test")
	if [ ${#gaps[@]} -gt 0 ]; then
		missing=$((missing + 1))
		report+=("$id: $(IFS=';'; echo "${gaps[*]}")")
	fi
done <<<"$index"
rm -f "$meta"
mv "$tmp" "$out"
trap - EXIT
n=$(wc -l <"$out")
if [ "$missing" -eq 0 ]; then
	echo "ok - rules-xref: all $n oracle rules have a check, a forbidden and an allowed litmus test ($out; not oracle rules: ${skipped[*]:-none})"
	exit 0
fi
if [ "${ENFORCE:-1}" = 1 ]; then
	printf 'not ok - rules-xref: %s\n' "${report[@]}"
	exit 1
fi
echo "rules-xref: $missing of $n oracle rules lack a check or a litmus test in either direction ($out)"
printf '  %s\n' "${report[@]}"
exit 0
