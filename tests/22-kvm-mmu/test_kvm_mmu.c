// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 22: the kvm-mmu example driver in the model, under the oracle.
 */
#include "../20-sva-smmu/example_test.h"
#include "../../examples/kvm-mmu/kvm_mmu.h"

struct kvm_mmu *mmuspec_example_kvm_mmu_get(int dev);

static struct run *make(void)
{
	return run_new(make_machine(MMUSPEC_V7_0, MMUSPEC_X86_64,
				    MMUSPEC_DEV_MIRROR, 0, "kvm", 0, false));
}

static void dev_fault(struct mmuspec_machine *m, void *arg)
{
	struct dev_arg *a = arg;

	a->ret = kvm_mmu_fault(mmuspec_example_kvm_mmu_get(0), a->addr,
			       a->access == MMUSPEC_ACC_WRITE);
}

static void test_faults(void)
{
	struct run *r = make();

	if (CHECK(r->m, "machine with a kvm-mmu device"))
		mirror_fault_basics(r, dev_fault);
	run_free(r);
}

static void test_race(void)
{
	struct run *r = make();
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	unsigned int v, stale;
	const char *rule;
	struct dev_arg a;

	if (!r->m) {
		run_free(r);
		return;
	}
	/* Directed: the unmap runs between the lookup and mmu_lock. */
	run_begin(r);
	a = (struct dev_arg){ A0, MMUSPEC_ACC_READ, -1 };
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, dev_fault, &a);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, cpu_munmap,
			      (void *)A0);
	dir = (struct directed){ 0, 1, 0 };
	rep = run_go(r, choose_directed, &dir, &res);
	CHECK(res == MMUSPEC_RUN_OK && a.ret == -EFAULT && !dpt_maps(r->m, A0),
	      "unmap between lookup and mmu_lock: the fault retries and "
	      "finds the page gone (%d)",
	      a.ret);
	CHECK(mmuspec_example_kvm_mmu_get(0)->mmu_invalidate_seq == 1,
	      "... the sequence moved once");
	CHECK(!rep->rule, "... no rule broken (%s: %s)",
	      rep->rule ? rep->rule : "-", rep->why);

	mirror_race(r, dev_fault, 200, &v, &rule, &stale);
	CHECK(v == 0,
	      "fault vs munmap, 200 random schedules: no violation "
	      "(%u, %s)",
	      v, rule ? rule : "-");
	CHECK(stale == 0, "... and the device never keeps the unmapped page");
	run_free(r);
}

/*
 * A broken copy of kvm_mmu_fault(): the sequence and the in-progress count
 * left out. It installs what it resolved, however old (MN-SPTE).
 */
static void dev_fault_no_retry(struct mmuspec_machine *m, void *arg)
{
	struct kvm_mmu *kvm = mmuspec_example_kvm_mmu_get(0);
	struct dev_arg *a = arg;
	pte_t pte = __pte(hmm_range_fault_one(kvm->mm, a->addr, false));

	a->ret = -EFAULT;
	if (!pte_present(pte))
		return;
	spin_lock(&kvm->mmu_lock);
	dev_pte_install(kvm->dev, a->addr, pte_val(pte), pte_write(pte));
	spin_unlock(&kvm->mmu_lock);
	a->ret = 0;
}

/* The oracle's stale-snapshot check, both ways, on one schedule. */
static void test_stale_snapshot(void)
{
	static const struct {
		void (*fn)(struct mmuspec_machine *m, void *arg);
		const char *rule;
		const char *what;
	} cases[] = {
		{ dev_fault, NULL, "kvm_mmu_fault()" },
		{ dev_fault_no_retry, "MN-SPTE", "a fault path without retry" },
	};

	for (unsigned int i = 0; i < 2; i++) {
		struct run *r = make();
		enum mmuspec_run_result res;
		const struct oracle_report *rep;
		struct dev_arg a = { A0, MMUSPEC_ACC_READ, -1 };

		if (!r->m) {
			run_free(r);
			return;
		}
		/* the snapshot, then the whole munmap, then the install */
		run_begin(r);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0,
				      cases[i].fn, &a);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1,
				      cpu_munmap, (void *)A0);
		dir = (struct directed){ 0, 1, 0 };
		rep = run_go(r, choose_directed, &dir, &res);
		CHECK(cases[i].rule ? rep->rule &&
					      !strcmp(rep->rule,
						      cases[i].rule) &&
					      strstr(rep->why, "stale") :
				      res == MMUSPEC_RUN_OK && !rep->rule &&
					      a.ret == -EFAULT,
		      "%s, resolved before munmap, installing after it: %s (%s: %s)",
		      cases[i].what,
		      cases[i].rule ? "a stale snapshot (MN-SPTE)" :
				      "retries, nothing reported",
		      rep->rule ? rep->rule : "-", rep->why);
		run_free(r);
	}
}

/* Nested invalidations in one thread: the count and the union. */
struct nest {
	long in_progress[4];
	unsigned long start, end, seq[4];
};

static void cpu_nested(struct mmuspec_machine *m, void *arg)
{
	struct kvm_mmu *kvm = mmuspec_example_kvm_mmu_get(0);
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct mmu_notifier_range r1, r2;
	struct nest *n = arg;

	mmu_notifier_range_init(&r1, MMU_NOTIFY_CLEAR, 0, mm, A0,
				A0 + PAGE_SIZE);
	mmu_notifier_range_init(&r2, MMU_NOTIFY_CLEAR, 0, mm, A2,
				A2 + PAGE_SIZE);
	mmu_notifier_invalidate_range_start(&r1);
	n->in_progress[0] = kvm->mmu_invalidate_in_progress;
	n->seq[0] = kvm->mmu_invalidate_seq;
	mmu_notifier_invalidate_range_start(&r2);
	n->in_progress[1] = kvm->mmu_invalidate_in_progress;
	n->start = kvm->mmu_invalidate_range_start;
	n->end = kvm->mmu_invalidate_range_end;
	mmu_notifier_invalidate_range_end(&r2);
	n->in_progress[2] = kvm->mmu_invalidate_in_progress;
	n->seq[2] = kvm->mmu_invalidate_seq;
	mmu_notifier_invalidate_range_end(&r1);
	n->in_progress[3] = kvm->mmu_invalidate_in_progress;
	n->seq[3] = kvm->mmu_invalidate_seq;
}

static void test_nested(void)
{
	struct run *r = make();
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct nest n;

	if (!r->m) {
		run_free(r);
		return;
	}
	run_begin(r);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, cpu_nested, &n);
	rep = run_go(r, NULL, NULL, &res);
	CHECK(n.in_progress[0] == 1 && n.in_progress[1] == 2 &&
		      n.in_progress[2] == 1 && n.in_progress[3] == 0,
	      "nested invalidations: in progress 1, 2, 1, 0");
	CHECK(n.start == A0 && n.end == A2 + PAGE_SIZE,
	      "... the range is the union of both");
	CHECK(n.seq[0] == 0 && n.seq[2] == 1 && n.seq[3] == 2,
	      "... the sequence moves at each end, not at start");
	CHECK(!rep->rule, "... no rule broken (%s: %s)",
	      rep->rule ? rep->rule : "-", rep->why);
	run_free(r);
}

/* The young ops, by access tracking. */
struct young {
	int cfy[2], test[2];
};

static void cpu_young(struct mmuspec_machine *m, void *arg)
{
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct young *y = arg;

	y->test[0] = mmu_notifier_test_young(mm, A0);
	y->cfy[0] = mmu_notifier_clear_flush_young(mm, A0, A0 + PAGE_SIZE);
	y->cfy[1] = mmu_notifier_clear_young(mm, A0, A0 + PAGE_SIZE);
	y->test[1] = mmu_notifier_test_young(mm, A0);
}

static void test_young(void)
{
	struct run *r = make();
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct dev_arg a = { A0, MMUSPEC_ACC_READ, -1 };
	struct young y;

	if (!r->m) {
		run_free(r);
		return;
	}
	run_begin(r);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, dev_fault, &a);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, cpu_young, &y);
	rep = run_go(r, NULL, NULL, &res);
	CHECK(a.ret == 0 && y.test[0] == 1, "test_young after a fault: young");
	CHECK(y.cfy[0] == 1 && !dpt_maps(r->m, A0),
	      "clear_flush_young: was young, the entry is gone");
	CHECK(y.cfy[1] == 0 && y.test[1] == 0,
	      "clear_young, test_young after aging: old");
	CHECK(!rep->rule, "... no rule broken (%s: %s)",
	      rep->rule ? rep->rule : "-", rep->why);
	run_free(r);
}

static void cpu_end_only(struct mmuspec_machine *m, void *arg)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mmuspec_mm(m, 1),
				A0, A0 + PAGE_SIZE);
	mmu_notifier_invalidate_range_end(&range);
}

/* The guest uses the shadow MMU, then the VM is torn down. */
static void use_then_unregister(struct mmuspec_machine *m, void *arg)
{
	mmuspec_example_access(m, 0, A0, MMUSPEC_ACC_READ, 0);
	*(int *)arg = kvm_mmu_unregister(mmuspec_example_kvm_mmu_get(0));
}

static void test_unregister_race(void)
{
	check_unregister_race(make(), use_then_unregister);
}

static void test_misuse(void)
{
	struct run *r = make();
	enum mmuspec_run_result res;
	struct kvm_mmu *kvm;
	struct mm_struct *mm;

	if (!r->m) {
		run_free(r);
		return;
	}
	mmuspec_use(r->m);
	kvm = mmuspec_example_kvm_mmu_get(0);
	mm = mmuspec_mm(r->m, 1);
	mmuspec_set_warn_handler(count_warn, NULL);

	warns = 0;
	run_begin(r);
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1, cpu_end_only,
			      NULL);
	mmuspec_set_hook(r->m, NULL, NULL);
	res = mmuspec_run(r->m, NULL, NULL);
	CHECK(res == MMUSPEC_RUN_OK && warns == 1 &&
		      kvm->mmu_invalidate_in_progress == 0,
	      "an end without a start: a warning, the count stays at 0");

	mmuspec_reset(r->m);
	warns = 0;
	kvm->mn.ops->release(&kvm->mn, mm);
	CHECK(kvm_mmu_fault(kvm, A0, false) == -ENODEV && warns == 0,
	      "fault after ->release (the host exits): -ENODEV, no warning");

	mmuspec_reset(r->m);
	warns = 0;
	CHECK(kvm_mmu_register(kvm, mm) == -EBUSY && warns == 1,
	      "double register: -EBUSY and a warning");
	CHECK(kvm_mmu_unregister(kvm) == 0 && !kvm->registered,
	      "unregister: ->release ran");
	CHECK(kvm_mmu_unregister(kvm) == -ENOENT && warns == 2,
	      "second unregister: -ENOENT and a warning");
	CHECK(kvm_mmu_fault(kvm, A0, false) == -ENODEV && warns == 3,
	      "fault after unregister: -ENODEV and a warning");
	mmuspec_set_warn_handler(NULL, NULL);
	run_free(r);
}

int main(void)
{
	test_faults();
	test_race();
	test_stale_snapshot();
	test_nested();
	test_young();
	test_unregister_race();
	test_misuse();
	return unit_exit();
}
