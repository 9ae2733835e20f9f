// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * fuzz_litmus_parser.c - libFuzzer target for the litmus parser
 * (doc/11-litmus-format.md, section 11.9).
 *
 * Properties checked on every input, besides "no crash and no sanitizer
 * report": a rejected input gets a printable one-line message that starts
 * with "expected" and a position inside the input; an accepted input
 * written back by litmus_write() parses again and writes back to the same
 * bytes (writing is a fixed point).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuspec/litmus.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct litmus t, t2;

static char *written(const struct litmus *x, size_t *n)
{
	char *s = NULL;
	FILE *f = open_memstream(&s, n);

	if (!f)
		abort();
	litmus_write(f, x);
	fclose(f);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct litmus_error err;
	size_t k, lines = 1, na, nb;
	char *a, *b;

	for (k = 0; k < size; k++)
		lines += data[k] == '\n';
	if (litmus_parse("fuzz.litmus", (const char *)data, size, &t, &err)) {
		if (strncmp(err.msg, "expected", 8) || err.line < 0 ||
		    (size_t)err.line > lines + 1 || err.col < 0 ||
		    err.col > LITMUS_MAX_LINE + 1)
			abort();
		for (k = 0; err.msg[k]; k++)
			if ((unsigned char)err.msg[k] < 0x20)
				abort();
		return 0;
	}
	a = written(&t, &na);
	if (litmus_parse("rt.litmus", a, na, &t2, &err)) {
		litmus_print_error(stderr, &err);
		fwrite(a, 1, na, stderr);
		abort();
	}
	b = written(&t2, &nb);
	if (na != nb || memcmp(a, b, na))
		abort();
	free(a);
	free(b);
	return 0;
}
