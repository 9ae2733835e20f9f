// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 08: every kernel procedure under every profile and architecture,
 * asserting the event sequence it produces. Device 0 is an SVA device
 * (ATS, no BTM), device 1 a mirror device; both translate mm 1.
 */
#include <errno.h>

#include "../unit.h"
#include "../model.h"

static enum mmuspec_profile P;
static enum mmuspec_arch A;
static char tag[32];

static struct mmuspec_machine *setup(unsigned int sva_flags, uint64_t bugs)
{
	struct mmuspec_config cfg;

	mmuspec_config_default(&cfg, P, A);
	cfg.nr_mms = 2;
	cfg.nr_devices = 2;
	cfg.dev[0] = (struct mmuspec_device_config){ MMUSPEC_DEV_SVA,
						     sva_flags, 1, 0 };
	cfg.dev[1] = (struct mmuspec_device_config){ MMUSPEC_DEV_MIRROR, 0, 1,
						     1 };
	cfg.bugs = bugs;
	snprintf(tag, sizeof(tag), "%s/%s", mmuspec_profile_name(P),
		 mmuspec_arch_name(A));
	return mmuspec_machine_create(&cfg);
}

/* Run one more thread to completion (threads of earlier phases are done). */
static enum mmuspec_run_result phase(struct mmuspec_machine *m, int kind,
				     const struct mmuspec_step *s,
				     unsigned int n)
{
	if (kind < 0)
		mmuspec_add_task(m, 0, 1, s, n);
	else
		mmuspec_add_device_thread(m, kind, s, n);
	return mmuspec_run(m, NULL, NULL);
}

static pteval_t pte_at(struct mmuspec_machine *m, int mm, unsigned long a)
{
	int level;
	pteval_t *p = mmuspec_lookup_pte(mmuspec_mm(m, mm), a, &level);

	return p ? *p : 0;
}

/* Index of the first PTE_WRITE at @addr whose new value satisfies @f. */
static int find_pte_write(unsigned int from, unsigned long addr, int present)
{
	for (unsigned int i = from; i < rec.n; i++) {
		const struct mmuspec_event *e = &rec.ev[i];

		if (e->type == MMUSPEC_EV_PTE_WRITE && e->addr == addr &&
		    e->level == 0 && !!(e->new & _PAGE_PRESENT) == present)
			return (int)i;
	}
	return -1;
}

static int find_free(unsigned long pfn)
{
	for (unsigned int i = 0; i < rec.n; i++)
		if (rec.ev[i].type == MMUSPEC_EV_PAGE_FREE &&
		    rec.ev[i].arg == pfn)
			return (int)i;
	return -1;
}

/* The events of the first step @op at or after event @from: [*b, *e]. */
static void step_span_from(unsigned int from, int op, int *b, int *e)
{
	*b = rec_find(from, MMUSPEC_EV_STEP_BEGIN, op);
	*e = *b >= 0 ? rec_find((unsigned int)*b, MMUSPEC_EV_STEP_END, op) : -1;
}

static void step_span(int op, int *b, int *e)
{
	step_span_from(0, op, b, e);
}

/*
 * A PTE repointed or rewritten in an MMU_NOTIFY_CLEAR range, from event
 * @from on: the range starts, the PTE at @addr is cleared, set again, and
 * the range ends. Sets *clr, *set and *end (the end's return) and *sec, the
 * first secondary-TLB call for @addr after the clear. Return: the pattern
 * was found.
 */
/* The first range end after @from: ..._end(), or ..._only_end() (v6.5). */
static int rec_find_end(unsigned int from)
{
	int e = rec_find(from, MMUSPEC_EV_MN_RETURN, MMUSPEC_MN_END_CORE);
	int o = rec_find(from, MMUSPEC_EV_MN_RETURN, MMUSPEC_MN_ONLY_END_CORE);

	if (e < 0 || (o >= 0 && o < e))
		return o;
	return e;
}

static bool clear_set(unsigned int from, unsigned long addr, int *clr,
		      int *set, int *end, int *sec)
{
	int st = rec_find(from, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE);

	*clr = st >= 0 ? find_pte_write((unsigned int)st, addr, 0) : -1;
	*set = *clr >= 0 ? find_pte_write((unsigned int)*clr, addr, 1) : -1;
	*end = *set >= 0 ? rec_find_end((unsigned int)*set) : -1;
	*sec = *clr >= 0 ? rec_find_secondary((unsigned int)*clr, addr) : -1;
	return st >= 0 && rec.ev[st].old == MMU_NOTIFY_CLEAR &&
	       rec.ev[st].addr <= addr && rec.ev[st].end > addr && *end > 0;
}

/* The write-fault upgrade path (wp_page_reuse -> ptep_set_access_flags). */
static void test_upgrade(unsigned int sva_flags)
{
	struct mmuspec_machine *m = setup(sva_flags, 0);
	static const struct mmuspec_step cpu0[] = {
		S3(mprotect, 0x10000, 1, 1), /* PTE becomes read-only */
		S3(mprotect, 0x10000, 1, 3), /* VMA writable again */
	};
	static const struct mmuspec_step dev_read[] = { S1(dev_read, 0x10000) };
	static const struct mmuspec_step cpu1[] = { S2(user_write, 0x10000, 5) };
	static const struct mmuspec_step dev_write[] = {
		S2(dev_write, 0x10000, 6)
	};
	bool btm = sva_flags & MMUSPEC_DEV_BTM;
	bool ats = sva_flags & MMUSPEC_DEV_ATS;
	int fb, fe, sec, flush, acc;

	mmuspec_map(m, 1, 0x10000, 1, VM_READ | VM_WRITE, true);
	phase(m, -1, cpu0, NSTEPS(cpu0));
	phase(m, 0, dev_read, NSTEPS(dev_read));
	rec_start(m);
	phase(m, -1, cpu1, NSTEPS(cpu1));
	fb = rec_find(0, MMUSPEC_EV_FAULT_BEGIN, -1);
	fe = rec_find(0, MMUSPEC_EV_FAULT_END, -1);
	flush = rec_find((unsigned int)fb, MMUSPEC_EV_FLUSH_BEGIN,
			 MMUSPEC_FLUSH_PAGE);
	sec = rec_find_secondary((unsigned int)fb, 0x10000);
	CHECK(fb >= 0 && fe > fb && (pte_at(m, 1, 0x10000) & _PAGE_RW),
	      "%s [upgrade] upgrade: the write fault made the PTE writable", tag);
	CHECK(mmuspec_page(m, pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT)->data ==
		      5,
	      "%s [upgrade] upgrade: the page was reused (same page, value written)",
	      tag);
	if (A == MMUSPEC_X86_64) {
		CHECK(flush < 0 || flush > fe,
		      "%s [upgrade] upgrade: x86 does not flush", tag);
	} else {
		CHECK(flush > fb && flush < fe,
		      "%s [upgrade] upgrade: arm64 flushes the page in ptep_set_access_flags",
		      tag);
	}
	if (A == MMUSPEC_ARM64 && P >= MMUSPEC_V6_6)
		CHECK(sec > fb && sec < fe,
		      "%s [upgrade] upgrade: arch_invalidate_secondary_tlbs for the page (6bbd42e2df8f)",
		      tag);
	else
		CHECK(sec < 0 || sec > fe,
		      "%s [upgrade] upgrade: no secondary-TLB call for the page", tag);
	rec_start(m);
	phase(m, 0, dev_write, NSTEPS(dev_write));
	acc = rec_find(0, MMUSPEC_EV_ACCESS, -1);
	while (rec_find((unsigned int)acc + 1, MMUSPEC_EV_ACCESS, -1) >= 0)
		acc = rec_find((unsigned int)acc + 1, MMUSPEC_EV_ACCESS, -1);
	if (A == MMUSPEC_ARM64 && P == MMUSPEC_V6_5 && !btm)
		CHECK(acc >= 0 && rec.ev[acc].ret == MMUSPEC_ACC_FAULT_GAVE_UP,
		      "%s [upgrade] upgrade, SMMU without BTM: the device faults forever (TLB-UPGRADE)",
		      tag);
	else if (A == MMUSPEC_ARM64 && P == MMUSPEC_V6_5 && ats)
		CHECK(acc >= 0 && rec.ev[acc].ret == MMUSPEC_ACC_FAULT_GAVE_UP,
		      "%s [upgrade] upgrade, BTM with ATS: BTM does not reach the ATC, the device faults forever",
		      tag);
	else
		CHECK(acc >= 0 && rec.ev[acc].ret == MMUSPEC_ACC_OK,
		      "%s [upgrade] upgrade%s: the device write succeeds", tag,
		      btm ? " (BTM)" : "");
	mmuspec_machine_destroy(m);
}

/* COW after fork: the case B order, in every profile. */
static void test_cow(uint64_t bugs)
{
	struct mmuspec_machine *m = setup(MMUSPEC_DEV_ATS, bugs);
	static const struct mmuspec_step fork[] = { S1(dup_mmap, 2) };
	static const struct mmuspec_step dev_read[] = { S1(dev_read, 0x10000) };
	static const struct mmuspec_step cow[] = { S2(user_write, 0x10000, 9) };
	unsigned long oldpfn;
	int clear, set, sec;

	mmuspec_map(m, 1, 0x10000, 1, VM_READ | VM_WRITE, true);
	oldpfn = pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT;
	rec_start(m);
	phase(m, -1, fork, NSTEPS(fork));
	CHECK(rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE) >= 0 &&
		      rec.ev[rec_find(0, MMUSPEC_EV_MN_CALL,
				      MMUSPEC_MN_START_CORE)]
				      .old == MMU_NOTIFY_PROTECTION_PAGE,
	      "%s [fork] fork: MMU_NOTIFY_PROTECTION_PAGE range", tag);
	CHECK(!(pte_at(m, 1, 0x10000) & _PAGE_RW) &&
		      !(pte_at(m, 2, 0x10000) & _PAGE_RW) &&
		      (pte_at(m, 2, 0x10000) >> _PAGE_PFN_SHIFT) == oldpfn,
	      "%s [fork] fork: parent and child map the page read-only", tag);
	CHECK(rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, MMUSPEC_FLUSH_MM) >
		      rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_END_CORE),
	      "%s [fork] fork: flush_tlb_mm(oldmm) at the end", tag);
	if (P < MMUSPEC_V6_15)
		CHECK(rec_count(MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_ENTER) >= 2,
		      "%s [fork] fork: set_pte_at() nests a lazy region (set_ptes)",
		      tag);
	else
		CHECK(rec_count(MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_ENTER) == 1,
		      "%s [fork] fork: one lazy region, not nested", tag);
	phase(m, 0, dev_read, NSTEPS(dev_read));
	rec_start(m);
	phase(m, -1, cow, NSTEPS(cow));
	clear = find_pte_write(0, 0x10000, 0);
	set = clear >= 0 ? find_pte_write((unsigned int)clear, 0x10000, 1) : -1;
	sec = clear >= 0 ? rec_find_secondary((unsigned int)clear, 0x10000) : -1;
	CHECK(clear >= 0 && set > clear &&
		      (rec.ev[set].new >> _PAGE_PFN_SHIFT) != oldpfn,
	      "%s [cow] COW: clear, then map a new page", tag);
	if (!bugs)
		CHECK(sec > clear && sec < set,
		      "%s [cow] COW: secondary TLBs invalidated between clear and set (TLB-ORDER)",
		      tag);
	else
		CHECK(sec < 0 || sec > set,
		      "%s [cow] COW with cow-delayed-secondary: no secondary call before the new PTE",
		      tag);
	CHECK(find_free(oldpfn) < 0, "%s [cow] COW: the child still holds the old page",
	      tag);
	mmuspec_machine_destroy(m);
}

static void test_munmap(void)
{
	struct mmuspec_machine *m = setup(MMUSPEC_DEV_ATS, 0);
	static const struct mmuspec_step mirror[] = {
		S0(mmu_interval_read_begin),
		S2(hmm_range_fault, 0x11000, 0),
		S1(mutex_lock, 1),
		S0(mmu_interval_read_retry),
		S2(dev_pte_install, 0x11000, 0),
		S1(mutex_unlock, 1),
		S1(dev_read, 0x11000),
	};
	static const struct mmuspec_step sva[] = { S1(dev_read, 0x10000) };
	static const struct mmuspec_step unmap[] = { S2(munmap, 0x10000, 2) };
	unsigned long pfn0, pfn1;
	int free0, sec, zap, start, end;

	mmuspec_map(m, 1, 0x10000, 2, VM_READ | VM_WRITE, true);
	pfn0 = pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT;
	pfn1 = pte_at(m, 1, 0x11000) >> _PAGE_PFN_SHIFT;
	phase(m, 1, mirror, NSTEPS(mirror));
	phase(m, 0, sva, NSTEPS(sva));
	rec_start(m);
	phase(m, -1, unmap, NSTEPS(unmap));
	start = rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE);
	end = rec_find(0, MMUSPEC_EV_MN_RETURN, MMUSPEC_MN_END_CORE);
	free0 = find_free(pfn0);
	sec = rec_find_secondary(0, 0x10000);
	zap = rec_find(0, MMUSPEC_EV_DEV_PTE_WRITE, -1);
	CHECK(start >= 0 && rec.ev[start].old == MMU_NOTIFY_UNMAP,
	      "%s [munmap] munmap: MMU_NOTIFY_UNMAP range", tag);
	CHECK(free0 > 0 && find_free(pfn1) > 0, "%s [munmap] munmap: both pages freed",
	      tag);
	CHECK(sec >= 0 && sec < free0,
	      "%s [munmap] munmap: secondary TLBs invalidated before the free (TLB-FREE)",
	      tag);
	CHECK(zap > start && zap < end && rec.ev[zap].new == 0,
	      "%s [munmap] munmap: the mirror zapped its PTE inside the range", tag);
	CHECK(rec_find(0, MMUSPEC_EV_FLUSH_END, -1) < free0,
	      "%s [munmap] munmap: CPU flush before the free", tag);
	CHECK(!find_vma_flags(mmuspec_mm(m, 1), 0x10000),
	      "%s [munmap] munmap: the mapping is gone", tag);
	mmuspec_machine_destroy(m);
}

static void test_madvise(void)
{
	struct mmuspec_machine *m = setup(MMUSPEC_DEV_ATS, 0);
	static const struct mmuspec_step sva[] = { S1(dev_read, 0x10000) };
	static const struct mmuspec_step body[] = {
		S2(madvise_dontneed, 0x10000, 1),
		S1(user_read, 0x10000),
	};
	unsigned long pfn;
	int start, fr, sec;

	mmuspec_map(m, 1, 0x10000, 1, VM_READ | VM_WRITE, true);
	pfn = pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT;
	phase(m, 0, sva, NSTEPS(sva));
	rec_start(m);
	phase(m, -1, body, NSTEPS(body));
	start = rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE);
	fr = find_free(pfn);
	sec = rec_find_secondary(0, 0x10000);
	CHECK(start >= 0 && rec.ev[start].old == MMU_NOTIFY_CLEAR,
	      "%s [madvise-dontneed] madvise: MMU_NOTIFY_CLEAR range", tag);
	CHECK(fr > 0 && sec >= 0 && sec < fr,
	      "%s [madvise-dontneed] madvise: secondary invalidation before the free", tag);
	CHECK((pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT) == MMUSPEC_ZERO_PFN,
	      "%s [madvise-dontneed] madvise: the mapping stays; a read faults in the zero page",
	      tag);
	mmuspec_machine_destroy(m);
}

static void test_mprotect_zero_huge(void)
{
	struct mmuspec_machine *m = setup(MMUSPEC_DEV_ATS, 0);
	static const struct mmuspec_step body[] = {
		S2(user_write, 0x10000, 1),
		S3(mprotect, 0x10000, 1, 1),
		S1(user_read, 0x20000),  /* zero page */
		S2(user_write, 0x20000, 2), /* COW from the zero page */
		S1(user_read, 0x200000), /* huge zero PMD */
		S2(user_write, 0x201000, 3), /* split + COW */
	};
	int i, j, z, zc = -1, zs = -1, ze = -1, zsec = -1;

	mmuspec_map(m, 1, 0x10000, 32, VM_READ | VM_WRITE, false);
	mmuspec_map(m, 1, 0x200000, 512, VM_READ | VM_WRITE | VM_HUGEPAGE,
		    false);
	rec_start(m);
	CHECK(phase(m, -1, body, NSTEPS(body)) == MMUSPEC_RUN_OK, "%s run", tag);
	i = rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE);
	CHECK(i >= 0 && rec.ev[i].old == MMU_NOTIFY_PROTECTION_VMA,
	      "%s [mprotect] mprotect: MMU_NOTIFY_PROTECTION_VMA", tag);
	j = rec_find((unsigned int)i, MMUSPEC_EV_FLUSH_BEGIN, -1);
	CHECK(j > i && !(pte_at(m, 1, 0x10000) & _PAGE_RW),
	      "%s [mprotect] mprotect: PTE read-only, then flushed", tag);
	CHECK((pte_at(m, 1, 0x20000) >> _PAGE_PFN_SHIFT) != MMUSPEC_ZERO_PFN &&
		      (pte_at(m, 1, 0x20000) & _PAGE_RW),
	      "%s [zero-page-write] zero page: the write replaced it with a private page", tag);
	z = find_pte_write(0, 0x20000, 1);
	CHECK(z >= 0 && (rec.ev[z].new >> _PAGE_PFN_SHIFT) == MMUSPEC_ZERO_PFN &&
		      clear_set((unsigned int)z, 0x20000, &zc, &zs, &ze,
				&zsec) &&
		      (rec.ev[zc].old >> _PAGE_PFN_SHIFT) == MMUSPEC_ZERO_PFN &&
		      (rec.ev[zs].new & _PAGE_RW),
	      "%s [zero-page-write] zero page: in a CLEAR range the zero-page PTE is cleared, then a writable private page set",
	      tag);
	CHECK(zsec > zc && zsec < zs,
	      "%s [zero-page-write] zero page: secondary TLBs invalidated between clear and set (TLB-ORDER)",
	      tag);
	i = rec_find(0, MMUSPEC_EV_PTE_WRITE, -1);
	for (j = -1; i >= 0; i = rec_find((unsigned int)i + 1,
					   MMUSPEC_EV_PTE_WRITE, -1))
		if (rec.ev[i].level == 1 && rec.ev[i].addr == 0x200000 &&
		    (rec.ev[i].new & _PAGE_PSE))
			j = i;
	CHECK(j >= 0, "%s [huge-zero-pmd-split] huge: a read mapped the huge zero page", tag);
	{
		/* The split: PMD cleared and flushed, then the table. */
		int clr = -1, pop = -1, sec;

		for (i = 0; i < (int)rec.n; i++) {
			const struct mmuspec_event *e = &rec.ev[i];

			if (e->type == MMUSPEC_EV_PTE_WRITE && e->level == 1 &&
			    e->addr == 0x200000 && (e->old & _PAGE_PSE) &&
			    !e->new && clr < 0)
				clr = i;
			if (e->type == MMUSPEC_EV_PTE_WRITE && e->level == 1 &&
			    e->addr == 0x200000 && (e->new & _PAGE_TABLE) &&
			    clr >= 0 && pop < 0)
				pop = i;
		}
		sec = clr >= 0 ? rec_find_secondary((unsigned int)clr, 0x200000) :
				 -1;
		CHECK(clr >= 0 && pop > clr,
		      "%s [huge-zero-pmd-split] huge split: PMD cleared, then the zero-PTE table populated",
		      tag);
		if (P == MMUSPEC_V6_5)
			CHECK(sec < 0,
			      "%s [huge-zero-pmd-split] huge split: secondary TLBs keep the 2 MiB zero entry (only_end, 0f10851ea475; a legal delay)",
			      tag);
		else
			CHECK(sec > clr && sec < pop,
			      "%s [huge-zero-pmd-split] huge split: the PMD flush invalidates secondary TLBs", tag);
	}
	CHECK((pte_at(m, 1, 0x201000) & _PAGE_RW) &&
		      (pte_at(m, 1, 0x202000) >> _PAGE_PFN_SHIFT) ==
			      MMUSPEC_ZERO_PFN,
	      "%s [huge-zero-pmd-split] huge: split into zero PTEs, one COWed", tag);
	mmuspec_machine_destroy(m);
}

/* The machine of test_split_window(): its chooser reads the PMD. */
static struct mmuspec_machine *split_m;

/*
 * Thread 0 splits, thread 1 faults: thread 1 runs as soon as the PMD of
 * 0x200000 is not present (cleared or invalidated under the PMD lock),
 * thread 0 otherwise.
 */
static unsigned int choose_split_window(const struct mmuspec_sched_info *info,
					void *ctx)
{
	int want = pte_at(split_m, 1, 0x200000) & _PAGE_PRESENT ? 0 : 1;

	(void)ctx;
	for (unsigned int i = 0; i < info->n_runnable; i++)
		if (info->runnable[i] == want)
			return i;
	return 0;
}

/*
 * A write fault on another CPU inside a split's window waits for the PMD
 * lock and then writes the page the split's PTE table maps: a THP split
 * keeps the PMD non-none (pmdp_invalidate()), the huge zero PMD split
 * leaves it none and the fault's pmd_install() waits. Without the wait the
 * fault installed a table of its own, which the split then replaced.
 */
static void test_split_window(bool zero)
{
	struct mmuspec_machine *m = setup(MMUSPEC_DEV_ATS, 0);
	static const struct mmuspec_step split[] = {
		S1(split_huge_pmd, 0x200000),
	};
	static const struct mmuspec_step fault[] = {
		S2(user_write, 0x201000, 7),
	};
	const char *id = zero ? "huge-zero-pmd-split" : "thp-split";
	unsigned long block, pfn;
	int inval = -1, pop = -1, waited = 0, mmap_locked = -1;
	pteval_t v;

	split_m = m;
	mmuspec_map_huge(m, 1, 0x200000, zero, true);
	block = pte_at(m, 1, 0x200000) >> _PAGE_PFN_SHIFT;
	rec_start(m);
	mmuspec_add_task(m, 0, 1, split, NSTEPS(split));
	mmuspec_add_task(m, 1, 1, fault, NSTEPS(fault));
	CHECK(mmuspec_run(m, choose_split_window, NULL) == MMUSPEC_RUN_OK,
	      "%s [%s] split with a fault in its window: run", tag, id);
	for (int i = 0; i < (int)rec.n; i++) {
		const struct mmuspec_event *e = &rec.ev[i];

		if (e->type == MMUSPEC_EV_LOCK_WAIT && e->thread == 1)
			waited = 1;
		if (e->type == MMUSPEC_EV_LOCK_ACQUIRE && e->thread == 0 &&
		    e->sub == MMUSPEC_LOCK_MMAP && mmap_locked < 0)
			mmap_locked = i;
		if (e->type != MMUSPEC_EV_PTE_WRITE || e->level != 1 ||
		    e->addr != 0x200000 || e->thread != 0)
			continue;
		if ((e->old & _PAGE_PRESENT) && (e->old & _PAGE_PSE))
			inval = i;
		if ((e->new & _PAGE_TABLE) && pop < 0)
			pop = i;
	}
	v = inval >= 0 ? rec.ev[inval].new : ~0UL;
	if (zero)
		CHECK(!v, "%s [%s] split: the PMD is cleared", tag, id);
	else
		CHECK(v != ~0UL && !(v & _PAGE_PRESENT) && (v & _PAGE_PSE) &&
			      (v >> _PAGE_PFN_SHIFT) == block,
		      "%s [%s] split: pmdp_invalidate() leaves the PMD a non-present huge leaf",
		      tag, id);
	CHECK(zero ? mmap_locked >= 0 && mmap_locked < inval : mmap_locked < 0,
	      "%s [%s] split: %s", tag, id,
	      zero ? "under mmap_read_lock(), as its callers hold it"
		   : "without the mmap lock, as an rmap walker");
	CHECK(waited && pop > inval && inval >= 0,
	      "%s [%s] split: the fault waits for the PMD lock, then the table is populated",
	      tag, id);
	v = pte_at(m, 1, 0x201000);
	pfn = v >> _PAGE_PFN_SHIFT;
	CHECK((v & _PAGE_PRESENT) && (v & _PAGE_RW) &&
		      mmuspec_page(m, pfn)->data == 7 &&
		      (zero ? pfn != MMUSPEC_ZERO_PFN : pfn == block + 1),
	      "%s [%s] split: the write landed in the page the split's table maps",
	      tag, id);
	if (zero)
		CHECK((pte_at(m, 1, 0x202000) >> _PAGE_PFN_SHIFT) ==
			      MMUSPEC_ZERO_PFN,
		      "%s [%s] split: the rest of the table maps the zero page",
		      tag, id);
	else
		CHECK(rec_count(MMUSPEC_EV_PAGE_ALLOC, -1) == 0 &&
			      (pte_at(m, 1, 0x202000) >> _PAGE_PFN_SHIFT) ==
				      block + 2,
		      "%s [%s] split: the table maps the THP's pages, no page allocated",
		      tag, id);
	mmuspec_machine_destroy(m);
}

/*
 * A KSM step on @addr: in a CLEAR range the PTE is cleared, then set
 * read-only to @pfn; the secondary TLBs are invalidated by the flush, or in
 * v6.5 at the range end (ptep_clear_flush() without _notify, 0f10851ea475).
 * *end: the range end's return.
 */
static void check_ksm(const char *id, unsigned long addr, unsigned long pfn,
		      int *end)
{
	int clr = -1, set = -1, sec = -1;

	*end = -1;
	CHECK(clear_set(0, addr, &clr, &set, end, &sec) &&
		      (rec.ev[set].new >> _PAGE_PFN_SHIFT) == pfn &&
		      !(rec.ev[set].new & _PAGE_RW),
	      "%s [%s] KSM: in a CLEAR range, cleared, then the KSM page read-only",
	      tag, id);
	if (P == MMUSPEC_V6_5)
		CHECK(sec > set && sec < *end,
		      "%s [%s] KSM: secondary TLBs invalidated at range end",
		      tag, id);
	else
		CHECK(sec > clr && sec < set,
		      "%s [%s] KSM: the flush invalidates secondary TLBs before the PTE is set",
		      tag, id);
}

static void test_ksm_migrate_exclusive(void)
{
	struct mmuspec_machine *m = setup(MMUSPEC_DEV_ATS, 0);
	static const struct mmuspec_step ksm_pre[] = {
		S2(user_write, 0x10000, 4),
		S2(user_write, 0x11000, 4),
	};
	static const struct mmuspec_step ksm_wp[] = {
		S1(write_protect_page, 0x10000),
		S1(write_protect_page, 0x11000),
	};
	static const struct mmuspec_step ksm_replace[] = {
		S2(replace_page, 0x11000, 0x10000),
	};
	static const struct mmuspec_step mig[] = {
		S2(user_write, 0x12000, 8),
		S3(migrate_vma, 0x12000, 1, 1),
		S1(user_read, 0x12000),
	};
	static const struct mmuspec_step excl[] = {
		S2(make_device_exclusive, 0x13000, 1),
	};
	static const struct mmuspec_step cpu_read[] = { S1(user_read, 0x13000) };
	unsigned long p0, p1, before;
	int i, end = -1;

	mmuspec_map(m, 1, 0x10000, 8, VM_READ | VM_WRITE, false);
	phase(m, -1, ksm_pre, NSTEPS(ksm_pre));
	p0 = pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT;
	p1 = pte_at(m, 1, 0x11000) >> _PAGE_PFN_SHIFT;
	rec_start(m);
	phase(m, -1, ksm_wp, NSTEPS(ksm_wp));
	check_ksm("ksm-write-protect", 0x10000, p0, &end);
	rec_start(m);
	phase(m, -1, ksm_replace, NSTEPS(ksm_replace));
	check_ksm("ksm-replace", 0x11000, p0, &end);
	CHECK(find_free(p1) > end && p0 != p1,
	      "%s [ksm-replace] KSM: the replaced page is freed after the range end",
	      tag);
	CHECK((pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT) == p0 &&
		      (pte_at(m, 1, 0x11000) >> _PAGE_PFN_SHIFT) == p0,
	      "%s [ksm-replace] KSM: both addresses map one page", tag);

	{
		static const struct mmuspec_step pre[] = {
			S2(user_write, 0x12000, 8),
		};
		static const struct mmuspec_step mirror[] = {
			S0(mmu_interval_read_begin),
			S2(hmm_range_fault, 0x12000, 0),
			S1(mutex_lock, 1),
			S0(mmu_interval_read_retry),
			S2(dev_pte_install, 0x12000, 0),
			S1(mutex_unlock, 1),
		};

		phase(m, -1, pre, NSTEPS(pre));
		phase(m, 1, mirror, NSTEPS(mirror));
		CHECK(mmuspec_device(m, 1)->nr_dpte == 1,
		      "%s [migrate] migrate: the owner device maps the page", tag);
	}
	rec_start(m);
	phase(m, -1, mig, NSTEPS(mig));
	CHECK(mmuspec_device(m, 1)->nr_dpte == 0,
	      "%s [migrate] migrate: the owner skipped the range and dropped its mapping at finalize",
	      tag);
	i = rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE);
	while (i >= 0 && rec.ev[i].old != MMU_NOTIFY_MIGRATE)
		i = rec_find((unsigned int)i + 1, MMUSPEC_EV_MN_CALL,
			     MMUSPEC_MN_START_CORE);
	CHECK(i >= 0 && (int64_t)rec.ev[i].arg == 1,
	      "%s [migrate] migrate: MMU_NOTIFY_MIGRATE with owner device 1", tag);
	before = rec.ev[find_pte_write(0, 0x12000, 0)].old >> _PAGE_PFN_SHIFT;
	CHECK((pte_at(m, 1, 0x12000) >> _PAGE_PFN_SHIFT) != before &&
		      find_free(before) > 0,
	      "%s [migrate] migrate: new page mapped, old page freed", tag);
	CHECK(mmuspec_page(m, pte_at(m, 1, 0x12000) >> _PAGE_PFN_SHIFT)->data ==
		      8,
	      "%s [migrate] migrate: content copied", tag);

	rec_start(m);
	phase(m, 1, excl, NSTEPS(excl));
	i = rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE);
	while (i >= 0 && rec.ev[i].old != MMU_NOTIFY_EXCLUSIVE)
		i = rec_find((unsigned int)i + 1, MMUSPEC_EV_MN_CALL,
			     MMUSPEC_MN_START_CORE);
	CHECK(i >= 0 && (int64_t)rec.ev[i].arg == 1,
	      "%s [make-device-exclusive] exclusive: MMU_NOTIFY_EXCLUSIVE with the owner (MN-OWNER)",
	      tag);
	CHECK(is_device_exclusive_entry(__pte(pte_at(m, 1, 0x13000))),
	      "%s [make-device-exclusive] exclusive: device-exclusive entry installed", tag);
	rec_start(m);
	phase(m, -1, cpu_read, NSTEPS(cpu_read));
	i = rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE);
	if (P >= MMUSPEC_V6_15)
		CHECK(i >= 0 && rec.ev[i].old == MMU_NOTIFY_CLEAR &&
			      (int64_t)rec.ev[i].arg == -1,
		      "%s [exclusive-restore] exclusive: CPU fault restores with MMU_NOTIFY_CLEAR, no owner",
		      tag);
	else
		CHECK(i >= 0 && rec.ev[i].old == MMU_NOTIFY_EXCLUSIVE &&
			      (int64_t)rec.ev[i].arg == -1,
		      "%s [exclusive-restore] exclusive: CPU fault restores with EXCLUSIVE, no owner",
		      tag);
	CHECK(pte_at(m, 1, 0x13000) & _PAGE_PRESENT,
	      "%s [exclusive-restore] exclusive: PTE restored", tag);
	mmuspec_machine_destroy(m);
}

/* A KVM-like subscription that answers the young ops: "young". */
static struct mmu_notifier Y;

static int y_clear(struct mmu_notifier *mn, struct mm_struct *mm,
		   unsigned long start, unsigned long end)
{
	return 1;
}

static int y_test(struct mmu_notifier *mn, struct mm_struct *mm,
		  unsigned long address)
{
	return 1;
}

static const struct mmu_notifier_ops y_ops = {
	.clear_flush_young = y_clear,
	.clear_young = y_clear,
	.test_young = y_test,
};

static void test_reclaim_young_exit(void)
{
	struct mmuspec_machine *m = setup(MMUSPEC_DEV_ATS, 0);
	static const struct mmuspec_step body[] = {
		S1(user_read, 0x10000),
		S1(ptep_clear_flush_young_notify, 0x10000),
		S1(ptep_clear_young_notify, 0x11000),
		S1(mmu_notifier_test_young, 0x11000),
		S1(shrink_folio_list, 0x10000),
	};
	static const struct mmuspec_step bye[] = { S0(exit_mmap) };
	static const struct mmuspec_step dev_read[] = { S1(dev_read, 0x11000) };
	unsigned long pfn;
	int flushb, fr, rel, b, e, i, w, f;

	mmuspec_map(m, 1, 0x10000, 2, VM_READ | VM_WRITE, true);
	pfn = pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT;
	memset(&Y, 0, sizeof(Y));
	Y.ops = &y_ops;
	mmu_notifier_register(&Y, mmuspec_mm(m, 1));
	rec_start(m);
	phase(m, -1, body, NSTEPS(body));
	flushb = rec_find(0, MMUSPEC_EV_FLUSH_END, MMUSPEC_FLUSH_BATCH);
	fr = find_free(pfn);
	CHECK(flushb >= 0 && fr > flushb,
	      "%s [shrink-folio-list] reclaim: the page is freed after the batched flush", tag);
	if (A == MMUSPEC_ARM64)
		CHECK(rec_find(0, MMUSPEC_EV_FLUSH_BEGIN,
			       MMUSPEC_FLUSH_PAGE_NOSYNC) >= 0,
		      "%s [clear-flush-young] young: arm64 clear_flush_young flushes", tag);
	else
		CHECK(rec_find(0, MMUSPEC_EV_FLUSH_BEGIN,
			       MMUSPEC_FLUSH_PAGE_NOSYNC) < 0,
		      "%s [clear-flush-young] young: x86 clear_flush_young does not flush", tag);
	step_span(MMUSPEC_STEP_ptep_clear_flush_young_notify, &b, &e);
	i = rec_find((unsigned int)b, MMUSPEC_EV_MN_CALL,
		     MMUSPEC_MN_CLEAR_FLUSH_YOUNG);
	CHECK(b >= 0 && i > b && i < e && rec.ev[i].addr == 0x10000,
	      "%s [clear-flush-young] young: ->clear_flush_young called for the page",
	      tag);
	step_span(MMUSPEC_STEP_ptep_clear_young_notify, &b, &e);
	i = rec_find((unsigned int)b, MMUSPEC_EV_MN_CALL,
		     MMUSPEC_MN_CLEAR_YOUNG);
	w = find_pte_write((unsigned int)b, 0x11000, 1);
	CHECK(b >= 0 && i > b && i < e && rec.ev[i].addr == 0x11000,
	      "%s [clear-young] young: ->clear_young called for the page", tag);
	CHECK(w > b && w < e && (rec.ev[w].old & _PAGE_ACCESSED) &&
		      !(rec.ev[w].new & _PAGE_ACCESSED),
	      "%s [clear-young] young: the PTE's young bit cleared", tag);
	f = rec_find((unsigned int)b, MMUSPEC_EV_FLUSH_BEGIN, -1);
	CHECK(f < 0 || f > e, "%s [clear-young] young: no TLB flush", tag);
	step_span(MMUSPEC_STEP_mmu_notifier_test_young, &b, &e);
	i = rec_find((unsigned int)b, MMUSPEC_EV_MN_CALL,
		     MMUSPEC_MN_TEST_YOUNG);
	w = rec_find((unsigned int)b, MMUSPEC_EV_PTE_WRITE, -1);
	f = rec_find((unsigned int)b, MMUSPEC_EV_FLUSH_BEGIN, -1);
	CHECK(b >= 0 && i > b && i < e && rec.ev[i].addr == 0x11000,
	      "%s [test-young] young: ->test_young called for the page", tag);
	CHECK((w < 0 || w > e) && (f < 0 || f > e),
	      "%s [test-young] young: no PTE write and no flush", tag);
	rec_start(m);
	phase(m, -1, bye, NSTEPS(bye));
	rel = rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_RELEASE);
	fr = rec_find(0, MMUSPEC_EV_PAGE_FREE, -1);
	CHECK(rel >= 0 && fr > rel,
	      "%s [exit-mmap] exit_mmap: ->release before any page is freed (MN-RELEASE)",
	      tag);
	rec_start(m);
	phase(m, 0, dev_read, NSTEPS(dev_read));
	CHECK(rec_find(0, MMUSPEC_EV_ACCESS, -1) >= 0 &&
		      rec.ev[rec_find(0, MMUSPEC_EV_ACCESS, -1)].ret ==
			      MMUSPEC_ACC_BLOCKED,
	      "%s [exit-mmap] exit_mmap: the released SVA device translates nothing", tag);
	mmuspec_machine_destroy(m);
}

/*
 * Two more hlist subscriptions for the OOM reaper: K counts the ranges in
 * progress, as KVM does; N cannot invalidate without sleeping and so fails
 * every non-blockable start, and implements no end (c2655835fd8c forbids a
 * notifier that can fail its start to implement one).
 */
struct reap_sub {
	struct mmu_notifier mn;
	int in_progress, fail_nonblock;
};

static struct reap_sub K, N;

static int reap_start(struct mmu_notifier *mn,
		      const struct mmu_notifier_range *range)
{
	struct reap_sub *r = mn == &K.mn ? &K : &N;

	if (r->fail_nonblock && !mmu_notifier_range_blockable(range))
		return -EAGAIN;
	r->in_progress++;
	return 0;
}

static void reap_end(struct mmu_notifier *mn,
		     const struct mmu_notifier_range *range)
{
	(mn == &K.mn ? &K : &N)->in_progress--;
}

static const struct mmu_notifier_ops k_ops = {
	.invalidate_range_start = reap_start,
	.invalidate_range_end = reap_end,
};

static const struct mmu_notifier_ops n_ops = {
	.invalidate_range_start = reap_start,
};

/* The reaper zapped the first VMA: the PTE is cleared, then ended, freed. */
static void check_reaped(struct mmuspec_machine *m, int st, unsigned long pfn)
{
	int wr = find_pte_write((unsigned int)st, 0x10000, 0);
	int end = rec_find((unsigned int)st, MMUSPEC_EV_MN_CALL,
			   MMUSPEC_MN_END_CORE);
	int fr = find_free(pfn);

	CHECK(rec.ev[rec_find((unsigned int)st, MMUSPEC_EV_MN_RETURN,
			      MMUSPEC_MN_START_NONBLOCK_CORE)]
			      .ret == 0,
	      "%s [oom-reap] oom_reap: the non-blocking start succeeds", tag);
	CHECK(wr > st && end > wr && fr > end,
	      "%s [oom-reap] oom_reap: PTE cleared inside the range, range ended, page freed after",
	      tag);
	CHECK(rec_count(MMUSPEC_EV_MN_CALL, MMUSPEC_MN_END_CORE) == 2 &&
		      !(pte_at(m, 1, 0x10000) & _PAGE_PRESENT) &&
		      !(pte_at(m, 1, 0x11000) & _PAGE_PRESENT) &&
		      !(pte_at(m, 1, 0x20000) & _PAGE_PRESENT),
	      "%s [oom-reap] oom_reap: both VMAs reaped, each range ended once", tag);
	CHECK(K.in_progress == 0, "%s [oom-reap] oom_reap: K's count is back to 0", tag);
}

/* The first VMA's start failed: nothing in it changed, nothing ended. */
static void check_skipped(struct mmuspec_machine *m, int st, unsigned long pfn,
			  bool bug)
{
	CHECK(rec.ev[rec_find((unsigned int)st, MMUSPEC_EV_MN_RETURN,
			      MMUSPEC_MN_START_NONBLOCK_CORE)]
			      .ret == -EAGAIN,
	      "%s [oom-reap] oom_reap: N fails the non-blocking start with -EAGAIN", tag);
	CHECK(find_pte_write(0, 0x10000, 0) < 0 && find_free(pfn) < 0 &&
		      (pte_at(m, 1, 0x10000) & _PAGE_PRESENT) &&
		      (pte_at(m, 1, 0x20000) & _PAGE_PRESENT),
	      "%s [oom-reap] oom_reap: a VMA whose start failed is left alone", tag);
	CHECK(rec_count(MMUSPEC_EV_MN_CALL, MMUSPEC_MN_END_CORE) == 0 &&
		      rec_count(MMUSPEC_EV_FLUSH_BEGIN, -1) == 0,
	      "%s [oom-reap] oom_reap: no range end and no flush after a failed start",
	      tag);
	if (bug)
		CHECK(K.in_progress == 2,
		      "%s [oom-reap] oom_reap, bug nonblock-end-after-fail: K's starts are never ended",
		      tag);
	else
		CHECK(K.in_progress == 0,
		      "%s [oom-reap] oom_reap: the core ends K's successful starts (c2655835fd8c)",
		      tag);
}

/* __oom_reap_task_mm(): per VMA, a non-blocking range, skipped on -EAGAIN. */
static void test_oom_reap(bool fail, uint64_t bugs)
{
	struct mmuspec_machine *m = setup(MMUSPEC_DEV_ATS, bugs);
	static const struct mmuspec_step reap[] = { S0(oom_reap_task_mm) };
	struct mm_struct *mm = mmuspec_mm(m, 1);
	unsigned long pfn;
	int st;

	memset(&K, 0, sizeof(K));
	memset(&N, 0, sizeof(N));
	K.mn.ops = &k_ops;
	N.mn.ops = &n_ops;
	N.fail_nonblock = fail;
	/* Newest first: K is called before N. */
	mmu_notifier_register(&N.mn, mm);
	mmu_notifier_register(&K.mn, mm);
	mmuspec_map(m, 1, 0x10000, 2, VM_READ | VM_WRITE, true);
	mmuspec_map(m, 1, 0x20000, 1, VM_READ, true);
	pfn = pte_at(m, 1, 0x10000) >> _PAGE_PFN_SHIFT;
	rec_start(m);
	CHECK(phase(m, -1, reap, NSTEPS(reap)) == MMUSPEC_RUN_OK,
	      "%s [oom-reap] oom_reap: run", tag);
	st = rec_find(0, MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_NONBLOCK_CORE);
	CHECK(st >= 0 && rec.ev[st].addr == 0x10000 &&
		      rec.ev[st].end == 0x12000 &&
		      rec.ev[st].old == MMU_NOTIFY_CLEAR &&
		      rec_count(MMUSPEC_EV_MN_CALL,
				MMUSPEC_MN_START_NONBLOCK_CORE) == 2 &&
		      rec_count(MMUSPEC_EV_MN_CALL, MMUSPEC_MN_START_CORE) == 0,
	      "%s [oom-reap] oom_reap: one non-blocking MMU_NOTIFY_CLEAR range per VMA",
	      tag);
	if (st >= 0 && fail)
		check_skipped(m, st, pfn,
			      bugs & 1ULL << MMUSPEC_BUG_NONBLOCK_END_AFTER_FAIL);
	else if (st >= 0)
		check_reaped(m, st, pfn);
	CHECK(rec_count(MMUSPEC_EV_WARN, -1) == 0, "%s [oom-reap] oom_reap: no warnings",
	      tag);
	mmuspec_machine_destroy(m);
}

/*
 * Kernel PTE writes of events [@b, @e): every one inside a lazy MMU region
 * (arch enter .. arch leave)? *nw: how many, *leave: the last arch leave.
 */
static bool kernel_writes_lazy(int b, int e, int *nw, int *leave)
{
	int depth = 0;
	bool ok = true;

	*nw = 0;
	*leave = -1;
	for (int i = b; b >= 0 && i < e; i++) {
		const struct mmuspec_event *ev = &rec.ev[i];

		if (ev->type == MMUSPEC_EV_LAZY &&
		    ev->sub == MMUSPEC_LAZY_ARCH_ENTER)
			depth++;
		if (ev->type == MMUSPEC_EV_LAZY &&
		    ev->sub == MMUSPEC_LAZY_ARCH_LEAVE) {
			depth--;
			*leave = i;
		}
		if (ev->type == MMUSPEC_EV_PTE_WRITE && ev->level == 0 &&
		    ev->mm == 0) {
			(*nw)++;
			ok &= depth > 0;
		}
	}
	return ok && *nw > 0;
}

/* Events of type @type (and @sub unless -1) in [@b, @e). */
static int count_in(int b, int e, int type, int sub)
{
	int n = 0;

	for (int i = b; b >= 0 && i < e; i++)
		n += rec.ev[i].type == type && (sub < 0 || rec.ev[i].sub == sub);
	return n;
}

/* A mapping step: its writes in lazy mode, arm64's deferred barriers. */
static void check_kernel_map(const char *id, int b, int e)
{
	bool deferred = A == MMUSPEC_ARM64 && P >= MMUSPEC_V6_15;
	int nw, leave, bar;

	CHECK(kernel_writes_lazy(b, e, &nw, &leave) && nw == 2,
	      "%s [%s] the two kernel PTEs are written in a lazy MMU region",
	      tag, id);
	CHECK(count_in(b, e, MMUSPEC_EV_FLUSH_BEGIN, -1) == 0,
	      "%s [%s] mapping needs no TLB flush", tag, id);
	bar = rec_find((unsigned int)b, MMUSPEC_EV_BARRIER, -1);
	if (deferred)
		CHECK(count_in(b, e, MMUSPEC_EV_BARRIER_DEFER, -1) == 2 &&
			      bar > b && bar < leave,
		      "%s [%s] arm64 defers the barriers to one before leaving (5fdd05efa1cd)",
		      tag, id);
	else
		CHECK(count_in(b, e, MMUSPEC_EV_BARRIER_DEFER, -1) == 0,
		      "%s [%s] no deferred barrier", tag, id);
	CHECK(!count_in(b, e, MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ENABLE) ==
		      (P != MMUSPEC_V7_0),
	      "%s [%s] %s", tag, id,
	      P == MMUSPEC_V7_0 ? "lazy_mmu_mode_enable() (v7.0 API)" :
				  "the arch hooks only (no v7.0 API)");
}

/* An unmapping step: clears in lazy mode, then the flush, then the frees. */
static void check_kernel_unmap(const char *id, int b, int e)
{
	int nw, leave, fb, fe, fr;

	CHECK(kernel_writes_lazy(b, e, &nw, &leave) && nw == 2,
	      "%s [%s] the two kernel PTEs are cleared in a lazy MMU region",
	      tag, id);
	fb = rec_find((unsigned int)b, MMUSPEC_EV_FLUSH_BEGIN,
		      MMUSPEC_FLUSH_KERNEL);
	fe = rec_find((unsigned int)b, MMUSPEC_EV_FLUSH_END,
		      MMUSPEC_FLUSH_KERNEL);
	fr = rec_find((unsigned int)b, MMUSPEC_EV_PAGE_FREE, -1);
	CHECK(leave > 0 && fb > leave && fe > fb && fe < e,
	      "%s [%s] flush_tlb_kernel_range() after leaving lazy mode", tag,
	      id);
	CHECK(fr > fe && fr < e &&
		      count_in(b, e, MMUSPEC_EV_PAGE_FREE, -1) == 2,
	      "%s [%s] both pages freed after the flush", tag, id);
}

/* kmap_local_page(): the PTE is in place before the write through it. */
static void check_kmap(int b, int e)
{
	int wr = rec_find((unsigned int)b, MMUSPEC_EV_PTE_WRITE, -1);
	int acc = rec_find((unsigned int)b, MMUSPEC_EV_ACCESS, -1);
	int pause = rec_find((unsigned int)b, MMUSPEC_EV_LAZY,
			     MMUSPEC_LAZY_PAUSE);
	int resume = rec_find((unsigned int)b, MMUSPEC_EV_LAZY,
			      MMUSPEC_LAZY_RESUME);
	int enter = rec_find((unsigned int)b, MMUSPEC_EV_LAZY,
			     MMUSPEC_LAZY_ARCH_ENTER);
	int fb = rec_find((unsigned int)b, MMUSPEC_EV_FLUSH_BEGIN,
			  MMUSPEC_FLUSH_KERNEL);

	CHECK(wr > b && acc > wr && acc < e &&
		      rec.ev[acc].ret == MMUSPEC_ACC_OK &&
		      (rec.ev[wr].new & _PAGE_PRESENT),
	      "%s [kmap-local] the kernel PTE is written, then the write through it succeeds",
	      tag);
	if (P == MMUSPEC_V7_0)
		CHECK(pause > b && pause < wr && resume > acc && resume < e,
		      "%s [kmap-local] v7.0 pauses lazy mode around the mapping",
		      tag);
	else
		CHECK((pause < 0 || pause > e) && (resume < 0 || resume > e),
		      "%s [kmap-local] no lazy-mode pause before v7.0", tag);
	if (P < MMUSPEC_V6_15)
		CHECK(enter > b && enter < wr,
		      "%s [kmap-local] set_ptes() enters lazy mode itself before v6.15",
		      tag);
	else
		CHECK(enter < 0 || enter > e,
		      "%s [kmap-local] set_ptes() does not enter lazy mode from v6.15",
		      tag);
	CHECK(fb > acc && fb < e && rec_find((unsigned int)fb,
					     MMUSPEC_EV_PAGE_FREE, -1) > fb,
	      "%s [kmap-local] unmapped, flushed, then freed", tag);
}

static void test_kernel_mappings(void)
{
	struct mmuspec_machine *m = setup(0, 0);
	const long k = (long)MMUSPEC_KERNEL_BASE;
	const struct mmuspec_step body[] = {
		S2(vmalloc, k, 2),
		S2(user_write, k + 0x1000, 3),
		S2(vunmap_range, k, 2),
		S3(apply_to_page_range, k + 0x10000, 2, 1),
		S3(apply_to_page_range, k + 0x10000, 2, 0),
		S2(kmap_local_page, k + 0x20000, 7),
		S2(pagemap_scan_pmd_entry, 0x10000, 4),
	};
	int leave, fl, b, e, b2, e2;

	mmuspec_map(m, 1, 0x10000, 4, VM_READ | VM_WRITE, true);
	rec_start(m);
	CHECK(phase(m, -1, body, NSTEPS(body)) == MMUSPEC_RUN_OK, "%s run", tag);
	CHECK(rec_count(MMUSPEC_EV_WARN, -1) == 0, "%s kernel: no warnings", tag);
	step_span(MMUSPEC_STEP_vmalloc, &b, &e);
	CHECK(b >= 0 && count_in(b, rec_find((unsigned int)b, MMUSPEC_EV_LAZY,
					       MMUSPEC_LAZY_ARCH_ENTER),
				 MMUSPEC_EV_PAGE_ALLOC, -1) == 2,
	      "%s [vmalloc] both pages allocated before the lazy region", tag);
	check_kernel_map("vmalloc", b, e);
	step_span(MMUSPEC_STEP_vunmap_range, &b, &e);
	check_kernel_unmap("vunmap", b, e);
	step_span(MMUSPEC_STEP_apply_to_page_range, &b, &e);
	CHECK(b >= 0 && count_in(b, rec_find((unsigned int)b, MMUSPEC_EV_LAZY,
					       MMUSPEC_LAZY_ARCH_ENTER),
				 MMUSPEC_EV_PAGE_ALLOC, -1) == 2,
	      "%s [apply-to-page-range] shadow pages allocated before the lazy region (b6ea95a34cbd)",
	      tag);
	check_kernel_map("apply-to-page-range", b, e);
	step_span_from((unsigned int)e, MMUSPEC_STEP_apply_to_page_range, &b2,
		       &e2);
	check_kernel_unmap("apply-to-page-range", b2, e2);
	step_span(MMUSPEC_STEP_kmap_local_page, &b, &e);
	check_kmap(b, e);
	/* pagemap_scan: the flush comes after the lazy region ends. */
	fl = rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, MMUSPEC_FLUSH_RANGE);
	leave = -1;
	for (int i = rec_find(0, MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_LEAVE);
	     i >= 0 && i < fl;
	     i = rec_find((unsigned int)i + 1, MMUSPEC_EV_LAZY,
			  MMUSPEC_LAZY_ARCH_LEAVE))
		leave = i;
	CHECK(fl > 0 && leave > rec_find(0, MMUSPEC_EV_PTE_WRITE, -1) &&
		      leave < fl,
	      "%s [pagemap-scan] pagemap_scan: lazy mode left before the TLB flush",
	      tag);
	mmuspec_machine_destroy(m);
}

/*
 * Reclaim's batched unmap leaves a flush pending; mprotect() must do it
 * under the PTL before changing a PTE (flush_tlb_batched_pending(),
 * 3ea277194daa). @bug: MMUSPEC_BUG_NO_BATCHED_PENDING.
 */
static void test_batched_pending(bool bug)
{
	struct mmuspec_machine *m =
		setup(MMUSPEC_DEV_ATS,
		      bug ? 1ULL << MMUSPEC_BUG_NO_BATCHED_PENDING : 0);
	static const struct mmuspec_step body[] = {
		S2(try_to_unmap, 0x10000, 1),
		S3(mprotect, 0x11000, 1, 1),
		S0(try_to_unmap_flush),
	};
	int add, b, e, fb, fe, wr, sec;

	mmuspec_map(m, 1, 0x10000, 2, VM_READ | VM_WRITE, true);
	rec_start(m);
	CHECK(phase(m, -1, body, NSTEPS(body)) == MMUSPEC_RUN_OK, "%s run", tag);
	add = rec_find(0, MMUSPEC_EV_FLUSH_BEGIN, MMUSPEC_FLUSH_BATCH_ADD);
	step_span(MMUSPEC_STEP_mprotect, &b, &e);
	CHECK(add >= 0 && add < b &&
		      count_in(0, b, MMUSPEC_EV_FLUSH_BEGIN, MMUSPEC_FLUSH_MM) ==
			      0,
	      "%s [flush-tlb-batched-pending] try_to_unmap() only adds the page to the batch",
	      tag);
	fb = rec_find((unsigned int)b, MMUSPEC_EV_FLUSH_BEGIN,
		      MMUSPEC_FLUSH_MM);
	fe = rec_find((unsigned int)b, MMUSPEC_EV_FLUSH_END, MMUSPEC_FLUSH_MM);
	wr = find_pte_write((unsigned int)b, 0x11000, 1);
	sec = rec_find_secondary((unsigned int)b, 0x10000);
	if (bug) {
		CHECK(fb < 0 || fb > e,
		      "%s [flush-tlb-batched-pending] bug no-batched-pending: mprotect does not flush the pending batch",
		      tag);
		mmuspec_machine_destroy(m);
		return;
	}
	CHECK(fb > b && fe > fb && wr > fe && wr < e,
	      "%s [flush-tlb-batched-pending] mprotect flushes the mm before changing a PTE",
	      tag);
	if (P == MMUSPEC_V6_5)
		CHECK(sec < 0 || sec > fe,
		      "%s [flush-tlb-batched-pending] v6.5: that flush does not reach secondary TLBs",
		      tag);
	else
		CHECK(sec > fb && sec < fe,
		      "%s [flush-tlb-batched-pending] the flush invalidates secondary TLBs (6bbd42e2df8f)",
		      tag);
	mmuspec_machine_destroy(m);
}

int main(void)
{
	for (int p = 0; p < MMUSPEC_NR_PROFILES; p++) {
		for (int a = 0; a < MMUSPEC_NR_ARCHES; a++) {
			P = p;
			A = a;
			test_upgrade(MMUSPEC_DEV_ATS);
			test_upgrade(MMUSPEC_DEV_BTM);
			test_upgrade(MMUSPEC_DEV_ATS | MMUSPEC_DEV_BTM);
			test_cow(0);
			test_cow(1ULL << MMUSPEC_BUG_COW_DELAYED_SECONDARY);
			test_munmap();
			test_madvise();
			test_mprotect_zero_huge();
			test_split_window(false);
			test_split_window(true);
			test_ksm_migrate_exclusive();
			test_reclaim_young_exit();
			test_oom_reap(false, 0);
			test_oom_reap(true, 0);
			test_oom_reap(true,
				      1ULL << MMUSPEC_BUG_NONBLOCK_END_AFTER_FAIL);
			test_kernel_mappings();
			test_batched_pending(false);
			test_batched_pending(true);
		}
	}
	return unit_exit();
}
