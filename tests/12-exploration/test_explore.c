// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * test_explore.c - the runner's API (doc/12-exploration.md, 12.4): a
 * reloaded runner is the same machine as a fresh one, state for state and
 * event for event; the schedule accessors agree with each other; a written
 * counterexample parses back and replays to the same violation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/spinlock.h>
#include <mmuspec/explore.h>
#include <mmuspec/internal.h>

#include "../unit.h"

static struct litmus a, b, c, d, e, w, sh;
static struct litmus_error err;

/* Lazy nesting under v6.15, with two mappings made by the set-up. */
static const char text_a[] = "litmus 1\nname a\nprofile v6.15\narch arm64\n"
			     "cpus 2\n"
			     "map 0x1000 P1 rw\nmap 0x2000 P2 ro\n"
			     "thread T0 cpu 0\n"
			     "\tarch_enter_lazy_mmu_mode\n"
			     "\tuser_write 0x1000 5\n"
			     "\tarch_enter_lazy_mmu_mode\n"
			     "\tarch_leave_lazy_mmu_mode\n"
			     "\tarch_leave_lazy_mmu_mode\n"
			     "thread T1 cpu 1\n"
			     "\tuser_read 0x2000\n"
			     "\tmunmap 0x1000 1\n"
			     "expect forbidden LAZY-NEST\nrules LAZY-NEST\n";

/* Same configuration, other mappings and pages. */
static const char text_b[] = "litmus 1\nname b\nprofile v6.15\narch arm64\n"
			     "cpus 2\n"
			     "map 0x5000 P1 rw\nmap 0x6000 P1 rw\n"
			     "map 0x7000 P2 ro\nmap 0x40000 P3 rw\n"
			     "thread T0 cpu 0\n"
			     "\tuser_write 0x5000 1\n"
			     "\tmprotect 0x5000 2 ro\n"
			     "thread T1 cpu 1\n"
			     "\tuser_read 0x6000\n"
			     "expect allowed\nrules LAZY-NEST\n";

/* Another configuration (one CPU). */
/*
 * a's configuration, but set-ups that fail: one after the set-up task has
 * written its mappings (a pmd mapping where a PTE table is), one before
 * (a step out of range).
 */
static const char text_d[] = "litmus 1\nname d\nprofile v6.15\narch arm64\n"
			     "cpus 2\n"
			     "map 0x201000 P1 rw\nmap 0x200000 P2 rw pmd\n"
			     "thread T0 cpu 0\n"
			     "\tuser_read 0x1000\n"
			     "expect allowed\nrules LAZY-NEST\n";
static const char text_e[] = "litmus 1\nname e\nprofile v6.15\narch arm64\n"
			     "cpus 2\n"
			     "map 0x1000 P1 rw\n"
			     "thread T0 cpu 0\n"
			     "\tuser_read 0x900000\n"
			     "expect allowed\nrules LAZY-NEST\n";

static const char text_c[] = "litmus 1\nname c\nprofile v6.15\narch arm64\n"
			     "cpus 1\n"
			     "thread T0 cpu 0\n\tnop\n"
			     "expect allowed\nrules LAZY-NEST\n";

/* P1 mapped twice, P2 once; T0 unmaps what @unmap names. */
static const char text_sh[] = "litmus 1\nname sh\nprofile v6.15\n"
			      "arch arm64\ncpus 1\n"
			      "map 0x1000 P1 rw\nmap 0x2000 P1 rw\n"
			      "map 0x3000 P2 rw\n"
			      "thread T0 cpu 0\n"
			      "\tmunmap 0x2000 2\n"
			      "expect allowed\nrules TLB-FREE\n";

static long pfn_at(struct mmuspec_machine *m, unsigned long addr)
{
	int level;
	pteval_t *p = mmuspec_lookup_pte(mmuspec_mm(m, 1), addr, &level);

	return p && (*p & _PAGE_PRESENT) ? (long)pte_pfn(__pte(*p)) : -1;
}

static int refs_at(struct mmuspec_machine *m, unsigned long addr)
{
	long pfn = pfn_at(m, addr);

	return pfn < 0 ? -1 : m->pages[pfn]._refcount;
}

/* A page of two initial mappings holds two references, one of one. */
static void test_shared_refs(void)
{
	struct explore *x;
	struct mmuspec_machine *m;
	char why[256];
	long pfn2;
	int p1, p2;

	if (!CHECK(!litmus_parse("sh.litmus", text_sh, strlen(text_sh), &sh,
				 &err),
		   "test sh parses"))
		return;
	x = explore_open(&sh, NULL, why, sizeof(why));
	if (!CHECK(x != NULL, "explore_open builds test sh (%s)",
		   x ? "" : why))
		return;
	m = explore_machine(x);
	p1 = refs_at(m, 0x1000);
	p2 = refs_at(m, 0x3000);
	pfn2 = pfn_at(m, 0x3000);
	CHECK(p1 == 2 && refs_at(m, 0x2000) == 2,
	      "set-up: the page mapped twice holds two references (%d)", p1);
	CHECK(p2 == 1, "set-up: the page mapped once holds one (%d)", p2);
	explore_once(x, NULL, NULL, NULL);
	CHECK(refs_at(m, 0x1000) == 1 && refs_at(m, 0x2000) == -1 &&
		      refs_at(m, 0x3000) == -1 && pfn2 >= 0 &&
		      m->pages[pfn2]._refcount == 0,
	      "munmap of one of its mappings leaves the shared page one reference, and frees the other page");
	explore_close(x);
}

/*
 * A WARN nobody heard (here, a spinlock released unheld outside any run,
 * with no hook) fails the next set-up with its text; a clean one passes.
 */
static void test_setup_warn(void)
{
	struct explore *x;
	struct mmuspec_machine *m;
	spinlock_t lock;
	char why[256] = "";

	x = explore_open(&sh, NULL, why, sizeof(why));
	if (!CHECK(x != NULL, "explore_open builds test sh (%s)",
		   x ? "" : why))
		return;
	m = explore_machine(x);
	CHECK(!m->setup_warn && explore_reload(x, &sh, why, sizeof(why)) == 0,
	      "a clean set-up keeps no WARN and reloads");
	mmuspec_use(m);
	spin_lock_init(&lock);
	spin_unlock(&lock);
	CHECK(explore_reload(x, &sh, why, sizeof(why)) != 0 &&
		      strstr(why, "the set-up raised a WARN") &&
		      strstr(why, "not held"),
	      "an unheard lock WARN fails the set-up (%s)", why);
	explore_close(x);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *q = p;

	while (n--)
		h = (h ^ *q++) * 1099511628211ull;
	return h;
}

/* Every byte of the machine's small and large state. */
static uint64_t fingerprint(struct mmuspec_machine *m)
{
	uint64_t h = 14695981039346656037ull;
	const struct mmuspec_config *cfg = &m->cfg;

	for (unsigned int k = 0; k < m->nregions; k++)
		h = fnv(h, m->regions[k].p, m->regions[k].size);
	h = fnv(h, m->pages, cfg->nr_pages * sizeof(*m->pages));
	h = fnv(h, m->page_free, cfg->nr_pages * sizeof(*m->page_free));
	h = fnv(h, m->pt, m->nr_pt * sizeof(*m->pt));
	h = fnv(h, m->pt_mm, m->nr_pt);
	h = fnv(h, m->pt_base, m->nr_pt * sizeof(*m->pt_base));
	h = fnv(h, m->pt_free, m->nr_pt * sizeof(*m->pt_free));
	for (unsigned int k = 0; k <= cfg->nr_mms; k++) {
		unsigned long pages = k ? cfg->va_pages : cfg->kernel_va_pages;

		h = fnv(h, m->s.mm[k].pmd,
			pages / PTRS_PER_PTE * sizeof(pmd_t));
		h = fnv(h, m->s.mm[k].vm_flags, pages);
	}
	return h;
}

/* One random run and its counterexample text (the full event trace). */
static char *run_and_print(struct explore *x, uint64_t seed, const char **rule,
			   unsigned long *steps, char *names, size_t nn)
{
	struct mmuspec_random_chooser rc;
	const struct oracle_report *rep;
	enum mmuspec_run_result r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	mmuspec_random_init(&rc, seed, 50);
	rep = explore_once(x, mmuspec_choose_random, &rc, &r);
	*rule = rep->rule;
	*steps = explore_steps(x);
	explore_schedule_names(x, names, nn);
	f = open_memstream(&buf, &len);
	if (f) {
		explore_print_cex(x, f);
		fclose(f);
	}
	return buf;
}

int main(void)
{
	struct explore *x, *y;
	char why[256], n1[1024], n2[1024];
	const char *r1, *r2;
	unsigned long s1, s2;
	uint64_t fa, fb, fa2;
	unsigned char sched[512];
	size_t ns;
	int same = 1;

	CHECK(!litmus_parse("a.litmus", text_a, strlen(text_a), &a, &err) &&
		      !litmus_parse("b.litmus", text_b, strlen(text_b), &b,
				    &err) &&
		      !litmus_parse("c.litmus", text_c, strlen(text_c), &c,
				    &err),
	      "the three tests parse");

	x = explore_open(&a, NULL, why, sizeof(why));
	if (!CHECK(x != NULL, "explore_open builds test a (%s)", x ? "" : why))
		return unit_exit();
	fa = fingerprint(explore_machine(x));

	/* The same seeds on a fresh runner and on a reloaded one. */
	y = explore_open(&b, NULL, why, sizeof(why));
	if (!CHECK(y != NULL, "explore_open builds test b (%s)",
		   y ? "" : why)) {
		explore_close(x);
		return unit_exit();
	}
	fb = fingerprint(explore_machine(y));
	CHECK(fa != fb, "tests a and b have different set-up states");
	CHECK(explore_reload(y, &a, why, sizeof(why)) == 0,
	      "reload b -> a on the same configuration");
	fa2 = fingerprint(explore_machine(y));
	/* Pointers into the machine differ between machines: compare the
	 * reloaded machine with itself after another round trip instead. */
	CHECK(explore_reload(y, &b, why, sizeof(why)) == 0 &&
		      fingerprint(explore_machine(y)) == fb,
	      "reload a -> b gives b's set-up state, byte for byte");
	CHECK(explore_reload(y, &a, why, sizeof(why)) == 0 &&
		      fingerprint(explore_machine(y)) == fa2,
	      "reload b -> a gives a's set-up state, byte for byte");

	for (uint64_t seed = 1; seed <= 40; seed++) {
		char *t1 = run_and_print(x, seed, &r1, &s1, n1, sizeof(n1));
		char *t2 = run_and_print(y, seed, &r2, &s2, n2, sizeof(n2));

		if ((r1 != r2 && (!r1 || !r2 || strcmp(r1, r2))) || s1 != s2 ||
		    strcmp(n1, n2) || !t1 || !t2 || strcmp(t1, t2))
			same = 0;
		free(t1);
		free(t2);
	}
	CHECK(same, "40 random runs: fresh and reloaded runners give the same "
		    "verdict, steps, schedule and event trace");

	/* Runs do not leak into the checkpoint. */
	CHECK(fingerprint(explore_machine(y)) != 0 &&
		      (explore_once(y, NULL, NULL, NULL),
		       explore_reload(y, &a, why, sizeof(why)) == 0) &&
		      fingerprint(explore_machine(y)) == fa2,
	      "a run then a reload of the same test restores its set-up state");

	/* An unbuildable test leaves the runner usable. */
	CHECK(!litmus_parse("d.litmus", text_d, strlen(text_d), &d, &err) &&
		      explore_reload(y, &d, why, sizeof(why)) == -2,
	      "reload with a set-up failing half-way fails with -2: %s", why);
	CHECK(explore_reload(y, &a, why, sizeof(why)) == 0 &&
		      fingerprint(explore_machine(y)) == fa2,
	      "a reload after it gives a's set-up state, byte for byte");
	CHECK(!litmus_parse("e.litmus", text_e, strlen(text_e), &e, &err) &&
		      explore_reload(y, &e, why, sizeof(why)) == -2,
	      "reload with a step out of range fails with -2: %s", why);
	CHECK(explore_reload(y, &b, why, sizeof(why)) == 0 &&
		      fingerprint(explore_machine(y)) == fb,
	      "a reload after it gives b's set-up state, byte for byte");

	/* A different configuration is refused. */
	CHECK(explore_reload(y, &c, why, sizeof(why)) == -1 &&
		      strstr(why, "configuration"),
	      "reload with another configuration fails: %s", why);
	explore_close(y);

	/* The schedule accessors, and the counterexample written out. */
	{
		struct mmuspec_random_chooser rc;
		const struct oracle_report *rep = NULL;
		uint64_t seed;
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		for (seed = 1; seed < 200; seed++) {
			mmuspec_random_init(&rc, seed, 50);
			rep = explore_once(x, mmuspec_choose_random, &rc, NULL);
			if (rep->rule)
				break;
		}
		CHECK(rep && rep->rule && !strcmp(rep->rule, "LAZY-NEST"),
		      "a random run of test a violates LAZY-NEST");
		ns = explore_schedule(x, sched, sizeof(sched));
		explore_schedule_names(x, n1, sizeof(n1));
		CHECK(ns > 0 && ns <= sizeof(sched),
		      "the run made %zu decisions", ns);
		{
			size_t o = 0;
			char n3[1024];

			n3[0] = '\0';
			for (size_t k = 0; k < ns && o + 64 < sizeof(n3); k++)
				o += (size_t)snprintf(n3 + o, sizeof(n3) - o,
						      "%s%s", k ? " " : "",
						      a.threads[sched[k]].name);
			CHECK(!strcmp(n1, n3),
			      "explore_schedule and explore_schedule_names agree");
		}
		f = open_memstream(&buf, &len);
		CHECK(f && explore_write_cex(x, f, "LAZY-NEST") == 0,
		      "explore_write_cex writes the test");
		if (f)
			fclose(f);
		CHECK(buf && !litmus_parse("cex.litmus", buf, len, &w, &err),
		      "the counterexample parses back");
		CHECK(w.nsched == (int)ns && !memcmp(w.sched, sched, ns) &&
			      w.verdict == LITMUS_FORBIDDEN &&
			      !strcmp(w.expect_rule, "LAZY-NEST") &&
			      !strcmp(w.name, "a-cex"),
		      "it fixes the schedule and expects forbidden LAZY-NEST");
		free(buf);
		{
			struct explore_replay rp = { x, w.sched,
						     (size_t)w.nsched, 0, 0 };

			rep = explore_once(x, explore_choose_replay, &rp, NULL);
			CHECK(rep->rule && !strcmp(rep->rule, "LAZY-NEST") &&
				      !rp.diverged,
			      "its schedule replays to the same violation");
		}
		{
			struct explore_opts o = { .mode = EXPLORE_DFS,
						  .bound = 2,
						  .max_runs = 1000 };
			struct explore_result res;
			FILE *dn = fopen("/dev/null", "w");

			CHECK(explore_file(&w, &o, dn, &res) == 0 &&
				      res.runs == 1,
			      "explore_file passes the written counterexample "
			      "in one run (%s)",
			      res.msg);
			if (dn)
				fclose(dn);
		}
	}
	explore_close(x);
	test_shared_refs();
	test_setup_warn();
	return unit_exit();
}
