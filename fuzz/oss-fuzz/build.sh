#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# build.sh - build mmuspec's fuzz targets under the OSS-Fuzz /
# ClusterFuzzLite build contract.
#
# Honours CC, CXX, CFLAGS, LIB_FUZZING_ENGINE and OUT (and SRC, WORK if
# set). For each fuzz/targets/NAME.c it writes $OUT/NAME, and where they
# exist $OUT/NAME_seed_corpus.zip, $OUT/NAME.dict and $OUT/NAME.options.
# The committed ref/ is compiled as it is: no tangling, no tools of ours.
set -eu
: "${CC:?set CC}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE}"
: "${OUT:?set OUT}"
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${WORK:-$(mktemp -d)}
mkdir -p "$OUT" "$work/obj"
cd "$top"

std="-std=gnu11 -Iref/include"
objs=()
while IFS= read -r src; do
	o=$work/obj/$(printf '%s' "$src" | tr '/' '_').o
	# shellcheck disable=SC2086
	$CC $CFLAGS $std -c "$src" -o "$o"
	objs+=("$o")
done < <(find ref fuzz/lib -name '*.c' ! -name '*_main.c' 2>/dev/null | sort)

# Link with CXX when there is one: engines such as AFL++'s driver are C++.
link=${CXX:-$CC}
for t in fuzz/targets/*.c; do
	name=$(basename "$t" .c)
	# shellcheck disable=SC2086
	$CC $CFLAGS $std -c "$t" -o "$work/obj/target_$name.o"
	# shellcheck disable=SC2086
	$link $CFLAGS "$work/obj/target_$name.o" "${objs[@]}" \
		$LIB_FUZZING_ENGINE -o "$OUT/$name"
	seeds=()
	for d in "fuzz/seeds/$name" "build/fuzz/$name/seeds"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	if [ ${#seeds[@]} -gt 0 ] &&
		[ -n "$(find "${seeds[@]}" -type f -print -quit)" ]; then
		rm -f "$OUT/${name}_seed_corpus.zip"
		python3 - "$OUT/${name}_seed_corpus.zip" "${seeds[@]}" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for d in sys.argv[2:]:
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            if os.path.isfile(p):
                z.write(p, f)
PY
	fi
	if [ -f "fuzz/targets/$name.dict" ]; then
		cp "fuzz/targets/$name.dict" "$OUT/$name.dict"
	fi
	{
		echo "[libfuzzer]"
		[ -f "fuzz/targets/$name.dict" ] && echo "dict = $name.dict"
		if [ -f "fuzz/targets/$name.options" ]; then
			grep -v '^#' "fuzz/targets/$name.options" |
				awk 'NF == 2 {print $1 " = " $2}'
		fi
	} >"$OUT/$name.options"
done
