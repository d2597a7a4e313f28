/*
 * The bare-metal string routines (core/lib/string.c), compiled here with a klib_ prefix and
 * checked against the C library on many lengths, alignments and overlaps.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void *klib_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *klib_memmove(void *dst, const void *src, size_t n);
void *klib_memset(void *dst, int c, size_t n);
int klib_memcmp(const void *a, const void *b, size_t n);
void *klib_memchr(const void *s, int c, size_t n);
size_t klib_strlen(const char *s);
size_t klib_strnlen(const char *s, size_t max);
int klib_strcmp(const char *a, const char *b);
char *klib_strchr(const char *s, int c);
char *klib_strrchr(const char *s, int c);
unsigned long klib_strtoul(const char *s, char **end, int base);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

Test(klib, memmove_handles_every_overlap)
{
	unsigned char ref[64], got[64];

	for (size_t n = 0; n < 24; n++)
		for (size_t src = 0; src < 20; src++)
			for (size_t dst = 0; dst < 20; dst++) {
				for (int i = 0; i < 64; i++)
					ref[i] = got[i] = (unsigned char)(i * 7 + 1);
				memmove(ref + dst, ref + src, n);
				klib_memmove(got + dst, got + src, n);
				cr_assert_arr_eq(ref, got, 64, "n %zu src %zu dst %zu", n, src,
						 dst);
			}
}

Test(klib, memcpy_memset_memcmp_memchr_agree_with_libc)
{
	unsigned char a[40], b[40];

	for (size_t n = 0; n < 40; n++) {
		memset(a, 0x11, sizeof(a));
		memset(b, 0x11, sizeof(b));
		klib_memset(a, 0xee, n);
		memset(b, 0xee, n);
		cr_assert_arr_eq(a, b, sizeof(a));
		for (size_t i = 0; i < n; i++)
			b[i] = (unsigned char)(i ^ 0x5a);
		klib_memcpy(a, b, n);
		cr_assert_arr_eq(a, b, sizeof(a));
		if (n > 0) {
			a[n - 1] ^= 0x80;
			cr_assert_eq(sign(klib_memcmp(a, b, n)), sign(memcmp(a, b, n)));
			cr_assert_eq(klib_memchr(a, a[n - 1], n), memchr(a, a[n - 1], n));
		}
		cr_assert_eq(klib_memcmp(a, b, 0), 0);
	}
	cr_assert_null(klib_memchr("abc", 'z', 3));
}

Test(klib, string_routines_agree_with_libc)
{
	const char *words[] = { "", "a", "abc", "abd", "ab", "hello, world", "\xff" };

	for (unsigned i = 0; i < sizeof(words) / sizeof(*words); i++) {
		const char *s = words[i];
		cr_assert_eq(klib_strlen(s), strlen(s));
		cr_assert_eq(klib_strnlen(s, 2), strnlen(s, 2));
		cr_assert_eq(klib_strchr(s, 'b'), strchr(s, 'b'));
		cr_assert_eq(klib_strchr(s, '\0'), strchr(s, '\0'));
		cr_assert_eq(klib_strrchr(s, 'l'), strrchr(s, 'l'));
		for (unsigned j = 0; j < sizeof(words) / sizeof(*words); j++)
			cr_assert_eq(sign(klib_strcmp(s, words[j])), sign(strcmp(s, words[j])),
				     "'%s' vs '%s'", s, words[j]);
	}
}

Test(klib, strtoul_agrees_with_libc)
{
	const char *inputs[] = { "0",
				 "42",
				 "  17xyz",
				 "0x1F",
				 "0X",
				 "077",
				 "-3",
				 "+9",
				 "18446744073709551615",
				 "18446744073709551616",
				 "zz",
				 "" };
	const int bases[] = { 0, 10, 16, 8 };

	for (unsigned i = 0; i < sizeof(inputs) / sizeof(*inputs); i++)
		for (unsigned b = 0; b < sizeof(bases) / sizeof(*bases); b++) {
			char *e1, *e2;
			unsigned long want = strtoul(inputs[i], &e1, bases[b]);
			unsigned long got = klib_strtoul(inputs[i], &e2, bases[b]);
			cr_assert_eq(got, want, "'%s' base %d", inputs[i], bases[b]);
			cr_assert_eq(e2, e1, "end of '%s' base %d", inputs[i], bases[b]);
		}
}
