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
 *   replay --isolation [--mutants=N] [FILE|DIR]...
 *                                 check that no run depends on the runs
 *                                 before it (doc/13-fuzzing.md, 13.5.1)
 *
 * The last three need the target to provide mmuspec_fuzz_minimize(),
 * mmuspec_fuzz_to_litmus() and mmuspec_fuzz_fingerprint(); without them
 * replay says so and exits 3.
 *
 * --isolation runs every input alone, each in a child forked from this
 * process before it ran anything, then all of them in one process, in
 * name order and again in reverse order, and compares each input's
 * fingerprint (verdict, signature, steps and a digest of its event
 * stream) with its fingerprint alone. A difference is state carried from
 * one input to the next: replay names the input and the one before it,
 * and exits 1. --mutants=N adds, for each input, a chain of N inputs made
 * by the target's structure-aware mutator with fixed seeds, so that a few
 * seeds cover many more configurations, threads and schedules.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int mmuspec_fuzz_minimize(const uint8_t *data, size_t size, uint8_t **out,
			  size_t *out_size) __attribute__((weak));
int mmuspec_fuzz_to_litmus(const uint8_t *data, size_t size, FILE *out)
	__attribute__((weak));
void mmuspec_fuzz_fingerprint(const uint8_t *data, size_t size, char *buf,
			      size_t n) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned int seed) __attribute__((weak));

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

/* @fn on @path, or on the regular files of directory @path in name order. */
static int walk_path(const char *path, int (*fn)(const char *))
{
	struct dirent **ents;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return fn(path);
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
				rc |= fn(sub);
			free(sub);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* --isolation: the inputs, read once, and each one's fingerprint alone. */
#define MUTANT_MAX 4096

struct input {
	char *name;
	uint8_t *data;
	size_t len;
	char alone[512];
};

static struct input *inputs;
static size_t ninputs, inputs_cap;

/* Add an input named @name (taken over) with a copy of @data. */
static int add_data(char *name, const uint8_t *data, size_t len)
{
	struct input *in;

	if (ninputs == inputs_cap) {
		size_t cap = inputs_cap ? 2 * inputs_cap : 256;
		struct input *bigger = realloc(inputs, cap * sizeof(*inputs));

		if (!bigger)
			goto oom;
		inputs = bigger;
		inputs_cap = cap;
	}
	in = &inputs[ninputs];
	in->data = malloc(len ? len : 1);
	if (!in->data)
		goto oom;
	memcpy(in->data, data, len);
	in->len = len;
	in->name = name;
	ninputs++;
	return 0;
oom:
	fprintf(stderr, "%s: out of memory\n", name);
	free(name);
	return 1;
}

static int add_input(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	size_t len;
	char *name;
	int rc;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	data = slurp(f, path, &len);
	fclose(f);
	name = strdup(path);
	if (!data || !name) {
		free(data);
		free(name);
		return 1;
	}
	rc = add_data(name, data, len);
	free(data);
	return rc;
}

/* @n mutants of every input read so far, each from the one before. */
static int add_mutants(unsigned long n)
{
	size_t nread = ninputs;
	uint8_t *buf = malloc(MUTANT_MAX);

	if (!buf || !LLVMFuzzerCustomMutator) {
		free(buf);
		fprintf(stderr, "replay: %s\n",
			buf ? "this target has no mutator" : "out of memory");
		return 1;
	}
	for (size_t i = 0; i < nread; i++) {
		size_t len = inputs[i].len < MUTANT_MAX ? inputs[i].len :
							  MUTANT_MAX;

		memcpy(buf, inputs[i].data, len);
		for (unsigned long k = 1; k <= n; k++) {
			char *name;

			len = LLVMFuzzerCustomMutator(buf, len, MUTANT_MAX,
						      (unsigned int)(i * n + k));
			if (asprintf(&name, "%s~%lu", inputs[i].name, k) < 0 ||
			    add_data(name, buf, len)) {
				free(buf);
				return 1;
			}
		}
	}
	free(buf);
	return 0;
}

/* Run @in alone in a child forked now; its fingerprint into @in->alone. */
static int run_alone(struct input *in)
{
	int fd[2], status;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(fd))
		return perror("pipe"), 1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		char buf[sizeof(in->alone)];
		size_t len;

		close(fd[0]);
		mmuspec_fuzz_fingerprint(in->data, in->len, buf, sizeof(buf));
		len = strlen(buf);
		_exit(write(fd[1], buf, len) == (ssize_t)len ? 0 : 1);
	}
	close(fd[1]);
	while (got + 1 < sizeof(in->alone) &&
	       (r = read(fd[0], in->alone + got,
			 sizeof(in->alone) - 1 - got)) > 0)
		got += (size_t)r;
	close(fd[0]);
	in->alone[got] = '\0';
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "%s: the run alone did not finish (status %#x)\n",
			in->name, status);
		return 1;
	}
	return 0;
}

/* Run every input in this process, in order or in reverse; compare. */
static unsigned long run_sequence(int reverse)
{
	char buf[sizeof(inputs[0].alone)];
	unsigned long bad = 0;

	for (size_t k = 0; k < ninputs; k++) {
		size_t i = reverse ? ninputs - 1 - k : k;
		const struct input *in = &inputs[i];

		mmuspec_fuzz_fingerprint(in->data, in->len, buf, sizeof(buf));
		if (!strcmp(buf, in->alone))
			continue;
		if (bad++ < 10)
			fprintf(stderr,
				"isolation: %s run after %s differs from its run alone\n"
				"  alone:       %s\n  in sequence: %s\n",
				in->name,
				k ? inputs[reverse ? i + 1 : i - 1].name :
				    "nothing",
				in->alone, buf);
	}
	return bad;
}

static int isolation(int n, char **paths)
{
	unsigned long bad, mutants = 0;
	int rc = 0;

	if (!mmuspec_fuzz_fingerprint) {
		fprintf(stderr, "replay: this target has no fingerprint\n");
		return 3;
	}
	if (n && !strncmp(paths[0], "--mutants=", 10)) {
		char *end;

		mutants = strtoul(paths[0] + 10, &end, 10);
		if (*end || mutants > 10000) {
			fprintf(stderr,
				"replay: --mutants wants a number up to 10000, not '%s'\n",
				paths[0] + 10);
			return 2;
		}
		n--;
		paths++;
	}
	for (int i = 0; i < n; i++)
		rc |= walk_path(paths[i], add_input);
	if (!rc && mutants)
		rc = add_mutants(mutants);
	for (size_t i = 0; i < ninputs && !rc; i++)
		rc |= run_alone(&inputs[i]);
	if (rc)
		return 1;
	bad = run_sequence(0);
	bad += run_sequence(1);
	fprintf(stderr,
		"replay --isolation: %zu input(s), %lu run(s) differ from the run alone\n",
		ninputs, bad);
	return bad ? 1 : 0;
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
	if (argc > 1 && !strcmp(argv[1], "--isolation"))
		return isolation(argc - 2, argv + 2);
	if (argc < 2)
		rc = replay_stream(stdin, "<stdin>");
	for (int i = 1; i < argc; i++)
		rc |= walk_path(argv[i], replay_file);
	fprintf(stderr, "replay: %lu input(s) ran\n", replayed);
	return rc;
}
