/* Per-partition quotas: token buckets, counts of what they refused, and their summaries. */
#include <ruvix/check.h>
#include <ruvix/digest.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/proof.h>
#include <ruvix/quota.h>
#include <ruvix/witness.h>

struct bucket {
	bool set;
	u64 burst, rate; /* units, units per second */
	u64 level;	 /* billionths of a unit */
	u64 last_ns;	 /* time of the last charge */
};

struct quota {
	handle_t owner; /* the partition the settings belong to */
	u8 action;
	struct bucket b[QUOTA_KINDS];
	bool throttle, stop_due;
	bool noted[QUOTA_KINDS]; /* the console was told it went over */
	char name[PARTITION_NAME_MAX];
	/* Refused units not yet summarised, and whose they are (the slot may have a new owner
	 * by the time the summary is written). */
	handle_t dropped_owner;
	u64 dropped[QUOTA_KINDS];
};

static struct quota table[RUVIX_MAX_PARTITIONS];
static u64 last_summary_ns;    /* 0 at boot: the first tick summary comes 10 ms after it */
static u64 total[QUOTA_KINDS]; /* units refused since boot, all partitions */

_Static_assert(QUOTA_MAX *QUOTA_UNIT / QUOTA_UNIT == QUOTA_MAX, "a full bucket fits 64 bits");

/* The level at @now: refilled at rate billionths of a unit per ns, never above the burst. */
static u64 level_at(const struct bucket *b, u64 now)
{
	u64 cap = b->burst * QUOTA_UNIT;
	u64 dt = now > b->last_ns ? now - b->last_ns : 0;

	if (b->level >= cap || (b->rate && dt >= (cap - b->level) / b->rate + 1))
		return cap;
	return b->level + dt * b->rate;
}

static void summarise_one(u32 p)
{
	struct quota *q = &table[p];

	for (u8 k = 0; k < QUOTA_KINDS; k++) {
		if (q->dropped[k] == 0)
			continue;
		if (witness_emit(WK_QUOTA, TIER_KERNEL, WITNESS_ACTOR_KERNEL, q->dropped_owner, k,
				 q->dropped[k]) == WITNESS_OK)
			q->dropped[k] = 0;
	}
}

/*
 * The quota entry of live partition @p. A slot taken by a new partition starts unlimited; what
 * its predecessor had refused is summarised first, so the count keeps its owner.
 */
static struct quota *entry(u32 p)
{
	struct quota *q = &table[p];
	handle_t h = partition_handle(p);

	if (q->owner != h) {
		summarise_one(p);
		*q = (struct quota){ .owner = h, .action = QUOTA_THROTTLE, .dropped_owner = h };
		memcpy(q->name, partition_name(h), sizeof(q->name));
	}
	return q;
}

enum kerr quota_set(handle_t h, u8 kind, u64 burst, u64 per_second, u8 action)
{
	enum kerr v = KERR_OK;

	if (!partition_valid(h))
		v = KERR_STALE;
	else if (kind >= QUOTA_KINDS || burst == 0 || burst > QUOTA_MAX || per_second > QUOTA_MAX ||
		 (action != QUOTA_THROTTLE && action != QUOTA_STOP))
		v = KERR_INVALID;
	struct proof_op op = {
		.kind = WK_QUOTA_SET,
		.tier = TIER_KERNEL,
		.actor = ACTOR_KERNEL,
		.target = h,
		.arg0 = (u64)kind | (u64)action << 8 | (burst & 0xffffffffull) << 16,
		.arg1 = per_second,
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	struct quota *q = entry(handle_index(h));
	q->action = action;
	q->b[kind] = (struct bucket){ .set = true,
				      .burst = burst,
				      .rate = per_second,
				      .level = burst * QUOTA_UNIT,
				      .last_ns = hal_now_ns() };
	return KERR_OK;
}

bool quota_admit(u32 p, u8 kind, u64 amount, u64 now_ns)
{
	CHECK(kind < QUOTA_KINDS);
	if (!partition_index_valid(p))
		return true; /* not a partition: nothing to limit (the caller refuses it anyway) */
	struct quota *q = entry(p);
	struct bucket *b = &q->b[kind];
	if (!b->set)
		return true;
	u64 level = level_at(b, now_ns);
	if (amount <= b->burst && level >= amount * QUOTA_UNIT) {
		b->level = level - amount * QUOTA_UNIT;
		if (now_ns > b->last_ns)
			b->last_ns = now_ns;
		return true;
	}
	/* Nothing is charged and the level is left as it was: whether or not anybody looked,
	 * the same records pass later. */
	q->dropped[kind] += amount;
	q->dropped_owner = q->owner;
	total[kind] += amount;
	if (!q->noted[kind]) {
		q->noted[kind] = true;
		kprintf("quota: %s went over its %s quota (%lu at once, %lu a second): %s\n",
			q->name, kind == QUOTA_REFUSALS ? "witness" : "console",
			(unsigned long)b->burst, (unsigned long)b->rate,
			kind == QUOTA_REFUSALS
				? (q->action == QUOTA_STOP
					   ? "it is stopped"
					   : "its refusals are counted, not written one by one")
				: "its console writes are refused");
	}
	q->throttle = true;
	if (kind == QUOTA_REFUSALS && q->action == QUOTA_STOP)
		q->stop_due = true;
	return false;
}

u64 quota_dropped(u32 p, u8 kind)
{
	CHECK(p < RUVIX_MAX_PARTITIONS && kind < QUOTA_KINDS);
	return table[p].dropped[kind];
}

u32 quota_summarise(bool force)
{
	u64 now = hal_now_ns();
	u32 n = 0;

	if (force && (total[QUOTA_REFUSALS] || total[QUOTA_CONSOLE]))
		kprintf("quota: %lu refused calls counted instead of written, %lu console bytes "
			"refused, over their partitions' quotas (WK_QUOTA records)\n",
			(unsigned long)total[QUOTA_REFUSALS], (unsigned long)total[QUOTA_CONSOLE]);
	if (!force && now - last_summary_ns < QUOTA_SUMMARY_NS)
		return 0;
	last_summary_ns = now;
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++)
		for (u8 k = 0; k < QUOTA_KINDS; k++)
			if (table[p].dropped[k]) {
				u64 before = table[p].dropped[k];
				summarise_one(p);
				n += before != table[p].dropped[k];
			}
	return n;
}

bool quota_take_throttle(u32 p)
{
	if (p >= RUVIX_MAX_PARTITIONS || !table[p].throttle)
		return false;
	table[p].throttle = false;
	return true;
}

bool quota_stop_due(u32 p)
{
	/* On every hypercall's way out: the flag first, the owner only when it is set. */
	return p < RUVIX_MAX_PARTITIONS && table[p].stop_due && partition_index_valid(p) &&
	       table[p].owner == partition_handle(p);
}

void quota_digest(u8 acc[16])
{
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++) {
		const struct quota *q = &table[p];
		if (!partition_index_valid(p) || q->owner != partition_handle(p))
			continue;
		for (u8 k = 0; k < QUOTA_KINDS; k++) {
			if (!q->b[k].set)
				continue;
			struct digest_chunk d = { .len = 0 };
			digest_put(&d, 0x500, 2);
			digest_put(&d, p, 4);
			digest_put(&d, k, 1);
			digest_put(&d, q->action, 1);
			digest_put(&d, q->b[k].burst, 8);
			digest_put(&d, q->b[k].rate, 8);
			digest_feed(acc, d.buf, d.len);
		}
	}
}

void quota_reset(void)
{
	memset(table, 0, sizeof(table));
	memset(total, 0, sizeof(total));
	last_summary_ns = 0;
}
