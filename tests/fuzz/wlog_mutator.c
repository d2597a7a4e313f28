/* Record-aware witness log mutator (see wlog_mutator.h). */
#include "wlog_mutator.h"

#include <string.h>

#include <ruvix/witness.h>

#define REC WITNESS_RECORD_SIZE

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t ld(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void st(uint8_t *p, unsigned bytes, uint64_t v)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Fields of the wire format: offset and size (chain excluded: wlog_rechain owns it). */
static const uint8_t field_off[] = { 0, 8, 16, 18, 19, 20, 24, 32, 40 };
static const uint8_t field_len[] = { 8, 8, 2, 1, 1, 4, 8, 8, 8 };

static const uint16_t kinds[] = {
	WK_BOOT,
	WK_HALT,
	WK_REFUSED,
	WK_FAULT,
	WK_HYPERCALL,
	WK_POLICY_SET,
	WK_CONTAIN,
	WK_PARTITION_CREATE,
	WK_PARTITION_PLACE,
	WK_PARTITION_CTL,
	WK_CAP_INSTALL,
	WK_CAP_DERIVE,
	WK_CAP_GRANT,
	WK_CAP_REVOKE,
	WK_CAP_DELETE,
	WK_REGION_CREATE,
	WK_REGION_TIER,
	WK_EDGE_CREATE,
	WK_EDGE_SEND,
	WK_EDGE_RECV,
	WK_DEVICE_CREATE,
	WK_LEASE_GRANT,
	WK_LEASE_REVOKE,
	WK_LEASE_EXPIRE,
	WK_CHECKPOINT_TAKE,
	WK_CHECKPOINT_RESTORE,
	WK_COH_STALE,
	0x0000,
	0x00ff,
	0xffff,
};

static const uint64_t edges[] = { 0,
				  1,
				  2,
				  3,
				  4,
				  7,
				  8,
				  15,
				  16,
				  63,
				  64,
				  0xff,
				  0x100,
				  0xfff,
				  0x1000,
				  0xfffe,
				  0xffff,
				  0x10000,
				  0x7fffffff,
				  0xfffffffe,
				  0xffffffff,
				  0x100000000ull,
				  0x100000001ull,
				  0x7fffffffffffffffull,
				  0xfffffffffffffffeull,
				  0xffffffffffffffffull };

/* A new value for the field at @f of size @len, from the log @log of @n records. */
static uint64_t new_value(const uint8_t *log, size_t n, unsigned f, uint64_t old)
{
	const uint8_t *other = log + below(n) * REC;
	unsigned len = field_len[f];

	switch (below(8)) {
	case 0:
	case 1: /* the same field of another record: a handle, a slot, a time */
		return ld(other + field_off[f], len);
	case 2: /* another 64-bit field of another record: target <- a new handle in arg1 */
		return ld(other + 24 + 8 * below(3), len);
	case 3:
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	case 4:
		return old + 1 + below(3);
	case 5:
		return old - 1 - below(3);
	case 6: /* one packed sub-field (slots, rights, indices): a byte or a half */ {
		unsigned at = (unsigned)below(len), w = below(2) && at + 2 <= len ? 2 : 1;
		uint64_t mask = (w == 2 ? 0xffffull : 0xffull) << (8 * at);
		uint64_t v = below(2) ? edges[below(12)] : ld(other + field_off[f] + at, w);
		return (old & ~mask) | ((v << (8 * at)) & mask);
	}
	default:
		return old ^ (1ull << below(8 * len));
	}
}

static void mutate_field(uint8_t *log, size_t n)
{
	uint8_t *r = log + below(n) * REC;
	unsigned f = (unsigned)below(sizeof(field_off));

	if (f == 2 && below(2)) {
		st(r + 16, 2, kinds[below(sizeof(kinds) / sizeof(kinds[0]))]);
		return;
	}
	if (f == 0 && below(4)) /* seq is fixed by the targets most of the time: try time */
		f = 1;
	uint64_t v = new_value(log, n, f, ld(r + field_off[f], field_len[f]));
	st(r + field_off[f], field_len[f], v);
}

size_t wlog_mutate(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	size_t n = size / REC;

	rng = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;
	if (n == 0 || size % REC || below(8) == 0)
		return LLVMFuzzerMutate(data, size, max);
	for (uint64_t k = 1 + below(3); k; k--) {
		size_t i = below(n), j = below(n);
		switch (below(10)) {
		case 6: /* duplicate record i after itself */
			if ((n + 1) * REC <= max) {
				memmove(data + (i + 1) * REC, data + i * REC, (n - i) * REC);
				n++;
			}
			break;
		case 7: /* drop record i */
			if (n > 1) {
				memmove(data + i * REC, data + (i + 1) * REC, (n - i - 1) * REC);
				n--;
			}
			break;
		case 8: /* swap two records */ {
			uint8_t t[REC];
			memcpy(t, data + i * REC, REC);
			memcpy(data + i * REC, data + j * REC, REC);
			memcpy(data + j * REC, t, REC);
			break;
		}
		case 9: /* cut the log after record i, or end it with a halt */
			if (below(2))
				n = i + 1;
			else if ((n + 1) * REC <= max) {
				uint8_t *h = data + n * REC;
				memcpy(h, data + (n - 1) * REC, REC);
				st(h + 16, 2, WK_HALT);
				st(h + 18, 1, 0);
				st(h + 20, 4, WITNESS_ACTOR_KERNEL);
				st(h + 24, 8, 0);
				st(h + 32, 8, 0);
				st(h + 40, 8, n);
				n++;
			}
			break;
		default:
			mutate_field(data, n);
			break;
		}
	}
	return n * REC;
}

void wlog_rechain(uint8_t *log, size_t n, bool fix_seq)
{
	uint8_t prev[WITNESS_CHAIN_SIZE] = { 0 };

	for (size_t i = 0; i < n; i++) {
		uint8_t *r = log + i * REC;
		if (fix_seq)
			st(r, 8, i);
		witness_chain_value(prev, r, r + WITNESS_BODY_SIZE);
		memcpy(prev, r + WITNESS_BODY_SIZE, WITNESS_CHAIN_SIZE);
	}
}
