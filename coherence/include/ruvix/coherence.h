/*
 * The coherence engine's epoch loop (layer 2, docs/coherence.md). It owns the live graph
 * (traffic added as it happens, decayed once per epoch), the current placement of partitions
 * on NUMA nodes, and each partition's CoherenceScore and CutPressure. Once per epoch it asks
 * the partitioner (cohgraph.h) for a better placement within the DC-2 budget and adopts it only
 * when the cut falls by more than the cost of the moves it takes (hysteresis). It never
 * witnesses by itself: the caller (kernel or simulator) gets a report and witnesses a stale
 * epoch, so the engine stays free of the core's object tables.
 */
#ifndef RUVIX_COHERENCE_H
#define RUVIX_COHERENCE_H

#include <ruvix/cohgraph.h>

#define COH_BUDGET_NS_DEFAULT 50000 /* DC-2: 50 us per epoch */
#define COH_PER_MILLE	      1000

struct coh_config {
	u32 parts;		/* NUMA nodes (or CPUs) to place on, 1..COH_MAX_PARTS */
	u32 cap[COH_MAX_PARTS]; /* most partitions each part may hold */
	u32 decay_shift;	/* per epoch w -= w >> decay_shift (1..63); 1 halves */
	u64 migration_cost;	/* weight units one move must win back (hysteresis) */
	u64 budget_ns;		/* DC-2 hard budget per epoch, hal_now_ns time */
	/* Optional (NULL: none): asked before a placement that pays for its moves is adopted,
	 * with the placement in force, the candidate and the cut it saves (weight units);
	 * false holds it back. The simulator prices the CPU queueing a move adds with it. */
	bool (*accept)(void *ctx, const u8 *place, const u8 *candidate, u32 n, u64 gain);
	void *accept_ctx;
};

/* coh_engine_init sets each field by name (it does not zero the weight matrix): add new ones there.
 */
struct coh_engine {
	struct coh_config cfg;
	struct coh_graph g;
	u8 place[COH_MAX_NODES];
	u16 score[COH_MAX_NODES];    /* CoherenceScore, per mille */
	u16 pressure[COH_MAX_NODES]; /* CutPressure, per mille */
	u64 epoch;		     /* epochs run */
	u64 stale_epochs;	     /* epochs that kept the last good cut (budget ran out) */
	u64 migrations;		     /* partitions moved, all epochs */
};

/** What one epoch did. */
struct coh_epoch_report {
	u64 elapsed_ns; /* hal_now_ns time the epoch took */
	u64 work;	/* coh_work_units the epoch did (a host-independent cost) */
	u64 cut_before; /* cut of the placement the epoch started with */
	u64 cut_after;	/* cut of the placement it left (<= cut_before) */
	u32 moved;	/* partitions whose part changed */
	bool stale;	/* the budget ran out: the last good placement was kept */
	bool held_back; /* a better placement was found but did not pay for its moves, or accept
			   said no */
};

/**
 * Start an engine for @n partitions with configuration @cfg and initial placement @place. A
 * part that @place fills beyond its capacity gets that many as its capacity (e->cfg.cap).
 * Scores start at COH_PER_MILLE, pressures at 0.
 */
void coh_engine_init(struct coh_engine *e, u32 n, const struct coh_config *cfg, const u8 *place);

/** Record @weight units of traffic between partitions @a and @b (a != b). O(1). */
void coh_engine_traffic(struct coh_engine *e, u32 a, u32 b, u64 weight);

/**
 * Run one epoch: look for a better placement within the budget, adopt it if it pays for its
 * moves, recompute scores and pressures, then decay the graph. Fills @rep.
 */
void coh_engine_epoch(struct coh_engine *e, struct coh_epoch_report *rep);

#endif
