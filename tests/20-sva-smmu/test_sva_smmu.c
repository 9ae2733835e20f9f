// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 20: the sva-smmu example driver: its ATC ranges, and the driver
 * in the model under the oracle.
 */
#include "example_test.h"
#include "../../examples/sva-smmu/sva_smmu.h"

struct sva_smmu *mmuspec_example_sva_smmu_get(int dev);

/* The definition: aligned, power of two, covering, and no smaller one is. */
static int atc_ok(unsigned long start, unsigned long end, unsigned long s,
		  unsigned long e)
{
	unsigned long size = e - s;

	if (s > start || e < end || (size & (size - 1)) || (s & (size - 1)) ||
	    size < PAGE_SIZE)
		return 0;
	/* The half of the block holding start must not cover the range. */
	if (size > PAGE_SIZE) {
		unsigned long half = size / 2;
		unsigned long hs = start & ~(half - 1);

		if (hs + half >= end)
			return 0;
	}
	return 1;
}

static void test_atc_range(void)
{
	unsigned long s, e, bad = 0, n = 0;

	for (unsigned long first = 0; first < 1024; first++) {
		for (unsigned long np = 1; np <= 64; np++) {
			unsigned long start = first << PAGE_SHIFT;
			unsigned long end = (first + np) << PAGE_SHIFT;

			sva_smmu_atc_range(start, end, &s, &e);
			bad += !atc_ok(start, end, s, e);
			/* Unaligned ends round out to whole pages too. */
			sva_smmu_atc_range(start + 8, end - 8, &s, &e);
			bad += !atc_ok(start, end, s, e);
			n += 2;
		}
	}
	CHECK(bad == 0,
	      "ATC block: aligned, power of two, covering, smallest "
	      "(%lu of %lu wrong)",
	      bad, n);

	sva_smmu_atc_range(0, -1UL, &s, &e);
	CHECK(s == 0 && e == -1UL, "(0, -1UL) is everything");
	sva_smmu_atc_range(-PAGE_SIZE, -1UL, &s, &e);
	CHECK(s == -PAGE_SIZE && e == -1UL,
	      "the last page: no overflow to 0 (0x%lx, 0x%lx)", s, e);
	sva_smmu_atc_range(0x7000, 0x9000, &s, &e);
	CHECK(s == 0 && e == 0x10000,
	      "pages 7-8 cross a 64 KiB boundary: 64 KiB block at 0");
	sva_smmu_atc_range(1UL << 62, -1UL, &s, &e);
	CHECK(s == 0 && e == -1UL, "a block reaching the top: everything");

	warns = 0;
	mmuspec_set_warn_handler(count_warn, NULL);
	sva_smmu_atc_range(0x5000, 0x5000, &s, &e);
	CHECK(s == 0 && e == -1UL && warns == 1,
	      "an empty range: a warning and everything");
	mmuspec_set_warn_handler(NULL, NULL);
}

/* Where the driver's own invalidations went, in order. */
struct inval {
	int kind;
	unsigned long start, end;
};

static int driver_invals(struct run *r, struct inval *out, int max)
{
	const void *sub = &mmuspec_example_sva_smmu_get(0)->mn;
	int in = 0, n = 0;

	for (unsigned int i = 0; i < r->nev; i++) {
		const struct mmuspec_event *ev = &r->ev[i];

		if ((ev->type == MMUSPEC_EV_MN_CALL ||
		     ev->type == MMUSPEC_EV_MN_RETURN) &&
		    ev->obj == sub)
			in = ev->type == MMUSPEC_EV_MN_CALL;
		if (in && ev->type == MMUSPEC_EV_TLB_INVAL && n < max)
			out[n++] = (struct inval){ ev->sub, ev->addr, ev->end };
	}
	return n;
}

static void cpu_secondary(struct mmuspec_machine *m, void *arg)
{
	unsigned long *range = arg;

	mmu_notifier_arch_invalidate_secondary_tlbs(mmuspec_mm(m, 1), range[0],
						    range[1]);
}

static void test_invalidate(enum mmuspec_arch arch, unsigned int flags)
{
	struct run *r = run_new(make_machine(
		MMUSPEC_V6_6, arch, MMUSPEC_DEV_SVA, flags, "sva", 0, false));
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct dev_arg a = { A0, MMUSPEC_ACC_WRITE, -1 };
	unsigned long range[2] = { 0x7000, 0x9000 };
	struct inval iv[8];
	bool btm = flags & MMUSPEC_DEV_BTM && arch == MMUSPEC_ARM64;
	bool ats = flags & MMUSPEC_DEV_ATS;
	int n, k = 0;

	if (!r->m) {
		CHECK(0, "machine with an sva-smmu device");
		run_free(r);
		return;
	}
	run_begin(r);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, dev_access,
			      &a);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, cpu_secondary,
			      range);
	rep = run_go(r, NULL, NULL, &res);
	n = driver_invals(r, iv, 8);
	CHECK(a.ret == MMUSPEC_ACC_OK, "%s%s%s: device write ok",
	      mmuspec_arch_name(arch), btm ? " btm" : "", ats ? " ats" : "");
	if (!btm)
		CHECK(k < n && iv[k].kind == MMUSPEC_TLB_IOTLB &&
			      iv[k].start == 0x7000 && iv[k++].end == 0x9000,
		      "... the IOTLB is invalidated over the range first");
	else
		CHECK(n == 0 || iv[0].kind != MMUSPEC_TLB_IOTLB,
		      "... with BTM the driver leaves the IOTLB alone");
	if (ats)
		CHECK(k < n && iv[k].kind == MMUSPEC_TLB_ATC &&
			      iv[k].start == 0 && iv[k++].end == 0x10000,
		      "... then the ATC, over the 64 KiB block covering it");
	CHECK(k == n, "... and nothing else (%d of %d)", k, n);
	CHECK(!rep->rule, "... no rule broken (%s: %s)",
	      rep->rule ? rep->rule : "-", rep->why);
	run_free(r);
}

/* A device access racing munmap, under random schedules. */
static void test_race(enum mmuspec_arch arch, unsigned int flags)
{
	struct run *r = run_new(make_machine(
		MMUSPEC_V6_6, arch, MMUSPEC_DEV_SVA, flags, "sva", 0, false));
	struct mmuspec_random_chooser rc;
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	const char *rule = NULL;
	unsigned int v = 0;
	struct dev_arg a;

	if (!r->m) {
		run_free(r);
		return;
	}
	for (unsigned int s = 0; s < 200; s++) {
		run_begin(r);
		a = (struct dev_arg){ A0, MMUSPEC_ACC_READ, -1 };
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0,
				      dev_access, &a);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1,
				      cpu_munmap, (void *)A0);
		mmuspec_random_init(&rc, s + 1, 50);
		rep = run_go(r, mmuspec_choose_random, &rc, &res);
		if (rep->rule) {
			v++;
			rule = rep->rule;
		}
	}
	CHECK(v == 0,
	      "%s flags %u: device vs munmap, 200 schedules: no "
	      "violation (%u, %s)",
	      mmuspec_arch_name(arch), flags, v, rule ? rule : "-");
	run_free(r);
}

/*
 * Bug 16: the device keeps a 2 MiB ATC entry hit by a 4 KiB request.
 * Returns the oracle's verdict; *kept says whether the ATC still holds
 * an entry overlapping the request afterwards.
 */
static const char *grain(uint64_t bugs, int *kept)
{
	struct run *r = run_new(make_machine(
		MMUSPEC_V6_6, MMUSPEC_X86_64, MMUSPEC_DEV_SVA,
		MMUSPEC_DEV_ATS | MMUSPEC_DEV_TLB_2M, "sva", bugs, true));
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct dev_arg a = { H0 + 0x5000, MMUSPEC_ACC_READ, -1 };
	unsigned long range[2] = { H0 + 0x5000, H0 + 0x6000 };
	const char *rule = "no machine";

	*kept = -1;
	if (r->m) {
		const struct mmuspec_tlb *atc = &mmuspec_device(r->m, 0)->atc;

		run_begin(r);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0,
				      dev_access, &a);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1,
				      cpu_secondary, range);
		rep = run_go(r, NULL, NULL, &res);
		rule = rep->rule;
		*kept = 0;
		for (int k = 0; k < MMUSPEC_TLB_ENTRIES; k++)
			if (atc->e[k].valid && atc->e[k].va <= range[0] &&
			    atc->e[k].va + (atc->e[k].level ? PMD_SIZE :
							      PAGE_SIZE) >
				    range[0])
				*kept = 1 + atc->e[k].level;
	}
	run_free(r);
	return rule;
}

static void test_release_and_misuse(void)
{
	struct run *r = run_new(make_machine(MMUSPEC_V6_6, MMUSPEC_ARM64,
					     MMUSPEC_DEV_SVA, MMUSPEC_DEV_ATS,
					     "sva", 0, false));
	struct mmuspec_machine *m = r->m;
	struct sva_smmu *smmu;
	struct mm_struct *mm;

	if (!m) {
		run_free(r);
		return;
	}
	mmuspec_use(m);
	smmu = mmuspec_example_sva_smmu_get(0);
	mm = mmuspec_mm(m, 1);
	mmuspec_set_warn_handler(count_warn, NULL);
	warns = 0;
	CHECK(sva_smmu_bind(smmu, mmuspec_device(m, 0), mm, false, true) ==
			      -EBUSY &&
		      warns == 1,
	      "double bind: -EBUSY and a warning");
	CHECK(mmuspec_example_attach(m, 0, "hmm") == -EINVAL,
	      "the hmm-mirror example on an SVA device: -EINVAL");
	warns = 0;
	CHECK(sva_smmu_unbind(smmu) == 0 && warns == 0 && smmu->released &&
		      !mmuspec_device(m, 0)->enabled,
	      "unbind: ->release ran, translation disabled");
	CHECK(sva_smmu_unbind(smmu) == -ENOENT && warns == 1,
	      "second unbind: -ENOENT and a warning");
	mmuspec_set_warn_handler(NULL, NULL);
	run_free(r);
}

static void cpu_release(struct mmuspec_machine *m, void *arg)
{
	mmu_notifier_release(mmuspec_mm(m, 1));
}

static void test_release_blocks_device(void)
{
	struct run *r = run_new(make_machine(MMUSPEC_V6_6, MMUSPEC_X86_64,
					     MMUSPEC_DEV_SVA, MMUSPEC_DEV_ATS,
					     "sva", 0, false));
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct dev_arg a[2] = { { A0, MMUSPEC_ACC_READ, -1 },
				{ A0, MMUSPEC_ACC_READ, -1 } };

	if (!r->m) {
		run_free(r);
		return;
	}
	run_begin(r);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, dev_access,
			      &a[0]);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, cpu_release,
			      NULL);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, dev_access,
			      &a[1]);
	rep = run_go(r, NULL, NULL, &res);
	CHECK(a[0].ret == MMUSPEC_ACC_OK && a[1].ret == MMUSPEC_ACC_BLOCKED,
	      "after ->release the device's accesses are refused (%d, %d)",
	      a[0].ret, a[1].ret);
	CHECK(!rep->rule, "... no rule broken (%s: %s)",
	      rep->rule ? rep->rule : "-", rep->why);
	run_free(r);
}

int main(void)
{
	const char *rule;
	int kept;

	test_atc_range();
	for (int arch = 0; arch < MMUSPEC_NR_ARCHES; arch++) {
		test_invalidate(arch, 0);
		test_invalidate(arch, MMUSPEC_DEV_ATS);
		test_invalidate(arch, MMUSPEC_DEV_ATS | MMUSPEC_DEV_BTM);
		test_race(arch, MMUSPEC_DEV_ATS);
		test_race(arch, MMUSPEC_DEV_ATS | MMUSPEC_DEV_BTM);
	}
	rule = grain(0, &kept);
	CHECK(!kept && !rule,
	      "4 KiB request on a 2 MiB ATC entry: the entry is dropped (%s)",
	      rule ? rule : "-");
	rule = grain(1ULL << MMUSPEC_BUG_ATS_KEEPS_2M, &kept);
	CHECK(kept == 2, "bug 16: the device keeps its 2 MiB ATC entry");
	CHECK(rule && !strcmp(rule, "TLB-GRAIN"),
	      "bug 16 is caught as TLB-GRAIN (%s)", rule ? rule : "-");
	test_release_and_misuse();
	test_release_blocks_device();
	return unit_exit();
}
