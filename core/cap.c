/*
 * The capability table. Capabilities live in one global table so a derivation tree can span
 * partitions; each partition's capability space maps slot indices to table entries. Every
 * mutation goes through the proof gate: check (no side effects), gate (witness + token),
 * invoke (cannot fail).
 */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/digest.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/proof.h>

#include "cap_table.h"

struct cap cap_table[RUVIX_MAX_CAPS];
static i32 cspace[RUVIX_MAX_PARTITIONS][RUVIX_CAP_SLOTS];
static u32 held[RUVIX_MAX_PARTITIONS];

void cap_reset(void)
{
	/* A boot is a fresh machine: generations start over too, so a replay of the log
	 * hands out the very same handles. */
	memset(cap_table, 0, sizeof(cap_table));
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++) {
		for (u32 s = 0; s < RUVIX_CAP_SLOTS; s++)
			cspace[p][s] = NIL;
		held[p] = 0;
	}
}

static struct cap *in_slot(u32 p, u32 slot)
{
	if (p >= RUVIX_MAX_PARTITIONS || slot >= RUVIX_CAP_SLOTS || cspace[p][slot] == NIL)
		return NULL;
	return &cap_table[cspace[p][slot]];
}

static i32 index_of(const struct cap *c)
{
	return (i32)(c - cap_table);
}

static handle_t handle_of(const struct cap *c)
{
	return handle_make((u32)index_of(c), c->gen);
}

handle_t cap_handle(u32 p, u32 slot)
{
	struct cap *c = in_slot(p, slot);
	return c ? handle_of(c) : HANDLE_NONE;
}

u32 cap_count(u32 p)
{
	return p < RUVIX_MAX_PARTITIONS ? held[p] : 0;
}

enum kerr cap_check(u32 p, u32 slot, u8 type, u8 need, handle_t *object)
{
	struct cap *c = in_slot(p, slot);

	if (!c || c->type != type || (c->rights & need) != need)
		return KERR_DENIED;
	if (!object_valid(c->type, c->object))
		return KERR_STALE;
	*object = c->object;
	return KERR_OK;
}

enum kerr cap_info(u32 p, u32 slot, struct cap_info *out)
{
	struct cap *c = in_slot(p, slot);

	if (!c)
		return KERR_DENIED;
	*out = (struct cap_info){ c->type, c->rights, c->object };
	return KERR_OK;
}

/* The entry the next new capability takes; NIL when the table is full. No side effects. */
static i32 free_entry(void)
{
	for (u32 i = 0; i < RUVIX_MAX_CAPS; i++)
		if (!cap_table[i].live)
			return (i32)i;
	return NIL;
}

static bool slot_free(u32 p, u32 slot)
{
	return p < RUVIX_MAX_PARTITIONS && slot < RUVIX_CAP_SLOTS && cspace[p][slot] == NIL;
}

/* Handle the capability created next will have (for the witness, before it exists). */
static handle_t next_handle(i32 e)
{
	return handle_make((u32)e, generation_next(cap_table[e].gen));
}

/* Invoke step shared by install, derive and grant: cannot fail. */
static void link_new(i32 e, u32 owner, u32 slot, u8 type, handle_t object, u8 rights, i32 parent)
{
	struct cap *c = &cap_table[e];

	CHECK(!c->live && cspace[owner][slot] == NIL);
	c->gen = generation_next(c->gen);
	c->live = true;
	c->type = type;
	c->rights = rights;
	c->slot = (u16)slot;
	c->owner = owner;
	c->object = object;
	c->parent = parent;
	c->child = NIL;
	c->prev = NIL;
	c->next = parent == NIL ? NIL : cap_table[parent].child;
	if (parent != NIL) {
		if (cap_table[parent].child != NIL)
			cap_table[cap_table[parent].child].prev = e;
		cap_table[parent].child = e;
	}
	cspace[owner][slot] = e;
	held[owner]++;
	hal_cap_changed(owner, slot, type, object, true);
}

static void unlink_one(i32 e)
{
	struct cap *c = &cap_table[e];

	CHECK(c->live && c->child == NIL);
	if (c->prev != NIL)
		cap_table[c->prev].next = c->next;
	else if (c->parent != NIL)
		cap_table[c->parent].child = c->next;
	if (c->next != NIL)
		cap_table[c->next].prev = c->prev;
	cspace[c->owner][c->slot] = NIL;
	held[c->owner]--;
	c->live = false;
	hal_cap_changed(c->owner, c->slot, c->type, c->object, false);
}

/* Remove every descendant of @root (leaves first); with @self also @root. Returns the count. */
static u32 remove_subtree(i32 root, bool self)
{
	u32 n = 0;

	while (cap_table[root].child != NIL) {
		i32 leaf = cap_table[root].child;
		while (cap_table[leaf].child != NIL)
			leaf = cap_table[leaf].child;
		unlink_one(leaf);
		n++;
	}
	if (self) {
		unlink_one(root);
		n++;
	}
	return n;
}

static u32 subtree_size(i32 root)
{
	/* Iterative pre-order walk over first-child/next-sibling links. */
	u32 n = 0;
	i32 e = cap_table[root].child;

	while (e != NIL) {
		n++;
		if (cap_table[e].child != NIL) {
			e = cap_table[e].child;
			continue;
		}
		while (e != NIL && e != root && cap_table[e].next == NIL)
			e = cap_table[e].parent;
		if (e == NIL || e == root)
			break;
		e = cap_table[e].next;
	}
	return n;
}

static bool rights_valid(u8 rights)
{
	return rights != 0 && (rights & ~RIGHTS_ALL) == 0;
}

enum kerr cap_install(u32 owner, u32 slot, u8 type, handle_t object, u8 rights)
{
	i32 e = free_entry();
	enum kerr v = KERR_OK;

	if (!partition_index_valid(owner) || slot >= RUVIX_CAP_SLOTS || !rights_valid(rights) ||
	    type == OBJ_NONE || type > OBJ_DEVICE)
		v = KERR_INVALID;
	else if (!object_valid(type, object))
		v = KERR_STALE;
	else if (!slot_free(owner, slot))
		v = KERR_STATE;
	else if (e == NIL)
		v = KERR_NO_SPACE;
	struct proof_op op = {
		.kind = WK_CAP_INSTALL,
		.tier = TIER_KERNEL,
		.actor = ACTOR_KERNEL,
		.target = object,
		.arg0 = (u64)(owner & 0xffff) | (u64)(slot & 0xffff) << 16 | (u64)type << 32 |
			(u64)rights << 40,
		.arg1 = v == KERR_OK ? next_handle(e) : 0,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	link_new(e, owner, slot, type, object, rights, NIL);
	return KERR_OK;
}

enum kerr cap_derive(actor_t actor, u32 src, u32 dst, u8 rights)
{
	struct cap *s = in_slot(actor, src);
	i32 e = free_entry();
	enum kerr v = KERR_OK;

	if (!partition_index_valid(actor) || src >= RUVIX_CAP_SLOTS || dst >= RUVIX_CAP_SLOTS ||
	    !rights_valid(rights))
		v = KERR_INVALID;
	else if (!s || (rights & ~s->rights))
		v = KERR_DENIED;
	else if (!object_valid(s->type, s->object))
		v = KERR_STALE;
	else if (!slot_free(actor, dst))
		v = KERR_STATE;
	else if (e == NIL)
		v = KERR_NO_SPACE;
	struct proof_op op = {
		.kind = WK_CAP_DERIVE,
		.tier = TIER_P1,
		.actor = actor,
		.target = v == KERR_OK ? s->object : 0,
		.arg0 = (u64)(src & 0xffff) | (u64)(dst & 0xffff) << 16 | (u64)rights << 32,
		.arg1 = v == KERR_OK ? next_handle(e) : 0,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	link_new(e, actor, dst, s->type, s->object, rights, index_of(s));
	proof_defer(P3_CAP_TREE, partition_handle(actor));
	return KERR_OK;
}

enum kerr cap_grant_check(actor_t actor, u32 src, u32 to, u32 dst, u8 rights, u8 *tier,
			  handle_t *peer)
{
	struct cap *s = in_slot(actor, src);

	*tier = TIER_P1;
	*peer = HANDLE_NONE;
	if (!partition_index_valid(actor) || src >= RUVIX_CAP_SLOTS || to >= RUVIX_CAP_SLOTS ||
	    dst >= RUVIX_CAP_SLOTS || !rights_valid(rights))
		return KERR_INVALID;
	if (!s || !(s->rights & RIGHT_GRANT) || (rights & ~s->rights))
		return KERR_DENIED;
	enum kerr v = cap_check(actor, to, OBJ_PARTITION, RIGHT_WRITE, peer);
	if (v != KERR_OK)
		return v;
	if (!object_valid(s->type, s->object))
		return KERR_STALE;
	if (!slot_free(handle_index(*peer), dst))
		return KERR_STATE;
	if (free_entry() == NIL)
		return KERR_NO_SPACE;
	*tier = TIER_P2;
	return policy_check_caps(cap_count(handle_index(*peer)) + 1);
}

enum kerr cap_grant(actor_t actor, u32 src, u32 to, u32 dst, u8 rights)
{
	struct cap *s = in_slot(actor, src);
	handle_t peer;
	u8 tier;
	enum kerr v = cap_grant_check(actor, src, to, dst, rights, &tier, &peer);
	i32 e = v == KERR_OK ? free_entry() : NIL;

	struct proof_op op = {
		.kind = WK_CAP_GRANT,
		.tier = tier,
		.actor = actor,
		.target = v == KERR_OK ? s->object : 0,
		.arg0 = (u64)(src & 0xffff) | (u64)(to & 0xffff) << 16 | (u64)(dst & 0xffff) << 32 |
			(u64)rights << 48,
		.arg1 = v == KERR_OK ? next_handle(e) : 0,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	link_new(e, handle_index(peer), dst, s->type, s->object, rights, index_of(s));
	proof_defer(P3_CAP_TREE, partition_handle(actor));
	return KERR_OK;
}

static enum kerr remove_op(actor_t actor, u32 slot, u16 kind, u8 need, bool self)
{
	struct cap *c = in_slot(actor, slot);
	enum kerr v = KERR_OK;

	if (!partition_index_valid(actor) || slot >= RUVIX_CAP_SLOTS)
		v = KERR_INVALID;
	else if (!c || (c->rights & need) != need)
		v = KERR_DENIED;
	struct proof_op op = {
		.kind = kind,
		.tier = TIER_P1,
		.actor = actor,
		.target = v == KERR_OK ? handle_of(c) : 0,
		.arg0 = slot,
		.arg1 = v == KERR_OK ? subtree_size(index_of(c)) + (self ? 1 : 0) : 0,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	u32 removed = remove_subtree(index_of(c), self);
	CHECK(removed == op.arg1);
	return KERR_OK;
}

enum kerr cap_revoke(actor_t actor, u32 slot)
{
	return remove_op(actor, slot, WK_CAP_REVOKE, RIGHT_REVOKE, false);
}

enum kerr cap_delete(actor_t actor, u32 slot)
{
	return remove_op(actor, slot, WK_CAP_DELETE, 0, true);
}

void cap_drop_partition(u32 p)
{
	for (u32 s = 0; s < RUVIX_CAP_SLOTS; s++)
		if (cspace[p][s] != NIL)
			remove_subtree(cspace[p][s], true);
}

void cap_drop_object(u8 type, handle_t object)
{
	for (u32 i = 0; i < RUVIX_MAX_CAPS; i++)
		if (cap_table[i].live && cap_table[i].type == type && cap_table[i].object == object)
			remove_subtree((i32)i, true);
}

bool cap_audit(u32 p, u64 *detail)
{
	for (u32 s = 0; s < RUVIX_CAP_SLOTS; s++) {
		i32 e = cspace[p][s];
		if (e == NIL)
			continue;
		const struct cap *c = &cap_table[e];
		*detail = (u64)e;
		if (!c->live || c->owner != p || c->slot != s || !rights_valid(c->rights) ||
		    !object_valid(c->type, c->object))
			return false;
		if (c->parent != NIL) {
			const struct cap *up = &cap_table[c->parent];
			if (!up->live || (c->rights & ~up->rights) || up->object != c->object ||
			    up->type != c->type)
				return false;
		}
		if (c->child != NIL && cap_table[c->child].parent != e)
			return false;
		if (c->next != NIL &&
		    (cap_table[c->next].prev != e || cap_table[c->next].parent != c->parent))
			return false;
		if (c->prev != NIL && cap_table[c->prev].next != e)
			return false;
		if (c->prev == NIL && c->parent != NIL && cap_table[c->parent].child != e)
			return false;
	}
	return true;
}

void cap_digest(u8 acc[16])
{
	for (u32 i = 0; i < RUVIX_MAX_CAPS; i++) {
		const struct cap *c = &cap_table[i];
		if (!c->live)
			continue;
		struct digest_chunk d = { .len = 0 };
		digest_put(&d, 0x2ff, 2); /* record tag: capability (objects use 0x200 + type) */
		digest_put(&d, i, 4);
		digest_put(&d, c->gen, 4);
		digest_put(&d, c->owner, 4);
		digest_put(&d, c->slot, 2);
		digest_put(&d, c->type, 1);
		digest_put(&d, c->rights, 1);
		digest_put(&d, c->object, 8);
		digest_put(&d, (u64)(i64)c->parent, 4);
		digest_feed(acc, d.buf, d.len);
	}
}
