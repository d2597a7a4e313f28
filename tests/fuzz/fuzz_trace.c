/*
 * Fuzz target: the simulator's trace reader (sim/trace.c). The input is a trace file; the
 * corpus starts from the shipped traces. Every item the reader returns must obey the format
 * (traces/README.md): names of 1-16 printable characters, partitions before the first request,
 * requests in time order with times below 2^56 ns, 1-16 steps that form one chain, no message
 * to itself, compute steps above 0 ns, messages below 2^40 bytes. A trace it reads to the end
 * holds no NUL byte. A refused one gets exactly one message, "fuzz.trace:LINE: ...", with a
 * line number inside the file and printable text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_name(const char *s, int colon_ok)
{
	size_t n = strnlen(s, TRACE_NAME_MAX);
	if (n == 0 || n >= TRACE_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || (*s == ':' && !colon_ok))
			return 0;
	return 1;
}

static void check_item(const struct trace_reader *r, const struct trace_item *it, int *requests,
		       uint64_t *last_at)
{
	if (it->kind == TRACE_PARTITION) {
		if (*requests || !valid_name(it->name, 1))
			abort();
		return;
	}
	if (it->kind != TRACE_REQUEST || it->at_ns >= 1ull << 56 || it->at_ns < *last_at ||
	    it->deadline_ns >= 1ull << 56 || it->nsteps < 1 || it->nsteps > TRACE_MAX_STEPS ||
	    it->cls > CLASS_CRITICAL)
		abort();
	for (uint32_t i = 0; i < it->nsteps; i++) {
		const struct trace_step *st = &it->steps[i];
		if (!valid_name(st->part, r->version == 0))
			abort();
		if (st->kind == STEP_COMPUTE) {
			if (st->value == 0 || st->value >= 1ull << 56)
				abort();
		} else if (st->kind != STEP_MESSAGE || !valid_name(st->to, 0) ||
			   !strcmp(st->part, st->to) || st->value >= 1ull << 40) {
			abort();
		}
		if (i > 0) {
			const struct trace_step *prev = &it->steps[i - 1];
			if (strcmp(prev->kind == STEP_MESSAGE ? prev->to : prev->part, st->part))
				abort(); /* not one chain */
		}
	}
	*requests += 1;
	*last_at = it->at_ns;
}

/* Exactly one line, "fuzz.trace:N: ...", N between 1 and @lines, printable. */
static void check_message(const char *msg, size_t len, unsigned long lines)
{
	char *end;
	if (len < 2 || strncmp(msg, "fuzz.trace:", 11) != 0 || msg[len - 1] != '\n')
		abort();
	unsigned long line = strtoul(msg + 11, &end, 10);
	if (line < 1 || line > lines || strncmp(end, ": ", 2) != 0)
		abort();
	for (size_t i = 0; i + 1 < len; i++)
		if (msg[i] < 0x20 || msg[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace_item item;
	struct trace_reader r;
	char *msg = NULL;
	size_t len = 0;
	unsigned long lines = 1;

	for (size_t i = 0; i + 1 < size; i++)
		lines += data[i] == '\n';
	FILE *in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	FILE *errors = open_memstream(&msg, &len);
	if (!in || !errors)
		abort();
	int got = trace_open_stream(&r, in, "fuzz.trace", errors);
	int requests = 0;
	uint64_t last_at = 0;
	while (got == 0 && (got = trace_next(&r, &item)) == 1) {
		check_item(&r, &item, &requests, &last_at);
		got = 0;
	}
	trace_close(&r);
	fclose(errors);
	if (got == 0 && (len != 0 || memchr(data, 0, size)))
		abort(); /* read to the end: no message, and no NUL byte passed over */
	if (got < 0)
		check_message(msg, len, lines);
	free(msg);
	return 0;
}
