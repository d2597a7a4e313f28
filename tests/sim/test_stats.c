/* The simulator's latency histogram: exact where promised, within 1/1,024 elsewhere. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "stats.h"

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest rank on sorted samples, the definition the histogram approximates. */
static uint64_t exact(const uint64_t *v, size_t n, double q)
{
	size_t r = (size_t)(q * (double)n + 0.999999999);
	if (r < 1)
		r = 1;
	return v[(r > n ? n : r) - 1];
}

Test(stats, small_values_are_exact)
{
	struct latency_set s = { 0 };
	uint64_t v[] = { 7, 2047, 1000, 3, 2000 };

	for (unsigned i = 0; i < 5; i++)
		cr_assert_eq(latency_add(&s, v[i]), 0);
	cr_assert_eq(latency_quantile(&s, 0.2), 3);
	cr_assert_eq(latency_quantile(&s, 0.4), 7);
	cr_assert_eq(latency_quantile(&s, 0.6), 1000);
	cr_assert_eq(latency_quantile(&s, 0.8), 2000);
	cr_assert_eq(latency_quantile(&s, 1.0), 2047);
	latency_free(&s);
}

Test(stats, large_values_within_a_thousandth_and_max_exact)
{
	static uint64_t v[100000];
	struct latency_set s = { 0 };
	uint64_t x = 88172645463325252ull;

	for (size_t i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[i] = x % 50000000000ull; /* up to 50 s */
		latency_add(&s, v[i]);
	}
	qsort(v, 100000, sizeof(v[0]), cmp);
	const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	for (unsigned i = 0; i < 4; i++) {
		uint64_t want = exact(v, 100000, qs[i]), got = latency_quantile(&s, qs[i]);
		cr_assert_leq(got, want, "q %.3f", qs[i]);
		cr_assert_geq(got, want - want / 1024, "q %.3f: %lu vs %lu", qs[i],
			      (unsigned long)got, (unsigned long)want);
	}
	cr_assert_eq(latency_quantile(&s, 1.0), v[99999]);
	cr_assert_eq(s.n, 100000);
	latency_free(&s);
}

Test(stats, empty_set_reports_zero)
{
	struct latency_set s = { 0 };
	cr_assert_eq(latency_quantile(&s, 0.99), 0);
}
