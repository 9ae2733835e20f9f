// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Soundness smoke test of the correct model: random scenarios made only of
 * kernel procedures, accesses and the reference drivers, under random
 * schedules, on every profile and architecture, with two concrete checks
 * made from the model's state when events happen:
 *  - TLB-FREE: when a page is freed, no CPU TLB, IOTLB, ATC or mirror
 *    device page table maps it;
 *  - TLB-STALE (concrete): when an arch flush returns, no CPU TLB holds an
 *    entry of its range that points elsewhere than, or is more permissive
 *    than, the page table, unless the PTE changed after the flush began.
 * This is not the oracle (chapter 10), which reasons over every translation
 * a TLB may hold; it catches the model's own mistakes early.
 */
#include "../unit.h"
#include "../model.h"

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static struct mmuspec_machine *M;
static uint32_t lastw[4096], flush_begin[MMUSPEC_MAX_THREADS + 1];
static void check_device(struct mmuspec_machine *m,
			 const struct mmuspec_event *ev);

static unsigned int wkey(int mm, unsigned long addr)
{
	return ((unsigned int)mm * 131u + (unsigned int)(addr >> 12)) & 4095u;
}
static int free_violation, stale_violation;
static char why[256];

static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static int tlb_maps(const struct mmuspec_tlb *tlb, unsigned long pfn)
{
	for (int i = 0; i < MMUSPEC_TLB_ENTRIES; i++) {
		const struct mmuspec_tlb_entry *e = &tlb->e[i];
		unsigned long base = e->pte >> _PAGE_PFN_SHIFT;

		if (e->valid && pfn >= base &&
		    pfn < base + (e->level ? PTRS_PER_PTE : 1))
			return 1;
	}
	return 0;
}

static uint32_t sec_begin[MMUSPEC_MAX_THREADS + 1];

/*
 * x86 TLB-LAZY: CPU @c does not run @mmid (lazy, or switched away) and owes
 * it a flush it will do when it runs it again: its entries of @mmid are
 * dormant, not stale.
 */
static int deferred(struct mmuspec_machine *m, unsigned int c, int mmid)
{
	const struct mmuspec_cpu *cpu = &m->s.cpu[c];

	return m->cfg.arch == MMUSPEC_X86_64 && mmid > 0 &&
	       (cpu->loaded_mm != mmid || cpu->is_lazy) &&
	       cpu->ctx_gen[mmid] != mmuspec_mm(m, mmid)->tlb_gen;
}

/* Does CPU @c's TLB map @pfn through an entry that is not dormant? */
static int cpu_maps(struct mmuspec_machine *m, unsigned int c,
		    unsigned long pfn)
{
	const struct mmuspec_tlb *tlb = &m->s.cpu[c].tlb;

	for (int i = 0; i < MMUSPEC_TLB_ENTRIES; i++) {
		const struct mmuspec_tlb_entry *e = &tlb->e[i];
		struct mmuspec_tlb one = { .e = { *e } };

		if (e->valid && !deferred(m, c, e->mm) && tlb_maps(&one, pfn))
			return 1;
	}
	return 0;
}

/* Is the cached @e stale against the table entry @cur (level @level)? */
static int stale(const struct mmuspec_tlb_entry *e, pteval_t cur, int level)
{
	unsigned long want = (unsigned long)(cur >> _PAGE_PFN_SHIFT);

	if (!(cur & _PAGE_PRESENT))
		return 1;
	if (level && !e->level)
		want += (e->va & ~PMD_MASK) >> PAGE_SHIFT;
	return want != (unsigned long)(e->pte >> _PAGE_PFN_SHIFT) ||
	       ((e->pte & _PAGE_RW) && !(cur & _PAGE_RW));
}

/* The SVA device after its secondary-TLB callback returned. */
static void check_device(struct mmuspec_machine *m,
			 const struct mmuspec_event *ev)
{
	struct mmuspec_device *d = &m->devs[0];
	const struct mmuspec_tlb *tlbs[2] = { &d->iotlb, &d->atc };
	struct mm_struct *mm = mmuspec_mm(m, d->mm);

	for (int k = 0; k < 2; k++) {
		/* A BTM IOTLB belongs to the CPU flushes (TLB-STALE). */
		if (!k && d->flags & MMUSPEC_DEV_BTM &&
		    m->cfg.arch == MMUSPEC_ARM64)
			continue;
		for (int i = 0; i < MMUSPEC_TLB_ENTRIES; i++) {
			const struct mmuspec_tlb_entry *e = &tlbs[k]->e[i];
			unsigned long sz = e->level ? PMD_SIZE : PAGE_SIZE;
			int level;
			pteval_t *p, cur;

			if (!e->valid ||
			    (!(ev->addr == 0 && ev->end == ~0ULL) &&
			     (e->va >= ev->end || e->va + sz <= ev->addr)))
				continue;
			if (lastw[wkey(d->mm, e->va)] > sec_begin[ev->thread + 1])
				continue;
			p = mmuspec_lookup_pte(mm, e->va, &level);
			cur = p ? *p : 0;
			if (stale(e, cur, level) && !stale_violation++)
				snprintf(why, sizeof(why),
					 "device %s keeps %#lx -> %#llx after its invalidation (PTE now %#llx)",
					 k ? "ATC" : "IOTLB", (unsigned long)e->va,
					 (unsigned long long)e->pte,
					 (unsigned long long)cur);
		}
	}
}

static struct mmuspec_event tr[100000];
static unsigned int ntr;

static void check(const struct mmuspec_event *ev, void *ctx)
{
	struct mmuspec_machine *m = M;

	if (ntr < 100000)
		tr[ntr++] = *ev;

	if (ev->type == MMUSPEC_EV_PTE_WRITE)
		lastw[wkey(ev->mm, ev->addr)] = ev->seq;
	if (ev->type == MMUSPEC_EV_FLUSH_BEGIN)
		flush_begin[ev->thread + 1] = ev->seq;
	if (ev->type == MMUSPEC_EV_MN_CALL &&
	    ev->sub == MMUSPEC_MN_ARCH_INVALIDATE_SECONDARY_TLBS)
		sec_begin[ev->thread + 1] = ev->seq;
	if (ev->type == MMUSPEC_EV_MN_RETURN &&
	    ev->sub == MMUSPEC_MN_ARCH_INVALIDATE_SECONDARY_TLBS &&
	    ev->obj == &m->devs[0].mn && m->devs[0].enabled)
		check_device(m, ev);
	if (ev->type == MMUSPEC_EV_PAGE_FREE) {
		unsigned long pfn = ev->arg;

		for (unsigned int c = 0; c < m->cfg.nr_cpus; c++)
			if (cpu_maps(m, c, pfn) && !free_violation++)
				snprintf(why, sizeof(why),
					 "page %lu freed while CPU %u's TLB maps it",
					 pfn, c);
		for (unsigned int d = 0; d < m->cfg.nr_devices; d++) {
			struct mmuspec_device *dv = &m->devs[d];

			if ((tlb_maps(&dv->iotlb, pfn) || tlb_maps(&dv->atc, pfn)) &&
			    !free_violation++)
				snprintf(why, sizeof(why),
					 "page %lu freed while device %u's TLB maps it",
					 pfn, d);
			for (unsigned int i = 0; i < dv->nr_dpte; i++)
				if ((dv->dpt[i].pte >> _PAGE_PFN_SHIFT) == pfn &&
				    !free_violation++)
					snprintf(why, sizeof(why),
						 "page %lu freed while device %u's page table maps it",
						 pfn, d);
		}
	}
	if (ev->type == MMUSPEC_EV_FLUSH_END && ev->mm > 0 &&
	    ev->sub != MMUSPEC_FLUSH_BATCH_ADD &&
	    ev->sub != MMUSPEC_FLUSH_PAGE_NOSYNC) {
		struct mm_struct *mm = mmuspec_mm(m, ev->mm);

		for (unsigned int c = 0; c < m->cfg.nr_cpus; c++) {
			if (deferred(m, c, ev->mm))
				continue; /* flushes when it runs the mm again */
			for (int i = 0; i < MMUSPEC_TLB_ENTRIES; i++) {
				const struct mmuspec_tlb_entry *e =
					&m->s.cpu[c].tlb.e[i];
				int level;
				pteval_t *p, cur;

				if (!e->valid || e->mm != ev->mm ||
				    e->va >= ev->end ||
				    e->va + (e->level ? PMD_SIZE : PAGE_SIZE) <=
					    ev->addr)
					continue;
				p = mmuspec_lookup_pte(mm, e->va, &level);
				cur = p ? *p : 0;
				/* Changed after the flush began: not its job. */
				if (lastw[wkey(ev->mm, e->va)] > flush_begin[ev->thread + 1])
					continue;
				if (stale(e, cur, level)) {
					if (!stale_violation++)
						snprintf(why, sizeof(why),
							 "CPU %u keeps %#lx -> %#llx after a flush (PTE now %#llx)",
							 c, (unsigned long)e->va,
							 (unsigned long long)e->pte,
							 (unsigned long long)cur);
				}
			}
		}
	}
}

#define A0 0x10000L
#define H0 0x200000L

static int64_t addr(void)
{
	static const int64_t a[] = { A0, A0 + 0x1000, A0 + 0x2000, A0 + 0x3000,
				     H0, H0 + 0x1000 };
	return a[rnd() % 6];
}

static void gen_cpu(struct mmuspec_step *s, int n)
{
	for (int i = 0; i < n; i++) {
		struct mmuspec_step *st = &s[i];
		int64_t a = addr();

		memset(st, 0, sizeof(*st));
		switch (rnd() % 22) {
		case 0: case 1: case 2:
			*st = (struct mmuspec_step)S2(user_write, a, 1 + rnd() % 9);
			break;
		case 3: case 4:
			*st = (struct mmuspec_step)S1(user_read, a);
			break;
		case 5:
			*st = (struct mmuspec_step)S3(mprotect, a, 1,
						      rnd() % 2 ? 1 : 3);
			break;
		case 6:
			*st = (struct mmuspec_step)S2(madvise_dontneed, a, 1);
			break;
		case 7:
			*st = (struct mmuspec_step)S1(split_huge_pmd, H0);
			break;
		case 8:
			*st = (struct mmuspec_step)S1(dup_mmap, 2);
			break;
		case 9:
			*st = (struct mmuspec_step)S1(write_protect_page, a);
			break;
		case 10:
			*st = (struct mmuspec_step)S2(replace_page, a, addr());
			break;
		case 11:
			*st = (struct mmuspec_step)S3(migrate_vma, A0, 4,
						      (int64_t)(rnd() % 3) - 1);
			break;
		case 12:
			*st = (struct mmuspec_step)S2(make_device_exclusive, a,
						      (int64_t)(rnd() % 3) - 1);
			break;
		case 13:
			*st = (struct mmuspec_step)S2(try_to_unmap, a, 1);
			break;
		case 14:
			*st = (struct mmuspec_step)S0(try_to_unmap_flush);
			break;
		case 15:
			*st = (struct mmuspec_step)S1(shrink_folio_list, a);
			break;
		case 16:
			*st = (struct mmuspec_step)S1(ptep_clear_flush_young_notify,
						      a);
			break;
		case 17:
			*st = (struct mmuspec_step)S2(pagemap_scan_pmd_entry, A0, 4);
			break;
		case 18:
			*st = (struct mmuspec_step)S1(tlb_speculate, a);
			break;
		case 19:
			*st = (struct mmuspec_step)S2(munmap, a, 1);
			break;
		case 20:
			*st = (struct mmuspec_step)S3(mmap, a, 1, 3);
			break;
		default:
			*st = (struct mmuspec_step)S2(handle_mm_fault, a, rnd() % 2);
			break;
		}
	}
}

static const struct mmuspec_step mirror_loop[] = {
	/* 0 */ S0(mmu_interval_read_begin),
	/* 1 */ S2(hmm_range_fault, A0 + 0x1000, 0),
	/* 2 */ S1(jump_if_not, 11),
	/* 3 */ S1(mutex_lock, 1),
	/* 4 */ S0(mmu_interval_read_retry),
	/* 5 */ S1(jump_if, 9),
	/* 6 */ S2(dev_pte_install, A0 + 0x1000, 0),
	/* 7 */ S1(mutex_unlock, 1),
	/* 8 */ S1(jump, 11),
	/* 9 */ S1(mutex_unlock, 1),
	/* 10 */ S1(jump, 0),
	/* 11 */ S1(dev_read, A0 + 0x1000),
};

int main(void)
{
	static struct mmuspec_step t0[8], t1[8], sva[4];
	int iters = getenv("MMUSPEC_RANDOM_ITERS") ?
			    atoi(getenv("MMUSPEC_RANDOM_ITERS")) :
			    1200;
	int first_bad = -1;

	if (getenv("MMUSPEC_RANDOM_SEED"))
		rs += strtoull(getenv("MMUSPEC_RANDOM_SEED"), NULL, 0);

	for (int it = 0; it < iters && first_bad < 0; it++) {
		struct mmuspec_config cfg;
		struct mmuspec_random_chooser ch;

		mmuspec_config_default(&cfg, (enum mmuspec_profile)(it % 4),
				       (enum mmuspec_arch)((it / 4) % 2));
		cfg.lazy_backend = (enum mmuspec_lazy_backend)(rnd() % 5);
		cfg.nr_mms = 2;
		cfg.nr_devices = 2;
		cfg.dev[0] = (struct mmuspec_device_config){
			MMUSPEC_DEV_SVA,
			(unsigned int)(rnd() % 8) | MMUSPEC_DEV_BTM, 1, 0
		};
		cfg.dev[1] = (struct mmuspec_device_config){ MMUSPEC_DEV_MIRROR,
							     0, 1, 1 };
		M = mmuspec_machine_create(&cfg);
		memset(lastw, 0, sizeof(lastw));
		ntr = 0;
		mmuspec_set_hook(M, check, NULL);
		mmuspec_map(M, 1, A0, 4, VM_READ | VM_WRITE, true);
		if (rnd() % 2)
			mmuspec_map_huge(M, 1, H0, rnd() % 2, true);
		else
			mmuspec_map(M, 1, H0, 512,
				    VM_READ | VM_WRITE | VM_HUGEPAGE, false);
		gen_cpu(t0, 8);
		gen_cpu(t1, 8);
		for (int i = 0; i < 4; i++)
			sva[i] = rnd() % 2 ?
					 (struct mmuspec_step)S1(dev_read, addr()) :
					 (struct mmuspec_step)S2(dev_write, addr(),
								 3);
		mmuspec_set_hook(M, check, NULL);
		mmuspec_add_task(M, 0, 1, t0, 8);
		mmuspec_add_task(M, 1, 1, t1, 8);
		mmuspec_add_device_thread(M, 0, sva, 4);
		mmuspec_add_device_thread(M, 1, mirror_loop,
					  NSTEPS(mirror_loop));
		mmuspec_random_init(&ch, (uint64_t)it, 30);
		mmuspec_run(M, mmuspec_choose_random, &ch);
		if (free_violation || stale_violation) {
			first_bad = it;
			printf("# iteration %d (%s/%s backend %s): %s\n", it,
			       mmuspec_profile_name(cfg.profile),
			       mmuspec_arch_name(cfg.arch),
			       mmuspec_lazy_backend_name(cfg.lazy_backend),
			       why);
			if (getenv("MMUSPEC_DUMP")) {
				unsigned long a = strtoul(getenv("MMUSPEC_DUMP"), NULL, 0);

				for (unsigned int k = 0; k < ntr; k++) {
					char b[300];

					if (tr[k].addr > a || (tr[k].end && tr[k].end <= a) ||
					    (!tr[k].end && tr[k].addr != a)) {
						if (tr[k].type != MMUSPEC_EV_STEP_BEGIN &&
						    tr[k].type != MMUSPEC_EV_TASK_SWITCH)
							continue;
					}
					mmuspec_event_format(&tr[k], b, sizeof(b));
					printf("#   %s\n", b);
				}
			}
			for (int i = 0; i < 8; i++)
				printf("# t0 %s %lld %lld %lld | t1 %s %lld %lld %lld\n",
				       mmuspec_step_table[t0[i].op].name,
				       (long long)t0[i].arg[0],
				       (long long)t0[i].arg[1],
				       (long long)t0[i].arg[2],
				       mmuspec_step_table[t1[i].op].name,
				       (long long)t1[i].arg[0],
				       (long long)t1[i].arg[1],
				       (long long)t1[i].arg[2]);
		}
		mmuspec_machine_destroy(M);
	}
	CHECK(!free_violation,
	      "no page is freed while a TLB or device page table maps it");
	CHECK(!stale_violation,
	      "no CPU TLB keeps a stale or more permissive entry after a flush, nor the SVA device after its invalidation");
	return unit_exit();
}
