/*
 * The coherence engine's graph and partitioner (layer 2, DESIGN.md "Coherence engine").
 * Freestanding like the core: nodes are partitions, edge weights are their (decayed) traffic,
 * and a placement maps every node to a part (a NUMA node or a CPU). The graph is sparse: each
 * node has a list of its edges, so adding traffic, moving a node and updating a gain cost the
 * edges involved, not the number of nodes (docs/coherence.md, "The graph").
 */
#ifndef RUVIX_COHGRAPH_H
#define RUVIX_COHGRAPH_H

#include <ruvix/kernel.h>

/* At least 256 nodes, so the epoch benchmark can measure 16 to 256 partitions on any build;
 * more when the partition table is larger. */
#if defined(COH_NODES_OVERRIDE) /* a scale build of the engine alone (tests, benchmarks) */
#define COH_MAX_NODES COH_NODES_OVERRIDE
#elif RUVIX_MAX_PARTITIONS > 256
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
/* Edges the graph holds (Meson option coherence_edges; 0 means 16 per node). Traffic on a new
 * pair when the table is full is counted in coh_graph.dropped, never written elsewhere. */
#if RUVIX_COH_EDGES > 0
#define COH_MAX_EDGES RUVIX_COH_EDGES
#else
#define COH_MAX_EDGES (16 * COH_MAX_NODES)
#endif
/* Open-addressing slots for the pair -> edge lookup: a power of two, at least twice the edges,
 * so a probe sequence stays short. */
#define COH_HASH_SLOTS                                                                             \
	(COH_MAX_EDGES <= 1024	  ? 2048u                                                          \
	 : COH_MAX_EDGES <= 8192  ? 16384u                                                         \
	 : COH_MAX_EDGES <= 65536 ? 131072u                                                        \
				  : 8388608u)

#define COH_NIL 0xffffffffu

/*
 * Edge weights saturate here, so a node's total and the partitioner's signed gains stay far
 * inside 64 bits: 2^48 bytes is 256 TiB per epoch.
 */
#define COH_WEIGHT_MAX (1ull << 48)

/*
 * A read-only view of a graph, the form every algorithm here walks. Node v's edges are the
 * half-edges h = head[v], next[h], ... up to COH_NIL; to[h] is the other end and
 * w[h >> wshift] the weight. The live graph stores an edge once for both ends (wshift 1: the
 * half-edges 2x and 2x+1 belong to edge x); the partitioner's coarse graphs store a weight per
 * half-edge (wshift 0). vw gives each node's weight (how many partitions it stands for); NULL
 * means 1 each.
 */
struct coh_view {
	u32 n;
	const u32 *head, *next, *to;
	const u64 *w;
	u32 wshift;
	const u32 *vw;
};

/** Symmetric traffic weights between up to COH_MAX_NODES nodes, at most COH_MAX_EDGES edges. */
struct coh_graph {
	u32 n;
	u32 edges;   /* edges in use */
	u32 used;    /* edge slots ever handed out (the rest are untouched) */
	u32 free;    /* first free edge slot, chained through stamp[] */
	u32 decays;  /* decay periods so far (coh_graph_catch_up brings an edge to it) */
	u32 shift;   /* the decay: w -= ceil(w / 2^shift) per period */
	u64 dropped; /* traffic on new pairs refused because the table was full */
	u32 head[COH_MAX_NODES];
	u32 next[2 * COH_MAX_EDGES], prev[2 * COH_MAX_EDGES], to[2 * COH_MAX_EDGES];
	u64 w[COH_MAX_EDGES];
	u32 stamp[COH_MAX_EDGES]; /* decay period the weight is current for */
	u32 slot[COH_HASH_SLOTS]; /* edge + 1, 0 for empty */
};

/*
 * Work the graph code and the partitioner have done since start, in units of one weight read
 * or table update (a gain evaluation counts one). A deterministic measure of epoch cost: the
 * simulator turns it into virtual time, so its DC-2 budget and its mincut_ns_per_epoch do not
 * depend on the host.
 */
extern u64 coh_work_units;

/** Empty graph of @n nodes. Decay shift 1 until coh_graph_decay says otherwise. */
void coh_graph_init(struct coh_graph *g, u32 n);

/** The edge between @a and @b, or COH_NIL. O(1) expected. */
u32 coh_graph_find(const struct coh_graph *g, u32 a, u32 b);

/** The edge between @a and @b, made (weight 0) if there is none; COH_NIL when full. */
u32 coh_graph_edge(struct coh_graph *g, u32 a, u32 b);

/** Remove edge @x (its weight must be 0). O(1). */
void coh_graph_remove(struct coh_graph *g, u32 x);

/** Apply the decay periods edge @x has missed; returns the weight it lost. */
u64 coh_graph_catch_up(struct coh_graph *g, u32 x);

/** Current weight between @a and @b (0 if no edge), decay periods included. */
u64 coh_graph_weight(const struct coh_graph *g, u32 a, u32 b);

/** Add @weight to the edge between @a and @b (a != b), saturating at COH_WEIGHT_MAX. */
void coh_graph_add(struct coh_graph *g, u32 a, u32 b, u64 weight);

/** One decay period for every edge (w -= ceil(w / 2^@shift)); edges that reach 0 go. O(E). */
void coh_graph_decay(struct coh_graph *g, u32 shift);

/** @w after @periods decay periods of @shift. */
u64 coh_decayed(u64 w, u32 shift, u32 periods);

/** Total weight of edges whose ends are in different parts under @place. O(E). */
u64 coh_cut(const struct coh_graph *g, const u8 *place);

/** The view of @g (valid while @g is not changed). */
void coh_graph_view(const struct coh_graph *g, struct coh_view *v);

/** How a partitioning run ended. */
enum coh_result {
	COH_IMPROVED = 0,  /* the returned placement cuts less than the one given */
	COH_UNCHANGED = 1, /* nothing better found: the given placement is returned */
	COH_STALE = 2,	   /* the budget ran out before the search from the given placement
			    * ended: the best placement found so far (at worst the given one)
			    * is returned. */
};

/**
 * Place the nodes of @g on @parts parts, part p holding at most @cap[p] nodes, starting from
 * @place (which must respect the capacities). On return @place holds a placement whose cut is
 * at most the starting one. Stops after @budget_ns of hal_now_ns time (0: no budget).
 * Algorithm (docs/coherence.md): k-way Fiduccia-Mattheyses refinement of the given placement,
 * and a multilevel partition from scratch (heavy-edge matching, greedy growing of the coarsest
 * graph, FM with rollback at every level); the lower cut wins.
 */
enum coh_result coh_partition(const struct coh_graph *g, u32 parts, const u32 *cap, u8 *place,
			      u64 budget_ns);

/**
 * coh_partition that also gives the cut of the placement it started from (@cut_before) and of
 * the one it returns (@cut_after), each optional (NULL).
 */
enum coh_result coh_partition_cuts(const struct coh_graph *g, u32 parts, const u32 *cap, u8 *place,
				   u64 budget_ns, u64 *cut_before, u64 *cut_after);

#endif
