/*
 * The discrete-event engine: replays a trace over the RuVix core with virtual time.
 *
 * Model (docs/simulator.md): each partition is homed on a CPU round-robin in the order the
 * trace declares it (or as the manifest says). A request is a chain of steps: a compute step
 * waits in its partition's queue until a CPU runs it to completion (paying switch_ns first when
 * the CPU changes partition); a message step goes through a CommEdge of the core (edge_send by
 * the sender, edge_recv by the receiver at delivery, both witnessed; the edge feeds the
 * coherence engine through hal_edge_traffic), takes the machine's latency plus a per-byte cost,
 * local or across NUMA nodes, and counts its bytes as local or cross-node. The core's
 * scheduler picks which runnable partition a free CPU runs next.
 */
#ifndef RUVIX_SIM_ENGINE_H
#define RUVIX_SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"
#include "stats.h"
#include "trace.h"

/** A device-tree blob loaded from a file (see blob.h). */
struct sim_blob {
	const void *data;
	size_t size;
	const char *path;
};

/** Scheduling policies (docs/simulator.md). */
enum sim_policy {
	POLICY_NAIVE = 0,     /* round-robin placement; FIFO between and within partitions */
	POLICY_EDF = 1,	      /* round-robin placement; earliest request deadline first */
	POLICY_COHERENCE = 2, /* edf plus the coherence engine: placement, migration and the
			       * cut-pressure term (needs -Dcoherence=enabled) */
};

/* The coherence policy's model (docs/simulator.md, "The coherence policy"). */
#define SIM_EPOCH_NS	     1000000ull	    /* an epoch every 1 ms of virtual time */
#define SIM_PS_PER_WORK_UNIT 1500ull	    /* epoch time per coh_work_units (host-calibrated) */
#define SIM_MIGRATE_NS	     20000ull	    /* charged to a moved partition's next step */
#define SIM_EPOCH_BUDGET_NS  50000ull	    /* DC-2 default; --epoch-budget-ns changes it */
#define SIM_MIGRATE_COST_NS  SIM_MIGRATE_NS /* hysteresis: delay a move must save */
#define SIM_DECAY_SHIFT	     8u		    /* weights lose 1/256 per epoch */

struct sim_result {
	uint64_t events;   /* arrivals, message deliveries and completions processed */
	uint64_t requests; /* requests completed */
	uint64_t switches; /* CPU changed partition */
	uint64_t cpu_busy_ns[RUVIX_MAX_CPUS]; /* per CPU: compute, switches and penalties */
	uint64_t makespan_ns;
	uint64_t local_bytes, cross_node_bytes; /* message bytes within / across NUMA nodes */
	uint64_t messages;			/* sent over CommEdges (edge_send, edge_recv) */
	uint64_t message_waits;	     /* messages that found their edge direction full and waited */
	uint32_t edges;		     /* CommEdges the trace's messages went through */
	uint64_t deadline_misses[2]; /* per class (enum trace_class) */
	uint64_t migrations;	     /* partitions moved to another NUMA node */
	uint64_t epochs, stale_cut_epochs; /* coherence epochs run / that kept the old cut */
	struct latency_set mincut_ns;	   /* modelled time of each coherence epoch */
	uint32_t partitions;
	uint8_t state_digest[16];      /* kernel_digest at the end, before the halt record */
	struct latency_set latency[2]; /* per class (enum trace_class) */
	struct latency_set latency_all;
};

/**
 * Replay the trace at @trace_path on machine @m; witness records go to @wlog. Arrival times
 * are multiplied by @time_scale (1: as recorded; 2: half the offered load). With a
 * @manifest (NULL for none) the kernel is first built from it and the trace's partitions must
 * be the manifest's; without one the trace's partition lines create them. Returns 0, or -1
 * after printing an error (bad trace: file:line: what was expected).
 */
int sim_run(const char *trace_path, const struct sim_machine *m, const struct sim_blob *manifest,
	    enum sim_policy policy, double time_scale, FILE *wlog, struct sim_result *res);

/** The coherence policy's knobs (ruvix-sim run --epoch-ns, --epoch-budget-ns, --decay-shift,
 * --move-cost); other policies ignore them. */
struct sim_coherence {
	uint64_t epoch_ns;     /* virtual time between epochs */
	uint64_t budget_ns;    /* DC-2 budget per epoch, modelled ns */
	uint32_t decay_shift;  /* weights lose w >> shift per epoch (1..63) */
	uint64_t move_cost_ns; /* hysteresis: cross-node delay (decayed) a move must save */
	bool decay_by_time;    /* decay once per epoch_ns of virtual time, idle gaps included
				* (--decay-by time), instead of once per epoch run */
};

#define SIM_COHERENCE_DEFAULT                                                                      \
	((struct sim_coherence){ .epoch_ns = SIM_EPOCH_NS,                                         \
				 .budget_ns = SIM_EPOCH_BUDGET_NS,                                 \
				 .decay_shift = SIM_DECAY_SHIFT,                                   \
				 .move_cost_ns = SIM_MIGRATE_COST_NS })

/** Use @c for the coherence policy in the next runs. */
void sim_set_coherence(const struct sim_coherence *c);

#endif
