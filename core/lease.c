/* The device table and its leases (one lease at most per device: access is exclusive). */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/digest.h>
#include <ruvix/klib.h>
#include <ruvix/hal.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/proof.h>

struct device {
	u32 gen;
	bool live;
	bool leased;
	u32 irq;
	u32 holder; /* partition index while leased */
	u64 base, size;
	u64 deadline_ns;
};

static struct device table[RUVIX_MAX_DEVICES];

static struct device *lookup(handle_t h)
{
	u32 i = handle_index(h);

	if (i >= RUVIX_MAX_DEVICES || !table[i].live || table[i].gen != handle_gen(h))
		return NULL;
	return &table[i];
}

bool device_valid(handle_t dev)
{
	return lookup(dev) != NULL;
}

enum kerr device_create(u64 base, u64 size, u32 irq, handle_t *out)
{
	i32 slot = -1;
	enum kerr v = KERR_OK;

	for (u32 i = 0; i < RUVIX_MAX_DEVICES && slot < 0; i++)
		if (!table[i].live)
			slot = (i32)i;
	if (size == 0 || base + size < base || size > 0xffffffffull)
		v = KERR_INVALID;
	else if (slot < 0)
		v = KERR_NO_SPACE;
	for (u32 i = 0; v == KERR_OK && i < RUVIX_MAX_DEVICES; i++)
		if (table[i].live && base < table[i].base + table[i].size &&
		    table[i].base < base + size)
			v = KERR_BUSY;
	struct proof_op op = {
		.kind = WK_DEVICE_CREATE,
		.tier = TIER_KERNEL,
		.actor = ACTOR_KERNEL,
		.target =
			v == KERR_OK ? handle_make((u32)slot, generation_next(table[slot].gen)) : 0,
		.arg0 = base,
		.arg1 = (size & 0xffffffffull) | (u64)irq << 32,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	struct device *d = &table[slot];
	d->gen = generation_next(d->gen);
	d->live = true;
	d->leased = false;
	d->base = base;
	d->size = size;
	d->irq = irq;
	*out = op.target;
	return KERR_OK;
}

static bool in_force(const struct device *d, u64 now)
{
	return d->leased && now < d->deadline_ns;
}

static enum kerr grant(actor_t actor, u32 dev_slot, u32 holder_slot, handle_t dev, handle_t holder,
		       enum kerr v, u64 duration)
{
	struct device *d = v == KERR_OK ? lookup(dev) : NULL;
	u8 tier = actor == ACTOR_KERNEL ? TIER_KERNEL : TIER_P1;
	u64 now = hal_now_ns();

	if (v == KERR_OK && (!d || !partition_valid(holder)))
		v = KERR_STALE;
	if (v == KERR_OK && (duration == 0 || now + duration < now))
		v = KERR_INVALID;
	if (v == KERR_OK && in_force(d, now))
		v = KERR_BUSY;
	if (v == KERR_OK) {
		tier = TIER_P2;
		v = policy_check_lease(duration);
	}
	struct proof_op op = {
		.kind = WK_LEASE_GRANT,
		.tier = tier,
		.actor = actor,
		.target = dev,
		.arg0 = (u64)(handle_index(holder) & 0xffff) | (u64)(dev_slot & 0xffff) << 16 |
			(u64)(holder_slot & 0xffff) << 32,
		.arg1 = duration,
		.timed = true,
		.time_ns = now,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	d->leased = true;
	d->holder = handle_index(holder);
	d->deadline_ns = now + duration;
	return KERR_OK;
}

enum kerr lease_grant(actor_t actor, u32 dev_slot, u32 holder_slot, u64 duration_ns)
{
	handle_t dev = HANDLE_NONE, holder = HANDLE_NONE;
	enum kerr v = KERR_OK;

	if (!partition_index_valid(actor) || dev_slot >= RUVIX_CAP_SLOTS ||
	    holder_slot >= RUVIX_CAP_SLOTS)
		v = KERR_INVALID;
	else if ((v = cap_check(actor, dev_slot, OBJ_DEVICE, RIGHT_GRANT, &dev)) == KERR_OK)
		v = cap_check(actor, holder_slot, OBJ_PARTITION, RIGHT_WRITE, &holder);
	return grant(actor, dev_slot, holder_slot, dev, holder, v, duration_ns);
}

enum kerr lease_grant_kernel(handle_t dev, handle_t holder, u64 duration_ns)
{
	return grant(ACTOR_KERNEL, SLOT_KERNEL, SLOT_KERNEL, dev, holder, KERR_OK, duration_ns);
}

static enum kerr revoke(actor_t actor, u32 slot, handle_t dev, enum kerr v)
{
	struct device *d = v == KERR_OK ? lookup(dev) : NULL;

	if (v == KERR_OK && !d)
		v = KERR_STALE;
	if (v == KERR_OK && !d->leased)
		v = KERR_STATE;
	struct proof_op op = { .kind = WK_LEASE_REVOKE,
			       .tier = actor == ACTOR_KERNEL ? TIER_KERNEL : TIER_P1,
			       .actor = actor,
			       .target = dev,
			       .arg0 = slot };
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	d->leased = false;
	return KERR_OK;
}

enum kerr lease_revoke(actor_t actor, u32 dev_slot)
{
	handle_t dev = HANDLE_NONE;
	enum kerr v = KERR_OK;

	if (!partition_index_valid(actor) || dev_slot >= RUVIX_CAP_SLOTS)
		v = KERR_INVALID;
	else
		v = cap_check(actor, dev_slot, OBJ_DEVICE, RIGHT_GRANT, &dev);
	return revoke(actor, dev_slot, dev, v);
}

enum kerr lease_revoke_kernel(handle_t dev)
{
	return revoke(ACTOR_KERNEL, SLOT_KERNEL, dev, KERR_OK);
}

bool lease_allows(u32 p, handle_t dev)
{
	const struct device *d = lookup(dev);

	return d && d->holder == p && in_force(d, hal_now_ns());
}

enum kerr lease_expire(handle_t dev)
{
	struct device *d = lookup(dev);
	enum kerr v = KERR_OK;
	u64 now = hal_now_ns();

	if (!d)
		v = KERR_STALE;
	else if (!d->leased || now < d->deadline_ns)
		v = KERR_STATE;
	struct proof_op op = { .kind = WK_LEASE_EXPIRE,
			       .tier = TIER_KERNEL,
			       .actor = ACTOR_KERNEL,
			       .target = dev,
			       .arg0 = v == KERR_OK ? d->holder : 0,
			       .arg1 = v == KERR_OK ? d->deadline_ns : 0,
			       .timed = true,
			       .time_ns = now };
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	d->leased = false;
	return KERR_OK;
}

u32 lease_expire_due(void)
{
	u32 n = 0;

	for (u32 i = 0; i < RUVIX_MAX_DEVICES; i++) {
		struct device *d = &table[i];
		if (d->live && d->leased && hal_now_ns() >= d->deadline_ns &&
		    lease_expire(handle_make(i, d->gen)) == KERR_OK)
			n++;
	}
	return n;
}

bool lease_info(handle_t dev, u32 *holder, u64 *deadline_ns)
{
	const struct device *d = lookup(dev);

	if (!d || !d->leased)
		return false;
	*holder = d->holder;
	*deadline_ns = d->deadline_ns;
	return true;
}

void lease_drop_partition(u32 p)
{
	for (u32 i = 0; i < RUVIX_MAX_DEVICES; i++)
		if (table[i].live && table[i].leased && table[i].holder == p)
			table[i].leased = false;
}

void lease_reset(void)
{
	/* A boot is a fresh machine: generations start over too, so a replay of the log
	 * hands out the very same handles. */
	memset(table, 0, sizeof(table));
}

void lease_digest(u8 acc[16])
{
	for (u32 i = 0; i < RUVIX_MAX_DEVICES; i++) {
		const struct device *d = &table[i];
		if (!d->live)
			continue;
		struct digest_chunk c = { .len = 0 };
		digest_put(&c, 0x200 + OBJ_DEVICE, 2);
		digest_put(&c, i, 4);
		digest_put(&c, d->gen, 4);
		digest_put(&c, d->base, 8);
		digest_put(&c, d->size, 8);
		digest_put(&c, d->irq, 4);
		digest_put(&c, d->leased, 1);
		digest_put(&c, d->leased ? d->holder : 0, 4);
		digest_put(&c, d->leased ? d->deadline_ns : 0, 8);
		digest_feed(acc, c.buf, c.len);
	}
}
