/*
 * Memory and string routines for the freestanding image.
 *
 * GCC emits calls to memcpy/memset/memmove/memcmp on its own (struct copies, zeroing), and the
 * bare-metal builds of libfdt and libsodium call the rest, so they keep their C names. This file
 * is linked into the bare-metal image only; on the host the C library provides them. Host unit
 * tests compile it with -DKLIB_PREFIX so the routines get a klib_ prefix and can be tested
 * beside the C library's.
 *
 * Must be compiled with -fno-tree-loop-distribute-patterns, or GCC turns these loops back into
 * calls to themselves.
 */
#include <ruvix/types.h>

#ifdef KLIB_PREFIX
#define KLIB(name) klib_##name
#else
#define KLIB(name) name
#endif

void *KLIB(memcpy)(void *restrict dst, const void *restrict src, usize n);
void *KLIB(memmove)(void *dst, const void *src, usize n);
void *KLIB(memset)(void *dst, int c, usize n);
int KLIB(memcmp)(const void *a, const void *b, usize n);
void *KLIB(memchr)(const void *s, int c, usize n);
usize KLIB(strlen)(const char *s);
usize KLIB(strnlen)(const char *s, usize max);
int KLIB(strcmp)(const char *a, const char *b);
char *KLIB(strchr)(const char *s, int c);
char *KLIB(strrchr)(const char *s, int c);
unsigned long KLIB(strtoul)(const char *s, char **end, int base);

/*
 * Word at a time where both ends share 8-byte alignment (boot zeroes and copies whole tables,
 * and a byte loop there costs hundreds of thousands of instructions), bytes elsewhere. Only
 * aligned words are touched, as -mstrict-align requires.
 */
void *KLIB(memcpy)(void *restrict dst, const void *restrict src, usize n)
{
	u8 *d = dst;
	const u8 *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(u64 *)(void *)d = *(const u64 *)(const void *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *KLIB(memmove)(void *dst, const void *src, usize n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *KLIB(memset)(void *dst, int c, usize n)
{
	u8 *d = dst;
	u64 word = (u8)c * 0x0101010101010101ull;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = (u8)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(u64 *)(void *)d = word;
	while (n--)
		*d++ = (u8)c;
	return dst;
}

int KLIB(memcmp)(const void *a, const void *b, usize n)
{
	const u8 *x = a, *y = b;

	for (usize i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

void *KLIB(memchr)(const void *s, int c, usize n)
{
	const u8 *p = s;

	for (usize i = 0; i < n; i++)
		if (p[i] == (u8)c)
			return (void *)(p + i);
	return NULL;
}

usize KLIB(strlen)(const char *s)
{
	usize n = 0;

	while (s[n])
		n++;
	return n;
}

usize KLIB(strnlen)(const char *s, usize max)
{
	usize n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int KLIB(strcmp)(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (u8)*a < (u8)*b ? -1 : (u8)*a > (u8)*b;
}

char *KLIB(strchr)(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *KLIB(strrchr)(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	return 99;
}

/* C's strtoul without locale or errno: on overflow it returns ULONG_MAX, as the standard says. */
unsigned long KLIB(strtoul)(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long v = 0;
	bool neg = false, any = false, overflow = false;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (int d; (d = digit_value(*p)) < base; p++) {
		any = true;
		if (v > (~0UL - (unsigned long)d) / (unsigned long)base)
			overflow = true;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (overflow)
		return ~0UL;
	return neg ? -v : v;
}
