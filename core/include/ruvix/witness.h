/*
 * Witness records: one 64-byte, hash-chained record for every privileged action.
 *
 * Wire format v1 (docs/witness.md; a public interface, change only with a version bump):
 *
 *   offset size field
 *        0    8 seq      0 for the first record after reset, +1 per record
 *        8    8 time_ns  monotonic time since reset
 *       16    2 kind     enum witness_kind
 *       18    1 tier     proof tier that authorised the action (0 kernel, 1 P1, 2 P2, 3 P3)
 *       19    1 cpu
 *       20    4 actor    partition id, WITNESS_ACTOR_KERNEL for the kernel
 *       24    8 target   object handle, generation included
 *       32    8 arg0
 *       40    8 arg1
 *       48   16 chain    BLAKE2b-128(previous chain || bytes 0..47), unkeyed;
 *                        the chain before record 0 is 16 zero bytes
 *
 * All fields are little-endian. "Witness first, then commit": the core emits the record, and
 * only when the backend accepted it does the action take effect.
 */
#ifndef RUVIX_WITNESS_H
#define RUVIX_WITNESS_H

#include <ruvix/types.h>

#define WITNESS_RECORD_SIZE    64
#define WITNESS_BODY_SIZE      48
#define WITNESS_CHAIN_SIZE     16
#define WITNESS_FORMAT_VERSION 1
#define WITNESS_ACTOR_KERNEL   0xFFFFFFFFu

/*
 * What a record witnesses. Numbers are part of the wire format: never reuse one. The comment
 * of each kind says what target, arg0 and arg1 hold; docs/witness.md has the same table. The
 * fields carry every input of the operation, so `ruvix-witness replay` can re-execute it.
 * Packings: "a | b << 16" means a in the low bits, b shifted; slots and partition indices are
 * 16 bits, rights and tiers 8 bits. SLOT_KERNEL (0xFFFF) in a slot field means the kernel
 * named the object by handle instead of a partition by capability slot.
 */
enum witness_kind {
	/* kernel */
	WK_BOOT = 0x0001,	/* arg0: CPUs | NUMA nodes << 32, arg1: memory bytes */
	WK_HALT = 0x0002,	/* arg0: exit status, arg1: records before this one */
	WK_REFUSED = 0x0003,	/* target: op target, arg0: op kind | kerr << 16 | op arg0 << 32,
				 * arg1: op arg1 */
	WK_FAULT = 0x0004,	/* kernel fault: target: faulting PC, arg0: ESR, arg1: FAR */
	WK_HYPERCALL = 0x0005,	/* used only inside WK_REFUSED: a call the decoder rejected;
				 * op arg0: call number, op arg1: x1 */
	WK_POLICY_SET = 0x0006, /* arg0: enum policy_key, arg1: value */
	WK_CONTAIN = 0x0007,	/* target: partition, arg0: reason | action << 8, arg1: detail */
	WK_QUOTA = 0x0008,	/* refusals not written one by one (quota.h): target: partition,
				 * arg0: enum quota_kind, arg1: units refused since the last one */
	WK_QUOTA_SET = 0x0009,	/* target: partition, arg0: kind | action << 8 | burst << 16,
				 * arg1: units per second */
	WK_SEGMENT = 0x000A,	/* the first record of a new log segment: target: segment number
				 * (1, 2, ...), arg0 and arg1: the chain value before this record
				 * (bytes 0..7 and 8..15, little-endian), so a segment can be
				 * verified on its own (docs/witness.md) */

	/* partitions */
	WK_PARTITION_CREATE = 0x0010, /* target: new handle, arg0, arg1: name (16 bytes) */
	WK_PARTITION_PLACE = 0x0011,  /* target: partition, arg0: CPU */
	WK_PARTITION_CTL = 0x0012,    /* target: partition, arg0: enum partition_op | arg << 8,
				       * arg1: slot (SLOT_KERNEL: by handle; SLOT_SELF: itself) */

	/* capabilities */
	WK_CAP_INSTALL = 0x0020, /* target: object, arg0: owner | slot << 16 | type << 32 |
				  * rights << 40, arg1: new capability handle */
	WK_CAP_DERIVE = 0x0021,	 /* target: object, arg0: src | dst << 16 | rights << 32,
				  * arg1: new capability handle */
	WK_CAP_GRANT = 0x0022,	 /* target: object, arg0: src | to << 16 | dst << 32 |
				  * rights << 48 (to: slot of a partition capability),
				  * arg1: new capability handle */
	WK_CAP_REVOKE = 0x0023,	 /* target: capability, arg0: slot, arg1: capabilities removed */
	WK_CAP_DELETE = 0x0024,	 /* target: capability, arg0: slot, arg1: capabilities removed */

	/* memory regions */
	WK_REGION_CREATE = 0x0030, /* target: new handle, arg0: base, arg1: pages | tier << 32 |
				    * owner << 40 */
	WK_REGION_TIER = 0x0031,   /* target: region, arg0: slot, arg1: tier */

	/* communication edges */
	WK_EDGE_CREATE = 0x0040, /* target: new handle, arg0: shared base, arg1: pages |
				  * end a << 32 | end b << 48 */
	WK_EDGE_SEND = 0x0041,	 /* target: edge, arg0: slot, arg1: offset | length << 32 */
	WK_EDGE_RECV = 0x0042,	 /* target: edge, arg0: slot, arg1: offset | length << 32 */

	/* devices and leases */
	WK_DEVICE_CREATE = 0x0050, /* target: new handle, arg0: MMIO base, arg1: size | IRQ << 32 */
	WK_LEASE_GRANT = 0x0051,   /* target: device, arg0: holder | device slot << 16 |
				    * holder slot << 32 (slots or SLOT_KERNEL), arg1: duration ns */
	WK_LEASE_REVOKE = 0x0052,  /* target: device, arg0: slot */
	WK_LEASE_EXPIRE = 0x0053,  /* target: device, arg0: holder, arg1: deadline ns */

	/* recovery */
	WK_CHECKPOINT_TAKE = 0x0060,	/* target: partition, arg0: slot (SLOT_KERNEL/SLOT_SELF) */
	WK_CHECKPOINT_RESTORE = 0x0061, /* target: partition */

	/* coherence engine (DC-2) */
	WK_COH_STALE = 0x0070, /* an epoch ran out of its budget and kept the last placement:
				* arg0: epoch number, arg1: epoch time ns */
};

#define SLOT_KERNEL 0xFFFFu
#define SLOT_SELF   0xFFFEu

/** Proof tier that authorised an action (DESIGN.md DC-3). */
enum witness_tier {
	TIER_KERNEL = 0,
	TIER_P1 = 1,
	TIER_P2 = 2,
	TIER_P3 = 3,
};

/** One witness record, decoded. */
struct witness_record {
	u64 seq;
	u64 time_ns;
	u16 kind;
	u8 tier;
	u8 cpu;
	u32 actor;
	u64 target;
	u64 arg0;
	u64 arg1;
	u8 chain[WITNESS_CHAIN_SIZE];
};

/** Serialise @rec into the 64-byte little-endian wire layout. */
void witness_encode(const struct witness_record *rec, u8 out[WITNESS_RECORD_SIZE]);

/** Parse a 64-byte wire record into @rec. Every byte pattern decodes. */
void witness_decode(const u8 in[WITNESS_RECORD_SIZE], struct witness_record *rec);

/**
 * Compute the chain value of an encoded record: BLAKE2b-128(@prev || @wire[0..47]).
 * Writes it to @out; does not modify @wire.
 */
void witness_chain_value(const u8 prev[WITNESS_CHAIN_SIZE], const u8 wire[WITNESS_RECORD_SIZE],
			 u8 out[WITNESS_CHAIN_SIZE]);

/** Short name of a kind ("boot", "halt", ...) or NULL when the kind is unknown. */
const char *witness_kind_name(u16 kind);

/** Errors of the witness log. */
enum witness_err {
	WITNESS_OK = 0,
	WITNESS_EXPORT_FAILED, /* the backend refused the record: the action must not happen */
};

/**
 * Append a record to the kernel's witness chain and export it. Fills seq, time, cpu and
 * chain. On WITNESS_EXPORT_FAILED the chain is unchanged and the caller must not commit.
 */
enum witness_err witness_emit(u16 kind, u8 tier, u32 actor, u64 target, u64 arg0, u64 arg1);

/** witness_emit with the time the action took place, sampled earlier by the caller. */
enum witness_err witness_emit_at(u64 time_ns, u16 kind, u8 tier, u32 actor, u64 target, u64 arg0,
				 u64 arg1);

/** Number of records emitted since reset. */
u64 witness_count(void);

/** The current chain head (16 zero bytes before the first record). */
void witness_head(u8 out[WITNESS_CHAIN_SIZE]);

/** Time of the first record since reset, or 0 when none was emitted yet. */
u64 witness_first_time_ns(void);

/**
 * P3 audit: the records kept in memory still chain to the head. On failure *@detail is the seq
 * of the first record that does not.
 */
bool witness_audit(u64 *detail);

/**
 * Start a new segment (a WK_SEGMENT record) at the next witness_segment_tick once the current
 * one holds at least @records records (at least 2). A boot sets it back to
 * RUVIX_WITNESS_SEGMENT (Meson option witness_segment).
 */
void witness_set_segment_records(u64 records);

/**
 * Called from kernel_tick: if the current segment is full, write the WK_SEGMENT record that
 * starts the next one. A log is a stream that never fills: segments let the host cut it into
 * files each of which verifies on its own. Returns true when a segment started.
 */
bool witness_segment_tick(void);

/** Forget the chain: the next record is seq 0 again. For a reset and for tests. */
void witness_reset(void);

#endif /* RUVIX_WITNESS_H */
