/* The memory region table: ownership, tiers, and the no-overlap rule. */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/digest.h>
#include <ruvix/klib.h>
#include <ruvix/edge.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/proof.h>
#include <ruvix/region.h>

enum { REGION_PRIVATE = 1, REGION_SHARED = 2 };

struct region {
	u32 gen;
	bool live;
	u8 kind;
	u8 tier;
	u32 owner; /* partition index (private) or edge index (shared) */
	u64 base, size;
};

static struct region table[RUVIX_MAX_REGIONS];

static struct region *lookup(handle_t h)
{
	u32 i = handle_index(h);

	if (i >= RUVIX_MAX_REGIONS || !table[i].live || table[i].gen != handle_gen(h))
		return NULL;
	return &table[i];
}

bool region_valid(handle_t r)
{
	return lookup(r) != NULL;
}

static i32 free_slot(void)
{
	for (u32 i = 0; i < RUVIX_MAX_REGIONS; i++)
		if (!table[i].live)
			return (i32)i;
	return -1;
}

handle_t region_next_handle(void)
{
	i32 s = free_slot();
	return s < 0 ? HANDLE_NONE : handle_make((u32)s, generation_next(table[s].gen));
}

enum kerr region_can_create(u64 base, u64 size)
{
	if (size == 0 || base % REGION_PAGE || size % REGION_PAGE || base + size < base ||
	    size / REGION_PAGE > 0xffffffffull)
		return KERR_INVALID;
	for (u32 i = 0; i < RUVIX_MAX_REGIONS; i++) {
		const struct region *r = &table[i];
		if (r->live && base < r->base + r->size && r->base < base + size)
			return KERR_BUSY; /* overlaps memory someone else holds */
	}
	return free_slot() < 0 ? KERR_NO_SPACE : KERR_OK;
}

static handle_t take(u8 kind, u32 owner, u64 base, u64 size, u8 tier)
{
	i32 s = free_slot();

	CHECK(s >= 0);
	struct region *r = &table[s];
	r->gen = generation_next(r->gen);
	r->live = true;
	r->kind = kind;
	r->owner = owner;
	r->base = base;
	r->size = size;
	r->tier = tier;
	return handle_make((u32)s, r->gen);
}

enum kerr region_create(handle_t owner, u64 base, u64 size, u8 tier, handle_t *out)
{
	enum kerr v = KERR_OK;

	if (!partition_valid(owner))
		v = KERR_STALE;
	else if (tier > MEM_TIER_MAX)
		v = KERR_INVALID;
	else
		v = region_can_create(base, size);
	struct proof_op op = {
		.kind = WK_REGION_CREATE,
		.tier = TIER_KERNEL,
		.actor = ACTOR_KERNEL,
		.target = v == KERR_OK ? region_next_handle() : 0,
		.arg0 = base,
		.arg1 = (size / REGION_PAGE & 0xffffffffull) | (u64)(tier & 0xff) << 32 |
			(u64)(handle_index(owner) & 0xffffff) << 40,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	*out = take(REGION_PRIVATE, handle_index(owner), base, size, tier);
	CHECK(*out == op.target);
	return KERR_OK;
}

handle_t region_create_shared(u32 edge, u64 base, u64 size)
{
	CHECK(region_can_create(base, size) == KERR_OK);
	return take(REGION_SHARED, edge, base, size, MEM_HOT);
}

static u64 hot_bytes(u32 p)
{
	u64 sum = 0;

	for (u32 i = 0; i < RUVIX_MAX_REGIONS; i++)
		if (table[i].live && table[i].kind == REGION_PRIVATE && table[i].owner == p &&
		    table[i].tier == MEM_HOT)
			sum += table[i].size;
	return sum;
}

static enum kerr set_tier(actor_t actor, u32 slot, handle_t h, enum kerr v, u8 tier)
{
	struct region *r = v == KERR_OK ? lookup(h) : NULL;
	u8 ptier = actor == ACTOR_KERNEL ? TIER_KERNEL : TIER_P1;

	if (v == KERR_OK && !r)
		v = KERR_STALE;
	if (v == KERR_OK && tier > MEM_TIER_MAX)
		v = KERR_INVALID;
	if (v == KERR_OK && actor != ACTOR_KERNEL && tier == MEM_HOT && r->tier != MEM_HOT &&
	    r->kind == REGION_PRIVATE) {
		ptier = TIER_P2;
		v = policy_check_hot(hot_bytes(r->owner) + r->size);
	}
	struct proof_op op = { .kind = WK_REGION_TIER,
			       .tier = ptier,
			       .actor = actor,
			       .target = h,
			       .arg0 = slot,
			       .arg1 = tier };
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	r->tier = tier;
	return KERR_OK;
}

enum kerr region_set_tier(actor_t actor, u32 slot, u8 tier)
{
	handle_t h = HANDLE_NONE;
	enum kerr v = KERR_OK;

	if (!partition_index_valid(actor) || slot >= RUVIX_CAP_SLOTS)
		v = KERR_INVALID;
	else
		v = cap_check(actor, slot, OBJ_REGION, RIGHT_WRITE, &h);
	return set_tier(actor, slot, h, v, tier);
}

enum kerr region_set_tier_kernel(handle_t r, u8 tier)
{
	return set_tier(ACTOR_KERNEL, SLOT_KERNEL, r, KERR_OK, tier);
}

bool region_accessible(u32 p, handle_t h)
{
	const struct region *r = lookup(h);

	if (!r)
		return false;
	if (r->kind == REGION_PRIVATE)
		return r->owner == p;
	return edge_index_has_end(r->owner, p);
}

u8 region_tier(handle_t h)
{
	const struct region *r = lookup(h);
	CHECK(r);
	return r->tier;
}

u64 region_base(handle_t h)
{
	const struct region *r = lookup(h);
	CHECK(r);
	return r->base;
}

u64 region_size(handle_t h)
{
	const struct region *r = lookup(h);
	CHECK(r);
	return r->size;
}

u32 region_list(u32 p, handle_t *out, u32 max)
{
	u32 n = 0;

	for (u32 i = 0; i < RUVIX_MAX_REGIONS; i++)
		if (table[i].live && table[i].kind == REGION_PRIVATE && table[i].owner == p) {
			if (n < max)
				out[n] = handle_make(i, table[i].gen);
			n++;
		}
	return n;
}

void region_restore_tier(handle_t h, u8 tier)
{
	struct region *r = lookup(h);
	CHECK(r && tier <= MEM_TIER_MAX);
	r->tier = tier;
}

void region_drop(handle_t h)
{
	struct region *r = lookup(h);

	CHECK(r);
	cap_drop_object(OBJ_REGION, h);
	r->live = false;
}

void region_drop_partition(u32 p)
{
	for (u32 i = 0; i < RUVIX_MAX_REGIONS; i++)
		if (table[i].live && table[i].kind == REGION_PRIVATE && table[i].owner == p)
			region_drop(handle_make(i, table[i].gen));
}

void region_reset(void)
{
	/* A boot is a fresh machine: generations start over too, so a replay of the log
	 * hands out the very same handles. */
	memset(table, 0, sizeof(table));
}

void region_digest(u8 acc[16])
{
	for (u32 i = 0; i < RUVIX_MAX_REGIONS; i++) {
		const struct region *r = &table[i];
		if (!r->live)
			continue;
		struct digest_chunk d = { .len = 0 };
		digest_put(&d, 0x200 + OBJ_REGION, 2);
		digest_put(&d, i, 4);
		digest_put(&d, r->gen, 4);
		digest_put(&d, r->kind, 1);
		digest_put(&d, r->tier, 1);
		digest_put(&d, r->owner, 4);
		digest_put(&d, r->base, 8);
		digest_put(&d, r->size, 8);
		digest_feed(acc, d.buf, d.len);
	}
}
