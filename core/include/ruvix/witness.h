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

/** What a record witnesses. Numbers are part of the wire format: never reuse one. */
enum witness_kind {
	WK_BOOT = 0x0001,	      /* arg0: CPUs | NUMA nodes << 32, arg1: memory bytes */
	WK_HALT = 0x0002,	      /* arg0: exit status, arg1: records before this one */
	WK_REFUSED = 0x0003,	      /* target: object, arg0: kind refused, arg1: enum kerr */
	WK_FAULT = 0x0004,	      /* kernel fault: target: faulting PC, arg0: ESR, arg1: FAR */
	WK_PARTITION_CREATE = 0x0010, /* target: new handle, arg0: home CPU, arg1: name hash */
};

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

/** Number of records emitted since reset. */
u64 witness_count(void);

/** The current chain head (16 zero bytes before the first record). */
void witness_head(u8 out[WITNESS_CHAIN_SIZE]);

/** Time of the first record since reset, or 0 when none was emitted yet. */
u64 witness_first_time_ns(void);

/** Forget the chain: the next record is seq 0 again. For a reset and for tests. */
void witness_reset(void);

#endif /* RUVIX_WITNESS_H */
