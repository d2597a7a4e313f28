#include "stats.h"

#include <math.h>
#include <stdlib.h>

int latency_add(struct latency_set *s, uint64_t ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ns;
	s->sorted = 0;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

uint64_t latency_quantile(struct latency_set *s, double q)
{
	if (s->n == 0)
		return 0;
	if (!s->sorted) {
		qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
		s->sorted = 1;
	}
	/* Nearest rank: ceil(q * n), computed in integers where q * n is exact. */
	double rank = ceil(q * (double)s->n - 1e-9);
	size_t r = rank < 1 ? 1 : (size_t)rank;
	if (r > s->n)
		r = s->n;
	return s->v[r - 1];
}

void latency_free(struct latency_set *s)
{
	free(s->v);
	*s = (struct latency_set){ 0 };
}
