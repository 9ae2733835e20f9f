// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * test_parse.c - the litmus parser (doc/11-litmus-format.md): a valid file
 * parses to the right fields, writes back to a file that parses to the same
 * text, and every class of malformed input gets its file:line:col error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuspec/config.h>
#include <mmuspec/litmus.h>

#include "../unit.h"

static struct litmus t, t2;
static struct litmus_error err;

#define HEAD                                                   \
	"litmus 1\nname t\nprofile v6.6\narch arm64\ncpus 2\n" \
	"expect allowed\nrules MN-PAIR\n"

static const char good[] =
	"# a comment line\n"
	"\n"
	"litmus 1   # version\n"
	"name cow-notify.v1\n"
	"about a write fault # with a comment\n"
	"profile v7.0\n"
	"arch x86-64\n"
	"cpus 2\n"
	"device D kind=iommu flags=btm,ats tlb=4k,2m driver=custom\n"
	"map 0x1000 P1 ro\n"
	"map 0x200000 zero ro pmd\n"
	"map 0x5000 K rw kernel\n"
	"thread T0 cpu 0\n"
	"\thandle_mm_fault 0x1000 1\n"
	"\n"
	"\t# comment inside a block\n"
	"  user_write 0x1000 7\n"
	"thread T1 cpu 1\n"
	"\tuser_read 0x1000\n"
	"irq I cpu 1\n"
	"\tset_pte_at 0x5000 r1 ro\r\n"
	"thread DEV device D\n"
	"\tdev_read 0x1000\n"
	"\tmake_device_exclusive 0x1000 D\n"
	"callback D invalidate_range_start\n"
	"\tspin_lock lock0\n"
	"\tdev_pte_zap 0x1000 1\n"
	"\tspin_unlock lock0\n"
	"schedule T0*2 T1 DEV I\n"
	"expect forbidden TLB-ORDER\n"
	"rules TLB-ORDER MN-SPTE\n"
	"source Documentation/mm/mmu_notifier.rst #B\n"
	"source commit 6bbd42e2df8f (\xc3\xa9)\n";

static void test_good(void)
{
	int r = litmus_parse("good.litmus", good, sizeof(good) - 1, &t, &err);

	if (!CHECK(r == 0, "a complete file parses"))
		litmus_print_error(stdout, &err);
	CHECK(!strcmp(t.name, "cow-notify.v1"), "name");
	CHECK(!strcmp(t.about, "a write fault"),
	      "about text stops at a comment");
	CHECK(t.profile == LITMUS_V7_0 && t.arch == LITMUS_X86_64 &&
		      t.ncpus == 2,
	      "profile, arch, cpus");
	CHECK(t.ndevices == 1 &&
		      t.devices[0].flags == (LITMUS_DEV_BTM | LITMUS_DEV_ATS) &&
		      t.devices[0].tlb_sizes ==
			      (LITMUS_TLB_4K | LITMUS_TLB_2M) &&
		      t.devices[0].driver == LITMUS_DRV_CUSTOM,
	      "device attributes");
	CHECK(t.nmaps == 3 && t.maps[1].flags == LITMUS_MAP_PMD &&
		      t.maps[2].flags == LITMUS_MAP_KERNEL &&
		      t.maps[0].prot == LITMUS_PROT_RO,
	      "mappings");
	CHECK(t.npages == 3 && !strcmp(t.pages[2], "K"),
	      "pages are named in order of first use");
	CHECK(t.nthreads == 5, "four runners and a callback");
	CHECK(t.threads[0].nsteps == 2 && t.threads[0].steps[1].line == 17,
	      "blank and comment lines do not end a block; steps keep lines");
	CHECK(t.threads[2].kind == LITMUS_IRQ && t.threads[2].cpu == 1,
	      "irq on cpu 1");
	CHECK(t.threads[3].kind == LITMUS_DEVICE && t.threads[3].device == 0,
	      "device thread");
	CHECK(t.threads[4].kind == LITMUS_CALLBACK &&
		      t.threads[4].cb_op == LITMUS_CB_START &&
		      t.threads[4].nsteps == 3,
	      "callback block");
	CHECK(t.threads[4].steps[1].args[1] == 1 &&
		      t.threads[3].steps[1].args[1] == 0,
	      "numeric and owner arguments");
	CHECK(t.nsched == 5 && t.sched[0] == 0 && t.sched[1] == 0 &&
		      t.sched[2] == 1 && t.sched[3] == 3 && t.sched[4] == 2,
	      "schedule with a repeat");
	CHECK(t.verdict == LITMUS_FORBIDDEN &&
		      !strcmp(t.expect_rule, "TLB-ORDER") && t.expect_col == 18,
	      "forbidden verdict and its column");
	CHECK(t.nrules == 2 && t.nsources == 2 &&
		      !strcmp(t.sources[0],
			      "Documentation/mm/mmu_notifier.rst"),
	      "rules and sources");
}

static void test_round_trip(void)
{
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	FILE *f;

	f = open_memstream(&a, &na);
	litmus_write(f, &t);
	fclose(f);
	if (!CHECK(litmus_parse("rt.litmus", a, na, &t2, &err) == 0,
		   "written test parses back"))
		litmus_print_error(stdout, &err);
	f = open_memstream(&b, &nb);
	litmus_write(f, &t2);
	fclose(f);
	CHECK(na == nb && !memcmp(a, b, na), "writing is a fixed point");
	CHECK(t2.nsched == t.nsched && !memcmp(t2.sched, t.sched, t.nsched) &&
		      t2.nthreads == t.nthreads,
	      "schedule and threads survive the round trip");
	free(a);
	free(b);
}

/*
 * The longest schedule, over the longest thread names: written over several
 * schedule lines, each within LITMUS_MAX_LINE, that parse back to it. A
 * line of the old single-line form is refused at its line and column.
 */
static void test_long_schedule(void)
{
	static char big[8 * LITMUS_MAX_LINE];
	static struct litmus lt, back;
	char *a = NULL, *line;
	size_t na = 0, longest = 0;
	int lines = 0, o;
	FILE *f;

	int two[2], n = 0;

	if (!CHECK(litmus_parse("good.litmus", good, strlen(good), &lt,
				&err) == 0,
		   "the good test parses"))
		return;
	for (int k = 0; k < lt.nthreads && n < 2; k++) {
		if (lt.threads[k].kind == LITMUS_CALLBACK)
			continue;
		memset(lt.threads[k].name, 'A' + n, LITMUS_NAME_LEN - 1);
		lt.threads[k].name[LITMUS_NAME_LEN - 1] = '\0';
		two[n++] = k;
	}
	if (!CHECK(n == 2, "the test has two threads to schedule"))
		return;
	lt.nsched = LITMUS_MAX_SCHED;
	for (int k = 0; k < LITMUS_MAX_SCHED; k++)
		lt.sched[k] = (unsigned char)two[k % 2];
	f = open_memstream(&a, &na);
	litmus_write(f, &lt);
	fclose(f);
	for (line = a; line && *line; line = strchr(line, '\n') + 1) {
		size_t len = strcspn(line, "\n");

		longest = len > longest ? len : longest;
		lines += !strncmp(line, "schedule ", 9);
		if (!line[len])
			break;
	}
	CHECK(lines > 1 && longest <= 200,
	      "a %d-entry schedule is written over %d lines of at most 200 bytes (longest %zu)",
	      LITMUS_MAX_SCHED, lines, longest);
	if (!CHECK(litmus_parse("long.litmus", a, na, &back, &err) == 0,
		   "the long schedule parses back"))
		litmus_print_error(stdout, &err);
	CHECK(back.nsched == LITMUS_MAX_SCHED &&
		      !memcmp(back.sched, lt.sched, LITMUS_MAX_SCHED),
	      "its %d entries survive in order", LITMUS_MAX_SCHED);
	free(a);
	/* One schedule line of more than LITMUS_MAX_LINE bytes is an error. */
	o = snprintf(big, sizeof(big),
		     "litmus 1\nname x\nprofile v6.15\narch x86-64\ncpus 1\n"
		     "thread T0 cpu 0\n\tnop\nexpect allowed\nrules TLB-STALE\n"
		     "schedule");
	while (o < (int)sizeof(big) - 8 && o < 9 * 16 + LITMUS_MAX_LINE)
		o += snprintf(big + o, sizeof(big) - (size_t)o, " T0");
	big[o++] = '\n';
	CHECK(litmus_parse("over.litmus", big, (size_t)o, &back, &err) != 0 &&
		      err.line == 10 && err.col == LITMUS_MAX_LINE + 1 &&
		      strstr(err.msg, "at most 400 bytes"),
	      "an over-long line is refused at over.litmus:%d:%d (%s)",
	      err.line, err.col, err.msg);
}

struct bad {
	const char *what, *text;
	int line, col;
	const char *msg;
};

static const struct bad bad[] = {
	{ "empty file", "", 0, 0, "expected the version line" },
	{ "no version line", "name t\n", 1, 1, "expected the version line" },
	{ "wrong version", "litmus 2\n", 1, 8, "expected format version 1" },
	{ "junk after version", "litmus 1 x\n", 1, 10, "expected end of line" },
	{ "control byte", "litmus 1\nna\x01me t\n", 2, 3, "control byte" },
	{ "NUL byte", "litmus 1\n\0\n", 2, 1, "control byte" },
	{ "non-ASCII keyword", "litmus 1\nn\xc3\xa9\n", 2, 2,
	  "expected ASCII" },
	{ "unknown keyword", "litmus 1\nnmae t\n", 2, 1,
	  "expected a declaration keyword" },
	{ "bad test name", "litmus 1\nname Foo\n", 2, 6,
	  "expected a test name" },
	{ "missing test name", "litmus 1\nname\n", 2, 5,
	  "expected a test name" },
	{ "duplicate singleton", "litmus 1\nname a\nname b\n", 3, 1,
	  "expected one 'name' line, got a second (first at line 2)" },
	{ "bad profile", "litmus 1\nprofile v6.7\n", 2, 9,
	  "expected a kernel profile (v6.5, v6.6, v6.15 or v7.0), got 'v6.7'" },
	{ "bad arch", "litmus 1\narch riscv\n", 2, 6,
	  "expected an architecture" },
	{ "cpus out of range", "litmus 1\ncpus 9\n", 2, 6,
	  "expected 1 to 4 CPUs" },
	{ "bad number", "litmus 1\ncpus 0x\n", 2, 6, "decimal or 0x number" },
	{ "number overflow", "litmus 1\ncpus 99999999999999999999\n", 2, 6,
	  "fits in 64 bits" },
	{ "bad device attribute", "litmus 1\ndevice D colour=red\n", 2, 10,
	  "expected a device attribute" },
	{ "bad device flag", "litmus 1\ndevice D flags=btm,foo\n", 2, 20,
	  "expected a device flag" },
	{ "repeated device attribute", "litmus 1\ndevice D tlb=4k tlb=2m\n", 2,
	  17, "expected each attribute once" },
	{ "empty attribute value", "litmus 1\ndevice D kind=\n", 2, 15,
	  "expected a value after 'kind='" },
	{ "duplicate device", "litmus 1\ndevice D\ndevice D\n", 3, 8,
	  "expected a new device name" },
	{ "misaligned map", "litmus 1\nmap 0x1001 P ro\n", 2, 5,
	  "expected a 4 KiB-aligned address" },
	{ "misaligned pmd map", "litmus 1\nmap 0x1000 P ro pmd\n", 2, 5,
	  "expected a 2 MiB-aligned address" },
	{ "bad protection", "litmus 1\nmap 0x1000 P rwx\n", 2, 14,
	  "expected a protection (none, ro or rw)" },
	{ "double map", "litmus 1\nmap 0x1000 P ro\nmap 0x1000 Q ro\n", 3, 5,
	  "expected an address not mapped yet" },
	{ "bad page name", "litmus 1\nmap 0x1000 1P ro\n", 2, 12,
	  "expected a page name" },
	{ "step outside a block", "litmus 1\n\tuser_read 0x1000\n", 2, 2,
	  "expected a declaration in column 1" },
	{ "thread before cpus", "litmus 1\nthread T cpu 0\n", 2, 14,
	  "expected a 'cpus' declaration before" },
	{ "cpu out of range", "litmus 1\ncpus 1\nthread T cpu 1\n", 3, 14,
	  "expected a CPU number below 1" },
	{ "thread on unknown device", "litmus 1\nthread T device X\n", 2, 17,
	  "expected a declared device" },
	{ "thread kind", "litmus 1\nthread T gpu 0\n", 2, 10,
	  "expected 'cpu' or 'device'" },
	{ "irq on a device", "litmus 1\nirq I device D\n", 2, 7,
	  "expected 'cpu', got 'device'" },
	{ "duplicate thread",
	  "litmus 1\ncpus 1\nthread T cpu 0\n\tuser_read 0x1000\nthread T cpu 0\n",
	  5, 8, "expected a new thread name" },
	{ "unknown driver", "litmus 1\ndevice D driver=kvm2\n", 2, 17,
	  "expected a driver (sva, hmm, kvm, custom, sva-smmu, hmm-mirror or kvm-mmu), got 'kvm2'" },
	{ "example driver on the wrong kind",
	  "litmus 1\ndevice D kind=iommu driver=hmm-mirror\n", 2, 28,
	  "expected a driver for a kind=iommu device (driver=hmm-mirror drives kind=mirror devices)" },
	{ "kvm on an iommu, kind after driver",
	  "litmus 1\ndevice D driver=kvm-mmu kind=iommu\n", 2, 17,
	  "expected a driver for a kind=iommu device (driver=kvm drives kind=mirror devices)" },
	{ "sva-smmu on a mirror",
	  "litmus 1\ndevice D kind=mirror driver=sva-smmu\n", 2, 29,
	  "expected a driver for a kind=mirror device (driver=sva-smmu drives kind=iommu devices)" },
	{ "callback on an example driver",
	  "litmus 1\ndevice D driver=hmm-mirror\ncallback D invalidate\n", 3, 10,
	  "expected a device with driver=custom" },
	{ "callback on a non-custom device",
	  "litmus 1\ndevice D\ncallback D invalidate\n", 3, 10,
	  "expected a device with driver=custom" },
	{ "bad callback op",
	  "litmus 1\ndevice D driver=custom\ncallback D change_pte\n", 3, 12,
	  "expected a notifier op" },
	{ "unknown step", "litmus 1\ncpus 1\nthread T cpu 0\n\tfrobnicate 1\n",
	  4, 2, "expected a step operation" },
	{ "step in the wrong block",
	  "litmus 1\ndevice D\nthread T device D\n\tmunmap 0x1000 1\n", 4, 2,
	  "expected a step that can run in a device thread, got 'munmap'" },
	{ "too many arguments",
	  "litmus 1\ncpus 1\nthread T cpu 0\n\tflush_tlb_page 0x1000 0x2000\n",
	  4, 24, "expected at most 1 argument for 'flush_tlb_page'" },
	{ "missing argument",
	  "litmus 1\ncpus 1\nthread T cpu 0\n\tuser_write 0x1000\n", 4, 19,
	  "expected a value (argument 2 of 'user_write')" },
	{ "argument out of range",
	  "litmus 1\ncpus 1\nthread T cpu 0\n\tuser_write 0x1000 256\n", 4, 20,
	  "expected a value from 0 to 255, got 256" },
	{ "misaligned step address",
	  "litmus 1\ncpus 1\nthread T cpu 0\n\tuser_read 0x10\n", 4, 12,
	  "expected an address (4 KiB-aligned)" },
	{ "bad word argument",
	  "litmus 1\ncpus 1\nthread T cpu 0\n\tset_pte_at 0x1000 r1 exec\n", 4,
	  23,
	  "expected a protection (none, ro, wo, rw, xo, rx, wx or rwx), got 'exec'" },
	{ "bad owner",
	  "litmus 1\ncpus 1\nthread T cpu 0\n\tmake_device_exclusive 0x1000 X\n",
	  4, 31, "expected an owner (a declared device or none), got 'X'" },
	{ "schedule names a callback",
	  "litmus 1\ndevice D driver=custom\ncallback D release\n\tdev_pte_zap 0x0 1\nschedule D.release\n",
	  5, 10, "expected the name of a thread or irq" },
	{ "schedule before threads", "litmus 1\nschedule T\n", 2, 10,
	  "expected the name of a thread or irq declared above" },
	{ "bad repeat",
	  "litmus 1\ncpus 1\nthread T cpu 0\n\tuser_read 0x1000\nschedule T*0\n",
	  5, 12, "expected a repeat count from 1" },
	{ "empty schedule", "litmus 1\nschedule\n", 2, 9,
	  "expected a thread name" },
	{ "bad verdict", "litmus 1\nexpect maybe\n", 2, 8,
	  "expected a verdict" },
	{ "forbidden without rule", "litmus 1\nexpect forbidden\n", 2, 17,
	  "expected the rule ID that must fire" },
	{ "bad rule ID", "litmus 1\nrules mn-pair\n", 2, 7,
	  "expected a rule ID" },
	{ "rule ID with double dash", "litmus 1\nrules MN--PAIR\n", 2, 7,
	  "expected a rule ID" },
	{ "duplicate rule", "litmus 1\nrules MN-PAIR MN-PAIR\n", 2, 15,
	  "expected distinct rule IDs" },
	{ "empty source", "litmus 1\nsource   \n", 2, 10,
	  "expected a source citation" },
	{ "long line",
	  "litmus 1\nabout "
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	  2, 401, "expected a line of at most 400 bytes" },
	{ "long text",
	  "litmus 1\nabout "
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	  2, 7, "expected a description of at most 199 bytes" },
	{ "missing declaration", "litmus 1\nname t\n", 3, 1,
	  "expected a 'profile' declaration before the end of the file" },
	{ "no thread", HEAD, 8, 1, "expected a 'thread' or 'irq' declaration" },
	{ "empty thread", HEAD "thread T cpu 0\n", 8, 0,
	  "expected at least one step in 'T'" },
	{ "forbidden rule not listed",
	  "litmus 1\nname t\nprofile v6.6\narch arm64\ncpus 1\nexpect forbidden TLB-FREE\n"
	  "rules MN-PAIR\nthread T cpu 0\n\tuser_read 0x1000\n",
	  7, 0,
	  "expected the rules line to list the forbidden rule 'TLB-FREE'" },
	{ "quoted junk", "litmus 1\nprofile \xff\xfe\n", 2, 9,
	  "expected ASCII" },
	{ "unknown bug name", "litmus 1\nbug cow-delayed-secondary nope\n", 2,
	  27, "expected a bug name" },
	{ "bug without a name", "litmus 1\nbug\n", 2, 4,
	  "expected a bug name" },
};

static void test_bad(void)
{
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		const struct bad *b = &bad[k];
		size_t len = strlen(b->text);
		int r;

		if (!strcmp(b->what, "NUL byte"))
			len = 12;
		r = litmus_parse("bad.litmus", b->text, len, &t, &err);
		if (!CHECK(r == -1 && err.line == b->line &&
				   err.col == b->col &&
				   strstr(err.msg, b->msg) &&
				   !strcmp(err.path, "bad.litmus"),
			   "error class: %s", b->what))
			printf("# got r=%d %d:%d: %s\n", r, err.line, err.col,
			       err.msg);
	}
}

static void test_print_and_file(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	litmus_parse("x.litmus", "litmus 1\nprofile v9\n", 20, &t, &err);
	litmus_print_error(f, &err);
	fclose(f);
	CHECK(!strncmp(s, "x.litmus:2:9: error: expected a kernel profile", 46),
	      "errors print as file:line:col: error: expected ...");
	free(s);
	CHECK(litmus_parse_file("/nonexistent/x.litmus", &t, &err) == -1 &&
		      strstr(err.msg, "expected a readable file"),
	      "an unreadable file is an error, not a crash");
}

/* The bug line: names to bits, written back, round trip. */
static void test_bug(void)
{
	static const char text[] = HEAD
		"thread T cpu 0\n\tnop\n"
		"bug exclusive-no-notify\n"
		"bug cow-delayed-secondary  ats-keeps-2m\n";
	char *a = NULL;
	size_t na = 0;
	FILE *f;

	CHECK(litmus_parse("bug.litmus", text, strlen(text), &t, &err) == 0,
	      "bug lines parse");
	CHECK(t.bugs == ((1ull << MMUSPEC_BUG_EXCLUSIVE_NO_NOTIFY) |
			 (1ull << MMUSPEC_BUG_COW_DELAYED_SECONDARY) |
			 (1ull << MMUSPEC_BUG_ATS_KEEPS_2M)),
	      "bug names set the model's bug bits");
	f = open_memstream(&a, &na);
	litmus_write(f, &t);
	fclose(f);
	CHECK(a && strstr(a, "bug exclusive-no-notify\n") &&
		      !litmus_parse("bug2.litmus", a, na, &t2, &err) &&
		      t2.bugs == t.bugs,
	      "bug lines are written back and parse to the same bits");
	free(a);
}

int main(void)
{
	test_good();
	test_bug();
	test_round_trip();
	test_long_schedule();
	test_bad();
	test_print_and_file();
	return unit_exit();
}
