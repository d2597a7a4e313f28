/*
 * The capability attacks (docs/hostile.md, "capabilities"):
 *
 *   ROLE 0  hs_caps     the attacker, on cpu0. Slots: 0 its region, 1 its edge to the referee,
 *                       2 its edge to the helper (READ, WRITE, GRANT, REVOKE), 3 the helper's
 *                       partition capability (READ, WRITE, EXECUTE: the manifest's controls).
 *                       Rounds: wrong object types; derivations and grants beyond the rights
 *                       held; uses after a revoke or a delete, including its pages (a stage-2
 *                       fault, contained and restored); the revoke race with the helper; and
 *                       every slot from 0 to 4095 and beyond, forged, in every call that takes
 *                       one
 *   ROLE 1  hs_caps_helper  on cpu1, slots 0 its region, 1 the edge. In each race round the
 *                       attacker grants it a capability to their edge in slot 10; it uses it
 *                       (cap_info, and a read of the pages it maps at window 10) until it sees
 *                       that the attacker's revoke has returned, and from then on every use must
 *                       fail: cap_info refused, the read a stage-2 fault (contained, restored)
 *
 * Every call the attacker expects to be refused counts as an attack; one that succeeds, or
 * answers with a number that is not an error, is an escape. Progress that must survive a
 * restore is at PERSIST_IPA.
 */
#include "hostile.h"

#define AH	   2  /* the attacker's edge to the helper */
#define HELPER	   3  /* the attacker's capability to the helper */
#define HSLOT	   10 /* where the helper is granted its capability */
#define UAF	   16 /* the slot a use-after-revoke round derives into */
#define UAF_ROUNDS 64
#define RACE	   1000 /* revoke race rounds */
#define MAX_SLOT   4096 /* forged slots 0 .. MAX_SLOT - 1, then the extras */

/* The attacker-helper mailbox, in page 0 of their edge. */
struct hmail {
	uint64_t granted, using, revoked, done; /* round numbers (release) */
	uint64_t final;				/* helper: the figures below are final */
	uint64_t uses, refused, raced, contained, escapes;
};

#if ROLE == 0
struct persist {
	uint64_t magic, phase, rep, inflight;
	uint64_t attacks, escapes, refused, legit, crashes, contained, rounds;
	uint64_t esc_nr[8], esc_a1[8];
	uint64_t forged, nonzero, uaf_rounds;
};

#define P     ((volatile struct persist *)PERSIST_IPA)
#define MAGIC 0x63617073ull

static volatile struct hmail *hmail(void)
{
	return (volatile struct hmail *)edge_window(AH);
}

static void escape(uint64_t nr, uint64_t a1)
{
	if (P->escapes < 8) {
		P->esc_nr[P->escapes] = nr;
		P->esc_a1[P->escapes] = a1;
	}
	P->escapes++;
}

/* A call that must be refused. */
static uint64_t refuse(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t e = hv4(nr, a1, a2, a3, a4);

	P->attacks++;
	P->nonzero += e != E_OK;
	if (e == E_OK || e >= E_COUNT)
		escape(nr, a1);
	else
		P->refused++;
	return e;
}

/* A call that must succeed (the capabilities the attacks then misuse). */
static void must(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t e = hv4(nr, a1, a2, a3, a4);
	if (e != E_OK) {
		print("caps: a legitimate call was refused: nr ", nr, "");
		print(" x1 ", a1, "");
		print(" error ", e, "\n");
		P->nonzero++;
	} else {
		P->legit++;
	}
}

static void round_done(void)
{
	if (!kernel_alive())
		P->crashes++;
	P->rounds++;
	mail_round(P->rounds);
}

/* Calls on objects of the wrong type. */
static void wrong_types(void)
{
	refuse(HV_EDGE_SEND, 0, 0, 8, 0); /* a region as an edge */
	refuse(HV_EDGE_RECV, 0, 0, 0, 0);
	refuse(HV_EDGE_SEND, HELPER, 0, 8, 0); /* a partition as an edge */
	refuse(HV_EDGE_RECV, HELPER, 0, 0, 0);
	refuse(HX_REGION_TIER, AH, 1, 0, 0); /* an edge as a region */
	refuse(HX_REGION_TIER, HELPER, 1, 0, 0);
	refuse(HV_PARTITION_CTL, 0, PART_SUSPEND, 0, 0); /* a region as a partition */
	refuse(HV_PARTITION_CTL, AH, PART_SUSPEND, 0, 0);
	refuse(HV_PARTITION_CTL, MAIL_SLOT, PART_TERM, 0, 0);
	refuse(HV_CHECKPOINT, 0, 0, 0, 0);
	refuse(HV_CHECKPOINT, AH, 0, 0, 0);
	refuse(HX_LEASE_GRANT, 0, HELPER, 1000, 0); /* a region as a device */
	refuse(HX_LEASE_GRANT, AH, HELPER, 1000, 0);
	refuse(HX_LEASE_GRANT, HELPER, HELPER, 1000, 0);
	refuse(HX_LEASE_REVOKE, 0, 0, 0, 0);
	refuse(HX_LEASE_REVOKE, AH, 0, 0, 0);
	refuse(HX_CAP_GRANT, 0, AH, 5, R_READ); /* an edge as the receiving partition */
	refuse(HX_CAP_GRANT, 0, 0, 5, R_READ);	/* a region as the receiving partition */
}

/* Derivations and grants beyond the rights held. */
static void escalation(void)
{
	must(HX_CAP_DERIVE, AH, 10, R_READ | R_WRITE, 0);	/* 10: edge, RW only */
	must(HX_CAP_DERIVE, HELPER, 12, R_READ | R_EXECUTE, 0); /* 12: partition, no WRITE */
	must(HX_CAP_DERIVE, 10, 14, R_READ, 0);			/* 14: edge, R only */
	refuse(HX_CAP_DERIVE, 10, 11, R_READ | R_WRITE | R_GRANT, 0);
	refuse(HX_CAP_DERIVE, 10, 11, 0x1f, 0);
	refuse(HX_CAP_DERIVE, AH, 11, 0x1f, 0); /* EXECUTE: an edge capability never had it */
	refuse(HX_CAP_DERIVE, HELPER, 11, 0x1f, 0);
	refuse(HX_CAP_DERIVE, HELPER, 11, R_GRANT, 0);
	refuse(HX_CAP_DERIVE, 12, 11, R_WRITE, 0);
	refuse(HX_CAP_DERIVE, 14, 11, R_READ | R_WRITE, 0);
	refuse(HX_CAP_DERIVE, 14, 11, R_REVOKE, 0);
	refuse(HX_CAP_DERIVE, 0, 11, 0x20, 0); /* rights that do not exist */
	refuse(HX_CAP_DERIVE, 0, 11, 0xff, 0);
	refuse(HX_CAP_DERIVE, 0, 11, 0, 0);
	refuse(HX_CAP_DERIVE, AH, 0, R_READ, 0); /* into a held slot */
	refuse(HX_CAP_DERIVE, AH, AH, R_READ, 0);
	refuse(HX_CAP_DERIVE, AH, 4095, R_READ, 0);
	refuse(HX_CAP_DERIVE, AH, 0x10000, R_READ, 0);
	refuse(HX_CAP_GRANT, 10, HELPER, 5, R_READ);	 /* no GRANT on the source */
	refuse(HX_CAP_GRANT, 14, HELPER, 5, R_READ);	 /* no GRANT on the source */
	refuse(HX_CAP_GRANT, AH, 12, 5, R_READ);	 /* no WRITE on the receiver */
	refuse(HX_CAP_GRANT, AH, HELPER, 5, 0x1f);	 /* more rights than the source */
	refuse(HX_CAP_GRANT, AH, HELPER, 5, R_EXECUTE);	 /* a right the source lacks */
	refuse(HX_CAP_GRANT, AH, HELPER, 1, R_READ);	 /* a slot the helper holds */
	refuse(HX_CAP_GRANT, AH, HELPER, 4000, R_READ);	 /* beyond its slots */
	refuse(HX_CAP_GRANT, HELPER, HELPER, 5, R_READ); /* no GRANT on a controls cap */
	refuse(HX_CAP_REVOKE, 10, 0, 0, 0);		 /* no REVOKE right */
	refuse(HX_CAP_REVOKE, 12, 0, 0, 0);
	refuse(HX_CAP_REVOKE, HELPER, 0, 0, 0);
	refuse(HV_EDGE_SEND, 14, 0, 8, 0);		      /* READ only: no send */
	must(HX_CAP_DERIVE, HELPER, 13, R_READ | R_WRITE, 0); /* 13: partition, no EXECUTE */
	refuse(HV_PARTITION_CTL, 13, PART_SUSPEND, 0, 0);
	refuse(HV_PARTITION_CTL, 13, PART_TERM, 0, 0);
	refuse(HV_CHECKPOINT, 13, 0, 0, 0);
	must(HX_CAP_DELETE, 13, 0, 0, 0);
	/* The rights a derived capability reports are the ones asked for, never more. */
	struct hv_result r = hvc(HV_CAP_INFO, 10, 0, 0);
	P->attacks++;
	if (r.x0 != E_OK || r.x1 != T_EDGE || r.x2 != (R_READ | R_WRITE))
		escape(HV_CAP_INFO, 10);
	r = hvc(HV_CAP_INFO, 12, 0, 0);
	P->attacks++;
	if (r.x0 != E_OK || r.x1 != T_PARTITION || r.x2 != (R_READ | R_EXECUTE))
		escape(HV_CAP_INFO, 12);
	must(HX_CAP_DELETE, 10, 0, 0, 0); /* takes 14 with it */
	refuse(HV_CAP_INFO, 14, 0, 0, 0);
	must(HX_CAP_DELETE, 12, 0, 0, 0);
}

/*
 * One use-after-revoke round: a capability derived into UAF maps the helper edge's pages at
 * window UAF; after revoking the source's children, every use of it must fail, and the pages
 * must be gone. The last touch faults: the restore comes back to main, which counts it.
 */
static void use_after_revoke(void)
{
	volatile uint64_t *win = (volatile uint64_t *)edge_window(UAF);

	must(HX_CAP_DERIVE, AH, UAF, R_READ | R_WRITE, 0);
	(void)win[0]; /* mapped while the capability lives */
	must(HX_CAP_REVOKE, AH, 0, 0, 0);
	refuse(HV_CAP_INFO, UAF, 0, 0, 0);
	refuse(HV_EDGE_SEND, UAF, 0, 8, 0);
	refuse(HV_EDGE_RECV, UAF, 0, 0, 0);
	refuse(HX_CAP_DERIVE, UAF, UAF + 1, R_READ, 0);
	must(HX_CAP_DERIVE, 0, UAF + 1, R_READ, 0); /* a region capability, then deleted */
	must(HX_CAP_DELETE, UAF + 1, 0, 0, 0);
	refuse(HV_CAP_INFO, UAF + 1, 0, 0, 0);
	refuse(HX_REGION_TIER, UAF + 1, 1, 0, 0);
	must(HX_CAP_DERIVE, AH, UAF + 2, R_READ | R_WRITE, 0); /* a chain, its root deleted */
	must(HX_CAP_DERIVE, UAF + 2, UAF + 3, R_READ, 0);
	must(HX_CAP_DELETE, UAF + 2, 0, 0, 0);
	refuse(HV_CAP_INFO, UAF + 3, 0, 0, 0);
	refuse(HV_EDGE_RECV, UAF + 3, 0, 0, 0);
	P->attacks++;
	P->inflight = 1;
	if (P->rep & 1)
		win[1] = 0x6861636b; /* a write to the revoked pages */
	else
		(void)win[0];
	P->inflight = 0;
	escape(0x1000, UAF);
	P->rep++;
}

/* The revoke race: grant, let the helper use it, revoke, tell it, wait for its verdict. */
static void race(void)
{
	volatile struct hmail *h = hmail();

	for (uint64_t r = 1; r <= RACE; r++) {
		must(HX_CAP_GRANT, AH, HELPER, HSLOT, R_READ | R_WRITE);
		store_release(&h->granted, r);
		for (uint64_t i = 0; load_acquire(&h->using) != r && i < PATIENCE; i++)
			yield();
		/* Let the helper's uses run for a while, different each round. */
		for (volatile uint64_t i = mix64(r) % 4000; i > 0; i--)
			;
		must(HX_CAP_REVOKE, AH, 0, 0, 0);
		store_release(&h->revoked, r);
		for (uint64_t i = 0; load_acquire(&h->done) != r && i < PATIENCE; i++)
			yield();
		if (r % 250 == 0)
			round_done();
	}
	for (uint64_t i = 0; !load_acquire(&h->final) && i < PATIENCE; i++)
		yield();
}

/* Every slot 0..MAX_SLOT - 1 it does not hold, and slots no partition can have. */
static void forged(void)
{
	static const uint64_t extra[] = { 0xfffe, 0xffff, 0x10000, 0xffffffffull, 1ull << 63 };

	for (uint64_t k = 4; k < MAX_SLOT + sizeof(extra) / sizeof(extra[0]); k++) {
		uint64_t s = k < MAX_SLOT ? k : extra[k - MAX_SLOT];
		int self = s == 0xfffe; /* SLOT_SELF: checkpoint and suspend are its to ask */
		if (k % 512 == 0)
			round_done();
		P->forged++;
		refuse(HV_CAP_INFO, s, 0, 0, 0);
		if (s >= 64 && s < MAX_SLOT && s % 8)
			continue; /* every call for the first 64 and the extras, three for 1 in 8 */
		refuse(HV_EDGE_SEND, s, 0, 8, 0);
		refuse(HX_CAP_DERIVE, s, 20, R_READ, 0);
		if (s >= 64 && s < MAX_SLOT)
			continue;
		refuse(HV_EDGE_RECV, s, 0, 0, 0);
		refuse(HX_CAP_REVOKE, s, 0, 0, 0);
		refuse(HX_CAP_DELETE, s, 0, 0, 0);
		refuse(HX_CAP_GRANT, s, HELPER, 5, R_READ);
		refuse(HX_CAP_GRANT, AH, s, 5, R_READ);
		refuse(HX_REGION_TIER, s, 1, 0, 0);
		refuse(HX_LEASE_GRANT, s, HELPER, 1000, 0);
		refuse(HX_LEASE_REVOKE, s, 0, 0, 0);
		if (!self) {
			refuse(HV_PARTITION_CTL, s, PART_SUSPEND, 0, 0);
			refuse(HV_CHECKPOINT, s, 0, 0, 0);
		}
	}
}

int main(void)
{
	mail_begin("caps");
	P->magic = MAGIC;
	P->phase = P->rep = P->inflight = P->uaf_rounds = 0;
	if (hvc(HV_CHECKPOINT, SLOT_SELF, 0, 0).x0 != E_OK) {
		put("caps: checkpoint refused\n");
		return 1;
	}
	if (P->magic != MAGIC)
		return 1;
	if (P->inflight) { /* the touch of revoked pages faulted, as it must */
		P->inflight = 0;
		P->contained++;
		P->rep++;
	}
	if (P->phase == 0) {
		wrong_types();
		round_done();
		escalation();
		round_done();
		P->phase = 1;
	}
	if (P->phase == 1) {
		while (P->rep < UAF_ROUNDS) {
			if (P->rep % 16 == 0 && P->uaf_rounds < P->rep / 16 + 1) {
				P->uaf_rounds = P->rep / 16 + 1;
				round_done();
			}
			use_after_revoke();
		}
		round_done();
		P->phase = 2;
		race();
		round_done();
		forged();
		round_done();
	}
	volatile struct hmail *h = hmail();
	P->escapes += h->escapes;
	P->attacks += h->uses + h->refused + h->contained;
	print("caps: ", P->attacks, " attacks");
	print(", ", P->refused, " refused");
	print(", ", P->escapes, " escapes");
	print(", ", P->legit, " legitimate calls");
	print(", ", P->nonzero, " refused calls\n");
	print("caps: ", P->forged, " forged slots");
	print(", ", P->contained, " uses of revoked pages contained\n");
	print("caps: race ", RACE, " rounds");
	print(", helper ", h->uses, " uses before the revoke");
	print(", ", h->raced, " raced");
	print(", ", h->refused + h->contained, " refused after it\n");
	for (uint64_t k = 0; k < P->escapes && k < 8; k++) {
		print("caps: ESCAPE call ", P->esc_nr[k], "");
		print(" slot ", P->esc_a1[k], "\n");
	}
	mail_final(P->rounds + 1, P->attacks, P->escapes, P->crashes);
	return 0;
}
#else
struct persist {
	uint64_t magic, done, inflight; /* inflight: round << 1 | after-the-revoke, or 0 */
	uint64_t uses, refused, raced, contained, escapes, calls_refused;
};

#define P     ((volatile struct persist *)PERSIST_IPA)
#define MAGIC 0x68656c70ull

int main(void)
{
	volatile struct hmail *h = (volatile struct hmail *)edge_window(1);
	volatile uint64_t *win = (volatile uint64_t *)edge_window(HSLOT);

	P->magic = MAGIC;
	P->done = P->inflight = 0;
	if (hvc(HV_CHECKPOINT, SLOT_SELF, 0, 0).x0 != E_OK) {
		put("helper: checkpoint refused\n");
		return 1;
	}
	if (P->magic != MAGIC)
		return 1;
	if (P->inflight) {
		uint64_t r = P->inflight >> 1;
		if (P->inflight & 1) { /* after the revoke: the fault it must be */
			P->contained++;
			P->done = r;
			store_release(&h->done, r);
		} else { /* the revoke came while it read: fine either way */
			P->raced++;
		}
		P->inflight = 0;
	}
	while (P->done < RACE) {
		uint64_t r = P->done + 1;
		/* Wait for the grant and the revoke without a bound (the test's own timeout is the
		 * bound): on a loaded host the attacker may take longer than PATIENCE yields to
		 * reach the race, and a helper that went on without its grant faulted on the
		 * window, was restored and faulted again until the test timed out. */
		while (load_acquire(&h->granted) < r)
			yield();
		store_release(&h->using, r);
		while (load_acquire(&h->revoked) < r) {
			struct hv_result c = hvc(HV_CAP_INFO, HSLOT, 0, 0);
			if (c.x0 == E_OK && (c.x1 != T_EDGE || c.x2 != (R_READ | R_WRITE)))
				P->escapes++;
			else if (c.x0 == E_OK)
				P->uses++;
			else
				P->calls_refused++;
			P->inflight = r << 1;
			(void)win[0];
			P->inflight = 0;
			P->uses++;
		}
		/* The attacker's revoke has returned: nothing of the capability may be left. */
		if (hvc(HV_CAP_INFO, HSLOT, 0, 0).x0 == E_OK)
			P->escapes++;
		else
			P->refused++;
		P->inflight = r << 1 | 1;
		(void)win[0];
		P->inflight = 0;
		P->escapes++; /* the pages were still there */
		P->done = r;
		store_release(&h->done, r);
	}
	h->uses = P->uses;
	h->refused = P->refused;
	h->raced = P->raced + P->calls_refused;
	h->contained = P->contained;
	h->escapes = P->escapes;
	print("helper: ", P->uses, " uses");
	print(", ", P->refused + P->contained, " refused after the revoke");
	print(", ", P->raced, " raced reads contained");
	print(", ", P->escapes, " escapes");
	print(", ", P->refused + P->calls_refused, " refused calls\n");
	store_release(&h->final, 1);
	wait_cap_gone(1, PATIENCE); /* the attacker has read them and left */
	return 0;
}
#endif
