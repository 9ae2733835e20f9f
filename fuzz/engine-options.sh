# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# engine-options.sh - the engine options of a target, in one place, so that
# a campaign (fuzz/campaign.sh) and the throughput bench (fuzz/bench.sh)
# run a target the same way (doc/13-fuzzing.md, section 13.6.1).
#
# Source it, then `engine_options TARGET` sets three arrays:
#   dict_lf   -dict=fuzz/targets/TARGET.dict for libFuzzer, if there is one
#   dict_afl  -x fuzz/targets/TARGET.dict for AFL++, if there is one
#   opts      -KEY=VALUE for every line of fuzz/targets/TARGET.options
#             (fuzz/oss-fuzz/build.sh copies the same file as NAME.options)

engine_options() {
	local k v
	dict_lf=() dict_afl=() opts=()
	if [ -f "fuzz/targets/$1.dict" ]; then
		dict_lf=("-dict=fuzz/targets/$1.dict")
		dict_afl=(-x "fuzz/targets/$1.dict")
	fi
	if [ -f "fuzz/targets/$1.options" ]; then
		while read -r k v; do
			[[ $k == \#* || -z $k ]] || opts+=("-$k=$v")
		done <"fuzz/targets/$1.options"
	fi
}
