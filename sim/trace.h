/*
 * Streaming reader of RuVix trace files, format versions 0, 1 and 2 (traces/README.md). One item
 * is read at a time, so memory does not grow with the length of the trace. Version 2 is version
 * 1 with longer requests: up to TRACE_MAX_STEPS steps on lines of up to 16 KiB (version 1: 16
 * steps, 1 KiB), for the long call chains of real traces.
 *
 * Version 1 requests carry a latency class, a relative deadline and a chain of steps:
 *   request AT_NS CLASS DEADLINE_NS STEP...
 *   STEP = c:PARTITION:NS          compute NS nanoseconds on PARTITION
 *        | m:FROM:TO:BYTES         a message of BYTES from FROM to TO
 * A version 0 request "request AT_NS PARTITION NS" reads as a batch request with no deadline
 * and the single step c:PARTITION:NS. A trace is untrusted input: every way it can be wrong is
 * an error naming its line, never a crash or a silent misreading (a NUL byte, which a C string
 * would hide, is an error too).
 */
#ifndef RUVIX_SIM_TRACE_H
#define RUVIX_SIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

#define TRACE_NAME_MAX	   17  /* = PARTITION_NAME_MAX: 16 characters */
#define TRACE_MAX_STEPS	   256 /* format 2 */
#define TRACE_V1_MAX_STEPS 16  /* formats 0 and 1 */

enum trace_item_kind {
	TRACE_PARTITION, /* partition NAME */
	TRACE_REQUEST,	 /* request ... */
};

enum trace_class {
	CLASS_BATCH = 0,
	CLASS_CRITICAL = 1,
};

enum trace_step_kind {
	STEP_COMPUTE = 0,
	STEP_MESSAGE = 1,
};

struct trace_step {
	uint8_t kind;
	char part[TRACE_NAME_MAX]; /* compute: where; message: from */
	char to[TRACE_NAME_MAX];   /* message: to */
	uint64_t value;		   /* compute: ns; message: bytes */
};

struct trace_item {
	enum trace_item_kind kind;
	char name[TRACE_NAME_MAX]; /* TRACE_PARTITION */
	uint64_t at_ns;
	uint8_t cls;
	uint64_t deadline_ns; /* relative; 0: none */
	uint32_t nsteps;
	struct trace_step steps[TRACE_MAX_STEPS];
};

struct trace_reader {
	FILE *f;
	FILE *errors; /* where trace_error prints (stderr unless trace_open_stream says) */
	const char *path;
	int version;
	unsigned long line; /* line number of the item returned last */
	uint64_t last_at_ns;
	int seen_request;
};

/** Open @path and check its header. Returns 0, or -1 after printing the error. */
int trace_open(struct trace_reader *r, const char *path);

/**
 * Read the trace from the open stream @f, named @name in messages, which go to @errors; check
 * its header. Returns 0, or -1 after printing the error (@f is closed then, and by trace_close).
 */
int trace_open_stream(struct trace_reader *r, FILE *f, const char *name, FILE *errors);

/** Read the next item: 1 = got one, 0 = end of trace, -1 = error (printed as file:line). */
int trace_next(struct trace_reader *r, struct trace_item *item);

/** Print "file:line: " and the message for the item read last, with any byte outside
 *  printable ASCII shown as '?' (traces are untrusted input). */
__attribute__((format(printf, 2, 3))) void trace_error(const struct trace_reader *r,
						       const char *fmt, ...);

void trace_close(struct trace_reader *r);

#endif
