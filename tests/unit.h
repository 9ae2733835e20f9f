/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * unit.h - the smallest test harness that tools/run-tests.sh understands.
 *
 * CHECK(cond, fmt, ...) prints "ok - fmt" or "not ok - fmt (file:line: cond)"
 * and counts; unit_exit() returns the exit status for main(). Tests are not
 * timed: performance lives in `make bench`.
 */
#ifndef MMUSPEC_TESTS_UNIT_H
#define MMUSPEC_TESTS_UNIT_H

#include <stdarg.h>
#include <stdio.h>

static int unit_failed, unit_passed;

__attribute__((format(printf, 5, 6), unused)) static int
unit_check(int ok, const char *file, int line, const char *cond,
	   const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf(" (%s:%d: %s)", file, line, cond);
	putchar('\n');
	fflush(stdout);
	if (ok)
		unit_passed++;
	else
		unit_failed++;
	return ok;
}

#define CHECK(cond, ...) \
	unit_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

__attribute__((unused)) static int unit_exit(void)
{
	return unit_failed ? 1 : 0;
}

#endif
