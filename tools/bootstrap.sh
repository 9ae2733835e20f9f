#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# bootstrap.sh - install what mmuspec needs from Debian 12, or say how.
#
# Each line below is "probe package": the probe is a command name or an
# absolute path (a glob); when it is missing, the package is installed.
# As root this runs one apt-get install; otherwise it prints the command
# and fails. README.md says why each package is there.
set -u

needs='
gcc			gcc
make			make
ar			binutils
clang			clang
/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
llvm-cov		llvm
llvm-profdata		llvm
/usr/include/cmark.h	libcmark-dev
clang-format		clang-format
python3			python3
pandoc			pandoc
doxygen			doxygen
dot			graphviz
chromium		chromium
/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core
linkchecker		linkchecker
node			nodejs
npm			npm
afl-fuzz		afl++
gnuplot			gnuplot-nox
'

missing=()
while read -r probe pkg; do
	[ -n "$probe" ] || continue
	if [[ $probe == /* ]]; then
		compgen -G "$probe" >/dev/null && continue
	else
		command -v "$probe" >/dev/null 2>&1 && continue
	fi
	[[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
done <<<"$needs"

[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "mmuspec needs Debian packages that are missing; as root run:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && $cmd -qq; } >&2; then
	echo "bootstrap: apt-get failed; run by hand: apt-get update && $cmd" >&2
	exit 1
fi
