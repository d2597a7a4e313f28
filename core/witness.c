/*
 * The kernel's witness chain: sequence numbers, the running chain head, and the hand-off of
 * each record to the backend's exporter before the action it records is committed.
 */
#include <ruvix/check.h>
#include <ruvix/config.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/witness.h>

/*
 * One chain per machine. The bare-metal backend runs the core on one CPU at a time until
 * the scheduler brings up secondaries behind the kernel lock; the simulator is single-threaded.
 */
static struct {
	u64 next_seq;
	u64 first_time_ns;
	u8 head[WITNESS_CHAIN_SIZE];
	/* The last RUVIX_WITNESS_RING records, and the chain value before the oldest of them,
	 * for the P3 audit. */
	u8 ring[RUVIX_WITNESS_RING][WITNESS_RECORD_SIZE];
	u8 ring_base[WITNESS_CHAIN_SIZE];
	u64 segment_records; /* records a segment holds before the next starts (0: the default) */
	u64 segment_start;   /* seq of the current segment's first record */
	u64 segment;	     /* its number: 0 for the one boot starts */
} chain;

enum witness_err witness_emit(u16 kind, u8 tier, u32 actor, u64 target, u64 arg0, u64 arg1)
{
	return witness_emit_at(hal_now_ns(), kind, tier, actor, target, arg0, arg1);
}

enum witness_err witness_emit_at(u64 time_ns, u16 kind, u8 tier, u32 actor, u64 target, u64 arg0,
				 u64 arg1)
{
	struct witness_record rec = {
		.seq = chain.next_seq,
		.time_ns = time_ns,
		.kind = kind,
		.tier = tier,
		.cpu = (u8)hal_cpu_id(),
		.actor = actor,
		.target = target,
		.arg0 = arg0,
		.arg1 = arg1,
	};
	u8 wire[WITNESS_RECORD_SIZE];

	CHECK(tier <= TIER_P3);
	witness_encode(&rec, wire);
	witness_chain_value(chain.head, wire, wire + WITNESS_BODY_SIZE);
	if (!hal_witness_export(wire))
		return WITNESS_EXPORT_FAILED;

	if (chain.next_seq == 0)
		chain.first_time_ns = rec.time_ns;
	u8 *slot = chain.ring[chain.next_seq % RUVIX_WITNESS_RING];
	if (chain.next_seq >= RUVIX_WITNESS_RING)
		memcpy(chain.ring_base, slot + WITNESS_BODY_SIZE, WITNESS_CHAIN_SIZE);
	memcpy(slot, wire, WITNESS_RECORD_SIZE);
	memcpy(chain.head, wire + WITNESS_BODY_SIZE, WITNESS_CHAIN_SIZE);
	chain.next_seq++;
	return WITNESS_OK;
}

u64 witness_count(void)
{
	return chain.next_seq;
}

void witness_head(u8 out[WITNESS_CHAIN_SIZE])
{
	memcpy(out, chain.head, WITNESS_CHAIN_SIZE);
}

u64 witness_first_time_ns(void)
{
	return chain.first_time_ns;
}

bool witness_audit(u64 *detail)
{
	u64 n = chain.next_seq < RUVIX_WITNESS_RING ? chain.next_seq : RUVIX_WITNESS_RING;
	u64 first = chain.next_seq - n;
	u8 prev[WITNESS_CHAIN_SIZE], want[WITNESS_CHAIN_SIZE];

	memcpy(prev, chain.ring_base, WITNESS_CHAIN_SIZE);
	for (u64 s = first; s < chain.next_seq; s++) {
		const u8 *rec = chain.ring[s % RUVIX_WITNESS_RING];
		struct witness_record r;
		witness_decode(rec, &r);
		witness_chain_value(prev, rec, want);
		*detail = s;
		if (r.seq != s || memcmp(want, r.chain, WITNESS_CHAIN_SIZE) != 0)
			return false;
		memcpy(prev, r.chain, WITNESS_CHAIN_SIZE);
	}
	*detail = chain.next_seq;
	return memcmp(prev, chain.head, WITNESS_CHAIN_SIZE) == 0;
}

void witness_set_segment_records(u64 records)
{
	CHECK(records >= 2);
	chain.segment_records = records;
}

bool witness_segment_tick(void)
{
	u64 size = chain.segment_records ? chain.segment_records : RUVIX_WITNESS_SEGMENT;
	u64 a = 0, b = 0;

	if (chain.next_seq == 0 || chain.next_seq - chain.segment_start < size)
		return false;
	for (unsigned i = 0; i < 8; i++) {
		a |= (u64)chain.head[i] << (8 * i);
		b |= (u64)chain.head[8 + i] << (8 * i);
	}
	u64 seq = chain.next_seq;
	if (witness_emit(WK_SEGMENT, TIER_KERNEL, WITNESS_ACTOR_KERNEL, chain.segment + 1, a, b) !=
	    WITNESS_OK)
		return false;
	chain.segment++;
	chain.segment_start = seq;
	return true;
}

void witness_reset(void)
{
	memset(&chain, 0, sizeof(chain));
}
