/* Console helpers for partition programs (everything goes through HV_CONSOLE_WRITE). */
#include "rvp.h"

static size_t length(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

void put(const char *s)
{
	hvc(HV_CONSOLE_WRITE, (uint64_t)(uintptr_t)s, length(s), 0);
}

char *u64_text(uint64_t v, char buf[24])
{
	int i = 23;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf + i;
}

void put_u64(uint64_t v)
{
	char buf[24];

	put(u64_text(v, buf));
}

void print(const char *a, uint64_t v, const char *b)
{
	put(a);
	put_u64(v);
	put(b);
}

void sort_u64(uint64_t *v, int n)
{
	/* Insertion sort: a thousand samples, once, at the end of a benchmark. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

struct hv_result recv_wait(unsigned slot, uint64_t tries)
{
	struct hv_result r;

	while ((r = hvc(HV_EDGE_RECV, slot, 0, 0)).x0 == E_EMPTY && --tries > 0)
		hvc(HV_YIELD, 0, 0, 0);
	return r;
}
