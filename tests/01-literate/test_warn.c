// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Tests of WARN_ON() and its handler (doc/01-literate.md, section 1.8). */
#include <string.h>
#include <linux/bug.h>
#include "../unit.h"

static int heard;
static char where[256];

static void handler(const char *file, int line, const char *cond, void *data)
{
	heard += *(int *)data;
	snprintf(where, sizeof(where), "%s|%s", file, cond);
}

static int warn_twice(int x)
{
	int n = 0;

	for (int i = 0; i < 2; i++)
		n += WARN_ON_ONCE(x > 1);
	return n;
}

int main(void)
{
	int weight = 1, side_effects = 0;
	unsigned long before = mmuspec_warn_count();

	mmuspec_set_warn_handler(handler, &weight);
	CHECK(!WARN_ON(0), "WARN_ON(false) returns false");
	CHECK(heard == 0 && mmuspec_warn_count() == before,
	      "WARN_ON(false) reports nothing");
	CHECK(WARN_ON(++side_effects == 1), "WARN_ON(true) returns true");
	CHECK(side_effects == 1, "the condition is evaluated once");
	CHECK(heard == 1 && mmuspec_warn_count() == before + 1,
	      "WARN_ON(true) reaches the handler and the count");
	CHECK(strcmp(where, __FILE__ "|++side_effects == 1") == 0,
	      "the handler gets the position and the condition text (%s)",
	      where);
	CHECK(warn_twice(2) == 2 && heard == 2,
	      "WARN_ON_ONCE returns the condition each time, reports once");
	CHECK(warn_twice(2) == 2 && heard == 2,
	      "and stays silent for the rest of the boot");
	mmuspec_warn_new_boot();
	CHECK(warn_twice(2) == 2 && heard == 3,
	      "a new boot lets WARN_ON_ONCE report again, once");
	CHECK(mmuspec_set_warn_handler(NULL, NULL) == handler,
	      "setting a handler returns the previous one");
	return unit_exit();
}
