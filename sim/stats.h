/*
 * Latency distribution in fixed memory: a log-linear histogram (as HdrHistogram does) with
 * 1,024 buckets per power of two. Values below 2,048 ns are kept exactly; a larger value lands
 * in a bucket at most 1/1,024 of its value wide and is reported as the bucket's lower edge, so
 * a percentile reads at most 0.1 % low. The maximum and the count are exact. Memory does not
 * grow with the number of samples (450 KiB per set).
 */
#ifndef RUVIX_SIM_STATS_H
#define RUVIX_SIM_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LATENCY_SUB_BITS 10
#define LATENCY_BUCKETS	 ((64 - LATENCY_SUB_BITS + 1) << LATENCY_SUB_BITS)

struct latency_set {
	uint64_t n;
	uint64_t max;
	uint64_t *counts; /* LATENCY_BUCKETS counters, allocated on first use */
};

/** Add one sample; returns -1 when the histogram cannot be allocated. */
int latency_add(struct latency_set *s, uint64_t ns);

/**
 * The @q-quantile (0 < q <= 1) by nearest rank: the smallest sample with at least q*n samples at
 * or below it, reported as the lower edge of its bucket (exact below 2,048 ns); q = 1 gives the
 * exact maximum. 0 for an empty set.
 */
uint64_t latency_quantile(const struct latency_set *s, double q);

/** Write "ns fraction_all fraction_sub" per occupied bucket of @all; @sub is a subset
 *  (a class) sharing the bucket layout. */
void latency_cdf(FILE *f, const struct latency_set *all, const struct latency_set *sub);

void latency_free(struct latency_set *s);

#endif
