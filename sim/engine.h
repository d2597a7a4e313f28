/*
 * The discrete-event engine: replays a trace over the RuVix core with virtual time.
 *
 * Foundation model (docs/simulator.md): each partition is homed on a CPU round-robin in the
 * order the trace declares it; a request waits in its partition's FIFO; the core's scheduler
 * picks which runnable partition a free CPU runs next; a CPU runs one request to completion,
 * paying switch_ns first whenever it changes partition.
 */
#ifndef RUVIX_SIM_ENGINE_H
#define RUVIX_SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"
#include "stats.h"

/** A device-tree blob loaded from a file (see blob.h). */
struct sim_blob {
	const void *data;
	size_t size;
	const char *path;
};

struct sim_result {
	uint64_t events;   /* arrivals + completions processed */
	uint64_t requests; /* requests completed */
	uint64_t switches; /* CPU changed partition */
	uint64_t makespan_ns;
	uint32_t partitions;
	uint8_t state_digest[16]; /* kernel_digest at the end, before the halt record */
	struct latency_set latency;
};

/**
 * Replay the trace at @trace_path on machine @m; witness records go to @wlog. With a
 * @manifest (NULL for none) the kernel is first built from it and the trace's partitions must
 * be the manifest's; without one the trace's partition lines create them. Returns 0, or -1
 * after printing an error (bad trace: file:line: what was expected).
 */
int sim_run(const char *trace_path, const struct sim_machine *m, const struct sim_blob *manifest,
	    FILE *wlog, struct sim_result *res);

#endif
