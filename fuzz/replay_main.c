// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * replay_main.c - run fuzz inputs through a harness without a fuzzing engine.
 *
 * Links with any harness that defines LLVMFuzzerTestOneInput(), so that a
 * gcc build (or a sanitizer build without libFuzzer) can replay a corpus, a
 * crash file or a minimized finding. Arguments are files or directories
 * (read one level deep, in name order); with none, standard input is read.
 * The exit status is 0 when every input ran; a harness that finds a
 * violation aborts, as it does under libFuzzer.
 *
 *   replay [FILE|DIR]...          run the inputs
 *   replay --minimize OUT FILE    write a smaller input with the same finding
 *   replay --litmus OUT FILE      write the input as a litmus test
 *
 * The last two need the target to provide mmuspec_fuzz_minimize() and
 * mmuspec_fuzz_to_litmus(); without them replay says so and exits 3.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int mmuspec_fuzz_minimize(const uint8_t *data, size_t size, uint8_t **out,
			  size_t *out_size) __attribute__((weak));
int mmuspec_fuzz_to_litmus(const uint8_t *data, size_t size, FILE *out)
	__attribute__((weak));

static unsigned long replayed;

/* Read all of @f; return a malloc'ed buffer of exactly *len bytes. */
static uint8_t *slurp(FILE *f, const char *name, size_t *plen)
{
	uint8_t *buf = NULL, *exact;
	size_t len = 0, cap = 0, n;

	do {
		if (len + 65536 > cap) {
			uint8_t *bigger;

			cap = (len + 65536) * 2;
			bigger = realloc(buf, cap);
			if (!bigger) {
				fprintf(stderr, "%s: out of memory\n", name);
				free(buf);
				return NULL;
			}
			buf = bigger;
		}
		n = fread(buf + len, 1, 65536, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", name);
		free(buf);
		return NULL;
	}
	/* A copy of exactly len bytes, so ASan sees overreads. */
	exact = malloc(len ? len : 1);
	if (exact)
		memcpy(exact, buf, len);
	free(buf);
	*plen = len;
	return exact;
}

static int replay_stream(FILE *f, const char *name)
{
	size_t len;
	uint8_t *data = slurp(f, name, &len);

	if (!data)
		return 1;
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	replayed++;
	return 0;
}

/* --minimize and --litmus: one input in, one file out. */
static int convert(const char *mode, const char *out, const char *in)
{
	FILE *f = fopen(in, "rb"), *o;
	uint8_t *data, *small = NULL;
	size_t len, small_len = 0;
	int rc;

	if (!f) {
		fprintf(stderr, "%s: %s\n", in, strerror(errno));
		return 1;
	}
	data = slurp(f, in, &len);
	fclose(f);
	if (!data)
		return 1;
	if (!strcmp(mode, "--minimize") ? !mmuspec_fuzz_minimize :
					  !mmuspec_fuzz_to_litmus) {
		fprintf(stderr, "replay: this target has no %s\n", mode + 2);
		free(data);
		return 3;
	}
	o = fopen(out, "wb");
	if (!o) {
		fprintf(stderr, "%s: %s\n", out, strerror(errno));
		free(data);
		return 1;
	}
	if (!strcmp(mode, "--minimize")) {
		rc = mmuspec_fuzz_minimize(data, len, &small, &small_len);
		if (!rc && fwrite(small, 1, small_len, o) != small_len)
			rc = 1;
		free(small);
	} else {
		rc = mmuspec_fuzz_to_litmus(data, len, o);
	}
	rc |= fclose(o) != 0;
	free(data);
	return rc ? 1 : 0;
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	rc = replay_stream(f, path);
	fclose(f);
	return rc;
}

static int replay_path(const char *path)
{
	struct dirent **ents;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char *sub;

		if (ents[i]->d_name[0] != '.' &&
		    asprintf(&sub, "%s/%s", path, ents[i]->d_name) >= 0) {
			if (!stat(sub, &st) && S_ISREG(st.st_mode))
				rc |= replay_file(sub);
			free(sub);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1 && (!strcmp(argv[1], "--minimize") ||
			 !strcmp(argv[1], "--litmus"))) {
		if (argc != 4) {
			fprintf(stderr, "usage: %s %s OUT FILE\n", argv[0],
				argv[1]);
			return 2;
		}
		return convert(argv[1], argv[2], argv[3]);
	}
	if (argc < 2)
		rc = replay_stream(stdin, "<stdin>");
	for (int i = 1; i < argc; i++)
		rc |= replay_path(argv[i]);
	fprintf(stderr, "replay: %lu input(s) ran\n", replayed);
	return rc;
}
