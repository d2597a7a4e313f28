/* ksort_u64 (core/lib/sort.c) against libc's qsort. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include <ruvix/klib.h>

static int cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

Test(sort, agrees_with_qsort_on_every_size_and_shape)
{
	static u64 v[600], w[600];
	u64 rng = 88172645463325252ull;

	for (usize n = 0; n <= 600; n += (n < 20 ? 1 : 37)) {
		for (int shape = 0; shape < 4; shape++) {
			for (usize i = 0; i < n; i++) {
				rng ^= rng << 13;
				rng ^= rng >> 7;
				rng ^= rng << 17;
				v[i] = shape == 0   ? rng
				       : shape == 1 ? i	       /* sorted */
				       : shape == 2 ? n - i    /* reversed */
						    : rng % 3; /* many equal */
			}
			memcpy(w, v, n * sizeof(v[0]));
			ksort_u64(v, n);
			qsort(w, n, sizeof(w[0]), cmp);
			cr_assert_arr_eq(v, w, n * sizeof(v[0]), "n %zu shape %d", n, shape);
		}
	}
}
