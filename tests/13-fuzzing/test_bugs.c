// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * MMUSPEC_BUGS switches a historical bug on in every scenario the harness
 * runs (doc/13-fuzzing.md, section 13.5): the v6.6 upgrade test, clean in
 * test_harness.c, breaks TLB-UPGRADE with arm64-upgrade-no-secondary on.
 */
#include <stdlib.h>
#include <string.h>

#include <mmuspec/fuzz_run.h>
#include "../unit.h"

static struct litmus t;

int main(void)
{
	struct mmuspec_fuzz_result res;
	struct litmus_error err;
	static uint8_t in[4096];
	const char *why;
	int found = 0, other = 0;
	long len;

	setenv("MMUSPEC_BUGS", "arm64-upgrade-no-secondary", 1);
	if (litmus_parse_file("corpus/litmus/tlb-upgrade-arm64-smmu-v6.6.litmus",
			      &t, &err)) {
		litmus_print_error(stderr, &err);
		return 1;
	}
	srand(11);
	for (int i = 0; i < 400; i++) {
		t.nsched = 40;
		for (int k = 0; k < t.nsched; k++)
			t.sched[k] = (unsigned char)(rand() % 2);
		len = mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_KERNEL, in,
					  sizeof(in), &why);
		if (len < 0) {
			CHECK(0, "the test encodes (%s)", why);
			break;
		}
		mmuspec_fuzz_run(in, (size_t)len, MMUSPEC_FUZZ_KERNEL, &res);
		found += res.rule && !strcmp(res.rule, "TLB-UPGRADE");
		other += res.rule && strcmp(res.rule, "TLB-UPGRADE");
	}
	CHECK(found && !other,
	      "with arm64-upgrade-no-secondary, v6.6 breaks TLB-UPGRADE (%d schedules; %d other findings)",
	      found, other);
	return unit_exit();
}
