# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# Fuzzing (doc/13-fuzzing.md): one harness per target under fuzz/targets/,
# built for libFuzzer (with and without ASan+UBSan), for AFL++ through
# afl-clang-fast and its libAFLDriver, for source-based coverage, and as a
# plain replay program for gcc and for the ASan+UBSan test build.
#
#   make fuzz      [FUZZ_TARGET=kernel] [FUZZ_SECONDS=60] [JOBS=1]
#   make afl       [FUZZ_TARGET=kernel] [FUZZ_SECONDS=60] [JOBS=1]
#   make coverage  [FUZZ_TARGET=kernel]
#   make fuzz-build   every target in every configuration

FUZZ_TARGET ?= kernel
FUZZ_SECONDS ?= 60
JOBS ?= 1
FUZZ_NAMES := $(sort $(basename $(notdir $(wildcard fuzz/targets/*.c))))
FUZZ_LIB_SRCS := $(sort $(wildcard fuzz/lib/*.c))

# Configurations of the reference library for the engines.
CC_fz := clang
CFLAGS_fz := $(BASE_CFLAGS) -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
LDFLAGS_fz := -fsanitize=fuzzer,address,undefined
CC_fzfast := clang
CFLAGS_fzfast := $(BASE_CFLAGS) -O2 -fsanitize=fuzzer-no-link
LDFLAGS_fzfast := -fsanitize=fuzzer
CC_afl := afl-clang-fast
CFLAGS_afl := $(BASE_CFLAGS) -O2
LDFLAGS_afl := -fsanitize=fuzzer
CC_cov := clang
CFLAGS_cov := $(BASE_CFLAGS) -O0 -fprofile-instr-generate -fcoverage-mapping
LDFLAGS_cov := -fprofile-instr-generate
LDFLAGS_gcc :=
LDFLAGS_asan := -fsanitize=address,undefined
FUZZ_CONFIGS := fz fzfast afl cov
$(foreach c,$(FUZZ_CONFIGS),$(eval $(call config_rules,$(c))))

# What the libFuzzer builds' coverage sees of the model (doc/13-fuzzing.md,
# section 13.6, has the measurements behind the default). The decoder, the
# harness and the targets always get libFuzzer's whole instrumentation
# (edges and comparison tracing); every other ref/ directory, the model and
# the oracle, gets FUZZ_MODEL_COV: full (the same), edges (edge counters
# only: no trace-cmp, and no indirect-call tracing, which feeds only
# -use_value_profile), or none.
FUZZ_MODEL_COV ?= edges
FUZZ_COV_full :=
FUZZ_COV_edges := -fno-sanitize-coverage=trace-cmp,indirect-calls
FUZZ_COV_none := -fno-sanitize=fuzzer-no-link
ifeq ($(filter full edges none,$(FUZZ_MODEL_COV)),)
$(error FUZZ_MODEL_COV must be full, edges or none, not '$(FUZZ_MODEL_COV)')
endif
FUZZ_MODEL_DIRS := $(filter-out ref/13-fuzzing/,$(sort $(dir $(REF_LIB_SRCS))))
$(foreach c,fz fzfast,$(foreach d,$(FUZZ_MODEL_DIRS),\
	$(eval $(B)/$(c)/$(d)%.o: CFLAGS_$(c) += $(FUZZ_COV_$(FUZZ_MODEL_COV)))))
# A change of FUZZ_MODEL_COV or of its flags rebuilds the libraries.
.PHONY: fuzz-cov-force
$(foreach c,fz fzfast,$(eval $(REF_LIB_SRCS:%.c=$(B)/$(c)/%.o): \
	$(B)/$(c)/model-cov.txt))
$(B)/%/model-cov.txt: fuzz-cov-force
	@mkdir -p $(@D)
	$(Q)echo '$(FUZZ_MODEL_COV) $(FUZZ_COV_$(FUZZ_MODEL_COV))' | cmp -s - $@ || \
		echo '$(FUZZ_MODEL_COV) $(FUZZ_COV_$(FUZZ_MODEL_COV))' >$@

# fuzz-NAME in configuration C; replay builds link fuzz/replay_main.c.
define fuzz_target_rule
$(B)/$(1)/fuzz/targets/$(2).o: $(wildcard fuzz/targets/*.h)
$(B)/$(1)/fuzz/bin/$(2): $(B)/$(1)/fuzz/targets/$(2).o \
		$(FUZZ_LIB_SRCS:%.c=$(B)/$(1)/%.o) $(3) $(B)/$(1)/libmmuspec.a
	@mkdir -p $$(@D)
	$$(Q)$$(CC_$(1)) $$(CFLAGS_$(1)) $$^ $$(LDFLAGS_$(1)) -o $$@
endef
$(foreach t,$(FUZZ_NAMES),$(foreach c,fz fzfast afl,\
	$(eval $(call fuzz_target_rule,$(c),$(t),))))
$(foreach t,$(FUZZ_NAMES),$(foreach c,gcc asan cov,\
	$(eval $(call fuzz_target_rule,$(c),$(t),$(B)/$(c)/fuzz/replay_main.o))))

FUZZ_BINS := $(foreach t,$(FUZZ_NAMES),$(foreach c,fz fzfast afl gcc asan cov,\
	$(B)/$(c)/fuzz/bin/$(t)))

.PHONY: fuzz afl coverage fuzz-build fuzz-known
fuzz-build: $(FUZZ_BINS)

# A target that does not exist yet says so, and fails.
fuzz-known:
	$(Q)if [ ! -f fuzz/targets/$(FUZZ_TARGET).c ]; then \
		echo "fuzz target '$(FUZZ_TARGET)' not built yet (issue 5); targets: $(FUZZ_NAMES)"; \
		exit 1; fi

fuzz: fuzz-known
	$(Q)$(MAKE) --no-print-directory $(B)/fz/fuzz/bin/$(FUZZ_TARGET) \
		$(B)/asan/fuzz/bin/$(FUZZ_TARGET) $(if $(FUZZ_VOCAB_$(FUZZ_TARGET)),\
		$(B)/fuzz/$(FUZZ_TARGET)/seeds.stamp)
	$(Q)fuzz/campaign.sh libfuzzer $(FUZZ_TARGET) $(FUZZ_SECONDS) $(JOBS)

afl: fuzz-known
	$(Q)$(MAKE) --no-print-directory $(B)/afl/fuzz/bin/$(FUZZ_TARGET) \
		$(B)/asan/fuzz/bin/$(FUZZ_TARGET) $(if $(FUZZ_VOCAB_$(FUZZ_TARGET)),\
		$(B)/fuzz/$(FUZZ_TARGET)/seeds.stamp)
	$(Q)fuzz/campaign.sh afl $(FUZZ_TARGET) $(FUZZ_SECONDS) $(JOBS)

coverage: fuzz-known
	$(Q)$(MAKE) --no-print-directory $(B)/cov/fuzz/bin/$(FUZZ_TARGET)
	$(Q)fuzz/coverage.sh $(FUZZ_TARGET)

PROVIDED_TARGETS += fuzz afl coverage

# Throughput ratios against the empty harness (part of make bench), and
# the oracle's cost: the kernel target over fixed inputs, uninstrumented
# (clang -O2), with the oracle and with it compiled out (fuzz/bench_main.c).
$(B)/clang/fuzz/targets/kernel.o: $(wildcard fuzz/targets/*.h)
$(B)/clang/ref/12-exploration/explore-no-oracle.o: \
		ref/12-exploration/explore.c $(REF_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC_clang) $(CFLAGS_clang) -DMMUSPEC_NO_ORACLE -c $< -o $@
$(B)/clang/fuzz/bench/kernel: $(B)/clang/fuzz/bench_main.o \
		$(B)/clang/fuzz/targets/kernel.o $(B)/clang/libmmuspec.a
	@mkdir -p $(@D)
	$(Q)$(CC_clang) $(CFLAGS_clang) $^ -o $@
$(B)/clang/fuzz/bench/kernel-no-oracle: $(B)/clang/fuzz/bench_main.o \
		$(B)/clang/fuzz/targets/kernel.o \
		$(B)/clang/ref/12-exploration/explore-no-oracle.o \
		$(B)/clang/libmmuspec.a
	@mkdir -p $(@D)
	$(Q)$(CC_clang) $(CFLAGS_clang) $^ -o $@
.PHONY: bench-fuzz
bench-fuzz:
	$(Q)$(MAKE) --no-print-directory $(foreach t,$(FUZZ_NAMES),\
		$(B)/fz/fuzz/bin/$(t) $(B)/fzfast/fuzz/bin/$(t) $(B)/afl/fuzz/bin/$(t)) \
		$(B)/clang/fuzz/bench/kernel $(B)/clang/fuzz/bench/kernel-no-oracle \
		$(B)/fuzz/kernel/seeds.stamp
	$(Q)mkdir -p $(B)/bench && FUZZ_BUILD=$(B) fuzz/bench.sh | tee $(B)/bench/fuzz.txt
BENCH_TARGETS += bench-fuzz

# Seeds: the litmus suite and the regressions, encoded per vocabulary.
FUZZ_VOCAB_kernel := kernel
FUZZ_VOCAB_primitives := primitives
LITMUS_SEED_FILES = $(sort $(wildcard corpus/litmus/*.litmus \
	corpus/regressions/*.litmus))
$(B)/fuzz/%/seeds.stamp: $(LITMUS_SEED_FILES) $(B)/asan/bin/litmus2fuzz
	$(Q)rm -rf $(B)/fuzz/$*/seeds && mkdir -p $(B)/fuzz/$*/seeds
	$(Q)$(B)/asan/bin/litmus2fuzz $(FUZZ_VOCAB_$*) $(B)/fuzz/$*/seeds \
		$(LITMUS_SEED_FILES) >$(B)/fuzz/$*/seeds.log
	$(Q)touch $@
FUZZ_SEEDED := $(foreach t,$(FUZZ_NAMES),$(if $(FUZZ_VOCAB_$(t)),$(t)))
.PHONY: fuzz-seeds fuzz-replay
fuzz-seeds: $(foreach t,$(FUZZ_SEEDED),$(B)/fuzz/$(t)/seeds.stamp)

# make check: every seed and regression through the ASan+UBSan replay build.
fuzz-replay: fuzz-seeds $(foreach t,$(FUZZ_SEEDED),$(B)/asan/fuzz/bin/$(t))
	$(Q)for t in $(FUZZ_SEEDED); do \
		$(B)/asan/fuzz/bin/$$t $(B)/fuzz/$$t/seeds || exit 1; \
		echo "ok - fuzz-replay: $$t: $$(ls $(B)/fuzz/$$t/seeds | wc -l) seed(s) replayed"; \
	done
CHECK_TARGETS += fuzz-replay

# make check: no run of a seed, or of its 50 mutants, depends on the runs
# before it (section 13.5.1), in the gcc replay build, whose fork is cheap.
# A campaign corpus is checked the same way:
#   build/gcc/fuzz/bin/TARGET --isolation build/fuzz/TARGET/corpus
.PHONY: fuzz-isolation
fuzz-isolation: fuzz-seeds $(foreach t,$(FUZZ_SEEDED),$(B)/gcc/fuzz/bin/$(t))
	$(Q)for t in $(FUZZ_SEEDED); do \
		$(B)/gcc/fuzz/bin/$$t --isolation --mutants=50 $(B)/fuzz/$$t/seeds 2>$(B)/fuzz/$$t/isolation.log || \
			{ cat $(B)/fuzz/$$t/isolation.log; exit 1; }; \
		echo "ok - fuzz-isolation: $$t: $$(tail -1 $(B)/fuzz/$$t/isolation.log | sed 's/^replay --isolation: //')"; \
	done
CHECK_TARGETS += fuzz-isolation
