// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 04: IOTLB/ATC behaviour, BTM snooping, ATS request shapes and
 * the device bug switches.
 */
#include "../unit.h"
#include "../model.h"
#include <mmuspec/tlb.h>

static struct mmuspec_machine *sva(enum mmuspec_arch a, unsigned int flags,
				   uint64_t bugs)
{
	struct mmuspec_config cfg;

	mmuspec_config_default(&cfg, MMUSPEC_V6_6, a);
	cfg.nr_devices = 1;
	cfg.dev[0] = (struct mmuspec_device_config){ MMUSPEC_DEV_SVA, flags, 1,
						     0 };
	cfg.bugs = bugs;
	return mmuspec_machine_create(&cfg);
}

static void test_atc_request_shape(void)
{
	struct mmuspec_machine *m = sva(MMUSPEC_ARM64, MMUSPEC_DEV_ATS, 0);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	int i;

	rec_start(m);
	mmu_notifier_arch_invalidate_secondary_tlbs(mm, 0x11000, 0x14000);
	i = rec_find(0, MMUSPEC_EV_TLB_INVAL, MMUSPEC_TLB_ATC);
	CHECK(i >= 0 && rec.ev[i].addr == 0x10000 && rec.ev[i].end == 0x14000,
	      "3 pages at 0x11000: one aligned power-of-two request [0x10000, 0x14000)");
	i = rec_find(0, MMUSPEC_EV_TLB_INVAL, MMUSPEC_TLB_IOTLB);
	CHECK(i >= 0 && i < rec_find(0, MMUSPEC_EV_TLB_INVAL, MMUSPEC_TLB_ATC),
	      "IOTLB invalidated before the ATC");
	rec_start(m);
	mmu_notifier_arch_invalidate_secondary_tlbs(mm, 0, TLB_FLUSH_ALL);
	i = rec_find(0, MMUSPEC_EV_TLB_INVAL, MMUSPEC_TLB_ATC);
	CHECK(i >= 0 && rec.ev[i].addr == 0 && rec.ev[i].end == ~0ULL,
	      "(0, -1UL): everything");
	mmuspec_machine_destroy(m);
}

static void test_vtd_overflow(uint64_t bugs)
{
	struct mmuspec_machine *m = sva(MMUSPEC_X86_64, 0, bugs);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmuspec_device *d = mmuspec_device(m, 0);
	static const struct mmuspec_step rd[] = { S1(dev_read, 0x10000) };

	mmuspec_map(m, 1, 0x10000, 1, VM_READ, true);
	mmuspec_add_device_thread(m, 0, rd, 1);
	mmuspec_run(m, NULL, NULL);
	CHECK(mmuspec_tlb_lookup(&d->iotlb, 1, 0x10000) != NULL,
	      "the IOTLB caches the translation");
	mmu_notifier_arch_invalidate_secondary_tlbs(mm, 0, TLB_FLUSH_ALL);
	if (!bugs)
		CHECK(!mmuspec_tlb_lookup(&d->iotlb, 1, 0x10000),
		      "(0, -1UL) drops it");
	else
		CHECK(mmuspec_tlb_lookup(&d->iotlb, 1, 0x10000) != NULL,
		      "bug vtd-end-overflow: (0, -1UL) wraps and drops nothing (e7ad6c2a4b1a)");
	mmuspec_machine_destroy(m);
}

static void test_btm_and_grain(uint64_t bugs)
{
	struct mmuspec_machine *m =
		sva(MMUSPEC_ARM64,
		    MMUSPEC_DEV_ATS | MMUSPEC_DEV_BTM | MMUSPEC_DEV_TLB_2M, bugs);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmuspec_device *d = mmuspec_device(m, 0);
	static const struct mmuspec_step rd[] = { S1(dev_read, 0x234000) };

	mmuspec_map_huge(m, 1, 0x200000, false, true);
	mmuspec_add_device_thread(m, 0, rd, 1);
	mmuspec_run(m, NULL, NULL);
	CHECK(mmuspec_tlb_lookup(&d->atc, 1, 0x3ff000) &&
		      mmuspec_tlb_lookup(&d->iotlb, 1, 0x200000),
	      "a 2 MiB mapping fills 2 MiB IOTLB and ATC entries");
	mmuspec_flush_cpu_only(mm, 0x300000, 0x301000);
	CHECK(!mmuspec_tlb_lookup(&d->iotlb, 1, 0x200000) &&
		      mmuspec_tlb_lookup(&d->atc, 1, 0x200000),
	      "BTM: a CPU TLBI drops the IOTLB entry, not the ATC entry");
	atc_inv(d, 0x300000, 0x301000);
	if (!bugs)
		CHECK(!mmuspec_tlb_lookup(&d->atc, 1, 0x200000),
		      "a 4 KiB ATC invalidation drops the 2 MiB entry (TLB-GRAIN)");
	else
		CHECK(mmuspec_tlb_lookup(&d->atc, 1, 0x200000) != NULL,
		      "bug ats-keeps-2m: the device keeps the 2 MiB entry");
	mmuspec_machine_destroy(m);
}

static void test_x86_no_btm(void)
{
	struct mmuspec_machine *m = sva(MMUSPEC_X86_64, MMUSPEC_DEV_BTM, 0);
	struct mmuspec_device *d = mmuspec_device(m, 0);
	static const struct mmuspec_step rd[] = { S1(dev_read, 0x10000) };

	mmuspec_map(m, 1, 0x10000, 1, VM_READ, true);
	mmuspec_add_device_thread(m, 0, rd, 1);
	mmuspec_run(m, NULL, NULL);
	mmuspec_flush_cpu_only(mmuspec_mm(m, 1), 0x10000, 0x11000);
	CHECK(mmuspec_tlb_lookup(&d->iotlb, 1, 0x10000) != NULL,
	      "x86: no broadcast TLB maintenance reaches the IOMMU");
	mmuspec_machine_destroy(m);
}

int main(void)
{
	test_atc_request_shape();
	test_vtd_overflow(0);
	test_vtd_overflow(1ULL << MMUSPEC_BUG_VTD_END_OVERFLOW);
	test_btm_and_grain(0);
	test_btm_and_grain(1ULL << MMUSPEC_BUG_ATS_KEEPS_2M);
	test_x86_no_btm();
	return unit_exit();
}
