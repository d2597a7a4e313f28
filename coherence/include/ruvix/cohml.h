/*
 * The multilevel partitioner as a job that can stop at any deadline and go on later (the
 * engine runs it across epochs, inside its budget; coh_partition runs it in one go). See
 * multilevel.c for the algorithm. The job partitions a snapshot of the graph taken edge by edge
 * when it starts (each edge copied whole, so the snapshot stays symmetric even if the graph
 * changes between steps); its result is a placement of the snapshot's nodes.
 */
#ifndef RUVIX_COHML_H
#define RUVIX_COHML_H

#include <ruvix/cohfm.h>
#include <ruvix/cohgraph.h>

#define COH_ML_LEVELS 32
#define COH_ML_NODES  (4 * COH_MAX_NODES) /* the snapshot and its coarser levels */
#define COH_ML_HALVES (6 * COH_MAX_EDGES) /* half-edges of the same */

enum coh_ml_status {
	COH_ML_PENDING, /* stopped at the deadline: call coh_ml_run again */
	COH_ML_DONE,	/* result holds a placement within the capacities */
	COH_ML_FAILED,	/* no placement within the capacities was found */
};

struct coh_ml_level {
	struct coh_view v;
	u32 *cmap; /* node -> node of the next level */
};

struct coh_ml {
	const struct coh_graph *src;
	u32 k;
	u32 cap[COH_MAX_PARTS];
	/* the coarse levels' capacities: 3 % past each part's share of the nodes, at least cap */
	u32 loose[COH_MAX_PARTS];
	u64 rng;
	u32 phase, sub, pos, ticks;
	/* levels: 0 is the snapshot */
	struct coh_ml_level lv[COH_ML_LEVELS];
	u32 levels, node0, half0, target, maxvw;
	u32 cn, cv, nh, mark_base;
	/* initial partition: the trials at the coarsest level */
	u32 trial, gp, got, placed, share;
	u64 best_cut;
	bool have_best;
	u32 passes;
	i64 pass_gain;
	u32 refine_level;
	u8 *result; /* level 0's placement once done */
	/* storage */
	u32 head[COH_ML_NODES], vw[COH_ML_NODES], cmap[COH_ML_NODES];
	u32 next[COH_ML_HALVES], to[COH_ML_HALVES];
	u64 w[COH_ML_HALVES];
	u32 match[COH_MAX_NODES], order[COH_MAX_NODES], mark[COH_MAX_NODES], slot[COH_MAX_NODES];
	u64 link[COH_MAX_NODES];
	u8 part[2][COH_MAX_NODES], trial_part[COH_MAX_NODES];
	struct fm fm;
	struct fm_store store;
};

/** Start a job for @g (which must outlive it), @k parts of capacities @cap. O(k). */
void coh_ml_start(struct coh_ml *m, const struct coh_graph *g, u32 k, const u32 *cap);

/** Go on until done or @deadline (hal_now_ns; 0: none). At most a few hundred work units pass
 * between clock reads (one FM move, 16 nodes, or one pick of the coarsest level's growth). */
enum coh_ml_status coh_ml_run(struct coh_ml *m, u64 deadline);

#endif
