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

/* Count TLB_INVAL events of CPU @cpu in [from, to) (to < 0: to the end). */
static unsigned int invals_of(int cpu, unsigned int from, int to, int *leaf)
{
	unsigned int n = 0, end = to < 0 ? rec.n : (unsigned int)to;

	*leaf = 0;
	for (unsigned int i = from; i < end; i++)
		if (rec.ev[i].type == MMUSPEC_EV_TLB_INVAL &&
		    rec.ev[i].sub == MMUSPEC_TLB_CPU && rec.ev[i].cpu == cpu) {
			n++;
			*leaf |= rec.ev[i].level & MMUSPEC_INVAL_LEAF;
		}
	return n;
}

/*
 * TLB-LAZY: CPU 1 runs a task of mm 1, which ends: CPU 1 is lazy with mm 1
 * loaded. On x86 a flush of mm 1 skips it unless it frees tables, and it
 * flushes mm 1's ASID when a task of mm 1 runs there again; on arm64 the
 * TLBI reaches it and nothing is flushed at the switch.
 */
static void test_lazy_tlb(enum mmuspec_profile p, enum mmuspec_arch a)
{
	struct mmuspec_machine *m = new_machine(p, a, 0, NULL);
	static const struct mmuspec_step reader[] = { S1(user_read, 0x30000) };
	static const struct mmuspec_step flusher[] = {
		S1(flush_tlb_page, 0x30000),
	};
	struct mmuspec_cpu *c1 = mmuspec_cpu(m, 1);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	int leaf, sw, fb, fe;
	unsigned int n;

	mmuspec_map(m, 1, 0x30000, 1, VM_READ | VM_WRITE, true);
	rec_start(m);
	mmuspec_add_task(m, 1, 1, reader, NSTEPS(reader));
	mmuspec_add_task(m, 0, 1, flusher, NSTEPS(flusher));
	CHECK(mmuspec_run(m, NULL, NULL) == MMUSPEC_RUN_OK, "%s: run",
	      pa(p, a));
	CHECK(c1->loaded_mm == 1 && c1->is_lazy,
	      "%s: CPU 1 keeps mm 1 loaded in lazy mode after its task ends",
	      pa(p, a));
	CHECK(rec_find(0, MMUSPEC_EV_MM_SWITCH, MMUSPEC_MM_ENTER_LAZY) >= 0,
	      "%s: enter_lazy_tlb() is an MM_SWITCH event", pa(p, a));
	fb = rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, MMUSPEC_FLUSH_PAGE);
	fe = rec_find(0, MMUSPEC_EV_FLUSH_END, MMUSPEC_FLUSH_PAGE);
	n = invals_of(1, (unsigned int)fb, fe, &leaf);
	if (a == MMUSPEC_X86_64) {
		CHECK(n == 0 && c1->ctx_gen[1] + 1 == mm->tlb_gen,
		      "%s: the flush skips the lazy CPU, which is one generation behind",
		      pa(p, a));
	} else {
		CHECK(n == 1 && leaf,
		      "%s: flush_tlb_page() is a leaf-only TLBI on every CPU",
		      pa(p, a));
	}
	/* A task of mm 1 runs on CPU 1 again. */
	mmuspec_reset(m);
	rec_start(m);
	c1->loaded_mm = 1;
	c1->is_lazy = 1;
	mm->tlb_gen = c1->ctx_gen[1] + (a == MMUSPEC_X86_64);
	mmuspec_add_task(m, 1, 1, reader, NSTEPS(reader));
	mmuspec_run(m, NULL, NULL);
	sw = rec_find(0, MMUSPEC_EV_MM_SWITCH, MMUSPEC_MM_LEAVE_LAZY);
	n = invals_of(1, 0, sw, &leaf);
	CHECK(sw >= 0 && n == (a == MMUSPEC_X86_64) && !leaf &&
		      c1->ctx_gen[1] == mm->tlb_gen,
	      "%s: leaving lazy mode flushes the ASID iff the CPU is behind (%u)",
	      pa(p, a), n);
	mmuspec_machine_destroy(m);
}

/* TLB-WALK: munmap() of a whole 2 MiB frees its PTE table after a flush
 * that reaches the lazy CPU (x86) and drops walk entries (arm64). */
static void test_free_pgtables(enum mmuspec_profile p, enum mmuspec_arch a)
{
	struct mmuspec_machine *m = new_machine(p, a, 0, NULL);
	static const struct mmuspec_step reader[] = { S1(user_read, 0x200000) };
	static const struct mmuspec_step unmap[] = {
		S2(munmap, 0x200000, 512),
	};
	int fr, fe, pt, leaf;

	mmuspec_map(m, 1, 0x200000, 1, VM_READ | VM_WRITE, true);
	rec_start(m);
	mmuspec_add_task(m, 1, 1, reader, NSTEPS(reader));
	mmuspec_add_task(m, 0, 1, unmap, NSTEPS(unmap));
	mmuspec_run(m, NULL, NULL);
	pt = rec_find(0, MMUSPEC_EV_PT_FREE, -1);
	fr = rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, -1);
	fe = rec_find(0, MMUSPEC_EV_FLUSH_END, -1);
	CHECK(pt > fe && fe > fr && rec.ev[pt].addr == 0x200000,
	      "%s: the PTE table is freed after the flush", pa(p, a));
	CHECK(invals_of(1, (unsigned int)fr, fe, &leaf) >= 1 && !leaf,
	      "%s: the flush reaches the lazy CPU and drops walk entries",
	      pa(p, a));
	CHECK(a == MMUSPEC_ARM64 ||
		      (rec.ev[fr].level & MMUSPEC_FLUSH_FREED_TABLES),
	      "%s: x86 flushes with freed_tables", pa(p, a));
	CHECK(pmd_none(*pmd_off(mmuspec_mm(m, 1), 0x200000)),
	      "%s: the PMD entry is clear", pa(p, a));
	mmuspec_machine_destroy(m);
}

/*
 * x86 flush_tlb_mm_range() picks and flushes the CPUs between get_cpu() and
 * put_cpu(): no other task of the flushing CPU runs in between, so every
 * CPU invalidation of the flush is made with preemption disabled.
 */
static void test_x86_flush_not_preempted(enum mmuspec_profile p)
{
	struct mmuspec_machine *m = new_machine(p, MMUSPEC_X86_64, 0, NULL);
	static const struct mmuspec_step reader[] = { S1(user_read, 0x30000) };
	static const struct mmuspec_step flusher[] = {
		S2(madvise_dontneed, 0x30000, 1),
	};
	unsigned int invals = 0, preemptible = 0;
	int fb, fe;

	mmuspec_map(m, 1, 0x30000, 1, VM_READ | VM_WRITE, true);
	rec_start(m);
	mmuspec_add_task(m, 1, 1, reader, NSTEPS(reader));
	mmuspec_add_task(m, 0, 1, flusher, NSTEPS(flusher));
	CHECK(mmuspec_run(m, NULL, NULL) == MMUSPEC_RUN_OK, "%s: run",
	      pa(p, MMUSPEC_X86_64));
	fb = rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, -1);
	fe = fb < 0 ? -1 : rec_find((unsigned int)fb, MMUSPEC_EV_FLUSH_END, -1);
	for (int i = fb; fb >= 0 && i < fe; i++)
		if (rec.ev[i].type == MMUSPEC_EV_TLB_INVAL &&
		    rec.ev[i].sub == MMUSPEC_TLB_CPU) {
			invals++;
			preemptible += !(rec.ev[i].ctx & MMUSPEC_CTX_PREEMPT_MASK);
		}
	CHECK(invals >= 1 && !preemptible,
	      "%s: the CPUs are flushed with preemption disabled (%u of %u invalidations preemptible)",
	      pa(p, MMUSPEC_X86_64), preemptible, invals);
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
			test_lazy_tlb(p, a);
			test_free_pgtables(p, a);
		}
	for (int p = 0; p < MMUSPEC_NR_PROFILES; p++)
		test_x86_flush_not_preempted(p);
	return unit_exit();
}
