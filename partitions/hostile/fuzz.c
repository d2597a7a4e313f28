/*
 * hs_fuzz: CALLS hypercalls from a fixed-seed PRNG (splitmix64, seed SEED): random call numbers
 * (any 64-bit value, small ones, PSCI's), the known calls with random arguments of every width
 * (boundary values, huge lengths, addresses outside its memory for console writes), x4 and x5
 * often non-zero, and well-formed calls with random in-range arguments that get past the
 * decoder. Slots 0 (its region) and 1 (its edge to the referee) are the only ones it holds.
 *
 * Each answer is checked against the ABI (docs/hypercalls.md). An escape is:
 *   - an answer that is not an error number (x0 >= 12);
 *   - a call the decoder must refuse (unknown number, an argument wider than its field, an
 *     unused register not zero) answered with anything but invalid (1);
 *   - a console write of one or more bytes of memory it does not have, answered with success;
 *   - a refused call that changed x1..x5, or a call that changed a register it does not
 *     return (a leak of kernel state).
 * It leaves out the few calls that would end or stop it (exit, suspending or terminating
 * itself, deleting its edge to the referee) and console writes of its own memory (they would
 * only print its bytes). Every 1,000 calls are a round: the victim checks its sentinels.
 */
#include "hostile.h"

#define CALLS 12000
#define ROUND 1000
#define SEED  0x5eed5eedull

struct shape {
	uint64_t nr;
	unsigned nargs;
	uint64_t max[5];
};

#define U8  0xffull
#define U16 0xffffull
#define U24 0xffffffull
#define U32 0xffffffffull
#define U64 (~0ull)

static const struct shape shapes[] = {
	{ 0x00, 0, { 0 } },
	{ 0x01, 0, { 0 } },
	{ 0x02, 0, { 0 } },
	{ 0x03, 1, { U16 } },
	{ 0x10, 3, { U16, U16, U8 } },
	{ 0x11, 4, { U16, U16, U16, U8 } },
	{ 0x12, 1, { U16 } },
	{ 0x13, 1, { U16 } },
	{ 0x14, 1, { U16 } },
	{ 0x20, 3, { U16, U32, U32 } },
	{ 0x21, 1, { U16 } },
	{ 0x30, 2, { U16, U8 } },
	{ 0x40, 3, { U16, U16, U64 } },
	{ 0x41, 1, { U16 } },
	{ 0x50, 3, { U16, U8, U24 } },
	{ 0x60, 2, { U64, 256 } },
};

#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

static const uint64_t interesting[] = {
	0,	    1,		2,	    3,		7,	    8,		 15,
	16,	    31,		32,	    63,		64,	    255,	 256,
	257,	    4095,	4096,	    0x7fff,	0xfffe,	    0xffff,	 0x10000,
	0x10001,    0xffffff,	0x1000000,  0x7fffffff, 0xffffffff, 0x100000000, 0x10100000,
	0x10110000, 0x40200000, 0x4a000000, 0xfffff000, 1ull << 63, ~0ull,	 ~0ull - 1,
};

#define NINTERESTING (sizeof(interesting) / sizeof(interesting[0]))

/* Call numbers that are not the kernel's: PSCI's (a kernel must not forward them), the
 * neighbours of real ones, and the ends of the range. */
static const uint64_t foreign[] = {
	0x84000000, 0x84000002, 0x84000008, 0x84000009, 0xc4000003, 0xc4000001,	 0x04,	     0x0f,
	0x15,	    0x1f,	0x22,	    0x31,	0x42,	    0x51,	 0x5f,	     0x61,
	0x70,	    0xff,	0x100,	    0x160,	0xffffffff, 0x100000000, 1ull << 63, ~0ull,
};

#define NFOREIGN (sizeof(foreign) / sizeof(foreign[0]))

static uint64_t state = SEED;

static uint64_t rnd(void)
{
	state += 0x9e3779b97f4a7c15ull;
	return mix64(state);
}

static const struct shape *shape_of(uint64_t nr)
{
	for (unsigned k = 0; k < NSHAPES; k++)
		if (shapes[k].nr == nr)
			return &shapes[k];
	return 0;
}

/* A random value for an argument of at most @max. */
static uint64_t arg(uint64_t max, int in_range)
{
	uint64_t v;

	switch (rnd() % 4) {
	case 0:
		v = interesting[rnd() % NINTERESTING];
		break;
	case 1:
		v = rnd() % 40; /* slots it might hold, small tiers, ops and rights */
		break;
	case 2:
		v = rnd() >> (rnd() % 64);
		break;
	default:
		v = rnd();
		break;
	}
	return in_range && max != U64 ? v % (max + 1) : v;
}

static int malformed(const uint64_t x[6])
{
	const struct shape *s = shape_of(x[0]);

	if (!s)
		return 1;
	for (unsigned i = 0; i < 5; i++)
		if ((i < s->nargs && x[i + 1] > s->max[i]) || (i >= s->nargs && x[i + 1] != 0))
			return 1;
	return 0;
}

/* A console write that starts in its own memory: region 0, or any edge window (it may have
 * derived its edge capability into other slots). */
static int own_memory(uint64_t a)
{
	return a < 0x100000 || (a >= IPA_EDGE_BASE && a < 0x20000000);
}

/* Would this call end or stop the fuzzer (rather than test the kernel)? */
static int self_harm(const uint64_t x[6])
{
	if (malformed(x))
		return 0;
	switch (x[0]) {
	case HV_EXIT:
		return 1;
	case HV_PARTITION_CTL:
		return x[1] == SLOT_SELF;
	case HX_CAP_DELETE:
		return x[1] == MAIL_SLOT;
	case HV_CONSOLE_WRITE:
		return own_memory(x[1]);
	}
	return 0;
}

static void make_call(uint64_t x[6])
{
	unsigned kind = (unsigned)(rnd() % 10);

	for (unsigned i = 1; i < 6; i++)
		x[i] = 0;
	if (kind < 3) { /* a number of its own */
		x[0] = rnd() % 2 ? foreign[rnd() % NFOREIGN] : arg(U64, 0);
		for (unsigned i = 1; i < 6; i++)
			if (rnd() % 2)
				x[i] = arg(U64, 0);
		return;
	}
	const struct shape *s = &shapes[rnd() % NSHAPES];
	x[0] = s->nr;
	int in_range = kind >= 6; /* 40 %: well formed, past the decoder */
	for (unsigned i = 0; i < s->nargs; i++)
		x[i + 1] = arg(s->max[i], in_range);
	if (!in_range && rnd() % 3 == 0)
		x[4 + rnd() % 2] = arg(U64, 0) | 1; /* x4 or x5 set */
	if (s->nr == HV_CONSOLE_WRITE && in_range && rnd() % 2)
		x[1] = 0x40000000 + (rnd() % 0x10000000); /* RAM it does not have */
}

/* Registers a successful call may change. */
static int returns_x1x2(uint64_t nr)
{
	return nr == HV_VERSION || nr == HV_CHECKPOINT || nr == HV_CAP_INFO || nr == HV_EDGE_RECV;
}

int main(void)
{
	uint64_t escapes = 0, refused = 0, invalid = 0, malformed_calls = 0, ok = 0, leaks = 0;
	uint64_t skipped = 0, crashes = 0, rounds = 0, calls = 0, by_err[E_COUNT] = { 0 };
	uint64_t first_escape[3] = { 0, 0, 0 };

	mail_begin("fuzz");
	print("fuzz: ", CALLS, " calls");
	print(" from seed ", SEED, "\n");
	while (calls < CALLS) {
		uint64_t x[6], in[6];
		make_call(x);
		if (self_harm(x)) {
			skipped++;
			continue;
		}
		for (unsigned i = 0; i < 6; i++)
			in[i] = x[i];
		int bad_shape = malformed(in);
		hv6(x);
		calls++;
		uint64_t e = x[0];
		int escaped = 0;
		if (e >= E_COUNT)
			escaped = 1;
		else
			by_err[e]++;
		if (e != E_OK)
			refused++;
		if (e == E_INVALID && (bad_shape || in[0] == HV_CONSOLE_WRITE))
			invalid++; /* witnessed as a refused hypercall (docs/hypercalls.md) */
		if (bad_shape) {
			malformed_calls++;
			escaped |= e != E_INVALID;
		}
		if (!bad_shape && in[0] == HV_CONSOLE_WRITE && in[2] > 0 && e == E_OK)
			escaped =
				1; /* it printed memory it does not have (0 bytes: nothing read) */
		int may_write = e == E_OK && returns_x1x2(in[0]);
		for (unsigned i = 1; i < 6; i++)
			if (x[i] != in[i] && !(may_write && i <= 2)) {
				leaks++;
				escaped = 1;
			}
		if (e == E_OK)
			ok++;
		if (escaped) {
			if (!escapes) {
				first_escape[0] = in[0];
				first_escape[1] = in[1];
				first_escape[2] = e;
			}
			escapes++;
		}
		if (calls % ROUND == 0) {
			if (!kernel_alive())
				crashes++;
			mail_round(++rounds);
		}
	}
	/* Its console quota is likely spent on the fuzzed console writes: the referee prints. */
	detail(0, "");
	detail_u64(0, calls);
	detail(0, " calls, ");
	detail_u64(0, malformed_calls);
	detail(0, " malformed, ");
	detail_u64(0, ok);
	detail(0, " succeeded, ");
	detail_u64(0, refused);
	detail(0, " refused calls, ");
	detail_u64(0, invalid);
	detail(0, " refused hypercalls, ");
	detail_u64(0, escapes);
	detail(0, " escapes");
	detail(1, "errors");
	for (unsigned k = 0; k < E_COUNT; k++) {
		detail(1, " ");
		detail_u64(1, by_err[k]);
	}
	detail(1, ", ");
	detail_u64(1, leaks);
	detail(1, " registers changed, ");
	detail_u64(1, skipped);
	detail(1, " self-harming calls left out");
	if (escapes) {
		detail(2, "first ESCAPE: nr ");
		detail_u64(2, first_escape[0]);
		detail(2, " x1 ");
		detail_u64(2, first_escape[1]);
		detail(2, " answer ");
		detail_u64(2, first_escape[2]);
	}
	mail_final(rounds + 1, calls, escapes, crashes);
	return 0;
}
