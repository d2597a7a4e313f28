/* Recovery checkpoints (one per partition) and containment. */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/checkpoint.h>
#include <ruvix/digest.h>
#include <ruvix/hal.h>
#include <ruvix/partition.h>
#include <ruvix/proof.h>
#include <ruvix/region.h>

struct checkpoint {
	bool valid;
	u8 state;
	u32 cpu;
	u32 nregions;
	handle_t region[RUVIX_CHECKPOINT_REGIONS];
	u8 tier[RUVIX_CHECKPOINT_REGIONS];
};

static struct checkpoint saved[RUVIX_MAX_PARTITIONS];

bool checkpoint_exists(u32 p)
{
	return p < RUVIX_MAX_PARTITIONS && saved[p].valid;
}

static enum kerr take(actor_t actor, u32 slot, handle_t h, enum kerr v)
{
	handle_t regions[RUVIX_CHECKPOINT_REGIONS];
	u32 n = 0;

	if (v == KERR_OK && !partition_valid(h))
		v = KERR_STALE;
	if (v == KERR_OK && partition_state(h) == PS_MIGRATING)
		v = KERR_STATE;
	if (v == KERR_OK) {
		n = region_list(handle_index(h), regions, RUVIX_CHECKPOINT_REGIONS);
		if (n > RUVIX_CHECKPOINT_REGIONS)
			v = KERR_NO_SPACE;
	}
	struct proof_op op = { .kind = WK_CHECKPOINT_TAKE,
			       .tier = actor == ACTOR_KERNEL ? TIER_KERNEL : TIER_P1,
			       .actor = actor,
			       .target = h,
			       .arg0 = slot };
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);

	struct checkpoint *c = &saved[handle_index(h)];
	c->valid = true;
	c->state = (u8)partition_state(h);
	c->cpu = partition_cpu(h);
	c->nregions = n;
	for (u32 i = 0; i < n; i++) {
		c->region[i] = regions[i];
		c->tier[i] = region_tier(regions[i]);
	}
	hal_partition_save(handle_index(h));
	return KERR_OK;
}

enum kerr checkpoint_take(actor_t actor, u32 slot)
{
	handle_t h = HANDLE_NONE;
	enum kerr v = KERR_OK;

	if (!partition_index_valid(actor))
		v = KERR_INVALID;
	else if (slot == SLOT_SELF)
		h = partition_handle(actor);
	else if (slot >= RUVIX_CAP_SLOTS)
		v = KERR_INVALID;
	else
		v = cap_check(actor, slot, OBJ_PARTITION, RIGHT_EXECUTE, &h);
	return take(actor, slot, h, v);
}

enum kerr checkpoint_take_kernel(handle_t h)
{
	return take(ACTOR_KERNEL, SLOT_KERNEL, h, KERR_OK);
}

/* Put partition @h back as its checkpoint says; regions freed since are skipped. */
static void restore(handle_t h)
{
	const struct checkpoint *c = &saved[handle_index(h)];

	CHECK(c->valid);
	partition_restore_state(h, (enum partition_state)c->state, c->cpu);
	for (u32 i = 0; i < c->nregions; i++)
		if (region_valid(c->region[i]))
			region_restore_tier(c->region[i], c->tier[i]);
	hal_partition_restore(handle_index(h));
}

enum kerr checkpoint_restore_kernel(handle_t h)
{
	enum kerr v = KERR_OK;

	if (!partition_valid(h))
		v = KERR_STALE;
	else if (!saved[handle_index(h)].valid)
		v = KERR_STATE;
	struct proof_op op = { .kind = WK_CHECKPOINT_RESTORE,
			       .tier = TIER_KERNEL,
			       .actor = ACTOR_KERNEL,
			       .target = h };
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	restore(h);
	return KERR_OK;
}

enum kerr kernel_contain(handle_t h, u32 reason, u64 detail)
{
	enum kerr v = partition_valid(h) ? KERR_OK : KERR_STALE;
	u32 action = CONTAIN_STOP;

	if (v == KERR_OK && (reason & 0xf) != CONTAIN_QUOTA &&
	    partition_on_fault(h) == CONTAIN_RESTORE && saved[handle_index(h)].valid)
		action = CONTAIN_RESTORE;
	struct proof_op op = {
		.kind = WK_CONTAIN,
		.tier = (reason & 0xf) == CONTAIN_P3_FAILED ? TIER_P3 : TIER_KERNEL,
		.actor = ACTOR_KERNEL,
		.target = h,
		.arg0 = (reason & 0xff) | (u64)action << 8,
		.arg1 = detail,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	if (action == CONTAIN_RESTORE)
		restore(h);
	else
		partition_terminate_contained(h);
	return KERR_OK;
}

void checkpoint_drop(u32 p)
{
	saved[p].valid = false;
}

void checkpoint_reset(void)
{
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++)
		saved[p].valid = false;
}

void checkpoint_digest(u8 acc[16])
{
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++) {
		const struct checkpoint *c = &saved[p];
		if (!c->valid)
			continue;
		struct digest_chunk d = { .len = 0 };
		digest_put(&d, 0x400, 2);
		digest_put(&d, p, 4);
		digest_put(&d, c->state, 1);
		digest_put(&d, c->cpu, 4);
		digest_put(&d, c->nregions, 4);
		digest_feed(acc, d.buf, d.len);
		for (u32 i = 0; i < c->nregions; i++) {
			struct digest_chunk r = { .len = 0 };
			digest_put(&r, c->region[i], 8);
			digest_put(&r, c->tier[i], 1);
			digest_feed(acc, r.buf, r.len);
		}
	}
}
