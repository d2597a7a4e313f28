/* Latency samples and their percentiles (nearest-rank method). */
#ifndef RUVIX_SIM_STATS_H
#define RUVIX_SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

struct latency_set {
	uint64_t *v;
	size_t n, cap;
	int sorted;
};

/** Add one sample; returns -1 when memory runs out. */
int latency_add(struct latency_set *s, uint64_t ns);

/**
 * The @q-quantile (0 < q <= 1) by nearest rank: the smallest sample with at least q*n samples
 * at or below it. 0 for an empty set.
 */
uint64_t latency_quantile(struct latency_set *s, double q);

void latency_free(struct latency_set *s);

#endif
