/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * model.h - helpers shared by the model's tests (chapters 02-09): an event
 * recorder and step builders.
 */
#ifndef MMUSPEC_TESTS_MODEL_H
#define MMUSPEC_TESTS_MODEL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <mmuspec/device.h>
#include <mmuspec/internal.h>

#define REC_MAX 20000

struct rec {
	unsigned int n;
	struct mmuspec_event ev[REC_MAX];
	int print;
};

static struct rec rec;

__attribute__((unused)) static void rec_hook(const struct mmuspec_event *ev,
					     void *ctx)
{
	struct rec *r = ctx;

	if (r->print) {
		char buf[256];

		mmuspec_event_format(ev, buf, sizeof(buf));
		printf("# %s\n", buf);
	}
	if (r->n < REC_MAX)
		r->ev[r->n++] = *ev;
}

__attribute__((unused)) static void rec_start(struct mmuspec_machine *m)
{
	rec.n = 0;
	rec.print = getenv("MMUSPEC_TRACE") != NULL;
	mmuspec_set_hook(m, rec_hook, &rec);
}

/* Number of events of @type (and @sub unless -1). */
__attribute__((unused)) static unsigned int rec_count(int type, int sub)
{
	unsigned int c = 0;

	for (unsigned int i = 0; i < rec.n; i++)
		if (rec.ev[i].type == type && (sub < 0 || rec.ev[i].sub == sub))
			c++;
	return c;
}

/* Index of the first event of @type/@sub at or after @from, or -1. */
__attribute__((unused)) static int rec_find(unsigned int from, int type,
					    int sub)
{
	for (unsigned int i = from; i < rec.n; i++)
		if (rec.ev[i].type == type && (sub < 0 || rec.ev[i].sub == sub))
			return (int)i;
	return -1;
}

/* A secondary-TLB callback call covering @addr. */
__attribute__((unused)) static int rec_find_secondary(unsigned int from,
						      unsigned long addr)
{
	for (unsigned int i = from; i < rec.n; i++) {
		const struct mmuspec_event *e = &rec.ev[i];

		if (e->type == MMUSPEC_EV_MN_CALL &&
		    e->sub == MMUSPEC_MN_ARCH_INVALIDATE_SECONDARY_TLBS &&
		    e->addr <= addr && (e->end > addr || e->end == ~0ULL))
			return (int)i;
	}
	return -1;
}

#define S0(op) { MMUSPEC_STEP_##op, 0, { 0, 0, 0, 0 } }
#define S1(op, a) { MMUSPEC_STEP_##op, 0, { (a), 0, 0, 0 } }
#define S2(op, a, b) { MMUSPEC_STEP_##op, 0, { (a), (b), 0, 0 } }
#define S3(op, a, b, c) { MMUSPEC_STEP_##op, 0, { (a), (b), (c), 0 } }
#define S4(op, a, b, c, d) { MMUSPEC_STEP_##op, 0, { (a), (b), (c), (d) } }
#define NSTEPS(a) (sizeof(a) / sizeof((a)[0]))

__attribute__((unused)) static struct mmuspec_machine *
new_machine(enum mmuspec_profile p, enum mmuspec_arch a, unsigned int ndev,
	    const struct mmuspec_device_config *dev)
{
	struct mmuspec_config cfg;

	mmuspec_config_default(&cfg, p, a);
	cfg.nr_devices = ndev;
	for (unsigned int i = 0; i < ndev; i++)
		cfg.dev[i] = dev[i];
	return mmuspec_machine_create(&cfg);
}

#endif
