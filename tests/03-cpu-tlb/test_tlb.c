// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 03: what the CPU TLB caches per architecture, and which flushes
 * reach secondary TLBs per profile.
 */
#include "../unit.h"
#include "../model.h"
#include <mmuspec/tlb.h>

static const char *pa(enum mmuspec_profile p, enum mmuspec_arch a)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%s/%s", mmuspec_profile_name(p),
		 mmuspec_arch_name(a));
	return buf;
}

static void test_fault_caching(enum mmuspec_arch arch)
{
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_6, arch, 0, NULL);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmuspec_tlb *tlb = &mmuspec_cpu(m, 0)->tlb;
	unsigned long pfn;
	pte_t *pte;
	int r;

	mmuspec_map(m, 1, 0x20000, 2, VM_READ | VM_WRITE, true);
	/* Not-present entries are never cached. */
	r = mmuspec_cpu_translate(m, 0, mm, 0x40000, MMUSPEC_ACC_READ, &pfn);
	CHECK(r == MMUSPEC_ACC_FAULT_NONE && !mmuspec_tlb_lookup(tlb, 1, 0x40000),
	      "%s: a not-present entry faults and is not cached",
	      mmuspec_arch_name(arch));
	/* Read-only PTE, write access: permission fault. */
	pte = pte_offset_map(pmd_off(mm, 0x20000), 0x20000);
	ptep_set_wrprotect(mm, 0x20000, pte);
	r = mmuspec_cpu_translate(m, 0, mm, 0x20000, MMUSPEC_ACC_READ, &pfn);
	CHECK(r == MMUSPEC_ACC_OK && mmuspec_tlb_lookup(tlb, 1, 0x20000),
	      "read fills the TLB");
	/* Upgrade the PTE without a flush: the entry is stale read-only. */
	mmuspec_pte_store(mm, 0x20000, &pte->pte, pte->pte | _PAGE_RW, 0, 0);
	r = mmuspec_cpu_translate(m, 0, mm, 0x20000, MMUSPEC_ACC_WRITE, &pfn);
	CHECK(r == MMUSPEC_ACC_FAULT_PERM, "stale read-only entry faults a write");
	if (arch == MMUSPEC_X86_64) {
		CHECK(!mmuspec_tlb_lookup(tlb, 1, 0x20000),
		      "x86: the fault evicted the entry");
		r = mmuspec_cpu_translate(m, 0, mm, 0x20000, MMUSPEC_ACC_WRITE,
					  &pfn);
		CHECK(r == MMUSPEC_ACC_OK, "x86: the retry succeeds");
	} else {
		CHECK(mmuspec_tlb_lookup(tlb, 1, 0x20000) != NULL,
		      "arm64: the faulting entry stays");
		r = mmuspec_cpu_translate(m, 0, mm, 0x20000, MMUSPEC_ACC_WRITE,
					  &pfn);
		CHECK(r == MMUSPEC_ACC_FAULT_PERM,
		      "arm64: it faults again until invalidated");
	}
	mmuspec_machine_destroy(m);
}

static void test_grain(void)
{
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_6, MMUSPEC_ARM64, 0,
						NULL);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmuspec_tlb *tlb = &mmuspec_cpu(m, 1)->tlb;
	unsigned long pfn;

	CHECK(mmuspec_map_huge(m, 1, 0x200000, false, true) == 0,
	      "2 MiB mapping");
	mmuspec_cpu_translate(m, 1, mm, 0x234000, MMUSPEC_ACC_READ, &pfn);
	CHECK(mmuspec_tlb_lookup(tlb, 1, 0x200000) &&
		      mmuspec_tlb_lookup(tlb, 1, 0x3ff000),
	      "one 2 MiB entry covers the whole block");
	mmuspec_tlb_inval(m, tlb, MMUSPEC_TLB_CPU, 1, 1, 0x300000, 0x301000, 0);
	CHECK(!mmuspec_tlb_lookup(tlb, 1, 0x200000),
	      "a 4 KiB invalidation inside it drops the 2 MiB entry");
	mmuspec_machine_destroy(m);
}

/* flush_tlb_page() reaches secondary TLBs from v6.6 only. */
static void test_flush_notifies(enum mmuspec_profile p, enum mmuspec_arch a)
{
	struct mmuspec_device_config dev = { MMUSPEC_DEV_SVA, 0, 1, 0 };
	struct mmuspec_machine *m = new_machine(p, a, 1, &dev);
	static const struct mmuspec_step body[] = {
		S1(flush_tlb_page, 0x30000),
		S2(flush_tlb_range, 0x30000, 4),
		S0(flush_tlb_mm),
		S2(flush_tlb_kernel_range, (long)MMUSPEC_KERNEL_BASE, 1),
	};
	unsigned int calls;

	rec_start(m);
	mmuspec_add_task(m, 0, 1, body, NSTEPS(body));
	CHECK(mmuspec_run(m, NULL, NULL) == MMUSPEC_RUN_OK, "%s: run",
	      pa(p, a));
	calls = rec_count(MMUSPEC_EV_MN_CALL,
			  MMUSPEC_MN_ARCH_INVALIDATE_SECONDARY_TLBS);
	if (p == MMUSPEC_V6_5)
		CHECK(calls == 0, "%s: arch flushes call no notifier", pa(p, a));
	else
		CHECK(calls == 3,
		      "%s: page, range and mm flushes notify; kernel flush does not (%u)",
		      pa(p, a), calls);
	if (p != MMUSPEC_V6_5) {
		int i = rec_find_secondary(0, 0x30000);

		CHECK(i >= 0 && rec.ev[i].end == 0x31000,
		      "%s: flush_tlb_page notifies [addr, addr+4K)", pa(p, a));
		i = rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, MMUSPEC_FLUSH_MM);
		i = i >= 0 ? rec_find((unsigned int)i, MMUSPEC_EV_MN_CALL,
				      MMUSPEC_MN_ARCH_INVALIDATE_SECONDARY_TLBS) :
			     -1;
		CHECK(i >= 0 && rec.ev[i].addr == 0 && rec.ev[i].end == ~0ULL,
		      "%s: flush_tlb_mm notifies (0, -1UL)", pa(p, a));
	}
	mmuspec_machine_destroy(m);
}

/* Reclaim's batched flush: x86 notifies (0,-1) at add time. */
static void test_batch(enum mmuspec_profile p, enum mmuspec_arch a)
{
	struct mmuspec_device_config dev = { MMUSPEC_DEV_SVA, 0, 1, 0 };
	struct mmuspec_machine *m = new_machine(p, a, 1, &dev);
	static const struct mmuspec_step body[] = {
		S1(user_read, 0x50000),
		S2(try_to_unmap, 0x50000, 1),
		S0(try_to_unmap_flush),
	};
	int add, sec, flush;

	mmuspec_map(m, 1, 0x50000, 1, VM_READ | VM_WRITE, true);
	rec_start(m);
	mmuspec_add_task(m, 0, 1, body, NSTEPS(body));
	mmuspec_run(m, NULL, NULL);
	add = rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, MMUSPEC_FLUSH_BATCH_ADD);
	flush = rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, MMUSPEC_FLUSH_BATCH);
	sec = add >= 0 ? rec_find((unsigned int)add, MMUSPEC_EV_MN_CALL,
				  MMUSPEC_MN_ARCH_INVALIDATE_SECONDARY_TLBS) :
			 -1;
	CHECK(add >= 0 && flush > add, "%s: batch added, then flushed",
	      pa(p, a));
	if (p == MMUSPEC_V6_5) {
		CHECK(sec < 0 || sec > flush || rec.ev[sec].addr == 0x50000,
		      "%s: no notifier from the batch add", pa(p, a));
	} else if (a == MMUSPEC_X86_64) {
		CHECK(sec >= 0 && sec < flush && rec.ev[sec].addr == 0 &&
			      rec.ev[sec].end == ~0ULL,
		      "%s: arch_tlbbatch_add_pending notifies (0, -1UL)",
		      pa(p, a));
	} else {
		CHECK(sec >= 0 && sec < flush && rec.ev[sec].addr == 0x50000,
		      "%s: arch_tlbbatch_add_pending notifies the page",
		      pa(p, a));
	}
	mmuspec_machine_destroy(m);
}

int main(void)
{
	test_fault_caching(MMUSPEC_X86_64);
	test_fault_caching(MMUSPEC_ARM64);
	test_grain();
	for (int p = 0; p < MMUSPEC_NR_PROFILES; p++)
		for (int a = 0; a < MMUSPEC_NR_ARCHES; a++) {
			test_flush_notifies(p, a);
			test_batch(p, a);
		}
	return unit_exit();
}
