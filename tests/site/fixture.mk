# Build the site of a fixture tree with mk/site.mk (used by tests/site/test_site.sh).
#   make -f tests/site/fixture.mk FX=DIR site|site-check
# DIR holds doc/ (chapters) and ref/ (C sources); optional xref.tsv, litmus/,
# bugzoo/, bench/. Rules come from tests/site/fallback-tangle.py.
FX ?= build/site-test/fx
SITE_DOC_DIR   := $(FX)/doc
SITE_OUT       := $(FX)/out/site
SITE_WORK      := $(FX)/out/site-src
SITE_CHECK_OUT := $(FX)/out/site-check
SITE_RULES_CMD := python3 tests/site/fallback-tangle.py --rules
SITE_RULES_DEP :=
SITE_API_INPUT := $(wildcard $(FX)/ref)
SITE_XREF      := $(FX)/xref.tsv
SITE_XREF_CMD  := true
SITE_XREF_DEPS :=
SITE_LITMUS    := $(FX)/litmus
SITE_LITMUS_RESULTS := $(FX)/litmus-results.tsv
SITE_LITMUS_RUN :=
SITE_BUGZOO    := $(FX)/bugzoo
SITE_BENCH     := $(FX)/bench
SITE_BUGZOO_DEF := $(wildcard $(FX)/doc/02-zoo.md)
include mk/site.mk
