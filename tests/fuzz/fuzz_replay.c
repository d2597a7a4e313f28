/*
 * Fuzz target: replay of a witness log (core/replay.c), as `ruvix-witness replay` runs it and
 * as a direct caller of kernel_replay would. The input is a log; the corpus starts from the
 * logs the simulator writes for the shipped traces and manifests (run_fuzz.py --sim-seed), and
 * the record-aware mutator (wlog_mutator.c) changes fields to values the kernel cares about.
 * The target renumbers and re-chains every record, so each input gets past verify's checks to
 * replay's object logic with whatever the fields hold.
 *
 * 1. The tool's path: verify (--open), then replay record by record. No CHECK may fail (the
 *    replay HAL exits 70, which libFuzzer reports) and no sanitizer may fire; a log that
 *    replays to the end leaves capability trees and a witness chain that pass their P3 audits.
 * 2. Every record straight into kernel_replay, with no verify in front, going on after records
 *    that do not replay (each gets the kernel's next seq number, so later ones still can):
 *    again no CHECK, at most one record per call, and the audits hold at the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/kernel.h>
#include <ruvix/partition.h>
#include <ruvix/replay.h>
#include <ruvix/witness.h>

#include "wlog_mutator.h"

/* The tool itself, without its main: the target calls its stream functions. */
#define RUVIX_WITNESS_NO_MAIN
#pragma clang diagnostic ignored "-Wunused-function"
#include "ruvix_witness.c"

#define MAX_RECORDS 4096

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

static void audits(void)
{
	u64 detail;

	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++)
		if (partition_index_valid(p) && !cap_audit(p, &detail))
			abort();
	if (!witness_audit(&detail))
		abort();
}

static void direct(uint8_t *log, size_t n)
{
	struct machine_desc m = { .ncpus = 2, .nnodes = 1, .mem_bytes = 1 << 28 };

	/* A known kernel to start from, whatever the log's first record does. */
	if (kernel_boot(&m) != KERR_OK)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct witness_record w;
		bool matched;
		witness_decode(log + i * WITNESS_RECORD_SIZE, &w);
		w.seq = w.kind == WK_BOOT ? 0 : witness_count();
		replay_hal_expect(w.time_ns, w.cpu, log + i * WITNESS_RECORD_SIZE);
		bool ok = kernel_replay_check(&w) == NULL;
		kernel_replay(&w);
		unsigned emitted = replay_hal_emitted(&matched);
		if (emitted > 1 || (!ok && emitted != 0))
			abort(); /* one record per replayed action; none for a refused record */
	}
	audits();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t log[MAX_RECORDS * WITNESS_RECORD_SIZE];
	size_t n = size / WITNESS_RECORD_SIZE;

	if (n == 0 || n > MAX_RECORDS)
		return 0;
	memcpy(log, data, n * WITNESS_RECORD_SIZE);
	wlog_rechain(log, n, true);

	FILE *f = fmemopen(log, n * WITNESS_RECORD_SIZE, "rb");
	if (!f)
		abort();
	int r = replay_stream(f, "fuzz.wlog", devnull, devnull, NULL, true);
	fclose(f);
	if (r == EXIT_USAGE)
		abort(); /* a log in memory has no I/O errors */
	if (r == EXIT_INTACT)
		audits();

	direct(log, n);
	return 0;
}
