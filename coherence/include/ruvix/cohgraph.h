/*
 * The coherence engine's graph and partitioner (layer 2, DESIGN.md "Coherence engine").
 * Freestanding like the core: nodes are partitions, edge weights are their (decayed) traffic,
 * and a placement maps every node to a part (a NUMA node). The partitioner lowers the weight
 * that crosses parts under a capacity bound per part, never returns a placement worse than the
 * one it started from, and stops when its time budget runs out (DC-2), keeping the best it has.
 */
#ifndef RUVIX_COHGRAPH_H
#define RUVIX_COHGRAPH_H

#include <ruvix/kernel.h>

/* At least 256 nodes, so the epoch benchmark can measure 16 to 256 partitions on any build
 * (a 512 KiB weight matrix); more when the partition table is larger. */
#if RUVIX_MAX_PARTITIONS > 256
#define COH_MAX_NODES RUVIX_MAX_PARTITIONS
#else
#define COH_MAX_NODES 256
#endif
/* Parts are NUMA nodes (simulator) or CPUs (bare metal): room for either. */
#if RUVIX_MAX_CPUS > RUVIX_MAX_NODES
#define COH_MAX_PARTS RUVIX_MAX_CPUS
#else
#define COH_MAX_PARTS RUVIX_MAX_NODES
#endif

/*
 * Edge weights saturate here, so a node's total (at most COH_MAX_NODES edges) and the
 * partitioner's signed gains stay far inside 64 bits: 2^48 bytes is 256 TiB per epoch.
 */
#define COH_WEIGHT_MAX (1ull << 48)

/** Symmetric traffic weights between up to COH_MAX_NODES nodes. */
struct coh_graph {
	u32 n;
	u64 w[COH_MAX_NODES][COH_MAX_NODES];
};

/*
 * Work the graph code and the partitioner have done since start, in units of one weight read
 * or table update (a gain evaluation counts one). A deterministic measure of epoch cost: the
 * simulator turns it into virtual time, so its DC-2 budget and its mincut_ns_per_epoch do not
 * depend on the host.
 */
extern u64 coh_work_units;

/** Empty graph of @n nodes. */
void coh_graph_init(struct coh_graph *g, u32 n);

/** Add @weight to the edge between @a and @b (a != b), saturating at COH_WEIGHT_MAX. */
void coh_graph_add(struct coh_graph *g, u32 a, u32 b, u64 weight);

/** Exponential decay of every weight: w -= w >> @shift (one epoch). */
void coh_graph_decay(struct coh_graph *g, u32 shift);

/** Total weight of edges whose ends are in different parts under @place. */
u64 coh_cut(const struct coh_graph *g, const u8 *place);

/** How a partitioning run ended. */
enum coh_result {
	COH_IMPROVED = 0,  /* the returned placement cuts less than the one given */
	COH_UNCHANGED = 1, /* nothing better found: the given placement is returned */
	COH_STALE = 2,	   /* the budget ran out before the search from the given placement
			    * ended: the best placement found so far (at worst the given one)
			    * is returned. The budget may also cut the second, seeded search
			    * short; that is not stale. */
};

/**
 * Place the nodes of @g on @parts parts, part p holding at most @cap[p] nodes, starting from
 * @place (which must respect the capacities). On return @place holds a placement whose cut is
 * at most the starting one. Stops after @budget_ns of hal_now_ns time (0: no budget).
 * Algorithm (docs/coherence.md): Fiduccia-Mattheyses style refinement by single moves and
 * pair swaps with positive gain, from the given placement and from a heavy-edge greedy seed;
 * the lower cut wins.
 */
enum coh_result coh_partition(const struct coh_graph *g, u32 parts, const u32 *cap, u8 *place,
			      u64 budget_ns);

/**
 * coh_partition that also gives the cut of the placement it started from (@cut_before) and of
 * the one it returns (@cut_after), each optional (NULL). Both come from the search's tables
 * in O(n k), so a caller needs no O(n^2) coh_cut of its own.
 */
enum coh_result coh_partition_cuts(const struct coh_graph *g, u32 parts, const u32 *cap, u8 *place,
				   u64 budget_ns, u64 *cut_before, u64 *cut_after);

#endif
