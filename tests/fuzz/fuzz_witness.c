/*
 * Fuzz target: the record reader of `ruvix-witness verify` and `dump` (tools/ruvix_witness.c),
 * checked against a second, independent statement of the rules written here. Each input is
 * read twice: as it is (mostly not a log: the reader must refuse it, naming the right record),
 * and renumbered and re-chained (so the rules behind the chain, boot first, time order, tier,
 * halt last, are reached). For each, verify with and without --open, with a --count and a
 * --head that may or may not match, and dump with and without --force must agree with the
 * reference on the exit status, the index in the FAIL line, and the record count and head.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/witness.h>

#include "wlog_mutator.h"

/* The tool itself, without its main: the target calls its stream functions. */
#define RUVIX_WITNESS_NO_MAIN
#pragma clang diagnostic ignored "-Wunused-function"
#include "ruvix_witness.c"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	return wlog_mutate(data, size, max, seed);
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The reference verdict: EXIT_* and the index of the first bad record (when broken). */
struct verdict {
	int exit;
	uint64_t bad, n;
	uint8_t head[16];
};

static struct verdict reference(const uint8_t *log, size_t size, bool run, bool open)
{
	struct verdict v = { .exit = EXIT_BROKEN };
	uint8_t prev[16] = { 0 }, want[16];
	size_t n = size / 64;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *r = log + 64 * i;
		uint16_t kind = (uint16_t)le(r + 16, 2);
		v.bad = i;
		if (le(r, 8) != i)
			return v;
		witness_chain_value(prev, r, want);
		if (memcmp(want, r + 48, 16) != 0)
			return v;
		if (run) {
			if ((i == 0) != (kind == WK_BOOT))
				return v;
			if (i > 0 && le(r + 8, 8) < le(r - 56, 8))
				return v;
			if (r[18] > 3)
				return v;
			if (i > 0 && le(r - 48, 2) == WK_HALT)
				return v;
			if (kind == WK_HALT && le(r + 40, 8) != i)
				return v;
		}
		memcpy(prev, r + 48, 16);
	}
	v.bad = n;
	if (size % 64 || n == 0)
		return v;
	if (run && !open && le(log + 64 * (n - 1) + 16, 2) != WK_HALT) {
		v.bad = n - 1;
		return v;
	}
	v.exit = EXIT_INTACT;
	v.n = n;
	memcpy(v.head, prev, 16);
	return v;
}

/* The record index in a "FAIL PATH: record I: ..." line, or -1. */
static long long fail_index(const char *text)
{
	const char *p = strstr(text, ": record ");
	return p && !strncmp(text, "FAIL ", 5) ? strtoll(p + 9, NULL, 10) : -1;
}

static FILE *open_mem(const uint8_t *log, size_t size)
{
	FILE *f = size ? fmemopen((void *)log, size, "rb") : fopen("/dev/null", "rb");
	if (!f)
		abort();
	return f;
}

/* Run @cmd over the log and capture what it prints on stdout. */
static int run(const uint8_t *log, size_t size, int (*cmd)(FILE *, FILE *, const void *),
	       const void *arg, char **text)
{
	static char *buf;
	size_t len;
	FILE *in = open_mem(log, size), *out = open_memstream(&buf, &len);
	if (!out)
		abort();
	int r = cmd(in, out, arg);
	fclose(in);
	fclose(out);
	*text = buf;
	return r;
}

struct vargs {
	const uint8_t *head;
	long long count;
	bool open;
};

static int do_verify(FILE *in, FILE *out, const void *arg)
{
	const struct vargs *a = arg;
	return verify_stream(in, "fuzz.wlog", out, devnull, a->head, a->count, a->open);
}

static int do_dump(FILE *in, FILE *out, const void *arg)
{
	return dump_stream(in, "fuzz.wlog", out, out, *(const bool *)arg);
}

static void check_verify(const uint8_t *log, size_t size, unsigned knobs)
{
	for (int open = 0; open < 2; open++) {
		struct verdict ref = reference(log, size, true, open);
		uint8_t head[16];
		struct vargs a = { .count = -1, .open = open };
		/* Sometimes a --count or --head, right or wrong by one. */
		if (knobs & 1)
			a.count = (long long)(size / 64) - (knobs >> 1 & 1);
		if (knobs & 4) {
			memcpy(head, ref.head, 16);
			head[0] ^= (uint8_t)(knobs >> 3 & 1);
			a.head = head;
		}
		char *text;
		int r = run(log, size, do_verify, &a, &text);
		int want = ref.exit;
		uint64_t bad = ref.bad;
		if (want == EXIT_INTACT && a.count >= 0 && (uint64_t)a.count != ref.n) {
			want = EXIT_BROKEN;
			bad = ref.n < (uint64_t)a.count ? ref.n : (uint64_t)a.count;
		} else if (want == EXIT_INTACT && a.head && memcmp(a.head, ref.head, 16) != 0) {
			want = EXIT_BROKEN;
			bad = ref.n - 1;
		}
		if (r != want)
			abort(); /* verify and the reference disagree on the verdict */
		if (r == EXIT_BROKEN && fail_index(text) != (long long)bad)
			abort(); /* ... or on the first bad record */
		if (r == EXIT_INTACT) {
			char h[33];
			hex(ref.head, 16, h);
			if (!strstr(text, h))
				abort();
		}
		free(text);
	}
}

static void check_dump(const uint8_t *log, size_t size)
{
	struct verdict ref = reference(log, size, false, true);
	for (int force = 0; force < 2; force++) {
		bool f = force;
		char *text;
		int r = run(log, size, do_dump, &f, &text);
		if (r != ref.exit)
			abort();
		size_t lines = 0;
		for (const char *p = text; *p; p++)
			lines += *p == '\n';
		bool printed = ref.exit == EXIT_INTACT || (force && size % 64 == 0 && size > 0);
		/* The listing is a header and one line per record, plus the FAIL line. */
		if (lines != (printed ? size / 64 + 1 : 0) + (ref.exit != EXIT_INTACT))
			abort();
		free(text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t log[1 << 16];
	unsigned knobs = size ? data[size - 1] : 0;

	if (size > sizeof(log))
		return 0;
	memcpy(log, data, size);
	check_verify(log, size, knobs);
	check_dump(log, size);
	wlog_rechain(log, size / 64, true);
	check_verify(log, size, knobs);
	check_dump(log, size);
	return 0;
}
