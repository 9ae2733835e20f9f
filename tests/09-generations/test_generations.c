// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Chapter 09: the table of profile differences, checked row by row.
 */
#include "../unit.h"
#include "../model.h"

static unsigned int count_after(enum mmuspec_profile p, enum mmuspec_arch a,
				const struct mmuspec_step *s, unsigned int n,
				int type, int sub)
{
	struct mmuspec_config cfg;
	struct mmuspec_machine *m;
	unsigned int c;

	mmuspec_config_default(&cfg, p, a);
	cfg.nr_devices = 1;
	cfg.dev[0] = (struct mmuspec_device_config){ MMUSPEC_DEV_SVA, 0, 1, 0 };
	m = mmuspec_machine_create(&cfg);
	mmuspec_map(m, 1, 0x10000, 4, VM_READ | VM_WRITE, true);
	rec_start(m);
	mmuspec_add_task(m, 0, 1, s, n);
	mmuspec_run(m, NULL, NULL);
	c = rec_count(type, sub);
	mmuspec_machine_destroy(m);
	return c;
}

int main(void)
{
	static const struct mmuspec_step flush[] = { S1(flush_tlb_page,
							0x10000) };
	static const struct mmuspec_step range[] = {
		S4(mmu_notifier_invalidate_range_start, 0x10000, 1,
		   MMU_NOTIFY_CLEAR, -1),
		S0(mmu_notifier_invalidate_range_end),
	};
	static const struct mmuspec_step old_api[] = {
		S2(mmu_notifier_invalidate_range, 0x10000, 1),
	};
	static const struct mmuspec_step setptes[] = {
		S2(alloc_page, 0, 1),
		S0(lazy_mmu_mode_enable),
		S3(set_pte_at, 0x20000, 0, 1),
		S0(lazy_mmu_mode_disable),
	};
	static const struct mmuspec_step pause[] = {
		S0(lazy_mmu_mode_pause),
		S0(lazy_mmu_mode_resume),
	};
	const int sec = MMUSPEC_MN_ARCH_INVALIDATE_SECONDARY_TLBS;

	for (int p = 0; p < MMUSPEC_NR_PROFILES; p++) {
		const char *n = mmuspec_profile_name(p);
		bool v65 = p == MMUSPEC_V6_5;

		for (int a = 0; a < MMUSPEC_NR_ARCHES; a++)
			CHECK(count_after(p, a, flush, 1, MMUSPEC_EV_MN_CALL,
					  sec) == (v65 ? 0u : 1u),
			      "%s/%s: the arch flush %s the secondary-TLB op", n,
			      mmuspec_arch_name(a), v65 ? "does not call" : "calls");
		CHECK(count_after(p, MMUSPEC_X86_64, range, 2, MMUSPEC_EV_MN_CALL,
				  sec) == (v65 ? 1u : 0u),
		      "%s: invalidate_range_end() %s secondary TLBs", n,
		      v65 ? "invalidates" : "does not invalidate");
		CHECK(count_after(p, MMUSPEC_X86_64, old_api, 1,
				  MMUSPEC_EV_MN_CALL, sec) == (v65 ? 1u : 0u),
		      "%s: mmu_notifier_invalidate_range() %s", n,
		      v65 ? "exists" : "is gone");
		CHECK(count_after(p, MMUSPEC_X86_64, setptes, 4, MMUSPEC_EV_LAZY,
				  MMUSPEC_LAZY_ARCH_ENTER) ==
			      (p < MMUSPEC_V6_15 ? 2u : 1u),
		      "%s: set_pte_at() in a lazy region %s", n,
		      p < MMUSPEC_V6_15 ? "nests" : "does not nest");
		CHECK(count_after(p, MMUSPEC_X86_64, pause, 2, MMUSPEC_EV_LAZY,
				  MMUSPEC_LAZY_PAUSE) == 1,
		      "%s: pause is reported", n);
	}
	{
		struct mmuspec_config cfg;
		struct mmuspec_machine *m;

		for (int p = 0; p < MMUSPEC_NR_PROFILES; p++) {
			mmuspec_config_default(&cfg, p, MMUSPEC_ARM64);
			m = mmuspec_machine_create(&cfg);
			CHECK(m->lazy_backend == (p >= MMUSPEC_V6_15 ?
							  MMUSPEC_LAZY_ARM64 :
							  MMUSPEC_LAZY_GENERIC),
			      "%s/arm64: default lazy backend %s",
			      mmuspec_profile_name(p),
			      mmuspec_lazy_backend_name(m->lazy_backend));
			mmuspec_machine_destroy(m);
		}
	}
	for (int b = 1; b < MMUSPEC_NR_BUGS; b++)
		CHECK(strcmp(mmuspec_bug_name(b), "?"),
		      "bug %d has a name (%s)", b, mmuspec_bug_name(b));
	CHECK(mmuspec_profile_parse("v6.15") == MMUSPEC_V6_15 &&
		      mmuspec_profile_parse("v6.7") == -1 &&
		      mmuspec_arch_parse("x86_64") == MMUSPEC_X86_64 &&
		      mmuspec_arch_parse("arm64") == MMUSPEC_ARM64,
	      "profile and arch names parse");
	return unit_exit();
}
