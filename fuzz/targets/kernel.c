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
 *
 * With MMUSPEC_FUZZ_ONLY=RULE (the bug zoo, doc/14-bug-zoo.md) only a
 * finding of RULE aborts; a finding of another rule prints the line
 * `mmuspec-other: RULE at EVENT` the first time its signature is met, and
 * the campaign goes on. With MMUSPEC_FUZZ_OTHERS_DIR=DIR as well, that
 * first input of each such signature is written to DIR/RULE_at_EVENT, so
 * that a finding the zoo meets on the way can be replayed and triaged.
 */
#include "mmuspec_target.h"

#define OTHERS_SEEN 64

/* Keep @data as DIR/RULE_at_EVENT, spaces and slashes made underscores. */
static void keep_other(const char *dir, const char *sig, const uint8_t *data,
		       size_t size)
{
	char path[512];
	size_t n;
	FILE *f;

	n = (size_t)snprintf(path, sizeof(path), "%s/", dir);
	for (const char *c = sig; *c && n + 1 < sizeof(path); c++)
		path[n++] = (*c == ' ' || *c == '/') ? '_' : *c;
	path[n] = '\0';
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size)
		fprintf(stderr, "mmuspec-other: cannot write %s\n", path);
	if (f)
		fclose(f);
}

/* Print a finding @only does not ask for, once per signature. */
static void other(const struct mmuspec_fuzz_result *res, const uint8_t *data,
		  size_t size)
{
	static char seen[OTHERS_SEEN][192];
	static int nseen;
	const char *dir = getenv("MMUSPEC_FUZZ_OTHERS_DIR");
	char sig[192];
	int i;

	snprintf(sig, sizeof(sig), "%s at %s", res->rule, res->where);
	for (i = 0; i < nseen; i++)
		if (!strcmp(seen[i], sig))
			return;
	if (nseen < OTHERS_SEEN)
		memcpy(seen[nseen++], sig, sizeof(sig));
	fprintf(stderr, "mmuspec-other: %s\n", sig);
	if (dir && *dir)
		keep_other(dir, sig, data, size);
}

static void report(const struct mmuspec_fuzz_result *res, const uint8_t *data,
		   size_t size)
{
	static int keep_going = -1;
	static const char *only;

	if (!res->rule)
		return;
	if (keep_going < 0) {
		keep_going = getenv("MMUSPEC_FUZZ_KEEP_GOING") != NULL;
		only = getenv("MMUSPEC_FUZZ_ONLY");
	}
	if (keep_going)
		return;
	if (only && *only && strcmp(res->rule, only)) {
		other(res, data, size);
		return;
	}
	if (strcmp(res->rule, "WARN") && strcmp(res->rule, "DEADLOCK"))
		explore_print_cex(res->x, stderr);
	fprintf(stderr, "mmuspec-finding: %s at %s\n", res->rule, res->where);
	abort();
}

MMUSPEC_FUZZ_TARGET(MMUSPEC_FUZZ_KERNEL, report)
