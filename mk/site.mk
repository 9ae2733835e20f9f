# mk/site.mk — the spec site (issue 8): chapters, rule index, API pages,
# diagrams, litmus/bug-zoo pages, search; and its browser/link checks.
#
#   make site        build/site/ (pandoc + Doxygen + graphviz + pagefind)
#   make site-check  serve it on loopback; headless Chromium + linkchecker +
#                    rule-anchor check (part of `make check`)
#   make serve       serve build/site on 127.0.0.1:$(SERVE_PORT)
#   make site-test   tests/site: the checks reject broken fixtures
#
# Every variable below can be overridden (tests/site does, to build a fixture).
# Included by the top-level Makefile, which defines Q and TANGLE.

Q              ?= @
TANGLE         ?= build/tools/tangle
SITE_DOC_DIR   ?= doc
SITE_DOCS      ?= $(sort $(wildcard $(SITE_DOC_DIR)/[0-9]*-*.md))
SITE_OUT       ?= build/site
SITE_WORK      ?= build/site-src
SITE_CHECK_OUT ?= build/site-check
SITE_TOOLS     ?= tools/site
SITE_STATIC    ?= site
# Rules: the project tangler prints ID<TAB>FILE<TAB>LINE<TAB>SUMMARY per rule.
SITE_RULES_CMD ?= $(TANGLE) --rules
SITE_RULES_DEP ?= $(TANGLE)
# API sources for Doxygen. SITE_API_DEPS: extra prerequisites, e.g. the stamp
# of the rule that tangles ref/ and examples/ out of doc/.
SITE_API_INPUT ?= $(wildcard ref examples)
SITE_API_SRCS  ?= $(shell find $(SITE_API_INPUT) -name '*.[ch]' 2>/dev/null)
SITE_API_DEPS  ?=
# Optional data shown on the rule index / litmus / bug-zoo pages.
SITE_XREF      ?= build/rules-xref.tsv
SITE_LITMUS    ?= corpus/litmus
SITE_LITMUS_RESULTS ?= build/litmus/results.tsv
SITE_BUGZOO    ?= build/bugzoo
SITE_BENCH     ?= build/bench
# The bug-zoo chapter: its C table names the rule each bug breaks.
SITE_BUGZOO_DEF ?= $(wildcard $(SITE_DOC_DIR)/14-bug-zoo.md)
SERVE_PORT     ?= 8000
PANDOC         ?= pandoc
DOXYGEN        ?= doxygen
PYTHON3        ?= python3
NODE           ?= node
NPM            ?= npm
CHROMIUM       ?= /usr/bin/chromium
LINKCHECKER    ?= linkchecker

SITE_NODE_STAMP := $(SITE_TOOLS)/node_modules/.package-lock.json
SITE_PAGEFIND   := $(SITE_TOOLS)/node_modules/.bin/pagefind
SITE_FILTERS    := $(addprefix $(SITE_TOOLS)/filters/,nav.lua rules.lua apilinks.lua code.lua)
SITE_RENDER_DEPS := $(SITE_TOOLS)/template.html $(SITE_TOOLS)/topbar.html $(SITE_FILTERS) $(SITE_TOOLS)/filters/common.lua \
                    $(SITE_WORK)/nav.yaml $(SITE_WORK)/rulemap.tsv $(SITE_WORK)/api.tag
SITE_ASSETS     := $(patsubst $(SITE_TOOLS)/assets/%,$(SITE_OUT)/assets/%,$(wildcard $(SITE_TOOLS)/assets/*))
SITE_DOX_FILES  := $(addprefix $(SITE_TOOLS)/,Doxyfile kdoc2dox.py doxygen-footer.html doxygen-extra.css) \
                   $(SITE_WORK)/doxygen-header.html

SITE_NAMES      := $(basename $(notdir $(SITE_DOCS)))
SITE_CHAPTERS   := $(SITE_NAMES:%=$(SITE_OUT)/%.html)
SITE_SOURCES    := $(SITE_NAMES:%=$(SITE_OUT)/source/%.html)
SITE_GEN_NAMES  := index rules litmus bugzoo diagrams search
SITE_GEN_MD     := $(SITE_GEN_NAMES:%=$(SITE_WORK)/pages/%.md)
SITE_GEN_HTML   := $(SITE_GEN_NAMES:%=$(SITE_OUT)/%.html)
SITE_HTML       := $(SITE_CHAPTERS) $(SITE_SOURCES) $(SITE_GEN_HTML)

# pandoc: our template, the four filters, metadata shared by every page.
SITE_PANDOC = $(PANDOC) --standalone --template=$(SITE_TOOLS)/template.html \
  --metadata-file=$(SITE_WORK)/nav.yaml -M rulemap=$(SITE_WORK)/rulemap.tsv \
  -M doxygen-tagfile=$(SITE_WORK)/api.tag \
  $(addprefix -L ,$(SITE_FILTERS))

CHECK_TARGETS += site-check
ALL_TARGETS += site
PROVIDED_TARGETS += site site-check serve site-test

.PHONY: site site-check serve site-test site-clean site-force

site: $(SITE_WORK)/pagefind.stamp
	@echo "site: $(SITE_OUT)/index.html ($(words $(SITE_CHAPTERS)) chapters)"

site-force:

$(SITE_WORK)/.dir:
	$(Q)mkdir -p $(SITE_WORK)/pages $(SITE_WORK)/source $(SITE_OUT)/source $(SITE_OUT)/assets
	$(Q)touch $@

# --- npm tools (pagefind, puppeteer-core); never downloads a browser --------
# `npm install` with the committed lock file, not `npm ci`: npm 11 rejects its
# own lock in `npm ci` ("Missing: @pagefind/darwin-arm64@ from lock file",
# pagefind's optional per-platform packages), while `npm install` installs
# the locked versions and leaves the lock file unchanged (checked on a clean
# copy with npm 11.19).
$(SITE_NODE_STAMP): $(SITE_TOOLS)/package.json $(SITE_TOOLS)/package-lock.json
	@echo "  NPM     $(SITE_TOOLS)"
	$(Q)cd $(SITE_TOOLS) && flock node_modules.lock sh -c '\
	  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
	     && [ node_modules/.package-lock.json -nt package.json ]; then exit 0; fi; \
	  PUPPETEER_SKIP_DOWNLOAD=1 $(NPM) install --ignore-scripts --no-audit --no-fund --loglevel=error \
	  && touch node_modules/.package-lock.json'

# --- shared metadata ---------------------------------------------------------
$(SITE_WORK)/nav.yaml: site-force | $(SITE_WORK)/.dir
	$(Q)$(PYTHON3) $(SITE_TOOLS)/sitegen.py nav --out $@ $(SITE_DOCS)

$(SITE_WORK)/rules.tsv: $(SITE_RULES_DEP) site-force | $(SITE_WORK)/.dir
	$(Q)$(SITE_RULES_CMD) $(SITE_DOCS) > $@.tmp || { rm -f $@.tmp; echo "site: '$(SITE_RULES_CMD)' failed" >&2; exit 1; }
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(SITE_WORK)/rulemap.tsv: $(SITE_WORK)/rules.tsv $(SITE_TOOLS)/sitegen.py
	$(Q)$(PYTHON3) $(SITE_TOOLS)/sitegen.py rulemap --rules $< --out $@

# --- API pages: Doxygen over ref/ and examples/, zero warnings ----------------
# The tag file is copied only when it changes, so chapters are re-rendered
# only when an API name or anchor really changed.
# Doxygen's header carries the site's top bar (tools/site/topbar.html).
$(SITE_WORK)/doxygen-header.html: $(SITE_TOOLS)/doxygen-header.html $(SITE_TOOLS)/topbar.html \
		$(SITE_TOOLS)/sitegen.py | $(SITE_WORK)/.dir
	$(Q)$(PYTHON3) $(SITE_TOOLS)/sitegen.py doxheader --header $< --topbar $(SITE_TOOLS)/topbar.html --out $@

$(SITE_WORK)/api.stamp: $(SITE_API_SRCS) $(SITE_API_DEPS) $(SITE_DOX_FILES) | $(SITE_WORK)/.dir
	@echo "  DOXYGEN $(SITE_OUT)/api"
	$(Q)rm -rf $(SITE_OUT)/api $(SITE_WORK)/dox && mkdir -p $(SITE_WORK)/dox $(SITE_OUT)/api
	$(Q)if [ -n "$(strip $(SITE_API_SRCS))" ]; then \
	  DOX_INPUT="$(abspath $(SITE_API_INPUT))" DOX_OUT="$(abspath $(SITE_WORK)/dox)" \
	  DOX_HTML="$(abspath $(SITE_OUT)/api)" DOX_TAG="$(abspath $(SITE_WORK)/dox/api.tag)" \
	  DOX_TOOLS="$(abspath $(SITE_TOOLS))" DOX_STRIP="$(CURDIR)" \
	  DOX_HEADER="$(abspath $(SITE_WORK)/doxygen-header.html)" \
	  $(DOXYGEN) $(SITE_TOOLS)/Doxyfile > $(SITE_WORK)/dox/doxygen.log 2>&1; rc=$$?; \
	  if [ $$rc -ne 0 ] || [ -s $(SITE_WORK)/dox/warnings.log ] || grep -qiE 'warning|error' $(SITE_WORK)/dox/doxygen.log; then \
	    cat $(SITE_WORK)/dox/doxygen.log $(SITE_WORK)/dox/warnings.log >&2; \
	    echo "site: Doxygen reported warnings or failed (rc=$$rc); the API pages must build with zero warnings" >&2; exit 1; \
	  fi; \
	else \
	  printf '%s\n' '---' 'title: API reference' '---' '' \
	    'Not produced yet: there are no C sources in ref/ or examples/.' > $(SITE_WORK)/dox/none.md; \
	  printf '<?xml version="1.0"?>\n<tagfile>\n</tagfile>\n' > $(SITE_WORK)/dox/api.tag; \
	  $(PANDOC) --standalone --template=$(SITE_TOOLS)/template.html -M root=../ -M page-class=api \
	    $(SITE_WORK)/dox/none.md -o $(SITE_OUT)/api/index.html; \
	fi
	$(Q)if cmp -s $(SITE_WORK)/dox/api.tag $(SITE_WORK)/api.tag; then :; else cp $(SITE_WORK)/dox/api.tag $(SITE_WORK)/api.tag; fi
	$(Q)touch $@

$(SITE_WORK)/api.tag: $(SITE_WORK)/api.stamp ;

# --- chapters and their source views --------------------------------------------
$(SITE_CHAPTERS): $(SITE_OUT)/%.html: $(SITE_DOC_DIR)/%.md $(SITE_RENDER_DEPS) | $(SITE_WORK)/.dir
	@echo "  PANDOC  $@"
	$(Q)$(SITE_PANDOC) -f commonmark_x -p --toc --toc-depth=3 -M page=$*.html -M source=$< \
	  -M source-href=source/$*.html -M doxygen-base=api/ -o $@ $<

$(SITE_WORK)/source/%.md: $(SITE_DOC_DIR)/%.md $(SITE_TOOLS)/sitegen.py | $(SITE_WORK)/.dir
	$(Q)$(PYTHON3) $(SITE_TOOLS)/sitegen.py source --out $@ $<

$(SITE_SOURCES): $(SITE_OUT)/source/%.html: $(SITE_WORK)/source/%.md $(SITE_RENDER_DEPS)
	$(Q)$(SITE_PANDOC) -f markdown -p -M page=source/$*.html -M root=../ -M doxygen-base=../api/ -o $@ $<

# --- generated pages: index, rules, litmus, bugzoo, diagrams, search -------------
# sitegen rewrites a page's markdown only when it changes.
$(SITE_WORK)/pages.gen: $(SITE_WORK)/rules.tsv $(SITE_WORK)/nav.yaml $(SITE_WORK)/api.stamp site-force | $(SITE_WORK)/.dir
	$(Q)$(PYTHON3) $(SITE_TOOLS)/sitegen.py pages --outdir $(SITE_WORK)/pages --site-out $(SITE_OUT) \
	  --rules $(SITE_WORK)/rules.tsv --nav $(SITE_WORK)/nav.yaml \
	  --xref $(SITE_XREF) --litmus-dir $(SITE_LITMUS) --litmus-results $(SITE_LITMUS_RESULTS) \
	  --bugzoo-dir $(SITE_BUGZOO) $(if $(SITE_BUGZOO_DEF),--bugzoo-def $(SITE_BUGZOO_DEF)) --bench-dir $(SITE_BENCH) --diagrams $(SITE_STATIC)/diagrams \
	  --index $(SITE_STATIC)/index.md

$(SITE_GEN_MD): $(SITE_WORK)/pages.gen ;

# The rule index takes its oracle-check and litmus columns from the rule
# cross-reference; write it first (its lint verdict is rules-xref's job in
# make check, so a gap does not stop the site here).
# It is remade only when a chapter, a litmus test or the lint changes.
SITE_XREF_CMD ?= B=$(B) TANGLE=$(TANGLE) tools/rules-xref.sh
SITE_XREF_DEPS ?= $(TANGLE) $(CHAPTERS) tools/rules-xref.sh \
	$(wildcard corpus/litmus/*.litmus corpus/regressions/*.litmus)
$(SITE_XREF): $(SITE_XREF_DEPS)
	-$(Q)$(SITE_XREF_CMD) >/dev/null 2>&1
	$(Q)touch $@
$(SITE_WORK)/pages.gen: $(SITE_XREF)

# The litmus page shows, next to the verdict each test declares, what the
# runner observed: `litmus --results` writes a line per test. A failing test
# is shown as failed (make check is where it fails the build).
# SITE_LITMUS_RUN empty: the results file is data given with the site.
SITE_LITMUS_RUN ?= $(B)/clang/bin/litmus
ifneq ($(SITE_LITMUS_RUN),)
SITE_LITMUS_FILES := $(wildcard $(SITE_LITMUS)/*.litmus)
$(SITE_LITMUS_RESULTS): $(SITE_LITMUS_RUN) $(RULES_TSV) $(SITE_LITMUS_FILES)
	@mkdir -p $(@D)
	-$(Q)$(SITE_LITMUS_RUN) --rules=$(RULES_TSV) -j $(LITMUS_JOBS) \
		--results=$@.tmp $(SITE_LITMUS_FILES) >/dev/null
	$(Q)mv $@.tmp $@
$(SITE_WORK)/pages.gen: $(SITE_LITMUS_RESULTS)
endif

$(SITE_GEN_HTML): $(SITE_OUT)/%.html: $(SITE_WORK)/pages/%.md $(SITE_RENDER_DEPS)
	@echo "  PANDOC  $@"
	$(Q)$(SITE_PANDOC) -f markdown -p $(if $(filter index rules litmus search,$*),,--toc --toc-depth=2) \
	  -M page=$*.html -M doxygen-base=api/ -o $@ $<

$(SITE_OUT)/assets/%: $(SITE_TOOLS)/assets/% | $(SITE_WORK)/.dir
	$(Q)cp $< $@

# --- search index; also drops pages of chapters that no longer exist -------------
$(SITE_WORK)/pagefind.stamp: $(SITE_HTML) $(SITE_ASSETS) $(SITE_WORK)/api.stamp $(SITE_NODE_STAMP)
	$(Q)for f in $(SITE_OUT)/*.html $(SITE_OUT)/source/*.html; do \
	  case " $(SITE_HTML) " in *" $$f "*) ;; *) echo "  RM      $$f (stale)"; rm -f "$$f";; esac; done
	@echo "  PAGEFIND $(SITE_OUT)/pagefind"
	$(Q)rm -rf $(SITE_OUT)/pagefind
	$(Q)$(SITE_PAGEFIND) --site $(SITE_OUT) --force-language en > $(SITE_WORK)/pagefind.log 2>&1 \
	  || { cat $(SITE_WORK)/pagefind.log >&2; echo "site: pagefind failed" >&2; exit 1; }
	$(Q)touch $@

# --- checks ------------------------------------------------------------------------
site-check: site
	$(Q)SITE_OUT=$(SITE_OUT) SITE_CHECK_OUT=$(SITE_CHECK_OUT) SITE_TOOLS=$(SITE_TOOLS) \
	  SITE_RULES_TSV=$(SITE_WORK)/rules.tsv SITE_API_TAG=$(SITE_WORK)/api.tag \
	  CHROMIUM=$(CHROMIUM) NODE=$(NODE) LINKCHECKER=$(LINKCHECKER) PYTHON3=$(PYTHON3) \
	  $(SITE_TOOLS)/site-check.sh

serve: site
	@echo "serving $(SITE_OUT) on http://127.0.0.1:$(SERVE_PORT)/ (Ctrl-C stops)"
	$(Q)cd $(SITE_OUT) && $(PYTHON3) -m http.server --bind 127.0.0.1 $(SERVE_PORT)

site-test: $(SITE_NODE_STAMP)
	$(Q)tests/site/test_site.sh

site-clean:
	$(Q)rm -rf $(SITE_OUT) $(SITE_WORK) $(SITE_CHECK_OUT)
