// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Tests of the scenario codec (doc/13-fuzzing.md, section 13.2): the
 * decoder is total, every decoded test parses back, and encoding a decoded
 * test gives an input that decodes to the same test.
 */
#include <stdlib.h>
#include <string.h>

#include <mmuspec/config.h>
#include <mmuspec/fuzz.h>
#include "../unit.h"

static struct litmus t1, t2, t3;

static char *write_text(const struct litmus *t, size_t *len)
{
	char *s = NULL;
	FILE *f = open_memstream(&s, len);

	litmus_write(f, t);
	fclose(f);
	return s;
}

static unsigned long rng = 0x2545f4914f6cdd1dul;

static uint8_t next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

/* Decode, write, parse, re-encode, decode again: count each way it fails. */
static void round_trips(enum mmuspec_fuzz_vocab v, int n, int *bad_parse,
			int *bad_encode, int *bad_again)
{
	uint8_t in[700], out[4096];

	for (int i = 0; i < n; i++) {
		size_t len = next_byte() * 700u / 256, nsched, l1, l2;
		const uint8_t *sched;
		struct litmus_error err;
		const char *why;
		char *a, *b;
		long elen;

		for (size_t k = 0; k < len; k++)
			in[k] = next_byte();
		if (i % 3 == 0 && len > 23)
			in[23] = (uint8_t)((len - 24) / 6); /* records fit */
		mmuspec_fuzz_decode(in, len, v, &t1, &sched, &nsched);
		a = write_text(&t1, &l1);
		if (litmus_parse("decoded", a, l1, &t2, &err)) {
			if (!*bad_parse)
				litmus_print_error(stderr, &err), fputs(a, stderr);
			(*bad_parse)++;
		}
		elen = mmuspec_fuzz_encode(&t1, v, out, sizeof(out), &why);
		if (elen < 0) {
			if (!*bad_encode)
				fprintf(stderr, "cannot encode: %s\n%s", why, a);
			(*bad_encode)++;
			free(a);
			continue;
		}
		mmuspec_fuzz_decode(out, (size_t)elen, v, &t3, &sched, &nsched);
		b = write_text(&t3, &l2);
		if (l1 != l2 || memcmp(a, b, l1))
			(*bad_again)++;
		free(a);
		free(b);
	}
}

/* Bits 3-4 of a device byte select the example drivers (kernel only). */
static void test_drivers(void)
{
	static const struct {
		uint8_t b;
		enum litmus_dev_kind kind;
		enum litmus_driver kernel, primitives;
	} cases[] = {
		{ 0x00, LITMUS_DEV_IOMMU, LITMUS_DRV_SVA, LITMUS_DRV_SVA },
		{ 0x08, LITMUS_DEV_IOMMU, LITMUS_DRV_SVA_SMMU, LITMUS_DRV_SVA },
		{ 0x01, LITMUS_DEV_MIRROR, LITMUS_DRV_HMM, LITMUS_DRV_HMM },
		{ 0x09, LITMUS_DEV_MIRROR, LITMUS_DRV_HMM_MIRROR,
		  LITMUS_DRV_HMM },
		{ 0x11, LITMUS_DEV_MIRROR, LITMUS_DRV_KVM, LITMUS_DRV_HMM },
	};
	uint8_t in[24] = { [3] = 1 }, out[64];
	const uint8_t *sched;
	const char *why = "";
	size_t nsched;
	int v, n;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in[4] = cases[i].b;
		for (v = 0; v < 2; v++) {
			enum litmus_driver want = v ? cases[i].primitives :
						      cases[i].kernel;

			mmuspec_fuzz_decode(in, sizeof(in), v, &t1, &sched,
					    &nsched);
			n = mmuspec_fuzz_encode(&t1, v, out, sizeof(out), &why);
			if (n > 0)
				mmuspec_fuzz_decode(out, (size_t)n, v, &t3,
						    &sched, &nsched);
			CHECK(t1.ndevices == 1 &&
				      t1.devices[0].kind == cases[i].kind &&
				      t1.devices[0].driver == want && n > 0 &&
				      t3.devices[0].driver == want,
			      "device byte 0x%02x, %s vocabulary: driver %d, and back (%d)",
			      cases[i].b, v ? "primitives" : "kernel",
			      (int)t1.devices[0].driver, (int)want);
		}
	}
	in[4] = 0x11;
	mmuspec_fuzz_decode(in, sizeof(in), MMUSPEC_FUZZ_KERNEL, &t1, &sched,
			    &nsched);
	CHECK(mmuspec_fuzz_encode(&t1, MMUSPEC_FUZZ_PRIMITIVES, out,
				  sizeof(out), &why) < 0 &&
		      strstr(why, "example driver"),
	      "an example driver is refused in the primitives vocabulary (%s)",
	      why);
	t1.devices[0].driver = LITMUS_DRV_CUSTOM;
	CHECK(mmuspec_fuzz_encode(&t1, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) < 0 &&
		      strstr(why, "custom"),
	      "driver=custom is refused with a reason (%s)", why);
}

/* Header byte 22 = 5 draws chapter 23's lazy-batch (kernel, v6.15+). */
static void test_lazy_batch(void)
{
	static const struct {
		uint8_t profile;
		enum mmuspec_fuzz_vocab v;
		int want;
	} cases[] = {
		{ LITMUS_V6_15, MMUSPEC_FUZZ_KERNEL, MMUSPEC_LAZY_EXAMPLE_BATCH },
		{ LITMUS_V7_0, MMUSPEC_FUZZ_KERNEL, MMUSPEC_LAZY_EXAMPLE_BATCH },
		{ LITMUS_V6_6, MMUSPEC_FUZZ_KERNEL, MMUSPEC_LAZY_BATCH },
		{ LITMUS_V7_0, MMUSPEC_FUZZ_PRIMITIVES, MMUSPEC_LAZY_BATCH },
	};
	uint8_t in[24] = { 0 }, out[64];
	const uint8_t *sched;
	const char *why = "";
	size_t nsched;
	long n;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in[0] = cases[i].profile;
		in[22] = MMUSPEC_LAZY_EXAMPLE_BATCH;
		mmuspec_fuzz_decode(in, sizeof(in), cases[i].v, &t1, &sched,
				    &nsched);
		n = mmuspec_fuzz_encode(&t1, cases[i].v, out, sizeof(out),
					&why);
		CHECK(t1.lazy == cases[i].want && n > 0 && out[22] == t1.lazy,
		      "byte 22 = lazy-batch, profile byte %d, %s vocabulary: backend %s, and back",
		      cases[i].profile, cases[i].v ? "primitives" : "kernel",
		      mmuspec_lazy_backend_name(t1.lazy));
	}
	in[0] = LITMUS_V7_0;
	mmuspec_fuzz_decode(in, sizeof(in), MMUSPEC_FUZZ_KERNEL, &t1, &sched,
			    &nsched);
	CHECK(mmuspec_fuzz_encode(&t1, MMUSPEC_FUZZ_PRIMITIVES, out,
				  sizeof(out), &why) < 0 &&
		      strstr(why, "lazy-batch"),
	      "lazy-batch is refused in the primitives vocabulary (%s)", why);
}

/*
 * Bit 7 of a user address byte aims the step at an initial mapping; the
 * encoder writes it only for an address the table does not have.
 */
static void test_mapped_addrs(void)
{
	static const char text[] = "litmus 1\n"
				   "name codec-mapped\n"
				   "profile v6.6\n"
				   "arch x86-64\n"
				   "cpus 1\n"
				   "map 0x400000 P1 rw pmd\n"
				   "map 0x3000 P2 rw\n"
				   "thread T0 cpu 0\n"
				   "\tuser_read 0x401000\n"
				   "\tuser_read 0x3000\n"
				   "expect allowed\n"
				   "rules TLB-STALE\n";
	const size_t rec = MMUSPEC_FUZZ_HEADER, arg = 2;
	struct litmus_error err;
	uint8_t out[256];
	const uint8_t *sched;
	const char *why = "";
	size_t nsched;
	long n;
	int bad;

	bad = litmus_parse("codec-mapped", text, sizeof(text) - 1, &t1, &err);
	if (bad)
		litmus_print_error(stderr, &err);
	CHECK(!bad, "the mapped-address test parses");
	n = mmuspec_fuzz_encode(&t1, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				&why);
	CHECK(n > 0 && out[rec + arg] == 0x84 &&
		      out[rec + MMUSPEC_FUZZ_RECORD + arg] < 0x80,
	      "the second page of a pmd mapping is encoded through the mapping (0x%x), a table address through the table (0x%x; %s)",
	      n > 0 ? out[rec + arg] : 0,
	      n > 0 ? out[rec + MMUSPEC_FUZZ_RECORD + arg] : 0,
	      n > 0 ? "encoded" : why);
	if (n <= 0)
		return;
	out[rec + MMUSPEC_FUZZ_RECORD + arg] = 0x85;
	mmuspec_fuzz_decode(out, (size_t)n, MMUSPEC_FUZZ_KERNEL, &t2, &sched,
			    &nsched);
	CHECK(t2.threads[0].steps[0].args[0] == 0x401000 &&
		      t2.threads[0].steps[1].args[0] == 0x3000,
	      "bit 7 names a mapping (bits 0-1) and, in a pmd mapping only, its second page (bit 2): 0x%lx 0x%lx",
	      t2.threads[0].steps[0].args[0], t2.threads[0].steps[1].args[0]);
	out[8] = 0; /* no mappings: the byte picks from the table */
	mmuspec_fuzz_decode(out, (size_t)n, MMUSPEC_FUZZ_KERNEL, &t2, &sched,
			    &nsched);
	CHECK(t2.nmaps == 0 && t2.threads[0].steps[0].args[0] < 0x400000,
	      "without mappings bit 7 is ignored (0x%lx)",
	      t2.threads[0].steps[0].args[0]);
}

int main(void)
{
	static const char *const names[] = { "kernel", "primitives" };
	const uint8_t *sched;
	uint8_t out[64];
	const char *why = NULL;
	size_t nsched;

	for (int v = 0; v < 2; v++) {
		int bad_parse = 0, bad_encode = 0, bad_again = 0;

		round_trips(v, 20000, &bad_parse, &bad_encode, &bad_again);
		CHECK(!bad_parse,
		      "%s: 20000 random inputs decode to tests that parse back (%d did not)",
		      names[v], bad_parse);
		CHECK(!bad_encode,
		      "%s: every decoded test can be encoded (%d could not)",
		      names[v], bad_encode);
		CHECK(!bad_again,
		      "%s: decode(encode(decode(x))) == decode(x) (%d differ)",
		      names[v], bad_again);
	}

	mmuspec_fuzz_decode(NULL, 0, MMUSPEC_FUZZ_KERNEL, &t1, &sched, &nsched);
	CHECK(t1.nthreads == 1 && t1.threads[0].nsteps == 1 && nsched == 0,
	      "the empty input is one CPU task with one step and no schedule");

	const uint8_t with_sched[] = { [23] = 1, [24] = 0, 1, 2, 3, 4, 5,
				       7, 7, 7 };
	mmuspec_fuzz_decode(with_sched, sizeof(with_sched), MMUSPEC_FUZZ_KERNEL,
			    &t1, &sched, &nsched);
	CHECK(nsched == 3 && sched[0] == 7,
	      "bytes after the records are the schedule");

	mmuspec_fuzz_decode(NULL, 0, MMUSPEC_FUZZ_KERNEL, &t1, &sched, &nsched);
	t1.maps[0] = t1.maps[1];
	t1.nmaps = 1;
	t1.maps[0].addr = 0x123000;
	CHECK(mmuspec_fuzz_encode(&t1, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) < 0 &&
		      strstr(why, "initial mapping"),
	      "an address outside the sixteen is refused with a reason (%s)",
	      why);
	t1.nmaps = 0;
	t1.nthreads = 5;
	for (int k = 1; k < 5; k++)
		t1.threads[k].kind = LITMUS_TASK;
	CHECK(mmuspec_fuzz_encode(&t1, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) < 0 &&
		      !strcmp(why, "more than four threads"),
	      "five threads are refused with a reason (%s)", why);
	t1.nthreads = 1;
	t1.threads[0].steps[0].op = litmus_op_lookup("set_pte_at", 10);
	t1.threads[0].steps[0].nargs = 0;
	CHECK(mmuspec_fuzz_encode(&t1, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) < 0 &&
		      strstr(why, "vocabulary"),
	      "a raw primitive is outside the kernel vocabulary (%s)", why);
	CHECK(!mmuspec_fuzz_op_allowed(MMUSPEC_FUZZ_KERNEL,
				       litmus_op_lookup("set_pte_at", 10)) &&
		      mmuspec_fuzz_op_allowed(MMUSPEC_FUZZ_PRIMITIVES,
					      litmus_op_lookup("set_pte_at", 10)),
	      "set_pte_at is a primitive, not a kernel procedure");
	CHECK(mmuspec_fuzz_op_allowed(MMUSPEC_FUZZ_KERNEL,
				      litmus_op_lookup("munmap", 6)),
	      "munmap is in the kernel vocabulary");
	test_drivers();
	test_lazy_batch();
	test_mapped_addrs();
	return unit_exit();
}
