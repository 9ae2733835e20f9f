// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The step vocabulary is total: random valid step lists, on random
 * machines, under random schedules, never crash the model or upset the
 * sanitizers, and every run ends with a result. This is the property the
 * fuzz targets (chapter 13) build on.
 */
#include "../unit.h"
#include "../model.h"

static uint64_t rs = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static int64_t arg_of(struct mmuspec_machine *m, enum mmuspec_arg_kind k,
		      unsigned int nsteps)
{
	static const int64_t addrs[] = { 0x10000, 0x11000, 0x12000, 0x13000,
					 0x200000, 0x201000, 0x3ff000, 0 };
	int64_t min, max;

	switch (k) {
	case MMUSPEC_ARG_ADDR:
		if (rnd() % 8 == 0)
			return (int64_t)MMUSPEC_KERNEL_BASE +
			       (int64_t)(rnd() % 4) * 0x1000;
		return addrs[rnd() % 8];
	case MMUSPEC_ARG_NPAGES:
		return rnd() % 8 ? 1 + (int64_t)(rnd() % 4) : 512;
	case MMUSPEC_ARG_TARGET:
		return (int64_t)(rnd() % (nsteps + 1));
	default:
		mmuspec_step_arg_range(m, k, &min, &max);
		return min + (int64_t)(rnd() % (uint64_t)(max - min + 1));
	}
}

#define NSTEP 10

int main(void)
{
	static struct mmuspec_step steps[6][NSTEP];
	unsigned long runs = 0, results[4] = { 0 };
	int bad_valid = 0, replay_diff = 0;

	int iters = getenv("MMUSPEC_RANDOM_ITERS") ?
			    atoi(getenv("MMUSPEC_RANDOM_ITERS")) :
			    1500;

	if (getenv("MMUSPEC_RANDOM_SEED"))
		rs += strtoull(getenv("MMUSPEC_RANDOM_SEED"), NULL, 0);
	for (int it = 0; it < iters; it++) {
		struct mmuspec_config cfg;
		struct mmuspec_machine *m;
		struct mmuspec_random_chooser ch;

		mmuspec_config_default(&cfg, (enum mmuspec_profile)(rnd() % 4),
				       (enum mmuspec_arch)(rnd() % 2));
		cfg.lazy_backend = (enum mmuspec_lazy_backend)(rnd() % 5);
		cfg.nr_mms = 2;
		cfg.nr_devices = 2;
		cfg.dev[0] = (struct mmuspec_device_config){
			MMUSPEC_DEV_SVA, (unsigned int)(rnd() % 8), 1, 0
		};
		cfg.dev[1] = (struct mmuspec_device_config){ MMUSPEC_DEV_MIRROR,
							     0, 1, 1 };
		cfg.bugs = rnd() % 4 ? 0 : rnd() << 1;
		cfg.max_steps = 64;
		m = mmuspec_machine_create(&cfg);
		if (!m) {
			CHECK(0, "machine %d created", it);
			continue;
		}
		mmuspec_map(m, 1, 0x10000, 8, VM_READ | VM_WRITE, rnd() % 2);
		if (rnd() % 2)
			mmuspec_map_huge(m, 1, 0x200000, rnd() % 2, true);
		else
			mmuspec_map(m, 1, 0x200000, 512,
				    VM_READ | VM_WRITE | VM_HUGEPAGE, false);
		for (int t = 0; t < 5; t++) {
			for (int i = 0; i < NSTEP; i++) {
				struct mmuspec_step *s = &steps[t][i];
				const struct mmuspec_step_desc *d;
				int bad;

				s->op = (uint16_t)(rnd() % MMUSPEC_NR_STEP_OPS);
				d = &mmuspec_step_table[s->op];
				for (int a = 0; a < 4; a++)
					s->arg[a] = d->kind[a] ?
							    arg_of(m, d->kind[a],
								   NSTEP) :
							    0;
				if (!mmuspec_step_valid(m, s, NSTEP, &bad))
					bad_valid++;
			}
		}
		mmuspec_checkpoint(m);
		{
			int third = (int)(rnd() % 2), icpu = (int)(rnd() % 2);
			int soft = (int)(rnd() % 2);
			static char sched[8192];
			struct mmuspec_replay_chooser rep = { 0 };
			enum mmuspec_run_result r1, r2;
			unsigned int n1;

			for (int pass = 0; pass < 2; pass++) {
				mmuspec_reset(m);
				rec_start(m);
				rec.print = 0;
				mmuspec_add_task(m, 0, 1, steps[0], NSTEP);
				mmuspec_add_task(m, 1, 1, steps[1], NSTEP);
				if (third)
					mmuspec_add_task(m, 0, 1, steps[2], NSTEP);
				mmuspec_add_irq(m, icpu, soft, steps[3], NSTEP);
				mmuspec_add_device_thread(m, 0, steps[4], NSTEP);
				if (!pass) {
					mmuspec_random_init(&ch, (uint64_t)it, 30);
					r1 = mmuspec_run(m, mmuspec_choose_random,
							 &ch);
					results[r1]++;
					runs++;
					n1 = rec.n;
					mmuspec_schedule_string(m, sched,
								sizeof(sched));
				} else {
					rep.sched = sched;
					r2 = mmuspec_run(m, mmuspec_choose_replay,
							 &rep);
					if (r2 != r1 || rec.n != n1 ||
					    rep.divergences)
						replay_diff++;
				}
			}
		}
		mmuspec_machine_destroy(m);
	}
	CHECK(bad_valid == 0, "generated arguments are all valid (%d invalid)",
	      bad_valid);
	CHECK(runs == (unsigned long)iters,
	      "%d random scenarios ran: %lu ok, %lu deadlock, %lu step bound, %lu aborted",
	      iters, results[0], results[1], results[2], results[3]);
	CHECK(results[0] > 0, "some random scenarios run to completion");
	CHECK(replay_diff == 0,
	      "each run, reset and replayed from its schedule string, repeats exactly (%d differ)",
	      replay_diff);
	return unit_exit();
}
