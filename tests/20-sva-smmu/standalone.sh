#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# standalone.sh EXAMPLE MODEL_HEADER... - build an example driver on its own.
#
# Copies examples/EXAMPLE/ and exactly the headers its files include
# (found by the compiler under ref/include/) into an empty folder and
# compiles every .c there with gcc and clang, -std=gnu11 -Wall -Wextra
# -Werror. The example may include kernel-named headers (linux/*, from
# ref/include/linux/), the model headers named on the command line (its
# chapter's list), its own headers, and a few C library headers that
# stand in for the kernel's (errno.h for linux/errno.h, stdbool.h and
# stddef.h for linux/types.h). Prints ok/not ok lines (tools/run-tests.sh).
set -u
ex=$1
shift
allowed_model=" $* "
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/examples/$ex
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

ok() { echo "ok - $ex standalone: $*"; }
notok() { echo "not ok - $ex standalone: $*"; fail=1; }

if [ ! -d "$src" ] || ! ls "$src"/*.c >/dev/null 2>&1; then
	notok "examples/$ex has no C file"
	exit 1
fi

# 1. Direct includes: only what the chapter allows.
bad=""
while read -r inc; do
	case "$inc" in
	linux/*)
		[ -f "$root/ref/include/$inc" ] || bad="$bad $inc" ;;
	mmuspec/*)
		case "$allowed_model" in
		*" $inc "*) ;;
		*) bad="$bad $inc" ;;
		esac ;;
	errno.h | stdbool.h | stddef.h) ;;
	*) bad="$bad $inc" ;;
	esac
done < <(sed -n 's/^#include <\(.*\)>.*/\1/p' "$src"/*.[ch] | sort -u)
if [ -z "$bad" ]; then
	ok "includes only linux/*, $(echo $allowed_model) and its own headers"
else
	notok "includes headers outside its list:$bad"
fi

# 2. Copy the example and the headers it needs, nothing else.
mkdir -p "$tmp/$ex" "$tmp/include"
cp "$src"/* "$tmp/$ex/"
hdrs=$(cd "$root" && for c in "examples/$ex"/*.c; do
	gcc -std=gnu11 -Iref/include -MM -MT x "$c"
done | tr ' \\' '\n\n' | grep '^ref/include/' | sort -u)
for h in $hdrs; do
	mkdir -p "$tmp/include/$(dirname "${h#ref/include/}")"
	cp "$root/$h" "$tmp/include/${h#ref/include/}"
done
ok "copied $(echo "$hdrs" | wc -w) headers: $(echo $hdrs | sed 's|ref/include/||g')"

# 3. Build there, with both compilers, every warning an error.
for cc in gcc clang; do
	if ! command -v $cc >/dev/null; then
		notok "$cc not installed"
		continue
	fi
	log=$tmp/$cc.log
	good=1
	for c in "$tmp/$ex"/*.c; do
		$cc -std=gnu11 -Wall -Wextra -Werror -I"$tmp/include" \
			-c "$c" -o "$tmp/$(basename "$c" .c).$cc.o" \
			>>"$log" 2>&1 || good=0
	done
	if [ $good = 1 ]; then
		ok "builds with $cc -Wall -Wextra -Werror"
	else
		notok "$cc: $(head -5 "$log")"
	fi
done
exit $fail
