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
	int calls, starts, ends, secondary, releases, fail_nonblock, frees;
	int nonblock_ctx;
};

/* A and N of test_pairing(), B of test_fail_with_end(). */
static struct counting A, B, N;

static struct counting *of(struct mmu_notifier *mn)
{
	return mn == &A.mn ? &A : mn == &B.mn ? &B : &N;
}

static int c_start(struct mmu_notifier *mn,
		   const struct mmu_notifier_range *range)
{
	struct counting *c = of(mn);
	struct mmuspec_thread *t = mmuspec_current();

	c->calls++;
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

/* A notifier that can fail its start has no end (c2655835fd8c). */
static const struct mmu_notifier_ops noend_ops = {
	.invalidate_range_start = c_start,
};

/* A blocking range, then a non-blocking one that a subscription fails. */
static const struct mmuspec_step pair_body[] = {
	S4(mmu_notifier_invalidate_range_start, 0x10000, 2, MMU_NOTIFY_CLEAR,
	   -1),
	S0(mmu_notifier_invalidate_range_end),
	S4(mmu_notifier_invalidate_range_start_nonblock, 0x10000, 2,
	   MMU_NOTIFY_CLEAR, -1),
};

static struct mmuspec_machine *pair_machine(enum mmuspec_profile p, int bug)
{
	struct mmuspec_config cfg;

	mmuspec_config_default(&cfg, p, MMUSPEC_X86_64);
	if (bug)
		cfg.bugs = 1ULL << MMUSPEC_BUG_NONBLOCK_END_AFTER_FAIL;
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	memset(&N, 0, sizeof(N));
	return mmuspec_machine_create(&cfg);
}

static int nonblock_ret(void)
{
	int i = rec_find(0, MMUSPEC_EV_MN_RETURN,
			 MMUSPEC_MN_START_NONBLOCK_CORE);

	return i < 0 ? 1 : (int)rec.ev[i].ret;
}

/*
 * A counts, N fails non-blockable starts and has no end. @n_first: N is
 * called before A (the newest subscription is called first).
 */
static void test_pairing(enum mmuspec_profile p, int bug, int n_first)
{
	struct mmuspec_machine *m = pair_machine(p, bug);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	const char *pn = mmuspec_profile_name(p);
	const char *order = n_first ? "N first" : "A first";

	A.mn.ops = &ops;
	N.mn.ops = &noend_ops;
	N.fail_nonblock = 1;
	mmu_notifier_register(n_first ? &A.mn : &N.mn, mm);
	mmu_notifier_register(n_first ? &N.mn : &A.mn, mm);
	rec_start(m);
	mmuspec_add_task(m, 0, 1, pair_body, NSTEPS(pair_body));
	mmuspec_run(m, NULL, NULL);
	CHECK(A.starts == 2 && A.calls == 2 && N.calls == 2 && N.starts == 1,
	      "%s %s: every start is called, also after N failed", pn, order);
	CHECK(nonblock_ret() == -EAGAIN, "%s %s: start_nonblock returns -EAGAIN",
	      pn, order);
	CHECK(!rec_count(MMUSPEC_EV_WARN, MMUSPEC_WARN_NOTIFIER),
	      "%s %s: no WARN, N has no end", pn, order);
	CHECK(rec_count(MMUSPEC_EV_MN_CALL, MMUSPEC_MN_END_CORE) == 1,
	      "%s %s: the caller ends only the blocking range", pn, order);
	if (bug) {
		CHECK(A.ends == 1,
		      "%s %s bug nonblock-end-after-fail: A's start is never ended",
		      pn, order);
		mmuspec_machine_destroy(m);
		return;
	}
	CHECK(A.ends == 2,
	      "%s %s: the core ends A's successful non-blocking start itself (c2655835fd8c)",
	      pn, order);
	CHECK(A.nonblock_ctx == 1 && N.nonblock_ctx == 1,
	      "%s %s: callbacks of a non-blockable range run in non_block_start()",
	      pn, order);
	CHECK(A.secondary == (p == MMUSPEC_V6_5 ? 1 : 0),
	      "%s %s: invalidate_range_end() %s ->invalidate_range", pn, order,
	      p == MMUSPEC_V6_5 ? "calls" : "never calls");
	mmuspec_reset(m);
	mmuspec_machine_destroy(m);
}

/*
 * B fails a non-blockable start although it implements an end: the kernel
 * WARNs and, not knowing whose start failed, calls B's end too.
 */
static void test_fail_with_end(enum mmuspec_profile p, int bug)
{
	struct mmuspec_machine *m = pair_machine(p, bug);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	const char *pn = mmuspec_profile_name(p);

	A.mn.ops = &ops;
	B.mn.ops = &ops;
	B.fail_nonblock = 1;
	mmu_notifier_register(&A.mn, mm);
	mmu_notifier_register(&B.mn, mm);
	rec_start(m);
	mmuspec_add_task(m, 0, 1, pair_body, NSTEPS(pair_body));
	mmuspec_run(m, NULL, NULL);
	CHECK(A.calls == 2 && B.calls == 2 && nonblock_ret() == -EAGAIN,
	      "%s: B fails, A's start is still called", pn);
	if (bug) {
		CHECK(!rec_count(MMUSPEC_EV_WARN, MMUSPEC_WARN_NOTIFIER) &&
			      A.ends == 1 && B.ends == 1,
		      "%s bug nonblock-end-after-fail: no WARN and no end after the failure",
		      pn);
	} else {
		CHECK(rec_count(MMUSPEC_EV_WARN, MMUSPEC_WARN_NOTIFIER) == 1,
		      "%s: a failing start with an end WARNs (c2655835fd8c)", pn);
		CHECK(A.ends == 2 && B.ends == 2,
		      "%s: the core ends A, and B after its failed start", pn);
	}
	mmuspec_machine_destroy(m);
}

static struct mmu_interval_notifier iv;
static int iv_fail;

static bool iv_invalidate(struct mmu_interval_notifier *s,
			  const struct mmu_notifier_range *r, unsigned long seq)
{
	if (iv_fail && !mmu_notifier_range_blockable(r))
		return false;
	mmu_interval_set_seq(s, seq);
	return true;
}

static const struct mmu_interval_notifier_ops iv_ops = { iv_invalidate };

static void read_begin(struct mmuspec_machine *m, void *arg)
{
	mmu_interval_read_begin(&iv);
}

/*
 * An interval notifier over the range and N, which fails the non-blocking
 * start. @who: 0 nobody fails (N is not registered), 1 N fails, 2 the
 * interval notifier fails. A reader then waits for the sequence.
 */
static void test_itree_after_fail(enum mmuspec_profile p, int who)
{
	struct mmuspec_machine *m = pair_machine(p, 0);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmu_notifier_subscriptions *subs;
	static const struct mmuspec_step nb_pair[] = {
		S4(mmu_notifier_invalidate_range_start_nonblock, 0x10000, 2,
		   MMU_NOTIFY_CLEAR, -1),
		S0(mmu_notifier_invalidate_range_end),
	};
	const char *pn = mmuspec_profile_name(p);
	enum mmuspec_run_result r;
	bool open;

	iv_fail = who == 2;
	N.mn.ops = &noend_ops;
	N.fail_nonblock = 1;
	mmu_interval_notifier_insert(&iv, mm, 0x10000, 0x2000, &iv_ops);
	if (who == 1)
		mmu_notifier_register(&N.mn, mm);
	subs = mm->notifier_subscriptions;
	/* Only a start that succeeded is ended. */
	mmuspec_add_task(m, 0, 1, nb_pair, who ? 1 : 2);
	mmuspec_run(m, NULL, NULL);
	open = subs->active_invalidate_ranges == 1 && (subs->invalidate_seq & 1);
	CHECK(who == 1 ? open : !subs->active_invalidate_ranges &&
				       !(subs->invalidate_seq & 1),
	      "%s: %s", pn,
	      who == 1 ? "an hlist start failing after the intervals leaves the interval invalidation open" :
	      who == 2 ? "an interval that fails ends its own invalidation" :
			 "a range that ends closes the interval invalidation");
	mmuspec_add_thread_fn(m, MMUSPEC_THREAD_TASK, 0, 1, read_begin, NULL);
	r = mmuspec_run(m, NULL, NULL);
	CHECK(who == 1 ? r == MMUSPEC_RUN_DEADLOCK : r == MMUSPEC_RUN_OK,
	      "%s: mmu_interval_read_begin() then %s", pn,
	      who == 1 ? "waits forever" : "returns");
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
		for (int bug = 0; bug < 2; bug++) {
			test_pairing(p, bug, 0);
			test_pairing(p, bug, 1);
			test_fail_with_end(p, bug);
		}
		for (int who = 0; who < 3; who++)
			test_itree_after_fail(p, who);
	}
	test_release_unregister();
	test_get_put();
	return unit_exit();
}
