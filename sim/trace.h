/*
 * Streaming reader of RuVix trace files, format version 0 (traces/README.md). One item is read
 * at a time, so memory does not grow with the length of the trace.
 */
#ifndef RUVIX_SIM_TRACE_H
#define RUVIX_SIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

#define TRACE_NAME_MAX 17 /* = PARTITION_NAME_MAX: 16 characters */

enum trace_item_kind {
	TRACE_PARTITION, /* partition NAME */
	TRACE_REQUEST,	 /* request AT_NS NAME SERVICE_NS */
};

struct trace_item {
	enum trace_item_kind kind;
	char name[TRACE_NAME_MAX];
	uint64_t at_ns;
	uint64_t service_ns;
};

struct trace_reader {
	FILE *f;
	const char *path;
	unsigned long line; /* line number of the item returned last */
	uint64_t last_at_ns;
	int seen_request;
};

/** Open @path and check its header. Returns 0, or -1 after printing the error. */
int trace_open(struct trace_reader *r, const char *path);

/** Read the next item: 1 = got one, 0 = end of trace, -1 = error (printed as file:line). */
int trace_next(struct trace_reader *r, struct trace_item *item);

/** Print "file:line: " and the message for the item read last, to stderr. */
__attribute__((format(printf, 2, 3))) void trace_error(const struct trace_reader *r,
						       const char *fmt, ...);

void trace_close(struct trace_reader *r);

#endif
