// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Tests of the structure-aware mutator and cross-over (doc/13-fuzzing.md,
 * section 13.3, rule FUZZ-FRAME).
 */
#include <string.h>

#include <mmuspec/fuzz.h>
#include <mmuspec/fuzz_mutate.h>
#include "../unit.h"

#define MAX 600

static unsigned int rng = 12345;

static unsigned int next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static size_t nrec(const uint8_t *d)
{
	return d[23];
}

static int framed(const uint8_t *d, size_t size)
{
	return size >= MMUSPEC_FUZZ_HEADER &&
	       MMUSPEC_FUZZ_HEADER + nrec(d) * MMUSPEC_FUZZ_RECORD <= size;
}

static size_t sched_len(const uint8_t *d, size_t size)
{
	return size - MMUSPEC_FUZZ_HEADER - nrec(d) * MMUSPEC_FUZZ_RECORD;
}

static int fallback_calls;

static size_t fallback(uint8_t *data, size_t size, size_t max)
{
	fallback_calls++;
	return size;
}

int main(void)
{
	uint8_t a[MAX], b[MAX], out[MAX];
	int unframed = 0, grew = 0, shrank = 0, sched_changed = 0;
	int header_changed = 0, records_moved = 0, not_from_parent = 0;

	for (int i = 0; i < 100000; i++) {
		size_t size = next() % 200, n;
		uint8_t before[MAX];
		size_t before_rec, before_sched;

		for (size_t k = 0; k < size; k++)
			a[k] = (uint8_t)next();
		if (size >= MMUSPEC_FUZZ_HEADER)
			a[23] = (uint8_t)((size - MMUSPEC_FUZZ_HEADER) /
					  MMUSPEC_FUZZ_RECORD);
		n = mmuspec_fuzz_mutate(a, size, MAX, next(), NULL);
		if (!framed(a, n)) {
			unframed++;
			continue;
		}
		memcpy(before, a, n);
		before_rec = nrec(a);
		before_sched = sched_len(a, n);
		n = mmuspec_fuzz_mutate(a, n, MAX, next(), NULL);
		if (!framed(a, n)) {
			unframed++;
			continue;
		}
		grew += nrec(a) > before_rec;
		shrank += nrec(a) < before_rec;
		sched_changed += sched_len(a, n) != before_sched;
		header_changed += memcmp(a, before, 23) != 0;
		records_moved += nrec(a) == before_rec &&
				 memcmp(a + 24, before + 24, 6 * before_rec);
	}
	CHECK(!unframed, "100000 mutations keep the input framed (%d did not)",
	      unframed);
	CHECK(grew && shrank && sched_changed && header_changed &&
		      records_moved,
	      "records are inserted (%d), deleted (%d), changed in place (%d); schedules (%d) and headers (%d) change",
	      grew, shrank, records_moved, sched_changed, header_changed);

	for (int i = 0; i < 800; i++)
		mmuspec_fuzz_mutate(a, 30, MAX, next(), fallback);
	CHECK(fallback_calls > 50 && fallback_calls < 200,
	      "about one call in eight goes to the byte-level mutator (%d of 800)",
	      fallback_calls);

	for (int i = 0; i < 20000; i++) {
		size_t as = MMUSPEC_FUZZ_HEADER + 6 * (next() % 10) + next() % 5;
		size_t bs = MMUSPEC_FUZZ_HEADER + 6 * (next() % 10) + next() % 5;
		size_t n;

		for (size_t k = 0; k < MAX; k++)
			a[k] = (uint8_t)next(), b[k] = (uint8_t)next();
		a[23] = (uint8_t)((as - 24) / 6);
		b[23] = (uint8_t)((bs - 24) / 6);
		n = mmuspec_fuzz_crossover(a, as, b, bs, out, MAX, next());
		if (!framed(out, n) || memcmp(out, a, 23)) {
			not_from_parent++;
			continue;
		}
		for (size_t r = 0; r < nrec(out); r++) {
			const uint8_t *rec = out + 24 + 6 * r;

			if ((r >= nrec(a) || memcmp(rec, a + 24 + 6 * r, 6)) &&
			    (r >= nrec(b) || memcmp(rec, b + 24 + 6 * r, 6)))
				not_from_parent++;
		}
	}
	CHECK(!not_from_parent,
	      "a cross-over child is framed, has the first parent's header and takes each record from a parent (%d violations)",
	      not_from_parent);
	return unit_exit();
}
