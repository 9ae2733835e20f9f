# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# The bug zoo (doc/14-bug-zoo.md): how fast the kernel fuzz target finds each
# historical bug of chapter 09's switches.
#
#   make bugzoo [BUGZOO_SECONDS=60] [BUGZOO_SEEDS=5] [BUGZOO_BUGS=a,b]
#               [BUGZOO_ENGINES=libfuzzer,afl] [BUGZOO_JOBS=1]
#
# Writes build/bugzoo/results.tsv, table.md and kill-times.svg (read by the
# site); fails if a bug survives a run or fires another rule only.

BUGZOO_SECONDS ?= 60
BUGZOO_SEEDS ?= 5
BUGZOO_BUGS ?=
BUGZOO_ENGINES ?= libfuzzer
BUGZOO_JOBS ?= 1

.PHONY: bugzoo
bugzoo:
	$(Q)$(MAKE) --no-print-directory $(B)/gcc/bin/bugzoo \
		$(B)/fzfast/fuzz/bin/kernel $(B)/asan/fuzz/bin/kernel \
		$(B)/fuzz/kernel/seeds.stamp \
		$(if $(findstring afl,$(BUGZOO_ENGINES)),$(B)/afl/fuzz/bin/kernel)
	$(Q)B=$(B) BUGZOO_SECONDS=$(BUGZOO_SECONDS) BUGZOO_SEEDS=$(BUGZOO_SEEDS) \
		BUGZOO_BUGS=$(BUGZOO_BUGS) BUGZOO_ENGINES=$(BUGZOO_ENGINES) \
		BUGZOO_JOBS=$(BUGZOO_JOBS) fuzz/bugzoo.sh

PROVIDED_TARGETS += bugzoo

# tests/14-bug-zoo/test_fuzz_only.sh runs the kernel target's replay build:
# make it before the tests start, not beside them (make:fuzz-replay would
# otherwise be building it while the script runs, or not yet).
tests: $(B)/asan/fuzz/bin/kernel
