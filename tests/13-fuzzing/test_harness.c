// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Tests of the fuzz harness (doc/13-fuzzing.md, section 13.5): a litmus
 * test and its fuzz encoding give the same verdict, minimizing keeps the
 * finding, the litmus form of a finding parses back, and runners are
 * reused across inputs without leaking state.
 */
#include <stdlib.h>
#include <string.h>

#include <mmuspec/fuzz_run.h>
#include "../unit.h"

static const char nest[] = "litmus 1\n"
			   "name nest\n"
			   "profile v6.15\n"
			   "arch arm64\n"
			   "cpus 1\n"
			   "map 0x1000 P1 rw\n"
			   "thread T0 cpu 0\n"
			   "\tnop\n"
			   "\tarch_enter_lazy_mmu_mode\n"
			   "\tnop\n"
			   "\tarch_enter_lazy_mmu_mode\n"
			   "\tarch_leave_lazy_mmu_mode\n"
			   "\tarch_leave_lazy_mmu_mode\n"
			   "expect forbidden LAZY-NEST\n"
			   "rules LAZY-NEST\n";

static const char once[] = "litmus 1\n"
			   "name once\n"
			   "profile v6.15\n"
			   "arch arm64\n"
			   "cpus 1\n"
			   "map 0x1000 P1 rw\n"
			   "thread T0 cpu 0\n"
			   "\tarch_enter_lazy_mmu_mode\n"
			   "\tarch_leave_lazy_mmu_mode\n"
			   "expect allowed\n"
			   "rules LAZY-NEST\n";

/* An AB-BA deadlock of two driver mutexes: the model's, a finding. */
static const char abba[] = "litmus 1\n"
			   "name abba\n"
			   "profile v6.6\n"
			   "arch x86-64\n"
			   "cpus 2\n"
			   "map 0x1000 P1 rw\n"
			   "thread T0 cpu 0\n"
			   "\tmutex_lock lock0\n"
			   "\tmutex_lock lock1\n"
			   "\tmutex_unlock lock1\n"
			   "\tmutex_unlock lock0\n"
			   "thread T1 cpu 1\n"
			   "\tmutex_lock lock1\n"
			   "\tmutex_lock lock0\n"
			   "\tmutex_unlock lock0\n"
			   "\tmutex_unlock lock1\n"
			   "expect allowed\n"
			   "rules MN-PAIR\n";

/*
 * deadlocks() - run @t under 400 random two-thread schedules in the kernel
 * vocabulary; count known DEADLOCKs in *@known and findings in *@found.
 */
static void deadlocks(struct litmus *t, int *known, int *found)
{
	struct mmuspec_fuzz_result res;

	*known = *found = 0;
	srand(5);
	for (int i = 0; i < 400; i++) {
		t->nsched = 40;
		for (int k = 0; k < t->nsched; k++)
			t->sched[k] = (unsigned char)(rand() % 2);
		mmuspec_fuzz_run_test(t, MMUSPEC_FUZZ_KERNEL, &res);
		*known += res.known && !strcmp(res.known, "DEADLOCK");
		*found += res.rule != NULL;
	}
}

/*
 * Two tests of one machine configuration: the runner that ran four_tasks
 * is reused for with_callbacks, whose schedule names a callback block (no
 * model thread). The choice there must not depend on what ran before.
 */
#define SAME_CONFIG                                                          \
	"litmus 1\n"                                                          \
	"profile v6.6\n"                                                      \
	"arch arm64\n"                                                        \
	"cpus 2\n"                                                            \
	"device D0 kind=iommu driver=custom\n"                                \
	"map 0x1000 P1 rw\n"

static const char four_tasks[] = SAME_CONFIG "name four\n"
					     "thread T0 cpu 0\n"
					     "\tuser_read 0x1000\n"
					     "thread T1 cpu 1\n"
					     "\tnop\n"
					     "thread T2 cpu 0\n"
					     "\tnop\n"
					     "thread T3 cpu 1\n"
					     "\tuser_write 0x1000 1\n"
					     "expect allowed\n"
					     "rules FUZZ-TOTAL\n";

static const char with_callbacks[] = SAME_CONFIG "name callbacks\n"
						 "thread T0 cpu 0\n"
						 "\tuser_read 0x1000\n"
						 "\tuser_write 0x1000 2\n"
						 "thread T1 cpu 1\n"
						 "\tuser_write 0x1000 3\n"
						 "\tuser_read 0x1000\n"
						 "callback D0 invalidate_range_start\n"
						 "\tnop\n"
						 "callback D0 invalidate_range_end\n"
						 "\tnop\n"
						 "expect allowed\n"
					     "rules FUZZ-TOTAL\n";

static struct litmus t, back, other;


static int parse(const char *text, struct litmus *into)
{
	struct litmus_error err;

	if (!litmus_parse("test", text, strlen(text), into, &err))
		return 0;
	litmus_print_error(stderr, &err);
	return -1;
}

/* What a run did: its finding, its steps and its event digest. */
static void fingerprint(const struct mmuspec_fuzz_result *res, char *buf,
			size_t n)
{
	snprintf(buf, n, "%d %.24s at %.60s, %lu steps, events %016llx",
		 res->ran, res->rule ? res->rule : "none",
		 res->rule ? res->where : "-", res->steps,
		 (unsigned long long)res->digest);
}

/*
 * Step events carry the step's line in its litmus file: give the parsed
 * export the decoded test's lines, so that the digests compare the runs.
 */
static void same_lines(struct litmus *exported, const uint8_t *data,
		       size_t size, enum mmuspec_fuzz_vocab vocab)
{
	static struct litmus decoded;
	const uint8_t *sched;
	size_t nsched;

	mmuspec_fuzz_decode(data, size, vocab, &decoded, &sched, &nsched);
	for (int k = 0; k < exported->nthreads && k < decoded.nthreads; k++)
		for (int j = 0; j < exported->threads[k].nsteps &&
				j < decoded.threads[k].nsteps;
		     j++)
			exported->threads[k].steps[j].line =
				decoded.threads[k].steps[j].line;
}

/*
 * export_agrees() - run a fuzz input, then the litmus test it exports
 * (written, parsed back, run as litmus tests are); 1 if both runs did the
 * same, 0 if not (both fingerprints in @a and @b), -1 if nothing exported.
 * @nsched is set to the exported schedule's length.
 */
static int export_agrees(const uint8_t *data, size_t size,
			 enum mmuspec_fuzz_vocab vocab, char *a, char *b,
			 size_t n, int *nsched)
{
	static struct litmus exported;
	static char text[1 << 16];
	struct mmuspec_fuzz_result res;
	FILE *f = fmemopen(text, sizeof(text) - 1, "w");
	int rc;

	mmuspec_fuzz_set_digest(true);
	mmuspec_fuzz_run(data, size, vocab, &res);
	fingerprint(&res, a, n);
	if (!f)
		return -1;
	memset(text, 0, sizeof(text));
	rc = mmuspec_fuzz_write_litmus(data, size, vocab, f);
	if (fclose(f) || rc || parse(text, &exported))
		return -1;
	*nsched = exported.nsched;
	same_lines(&exported, data, size, vocab);
	mmuspec_fuzz_run_test(&exported, vocab, &res);
	mmuspec_fuzz_set_digest(false);
	fingerprint(&res, b, n);
	return !strcmp(a, b);
}

static long read_input(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

int main(void)
{
	struct mmuspec_fuzz_result res;
	static uint8_t in[4096], rnd[400];
	uint8_t *small = NULL;
	size_t small_len = 0;
	const char *why;
	char *text = NULL;
	size_t text_len;
	long len;
	FILE *f;
	int ran = 0;

	if (parse(nest, &t) || parse(once, &back))
		return 1;
	mmuspec_fuzz_run_test(&back, MMUSPEC_FUZZ_PRIMITIVES, &res);
	CHECK(res.ran && !res.rule, "a correct lazy region is no finding");
	mmuspec_fuzz_run_test(&t, MMUSPEC_FUZZ_PRIMITIVES, &res);
	CHECK(res.ran && res.rule && !strcmp(res.rule, "LAZY-NEST"),
	      "a nested lazy region under v6.15 is a LAZY-NEST finding (%s)",
	      res.rule ? res.rule : "none");

	len = mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_PRIMITIVES, in, sizeof(in),
				  &why);
	CHECK(len > 0, "the test encodes as a fuzz input");
	mmuspec_fuzz_run(in, (size_t)len, MMUSPEC_FUZZ_PRIMITIVES, &res);
	CHECK(res.ran && res.rule && !strcmp(res.rule, "LAZY-NEST"),
	      "the fuzz input gives the same finding");

	CHECK(!mmuspec_fuzz_minimize_input(in, (size_t)len,
					   MMUSPEC_FUZZ_PRIMITIVES, &small,
					   &small_len) &&
		      small_len < (size_t)len,
	      "minimizing shrinks the input (%zu -> %zu bytes)", (size_t)len,
	      small_len);
	mmuspec_fuzz_decode(small, small_len, MMUSPEC_FUZZ_PRIMITIVES, &back,
			    &(const uint8_t *){ NULL }, &(size_t){ 0 });
	CHECK(back.threads[0].nsteps == 2 &&
		      back.threads[0].steps[0].op == t.threads[0].steps[1].op &&
		      back.threads[0].steps[1].op == t.threads[0].steps[1].op,
	      "the minimized test is the two nested enters (%d steps)",
	      back.threads[0].nsteps);
	mmuspec_fuzz_run(small, small_len, MMUSPEC_FUZZ_PRIMITIVES, &res);
	CHECK(res.rule && !strcmp(res.rule, "LAZY-NEST"),
	      "the minimized input keeps the finding");

	f = open_memstream(&text, &text_len);
	CHECK(!mmuspec_fuzz_write_litmus(small, small_len,
					 MMUSPEC_FUZZ_PRIMITIVES, f),
	      "a finding is written as a litmus test");
	fclose(f);
	CHECK(!parse(text, &back) && back.verdict == LITMUS_FORBIDDEN &&
		      !strcmp(back.expect_rule, "LAZY-NEST"),
	      "which parses back and expects LAZY-NEST");
	free(text);
	free(small);

	/*
	 * The v6.5 arm64 upgrade breaks TLB-UPGRADE in the correct kernel:
	 * known, not a finding, for the kernel vocabulary; v6.6 never breaks it.
	 */
	for (int v = 0; v < 2; v++) {
		static const char *const files[] = {
			"corpus/litmus/tlb-upgrade-arm64-smmu-v6.5.litmus",
			"corpus/litmus/tlb-upgrade-arm64-smmu-v6.6.litmus"
		};
		struct litmus_error err;
		int known = 0, found = 0;

		if (litmus_parse_file(files[v], &back, &err)) {
			litmus_print_error(stderr, &err);
			return 1;
		}
		srand(11);
		for (int i = 0; i < 400; i++) {
			back.nsched = 40;
			for (int k = 0; k < back.nsched; k++)
				back.sched[k] = (unsigned char)(rand() % 2);
			mmuspec_fuzz_run_test(&back, MMUSPEC_FUZZ_KERNEL, &res);
			known += res.known && !strcmp(res.known, "TLB-UPGRADE");
			found += res.rule != NULL;
		}
		if (v == 0)
			CHECK(known && !found,
			      "v6.5 arm64: TLB-UPGRADE is a known generation bug, not a finding (%d known, %d findings)",
			      known, found);
		else
			CHECK(!known && !found,
			      "v6.6 arm64: the upgrade reaches the SMMU (%d known, %d findings)",
			      known, found);
	}

	/*
	 * The kernel's own hang (chapter 05): the OOM reaper's failed
	 * non-blocking start leaves the interval invalidation open and the
	 * mirror's read_begin waits forever. Known, not a finding; a deadlock
	 * of the model's own locks stays a finding.
	 */
	{
		static const char oom[] =
			"corpus/known/deadlock-oom-reaper-itree-open.litmus";
		struct litmus_error err;
		int known, found;

		if (litmus_parse_file(oom, &back, &err)) {
			litmus_print_error(stderr, &err);
			return 1;
		}
		deadlocks(&back, &known, &found);
		CHECK(known && !found,
		      "OOM reaper hang: a known DEADLOCK, not a finding (%d known, %d findings)",
		      known, found);
		if (parse(abba, &back))
			return 1;
		deadlocks(&back, &known, &found);
		CHECK(!known && found,
		      "AB-BA on driver mutexes: a DEADLOCK finding (%d known, %d findings)",
		      known, found);
	}

	/*
	 * A schedule entry naming a callback block leaves the choice to the
	 * default, whatever the runner ran before (it used to follow the
	 * previous test's thread map: a finding that did not replay alone).
	 */
	if (parse(four_tasks, &other) || parse(with_callbacks, &back))
		return 1;
	back.nsched = 4;
	memcpy(back.sched, (const unsigned char[]){ 1, 3, 3, 3 }, 4);
	mmuspec_fuzz_set_digest(true);
	mmuspec_fuzz_forget();
	mmuspec_fuzz_run_test(&back, MMUSPEC_FUZZ_KERNEL, &res);
	{
		uint64_t alone = res.digest;

		mmuspec_fuzz_run_test(&other, MMUSPEC_FUZZ_KERNEL, &res);
		CHECK(res.ran, "a four-task test runs");
		mmuspec_fuzz_run_test(&back, MMUSPEC_FUZZ_KERNEL, &res);
		CHECK(res.ran && alone && res.digest == alone,
		      "a test run after another on the same runner emits the events it emits alone (%016llx, %016llx)",
		      (unsigned long long)alone,
		      (unsigned long long)res.digest);
	}
	mmuspec_fuzz_set_digest(false);
	mmuspec_fuzz_run_test(&back, MMUSPEC_FUZZ_KERNEL, &res);
	CHECK(res.ran && !res.digest, "the digest is off unless asked for");

	/*
	 * A fuzz run and the litmus test it exports run the same way. The
	 * input is a kernel-target run cut off by the step bound while a task
	 * was preempted inside a vmalloc()'s lazy region: its PCT tail made
	 * 1,034 decisions, the export kept 512, and the replay went another
	 * way; and the oracle took the preempted task's queued writes for
	 * lost (LAZY-PREEMPT at RUN_END), where a run that did not finish
	 * gets no end-of-run check.
	 */
	{
		static uint8_t buf[4096];
		char a[160], b[160];
		long n = read_input("tests/13-fuzzing/lazy-preempt-step-bound.fuzz",
				    buf, sizeof(buf));
		int nsched = 0, agree = 0, differ = 0, none = 0;

		if (n < 0)
			return 1;
		mmuspec_fuzz_run(buf, (size_t)n, MMUSPEC_FUZZ_KERNEL, &res);
		CHECK(res.ran && !res.rule,
		      "a run cut off by the step bound is no LAZY-PREEMPT finding (%s)",
		      res.rule ? res.rule : "none");
		agree = export_agrees(buf, (size_t)n, MMUSPEC_FUZZ_KERNEL, a, b,
				      sizeof(a), &nsched);
		CHECK(agree == 1 && nsched > 512,
		      "its litmus export keeps all %d decisions and runs the same (%s; %s)",
		      nsched, a, b);
		agree = 0;
		srand(13);
		for (int i = 0; i < 300; i++) {
			size_t k, m = 24 + (size_t)rand() % 376;

			for (k = 0; k < m; k++)
				buf[k] = (uint8_t)rand();
			switch (export_agrees(buf, m, MMUSPEC_FUZZ_KERNEL, a, b,
					      sizeof(a), &nsched)) {
			case 1:
				agree++;
				break;
			case 0:
				if (!differ++)
					fprintf(stderr, "# input %d: %s; %s\n",
						i, a, b);
				break;
			default:
				none++;
			}
		}
		CHECK(agree > 100 && !differ,
		      "random kernel inputs: the litmus export runs as the input did (%d agree, %d differ, %d not exported)",
		      agree, differ, none);
	}

	/* Many configurations through the runner table, then the first again. */
	srand(7);
	for (int i = 0; i < 3000; i++) {
		size_t n = (size_t)rand() % sizeof(rnd);

		for (size_t k = 0; k < n; k++)
			rnd[k] = (uint8_t)rand();
		mmuspec_fuzz_run(rnd, n, MMUSPEC_FUZZ_PRIMITIVES, &res);
		ran += res.ran;
	}
	CHECK(ran > 0, "random inputs run (%d of 3000 built)", ran);
	mmuspec_fuzz_run(in, (size_t)len, MMUSPEC_FUZZ_PRIMITIVES, &res);
	CHECK(res.rule && !strcmp(res.rule, "LAZY-NEST"),
	      "after 3000 other inputs the first gives the same verdict");
	return unit_exit();
}
