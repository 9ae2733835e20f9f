// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * crashy.c - a harness with planted findings, for the tests of the
 * campaign tools (tests/13-fuzzing/test_campaign.sh): "BUG" reports a rule
 * violation the way mmuspec's harnesses do; with -DWITH_OVF, "OVF"
 * overflows a heap buffer. Its fingerprint (replay --isolation) carries
 * state from one input to the next on purpose: after an input that starts
 * with "LEAK", every later "SEEN" input reports that it saw the leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void mmuspec_fuzz_fingerprint(const uint8_t *data, size_t size, char *buf,
			      size_t n);

static int leaked;

void mmuspec_fuzz_fingerprint(const uint8_t *data, size_t size, char *buf,
			      size_t n)
{
	if (size >= 4 && !memcmp(data, "LEAK", 4))
		leaked = 1;
	snprintf(buf, n, "%zu bytes%s", size,
		 size >= 4 && !memcmp(data, "SEEN", 4) && leaked ?
			 ", saw the leak" :
			 "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 3 && !memcmp(data, "BUG", 3)) {
		fprintf(stderr, "mmuspec-finding: TEST-RULE at crashy.c:17\n");
		abort();
	}
#ifdef WITH_OVF
	if (size >= 3 && !memcmp(data, "OVF", 3)) {
		char *p = malloc(4);
		volatile char c = p[size];	/* past the end */

		free(p);
		return c;
	}
#endif
	return 0;
}
