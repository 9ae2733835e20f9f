// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * primitives.c - the rule-coverage target (doc/13-fuzzing.md, section
 * 13.1): raw primitives, where violations are expected. It never aborts on
 * one; the first time a process sees a rule fire it appends "RULE<TAB>
 * seconds<TAB>executions" to $MMUSPEC_RULE_LOG (seconds since
 * $MMUSPEC_CAMPAIGN_START, which may have a fraction) and saves the input
 * beside it, in rules/RULE.
 */
#include <time.h>

#include "mmuspec_target.h"

#define MAX_RULES 64

static const char *seen[MAX_RULES];
static int nseen;
static unsigned long execs;

static bool first_time(const char *rule)
{
	for (int i = 0; i < nseen; i++)
		if (!strcmp(seen[i], rule))
			return false;
	if (nseen < MAX_RULES)
		seen[nseen++] = rule;
	return true;
}

static void save_input(const char *log, const char *rule, const uint8_t *data,
		       size_t size)
{
	char path[4096];
	const char *slash = strrchr(log, '/');
	int dir = slash ? (int)(slash - log) : 0;
	FILE *f;

	snprintf(path, sizeof(path), "%.*s%srules/%s", dir, log,
		 slash ? "/" : "", rule);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(data, 1, size, f);
	fclose(f);
}

static void record(const struct mmuspec_fuzz_result *res, const uint8_t *data,
		   size_t size)
{
	const char *log = getenv("MMUSPEC_RULE_LOG");
	const char *start = getenv("MMUSPEC_CAMPAIGN_START");
	FILE *f;

	struct timespec now;

	execs++;
	if (!res->rule || !first_time(res->rule) || !log)
		return;
	f = fopen(log, "a");
	if (!f)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	fprintf(f, "%s\t%.3f\t%lu\n", res->rule,
		start ? (double)now.tv_sec + now.tv_nsec / 1e9 - atof(start) :
			0.0,
		execs);
	fclose(f);
	save_input(log, res->rule, data, size);
}

MMUSPEC_FUZZ_TARGET(MMUSPEC_FUZZ_PRIMITIVES, record)
