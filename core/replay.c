/* Replay of witness records through the kernel's own entry points (see replay.h). */
#include <ruvix/cap.h>
#include <ruvix/checkpoint.h>
#include <ruvix/edge.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/quota.h>
#include <ruvix/region.h>
#include <ruvix/replay.h>

static u32 bits(u64 v, unsigned shift, unsigned width)
{
	return (u32)((v >> shift) & ((1ull << width) - 1));
}

/* A 16-bit slot field back to a slot, keeping SLOT_KERNEL and SLOT_SELF. */
static u32 slot16(u64 v, unsigned shift)
{
	return bits(v, shift, 16);
}

static enum kerr replay_create(const struct witness_record *r)
{
	char name[PARTITION_NAME_MAX];
	handle_t h;

	for (unsigned i = 0; i < 16; i++)
		name[i] = (char)((i < 8 ? r->arg0 : r->arg1) >> (8 * (i % 8)));
	name[16] = '\0';
	return partition_create(name, &h);
}

/* Kinds kernel_replay re-executes (WK_HYPERCALL only ever appears inside a refusal). */
static bool replayable_kind(u16 kind)
{
	return kind != WK_HYPERCALL && witness_kind_name(kind) != NULL;
}

const char *kernel_replay_check(const struct witness_record *r)
{
	if (r->tier > TIER_P3)
		return "its tier is not a proof tier (0..3)";
	if (!replayable_kind(r->kind))
		return "replay does not know its kind";
	if (r->kind == WK_BOOT) {
		if (r->seq != 0)
			return "a boot record must be record 0";
		if (r->cpu >= bits(r->arg0, 0, 32))
			return "it boots on a CPU the machine it declares does not have";
		return NULL;
	}
	if (witness_count() == 0)
		return "no boot record came before it";
	if (r->cpu >= kernel_machine()->ncpus)
		return "its cpu is not one of the booted machine's CPUs";
	return NULL;
}

enum kerr kernel_replay(const struct witness_record *r)
{
	handle_t h;
	u32 off, len;

	if (kernel_replay_check(r))
		return KERR_INVALID;
	switch (r->kind) {
	case WK_BOOT: {
		struct machine_desc m = { .ncpus = bits(r->arg0, 0, 32),
					  .nnodes = bits(r->arg0, 32, 32),
					  .mem_bytes = r->arg1 };
		return kernel_boot(&m);
	}
	case WK_HALT:
		return kernel_halt((int)(i64)r->arg0);
	case WK_REFUSED:
	case WK_FAULT:
	case WK_COH_STALE:
	case WK_QUOTA:
		/* These changed nothing: the record is all there is to repeat. */
		return witness_emit(r->kind, r->tier, r->actor, r->target, r->arg0, r->arg1) ==
				       WITNESS_OK
			       ? KERR_OK
			       : KERR_WITNESS;
	case WK_POLICY_SET:
		return policy_set(bits(r->arg0, 0, 32), r->arg1);
	case WK_SEGMENT: {
		/* It must carry the chain value before it, or a segment verified on its own would
		 * start from a forged one. */
		u8 head[WITNESS_CHAIN_SIZE];
		witness_head(head);
		for (unsigned i = 0; i < 16; i++)
			if (head[i] != (u8)((i < 8 ? r->arg0 : r->arg1) >> (8 * (i % 8))))
				return KERR_INVALID;
		return witness_emit(r->kind, r->tier, r->actor, r->target, r->arg0, r->arg1) ==
				       WITNESS_OK
			       ? KERR_OK
			       : KERR_WITNESS;
	}
	case WK_QUOTA_SET:
		return quota_set(r->target, (u8)bits(r->arg0, 0, 8), bits(r->arg0, 16, 32), r->arg1,
				 (u8)bits(r->arg0, 8, 8));
	case WK_CONTAIN:
		return kernel_contain(r->target, bits(r->arg0, 0, 8), r->arg1);
	case WK_PARTITION_CREATE:
		return replay_create(r);
	case WK_PARTITION_PLACE:
		return partition_place(r->target, bits(r->arg0, 0, 32));
	case WK_PARTITION_CTL:
		if (r->arg1 == SLOT_KERNEL)
			return partition_ctl_kernel(r->target, (u8)bits(r->arg0, 0, 8),
						    bits(r->arg0, 8, 24));
		return partition_ctl(r->actor, (u32)r->arg1, (u8)bits(r->arg0, 0, 8),
				     bits(r->arg0, 8, 24));
	case WK_CAP_INSTALL:
		return cap_install(bits(r->arg0, 0, 16), slot16(r->arg0, 16),
				   (u8)bits(r->arg0, 32, 8), r->target, (u8)bits(r->arg0, 40, 8));
	case WK_CAP_DERIVE:
		return cap_derive(r->actor, slot16(r->arg0, 0), slot16(r->arg0, 16),
				  (u8)bits(r->arg0, 32, 8));
	case WK_CAP_GRANT:
		return cap_grant(r->actor, slot16(r->arg0, 0), slot16(r->arg0, 16),
				 slot16(r->arg0, 32), (u8)bits(r->arg0, 48, 8));
	case WK_CAP_REVOKE:
		return cap_revoke(r->actor, (u32)r->arg0);
	case WK_CAP_DELETE:
		return cap_delete(r->actor, (u32)r->arg0);
	case WK_REGION_CREATE:
		return region_create(partition_handle(bits(r->arg1, 40, 24)), r->arg0,
				     (u64)bits(r->arg1, 0, 32) * REGION_PAGE,
				     (u8)bits(r->arg1, 32, 8), &h);
	case WK_REGION_TIER:
		if (r->arg0 == SLOT_KERNEL)
			return region_set_tier_kernel(r->target, (u8)r->arg1);
		return region_set_tier(r->actor, (u32)r->arg0, (u8)r->arg1);
	case WK_EDGE_CREATE:
		return edge_create(partition_handle(bits(r->arg1, 32, 16)),
				   partition_handle(bits(r->arg1, 48, 16)), r->arg0,
				   (u64)bits(r->arg1, 0, 32) * REGION_PAGE, &h);
	case WK_EDGE_SEND:
		return edge_send(r->actor, (u32)r->arg0, bits(r->arg1, 0, 32),
				 bits(r->arg1, 32, 32));
	case WK_EDGE_RECV:
		return edge_recv(r->actor, (u32)r->arg0, &off, &len);
	case WK_DEVICE_CREATE:
		return device_create(r->arg0, bits(r->arg1, 0, 32), bits(r->arg1, 32, 32), &h);
	case WK_LEASE_GRANT:
		if (slot16(r->arg0, 16) == SLOT_KERNEL)
			return lease_grant_kernel(r->target, partition_handle(bits(r->arg0, 0, 16)),
						  r->arg1);
		return lease_grant(r->actor, slot16(r->arg0, 16), slot16(r->arg0, 32), r->arg1);
	case WK_LEASE_REVOKE:
		if (r->arg0 == SLOT_KERNEL)
			return lease_revoke_kernel(r->target);
		return lease_revoke(r->actor, (u32)r->arg0);
	case WK_LEASE_EXPIRE:
		return lease_expire(r->target);
	case WK_CHECKPOINT_TAKE:
		if (r->arg0 == SLOT_KERNEL)
			return checkpoint_take_kernel(r->target);
		return checkpoint_take(r->actor, (u32)r->arg0);
	case WK_CHECKPOINT_RESTORE:
		return checkpoint_restore_kernel(r->target);
	}
	return KERR_INVALID;
}
