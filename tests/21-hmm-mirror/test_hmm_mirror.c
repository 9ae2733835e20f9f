// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 21: the hmm-mirror example driver in the model, under the oracle.
 */
#include "../20-sva-smmu/example_test.h"
#include "../../examples/hmm-mirror/hmm_mirror.h"

struct hmm_mirror *mmuspec_example_hmm_mirror_get(int dev);

static struct mmuspec_machine *make(uint64_t bugs)
{
	return make_machine(MMUSPEC_V7_0, MMUSPEC_X86_64, MMUSPEC_DEV_MIRROR, 0,
			    "hmm", bugs, false);
}

static void dev_fault(struct mmuspec_machine *m, void *arg)
{
	struct dev_arg *a = arg;

	a->ret = hmm_mirror_fault(mmuspec_example_hmm_mirror_get(0), a->addr,
				  a->access == MMUSPEC_ACC_WRITE);
}

static pteval_t peek_pte(struct mmuspec_machine *m, unsigned long addr)
{
	return pte_offset_map(pmd_off(mmuspec_mm(m, 1), addr), addr)->pte;
}

static void test_faults(void)
{
	struct run *r = run_new(make(0));

	if (!CHECK(r->m, "machine with an hmm-mirror device")) {
		run_free(r);
		return;
	}
	CHECK(mmuspec_example_of(r->m, 0) ==
		      mmuspec_example_lookup("hmm-mirror"),
	      "device 0 is driven by the hmm-mirror example");
	CHECK(mmuspec_example_dev_of(
		      &mmuspec_example_hmm_mirror_get(0)->notifier) == 0,
	      "the example's subscription is known as device 0's");
	mirror_fault_basics(r, dev_fault);
	run_free(r);
}

/* A device fault racing munmap of the page, under random schedules. */
static void race(uint64_t bugs, unsigned int seeds, unsigned int *violations,
		 const char **rule, unsigned int *stale)
{
	struct run *r = run_new(make(bugs));

	*violations = 0;
	*rule = NULL;
	*stale = 0;
	if (r->m)
		mirror_race(r, dev_fault, seeds, violations, rule, stale);
	run_free(r);
}

static void test_race(void)
{
	unsigned int v, stale;
	const char *rule;
	struct run *r = run_new(make(0));
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct dev_arg a = { A0, MMUSPEC_ACC_READ, -1 };

	/* Directed: munmap runs between the snapshot and the retry check. */
	if (r->m) {
		run_begin(r);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0,
				      dev_fault, &a);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1,
				      cpu_munmap, (void *)A0);
		dir = (struct directed){ 0, 1, 0 };
		rep = run_go(r, choose_directed, &dir, &res);
		CHECK(res == MMUSPEC_RUN_OK && r->retries == 1,
		      "munmap between snapshot and lock: the fault retries once (%lu)",
		      r->retries);
		CHECK(a.ret == -EFAULT && !dpt_maps(r->m, A0),
		      "... then finds the page gone: -EFAULT, nothing mapped (%d)",
		      a.ret);
		CHECK(!rep->rule, "... no rule broken (%s: %s)",
		      rep->rule ? rep->rule : "-", rep->why);
		run_free(r);
		r = NULL;
	}

	race(0, 200, &v, &rule, &stale);
	CHECK(v == 0,
	      "fault vs munmap, 200 random schedules: no violation (%u, %s)", v,
	      rule ? rule : "-");
	CHECK(stale == 0, "... and the device never keeps the unmapped page");

	race(1ULL << MMUSPEC_BUG_HMM_RETRY_UNLOCKED, 200, &v, &rule, &stale);
	CHECK(v > 0 && rule && !strcmp(rule, "MN-RETRY"),
	      "bug 13 (retry check without the lock) is caught as MN-RETRY (%u, %s)",
	      v, rule ? rule : "-");
}

/* Non-blockable invalidation while the fault path holds the lock. */
static void hold_lock(struct mmuspec_machine *m, void *arg)
{
	struct hmm_mirror *mirror = mmuspec_example_hmm_mirror_get(0);

	mutex_lock(&mirror->lock);
	dir.switch_now = 1;
	msleep(1);
	msleep(1);
	mutex_unlock(&mirror->lock);
}

static void nonblock_start(struct mmuspec_machine *m, void *arg)
{
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmu_notifier_range range;
	int *ret = arg;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, A0,
				A0 + PAGE_SIZE);
	*ret = mmu_notifier_invalidate_range_start_nonblock(&range);
	if (!*ret)
		mmu_notifier_invalidate_range_end(&range);
}

static void test_nonblock(void)
{
	struct run *r = run_new(make(0));
	enum mmuspec_run_result res;
	int ret = 1;

	if (!r->m) {
		run_free(r);
		return;
	}
	run_begin(r);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, hold_lock,
			      NULL);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, nonblock_start,
			      &ret);
	dir = (struct directed){ 0, 1, 0 };
	run_go(r, choose_directed, &dir, &res);
	CHECK(ret == -EAGAIN,
	      "non-blockable invalidation with the lock taken: -EAGAIN (%d)",
	      ret);
	run_free(r);
}

/* MN-OWNER: our own MIGRATE is skipped, a foreign one zaps. */
static void owned_event(struct mmuspec_machine *m, void *arg)
{
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmu_notifier_range range;

	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_MIGRATE, 0, mm, A0,
				      A0 + PAGE_SIZE, arg);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
}

static void test_owner(void)
{
	struct run *r = run_new(make(0));
	enum mmuspec_run_result res;
	struct dev_arg a = { A0, MMUSPEC_ACC_READ, -1 };
	static int other;

	if (!r->m) {
		run_free(r);
		return;
	}
	mmuspec_use(r->m);
	for (int own = 1; own >= 0; own--) {
		run_begin(r);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0,
				      dev_access, &a);
		mmuspec_add_thread_fn(
			r->m, MMUSPEC_THREAD_TASK, 0, 1, owned_event,
			own ? (void *)mmuspec_dev_owner(0) : (void *)&other);
		run_go(r, NULL, NULL, &res);
		CHECK(dpt_maps(r->m, A0) == 0,
		      "MIGRATE with %s owner: device mapping zapped (the example never migrates, so no MIGRATE is its own)",
		      own ? "our" : "another");
	}
	run_free(r);
}

/* The device uses the mirror, then its driver unregisters it. */
static void use_then_unregister(struct mmuspec_machine *m, void *arg)
{
	mmuspec_example_access(m, 0, A0, MMUSPEC_ACC_READ, 0);
	*(int *)arg = hmm_mirror_unregister(mmuspec_example_hmm_mirror_get(0));
}

static void test_unregister_race(void)
{
	check_unregister_race(run_new(make(0)), use_then_unregister);
}

static void test_misuse(void)
{
	struct mmuspec_machine *m = make(0);
	struct hmm_mirror *mirror;
	struct mm_struct *mm;
	mmuspec_warn_fn old;

	if (!m)
		return;
	mmuspec_use(m);
	mirror = mmuspec_example_hmm_mirror_get(0);
	mm = mmuspec_mm(m, 1);
	old = mmuspec_set_warn_handler(count_warn, NULL);

	warns = 0;
	CHECK(hmm_mirror_register(mirror, mm, mm->start, PAGE_SIZE) == -EBUSY &&
		      warns == 1,
	      "double register: -EBUSY and a warning");
	CHECK(mmuspec_example_attach(m, 0, "hmm") == -EBUSY,
	      "attaching a second example driver: -EBUSY");
	CHECK(mmuspec_example_attach(m, 0, "nonesuch") == -ENOENT,
	      "attaching an unknown example: -ENOENT");
	CHECK(mmuspec_example_attach(m, 1, "hmm") == -EINVAL,
	      "attaching to a device that does not exist: -EINVAL");
	CHECK(hmm_mirror_fault(mirror, mm->end + PAGE_SIZE, false) == -EINVAL,
	      "fault outside the mirrored range: -EINVAL");
	mm->mm_users = 0; /* exit_mmap() has begun */
	CHECK(hmm_mirror_fault(mirror, A0, false) == -EFAULT &&
		      hmm_mirror_atomic(mirror, A0) == -EFAULT &&
		      !dpt_maps(m, A0) && mm->mm_users == 0,
	      "fault and atomic once the last user is gone: -EFAULT, nothing");
	mm->mm_users = 1;

	warns = 0;
	CHECK(hmm_mirror_unregister(mirror) == 0 && warns == 0,
	      "unregister: 0, no warning");
	CHECK(hmm_mirror_unregister(mirror) == -ENOENT && warns == 1,
	      "second unregister: -ENOENT and a warning");
	CHECK(hmm_mirror_fault(mirror, A0, false) == -ENODEV && warns == 2,
	      "fault on an unregistered mirror: -ENODEV and a warning");
	CHECK(hmm_mirror_register(mirror, mm, 1, PAGE_SIZE) == -EINVAL,
	      "register of an unaligned range: -EINVAL");
	CHECK(hmm_mirror_register(mirror, mm, PAGE_SIZE, 0) == -EINVAL,
	      "register of an empty range: -EINVAL");
	mmuspec_set_warn_handler(old, NULL);
	mmuspec_machine_destroy(m);
}

/* A device atomic, then a CPU read that takes the page back. */
struct atomic {
	int ret;
	int mapped_after_atomic;
	pteval_t cpu_pte_after_atomic;
};

static void dev_atomic(struct mmuspec_machine *m, void *arg)
{
	struct atomic *at = arg;

	at->ret = hmm_mirror_atomic(mmuspec_example_hmm_mirror_get(0), A0);
	at->mapped_after_atomic = dpt_maps(m, A0);
	at->cpu_pte_after_atomic =
		pte_offset_map(pmd_off(mmuspec_mm(m, 1), A0), A0)->pte;
}

static void cpu_read(struct mmuspec_machine *m, void *arg)
{
	struct mmuspec_step step = { MMUSPEC_STEP_user_read, 0, { A0 } };

	mmuspec_step_run(m, mmuspec_current(), &step);
}

static void test_atomic(void)
{
	struct run *r = run_new(make(0));
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct atomic at = { -1, -1, 0 };

	if (!r->m) {
		run_free(r);
		return;
	}
	run_begin(r);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, dev_atomic,
			      &at);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, cpu_read, NULL);
	rep = run_go(r, NULL, NULL, &res);
	CHECK(res == MMUSPEC_RUN_OK && at.ret == 0 &&
		      at.mapped_after_atomic == 2,
	      "device atomic: the device maps the page writable (%d)", at.ret);
	CHECK(is_device_exclusive_entry(__pte(at.cpu_pte_after_atomic)),
	      "... and the CPU PTE is a device-exclusive entry");
	CHECK(!dpt_maps(r->m, A0) && pte_present(__pte(peek_pte(r->m, A0))),
	      "a CPU read restores the PTE and zaps the device mapping");
	CHECK(!rep->rule, "... no rule broken (%s: %s)",
	      rep->rule ? rep->rule : "-", rep->why);
	run_free(r);
}

int main(void)
{
	test_faults();
	test_race();
	test_nonblock();
	test_owner();
	test_atomic();
	test_unregister_race();
	test_misuse();
	return unit_exit();
}
