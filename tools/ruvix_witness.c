/*
 * ruvix-witness: read RuVix witness logs (wire format v1, docs/witness.md).
 *
 *   ruvix-witness verify LOG [--head HEX] [--count N]
 *   ruvix-witness dump LOG
 *   ruvix-witness replay LOG [--digest HEX]
 *
 * verify exits 0 when the log is intact, 1 with the index of the first bad record when it is
 * not, 2 on a usage or I/O error. The chain catches any changed bit; seq numbers catch dropped,
 * inserted and reordered records. A record cut from the end changes nothing before it, so
 * compare the head (or count) with what the kernel printed to catch that too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/kernel.h>
#include <ruvix/replay.h>
#include <ruvix/witness.h>

#include "replay_hal.h"

enum { EXIT_INTACT = 0, EXIT_BROKEN = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out, "usage: ruvix-witness verify LOG [--head HEX] [--count N]\n"
		     "       ruvix-witness dump LOG\n"
		     "       ruvix-witness replay LOG [--digest HEX]\n"
		     "verify: exit 0 when intact, 1 at the first bad record, 2 on usage or I/O "
		     "errors\n");
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int parse_hex(const char *s, uint8_t out[WITNESS_CHAIN_SIZE])
{
	if (strlen(s) != 2 * WITNESS_CHAIN_SIZE)
		return -1;
	for (int i = 0; i < WITNESS_CHAIN_SIZE; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
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

static int verify(const char *path, const char *want_head_hex, long long want_count)
{
	uint8_t want_head[WITNESS_CHAIN_SIZE], prev[WITNESS_CHAIN_SIZE] = { 0 };
	uint8_t rec[WITNESS_RECORD_SIZE], expect[WITNESS_CHAIN_SIZE];
	uint64_t i = 0, last_time = 0;
	char h[2 * WITNESS_CHAIN_SIZE + 1];
	size_t got;
	int r;

	if (want_head_hex && parse_hex(want_head_hex, want_head) != 0) {
		fprintf(stderr, "ruvix-witness: --head wants %d hex digits, got '%s'\n",
			2 * WITNESS_CHAIN_SIZE, want_head_hex);
		return EXIT_USAGE;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "ruvix-witness: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	while ((r = read_record(f, rec, &got)) == 1) {
		struct witness_record w;
		witness_decode(rec, &w);
		if (w.seq != i) {
			printf("FAIL %s: record %" PRIu64 ": seq is %" PRIu64 ", expected %" PRIu64
			       " (a record was dropped, inserted or reordered)\n",
			       path, i, w.seq, i);
			fclose(f);
			return EXIT_BROKEN;
		}
		witness_chain_value(prev, rec, expect);
		if (memcmp(expect, w.chain, WITNESS_CHAIN_SIZE) != 0) {
			printf("FAIL %s: record %" PRIu64 ": chain mismatch (the record or one "
			       "before it was altered)\n",
			       path, i);
			fclose(f);
			return EXIT_BROKEN;
		}
		if (i > 0 && w.time_ns < last_time) {
			printf("FAIL %s: record %" PRIu64 ": time %" PRIu64
			       " ns is before the previous record's %" PRIu64 " ns\n",
			       path, i, w.time_ns, last_time);
			fclose(f);
			return EXIT_BROKEN;
		}
		last_time = w.time_ns;
		memcpy(prev, w.chain, WITNESS_CHAIN_SIZE);
		i++;
	}
	int read_error = ferror(f);
	fclose(f);
	if (read_error) {
		fprintf(stderr, "ruvix-witness: %s: read error\n", path);
		return EXIT_USAGE;
	}
	if (r < 0) {
		printf("FAIL %s: record %" PRIu64 ": truncated, %zu of %d bytes\n", path, i, got,
		       WITNESS_RECORD_SIZE);
		return EXIT_BROKEN;
	}
	if (i == 0) {
		printf("FAIL %s: record 0: empty log (a boot always writes one)\n", path);
		return EXIT_BROKEN;
	}
	hex(prev, WITNESS_CHAIN_SIZE, h);
	if (want_count >= 0 && (uint64_t)want_count != i) {
		printf("FAIL %s: record %" PRIu64 ": log has %" PRIu64 " records, expected %lld\n",
		       path, i < (uint64_t)want_count ? i : (uint64_t)want_count, i, want_count);
		return EXIT_BROKEN;
	}
	if (want_head_hex && memcmp(prev, want_head, WITNESS_CHAIN_SIZE) != 0) {
		printf("FAIL %s: record %" PRIu64 ": head %s, expected %s (records cut from or "
		       "added to the end)\n",
		       path, i - 1, h, want_head_hex);
		return EXIT_BROKEN;
	}
	printf("OK %s: %" PRIu64 " records, head %s\n", path, i, h);
	return EXIT_INTACT;
}

static int dump(const char *path)
{
	uint8_t rec[WITNESS_RECORD_SIZE];
	size_t got;
	int r;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "ruvix-witness: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	printf("%6s %14s %-18s %4s %3s %10s %18s %18s %18s %s\n", "seq", "time_ns", "kind", "tier",
	       "cpu", "actor", "target", "arg0", "arg1", "chain");
	while ((r = read_record(f, rec, &got)) == 1) {
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
		printf("%6" PRIu64 " %14" PRIu64 " %-18s %4u %3u %10s 0x%016" PRIx64
		       " 0x%016" PRIx64 " 0x%016" PRIx64 " %s\n",
		       w.seq, w.time_ns, kind, w.tier, w.cpu, actor, w.target, w.arg0, w.arg1,
		       chain);
	}
	fclose(f);
	if (r < 0) {
		fprintf(stderr, "ruvix-witness: %s: trailing %zu bytes are not a whole record\n",
			path, got);
		return EXIT_BROKEN;
	}
	return EXIT_INTACT;
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
static int replay(const char *path, const char *want_digest)
{
	uint8_t rec[WITNESS_RECORD_SIZE], digest[16], want[16];
	char hexd[33];
	uint64_t i = 0;
	size_t got;
	int r;

	if (want_digest && parse_hex(want_digest, want) != 0) {
		fprintf(stderr, "ruvix-witness: --digest wants 32 hex digits, got '%s'\n",
			want_digest);
		return EXIT_USAGE;
	}
	int v = verify(path, NULL, -1);
	if (v != EXIT_INTACT)
		return v;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "ruvix-witness: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	while ((r = read_record(f, rec, &got)) == 1) {
		struct witness_record w;
		bool matched;
		witness_decode(rec, &w);
		replay_hal_expect(w.time_ns, w.cpu, rec);
		enum kerr e = kernel_replay(&w);
		unsigned n = replay_hal_emitted(&matched);
		if (n != 1 || !matched) {
			const char *kind = witness_kind_name(w.kind);
			if (n == 0)
				printf("FAIL %s: record %" PRIu64
				       " (%s): replay emitted no record (%s)\n",
				       path, i, kind ? kind : "unknown kind", kerr_name(e));
			else if (n > 1)
				printf("FAIL %s: record %" PRIu64
				       " (%s): replay emitted %u records\n",
				       path, i, kind ? kind : "unknown kind", n);
			else
				printf("FAIL %s: record %" PRIu64 " (%s): replay differs in %s\n",
				       path, i, kind ? kind : "unknown kind",
				       first_difference(rec, replay_hal_last()));
			fclose(f);
			return EXIT_BROKEN;
		}
		i++;
	}
	fclose(f);
	kernel_digest(digest);
	hex(digest, 16, hexd);
	if (want_digest && memcmp(digest, want, 16) != 0) {
		printf("FAIL %s: replayed state digest %s, the kernel reported %s\n", path, hexd,
		       want_digest);
		return EXIT_BROKEN;
	}
	printf("OK %s: %" PRIu64 " records re-executed, state digest %s\n", path, i, hexd);
	return EXIT_INTACT;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return EXIT_INTACT;
	}
	if (argc >= 3 && !strcmp(argv[1], "verify")) {
		const char *head = NULL;
		long long count = -1;
		for (int i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--head") && i + 1 < argc) {
				head = argv[++i];
			} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
				char *end;
				count = strtoll(argv[++i], &end, 10);
				if (*end || end == argv[i] || count < 0) {
					fprintf(stderr,
						"ruvix-witness: --count wants a number, got '%s'\n",
						argv[i]);
					return EXIT_USAGE;
				}
			} else {
				fprintf(stderr, "ruvix-witness: unknown argument '%s'\n", argv[i]);
				usage(stderr);
				return EXIT_USAGE;
			}
		}
		return verify(argv[2], head, count);
	}
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return dump(argv[2]);
	if ((argc == 3 || (argc == 5 && !strcmp(argv[3], "--digest"))) &&
	    !strcmp(argv[1], "replay"))
		return replay(argv[2], argc == 5 ? argv[4] : NULL);
	usage(stderr);
	return EXIT_USAGE;
}
