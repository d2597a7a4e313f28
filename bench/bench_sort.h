/* Sorting samples for the benchmarks that run on both backends (no libc at EL2). */
#ifndef RUVIX_BENCH_SORT_H
#define RUVIX_BENCH_SORT_H

#include <ruvix/types.h>

/* Insertion sort, ascending: a hundred samples at most, so simple beats fast. */
static inline void bench_sort_u64(u64 *v, u32 n)
{
	for (u32 i = 1; i < n; i++)
		for (u32 j = i; j > 0 && v[j - 1] > v[j]; j--) {
			u64 t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

#endif
