/*
 * Placement quality against the exact optimum (issue 6: within 5 % on average on graphs of at
 * most 14 nodes). Shared by the unit test, which asserts the bound, and by
 * bench-coherence-quality, which prints the figure for `make bench`.
 */
#ifndef RUVIX_BENCH_COHERENCE_QUALITY_H
#define RUVIX_BENCH_COHERENCE_QUALITY_H

#include <ruvix/cohgraph.h>

/** xorshift64 step on *@state: the tests' and benchmarks' deterministic randomness. */
u64 quality_next(u64 *state);

/**
 * A graph of @n nodes into @g: clustered (heavy inside groups of four, light across) or
 * uniformly random with 40 % of the pairs silent.
 */
void quality_graph(struct coh_graph *g, u32 n, bool clustered, u64 *state);

/** Lowest cut of @g over every placement respecting @cap (parts^n assignments). */
u64 quality_brute_force(const struct coh_graph *g, u32 parts, const u32 *cap);

struct quality {
	u32 graphs;
	double mean_ratio;  /* mean of partitioner cut / optimum cut */
	double worst_ratio; /* the largest of those ratios */
};

/**
 * The fixed set: 144 graphs (8, 10, 12 and 14 nodes on 2 parts, 9 and 10 on 3, each random
 * and clustered, 12 of each), balanced capacities, started from round-robin, no budget.
 */
struct quality quality_run(void);

#endif
