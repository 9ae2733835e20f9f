// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 02: machine creation, events, threads, scheduler, reset, replay.
 */
#include "../unit.h"
#include "../model.h"

static void test_sequential(void)
{
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_6, MMUSPEC_X86_64, 0,
						NULL);
	static const struct mmuspec_step body[] = {
		S3(mmap, 0x10000, 4, 3),
		S2(user_write, 0x10000, 7),
		S1(user_read, 0x10000),
	};
	enum mmuspec_run_result r;

	CHECK(m, "machine created");
	rec_start(m);
	CHECK(mmuspec_add_task(m, 0, 1, body, NSTEPS(body)) == 0, "task added");
	r = mmuspec_run(m, NULL, NULL);
	CHECK(r == MMUSPEC_RUN_OK, "sequential run ends OK (%d)", r);
	CHECK(rec_count(MMUSPEC_EV_STEP_BEGIN, -1) == 3, "3 steps ran");
	CHECK(rec_count(MMUSPEC_EV_FAULT_BEGIN, -1) == 1,
	      "one fault (write to an empty PTE)");
	CHECK(rec_count(MMUSPEC_EV_PAGE_ALLOC, -1) == 1, "one page allocated");
	CHECK(rec_count(MMUSPEC_EV_ACCESS, -1) == 3,
	      "3 accesses: fault, retry, read");
	CHECK(rec.ev[rec.n - 1].type == MMUSPEC_EV_RUN_END, "RUN_END last");
	{
		int level;
		pteval_t *p = mmuspec_lookup_pte(mmuspec_mm(m, 1), 0x10000,
						 &level);

		CHECK(p && (*p & _PAGE_PRESENT) && (*p & _PAGE_RW),
		      "PTE present and writable");
		CHECK(mmuspec_page(m, *p >> _PAGE_PFN_SHIFT)->data == 7,
		      "page holds the value written");
	}
	/* Reset returns to the checkpoint: the mapping is gone. */
	mmuspec_reset(m);
	{
		int level;
		pteval_t *p = mmuspec_lookup_pte(mmuspec_mm(m, 1), 0x10000,
						 &level);

		CHECK(!p || !(*p & _PAGE_PRESENT), "reset undid the PTE write");
		CHECK(!find_vma_flags(mmuspec_mm(m, 1), 0x10000),
		      "reset undid the mmap");
		CHECK(mmuspec_nr_threads(m) == 0, "reset removed the threads");
	}
	/* And the same run again gives the same events. */
	rec_start(m);
	mmuspec_add_task(m, 0, 1, body, NSTEPS(body));
	CHECK(mmuspec_run(m, NULL, NULL) == MMUSPEC_RUN_OK, "rerun OK");
	CHECK(rec_count(MMUSPEC_EV_PAGE_ALLOC, -1) == 1, "rerun allocates once");
	mmuspec_machine_destroy(m);
}

static unsigned long sig(void)
{
	unsigned long h = 1469598103934665603UL;

	for (unsigned int i = 0; i < rec.n; i++) {
		h = (h ^ rec.ev[i].type) * 1099511628211UL;
		h = (h ^ (unsigned long)rec.ev[i].thread) * 1099511628211UL;
		h = (h ^ rec.ev[i].addr) * 1099511628211UL;
	}
	return h;
}

static void test_interleave_replay(void)
{
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_6, MMUSPEC_ARM64, 0,
						NULL);
	static const struct mmuspec_step a[] = {
		S2(user_write, 0x10000, 1),
		S3(mprotect, 0x10000, 1, 1),
		S1(user_read, 0x10000),
	};
	static const struct mmuspec_step b[] = {
		S2(user_write, 0x10000, 2),
		S2(madvise_dontneed, 0x10000, 1),
		S1(user_read, 0x10000),
	};
	struct mmuspec_random_chooser rnd;
	struct mmuspec_replay_chooser rep = { 0 };
	char sched[8192];
	unsigned long s1, s2;
	int distinct = 0;
	unsigned long first = 0;

	mmuspec_map(m, 1, 0x10000, 16, VM_READ | VM_WRITE, false);
	mmuspec_checkpoint(m);
	for (int seed = 0; seed < 20; seed++) {
		mmuspec_reset(m);
		rec_start(m);
		mmuspec_add_task(m, 0, 1, a, NSTEPS(a));
		mmuspec_add_task(m, 1, 1, b, NSTEPS(b));
		mmuspec_random_init(&rnd, (uint64_t)seed, 30);
		if (mmuspec_run(m, mmuspec_choose_random, &rnd) !=
		    MMUSPEC_RUN_OK) {
			CHECK(0, "random run %d ends OK", seed);
			continue;
		}
		s1 = sig();
		if (!first)
			first = s1;
		else if (s1 != first)
			distinct++;
		mmuspec_schedule_string(m, sched, sizeof(sched));
		/* Replay the schedule: the same events. */
		mmuspec_reset(m);
		rec_start(m);
		mmuspec_add_task(m, 0, 1, a, NSTEPS(a));
		mmuspec_add_task(m, 1, 1, b, NSTEPS(b));
		rep.sched = sched;
		rep.pos = NULL;
		rep.divergences = 0;
		mmuspec_run(m, mmuspec_choose_replay, &rep);
		s2 = sig();
		if (s1 != s2 || rep.divergences)
			CHECK(0, "replay of seed %d reproduces the run", seed);
	}
	CHECK(1, "20 random runs replayed exactly");
	CHECK(distinct > 0, "random schedules produce different runs");
	mmuspec_machine_destroy(m);
}

static void test_deadlock_and_bound(void)
{
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_6, MMUSPEC_X86_64, 0,
						NULL);
	static const struct mmuspec_step a[] = {
		S1(mutex_lock, 0), S1(nop, 0), S1(mutex_lock, 1),
	};
	static const struct mmuspec_step b[] = {
		S1(mutex_lock, 1), S1(nop, 0), S1(mutex_lock, 0),
	};
	static const struct mmuspec_step loop[] = {
		S0(nop), S1(jump, 0),
	};
	struct mmuspec_replay_chooser rep = { .sched = "0 1 0 1 0 1" };

	mmuspec_add_task(m, 0, 1, a, NSTEPS(a));
	mmuspec_add_task(m, 1, 1, b, NSTEPS(b));
	CHECK(mmuspec_run(m, mmuspec_choose_replay, &rep) ==
		      MMUSPEC_RUN_DEADLOCK,
	      "ABBA mutexes deadlock under an interleaving");
	mmuspec_reset(m);
	mmuspec_add_task(m, 0, 1, loop, NSTEPS(loop));
	CHECK(mmuspec_run(m, NULL, NULL) == MMUSPEC_RUN_STEP_BOUND,
	      "an endless loop hits max_steps");
	mmuspec_machine_destroy(m);
}

static void test_preemption_rules(void)
{
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_6, MMUSPEC_X86_64, 0,
						NULL);
	/* Two tasks on CPU 0: the second may only run when the first is
	 * preemptible; with preemption disabled it must wait. */
	static const struct mmuspec_step a[] = {
		S0(preempt_disable), S0(nop), S0(nop), S0(preempt_enable),
	};
	static const struct mmuspec_step b[] = { S0(nop) };
	static const struct mmuspec_step irq[] = { S0(nop) };
	struct mmuspec_random_chooser rnd;
	int ok = 1;

	for (int seed = 0; seed < 30; seed++) {
		mmuspec_reset(m);
		rec_start(m);
		mmuspec_add_task(m, 0, 1, a, NSTEPS(a));
		mmuspec_add_task(m, 0, 1, b, NSTEPS(b));
		mmuspec_add_irq(m, 0, 0, irq, NSTEPS(irq));
		mmuspec_random_init(&rnd, (uint64_t)seed, 50);
		mmuspec_run(m, mmuspec_choose_random, &rnd);
		for (unsigned int i = 0; i < rec.n; i++) {
			const struct mmuspec_event *e = &rec.ev[i];

			if (e->type == MMUSPEC_EV_STEP_BEGIN && e->thread != 0 &&
			    (e->ctx & MMUSPEC_CTX_NO_THREAD))
				ok = 0;
		}
		/* Check: no event of thread 1 or 2 between thread 0's
		 * preempt_disable and preempt_enable. */
		{
			int in = 0;

			for (unsigned int i = 0; i < rec.n; i++) {
				const struct mmuspec_event *e = &rec.ev[i];

				if (e->type == MMUSPEC_EV_CTX && e->thread == 0 &&
				    e->sub == MMUSPEC_CTX_PREEMPT_DISABLE)
					in = 1;
				if (e->type == MMUSPEC_EV_CTX && e->thread == 0 &&
				    e->sub == MMUSPEC_CTX_PREEMPT_ENABLE)
					in = 0;
				if (in && e->thread == 1)
					ok = 0;
			}
		}
		CHECK(rec_find(0, MMUSPEC_EV_RUN_END, MMUSPEC_RUN_OK) >= 0,
		      "seed %d: run completes", seed);
	}
	CHECK(ok, "no other task runs on a CPU whose task disabled preemption (interrupts may)");
	mmuspec_machine_destroy(m);
}

int main(void)
{
	test_sequential();
	test_interleave_replay();
	test_deadlock_and_bound();
	test_preemption_rules();
	return unit_exit();
}
