/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * mmuspec_target.h - what every mmuspec fuzz target defines, once.
 *
 * MMUSPEC_FUZZ_TARGET(vocab, on_result) expands to the libFuzzer entry
 * points (the run, the structure-aware mutator and cross-over of
 * doc/13-fuzzing.md) and to the hooks the replay driver offers as
 * --minimize, --litmus and --isolation. on_result(res, data, size) is called after
 * every run; res->rule is set for a finding. The mutators call LLVMFuzzerMutate() when the engine has one
 * (libFuzzer); AFL++'s driver and the replay driver do not.
 */
#ifndef MMUSPEC_FUZZ_TARGET_H
#define MMUSPEC_FUZZ_TARGET_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuspec/fuzz_mutate.h>
#include <mmuspec/fuzz_run.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max)
	__attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t asize,
				 const uint8_t *b, size_t bsize, uint8_t *out,
				 size_t max, unsigned int seed);
int mmuspec_fuzz_minimize(const uint8_t *data, size_t size, uint8_t **out,
			  size_t *out_size);
int mmuspec_fuzz_to_litmus(const uint8_t *data, size_t size, FILE *out);
void mmuspec_fuzz_fingerprint(const uint8_t *data, size_t size, char *buf,
			      size_t n);
const char *__asan_default_options(void);

/*
 * Leak checking is on: the model's fiber switches are annotated for ASan
 * (chapter 02, section 2.8), so LeakSanitizer scans the caller's stack once
 * a run has returned. (It was off while a thread started from another
 * thread recorded that thread's stack as the caller's, and LeakSanitizer
 * then reported libFuzzer's own allocations.)
 */
#define MMUSPEC_ASAN_OPTIONS                                                 \
	const char *__asan_default_options(void)                             \
	{                                                                    \
		return "detect_leaks=1";                                     \
	}

#define MMUSPEC_FUZZ_TARGET(vocab, on_result)                                \
	MMUSPEC_ASAN_OPTIONS                                                 \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)         \
	{                                                                    \
		struct mmuspec_fuzz_result res;                              \
		mmuspec_fuzz_run(data, size, vocab, &res);                   \
		on_result(&res, data, size);                                 \
		return 0;                                                    \
	}                                                                    \
	size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,           \
				       size_t max, unsigned int seed)        \
	{                                                                    \
		return mmuspec_fuzz_mutate(data, size, max, seed,            \
					   LLVMFuzzerMutate);                \
	}                                                                    \
	size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t asize,     \
					 const uint8_t *b, size_t bsize,     \
					 uint8_t *out, size_t max,           \
					 unsigned int seed)                  \
	{                                                                    \
		return mmuspec_fuzz_crossover(a, asize, b, bsize, out, max,  \
					      seed);                         \
	}                                                                    \
	int mmuspec_fuzz_minimize(const uint8_t *data, size_t size,          \
				  uint8_t **out, size_t *out_size)           \
	{                                                                    \
		return mmuspec_fuzz_minimize_input(data, size, vocab, out,   \
						   out_size);                \
	}                                                                    \
	int mmuspec_fuzz_to_litmus(const uint8_t *data, size_t size,         \
				   FILE *out)                                \
	{                                                                    \
		return mmuspec_fuzz_write_litmus(data, size, vocab, out);    \
	}                                                                    \
	void mmuspec_fuzz_fingerprint(const uint8_t *data, size_t size,      \
				      char *buf, size_t n)                   \
	{                                                                    \
		mmuspec_fuzz_fingerprint_input(data, size, vocab, buf, n);   \
	}

#endif
