# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The executable model (chapters 02-09, issue 3).
#
#   make bench-model   per-step cost with 2^6 and 2^20 pages mapped, and the
#                      context-switch cost (part of make bench)

.PHONY: bench-model
bench-model: $(B)/gcc/bin/model_bench
	$(Q)mkdir -p $(B)/bench && $(B)/gcc/bin/model_bench | tee $(B)/bench/model.txt
BENCH_TARGETS += bench-model
