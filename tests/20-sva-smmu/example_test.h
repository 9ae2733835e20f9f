/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * example_test.h - what the tests of the example drivers (chapters 20-23)
 * share: a machine with one device driven by an example, the oracle
 * listening, CPU-side kernel code written with the kernel API, device
 * threads, and a directed chooser for the races that matter.
 */
#ifndef MMUSPEC_TESTS_EXAMPLE_TEST_H
#define MMUSPEC_TESTS_EXAMPLE_TEST_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/preempt.h>
#include <mmuspec/device.h>
#include <mmuspec/examples.h>
#include <mmuspec/oracle.h>

#include "../unit.h"

#define A0 0x10000UL /* a populated, writable page */
#define A1 0x11000UL /* a populated page, read-only VMA */
#define A2 0x20000UL /* no VMA */
#define H0 0x200000UL /* a 2 MiB mapping, when asked for */

/**
 * struct run - a machine, its oracle and what the hook counted
 * @m: machine
 * @o: oracle
 * @retries: read_retry() calls that said "retry"
 * @installs: device page-table installs
 * @nev: events recorded in @ev
 * @ev: the run's events (the first 4096)
 */
struct run {
	struct mmuspec_machine *m;
	struct oracle *o;
	unsigned long retries;
	unsigned long installs;
	unsigned int nev;
	struct mmuspec_event ev[4096];
};

/*
 * A directed schedule: thread @first runs until @switch_now is set (by the
 * hook or a thread body), then thread @then runs whenever it can.
 */
struct directed {
	int first;
	int then;
	int switch_now;
};

static struct directed dir;

__attribute__((unused)) static unsigned int
choose_directed(const struct mmuspec_sched_info *info, void *ctx)
{
	struct directed *d = ctx;
	int want = d->switch_now ? d->then : d->first;

	for (unsigned int i = 0; i < info->n_runnable; i++)
		if (info->runnable[i] == want)
			return i;
	return 0;
}

static void run_hook(const struct mmuspec_event *ev, void *ctx)
{
	struct run *r = ctx;

	/* Directed: a device fault has its snapshot when it drops mmap_lock. */
	if (ev->type == MMUSPEC_EV_LOCK_RELEASE &&
	    ev->sub == MMUSPEC_LOCK_MMAP && ev->dev == 0)
		dir.switch_now = 1;
	if (ev->type == MMUSPEC_EV_SEQ && ev->sub == MMUSPEC_SEQ_READ_RETRY &&
	    ev->ret)
		r->retries++;
	if (ev->type == MMUSPEC_EV_DEV_PTE_WRITE && ev->new)
		r->installs++;
	if (r->nev < sizeof(r->ev) / sizeof(r->ev[0]))
		r->ev[r->nev++] = *ev;
	oracle_event(ev, r->o);
}

/**
 * make_machine() - one device driven by an example, two populated pages
 * @profile: kernel generation
 * @arch: architecture
 * @kind: device kind
 * @flags: MMUSPEC_DEV_* flags
 * @example: example name
 * @bugs: bug bits
 * @huge: also map a 2 MiB page at H0
 *
 * Return: the checkpointed machine, or NULL.
 */
__attribute__((unused)) static struct mmuspec_machine *
make_machine(enum mmuspec_profile profile, enum mmuspec_arch arch,
	     enum mmuspec_device_kind kind, unsigned int flags,
	     const char *example, uint64_t bugs, bool huge)
{
	struct mmuspec_config cfg;
	struct mmuspec_machine *m;

	mmuspec_config_default(&cfg, profile, arch);
	cfg.nr_devices = 1;
	cfg.dev[0].kind = kind;
	cfg.dev[0].flags = flags;
	cfg.dev[0].mm = 1;
	cfg.bugs = bugs;
	m = mmuspec_machine_create(&cfg);
	if (!m)
		return NULL;
	if (mmuspec_map(m, 1, A0, 1, VM_READ | VM_WRITE, true) ||
	    mmuspec_map(m, 1, A1, 1, VM_READ, true) ||
	    (huge && mmuspec_map_huge(m, 1, H0, false, true)) ||
	    mmuspec_example_attach(m, 0, example)) {
		mmuspec_machine_destroy(m);
		return NULL;
	}
	mmuspec_checkpoint(m);
	return m;
}

__attribute__((unused)) static struct run *run_new(struct mmuspec_machine *m)
{
	struct run *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->m = m;
	r->o = m ? oracle_create(m) : NULL;
	return r;
}

__attribute__((unused)) static void run_free(struct run *r)
{
	if (!r)
		return;
	oracle_destroy(r->o);
	if (r->m)
		mmuspec_machine_destroy(r->m);
	free(r);
}

/* Reset the machine and the oracle for the next run. */
__attribute__((unused)) static void run_begin(struct run *r)
{
	mmuspec_reset(r->m);
	oracle_begin(r->o);
	r->nev = 0;
	r->retries = 0;
	r->installs = 0;
}

__attribute__((unused)) static const struct oracle_report *
run_go(struct run *r, mmuspec_choose_fn choose, void *ctx,
       enum mmuspec_run_result *res)
{
	mmuspec_set_hook(r->m, run_hook, r);
	*res = mmuspec_run(r->m, choose, ctx);
	mmuspec_set_hook(r->m, NULL, NULL);
	return oracle_end(r->o, *res == MMUSPEC_RUN_OK);
}

/* The CPU side of munmap of one page, as zap_pte_range() does it. */
__attribute__((unused)) static void cpu_munmap(struct mmuspec_machine *m,
					       void *arg)
{
	unsigned long addr = (unsigned long)arg;
	struct mm_struct *mm = mmuspec_mm(m, 1);
	struct vm_area_struct vma = { mm, addr, addr + PAGE_SIZE,
				      VM_READ | VM_WRITE };
	struct mmu_notifier_range range;
	spinlock_t *ptl;
	pte_t *ptep, old;

	mmap_write_lock(mm);
	mmuspec_set_vma_flags(mm, addr, 1, 0);
	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm, addr,
				addr + PAGE_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	ptep = pte_offset_map_lock(mm, pmd_off(mm, addr), addr, &ptl);
	old = ptep_get_and_clear(mm, addr, ptep);
	flush_tlb_range(&vma, addr, addr + PAGE_SIZE);
	pte_unmap_unlock(ptep, ptl);
	mmu_notifier_invalidate_range_end(&range);
	if (pte_present(old))
		put_page(pfn_to_page(pte_pfn(old)));
	mmap_write_unlock(mm);
}

/**
 * struct dev_arg - what a device thread does and what it got
 * @addr: address
 * @access: &enum mmuspec_access
 * @ret: the access result or the driver's return value
 */
struct dev_arg {
	unsigned long addr;
	int access;
	int ret;
};

/* A device access with the example driver behind it. */
__attribute__((unused)) static void dev_access(struct mmuspec_machine *m,
					       void *arg)
{
	struct dev_arg *a = arg;

	a->ret = mmuspec_example_access(m, 0, a->addr, a->access, 7);
}

/* Does device 0's page table map @addr? 0: no, 1: read-only, 2: writable. */
__attribute__((unused)) static int dpt_maps(struct mmuspec_machine *m,
					    unsigned long addr)
{
	struct mmuspec_device *d = mmuspec_device(m, 0);

	for (unsigned int i = 0; i < d->nr_dpte; i++)
		if (d->dpt[i].va == addr)
			return 1 + !!(d->dpt[i].pte & _PAGE_RW);
	return 0;
}

/*
 * Faults of a mirror-kind example: write to a writable page, read of a
 * read-only one, write to a read-only VMA through the device's access
 * path; then @fault (the driver's own fault entry) on an unmapped address.
 */
__attribute__((unused)) static void
mirror_fault_basics(struct run *r,
		    void (*fault)(struct mmuspec_machine *m, void *arg))
{
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct dev_arg a[3] = { { A0, MMUSPEC_ACC_WRITE, -1 },
				{ A1, MMUSPEC_ACC_READ, -1 },
				{ A1, MMUSPEC_ACC_WRITE, -1 } };

	run_begin(r);
	for (int i = 0; i < 3; i++)
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0,
				      dev_access, &a[i]);
	rep = run_go(r, NULL, NULL, &res);
	CHECK(res == MMUSPEC_RUN_OK, "device accesses run to the end");
	CHECK(a[0].ret == MMUSPEC_ACC_OK && dpt_maps(r->m, A0) == 2,
	      "write to a writable page: mapped writable in the device");
	CHECK(a[1].ret == MMUSPEC_ACC_OK && dpt_maps(r->m, A1) == 1,
	      "read of a read-only page: mapped read-only in the device");
	CHECK(a[2].ret == MMUSPEC_ACC_SEGV,
	      "write to a read-only VMA: the fault fails (%d)", a[2].ret);
	CHECK(!rep->rule, "no rule broken (%s: %s)",
	      rep->rule ? rep->rule : "-", rep->why);

	run_begin(r);
	a[0] = (struct dev_arg){ A2, MMUSPEC_ACC_READ, 1 };
	mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, fault, &a[0]);
	run_go(r, NULL, NULL, &res);
	CHECK(a[0].ret == -EFAULT && !dpt_maps(r->m, A2),
	      "fault on an unmapped address: -EFAULT, nothing installed (%d)",
	      a[0].ret);
}

/*
 * @fault on A0 racing munmap of A0 under @seeds random schedules: counts
 * the runs the oracle flagged (*violations, the last *rule) and those that
 * ended with the device still mapping the unmapped page (*stale).
 */
__attribute__((unused)) static void
mirror_race(struct run *r, void (*fault)(struct mmuspec_machine *m, void *arg),
	    unsigned int seeds, unsigned int *violations, const char **rule,
	    unsigned int *stale)
{
	struct mmuspec_random_chooser rc;
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	struct dev_arg a;

	*violations = 0;
	*rule = NULL;
	*stale = 0;
	for (unsigned int s = 0; s < seeds; s++) {
		run_begin(r);
		a = (struct dev_arg){ A0, MMUSPEC_ACC_READ, -1 };
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1,
				      cpu_munmap, (void *)A0);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0, fault,
				      &a);
		mmuspec_random_init(&rc, s + 1, 50);
		rep = run_go(r, mmuspec_choose_random, &rc, &res);
		if (rep->rule) {
			(*violations)++;
			*rule = rep->rule;
		}
		if (res == MMUSPEC_RUN_OK && dpt_maps(r->m, A0))
			(*stale)++;
	}
}

/**
 * check_unregister_race() - a driver's teardown racing munmap, 100 times
 * @r: run, freed here
 * @unregister: device-thread body: accesses A0, then tears the driver
 *	down and stores what the teardown returned in *(int *)arg
 *
 * Checks that no random schedule breaks a rule, and that every run ends
 * cleanly: MMUSPEC_RUN_OK, the teardown returned 0, nothing left mapped.
 */
__attribute__((unused)) static void
check_unregister_race(struct run *r,
		      void (*unregister)(struct mmuspec_machine *m, void *arg))
{
	struct mmuspec_random_chooser rc;
	enum mmuspec_run_result res;
	const struct oracle_report *rep;
	unsigned int violations = 0, bad = 0;
	const char *rule = NULL;
	int ret;

	for (unsigned int s = 0; r->m && s < 100; s++) {
		run_begin(r);
		ret = -1;
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_DEVICE, 0, 0,
				      unregister, &ret);
		mmuspec_add_thread_fn(r->m, MMUSPEC_THREAD_TASK, 0, 1,
				      cpu_munmap, (void *)A0);
		mmuspec_random_init(&rc, s + 1, 50);
		rep = run_go(r, mmuspec_choose_random, &rc, &res);
		if (rep->rule) {
			violations++;
			rule = rep->rule;
		}
		if (res != MMUSPEC_RUN_OK || ret || dpt_maps(r->m, A0))
			bad++;
	}
	CHECK(r->m && violations == 0 && bad == 0,
	      "unregister while munmap invalidates, 100 random schedules: no violation (%u, %s), each returns 0 and leaves nothing mapped (%u did not)",
	      violations, rule ? rule : "-", bad);
	run_free(r);
}

static unsigned long warns;

__attribute__((unused)) static void count_warn(const char *file, int line,
					       const char *cond, void *data)
{
	warns++;
}

#endif
