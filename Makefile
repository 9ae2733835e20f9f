# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# mmuspec: `make` builds everything, `make check` runs every test.
# Chapter 00 (doc/00-reading-guide.md) explains the targets; `make help`
# lists them. V=1 shows the commands.

.DEFAULT_GOAL := all
SHELL := /bin/bash

V ?= 0
Q := $(if $(filter 1,$(V)),,@)
B := build

# Set-up: install missing Debian packages (as root) or say what to run.
# Runs once per top-level make, before anything else is considered.
NO_BOOTSTRAP_GOALS := clean help rules tangle tangle-check style fmt serve
ifeq ($(MMUSPEC_BOOTSTRAPPED),)
ifneq ($(filter-out $(NO_BOOTSTRAP_GOALS),$(or $(MAKECMDGOALS),all)),)
BOOTSTRAP_RC := $(shell tools/bootstrap.sh >&2; echo $$?)
ifneq ($(BOOTSTRAP_RC),0)
$(error tools/bootstrap.sh failed: see above)
endif
endif
export MMUSPEC_BOOTSTRAPPED := 1
endif

CHAPTERS := $(sort $(wildcard doc/*.md))
TANGLE := $(B)/tools/tangle
TANGLE_ASAN := $(B)/tools/tangle-asan

# Generated sources are committed; list them as they are on disk.
REF_SRCS := $(sort $(shell find ref -name '*.c' 2>/dev/null))
REF_HDRS := $(sort $(shell find ref examples -name '*.h' 2>/dev/null))
REF_LIB_SRCS := $(filter-out %_main.c,$(REF_SRCS))
REF_MAIN_SRCS := $(filter %_main.c,$(REF_SRCS))
EX_SRCS := $(sort $(shell find examples -name '*.c' 2>/dev/null))
TEST_SRCS := $(sort $(shell find tests -name 'test_*.c' 2>/dev/null))
TEST_SCRIPTS := $(sort $(shell find tests -name 'test_*.sh' 2>/dev/null))

# Three builds of the same sources: gcc and clang with every warning an
# error, and clang with ASan+UBSan for the tests.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -g $(WARN) -Iref/include
CC_gcc := gcc
CC_clang := clang
CC_asan := clang
CFLAGS_gcc := $(BASE_CFLAGS) -O2
CFLAGS_clang := $(BASE_CFLAGS) -O2
CFLAGS_asan := $(BASE_CFLAGS) -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
CONFIGS := gcc clang asan

# Programs that tangle doesn't produce (tools/) are built by the host CC.
TOOL_CFLAGS := -std=gnu11 -g -O2 $(WARN)

.PHONY: all build check tangle tangle-check rules rules-lint style clean help
.PHONY: lib examples tests

# ---------------------------------------------------------------------------
# Tools

$(TANGLE): tools/tangle.c
	@mkdir -p $(@D)
	$(Q)gcc $(TOOL_CFLAGS) $< -lcmark -o $@

$(TANGLE_ASAN): tools/tangle.c
	@mkdir -p $(@D)
	$(Q)clang $(TOOL_CFLAGS) -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=all $< -lcmark -o $@

tangle: $(TANGLE)
	$(Q)$(TANGLE) $(CHAPTERS)

tangle-check: $(TANGLE)
	$(Q)$(TANGLE) --check $(CHAPTERS)

rules: $(TANGLE)
	$(Q)$(TANGLE) --rules $(CHAPTERS)

rules-lint: $(TANGLE)
	$(Q)$(TANGLE) --rules $(CHAPTERS) >/dev/null

STYLE_FILES := $(REF_SRCS) $(REF_HDRS) $(EX_SRCS)
.PHONY: fmt
fmt: $(TANGLE)
	$(Q)$(TANGLE) $(CHAPTERS)
	$(Q)tools/fmt-chapters.py $(STYLE_FILES)
	$(Q)$(TANGLE) $(CHAPTERS)

style:
	$(Q)if [ -n "$(strip $(STYLE_FILES))" ]; then \
		clang-format --dry-run -Werror $(STYLE_FILES); fi

# ---------------------------------------------------------------------------
# The reference library, programs, examples and tests, per configuration.

define config_rules
$(B)/$(1)/%.o: %.c $(REF_HDRS) | tangle-check-once
	@mkdir -p $$(@D)
	$$(Q)$$(CC_$(1)) $$(CFLAGS_$(1)) -c $$< -o $$@

$(B)/$(1)/libmmuspec.a: $(REF_LIB_SRCS:%.c=$(B)/$(1)/%.o)
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^

$(B)/$(1)/bin/%: $(B)/$(1)/libmmuspec.a
	@mkdir -p $$(@D)
	$$(Q)$$(CC_$(1)) $$(CFLAGS_$(1)) $$(filter %_main.o,$$^) $(B)/$(1)/libmmuspec.a -o $$@

$(B)/$(1)/tests/%: $(B)/$(1)/tests/%.o $(B)/$(1)/libmmuspec.a
	@mkdir -p $$(@D)
	$$(Q)$$(CC_$(1)) $$(CFLAGS_$(1)) $$< $(B)/$(1)/libmmuspec.a -o $$@

LIBS += $(B)/$(1)/libmmuspec.a
OBJS_EX += $(EX_SRCS:%.c=$(B)/$(1)/%.o)
endef
$(foreach c,$(CONFIGS),$(eval $(call config_rules,$(c))))

# Each ref/**/NAME_main.c is a program: build/CONFIG/bin/NAME.
define main_rule
$(B)/$(1)/bin/$(patsubst %_main,%,$(basename $(notdir $(2)))): \
		$(B)/$(1)/$(2:.c=.o)
PROGS += $(B)/$(1)/bin/$(patsubst %_main,%,$(basename $(notdir $(2))))
endef
$(foreach c,$(CONFIGS),$(foreach s,$(REF_MAIN_SRCS),\
	$(eval $(call main_rule,$(c),$(s)))))

# Compiling reads the committed ref/: make sure it matches doc/ first.
.PHONY: tangle-check-once
tangle-check-once: $(TANGLE)
	$(Q)$(TANGLE) --check $(CHAPTERS)

lib: $(LIBS) $(PROGS)
examples: $(OBJS_EX)
TEST_BINS := $(TEST_SRCS:%.c=$(B)/asan/%)
tests: $(TEST_BINS) $(TANGLE_ASAN)

# Tests are also compiled by gcc, for its warnings.
build: tangle-check lib examples $(TEST_SRCS:%.c=$(B)/gcc/%.o) $(TANGLE_ASAN)

# ---------------------------------------------------------------------------
# Targets that later work fills in (mk/*.mk). Until a fragment provides one,
# it says so in one line and fails: it never pretends.

ALL_TARGETS :=
CHECK_TARGETS :=
PROVIDED_TARGETS :=
BENCH_TARGETS :=
-include $(sort $(wildcard mk/*.mk))

# make bench runs every fragment's benchmark; figures go to build/bench/.
ifneq ($(strip $(BENCH_TARGETS)),)
PROVIDED_TARGETS += bench
.PHONY: bench
bench: $(BENCH_TARGETS)
endif

all: build $(ALL_TARGETS)

PENDING := site site-check serve litmus fuzz afl bugzoo bench coverage
issue_site := 8
issue_site-check := 8
issue_serve := 8
issue_litmus := 4
issue_fuzz := 5
issue_afl := 5
issue_coverage := 5
issue_bugzoo := 6
issue_bench := 3-5
.PHONY: $(PENDING)
$(filter-out $(PROVIDED_TARGETS),$(PENDING)):
	@echo "make $@: not built yet (issue $(issue_$@))"; exit 1

# ---------------------------------------------------------------------------
# make check: every test, one closing line "N passed, N failed".

check: build tests
	$(Q)tools/run-tests.sh \
		"make:tangle-check" "make:rules-lint" "make:style" \
		$(TEST_BINS) $(TEST_SCRIPTS) \
		$(addprefix make:,$(CHECK_TARGETS))

clean:
	rm -rf $(B)

help:
	@echo "make               set up, check doc/ against ref/, build everything"
	@echo "make check         run every test (what CI runs)"
	@echo "make tangle        write ref/ and examples/ from doc/"
	@echo "make tangle-check  fail if ref/ or examples/ differ from doc/"
	@echo "make rules         print the rule index (ID, chapter, line, summary)"
	@echo "make style         clang-format check of ref/ and examples/"
	@echo "make fmt           clang-format the code blocks of the chapters"
	@echo "make site | serve  build the spec site | serve it on 127.0.0.1"
	@echo "make litmus | fuzz | afl | bugzoo | bench | coverage"
	@echo "make clean         remove build/"
	@echo "V=1 shows the commands."
