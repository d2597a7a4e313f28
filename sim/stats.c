/* The latency histogram (see stats.h). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

/* Bucket of @v: values below 2^(SUB_BITS+1) map to themselves; above, the top SUB_BITS + 1 bits
 * select the bucket within the value's power of two. */
static size_t bucket_of(uint64_t v)
{
	if (v < (2u << LATENCY_SUB_BITS))
		return (size_t)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v); /* v in [2^e, 2^(e+1)) */
	unsigned shift = e - LATENCY_SUB_BITS;
	return ((size_t)(shift + 1) << LATENCY_SUB_BITS) +
	       (size_t)((v >> shift) & ((1u << LATENCY_SUB_BITS) - 1));
}

/* Smallest value that lands in bucket @b. */
static uint64_t bucket_floor(size_t b)
{
	if (b < (2u << LATENCY_SUB_BITS))
		return b;
	unsigned shift = (unsigned)(b >> LATENCY_SUB_BITS) - 1;
	uint64_t sub = b & ((1u << LATENCY_SUB_BITS) - 1);
	return ((1ull << LATENCY_SUB_BITS) | sub) << shift;
}

int latency_add(struct latency_set *s, uint64_t ns)
{
	if (!s->counts) {
		s->counts = calloc(LATENCY_BUCKETS, sizeof(*s->counts));
		if (!s->counts)
			return -1;
	}
	s->counts[bucket_of(ns)]++;
	s->n++;
	if (ns > s->max)
		s->max = ns;
	return 0;
}

uint64_t latency_quantile(const struct latency_set *s, double q)
{
	if (s->n == 0)
		return 0;
	/* Nearest rank: ceil(q * n), computed in integers where q * n is exact. */
	double rank_d = ceil(q * (double)s->n - 1e-9);
	uint64_t rank = rank_d < 1 ? 1 : (uint64_t)rank_d;
	if (rank >= s->n)
		return s->max;
	uint64_t seen = 0;
	for (size_t b = 0; b < LATENCY_BUCKETS; b++) {
		seen += s->counts[b];
		if (seen >= rank)
			return bucket_floor(b);
	}
	return s->max;
}

void latency_cdf(FILE *f, const struct latency_set *all, const struct latency_set *sub)
{
	uint64_t a = 0, b = 0;

	if (!all->counts)
		return;
	for (size_t k = 0; k < LATENCY_BUCKETS; k++) {
		a += all->counts[k];
		b += sub->counts ? sub->counts[k] : 0;
		if (all->counts[k])
			fprintf(f, "%llu %.6f %.6f\n", (unsigned long long)bucket_floor(k),
				(double)a / (double)all->n,
				sub->n ? (double)b / (double)sub->n : 0.0);
	}
}

void latency_free(struct latency_set *s)
{
	free(s->counts);
	*s = (struct latency_set){ 0 };
}
