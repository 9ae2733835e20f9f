// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * bench_main.c - executions per second of a harness over fixed inputs.
 *
 * Reads every file of the directories given (one level deep) into memory,
 * runs each input once to warm up (the harness builds its machines then),
 * and then runs all of them in turn, pass after pass, for at least
 * SECONDS (first argument). Prints one line:
 *
 *   inputs N execs E wall S cpu C exec/s R
 *
 * `make bench` links it with a target twice, with the oracle and with the
 * oracle compiled out, and compares the two rates on the same inputs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	uint8_t *data;
	size_t size;
};

static struct input *inputs;
static size_t ninputs, cap;

static int load(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct input *in;
	long n;

	if (!f)
		return -1;
	if (ninputs == cap) {
		cap = cap ? 2 * cap : 256;
		inputs = realloc(inputs, cap * sizeof(*inputs));
		if (!inputs)
			exit(2);
	}
	in = &inputs[ninputs];
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	in->data = malloc(n > 0 ? (size_t)n : 1);
	if (!in->data || n < 0 || fread(in->data, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	in->size = (size_t)n;
	fclose(f);
	ninputs++;
	return 0;
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs, w0, c0, w, c;
	unsigned long execs = 0;
	size_t i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SECONDS DIR...\n", argv[0]);
		return 2;
	}
	secs = atof(argv[1]);
	for (int a = 2; a < argc; a++) {
		struct dirent **ents;
		int n = scandir(argv[a], &ents, NULL, alphasort);
		char path[4096];

		for (int k = 0; k < n; k++) {
			snprintf(path, sizeof(path), "%s/%s", argv[a],
				 ents[k]->d_name);
			if (ents[k]->d_type == DT_REG)
				load(path);
			free(ents[k]);
		}
		free(n >= 0 ? ents : NULL);
	}
	if (!ninputs) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		return 2;
	}
	for (i = 0; i < ninputs; i++)
		LLVMFuzzerTestOneInput(inputs[i].data, inputs[i].size);
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (i = 0; i < ninputs; i++)
			LLVMFuzzerTestOneInput(inputs[i].data, inputs[i].size);
		execs += ninputs;
		w = now(CLOCK_MONOTONIC) - w0;
	} while (w < secs);
	c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("inputs %zu execs %lu wall %.3f cpu %.3f exec/s %.0f\n", ninputs,
	       execs, w, c, execs / w);
	return 0;
}
