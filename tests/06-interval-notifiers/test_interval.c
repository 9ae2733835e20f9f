// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 06: the collision-retry sequence, and the HMM fault protocol
 * racing munmap with the reference driver and with a script that skips
 * mmu_interval_set_seq().
 */
#include "../unit.h"
#include "../model.h"

#define A_ 0x10000L

static const struct mmuspec_step fault_loop[] = {
	/* 0 */ S0(mmu_interval_read_begin),
	/* 1 */ S2(hmm_range_fault, A_, 0),
	/* 2 */ S1(jump_if_not, 11),
	/* 3 */ S1(mutex_lock, 0),
	/* 4 */ S0(mmu_interval_read_retry),
	/* 5 */ S1(jump_if, 9),
	/* 6 */ S2(dev_pte_install, A_, 0),
	/* 7 */ S1(mutex_unlock, 0),
	/* 8 */ S1(jump, 11),
	/* 9 */ S1(mutex_unlock, 0),
	/* 10 */ S1(jump, 0),
	/* 11 */ S0(nop),
};

static const struct mmuspec_step no_set_seq[] = {
	S1(mutex_lock, 0),
	S2(dev_pte_zap, 0, 0),
	S1(mutex_unlock, 0),
};

static const struct mmuspec_step with_set_seq[] = {
	S1(mutex_lock, 0),
	S0(mmu_interval_set_seq),
	S2(dev_pte_zap, 0, 0),
	S1(mutex_unlock, 0),
};

static const struct mmuspec_mn_script bad = {
	.invalidate = no_set_seq,
	.ninvalidate = NSTEPS(no_set_seq),
};

static const struct mmuspec_mn_script good = {
	.invalidate = with_set_seq,
	.ninvalidate = NSTEPS(with_set_seq),
};

/* Does device 1 map a page the CPU page table no longer maps there? */
static int stale_device_pte(struct mmuspec_machine *m)
{
	struct mmuspec_device *d = mmuspec_device(m, 0);

	for (unsigned int i = 0; i < d->nr_dpte; i++) {
		int level;
		pteval_t *p = mmuspec_lookup_pte(mmuspec_mm(m, 1), d->dpt[i].va,
						 &level);

		if (!p || !(*p & _PAGE_PRESENT) ||
		    (*p >> _PAGE_PFN_SHIFT) !=
			    (d->dpt[i].pte >> _PAGE_PFN_SHIFT))
			return 1;
	}
	return 0;
}

static int race(const struct mmuspec_mn_script *script, int seeds)
{
	struct mmuspec_device_config dev = { MMUSPEC_DEV_MIRROR, 0, 1, 1 };
	struct mmuspec_machine *m = new_machine(MMUSPEC_V7_0, MMUSPEC_X86_64, 1,
						&dev);
	static const struct mmuspec_step cpu[] = { S2(munmap, A_, 1) };
	struct mmuspec_random_chooser rnd;
	int stale = 0;

	mmuspec_map(m, 1, A_, 1, VM_READ | VM_WRITE, true);
	mmuspec_device_set_script(m, 0, script);
	mmuspec_checkpoint(m);
	for (int seed = 0; seed < seeds; seed++) {
		mmuspec_reset(m);
		mmuspec_add_device_thread(m, 0, fault_loop, NSTEPS(fault_loop));
		mmuspec_add_task(m, 0, 1, cpu, NSTEPS(cpu));
		mmuspec_random_init(&rnd, (uint64_t)seed, 40);
		if (mmuspec_run(m, mmuspec_choose_random, &rnd) !=
		    MMUSPEC_RUN_OK)
			continue;
		stale += stale_device_pte(m);
	}
	mmuspec_machine_destroy(m);
	return stale;
}

static void test_seq_states(void)
{
	struct mmuspec_device_config dev = { MMUSPEC_DEV_MIRROR, 0, 1, 1 };
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_15, MMUSPEC_ARM64, 1,
						&dev);
	static const struct mmuspec_step cpu[] = {
		S4(mmu_notifier_invalidate_range_start, A_, 1, MMU_NOTIFY_CLEAR,
		   -1),
		S0(nop),
		S0(nop),
		S0(mmu_notifier_invalidate_range_end),
	};
	static const struct mmuspec_step devt[] = {
		S0(mmu_interval_read_begin),
	};
	/* CPU starts the range, then the device tries read_begin. */
	struct mmuspec_replay_chooser rep = { .sched = "1 1 1 1 1 1 1 0" };
	int s, e, rb;

	rec_start(m);
	mmuspec_add_device_thread(m, 0, devt, NSTEPS(devt));
	mmuspec_add_task(m, 0, 1, cpu, NSTEPS(cpu));
	CHECK(mmuspec_run(m, mmuspec_choose_replay, &rep) == MMUSPEC_RUN_OK,
	      "run completes");
	s = rec_find(0, MMUSPEC_EV_SEQ, MMUSPEC_SEQ_INV_START);
	e = rec_find(0, MMUSPEC_EV_SEQ, MMUSPEC_SEQ_INV_END);
	rb = rec_find(0, MMUSPEC_EV_SEQ, MMUSPEC_SEQ_READ_BEGIN);
	CHECK(s >= 0 && (rec.ev[s].new & 1),
	      "an overlapping invalidation makes the sequence odd");
	CHECK(e > s && !(rec.ev[e].new & 1), "the last end makes it even");
	CHECK(rec_find(0, MMUSPEC_EV_SEQ, MMUSPEC_SEQ_SET_SEQ) > s,
	      "the reference driver calls mmu_interval_set_seq()");
	CHECK(rb > e && rec_find(0, MMUSPEC_EV_LOCK_WAIT, MMUSPEC_BLOCK_SEQ) < e,
	      "read_begin during the invalidation waited for its end");
	CHECK(rec.ev[rb].new == rec.ev[e].new - 1,
	      "read_begin returned the sequence set during the invalidation");
	mmuspec_machine_destroy(m);
}

static struct mmu_interval_notifier late;

static bool late_inv(struct mmu_interval_notifier *s,
		     const struct mmu_notifier_range *r, unsigned long seq)
{
	mmu_interval_set_seq(s, seq);
	return true;
}

static const struct mmu_interval_notifier_ops late_ops = { late_inv };

static void insert_body(struct mmuspec_machine *m, void *arg)
{
	mmu_interval_notifier_insert(&late, mmuspec_mm(m, 1), 0x40000, 0x1000,
				     &late_ops);
}

static void test_deferred_insert(void)
{
	struct mmuspec_device_config dev = { MMUSPEC_DEV_MIRROR, 0, 1, 1 };
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_6, MMUSPEC_X86_64, 1,
						&dev);
	static const struct mmuspec_step cpu[] = {
		S4(mmu_notifier_invalidate_range_start, A_, 1, MMU_NOTIFY_CLEAR,
		   -1),
		S0(nop),
		S0(nop),
		S0(mmu_notifier_invalidate_range_end),
	};
	struct mmuspec_replay_chooser rep = { .sched = "0 0 0 0 0 0 1" };
	int d, e;

	rec_start(m);
	mmuspec_add_task(m, 0, 1, cpu, NSTEPS(cpu));
	mmuspec_add_thread_fn(m, MMUSPEC_THREAD_TASK, 1, 1, insert_body, NULL);
	mmuspec_run(m, mmuspec_choose_replay, &rep);
	d = rec_find(0, MMUSPEC_EV_SEQ, MMUSPEC_SEQ_DEFER);
	e = rec_find(0, MMUSPEC_EV_SEQ, MMUSPEC_SEQ_INV_END);
	CHECK(d >= 0 && e > d && late.in_tree,
	      "an insert during an invalidation is deferred to its end");
	mmuspec_machine_destroy(m);
}

static void c_fault(struct mmuspec_machine *m, void *arg)
{
	mmuspec_mirror_fault(m, 0, A_, false);
}

static int race_c(uint64_t bugs, int seeds)
{
	struct mmuspec_config cfg;
	struct mmuspec_machine *m;
	static const struct mmuspec_step cpu[] = { S2(munmap, A_, 1) };
	struct mmuspec_random_chooser rnd;
	int stale = 0;

	mmuspec_config_default(&cfg, MMUSPEC_V6_15, MMUSPEC_ARM64);
	cfg.nr_devices = 1;
	cfg.dev[0] = (struct mmuspec_device_config){ MMUSPEC_DEV_MIRROR, 0, 1,
						     1 };
	cfg.bugs = bugs;
	m = mmuspec_machine_create(&cfg);
	mmuspec_map(m, 1, A_, 1, VM_READ | VM_WRITE, true);
	mmuspec_checkpoint(m);
	for (int seed = 0; seed < seeds; seed++) {
		mmuspec_reset(m);
		mmuspec_add_thread_fn(m, MMUSPEC_THREAD_DEVICE, 0, 0, c_fault,
				      NULL);
		mmuspec_add_task(m, 0, 1, cpu, NSTEPS(cpu));
		mmuspec_random_init(&rnd, (uint64_t)seed, 40);
		if (mmuspec_run(m, mmuspec_choose_random, &rnd) ==
		    MMUSPEC_RUN_OK)
			stale += stale_device_pte(m);
	}
	mmuspec_machine_destroy(m);
	return stale;
}

int main(void)
{
	int n;

	test_seq_states();
	test_deferred_insert();
	n = race(NULL, 300);
	CHECK(n == 0,
	      "reference driver: no stale device PTE in 300 random races with munmap");
	n = race(&good, 300);
	CHECK(n == 0, "scripted driver with set_seq: no stale device PTE");
	n = race(&bad, 300);
	CHECK(n > 0,
	      "scripted driver without set_seq: a stale device PTE survives munmap (%d/300 runs)",
	      n);
	n = race_c(0, 300);
	CHECK(n == 0, "mmuspec_mirror_fault(): no stale device PTE in 300 races");
	n = race_c(1ULL << MMUSPEC_BUG_HMM_RETRY_UNLOCKED, 300);
	CHECK(n > 0,
	      "bug hmm-retry-unlocked: read_retry outside the lock lets a stale PTE in (%d/300)",
	      n);
	return unit_exit();
}
