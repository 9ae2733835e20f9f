// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The kernel vocabulary writes only correct callers (doc/13-fuzzing.md,
 * section 13.2): over random inputs, no decoded kernel test maps a page
 * twice in its initial mappings, calls an owner operation without a
 * driver's owner, vmallocs over its own mapped kernel area, or runs
 * exit_mmap beside another user of the mm or before its task's last step,
 * runs replace_page other than right after write_protect_page of its
 * address, or picks the arm64 lazy backend off arm64 or before v6.15;
 * the encoder refuses each of these. Every check was a fuzz finding before the rule.
 */
#include <string.h>

#include <mmuspec/fuzz.h>
#include <mmuspec/machine.h>
#include "../unit.h"

static struct litmus t;

static unsigned long rng = 0x9e3779b97f4a7c15ul;

static uint8_t next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

static bool op_is(const struct litmus_step *s, const char *name)
{
	return !strcmp(litmus_op_info(s->op)->name, name);
}

static int shared_pages(const struct litmus *x)
{
	for (int i = 0; i < x->nmaps; i++)
		for (int j = 0; j < i; j++)
			if (x->maps[i].page == x->maps[j].page &&
			    strcmp(x->pages[x->maps[i].page], "zero"))
				return 1;
	return 0;
}

static int ownerless(const struct litmus *x)
{
	for (int i = 0; i < x->nthreads; i++)
		for (int k = 0; k < x->threads[i].nsteps; k++) {
			const struct litmus_step *s = &x->threads[i].steps[k];

			if ((op_is(s, "make_device_exclusive") ||
			     op_is(s, "migrate_vma")) &&
			    (!x->ndevices || s->args[1] == ~0ul))
				return 1;
		}
	return 0;
}

static int vmalloc_over(const struct litmus *x)
{
	for (int i = 0; i < x->nthreads; i++) {
		bool mapped = false;

		for (int k = 0; k < x->threads[i].nsteps; k++) {
			const struct litmus_step *s = &x->threads[i].steps[k];

			if (op_is(s, "vmalloc") && mapped)
				return 1;
			if (op_is(s, "vmalloc"))
				mapped = true;
			else if (op_is(s, "vunmap_range"))
				mapped = false;
			else if (op_is(s, "apply_to_page_range"))
				mapped = s->args[2] != 0;
		}
	}
	return 0;
}

static const char *const users[] = {
	"mmap",	     "munmap",		     "madvise_dontneed", "mprotect",
	"handle_mm_fault",   "user_read",	     "user_write",	 "user_exec",
	"split_huge_pmd",    "dup_mmap",	     "migrate_vma",
	"make_device_exclusive", "pagemap_scan_pmd_entry", "exit_mmap", NULL,
};

static int is_user(const struct litmus_step *s)
{
	for (int i = 0; users[i]; i++)
		if (op_is(s, users[i]))
			return 1;
	return 0;
}

/* Replace_pages not right after a write_protect_page of their address. */
static int lone_replace(const struct litmus *x, int *replaces)
{
	int n = 0;

	for (int i = 0; i < x->nthreads; i++)
		for (int k = 0; k < x->threads[i].nsteps; k++) {
			const struct litmus_step *s = &x->threads[i].steps[k];

			if (!op_is(s, "replace_page"))
				continue;
			(*replaces)++;
			n += !k || !op_is(s - 1, "write_protect_page") ||
			     s[-1].args[0] != s->args[0];
		}
	return n;
}

/* 1: an exit_mmap beside another user or before its thread's end. */
static int bad_exit(const struct litmus *x, int *exits)
{
	for (int i = 0; i < x->nthreads; i++)
		for (int k = 0; k < x->threads[i].nsteps; k++) {
			if (!op_is(&x->threads[i].steps[k], "exit_mmap"))
				continue;
			(*exits)++;
			if (k != x->threads[i].nsteps - 1)
				return 1;
			for (int j = 0; j < x->nthreads; j++)
				for (int n = 0;
				     j != i && n < x->threads[j].nsteps; n++)
					if (is_user(&x->threads[j].steps[n]))
						return 1;
		}
	return 0;
}

int main(void)
{
	int shared = 0, owner = 0, over = 0, owner_ops = 0, vmallocs = 0;
	int badexit = 0, exits = 0, lone = 0, replaces = 0;
	int arm64_lazy = 0, bad_lazy = 0;
	uint8_t in[700], out[4096];
	const uint8_t *sched;
	const char *why = "";
	size_t nsched;

	for (int i = 0; i < 50000; i++) {
		size_t len = 24 + next_byte() * 600u / 256;

		for (size_t k = 0; k < len; k++)
			in[k] = next_byte();
		in[23] = (uint8_t)((len - 24) / 6);
		mmuspec_fuzz_decode(in, len, MMUSPEC_FUZZ_KERNEL, &t, &sched,
				    &nsched);
		shared += shared_pages(&t);
		owner += ownerless(&t);
		over += vmalloc_over(&t);
		badexit += bad_exit(&t, &exits);
		lone += lone_replace(&t, &replaces);
		if (t.lazy == MMUSPEC_LAZY_ARM64) {
			arm64_lazy++;
			bad_lazy += t.arch != LITMUS_ARM64 ||
				    t.profile < LITMUS_V6_15;
		}
		for (int j = 0; j < t.nthreads; j++)
			for (int k = 0; k < t.threads[j].nsteps; k++) {
				owner_ops += op_is(&t.threads[j].steps[k],
						   "make_device_exclusive");
				vmallocs += op_is(&t.threads[j].steps[k],
						  "vmalloc");
			}
	}
	CHECK(!shared,
	      "no initial page (but zero) is mapped twice (%d tests did)",
	      shared);
	CHECK(owner_ops > 0 && !owner,
	      "make_device_exclusive/migrate_vma always carry a device's owner (%d of %d did not)",
	      owner, owner_ops);
	CHECK(exits > 0 && !badexit,
	      "exit_mmap only as the last user of the mm (%d of %d tests broke it)",
	      badexit, exits);
	CHECK(vmallocs > 0 && !over,
	      "no vmalloc over the thread's own mapped area (%d tests had one)",
	      over);
	CHECK(replaces > 0 && !lone,
	      "replace_page only right after write_protect_page of its address (%d of %d were not)",
	      lone, replaces);
	/* Real configurations only: no arm64 barrier backend before v6.15. */
	CHECK(arm64_lazy && !bad_lazy,
	      "arm64 lazy backend (%d of %d off v6.15+ arm64)", bad_lazy,
	      arm64_lazy);

	/* The encoder refuses what the decoder no longer writes. */
	mmuspec_fuzz_decode(NULL, 0, MMUSPEC_FUZZ_KERNEL, &t, &sched, &nsched);
	t.nmaps = 2;
	t.maps[0] = (struct litmus_map){ .addr = 0x1000, .page = 0 };
	t.maps[1] = (struct litmus_map){ .addr = 0x2000, .page = 0 };
	CHECK(mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) < 0 &&
		      strstr(why, "two initial mappings"),
	      "a page in two initial mappings is refused (%s)", why);
	CHECK(mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_PRIMITIVES, out, sizeof(out),
				  &why) > 0,
	      "the primitives vocabulary still maps a page twice");
	t.nmaps = 0;
	t.threads[0].nsteps = 2;
	for (int k = 0; k < 2; k++) {
		struct litmus_step *s = &t.threads[0].steps[k];

		s->op = litmus_op_lookup("vmalloc", 7);
		s->nargs = litmus_op_info(s->op)->max_args;
		memset(s->args, 0, sizeof(s->args));
		s->args[0] = 0xffff800000000000ul;
		s->args[1] = 1;
	}
	CHECK(mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) < 0 &&
		      strstr(why, "vmalloc"),
	      "a second vmalloc of the same area is refused (%s)", why);
	t.threads[0].steps[1].op = litmus_op_lookup("vunmap_range", 12);
	CHECK(mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) > 0,
	      "vmalloc then vunmap_range is encoded");
	t.threads[0].steps[0].op = litmus_op_lookup("write_protect_page", 18);
	t.threads[0].steps[1].op = litmus_op_lookup("replace_page", 12);
	for (int k = 0; k < 2; k++) {
		struct litmus_step *s = &t.threads[0].steps[k];

		s->nargs = litmus_op_info(s->op)->max_args;
		memset(s->args, 0, sizeof(s->args));
		s->args[0] = 0x1000;
	}
	t.threads[0].steps[1].args[1] = 0x2000;
	CHECK(mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) > 0,
	      "write_protect_page then replace_page of its address is encoded");
	t.threads[0].steps[1].args[0] = 0x3000;
	CHECK(mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) < 0 &&
		      strstr(why, "replace_page"),
	      "a replace_page of another address is refused (%s)", why);
	t.threads[0].nsteps = 1;
	t.threads[0].steps[0].op = litmus_op_lookup("nop", 3);
	t.threads[0].steps[0].nargs = 0;
	t.arch = LITMUS_ARM64;
	t.lazy = MMUSPEC_LAZY_ARM64;
	t.profile = LITMUS_V6_15;
	CHECK(mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) > 0,
	      "the arm64 lazy backend under v6.15 on arm64 is encoded");
	t.profile = LITMUS_V6_6;
	CHECK(mmuspec_fuzz_encode(&t, MMUSPEC_FUZZ_KERNEL, out, sizeof(out),
				  &why) < 0 &&
		      strstr(why, "arm64 lazy"),
	      "the arm64 lazy backend under v6.6 is refused (%s)", why);
	return unit_exit();
}
