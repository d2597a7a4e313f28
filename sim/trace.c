/* Trace format reader, versions 0, 1 and 2; see traces/README.md for the grammar. */
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#define LINE_MAX_BYTES	  16384 /* format 2 */
#define V1_LINE_MAX_BYTES 1024	/* formats 0 and 1, and the header */

void trace_error(const struct trace_reader *r, const char *fmt, ...)
{
	char msg[2 * LINE_MAX_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Fields of the trace appear in messages: no control characters or raw bytes. */
	for (char *p = msg; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	fprintf(r->errors ? r->errors : stderr, "%s:%lu: %s\n", r->path, r->line, msg);
}

/*
 * Next line that is not blank or a comment, without its newline; 0 at end, -1 on error. Read
 * a byte at a time, so that the length is known exactly: fgets would hide a NUL byte, and the
 * rest of that line would vanish without a word.
 */
static int next_line(struct trace_reader *r, char *buf)
{
	size_t max = r->version >= 2 ? LINE_MAX_BYTES : V1_LINE_MAX_BYTES;

	for (;;) {
		size_t n = 0;
		int c;
		while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
			if (n == max - 2) {
				r->line++;
				trace_error(r, "line longer than %zu bytes", max - 2);
				return -1;
			}
			buf[n++] = (char)c;
		}
		if (c == EOF && ferror(r->f)) {
			r->line++;
			trace_error(r, "read error: %s", strerror(errno));
			return -1;
		}
		if (c == EOF && n == 0)
			return 0;
		r->line++;
		if (memchr(buf, '\0', n)) {
			trace_error(r, "a NUL byte at column %zu (a trace is text)",
				    (size_t)((char *)memchr(buf, '\0', n) - buf) + 1);
			return -1;
		}
		while (n > 0 && buf[n - 1] == '\r')
			n--;
		buf[n] = '\0';
		char *p = buf;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		return 1;
	}
}

/* Split @line into at most @max whitespace-separated fields; returns how many. */
static int split(char *line, char **fields, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		fields[n++] = tok;
	}
	return n;
}

/*
 * Bounds that keep the engine's sums of times far from 2^64: times and durations below 2^56 ns
 * (about 2.3 years), message sizes below 2^40 bytes (1 TiB).
 */
#define TRACE_MAX_NS	(1ull << 56)
#define TRACE_MAX_BYTES (1ull << 40)

static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= TRACE_NAME_MAX)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

int trace_open(struct trace_reader *r, const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: a directory, not a trace file\n", path);
		fclose(f);
		return -1;
	}
	return trace_open_stream(r, f, path, stderr);
}

int trace_open_stream(struct trace_reader *r, FILE *stream, const char *name, FILE *errors)
{
	char buf[LINE_MAX_BYTES], *f[3];

	memset(r, 0, sizeof(*r));
	r->path = name;
	r->f = stream;
	r->errors = errors;
	int got = next_line(r, buf);
	if (got <= 0) {
		if (got == 0) {
			r->line = r->line ? r->line : 1;
			trace_error(r, "expected the header 'ruvix-trace 1' (or 0), found an empty "
				       "file");
		}
		trace_close(r);
		return -1;
	}
	if (split(buf, f, 2) != 2 || strcmp(f[0], "ruvix-trace") != 0) {
		trace_error(r, "expected the header 'ruvix-trace 1' (or 0)");
		trace_close(r);
		return -1;
	}
	if (strcmp(f[1], "0") != 0 && strcmp(f[1], "1") != 0 && strcmp(f[1], "2") != 0) {
		trace_error(r,
			    "trace format version %s is not supported (this reader knows 0, 1 and "
			    "2)",
			    f[1]);
		trace_close(r);
		return -1;
	}
	r->version = f[1][0] - '0';
	return 0;
}

/* Copy a partition name field that ends at @end (':' or NUL); false when it is not a name. */
static bool take_name(const char *s, const char *end, char out[TRACE_NAME_MAX])
{
	size_t n = (size_t)(end - s);

	if (n == 0 || n >= TRACE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ':')
			return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* c:PART:NS or m:FROM:TO:BYTES. */
static bool parse_step(const char *tok, struct trace_step *st)
{
	const char *p = tok + 2, *c1, *c2;

	if ((tok[0] != 'c' && tok[0] != 'm') || tok[1] != ':')
		return false;
	c1 = strchr(p, ':');
	if (!c1 || !take_name(p, c1, st->part))
		return false;
	if (tok[0] == 'c') {
		st->kind = STEP_COMPUTE;
		st->to[0] = '\0';
		return parse_u64(c1 + 1, &st->value) && st->value > 0 && st->value < TRACE_MAX_NS;
	}
	c2 = strchr(c1 + 1, ':');
	if (!c2 || !take_name(c1 + 1, c2, st->to))
		return false;
	st->kind = STEP_MESSAGE;
	return parse_u64(c2 + 1, &st->value) && st->value < TRACE_MAX_BYTES;
}

/* Steps a request may have in this trace's format. */
static int max_steps(const struct trace_reader *r)
{
	return r->version >= 2 ? TRACE_MAX_STEPS : TRACE_V1_MAX_STEPS;
}

static int read_request_v1(struct trace_reader *r, struct trace_item *it, char **f, int n)
{
	if (n < 5 || !parse_u64(f[1], &it->at_ns) || !parse_u64(f[3], &it->deadline_ns) ||
	    (strcmp(f[2], "critical") != 0 && strcmp(f[2], "batch") != 0)) {
		trace_error(r, "expected 'request AT_NS critical|batch DEADLINE_NS STEP...' "
			       "(integers; at least one step)");
		return -1;
	}
	it->cls = strcmp(f[2], "critical") == 0 ? CLASS_CRITICAL : CLASS_BATCH;
	it->nsteps = 0;
	for (int i = 4; i < n; i++) {
		if (it->nsteps == (uint32_t)max_steps(r)) {
			trace_error(r, "more than %d steps in one request", max_steps(r));
			return -1;
		}
		struct trace_step *st = &it->steps[it->nsteps];
		if (!parse_step(f[i], st)) {
			trace_error(r,
				    "step %d '%s': expected c:PARTITION:NS (NS > 0) or "
				    "m:FROM:TO:BYTES",
				    i - 3, f[i]);
			return -1;
		}
		/* A chain is one thread of work: each step starts where the last one ended. */
		const char *where = it->nsteps == 0 ? NULL
				    : it->steps[it->nsteps - 1].kind == STEP_MESSAGE
					    ? it->steps[it->nsteps - 1].to
					    : it->steps[it->nsteps - 1].part;
		if (where && strcmp(where, st->part) != 0) {
			trace_error(r,
				    "step %d starts on '%s', but the request is on '%s' after step "
				    "%d",
				    i - 3, st->part, where, i - 4);
			return -1;
		}
		if (st->kind == STEP_MESSAGE && strcmp(st->part, st->to) == 0) {
			trace_error(r, "step %d: a message from '%s' to itself", i - 3, st->part);
			return -1;
		}
		it->nsteps++;
	}
	return 0;
}

int trace_next(struct trace_reader *r, struct trace_item *it)
{
	/* Only the fields split fills are read (every use checks the count first), so the array
	 * is not cleared: for 261 pointers that was most of a short line's cost. */
	char buf[LINE_MAX_BYTES], *f[4 + TRACE_MAX_STEPS + 1];
	int got = next_line(r, buf);

	f[0] = f[1] = f[2] = f[3] = f[4] = ""; /* a line has a first field; the rest are counted */

	if (got <= 0)
		return got;
	int n = split(buf, f, 4 + TRACE_MAX_STEPS);
	if (strcmp(f[0], "partition") == 0) {
		if (n != 2 || !valid_name(f[1])) {
			trace_error(r,
				    "expected 'partition NAME' (NAME: 1-%d printable characters)",
				    TRACE_NAME_MAX - 1);
			return -1;
		}
		if (r->seen_request) {
			trace_error(r, "partitions must be declared before the first request");
			return -1;
		}
		it->kind = TRACE_PARTITION;
		memcpy(it->name, f[1], strlen(f[1]) + 1);
		return 1;
	}
	if (strcmp(f[0], "request") == 0) {
		if (n > 4 + max_steps(r)) {
			trace_error(r, "more than %d steps in one request", max_steps(r));
			return -1;
		}
		if (r->version == 0) {
			if (n != 4 || !parse_u64(f[1], &it->at_ns) || !valid_name(f[2]) ||
			    !parse_u64(f[3], &it->steps[0].value) || it->steps[0].value == 0) {
				trace_error(r, "expected 'request AT_NS PARTITION SERVICE_NS' "
					       "(integers, SERVICE_NS > 0)");
				return -1;
			}
			it->cls = CLASS_BATCH;
			it->deadline_ns = 0;
			it->nsteps = 1;
			it->steps[0].kind = STEP_COMPUTE;
			memcpy(it->steps[0].part, f[2], strlen(f[2]) + 1);
		} else if (read_request_v1(r, it, f, n) != 0) {
			return -1;
		}
		if (it->at_ns >= TRACE_MAX_NS || it->deadline_ns >= TRACE_MAX_NS ||
		    (r->version == 0 && it->steps[0].value >= TRACE_MAX_NS)) {
			trace_error(r, "times must be below 2^56 ns (about 2.3 years)");
			return -1;
		}
		if (it->at_ns < r->last_at_ns) {
			trace_error(r,
				    "request at %llu ns is before the previous one at %llu ns "
				    "(requests must be in time order)",
				    (unsigned long long)it->at_ns,
				    (unsigned long long)r->last_at_ns);
			return -1;
		}
		r->last_at_ns = it->at_ns;
		r->seen_request = 1;
		it->kind = TRACE_REQUEST;
		return 1;
	}
	trace_error(r, "expected 'partition' or 'request', found '%s'", f[0]);
	return -1;
}

void trace_close(struct trace_reader *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}
