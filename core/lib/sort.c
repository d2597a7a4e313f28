/* Sorting for figures the kernel and the benchmarks print (medians of samples). */
#include <ruvix/klib.h>

/* Move v[i] down the max-heap v[0..n) until both children are smaller. */
static void sift_down(u64 *v, usize i, usize n)
{
	for (;;) {
		usize big = i, l = 2 * i + 1, r = l + 1;
		if (l < n && v[l] > v[big])
			big = l;
		if (r < n && v[r] > v[big])
			big = r;
		if (big == i)
			return;
		u64 t = v[i];
		v[i] = v[big];
		v[big] = t;
		i = big;
	}
}

/* Heap sort (Williams 1964): O(n log n) whatever the input, in place, no recursion. */
void ksort_u64(u64 *v, usize n)
{
	for (usize i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (usize end = n; end > 1; end--) {
		u64 t = v[0];
		v[0] = v[end - 1];
		v[end - 1] = t;
		sift_down(v, 0, end - 1);
	}
}
