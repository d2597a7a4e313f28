/*
 * Encoding of witness records (wire format v1) and their chain value. Pure functions: the
 * kernel uses them to emit, the host tools use the same code to read.
 */
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/witness.h>

static void put_le(u8 *p, u64 v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (u8)(v >> (8 * i));
}

static u64 get_le(const u8 *p, unsigned bytes)
{
	u64 v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

void witness_encode(const struct witness_record *rec, u8 out[WITNESS_RECORD_SIZE])
{
	put_le(out + 0, rec->seq, 8);
	put_le(out + 8, rec->time_ns, 8);
	put_le(out + 16, rec->kind, 2);
	out[18] = rec->tier;
	out[19] = rec->cpu;
	put_le(out + 20, rec->actor, 4);
	put_le(out + 24, rec->target, 8);
	put_le(out + 32, rec->arg0, 8);
	put_le(out + 40, rec->arg1, 8);
	memcpy(out + WITNESS_BODY_SIZE, rec->chain, WITNESS_CHAIN_SIZE);
}

void witness_decode(const u8 in[WITNESS_RECORD_SIZE], struct witness_record *rec)
{
	rec->seq = get_le(in + 0, 8);
	rec->time_ns = get_le(in + 8, 8);
	rec->kind = (u16)get_le(in + 16, 2);
	rec->tier = in[18];
	rec->cpu = in[19];
	rec->actor = (u32)get_le(in + 20, 4);
	rec->target = get_le(in + 24, 8);
	rec->arg0 = get_le(in + 32, 8);
	rec->arg1 = get_le(in + 40, 8);
	memcpy(rec->chain, in + WITNESS_BODY_SIZE, WITNESS_CHAIN_SIZE);
}

void witness_chain_value(const u8 prev[WITNESS_CHAIN_SIZE], const u8 wire[WITNESS_RECORD_SIZE],
			 u8 out[WITNESS_CHAIN_SIZE])
{
	u8 msg[WITNESS_CHAIN_SIZE + WITNESS_BODY_SIZE];

	memcpy(msg, prev, WITNESS_CHAIN_SIZE);
	memcpy(msg + WITNESS_CHAIN_SIZE, wire, WITNESS_BODY_SIZE);
	hal_blake2b(out, WITNESS_CHAIN_SIZE, msg, sizeof(msg));
}

const char *witness_kind_name(u16 kind)
{
	switch (kind) {
	case WK_BOOT:
		return "boot";
	case WK_HALT:
		return "halt";
	case WK_REFUSED:
		return "refused";
	case WK_FAULT:
		return "fault";
	case WK_HYPERCALL:
		return "hypercall";
	case WK_POLICY_SET:
		return "policy_set";
	case WK_CONTAIN:
		return "contain";
	case WK_QUOTA:
		return "quota";
	case WK_QUOTA_SET:
		return "quota_set";
	case WK_SEGMENT:
		return "segment";
	case WK_PARTITION_CREATE:
		return "partition_create";
	case WK_PARTITION_PLACE:
		return "partition_place";
	case WK_PARTITION_CTL:
		return "partition_ctl";
	case WK_CAP_INSTALL:
		return "cap_install";
	case WK_CAP_DERIVE:
		return "cap_derive";
	case WK_CAP_GRANT:
		return "cap_grant";
	case WK_CAP_REVOKE:
		return "cap_revoke";
	case WK_CAP_DELETE:
		return "cap_delete";
	case WK_REGION_CREATE:
		return "region_create";
	case WK_REGION_TIER:
		return "region_tier";
	case WK_EDGE_CREATE:
		return "edge_create";
	case WK_EDGE_SEND:
		return "edge_send";
	case WK_EDGE_RECV:
		return "edge_recv";
	case WK_DEVICE_CREATE:
		return "device_create";
	case WK_LEASE_GRANT:
		return "lease_grant";
	case WK_LEASE_REVOKE:
		return "lease_revoke";
	case WK_LEASE_EXPIRE:
		return "lease_expire";
	case WK_CHECKPOINT_TAKE:
		return "checkpoint_take";
	case WK_COH_STALE:
		return "coherence_stale";
	case WK_CHECKPOINT_RESTORE:
		return "checkpoint_restore";
	}
	return NULL;
}
