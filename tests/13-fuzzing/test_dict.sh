#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# The committed dictionaries are what fuzzdict prints for the current
# vocabularies (doc/13-fuzzing.md, section 13.4).
set -u
fails=0
for v in kernel primitives; do
	if diff <(build/asan/bin/fuzzdict "$v") "fuzz/targets/$v.dict" >/dev/null; then
		echo "ok - fuzz/targets/$v.dict is current"
	else
		echo "not ok - fuzz/targets/$v.dict is stale: regenerate with build/asan/bin/fuzzdict $v"
		fails=1
	fi
done
exit $fails
