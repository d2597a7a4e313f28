/*
 * CommEdge floods and payloads (docs/hostile.md, "flood"):
 *
 *   ROLE 0  hs_flood  the attacker. Slots: 0 its region, 1 its edge to the referee (who never
 *                     receives), 2 its edge to the sink. Rounds: FLOOD sends as fast as it can to
 *                     the sink, which does not receive (the queue fills: every send after that
 *                     must be refused full); sends whose offset and length leave the shared
 *                     pages, wrap 2^32 or are 0, on a full queue and on an empty one (refused
 *                     invalid); receives and sends on every slot it does not hold; its edge
 *                     capability derived into every free slot and the flood repeated from all of
 *                     them; after the floods and the bad ranges on an empty queue, the sink
 *                     drains the queue and checks every descriptor it gets
 *   ROLE 1  hs_sink   the other end: receives only when the attacker asks (through page 0 of
 *                     their edge), and counts the messages and any descriptor outside the pages
 *
 * A send accepted on a queue that is full and not drained, a bad range accepted, a receive on a
 * slot it does not hold that succeeds, or a bad descriptor delivered is an escape.
 */
#include "hostile.h"

#define SINK	   2
#define FLOOD	   3000
#define RANDOM_BAD 800
#define DERIVED	   40 /* sends from each derived capability */
#define MAX_SLOT   4096
#define QUIT	   (~0ull)

struct smail {
	uint64_t drain_req, drain_done; /* attacker asks, sink answers (release) */
	uint64_t received, bad;		/* sink: totals */
};

#if ROLE == 0
static uint64_t attacks, escapes, refused, accepted, full, invalid, legit, crashes, rounds;
static uint64_t state = 0xf100d;

static uint64_t rnd(void)
{
	state += 0x9e3779b97f4a7c15ull;
	return mix64(state);
}

static uint64_t send(uint64_t slot, uint64_t off, uint64_t len)
{
	uint64_t e = hvc(HV_EDGE_SEND, slot, off, len).x0;

	refused += e != E_OK;
	full += e == E_FULL;
	invalid += e == E_INVALID;
	return e;
}

static void round_done(void)
{
	if (!kernel_alive())
		crashes++;
	mail_round(++rounds);
}

/* Ask the sink to drain the queue (or, with @quit, to stop touching their pages); returns
 * what it took. */
static uint64_t drain_or_quit(int quit)
{
	volatile struct smail *m = (volatile struct smail *)edge_window(SINK);
	uint64_t before = m->received, req = quit ? QUIT : m->drain_req + 1;

	store_release(&m->drain_req, req);
	for (uint64_t i = 0; load_acquire(&m->drain_done) != req && i < PATIENCE; i++)
		yield();
	return m->received - before;
}

/* Send from @slot until the queue is full, then @more times, each of which must be refused. */
static uint64_t flood(uint64_t slot, uint64_t more)
{
	uint64_t ok = 0, e;

	while ((e = send(slot, (ok % 64) * 8, 8)) == E_OK && ok < 1u << 20) {
		ok++;
		attacks++;
	}
	attacks++;
	if (e != E_FULL)
		escapes++;
	for (uint64_t i = 0; i < more; i++) {
		attacks++;
		e = send(slot, rnd() % 0xfff8, 1 + rnd() % 8);
		if (e == E_OK) {
			ok++;
			escapes++; /* nothing drained the queue */
		} else if (e != E_FULL) {
			escapes++;
		}
	}
	accepted += ok;
	return ok;
}

/* A range the kernel must refuse: outside the 64 KiB, wrapping 2^32, or empty. */
static void bad_range(uint64_t slot, uint64_t off, uint64_t len)
{
	attacks++;
	uint64_t e = send(slot, off, len);
	if (e == E_OK) {
		accepted++;
		escapes++;
	} else if (e != E_INVALID && e != E_FULL) {
		escapes++;
	}
}

static void bad_ranges(uint64_t slot)
{
	static const uint64_t fixed[][2] = {
		{ 0x10000, 1 },
		{ 0xffff, 2 },
		{ 0, 0x10001 },
		{ 0, 0 },
		{ 0x8000, 0 },
		{ 0xffffffff, 1 },
		{ 0xfffffff0, 0x10 },
		{ 0xfffffff0, 0x20 },
		{ 0x1000, 0xfffff001 },
		{ 0x8000, 0xffff8001 },
		{ 1, 0xffffffff },
		{ 0xffffffff, 0xffffffff },
		{ 0xfff8, 9 },
		{ 0x100000000ull, 8 },
		{ 0, 0x100000000ull },
		{ ~0ull, ~0ull },
		{ 0x10000, 0x100000000ull - 0x10000 },
	};
	for (unsigned k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
		bad_range(slot, fixed[k][0], fixed[k][1]);
	for (unsigned k = 0; k < RANDOM_BAD; k++) {
		uint64_t off = rnd() & 0xffffffff, len = rnd() >> (32 + rnd() % 32);
		if (rnd() % 2)
			off = 0x10000 - (rnd() % 0x100); /* near the end */
		if (len != 0 && off + len <= 0x10000)
			len = 0x10001 - off; /* one byte too many */
		bad_range(slot, off, len);
	}
}

/* Receives and sends on slots it does not hold. */
static void foreign_slots(void)
{
	static const uint64_t extra[] = { 0xfffe, 0xffff, 0x10000, 1ull << 40, ~0ull };

	for (uint64_t k = 0; k < 64 + sizeof(extra) / sizeof(extra[0]); k++) {
		uint64_t s = k < 64 ? k : extra[k - 64];
		if (s == MAIL_SLOT || s == SINK)
			continue;
		attacks += 2;
		uint64_t e = hvc(HV_EDGE_RECV, s, 0, 0).x0;
		refused += e != E_OK;
		escapes += e == E_OK || e >= E_COUNT;
		e = send(s, 0, 8);
		escapes += e == E_OK || e >= E_COUNT;
	}
	for (uint64_t s = 64; s < MAX_SLOT; s += 7) {
		attacks++;
		uint64_t e = hvc(HV_EDGE_RECV, s, 0, 0).x0;
		refused += e != E_OK;
		escapes += e == E_OK || e >= E_COUNT;
	}
	/* Its own edges, from the end no message is sent to: empty, not someone else's. */
	for (unsigned k = 0; k < 2; k++) {
		struct hv_result r = hvc(HV_EDGE_RECV, k ? SINK : MAIL_SLOT, 0, 0);
		legit++;
		refused += r.x0 != E_OK;
		escapes += r.x0 != E_EMPTY;
	}
}

int main(void)
{
	uint64_t drained = 0, derived = 0;

	mail_begin("flood");
	put("flood: start\n");
	uint64_t first = flood(SINK, FLOOD);
	round_done();
	bad_ranges(SINK);      /* a full queue */
	bad_ranges(MAIL_SLOT); /* an empty one, never read */
	round_done();
	drained += drain_or_quit(0);
	bad_ranges(SINK); /* an empty one the sink reads: it checks what it gets */
	drained += drain_or_quit(0);
	round_done();
	foreign_slots();
	round_done();
	/* Every free slot a copy of its capability to the sink's edge, and a flood from each. */
	for (uint64_t s = 3; s < MAX_SLOT; s++) {
		uint64_t e = hv4(HX_CAP_DERIVE, SINK, s, R_READ | R_WRITE, 0);
		refused += e != E_OK;
		if (e != E_OK)
			break;
		derived++;
	}
	legit += derived;
	attacks++; /* the derivation into a slot past the last one was refused */
	for (uint64_t s = 3; s < 3 + derived; s++)
		flood(s, DERIVED);
	round_done();
	uint64_t e = hv4(HX_CAP_REVOKE, SINK, 0, 0, 0); /* every copy at once */
	legit++;
	refused += e != E_OK;
	for (uint64_t s = 3; s < 3 + derived; s++) {
		attacks++;
		uint64_t r = send(s, 0, 8);
		escapes += r == E_OK || r >= E_COUNT;
	}
	drained += drain_or_quit(0);
	round_done();
	volatile struct smail *m = (volatile struct smail *)edge_window(SINK);
	uint64_t bad = m->bad;
	drain_or_quit(1);
	if (drained != accepted)
		escapes++; /* a message was lost, or one appeared */
	escapes += bad;
	print("flood: ", attacks, " attacks");
	print(", ", accepted, " accepted");
	print(" (", first, " to fill the queue)");
	print(", ", full, " full");
	print(", ", invalid, " invalid");
	print(", ", escapes, " escapes\n");
	print("flood: ", derived, " copies of its capability");
	print(", ", drained, " messages drained");
	print(", ", bad, " bad descriptors");
	print(", ", refused, " refused calls\n");
	mail_final(rounds + 1, attacks, escapes, crashes);
	return 0;
}
#else
int main(void)
{
	volatile struct smail *m = (volatile struct smail *)edge_window(1);
	uint64_t done = 0;

	put("sink: not receiving\n");
	for (;;) {
		uint64_t req, i = 0;
		while ((req = load_acquire(&m->drain_req)) == done && i++ < PATIENCE)
			yield();
		if (req == QUIT) {
			/* The attacker leaves next, and their pages with it: touch them no more. */
			store_release(&m->drain_done, req);
			break;
		}
		if (req == done)
			return 1;
		struct hv_result r;
		while ((r = hvc(HV_EDGE_RECV, 1, 0, 0)).x0 == E_OK) {
			m->received++;
			if (r.x2 == 0 || r.x1 >= EDGE_BYTES || r.x1 + r.x2 > EDGE_BYTES)
				m->bad++;
		}
		done = req;
		store_release(&m->drain_done, req);
	}
	print("sink: ", done, " drains\n");
	wait_cap_gone(1, PATIENCE);
	return 0;
}
#endif
