// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * crashy.c - a harness with planted findings, for the tests of the
 * campaign tools (tests/13-fuzzing/test_campaign.sh): "BUG" reports a rule
 * violation the way mmuspec's harnesses do; with -DWITH_OVF, "OVF"
 * overflows a heap buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
