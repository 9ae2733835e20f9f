// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 07: lazy MMU mode per profile and backend.
 */
#include "../unit.h"
#include "../model.h"

static struct mmuspec_machine *lazy_machine(enum mmuspec_profile p,
					    enum mmuspec_arch a,
					    enum mmuspec_lazy_backend b)
{
	struct mmuspec_config cfg;

	mmuspec_config_default(&cfg, p, a);
	cfg.lazy_backend = b;
	return mmuspec_machine_create(&cfg);
}

/* The v7.0 transition table of the nesting series. */
static void test_v70_table(void)
{
	struct mmuspec_machine *m =
		lazy_machine(MMUSPEC_V7_0, MMUSPEC_ARM64, MMUSPEC_LAZY_DEFAULT);
	static const struct mmuspec_step body[] = {
		S0(lazy_mmu_mode_enable), S0(lazy_mmu_mode_enable),
		S0(lazy_mmu_mode_pause),  S0(lazy_mmu_mode_resume),
		S0(lazy_mmu_mode_disable), S0(lazy_mmu_mode_disable),
	};
	static const struct {
		int op, en, pa, eff;
	} want[] = {
		{ MMUSPEC_LAZY_ENABLE, 1, 0, 1 },  { MMUSPEC_LAZY_ENABLE, 2, 0, 0 },
		{ MMUSPEC_LAZY_PAUSE, 2, 1, 2 },   { MMUSPEC_LAZY_RESUME, 2, 0, 1 },
		{ MMUSPEC_LAZY_DISABLE, 1, 0, 3 }, { MMUSPEC_LAZY_DISABLE, 0, 0, 2 },
	};
	unsigned int k = 0;
	int ok = 1;

	rec_start(m);
	mmuspec_add_task(m, 0, 1, body, NSTEPS(body));
	mmuspec_run(m, NULL, NULL);
	for (unsigned int i = 0; i < rec.n; i++) {
		const struct mmuspec_event *e = &rec.ev[i];

		if (e->type != MMUSPEC_EV_LAZY || e->sub < MMUSPEC_LAZY_ENABLE)
			continue;
		if (k >= NSTEPS(want) || e->sub != want[k].op ||
		    e->old != (uint64_t)want[k].en ||
		    e->new != (uint64_t)want[k].pa || e->ret != want[k].eff)
			ok = 0;
		k++;
	}
	CHECK(ok && k == NSTEPS(want),
	      "v7.0: enable/enable/pause/resume/disable/disable follow the table");
	CHECK(rec_count(MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_ENTER) == 2 &&
		      rec_count(MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_LEAVE) == 2 &&
		      rec_count(MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_FLUSH) == 1,
	      "v7.0: hooks: enter x2, leave x2, flush x1");
	mmuspec_machine_destroy(m);
}

static int active_log[16], nactive;

static void kunit_body(struct mmuspec_machine *m, void *arg)
{
	/* mm/tests/lazy_mmu_mode_kunit.c, lazy_mmu_mode_active */
	lazy_mmu_mode_enable();
	active_log[nactive++] = is_lazy_mmu_mode_active();
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
	active_log[nactive++] = is_lazy_mmu_mode_active();
	lazy_mmu_mode_pause();
	active_log[nactive++] = is_lazy_mmu_mode_active();
	lazy_mmu_mode_enable();
	lazy_mmu_mode_pause();
	lazy_mmu_mode_resume();
	lazy_mmu_mode_disable();
	active_log[nactive++] = is_lazy_mmu_mode_active();
	lazy_mmu_mode_resume();
	active_log[nactive++] = is_lazy_mmu_mode_active();
	lazy_mmu_mode_disable();
	active_log[nactive++] = is_lazy_mmu_mode_active();
}

static void irq_body(struct mmuspec_machine *m, void *arg)
{
	lazy_mmu_mode_enable();
	active_log[nactive++] = is_lazy_mmu_mode_active();
	lazy_mmu_mode_disable();
}

static void test_kunit(void)
{
	struct mmuspec_machine *m =
		lazy_machine(MMUSPEC_V7_0, MMUSPEC_X86_64, MMUSPEC_LAZY_GENERIC);
	static const int want[] = { 1, 1, 0, 0, 1, 0 };

	nactive = 0;
	mmuspec_add_thread_fn(m, MMUSPEC_THREAD_TASK, 0, 1, kunit_body, NULL);
	CHECK(mmuspec_run(m, NULL, NULL) == MMUSPEC_RUN_OK, "kunit body runs");
	CHECK(nactive == 6 && !memcmp(active_log, want, sizeof(want)),
	      "v7.0: is_lazy_mmu_mode_active() as the KUnit test expects");
	mmuspec_reset(m);
	nactive = 0;
	rec_start(m);
	mmuspec_add_thread_fn(m, MMUSPEC_THREAD_IRQ, 0, 0, irq_body, NULL);
	mmuspec_run(m, NULL, NULL);
	CHECK(nactive == 1 && active_log[0] == 0 &&
		      rec_count(MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_ENTER) == 0,
	      "v7.0: the API does nothing in interrupt context");
	mmuspec_machine_destroy(m);
}

/* Batching backend: writes are queued per task and committed at leave. */
static void batch_body(struct mmuspec_machine *m, void *arg)
{
	struct mm_struct *mm = mmuspec_mm(m, 1);
	pte_t *pte = pte_alloc_map(mm, pmd_off(mm, 0x60000), 0x60000);
	struct page *p = alloc_page(GFP_KERNEL);
	pte_t v = pfn_pte(page_to_pfn(p), vm_get_page_prot(VM_READ));
	int *seen = arg;

	lazy_mmu_mode_enable();
	set_pte_at(mm, 0x60000, pte, v);
	seen[0] = pte_present(ptep_get(pte)); /* the LAZY-READ hazard */
	lazy_mmu_mode_disable();
	seen[1] = pte_present(ptep_get(pte));
}

static void test_batch(enum mmuspec_profile p)
{
	struct mmuspec_machine *m =
		lazy_machine(p, MMUSPEC_X86_64, MMUSPEC_LAZY_BATCH);
	int seen[2] = { -1, -1 };
	int q, c;

	rec_start(m);
	mmuspec_add_thread_fn(m, MMUSPEC_THREAD_TASK, 0, 1, batch_body, seen);
	mmuspec_run(m, NULL, NULL);
	q = rec_find(0, MMUSPEC_EV_PTE_QUEUE, -1);
	c = rec_find(0, MMUSPEC_EV_PTE_WRITE, -1);
	while (c >= 0 && !(rec.ev[c].sub & MMUSPEC_PTE_COMMIT))
		c = rec_find((unsigned int)c + 1, MMUSPEC_EV_PTE_WRITE, -1);
	if (p < MMUSPEC_V6_15) {
		/* set_ptes() nests a lazy region: the inner leave commits. */
		CHECK(q >= 0 && c > q && seen[0] == 1 && seen[1] == 1,
		      "%s batch: set_ptes() enters lazy mode itself; its leave commits at once",
		      mmuspec_profile_name(p));
		CHECK(rec_count(MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_ENTER) == 2,
		      "%s batch: arch_enter nested (depth 2)",
		      mmuspec_profile_name(p));
	} else {
		CHECK(q >= 0 && c > q && seen[0] == 0 && seen[1] == 1,
		      "%s batch: the write is queued, invisible until disable",
		      mmuspec_profile_name(p));
		CHECK(rec_count(MMUSPEC_EV_LAZY, MMUSPEC_LAZY_ARCH_ENTER) == 1,
		      "%s batch: no nesting", mmuspec_profile_name(p));
	}
	mmuspec_machine_destroy(m);
}

/* A task preempted in a lazy region: its queue is committed for it. */
static void test_batch_preempt(void)
{
	struct mmuspec_machine *m =
		lazy_machine(MMUSPEC_V7_0, MMUSPEC_X86_64, MMUSPEC_LAZY_BATCH);
	static const struct mmuspec_step a[] = {
		S2(alloc_page, 0, 1),
		S0(lazy_mmu_mode_enable),
		S3(set_pte_at, 0x70000, 0, 1),
		S0(nop),
		S0(lazy_mmu_mode_disable),
	};
	static const struct mmuspec_step b[] = { S1(user_read, 0x70000) };
	/* 0 runs until after set_pte_at, then task 1 on the same CPU. */
	struct mmuspec_replay_chooser rep = { .sched = "0 0 0 0 0 0 0 1" };
	int sw;

	mmuspec_map(m, 1, 0x70000, 1, VM_READ, false);
	rec_start(m);
	mmuspec_add_task(m, 0, 1, a, NSTEPS(a));
	mmuspec_add_task(m, 0, 1, b, NSTEPS(b));
	mmuspec_run(m, mmuspec_choose_replay, &rep);
	sw = rec_find(0, MMUSPEC_EV_LAZY, MMUSPEC_LAZY_SWITCH_OUT);
	CHECK(sw >= 0, "the lazy task was switched out");
	{
		int q = rec_find(0, MMUSPEC_EV_PTE_QUEUE, -1);
		int c = q >= 0 ? rec_find((unsigned int)q, MMUSPEC_EV_PTE_WRITE,
					  MMUSPEC_PTE_COMMIT) :
				 -1;
		int b1 = rec_find(0, MMUSPEC_EV_THREAD_START, -1);

		while (b1 >= 0 && rec.ev[b1].thread != 1)
			b1 = rec_find((unsigned int)b1 + 1,
				      MMUSPEC_EV_THREAD_START, -1);
		CHECK(q >= 0 && rec.ev[q].thread == 0 && c > q && sw >= 0 &&
			      c < sw && b1 > sw,
		      "the switch commits the outgoing task's queue before the other task runs");
	}
	mmuspec_machine_destroy(m);
}

/* arm64: kernel-PTE barriers deferred in lazy mode, never in interrupts. */
static void test_arm64_barriers(uint64_t bugs)
{
	struct mmuspec_config cfg;
	struct mmuspec_machine *m;
	static const struct mmuspec_step task[] = {
		S0(lazy_mmu_mode_enable),
		S2(vmalloc, (long)MMUSPEC_KERNEL_BASE, 1),
		S0(nop),
		S0(lazy_mmu_mode_disable),
	};
	static const struct mmuspec_step irq[] = {
		S2(vmalloc, (long)MMUSPEC_KERNEL_BASE + 0x10000, 1),
	};
	/* task: enable, vmalloc (inner region), nop; irq fires at nop. */
	struct mmuspec_replay_chooser rep = { .sched = "0 0 0 0 0 0 0 0 0 1" };
	int i;

	mmuspec_config_default(&cfg, MMUSPEC_V6_15, MMUSPEC_ARM64);
	cfg.bugs = bugs;
	m = mmuspec_machine_create(&cfg);
	rec_start(m);
	mmuspec_add_task(m, 0, 1, task, NSTEPS(task));
	mmuspec_add_irq(m, 0, 1, irq, NSTEPS(irq));
	mmuspec_run(m, mmuspec_choose_replay, &rep);
	i = rec_find(0, MMUSPEC_EV_BARRIER_DEFER, -1);
	CHECK(i >= 0 && rec.ev[i].thread == 0,
	      "arm64 v6.15: the task's kernel PTE barrier is deferred");
	if (!bugs) {
		CHECK(rec_count(MMUSPEC_EV_BARRIER_DEFER, -1) == 1,
		      "arm64: the interrupt's kernel PTE write is not deferred (b81c688426a9)");
	} else {
		int deferred_in_irq = 0;

		for (unsigned int k = 0; k < rec.n; k++)
			if (rec.ev[k].type == MMUSPEC_EV_BARRIER_DEFER &&
			    (rec.ev[k].ctx & MMUSPEC_CTX_SOFTIRQ))
				deferred_in_irq = 1;
		CHECK(deferred_in_irq,
		      "bug arm64-lazy-in-irq: the interrupt's write is deferred (5fdd05efa1cd)");
	}
	mmuspec_machine_destroy(m);
}

static void test_preempt_backend(void)
{
	struct mmuspec_machine *m =
		lazy_machine(MMUSPEC_V6_15, MMUSPEC_X86_64, MMUSPEC_LAZY_PREEMPT);
	static const struct mmuspec_step body[] = {
		S0(lazy_mmu_mode_enable),
		S2(alloc_page, 0, 1),
		S0(lazy_mmu_mode_disable),
	};
	int i;

	rec_start(m);
	mmuspec_add_task(m, 0, 1, body, NSTEPS(body));
	mmuspec_run(m, NULL, NULL);
	i = rec_find(0, MMUSPEC_EV_MIGHT_SLEEP, -1);
	CHECK(i >= 0 && (rec.ev[i].ctx & MMUSPEC_CTX_PREEMPT_MASK) &&
		      (rec.ev[i].ctx & MMUSPEC_CTX_LAZY),
	      "preempt backend: a GFP_KERNEL allocation in the region is atomic (LAZY-SLEEP evidence)");
	mmuspec_machine_destroy(m);
}

/* 49147beb0ccb: per-CPU state leaks the lazy mode into the next task. */
static void test_xen_percpu(int bug)
{
	struct mmuspec_config cfg;
	struct mmuspec_machine *m;
	static const struct mmuspec_step a[] = {
		S0(lazy_mmu_mode_enable),
		S0(nop),
		S0(nop),
		S0(lazy_mmu_mode_disable),
	};
	static const struct mmuspec_step b[] = {
		S2(alloc_page, 0, 1),
		S3(set_pte_at, 0x70000, 0, 1),
	};
	struct mmuspec_replay_chooser rep = { .sched = "0 0 0 0 1" };
	int leaked = 0;

	/* v6.15: set_ptes() no longer opens its own region. */
	mmuspec_config_default(&cfg, MMUSPEC_V6_15, MMUSPEC_X86_64);
	cfg.lazy_backend = MMUSPEC_LAZY_BATCH;
	if (bug)
		cfg.bugs = 1ULL << MMUSPEC_BUG_XEN_PERCPU_NEST;
	m = mmuspec_machine_create(&cfg);
	mmuspec_map(m, 1, 0x70000, 1, VM_READ, false);
	rec_start(m);
	mmuspec_add_task(m, 0, 1, a, NSTEPS(a));
	mmuspec_add_task(m, 0, 1, b, NSTEPS(b));
	mmuspec_run(m, mmuspec_choose_replay, &rep);
	for (unsigned int i = 0; i < rec.n; i++)
		if (rec.ev[i].type == MMUSPEC_EV_PTE_QUEUE &&
		    rec.ev[i].thread == 1 &&
		    rec_find(0, MMUSPEC_EV_THREAD_START, -1) >= 0)
			leaked = 1;
	if (bug)
		CHECK(leaked,
		      "bug xen-percpu-nest: a task that never entered lazy mode has its write queued");
	else
		CHECK(!leaked && rec_find(0, MMUSPEC_EV_TASK_SWITCH, -1) >= 0,
		      "per-task state: the other task's write is immediate");
	mmuspec_machine_destroy(m);
}

int main(void)
{
	test_v70_table();
	test_kunit();
	for (int p = 0; p < MMUSPEC_NR_PROFILES; p++)
		test_batch(p);
	test_batch_preempt();
	test_arm64_barriers(0);
	test_arm64_barriers(1ULL << MMUSPEC_BUG_ARM64_LAZY_IN_IRQ);
	test_preempt_backend();
	test_xen_percpu(0);
	test_xen_percpu(1);
	return unit_exit();
}
