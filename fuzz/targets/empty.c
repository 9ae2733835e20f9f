// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * empty.c - the harness that does nothing: the baseline of `make bench`.
 * Its exec/s, built and run exactly like a real target, is the denominator
 * of the throughput ratios the fuzzing chapter reports.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return 0;
}
