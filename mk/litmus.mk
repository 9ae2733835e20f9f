# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# Litmus tests, the oracle and the runner (doc/10-oracle.md,
# doc/11-litmus-format.md, doc/12-exploration.md).
#
#   make litmus [FILES="a.litmus b.litmus"] [LITMUS_FLAGS=...]
#       run every corpus/litmus/*.litmus (or FILES) with build/clang/bin/litmus
#   make fuzz-litmus-parser [FUZZ_SECONDS=60]
#       libFuzzer campaign on the litmus parser (ASan+UBSan)
#   make rules-xref      write build/rules-xref.tsv; fail on an oracle rule
#                        without a check and litmus tests both ways
#   make bench-litmus    suite timings, schedules/s and steps/s
#
# make check runs: the suite under ASan+UBSan (litmus-check), a bounded
# replay+fuzz run of the parser target (fuzz-litmus-parser-smoke) and the
# rule cross-reference lint (rules-xref).

LITMUS_FILES := $(sort $(wildcard corpus/litmus/*.litmus))
FILES ?= $(LITMUS_FILES)
LITMUS_FLAGS ?=
LITMUS_JOBS ?= 2
RULES_TSV := $(B)/rules.tsv

# The rule index the counterexamples quote (rule text and chapter).
$(RULES_TSV): $(CHAPTERS) | $(TANGLE)
	@mkdir -p $(@D)
	$(Q)$(TANGLE) --rules $(CHAPTERS) >$@

# --- make litmus -------------------------------------------------------------
.PHONY: litmus litmus-check
PROVIDED_TARGETS += litmus
litmus: $(B)/clang/bin/litmus $(RULES_TSV)
	$(Q)$(B)/clang/bin/litmus --rules=$(RULES_TSV) -j $(LITMUS_JOBS) \
		$(LITMUS_FLAGS) $(FILES)

# In make check: the whole suite and the regressions (corpus/regressions/,
# the minimized fuzz findings) under ASan+UBSan, one check per test.
LITMUS_CHECK_FILES := $(LITMUS_FILES) \
	$(sort $(wildcard corpus/regressions/*.litmus))
litmus-check: $(B)/asan/bin/litmus $(RULES_TSV)
	$(Q)set -o pipefail; $(B)/asan/bin/litmus --rules=$(RULES_TSV) \
		-j $(LITMUS_JOBS) $(LITMUS_CHECK_FILES) | \
		sed -e 's/^PASS /ok - litmus /' -e 's/^FAIL /not ok - litmus /'

CHECK_TARGETS += litmus-check

# --- the parser's fuzz target ------------------------------------------------
LP_DIR := $(B)/fuzz-litmus-parser
LP_SRCS := $(sort $(wildcard ref/11-litmus-format/*.c)) \
	fuzz/litmus-parser/fuzz_litmus_parser.c
LP_CFLAGS := $(BASE_CFLAGS) -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60

$(LP_DIR)/fuzz_litmus_parser: $(LP_SRCS) $(REF_HDRS) $(B)/asan/libmmuspec.a
	@mkdir -p $(@D)
	$(Q)clang $(LP_CFLAGS) $(LP_SRCS) $(B)/asan/libmmuspec.a -o $@

LP_SEEDS := $(LITMUS_FILES) $(wildcard fuzz/litmus-parser/seeds/*)

.PHONY: fuzz-litmus-parser fuzz-litmus-parser-smoke
fuzz-litmus-parser: $(LP_DIR)/fuzz_litmus_parser
	@mkdir -p $(LP_DIR)/corpus $(LP_DIR)/findings
	$(Q)cp -n $(LP_SEEDS) $(LP_DIR)/corpus/ 2>/dev/null || true
	$(Q)$< -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		-artifact_prefix=$(LP_DIR)/findings/ $(LP_DIR)/corpus

# In make check: replay the seeds, then 20000 mutated runs from a fresh,
# throw-away corpus with a fixed seed (deterministic, a few seconds).
fuzz-litmus-parser-smoke: $(LP_DIR)/fuzz_litmus_parser
	$(Q)rm -rf $(LP_DIR)/smoke && mkdir -p $(LP_DIR)/smoke
	$(Q)cp $(LP_SEEDS) $(LP_DIR)/smoke/
	$(Q)$< -runs=20000 -seed=1 -max_len=4096 \
		-artifact_prefix=$(LP_DIR)/ $(LP_DIR)/smoke 2>$(LP_DIR)/smoke.log \
		|| { tail -n 30 $(LP_DIR)/smoke.log; exit 1; }
	$(Q)grep -E '^#[0-9]+[[:space:]]+DONE' $(LP_DIR)/smoke.log | sed 's/^/ok - litmus parser fuzz smoke: /'

CHECK_TARGETS += fuzz-litmus-parser-smoke

# --- rule cross-reference ---------------------------------------------------
.PHONY: rules-xref
rules-xref: $(TANGLE)
	$(Q)B=$(B) TANGLE=$(TANGLE) tools/rules-xref.sh

CHECK_TARGETS += rules-xref

# --- make bench-litmus (part of make bench) ---------------------------------
.PHONY: bench-litmus
bench-litmus: $(B)/gcc/bin/litmus
	$(Q)mkdir -p $(B)/bench
	$(Q)tools/bench-litmus.sh $(B)/gcc/bin/litmus $(LITMUS_FILES) | \
		tee $(B)/bench/litmus.txt
BENCH_TARGETS += bench-litmus
