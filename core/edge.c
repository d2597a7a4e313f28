/* CommEdges: descriptor queues over a shared region, with traffic counters. */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/digest.h>
#include <ruvix/klib.h>
#include <ruvix/edge.h>
#include <ruvix/hal.h>
#include <ruvix/partition.h>
#include <ruvix/proof.h>
#include <ruvix/region.h>

struct msg {
	u32 offset, len;
};

struct direction {
	u32 head, count;
	struct msg q[RUVIX_EDGE_QUEUE];
	u64 msgs, bytes;
};

struct edge {
	u32 gen;
	bool live;
	u32 end[2]; /* partition indices: direction 0 carries end[0] -> end[1] */
	handle_t region;
	u64 size;
	struct direction dir[2];
};

static struct edge table[RUVIX_MAX_EDGES];

static struct edge *lookup(handle_t h)
{
	u32 i = handle_index(h);

	if (i >= RUVIX_MAX_EDGES || !table[i].live || table[i].gen != handle_gen(h))
		return NULL;
	return &table[i];
}

bool edge_valid(handle_t e)
{
	return lookup(e) != NULL;
}

bool edge_index_has_end(u32 edge, u32 p)
{
	return edge < RUVIX_MAX_EDGES && table[edge].live &&
	       (table[edge].end[0] == p || table[edge].end[1] == p);
}

enum kerr edge_create(handle_t a, handle_t b, u64 base, u64 size, handle_t *out)
{
	i32 slot = -1;
	enum kerr v = KERR_OK;

	for (u32 i = 0; i < RUVIX_MAX_EDGES && slot < 0; i++)
		if (!table[i].live)
			slot = (i32)i;
	if (!partition_valid(a) || !partition_valid(b))
		v = KERR_STALE;
	else if (a == b || size > 0xffffffffull)
		v = KERR_INVALID;
	else if (slot < 0)
		v = KERR_NO_SPACE;
	else
		v = region_can_create(base, size);
	struct proof_op op = {
		.kind = WK_EDGE_CREATE,
		.tier = TIER_KERNEL,
		.actor = ACTOR_KERNEL,
		.target =
			v == KERR_OK ? handle_make((u32)slot, generation_next(table[slot].gen)) : 0,
		.arg0 = base,
		.arg1 = (size / REGION_PAGE & 0xffffffffull) |
			(u64)(handle_index(a) & 0xffff) << 32 |
			(u64)(handle_index(b) & 0xffff) << 48,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);

	struct edge *e = &table[slot];
	e->gen = generation_next(e->gen);
	e->live = true;
	e->end[0] = handle_index(a);
	e->end[1] = handle_index(b);
	e->region = region_create_shared((u32)slot, base, size);
	e->size = size;
	e->dir[0] = e->dir[1] = (struct direction){ 0 };
	*out = op.target;
	return KERR_OK;
}

/* The edge in @slot of @actor with right @need, and which end @actor is. No side effects. */
static enum kerr check_end(actor_t actor, u32 slot, u8 need, handle_t *h, u32 *end)
{
	if (!partition_index_valid(actor) || slot >= RUVIX_CAP_SLOTS)
		return KERR_INVALID;
	enum kerr v = cap_check(actor, slot, OBJ_EDGE, need, h);
	if (v != KERR_OK)
		return v;
	const struct edge *e = lookup(*h);
	if (e->end[0] == actor)
		*end = 0;
	else if (e->end[1] == actor)
		*end = 1;
	else
		return KERR_DENIED; /* a capability alone does not make a third party an end */
	return KERR_OK;
}

enum kerr edge_send(actor_t actor, u32 slot, u32 offset, u32 len)
{
	handle_t h = HANDLE_NONE;
	u32 end = 0;
	enum kerr v = check_end(actor, slot, RIGHT_WRITE, &h, &end);
	struct edge *e = v == KERR_OK ? lookup(h) : NULL;

	if (v == KERR_OK && (len == 0 || (u64)offset + len > e->size))
		v = KERR_INVALID;
	if (v == KERR_OK && e->dir[end].count == RUVIX_EDGE_QUEUE)
		v = KERR_FULL;
	struct proof_op op = { .kind = WK_EDGE_SEND,
			       .tier = TIER_P1,
			       .actor = actor,
			       .target = h,
			       .arg0 = slot,
			       .arg1 = offset | (u64)len << 32 };
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	struct direction *d = &e->dir[end];
	d->q[(d->head + d->count) % RUVIX_EDGE_QUEUE] = (struct msg){ offset, len };
	d->count++;
	d->msgs++;
	d->bytes += len;
	hal_edge_traffic(e->end[end], e->end[1 - end], len);
	return KERR_OK;
}

enum kerr edge_recv(actor_t actor, u32 slot, u32 *offset, u32 *len)
{
	handle_t h = HANDLE_NONE;
	u32 end = 0;
	enum kerr v = check_end(actor, slot, RIGHT_READ, &h, &end);
	struct edge *e = v == KERR_OK ? lookup(h) : NULL;
	struct direction *d = e ? &e->dir[1 - end] : NULL; /* messages sent to this end */

	if (v == KERR_OK && d->count == 0)
		v = KERR_EMPTY;
	struct msg m = d && v == KERR_OK ? d->q[d->head] : (struct msg){ 0, 0 };
	struct proof_op op = { .kind = WK_EDGE_RECV,
			       .tier = TIER_P1,
			       .actor = actor,
			       .target = h,
			       .arg0 = slot,
			       .arg1 = m.offset | (u64)m.len << 32 };
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	d->head = (d->head + 1) % RUVIX_EDGE_QUEUE;
	d->count--;
	*offset = m.offset;
	*len = m.len;
	return KERR_OK;
}

void edge_ends(handle_t h, u32 *a, u32 *b)
{
	const struct edge *e = lookup(h);
	CHECK(e);
	*a = e->end[0];
	*b = e->end[1];
}

handle_t edge_region(handle_t h)
{
	const struct edge *e = lookup(h);
	CHECK(e);
	return e->region;
}

void edge_traffic(handle_t h, u32 dir, u64 *msgs, u64 *bytes)
{
	const struct edge *e = lookup(h);
	CHECK(e && dir < 2);
	*msgs = e->dir[dir].msgs;
	*bytes = e->dir[dir].bytes;
}

u32 edge_queued(handle_t h, u32 dir)
{
	const struct edge *e = lookup(h);
	CHECK(e && dir < 2);
	return e->dir[dir].count;
}

void edge_drop_partition(u32 p)
{
	for (u32 i = 0; i < RUVIX_MAX_EDGES; i++) {
		struct edge *e = &table[i];
		if (!e->live || (e->end[0] != p && e->end[1] != p))
			continue;
		cap_drop_object(OBJ_EDGE, handle_make(i, e->gen));
		region_drop(e->region);
		e->live = false;
	}
}

void edge_reset(void)
{
	/* A boot is a fresh machine: generations start over too, so a replay of the log
	 * hands out the very same handles. */
	memset(table, 0, sizeof(table));
}

void edge_digest(u8 acc[16])
{
	for (u32 i = 0; i < RUVIX_MAX_EDGES; i++) {
		const struct edge *e = &table[i];
		if (!e->live)
			continue;
		struct digest_chunk d = { .len = 0 };
		digest_put(&d, 0x200 + OBJ_EDGE, 2);
		digest_put(&d, i, 4);
		digest_put(&d, e->gen, 4);
		digest_put(&d, e->end[0], 4);
		digest_put(&d, e->end[1], 4);
		digest_put(&d, e->region, 8);
		for (u32 k = 0; k < 2; k++) {
			digest_put(&d, e->dir[k].msgs, 8);
			digest_put(&d, e->dir[k].bytes, 8);
			digest_put(&d, e->dir[k].count, 4);
		}
		digest_feed(acc, d.buf, d.len);
		/* The queued descriptors, oldest first, in both directions. */
		for (u32 k = 0; k < 2; k++)
			for (u32 n = 0; n < e->dir[k].count; n++) {
				const struct msg *m =
					&e->dir[k].q[(e->dir[k].head + n) % RUVIX_EDGE_QUEUE];
				struct digest_chunk q = { .len = 0 };
				digest_put(&q, m->offset, 4);
				digest_put(&q, m->len, 4);
				digest_feed(acc, q.buf, q.len);
			}
	}
}
