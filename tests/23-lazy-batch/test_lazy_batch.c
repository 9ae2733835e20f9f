// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 23: the lazy-batch example backend in the model, under the
 * oracle.
 */
#include "../20-sva-smmu/example_test.h"
#include "../../examples/lazy-batch/lazy_batch.h"
#include <mmuspec/lazy_ops.h>

int mmuspec_example_lazy_batch_setup(struct mmuspec_machine *m);

static struct run *make(uint64_t bugs)
{
	struct mmuspec_config cfg;
	struct mmuspec_machine *m;

	mmuspec_config_default(&cfg, MMUSPEC_V7_0, MMUSPEC_X86_64);
	cfg.lazy_backend = MMUSPEC_LAZY_GENERIC;
	cfg.bugs = bugs;
	m = mmuspec_machine_create(&cfg);
	if (m && (mmuspec_map(m, 1, A0, 1, VM_READ | VM_WRITE, true) ||
		  mmuspec_map(m, 1, A1, 1, VM_READ | VM_WRITE, true) ||
		  mmuspec_example_lazy_batch_setup(m))) {
		mmuspec_machine_destroy(m);
		m = NULL;
	}
	if (m)
		mmuspec_checkpoint(m);
	return run_new(m);
}

static pte_t *ptep_of(struct mmuspec_machine *m, unsigned long addr)
{
	struct mm_struct *mm = mmuspec_mm(m, 1);

	return pte_offset_map(pmd_off(mm, addr), addr);
}

/* The PTE's value as the page table holds it (no event: a test's peek). */
static pteval_t peek(struct mmuspec_machine *m, unsigned long addr)
{
	return ptep_of(m, addr)->pte;
}

/* Value number @i for the PTE at @addr: its original with bits changed. */
static pte_t val(struct mmuspec_machine *m, unsigned long addr, int i)
{
	pteval_t v = peek(m, addr) & ~(pteval_t)(_PAGE_RW | _PAGE_DIRTY);

	return __pte(v | (i & 1 ? _PAGE_RW : 0) | (i & 2 ? _PAGE_DIRTY : 0));
}

static void write_pte(struct mmuspec_machine *m, unsigned long addr, pte_t pte)
{
	lazy_batch_set_pte(mmuspec_mm(m, 1), addr, ptep_of(m, addr), pte);
}

static const struct oracle_report *go(struct run *r, mmuspec_choose_fn ch,
				      void *ctx)
{
	enum mmuspec_run_result res;
	const struct oracle_report *rep = run_go(r, ch, ctx, &res);

	CHECK(res == MMUSPEC_RUN_OK, "the run ends normally (%d)", res);
	return rep;
}

static void check_clean(const struct oracle_report *rep)
{
	CHECK(!rep->rule, "... no rule broken (%s: %s)",
	      rep->rule ? rep->rule : "-", rep->why);
}

/* Deferred until disable, applied in order; a full batch goes early. */
struct basic {
	pte_t v[LAZY_BATCH_MAX + 1];
	pteval_t before, mid, after, orig;
};

static void task_basic(struct mmuspec_machine *m, void *arg)
{
	struct basic *b = arg;
	struct mm_struct *mm = mmuspec_mm(m, 1);
	spinlock_t *ptl;
	pte_t *ptep = pte_offset_map_lock(mm, pmd_off(mm, A0), A0, &ptl);

	b->orig = ptep->pte;
	lazy_batch_mode_enable();
	write_pte(m, A0, b->v[0]);
	write_pte(m, A0, b->v[1]);
	b->before = ptep->pte;
	lazy_batch_mode_disable();
	b->after = ptep->pte;

	lazy_batch_mode_enable();
	for (int i = 0; i <= LAZY_BATCH_MAX; i++)
		write_pte(m, A0, b->v[i]);
	b->mid = ptep->pte;
	lazy_batch_mode_disable();
	pte_unmap_unlock(ptep, ptl);
}

static void test_basic(void)
{
	struct run *r = make(0);
	struct basic b;

	if (!CHECK(r->m, "machine with the lazy-batch backend")) {
		run_free(r);
		return;
	}
	run_begin(r);
	for (int i = 0; i <= LAZY_BATCH_MAX; i++)
		b.v[i] = val(r->m, A0, i);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, task_basic, &b);
	check_clean(go(r, NULL, NULL));
	CHECK(b.before == b.orig, "lazy: two writes leave the table unchanged");
	CHECK(b.after == b.v[1].pte, "disable applies them, in order");
	CHECK(b.mid == b.v[LAZY_BATCH_MAX - 1].pte,
	      "a full batch of %d is issued before the next write",
	      LAZY_BATCH_MAX);
	CHECK(peek(r->m, A0) == b.v[LAZY_BATCH_MAX].pte,
	      "... and the last write at disable");
	run_free(r);
}

/* An interrupt's write is immediate; the task keeps its queue. */
struct irq {
	pte_t v0, w1;
	pteval_t a0_in_irq, a1_in_irq, a0_end;
	unsigned int task_nr_in_irq;
};

static void task_irq(struct mmuspec_machine *m, void *arg)
{
	struct irq *q = arg;

	lazy_batch_mode_enable();
	write_pte(m, A0, q->v0);
	dir.switch_now = 1;
	mmuspec_sched_point(m, MMUSPEC_SCHED_STEP);
	lazy_batch_mode_disable();
	q->a0_end = peek(m, A0);
}

static void irq_body(struct mmuspec_machine *m, void *arg)
{
	struct irq *q = arg;

	lazy_batch_mode_enable(); /* a no-op in interrupt context */
	write_pte(m, A1, q->w1);
	q->a1_in_irq = peek(m, A1);
	q->a0_in_irq = peek(m, A0);
	q->task_nr_in_irq = lazy_batch_current()->nr;
	lazy_batch_mode_disable();
}

static void test_irq(void)
{
	struct run *r = make(0);
	struct irq q;
	pteval_t a0;

	if (!r->m) {
		run_free(r);
		return;
	}
	run_begin(r);
	q.v0 = val(r->m, A0, 0);
	q.w1 = val(r->m, A1, 2);
	a0 = peek(r->m, A0);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, task_irq, &q);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_IRQ, 0, 0, irq_body, &q);
	dir = (struct directed){ 0, 1, 0 };
	check_clean(go(r, choose_directed, &dir));
	CHECK(q.a1_in_irq == q.w1.pte,
	      "a write in interrupt context is applied at once");
	CHECK(q.a0_in_irq == a0 && q.task_nr_in_irq == 1,
	      "... while the interrupted task's write stays queued");
	CHECK(q.a0_end == q.v0.pte, "... until the task's disable");
	run_free(r);
}

/* Task A migrates inside its region; task B uses lazy mode on A's CPU. */
struct mig {
	pte_t v0, w1;
	pteval_t a0_after_b, a1_after_b;
	int cpu_after;
};

static void task_a(struct mmuspec_machine *m, void *arg)
{
	struct mig *g = arg;
	struct mmuspec_step step = { MMUSPEC_STEP_set_cpus_allowed_ptr,
				     0,
				     { 1 } };

	lazy_batch_mode_enable();
	write_pte(m, A0, g->v0);
	mmuspec_step_run(m, mmuspec_current(), &step);
	g->cpu_after = smp_processor_id();
	dir.switch_now = 1;
	mmuspec_sched_point(m, MMUSPEC_SCHED_STEP);
	lazy_batch_mode_disable();
}

static void task_b(struct mmuspec_machine *m, void *arg)
{
	struct mig *g = arg;

	lazy_batch_mode_enable();
	write_pte(m, A1, g->w1);
	lazy_batch_mode_disable();
	g->a0_after_b = peek(m, A0);
	g->a1_after_b = peek(m, A1);
}

static const struct oracle_report *migrate(struct run *r, struct mig *g,
					   pteval_t *a0)
{
	enum mmuspec_run_result res;

	run_begin(r);
	g->v0 = val(r->m, A0, 0);
	g->w1 = val(r->m, A1, 2);
	*a0 = peek(r->m, A0);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, task_a, g);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, task_b, g);
	dir = (struct directed){ 0, 1, 0 };
	mmuspec_set_hook(r->m, run_hook, r);
	res = mmuspec_run(r->m, choose_directed, &dir);
	mmuspec_set_hook(r->m, NULL, NULL);
	return oracle_end(r->o, res == MMUSPEC_RUN_OK);
}

static void test_migrate(void)
{
	struct run *r = make(0);
	const struct oracle_report *rep;
	struct mig g;
	pteval_t a0;

	if (!r->m) {
		run_free(r);
		return;
	}
	rep = migrate(r, &g, &a0);
	CHECK(g.cpu_after == 1, "task A migrated to CPU 1 inside its region");
	CHECK(g.a1_after_b == g.w1.pte && g.a0_after_b == a0,
	      "task B on CPU 0 applied its own write, not A's");
	CHECK(peek(r->m, A0) == g.v0.pte, "A's write applied by A's disable");
	check_clean(rep);
	run_free(r);

	/* Bug 3: per-CPU state; B inherits and commits A's batch. */
	r = make(1ULL << MMUSPEC_BUG_XEN_PERCPU_NEST);
	if (!r->m) {
		run_free(r);
		return;
	}
	mmuspec_set_warn_handler(count_warn, NULL);
	rep = migrate(r, &g, &a0);
	mmuspec_set_warn_handler(NULL, NULL);
	CHECK(rep->rule && !strcmp(rep->rule, "LAZY-PREEMPT"),
	      "bug 3 (per-CPU lazy state) is caught as LAZY-PREEMPT (%s)",
	      rep->rule ? rep->rule : "-");
	run_free(r);
}

/* The v7.0 transition table, and misuse. */
struct table {
	int step;
	unsigned char e[8], p[8];
	bool active[8];
	unsigned int nr[8];
	unsigned long warns;
};

static void note(struct table *t)
{
	struct lazy_batch_task *s = lazy_batch_current();

	t->e[t->step] = s->enable_count;
	t->p[t->step] = s->pause_count;
	t->active[t->step] = s->active;
	t->nr[t->step++] = s->nr;
}

static void task_table(struct mmuspec_machine *m, void *arg)
{
	struct table *t = arg;

	lazy_batch_mode_enable();
	note(t); /* 0: enter */
	lazy_batch_mode_enable();
	write_pte(m, A0, val(m, A0, 0));
	note(t); /* 1: nested, queued */
	lazy_batch_mode_disable();
	note(t); /* 2: nested disable flushes */
	write_pte(m, A0, val(m, A0, 1));
	lazy_batch_mode_pause();
	note(t); /* 3: pause leaves (commits) */
	write_pte(m, A0, val(m, A0, 2));
	note(t); /* 4: paused: immediate */
	lazy_batch_mode_enable();
	lazy_batch_mode_disable();
	note(t); /* 5: enable/disable do nothing while paused */
	lazy_batch_mode_resume();
	note(t); /* 6: resume enters */
	lazy_batch_mode_disable();
	note(t); /* 7: outermost disable leaves */

	warns = 0;
	mmuspec_set_warn_handler(count_warn, NULL);
	lazy_batch_mode_disable();
	lazy_batch_mode_resume();
	lazy_batch_leave();
	lazy_batch_flush();
	lazy_batch_enter();
	lazy_batch_enter();
	lazy_batch_leave();
	mmuspec_set_warn_handler(NULL, NULL);
	t->warns = warns;
}

static void test_table(void)
{
	static const unsigned char e[8] = { 1, 2, 1, 1, 1, 1, 1, 0 };
	static const unsigned char p[8] = { 0, 0, 0, 1, 1, 1, 0, 0 };
	static const bool active[8] = { 1, 1, 1, 0, 0, 0, 1, 0 };
	static const unsigned int nr[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	struct run *r = make(0);
	struct table t = { 0 };
	bool ok = true;

	if (!r->m) {
		run_free(r);
		return;
	}
	run_begin(r);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, task_table, &t);
	go(r, NULL, NULL);
	for (int i = 0; i < 8; i++)
		ok &= t.e[i] == e[i] && t.p[i] == p[i] &&
		      t.active[i] == active[i] && t.nr[i] == nr[i];
	CHECK(ok && t.step == 8, "v7.0 enable/disable/pause/resume: the "
				 "transition table of chapter 07");
	CHECK(t.warns == 5,
	      "disable without enable, resume without pause, leave and "
	      "flush outside lazy mode, nested enter: a warning each (%lu)",
	      t.warns);
	run_free(r);
}

/*
 * Plugged into the model (chapter 07.3): generic code's calls reach the
 * example, which queues, and the model's view of the task follows.
 */
struct plugged {
	pteval_t orig, in_region, after;
	unsigned int nr_in_region;
	bool active_in_region, active_after, arch_active_in_region;
};

static void task_plugged(struct mmuspec_machine *m, void *arg)
{
	struct plugged *g = arg;
	struct mm_struct *mm = mmuspec_mm(m, 1);
	spinlock_t *ptl;
	pte_t *ptep = pte_offset_map_lock(mm, pmd_off(mm, A0), A0, &ptl);

	g->orig = ptep->pte;
	lazy_mmu_mode_enable();
	set_pte_at(mm, A0, ptep, val(m, A0, 1));
	g->in_region = ptep->pte;
	g->nr_in_region = lazy_batch_current()->nr;
	g->active_in_region = is_lazy_mmu_mode_active();
	g->arch_active_in_region = mmuspec_current_task()->lazy.arch_active;
	lazy_mmu_mode_disable();
	g->after = ptep->pte;
	g->active_after = is_lazy_mmu_mode_active();
	pte_unmap_unlock(ptep, ptl);
}

static void test_plugged(void)
{
	struct mmuspec_config cfg;
	struct mmuspec_machine *m;
	struct plugged g = { 0 };
	struct run *r;

	mmuspec_config_default(&cfg, MMUSPEC_V6_6, MMUSPEC_X86_64);
	cfg.lazy_backend = MMUSPEC_LAZY_EXAMPLE_BATCH;
	m = mmuspec_machine_create(&cfg);
	CHECK(!m, "a v6.6 machine with the lazy-batch backend is refused");
	mmuspec_machine_destroy(m);

	for (int p = MMUSPEC_V6_15; p <= MMUSPEC_V7_0; p++) {
		mmuspec_config_default(&cfg, p, MMUSPEC_X86_64);
		cfg.lazy_backend = MMUSPEC_LAZY_EXAMPLE_BATCH;
		m = mmuspec_machine_create(&cfg);
		if (m && mmuspec_map(m, 1, A0, 1, VM_READ | VM_WRITE, true)) {
			mmuspec_machine_destroy(m);
			m = NULL;
		}
		if (m)
			mmuspec_checkpoint(m);
		r = run_new(m);
		if (!CHECK(r->m && r->m->lazy_ops == &mmuspec_lazy_batch_ops,
			   "%s: the machine plugs in mmuspec_lazy_batch_ops",
			   mmuspec_profile_name(p))) {
			run_free(r);
			continue;
		}
		run_begin(r);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1,
				      task_plugged, &g);
		check_clean(go(r, NULL, NULL));
		CHECK(g.in_region == g.orig && g.nr_in_region == 1,
		      "%s: set_pte_at() in the region is queued by the example",
		      mmuspec_profile_name(p));
		CHECK(g.active_in_region && g.arch_active_in_region &&
			      !g.active_after,
		      "... the model sees the task in lazy mode until disable");
		CHECK(g.after == val(r->m, A0, 1).pte,
		      "... and the write is in the table after disable");
		run_free(r);
	}
}

int main(void)
{
	test_basic();
	test_plugged();
	test_irq();
	test_migrate();
	test_table();
	return unit_exit();
}
