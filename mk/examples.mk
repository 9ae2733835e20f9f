# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# Example drivers (chapters 20-23, issue 7).
#
# The top-level Makefile compiles every examples/**/*.c on its own for each
# configuration (make examples); the glue files under ref/2*/ compile the
# same sources into libmmuspec.a (chapter 20.1), so nothing is needed here
# for the library. The standalone builds, which copy each example with only
# the headers it includes into an empty folder, are the
# tests/2*/test_standalone.sh scripts that `make check` runs;
# `make examples-standalone` runs just those.

# A glue file #includes its example's .c, which the generic object rule does
# not know about: rebuild the glue objects when an example changes.
EX_GLUE_SRCS := $(sort $(wildcard ref/2[0-9]-*/*_glue.c))
$(foreach c,$(CONFIGS),$(eval \
	$(EX_GLUE_SRCS:%.c=$(B)/$(c)/%.o): $(EX_SRCS)))

.PHONY: examples-standalone
examples-standalone:
	$(Q)for t in $(sort $(wildcard tests/2[0-9]-*/test_standalone.sh)); do \
		bash $$t || exit 1; done
