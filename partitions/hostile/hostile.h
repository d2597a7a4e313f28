/*
 * Shared by the hostile partition programs (docs/hostile.md): the hypercall numbers rvp.h does
 * not name, a hypercall that sets all six registers, memory that survives a restore, the
 * mailboxes through which an attacker, the referee and the victim keep in step, and the
 * victim's sentinels.
 *
 * Every scenario has the same three honest parties beside its attacker(s):
 *   victim   fills its own region (beyond its image) and the pages of the edge it shares with
 *            the referee with sentinels, and checks all of them whenever the referee asks
 *   referee  the third partition: after each attack round the attacker reports, it has the
 *            victim check its sentinels (and checks the shared ones itself), then acknowledges;
 *            at the end it prints the scenario's result line
 *   ping, pong (partitions/ping.c, pong.c) their 1,000 round trips beside it all
 *
 * Slots follow the manifest the test writes (tests/scripts/hostile_test.py): edges are listed
 * victim-referee, attacker-referee, then the scenario's own, so the victim's edge to the
 * referee is its slot 1, the attacker's to the referee its slot 1, and the referee holds them in
 * slots 1 and 2.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "rvp.h"

enum {
	HX_CAP_DERIVE = 0x10,
	HX_CAP_GRANT = 0x11,
	HX_CAP_REVOKE = 0x12,
	HX_CAP_DELETE = 0x13,
	HX_REGION_TIER = 0x30,
	HX_LEASE_GRANT = 0x40,
	HX_LEASE_REVOKE = 0x41,
};

enum {
	E_INVALID = 1,
	E_NO_SPACE = 2,
	E_STALE = 3,
	E_STATE = 4,
	E_WITNESS = 5,
	E_POLICY = 7,
	E_BUSY = 10,
	E_QUOTA = 11,
	E_COUNT = 12, /* errors are 0 .. E_COUNT - 1 (docs/hypercalls.md) */
};

/* Rights (docs/hypercalls.md) and object types (cap_info's x1). */
enum { R_READ = 1, R_WRITE = 2, R_GRANT = 4, R_REVOKE = 8, R_EXECUTE = 16 };
enum { T_PARTITION = 1, T_REGION = 2, T_EDGE = 3, T_DEVICE = 4 };

#define PART_SUSPEND 2
#define PART_RESUME  3
#define PART_TERM    8

/* Every register of a hypercall: x[0..5] in, x[0..5] out. */
static inline void hv6(uint64_t x[6])
{
	register uint64_t x0 __asm__("x0") = x[0];
	register uint64_t x1 __asm__("x1") = x[1];
	register uint64_t x2 __asm__("x2") = x[2];
	register uint64_t x3 __asm__("x3") = x[3];
	register uint64_t x4 __asm__("x4") = x[4];
	register uint64_t x5 __asm__("x5") = x[5];

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
			 :
			 : "memory");
	x[0] = x0;
	x[1] = x1;
	x[2] = x2;
	x[3] = x3;
	x[4] = x4;
	x[5] = x5;
}

/* A call with four arguments (cap_grant's rights are in x4). */
static inline uint64_t hv4(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t x[6] = { nr, a1, a2, a3, a4, 0 };
	hv6(x);
	return x[0];
}

static inline uint64_t yield(void)
{
	return hvc(HV_YIELD, 0, 0, 0).x0;
}

/* The kernel still answers as it should: version 1, status 0. */
static inline int kernel_alive(void)
{
	struct hv_result r = hvc(HV_VERSION, 0, 0, 0);
	return r.x0 == E_OK && r.x1 == 1;
}

/* True while the capability in @slot exists (an edge's dies with either end). */
static inline int cap_present(unsigned slot)
{
	return hvc(HV_CAP_INFO, slot, 0, 0).x0 == E_OK;
}

/* Yield until @slot is empty (its edge died with the other end), at most @tries times. */
static inline void wait_cap_gone(unsigned slot, uint64_t tries)
{
	while (cap_present(slot) && tries-- > 0)
		yield();
}

static inline uint64_t load_acquire(volatile uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(volatile uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * Memory that a restore leaves alone: a checkpoint saves and restores the program image
 * (code, data, .bss, stack: at most 64 KiB from IPA 0), not the rest of its region (1 MiB in
 * the tests' manifests). A program that is restored after each contained fault keeps its
 * progress here.
 */
#define PERSIST_IPA 0x80000ul

/* "0x" and @v in hex. */
static inline void put_hex(uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	put(buf + i);
}

/* Fixed-seed PRNG (splitmix64). */
static inline uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* ---- sentinels ---- */

#define SALT_OWN  0x51c0ffee00000001ull /* the victim's own region */
#define SALT_EDGE 0x51c0ffee00000002ull /* the victim-referee edge's pages */

static inline uint64_t sentinel(uint64_t where, uint64_t salt)
{
	return mix64(where ^ salt);
}

/* Fill [@lo, @hi) with sentinels; check it: the number of wrong words, each put right so it
 * is counted once. */
static inline void sentinel_fill(volatile uint64_t *lo, volatile uint64_t *hi, uint64_t salt)
{
	for (volatile uint64_t *p = lo; p < hi; p++)
		*p = sentinel((uint64_t)(uintptr_t)(p - lo), salt);
}

static inline uint64_t sentinel_check(volatile uint64_t *lo, volatile uint64_t *hi, uint64_t salt)
{
	uint64_t bad = 0;

	for (volatile uint64_t *p = lo; p < hi; p++) {
		uint64_t want = sentinel((uint64_t)(uintptr_t)(p - lo), salt);
		if (*p != want) {
			bad++;
			*p = want;
		}
	}
	return bad;
}

/* ---- mailboxes ---- */

#define MAIL_SLOT  1 /* the attacker's edge to the referee */
#define VR_SLOT	   1 /* the victim's (and the referee's) victim-referee edge */
#define AR_SLOT	   2 /* the referee's attacker-referee edge */
#define EDGE_BYTES 0x10000ul
#define PAGE	   0x1000ul
#define PATIENCE   200000ull /* yields before a party gives up on another */

#define DETAIL_LINES 4
#define DETAIL_LEN   112

/* In page 0 of the attacker-referee edge. */
struct mail {
	uint64_t round; /* attacker: rounds of attacks done (release) */
	uint64_t final; /* attacker: 1 with the last round: the figures below are final */
	uint64_t attacks, escapes, crashes;
	char scenario[32];
	uint64_t ack;	      /* referee: the round the victim has checked after (release) */
	uint64_t corruptions; /* referee: victim corruptions seen so far */
	/* attacker: lines the referee prints after the result line, for an attacker whose own
	 * console quota may be spent by then (the fuzzer's is) */
	char detail[DETAIL_LINES][DETAIL_LEN];
};

/* In page 0 of the victim-referee edge; pages 1.. hold sentinels. */
struct vmail {
	uint64_t ready; /* victim: sentinels written (release) */
	uint64_t round; /* referee: check now (release) */
	uint64_t final;
	uint64_t checked;     /* victim: the round it checked after (release) */
	uint64_t corruptions; /* victim: so far */
};

static inline volatile struct mail *mailbox(void)
{
	return (volatile struct mail *)edge_window(MAIL_SLOT);
}

/* Attacker: name the scenario for the referee's result line. */
static inline void mail_begin(const char *scenario)
{
	volatile struct mail *m = mailbox();
	unsigned i = 0;

	for (; scenario[i] && i < sizeof(m->scenario) - 1; i++)
		m->scenario[i] = scenario[i];
	m->scenario[i] = '\0';
}

/* Attacker: append text or a number to detail line @k (cut at DETAIL_LEN - 1). */
static inline void detail(unsigned k, const char *text)
{
	volatile char *d = mailbox()->detail[k];
	unsigned n = 0;

	while (n < DETAIL_LEN - 1 && d[n])
		n++;
	for (; *text && n < DETAIL_LEN - 1; text++)
		d[n++] = *text;
	d[n] = '\0';
}

static inline void detail_u64(unsigned k, uint64_t v)
{
	char buf[24];

	detail(k, u64_text(v, buf));
}

/* Attacker: report round @r done and wait until the victim has checked its sentinels after
 * it; returns the victim corruptions so far (or ~0 when the referee never answered). */
static inline uint64_t mail_round(uint64_t r)
{
	volatile struct mail *m = mailbox();

	/* The referee gone (it gave up, or faulted), so are these pages: touch them no more. */
	if (!cap_present(MAIL_SLOT))
		return ~0ull;
	store_release(&m->round, r);
	for (uint64_t i = 0; load_acquire(&m->ack) != r; i++) {
		if (i == PATIENCE || (i % 64 == 63 && !cap_present(MAIL_SLOT)))
			return ~0ull;
		yield();
	}
	return m->corruptions;
}

/* Attacker: the last round, with the figures for the result line. */
static inline uint64_t mail_final(uint64_t r, uint64_t attacks, uint64_t escapes, uint64_t crashes)
{
	volatile struct mail *m = mailbox();

	if (!cap_present(MAIL_SLOT)) {
		put("the referee is gone: no result line\n");
		return ~0ull;
	}
	m->attacks = attacks;
	m->escapes = escapes;
	m->crashes = crashes;
	m->final = 1;
	return mail_round(r);
}

#endif
