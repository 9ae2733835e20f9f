// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 05: hlist notifiers: pairing, non-blocking failure, release,
 * get/put, and what invalidate_range_end() does per profile.
 */
#include <errno.h>

#include "../unit.h"
#include "../model.h"

struct counting {
	struct mmu_notifier mn;
	int starts, ends, secondary, releases, fail_nonblock, frees;
	int nonblock_ctx;
};

static struct counting A, B;

static struct counting *of(struct mmu_notifier *mn)
{
	return mn == &A.mn ? &A : &B;
}

static int c_start(struct mmu_notifier *mn,
		   const struct mmu_notifier_range *range)
{
	struct counting *c = of(mn);
	struct mmuspec_thread *t = mmuspec_current();

	if (t && t->nonblock)
		c->nonblock_ctx++;
	if (c->fail_nonblock && !mmu_notifier_range_blockable(range))
		return -EAGAIN;
	c->starts++;
	return 0;
}

static void c_end(struct mmu_notifier *mn,
		  const struct mmu_notifier_range *range)
{
	of(mn)->ends++;
}

static void c_secondary(struct mmu_notifier *mn, struct mm_struct *mm,
			unsigned long start, unsigned long end)
{
	of(mn)->secondary++;
}

static void c_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	of(mn)->releases++;
}

static const struct mmu_notifier_ops ops = {
	.invalidate_range_start = c_start,
	.invalidate_range_end = c_end,
	.arch_invalidate_secondary_tlbs = c_secondary,
	.release = c_release,
};

static void test_pairing(enum mmuspec_profile p, int bug)
{
	struct mmuspec_config cfg;
	struct mmuspec_machine *m;
	struct mm_struct *mm;
	static const struct mmuspec_step body[] = {
		S4(mmu_notifier_invalidate_range_start, 0x10000, 2,
		   MMU_NOTIFY_CLEAR, -1),
		S0(mmu_notifier_invalidate_range_end),
		S4(mmu_notifier_invalidate_range_start_nonblock, 0x10000, 2,
		   MMU_NOTIFY_CLEAR, -1),
	};

	mmuspec_config_default(&cfg, p, MMUSPEC_X86_64);
	if (bug)
		cfg.bugs = 1ULL << MMUSPEC_BUG_NONBLOCK_END_AFTER_FAIL;
	m = mmuspec_machine_create(&cfg);
	mm = mmuspec_mm(m, 1);
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	A.mn.ops = &ops;
	B.mn.ops = &ops;
	B.fail_nonblock = 1;
	/* Registered first = last in the list: B is called after A. */
	mmu_notifier_register(&B.mn, mm);
	mmu_notifier_register(&A.mn, mm);
	rec_start(m);
	mmuspec_add_task(m, 0, 1, body, NSTEPS(body));
	mmuspec_run(m, NULL, NULL);
	CHECK(A.starts == 2 && B.starts == 1,
	      "%s: blocking start reaches both; the non-blocking one fails at B",
	      mmuspec_profile_name(p));
	if (bug) {
		CHECK(A.ends == 1,
		      "%s bug nonblock-end-after-fail: A's start is never ended",
		      mmuspec_profile_name(p));
		mmuspec_machine_destroy(m);
		return;
	}
	CHECK(A.ends == 2 && B.ends == 1,
	      "%s: the core ends A's successful non-blocking start itself (c2655835fd8c)",
	      mmuspec_profile_name(p));
	CHECK(rec_find(0, MMUSPEC_EV_MN_RETURN,
		       MMUSPEC_MN_START_NONBLOCK_CORE) >= 0 &&
		      rec.ev[rec_find(0, MMUSPEC_EV_MN_RETURN,
				      MMUSPEC_MN_START_NONBLOCK_CORE)]
				      .ret == -EAGAIN,
	      "%s: start_nonblock returns -EAGAIN", mmuspec_profile_name(p));
	CHECK(A.nonblock_ctx == 1 && B.nonblock_ctx == 1,
	      "%s: callbacks of a non-blockable range run in non_block_start()",
	      mmuspec_profile_name(p));
	CHECK(A.secondary == (p == MMUSPEC_V6_5 ? 1 : 0),
	      "%s: invalidate_range_end() %s ->invalidate_range",
	      mmuspec_profile_name(p), p == MMUSPEC_V6_5 ? "calls" : "never calls");
	mmuspec_reset(m);
	mmuspec_machine_destroy(m);
}

static void test_release_unregister(void)
{
	struct mmuspec_machine *m = new_machine(MMUSPEC_V6_6, MMUSPEC_ARM64, 0,
						NULL);
	struct mm_struct *mm = mmuspec_mm(m, 1);

	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	A.mn.ops = &ops;
	B.mn.ops = &ops;
	mmu_notifier_register(&A.mn, mm);
	mmu_notifier_register(&B.mn, mm);
	mmu_notifier_unregister(&A.mn, mm);
	CHECK(A.releases == 1, "unregister calls ->release");
	mmu_notifier_release(mm);
	CHECK(B.releases == 1 && A.releases == 1,
	      "mmu_notifier_release() releases the remaining subscription");
	CHECK(!mm->notifier_subscriptions->list.first,
	      "after release no subscription is listed");
	mmuspec_reset(m);
	CHECK(!mm->notifier_subscriptions,
	      "reset returns to the checkpoint without notifiers");
	mmuspec_machine_destroy(m);
}

static struct counting G;
static int frees;

static struct mmu_notifier *g_alloc(struct mm_struct *mm)
{
	memset(&G, 0, sizeof(G));
	return &G.mn;
}

static void g_free(struct mmu_notifier *mn)
{
	frees++;
}

static const struct mmu_notifier_ops gops = {
	.alloc_notifier = g_alloc,
	.free_notifier = g_free,
};

static void test_get_put(void)
{
	struct mmuspec_machine *m = new_machine(MMUSPEC_V7_0, MMUSPEC_X86_64, 0,
						NULL);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmu_notifier *a = mmu_notifier_get(&gops, mm);
	struct mmu_notifier *b = mmu_notifier_get(&gops, mm);

	CHECK(a && a == b && a->users == 2, "get returns one shared subscription");
	mmu_notifier_put(a);
	CHECK(frees == 0, "first put does not free");
	mmu_notifier_put(b);
	CHECK(frees == 1 && !mm->notifier_subscriptions->list.first,
	      "last put unlinks and calls free_notifier");
	mmuspec_machine_destroy(m);
}

int main(void)
{
	for (int p = 0; p < MMUSPEC_NR_PROFILES; p++) {
		test_pairing(p, 0);
		test_pairing(p, 1);
	}
	test_release_unregister();
	test_get_put();
	return unit_exit();
}
