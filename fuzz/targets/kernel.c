// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * kernel.c - the soundness target (doc/13-fuzzing.md, section 13.1):
 * correct kernel procedures, user and device accesses. Any finding is a
 * bug in the model, a false alarm of the oracle, or a bug the bug zoo
 * switched back on: print the counterexample and abort.
 *
 * With MMUSPEC_FUZZ_KEEP_GOING=1 in the environment a finding only prints
 * its mmuspec-finding line, so that `make bench` can measure throughput on
 * a model that still has findings.
 */
#include "mmuspec_target.h"

static void report(const struct mmuspec_fuzz_result *res, const uint8_t *data,
		   size_t size)
{
	static int keep_going = -1;

	if (!res->rule)
		return;
	if (keep_going < 0)
		keep_going = getenv("MMUSPEC_FUZZ_KEEP_GOING") != NULL;
	if (keep_going)
		return;
	if (strcmp(res->rule, "WARN") && strcmp(res->rule, "DEADLOCK"))
		explore_print_cex(res->x, stderr);
	fprintf(stderr, "mmuspec-finding: %s at %s\n", res->rule, res->where);
	abort();
}

MMUSPEC_FUZZ_TARGET(MMUSPEC_FUZZ_KERNEL, report)
