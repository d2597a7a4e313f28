/*
 * ruvix-witness: read RuVix witness logs (wire format v1, docs/witness.md).
 *
 *   ruvix-witness verify LOG [--head HEX] [--count N] [--open]
 *   ruvix-witness dump LOG [--force]
 *   ruvix-witness replay LOG [--digest HEX] [--open]
 *   ruvix-witness split LOG DIR [--open]
 *
 * A log is untrusted input. verify exits 0 when the log is intact, 1 with the index of the
 * first bad record when it is not, 2 on a usage or I/O error. The chain catches any changed
 * bit; seq numbers catch dropped, inserted and reordered records; a log must start with a boot
 * record and end with a halt record, so a log cut short fails too unless --open says it is
 * still being written. Compare the head (or count) with what the kernel printed to catch a cut
 * that kept a halt record. dump prints a log whose records are whole and chained; replay
 * re-executes one that verifies. A file that starts with a segment record (docs/witness.md,
 * "Segments") is a segment cut out of a log: verify takes the chain value and seq it carries
 * as its start. split cuts a verified log into its segments, one file each.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fileno */
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ruvix/kernel.h>
#include <ruvix/replay.h>
#include <ruvix/witness.h>

#include "replay_hal.h"

enum { EXIT_INTACT = 0, EXIT_BROKEN = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ruvix-witness verify LOG [--head HEX] [--count N] [--open]\n"
		"       ruvix-witness dump LOG [--force]\n"
		"       ruvix-witness replay LOG [--digest HEX] [--open]\n"
		"       ruvix-witness split LOG DIR [--open]\n"
		"verify: exit 0 when intact, 1 at the first bad record, 2 on usage or I/O "
		"errors\n"
		"--open: accept a log without its final halt record (still being written, or a "
		"segment before the last)\n"
		"split: write DIR/segment-NNNNNN.wlog per segment of LOG, each verifiable on "
		"its own\n"
		"--force: dump every whole record even when seq or chain break\n");
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 32 hex digits (no sign, space or 0x) into 16 bytes. */
static int parse_hex(const char *s, uint8_t out[WITNESS_CHAIN_SIZE])
{
	if (strlen(s) != 2 * WITNESS_CHAIN_SIZE)
		return -1;
	for (int i = 0; i < WITNESS_CHAIN_SIZE; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Read one record; 1 = got one, 0 = clean end, -1 = truncated record (bytes in *got). */
static int read_record(FILE *f, uint8_t rec[WITNESS_RECORD_SIZE], size_t *got)
{
	*got = fread(rec, 1, WITNESS_RECORD_SIZE, f);
	if (*got == WITNESS_RECORD_SIZE)
		return 1;
	return *got == 0 ? 0 : -1;
}

/* Open @path for reading as a log: a regular file, or an error printed and NULL. */
static FILE *open_log(const char *path)
{
	struct stat st;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "ruvix-witness: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"ruvix-witness: %s: %s, not a witness log (a file of %d-byte records)\n",
			path, S_ISDIR(st.st_mode) ? "a directory" : "not a regular file",
			WITNESS_RECORD_SIZE);
		fclose(f);
		return NULL;
	}
	return f;
}

/* What check_log looks at beyond whole records, seq and the chain. */
struct log_rules {
	bool run;	 /* boot first, time order, tiers, and a halt record last */
	bool open;	 /* with run: the log may still be being written (no halt yet) */
	const char *why; /* out: a short reason for the failure, NULL when intact */
};

/*
 * Walk the records of @f once. Every log must consist of whole records numbered 0, 1, 2, ...
 * with a chain that holds; with @rules->run it must also be one run of a machine: a boot record
 * first, time never going backwards, tiers 0..3, and a halt record last (and nowhere else) that
 * counts the records before it, unless @rules->open. Prints "FAIL PATH: record I: ..." to @out
 * and returns EXIT_BROKEN at the first fault; EXIT_USAGE on a read error (told on @err); else
 * EXIT_INTACT with the record count and the head.
 */
static int check_log(FILE *f, const char *path, FILE *out, FILE *err, struct log_rules *rules,
		     uint64_t *count, uint8_t head[WITNESS_CHAIN_SIZE])
{
	uint8_t prev[WITNESS_CHAIN_SIZE] = { 0 }, rec[WITNESS_RECORD_SIZE];
	uint8_t expect[WITNESS_CHAIN_SIZE];
	uint64_t i = 0, last_time = 0, base = 0; /* base: seq of the first record (a segment's) */
	bool segment = false;
	uint16_t last_kind = 0;
	struct witness_record w = { 0 };
	size_t got;
	int r;

#define BROKEN(why_, ...)                                                                          \
	do {                                                                                       \
		rules->why = why_;                                                                 \
		fprintf(out, "FAIL %s: record %" PRIu64 ": ", path, i);                            \
		fprintf(out, __VA_ARGS__);                                                         \
		fputc('\n', out);                                                                  \
		return EXIT_BROKEN;                                                                \
	} while (0)

	rules->why = NULL;
	while ((r = read_record(f, rec, &got)) == 1) {
		witness_decode(rec, &w);
		if (i == 0 && rules->run && w.kind == WK_SEGMENT && w.seq > 0) {
			/* A segment on its own: its first record carries the chain value before
			 * it; the chain rule then proves every record from there on. */
			segment = true;
			base = w.seq;
			for (unsigned k = 0; k < 8; k++) {
				prev[k] = (uint8_t)(w.arg0 >> (8 * k));
				prev[8 + k] = (uint8_t)(w.arg1 >> (8 * k));
			}
		}
		if (w.seq != base + i)
			BROKEN("seq", "seq is %" PRIu64 ", expected %" PRIu64 " (%s)", w.seq,
			       base + i,
			       i > 0	    ? "a record was dropped, inserted or reordered"
			       : rules->run ? "this is not the start of a witness log or a segment"
					    : "this is not the start of a witness log");
		witness_chain_value(prev, rec, expect);
		if (memcmp(expect, w.chain, WITNESS_CHAIN_SIZE) != 0)
			BROKEN("chain", "chain mismatch (the record or one before it was altered)");
		if (rules->run) {
			if (i == 0 && w.kind != WK_BOOT && !segment)
				BROKEN("boot",
				       "kind 0x%04x, expected boot (a log starts at reset) or "
				       "segment",
				       w.kind);
			if (i > 0 && w.kind == WK_BOOT)
				BROKEN("boot", "a second boot record (a log holds one run)");
			if (i > 0 && w.time_ns < last_time)
				BROKEN("time",
				       "time %" PRIu64
				       " ns is before the previous record's %" PRIu64 " ns",
				       w.time_ns, last_time);
			if (w.tier > TIER_P3)
				BROKEN("tier", "tier %u is not a proof tier (0..3)", w.tier);
			if (i > 0 && last_kind == WK_HALT)
				BROKEN("halt", "a record after the halt record (the machine had "
					       "stopped)");
			if (w.kind == WK_HALT && w.arg1 != w.seq)
				BROKEN("halt",
				       "the halt record counts %" PRIu64
				       " records before it, but there are %" PRIu64,
				       w.arg1, w.seq);
		}
		last_time = w.time_ns;
		last_kind = w.kind;
		memcpy(prev, w.chain, WITNESS_CHAIN_SIZE);
		i++;
	}
	if (ferror(f)) {
		fprintf(err, "ruvix-witness: %s: read error: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (r < 0)
		BROKEN("truncated",
		       "truncated, %zu of %d bytes at byte offset %" PRIu64
		       " (a log is whole %d-byte records)",
		       got, WITNESS_RECORD_SIZE, i * WITNESS_RECORD_SIZE, WITNESS_RECORD_SIZE);
	if (i == 0)
		BROKEN("empty", "empty log (a boot always writes one)");
	if (rules->run && !rules->open && w.kind != WK_HALT) {
		i--;
		BROKEN("halt",
		       "no halt record: the log is truncated or the machine did not stop cleanly "
		       "(the last record is %s; --open accepts a log still being written)",
		       witness_kind_name(w.kind) ? witness_kind_name(w.kind)
						 : "of an unknown kind");
	}
#undef BROKEN
	*count = i;
	memcpy(head, prev, WITNESS_CHAIN_SIZE);
	return EXIT_INTACT;
}

static int verify_stream(FILE *f, const char *path, FILE *out, FILE *err, const uint8_t *want_head,
			 long long want_count, bool open)
{
	struct log_rules rules = { .run = true, .open = open };
	uint8_t head[WITNESS_CHAIN_SIZE];
	char h[2 * WITNESS_CHAIN_SIZE + 1], w[2 * WITNESS_CHAIN_SIZE + 1];
	uint64_t n;
	int r = check_log(f, path, out, err, &rules, &n, head);

	if (r != EXIT_INTACT)
		return r;
	hex(head, WITNESS_CHAIN_SIZE, h);
	if (want_count >= 0 && (uint64_t)want_count != n) {
		fprintf(out,
			"FAIL %s: record %" PRIu64 ": log has %" PRIu64 " records, expected %lld\n",
			path, n < (uint64_t)want_count ? n : (uint64_t)want_count, n, want_count);
		return EXIT_BROKEN;
	}
	if (want_head && memcmp(head, want_head, WITNESS_CHAIN_SIZE) != 0) {
		hex(want_head, WITNESS_CHAIN_SIZE, w);
		fprintf(out,
			"FAIL %s: record %" PRIu64 ": head %s, expected %s (records cut from or "
			"added to the end)\n",
			path, n - 1, h, w);
		return EXIT_BROKEN;
	}
	fprintf(out, "OK %s: %" PRIu64 " records, head %s%s\n", path, n, h,
		rules.open ? " (open: no halt record required)" : "");
	return EXIT_INTACT;
}

/*
 * Print one line per record. The input must be whole records with intact seq numbers and
 * chain (random bytes or a damaged log are refused before anything is printed), unless @force:
 * then every whole record is printed, and the exit status still says the log is damaged.
 */
static int dump_stream(FILE *f, const char *path, FILE *out, FILE *err, bool force)
{
	struct log_rules rules = { .run = false };
	uint8_t rec[WITNESS_RECORD_SIZE], head[WITNESS_CHAIN_SIZE];
	uint64_t n;
	size_t got;

	/* Whole records first: a length that is not a multiple of 64 is not a log at all. */
	if (fseeko(f, 0, SEEK_END) != 0) {
		fprintf(err, "ruvix-witness: %s: cannot seek: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	off_t size = ftello(f);
	if (size % WITNESS_RECORD_SIZE) {
		fprintf(err,
			"FAIL %s: record %lld: truncated, %lld of %d bytes at byte offset %lld (a "
			"log is whole %d-byte records)\n",
			path, (long long)(size / WITNESS_RECORD_SIZE),
			(long long)(size % WITNESS_RECORD_SIZE), WITNESS_RECORD_SIZE,
			(long long)(size - size % WITNESS_RECORD_SIZE), WITNESS_RECORD_SIZE);
		return EXIT_BROKEN;
	}
	rewind(f);
	int r = check_log(f, path, err, err, &rules, &n, head);
	if (r == EXIT_USAGE || (r != EXIT_INTACT && (!force || !strcmp(rules.why, "empty"))))
		return r;
	rewind(f);
	fprintf(out, "%6s %14s %-18s %4s %3s %10s %18s %18s %18s %s\n", "seq", "time_ns", "kind",
		"tier", "cpu", "actor", "target", "arg0", "arg1", "chain");
	while (read_record(f, rec, &got) == 1) {
		struct witness_record w;
		char chain[2 * WITNESS_CHAIN_SIZE + 1], kind[24], actor[12];
		const char *name;

		witness_decode(rec, &w);
		hex(w.chain, WITNESS_CHAIN_SIZE, chain);
		name = witness_kind_name(w.kind);
		if (name)
			snprintf(kind, sizeof(kind), "%s", name);
		else
			snprintf(kind, sizeof(kind), "kind_0x%04x", w.kind);
		if (w.actor == WITNESS_ACTOR_KERNEL)
			snprintf(actor, sizeof(actor), "kernel");
		else
			snprintf(actor, sizeof(actor), "%" PRIu32, w.actor);
		fprintf(out,
			"%6" PRIu64 " %14" PRIu64 " %-18s %4u %3u %10s 0x%016" PRIx64
			" 0x%016" PRIx64 " 0x%016" PRIx64 " %s\n",
			w.seq, w.time_ns, kind, w.tier, w.cpu, actor, w.target, w.arg0, w.arg1,
			chain);
	}
	if (ferror(f)) {
		fprintf(err, "ruvix-witness: %s: read error: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	return r;
}

static const char *const field_names[] = { "seq",   "time_ns", "kind", "tier", "cpu",
					   "actor", "target",  "arg0", "arg1", "chain" };

/* Name of the first field where two encoded records differ. */
static const char *first_difference(const uint8_t *a, const uint8_t *b)
{
	static const int starts[] = { 0, 8, 16, 18, 19, 20, 24, 32, 40, 48, 64 };

	for (int f = 0; f < 10; f++)
		if (memcmp(a + starts[f], b + starts[f], (size_t)(starts[f + 1] - starts[f])) != 0)
			return field_names[f];
	return "none";
}

/*
 * Re-execute the log on a fresh kernel (core/replay.c). Each record must make the kernel emit
 * exactly that record again; the state digest at the end is what the kernel that wrote the log
 * reported (sim report "state_digest", boot console "state digest").
 */
static int replay_stream(FILE *f, const char *path, FILE *out, FILE *err,
			 const uint8_t *want_digest, bool open)
{
	uint8_t rec[WITNESS_RECORD_SIZE], digest[16];
	char hexd[33], hexw[33];
	uint64_t i = 0;
	size_t got;

	int v = verify_stream(f, path, out, err, NULL, -1, open);
	if (v != EXIT_INTACT)
		return v;
	rewind(f);
	while (read_record(f, rec, &got) == 1) {
		struct witness_record w;
		bool matched;
		witness_decode(rec, &w);
		const char *kind = witness_kind_name(w.kind);
		const char *why = kernel_replay_check(&w);
		if (why) {
			fprintf(out, "FAIL %s: record %" PRIu64 " (%s): cannot be replayed: %s\n",
				path, i, kind ? kind : "unknown kind", why);
			return EXIT_BROKEN;
		}
		replay_hal_expect(w.time_ns, w.cpu, rec);
		enum kerr e = kernel_replay(&w);
		unsigned n = replay_hal_emitted(&matched);
		if (n != 1 || !matched) {
			if (n == 0)
				fprintf(out,
					"FAIL %s: record %" PRIu64
					" (%s): replay emitted no record (%s)\n",
					path, i, kind ? kind : "unknown kind", kerr_name(e));
			else if (n > 1)
				fprintf(out,
					"FAIL %s: record %" PRIu64
					" (%s): replay emitted %u records\n",
					path, i, kind ? kind : "unknown kind", n);
			else
				fprintf(out,
					"FAIL %s: record %" PRIu64 " (%s): replay differs in %s\n",
					path, i, kind ? kind : "unknown kind",
					first_difference(rec, replay_hal_last()));
			return EXIT_BROKEN;
		}
		i++;
	}
	if (ferror(f)) {
		fprintf(err, "ruvix-witness: %s: read error: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	kernel_digest(digest);
	hex(digest, 16, hexd);
	if (want_digest && memcmp(digest, want_digest, 16) != 0) {
		hex(want_digest, 16, hexw);
		fprintf(out, "FAIL %s: replayed state digest %s, the kernel reported %s\n", path,
			hexd, hexw);
		/* The replaying kernel has this build's table sizes; handles and slots depend on
		 * them, so a log replays to its digest only in a tool built with the same ones. */
		fprintf(out,
			"  (this ruvix-witness has tables of %d partitions, %d capabilities, %d "
			"slots per partition, %d regions and %d edges; a log replays to its "
			"digest only with the sizes of the kernel that wrote it: "
			"build/aarch64/tools/ruvix-witness for bare-metal logs, docs/witness.md)\n",
			RUVIX_MAX_PARTITIONS, RUVIX_MAX_CAPS, RUVIX_CAP_SLOTS, RUVIX_MAX_REGIONS,
			RUVIX_MAX_EDGES);
		return EXIT_BROKEN;
	}
	fprintf(out, "OK %s: %" PRIu64 " records re-executed, state digest %s\n", path, i, hexd);
	return EXIT_INTACT;
}

/* The command line, parsed: one command, its log, and its options. */
struct args {
	const char *cmd, *log, *dir;
	uint8_t head[WITNESS_CHAIN_SIZE], digest[16];
	bool has_head, has_digest, open, force;
	long long count;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	*a = (struct args){ .count = -1 };
	if (argc < 2 || (strcmp(argv[1], "verify") && strcmp(argv[1], "dump") &&
			 strcmp(argv[1], "replay") && strcmp(argv[1], "split"))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	a->cmd = argv[1];
	bool verify = !strcmp(a->cmd, "verify"), replay = !strcmp(a->cmd, "replay");
	bool split = !strcmp(a->cmd, "split");
	for (int i = 2; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strncmp(opt, "--", 2) != 0 && !a->log) {
			a->log = opt;
		} else if (split && strncmp(opt, "--", 2) != 0 && !a->dir) {
			a->dir = opt;
		} else if (verify && !strcmp(opt, "--head") && val) {
			if (parse_hex(val, a->head) != 0) {
				fprintf(stderr,
					"ruvix-witness: --head wants %d hex digits, got '%s'\n",
					2 * WITNESS_CHAIN_SIZE, val);
				return EXIT_USAGE;
			}
			a->has_head = true;
			i++;
		} else if (verify && !strcmp(opt, "--count") && val) {
			char *end;
			errno = 0;
			a->count = strtoll(val, &end, 10);
			if (*end || end == val || a->count < 0 || errno) {
				fprintf(stderr, "ruvix-witness: --count wants a number, got '%s'\n",
					val);
				return EXIT_USAGE;
			}
			i++;
		} else if (replay && !strcmp(opt, "--digest") && val) {
			if (parse_hex(val, a->digest) != 0) {
				fprintf(stderr,
					"ruvix-witness: --digest wants 32 hex digits, got '%s'\n",
					val);
				return EXIT_USAGE;
			}
			a->has_digest = true;
			i++;
		} else if ((verify || replay || split) && !strcmp(opt, "--open")) {
			a->open = true;
		} else if (!verify && !replay && !split && !strcmp(opt, "--force")) {
			a->force = true;
		} else {
			fprintf(stderr, "ruvix-witness: %s: unknown argument '%s'\n", a->cmd, opt);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!a->log) {
		fprintf(stderr, "ruvix-witness: %s: which LOG?\n", a->cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (split && !a->dir) {
		fprintf(stderr, "ruvix-witness: split: which DIR for the segments?\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	return EXIT_INTACT;
}

/* Remove the first @n segment files split_log wrote under @dir (and a half-written one). */
static void remove_segments(const char *dir, unsigned n)
{
	char name[4200];

	for (unsigned k = 0; k <= n; k++) {
		snprintf(name, sizeof(name), "%s/segment-%06u.wlog", dir, k);
		if (k < n)
			remove(name);
		snprintf(name, sizeof(name), "%s/segment-%06u.wlog.tmp", dir, k);
		remove(name);
	}
}

/*
 * split: verify the whole log (a run: boot first, halt last unless @open), then write each of
 * its segments to @dir/segment-NNNNNN.wlog: segment 0 from the boot record, segment k from its
 * k-th segment record. Each file is written under a .tmp name and renamed when complete; on
 * any error every file written so far is removed, so there is no half-written output.
 */
static int split_log(FILE *f, const char *path, const char *dir, bool open, FILE *out, FILE *err)
{
	struct log_rules rules = { .run = true, .open = open };
	uint8_t head[WITNESS_CHAIN_SIZE], rec[WITNESS_RECORD_SIZE];
	char tmp[4200], name[4096];
	uint64_t n, records = 0;
	unsigned segments = 0;
	FILE *seg = NULL;
	size_t got;
	int r = check_log(f, path, out, err, &rules, &n, head);

	if (r != EXIT_INTACT)
		return r;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(err, "ruvix-witness: %s: %s\n", dir, strerror(errno));
		return EXIT_USAGE;
	}
	rewind(f);
	while (read_record(f, rec, &got) == 1) {
		struct witness_record w;
		witness_decode(rec, &w);
		if (!seg || w.kind == WK_SEGMENT) {
			if (seg && (fclose(seg) != 0 || rename(tmp, name) != 0))
				goto failed;
			if (seg)
				segments++;
			snprintf(name, sizeof(name), "%s/segment-%06u.wlog", dir, segments);
			snprintf(tmp, sizeof(tmp), "%s.tmp", name);
			if (!(seg = fopen(tmp, "wb")))
				goto failed;
		}
		if (fwrite(rec, 1, sizeof(rec), seg) != sizeof(rec))
			goto failed;
		records++;
	}
	if (ferror(f) || !seg || fclose(seg) != 0 || rename(tmp, name) != 0) {
		seg = NULL;
		goto failed;
	}
	segments++;
	fprintf(out, "OK %s: %" PRIu64 " records in %u segments, %s/segment-000000.wlog to %s\n",
		path, records, segments, dir, name);
	return EXIT_INTACT;
failed:
	fprintf(err, "ruvix-witness: %s: cannot write segment %u: %s\n", dir, segments,
		strerror(errno));
	if (seg)
		fclose(seg);
	remove_segments(dir, segments);
	return EXIT_USAGE;
}

/* Run the command of @a on the open log @f: results to @out, errors to @err. */
static int run_command(const struct args *a, FILE *f, FILE *out, FILE *err)
{
	if (!strcmp(a->cmd, "verify"))
		return verify_stream(f, a->log, out, err, a->has_head ? a->head : NULL, a->count,
				     a->open);
	if (!strcmp(a->cmd, "dump"))
		return dump_stream(f, a->log, out, err, a->force);
	if (!strcmp(a->cmd, "split"))
		return split_log(f, a->log, a->dir, a->open, out, err);
	return replay_stream(f, a->log, out, err, a->has_digest ? a->digest : NULL, a->open);
}

#ifndef RUVIX_WITNESS_NO_MAIN
int main(int argc, char **argv)
{
	struct args a;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return EXIT_INTACT;
	}
	int r = parse_args(argc, argv, &a);
	if (r != EXIT_INTACT)
		return r;
	FILE *f = open_log(a.log);
	if (!f)
		return EXIT_USAGE;
	r = run_command(&a, f, stdout, stderr);
	fclose(f);
	return r;
}
#endif
