/*
 * Earliest key first per CPU: deadline advanced by cut pressure (see sched.h). Each CPU's queue is
 * an unordered array of partition indices: with at most RUVIX_MAX_PARTITIONS entries a scan for the
 * earliest deadline is cheaper than keeping a heap in order.
 */
#include <ruvix/check.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/sched.h>

struct entity {
	u8 mode;
	bool queued;
	u16 pressure; /* CutPressure, per mille */
	u64 rel;      /* relative deadline of the last wake: its deadline - the time then */
	u64 advance;  /* pressure * rel / divisor: kept off the pick path */
	u32 cpu;      /* queue it sits in while queued */
	u64 deadline;
	u64 order;	/* wake order, to break deadline ties first-in first-out */
	handle_t owner; /* partition the mode and pressure belong to */
	/* CPU budget (sched_set_budget): at most budget ns in each period of period ns. */
	u64 budget, period, used, period_idx;
	u64 run_start; /* when sched_next last handed it a CPU */
	bool running;  /* picked and not queued again since */
};

struct run_queue {
	u32 idx[RUVIX_MAX_PARTITIONS];
	u32 count;
};

static struct entity ent[RUVIX_MAX_PARTITIONS];
static struct run_queue queues[RUVIX_MAX_CPUS];
static u32 budgeted; /* entities with a CPU budget: while 0, picks skip the budget checks */
static u64 wakes;

static void dequeue(struct entity *e, u32 index)
{
	struct run_queue *q = &queues[e->cpu];

	for (u32 k = 0; k < q->count; k++)
		if (q->idx[k] == index) {
			q->idx[k] = q->idx[--q->count];
			break;
		}
	e->queued = false;
}

static void enqueue(struct entity *e, u32 index, u32 cpu)
{
	struct run_queue *q = &queues[cpu];

	CHECK(q->count < RUVIX_MAX_PARTITIONS);
	e->queued = true;
	e->cpu = cpu;
	q->idx[q->count++] = index;
}

/*
 * The entity of live partition @h. A slot reused by a new partition (another generation)
 * starts afresh: flow, no pressure, no deadline, and not queued (a predecessor that died
 * while queued leaves its entry behind; it goes here, or is skipped by sched_next).
 */
static struct entity *entity_of(handle_t h)
{
	u32 index = handle_index(h);
	struct entity *e = &ent[index];

	if (e->owner != h) {
		if (e->queued)
			dequeue(e, index);
		if (e->budget)
			budgeted--;
		*e = (struct entity){ .mode = SCHED_FLOW, .owner = h };
	}
	return e;
}

/* The pressure advance (sched.h): pressure * rel / SCHED_PRESSURE_DIVISOR, exact and without
 * overflow for any rel. */
static u64 advance_of(u32 pressure, u64 rel)
{
	return rel / SCHED_PRESSURE_DIVISOR * pressure +
	       rel % SCHED_PRESSURE_DIVISOR * pressure / SCHED_PRESSURE_DIVISOR;
}

/* Computed when the pressure or the deadline changes, not on every pick. */
static void set_advance(struct entity *e)
{
	/* No division on the wake path while there is no pressure (the common case). */
	e->advance = e->pressure ? advance_of(e->pressure, e->rel) : 0;
}

enum kerr sched_set_mode(handle_t h, enum sched_mode mode)
{
	if (!partition_valid(h))
		return KERR_STALE;
	if (mode != SCHED_FLOW && mode != SCHED_REFLEX)
		return KERR_INVALID;
	struct entity *e = entity_of(h);
	e->mode = (u8)mode;
	return KERR_OK;
}

enum kerr sched_set_budget(handle_t h, u64 budget_ns, u64 period_ns)
{
	if (!partition_valid(h))
		return KERR_STALE;
	if (budget_ns == 0 ? period_ns != 0 : period_ns == 0 || budget_ns > period_ns)
		return KERR_INVALID;
	struct entity *e = entity_of(h);
	budgeted += (budget_ns != 0) - (e->budget != 0);
	e->budget = budget_ns;
	e->period = period_ns;
	e->used = 0;
	e->period_idx = period_ns ? hal_now_ns() / period_ns : 0;
	return KERR_OK;
}

/* Start a new period's account when @now is in a later period than the last one. */
static void refresh_period(struct entity *e, u64 now)
{
	u64 idx = now / e->period;

	if (idx != e->period_idx) {
		e->period_idx = idx;
		e->used = 0;
	}
}

/* Has @e used up its budget for the period @now is in? */
static bool over_budget(struct entity *e, u64 now)
{
	if (!e->budget)
		return false;
	refresh_period(e, now);
	return e->used >= e->budget;
}

/* @e leaves its CPU (it is queued again): charge the time since it was picked. */
static void charge(struct entity *e, u64 now)
{
	if (!e->running)
		return;
	e->running = false;
	if (!e->budget)
		return;
	refresh_period(e, now);
	e->used += now > e->run_start ? now - e->run_start : 0;
}

enum sched_mode sched_mode(handle_t h)
{
	CHECK(partition_valid(h));
	return (enum sched_mode)entity_of(h)->mode;
}

u64 sched_slice_ns(handle_t h)
{
	return sched_mode(h) == SCHED_REFLEX ? SCHED_REFLEX_SLICE_NS : SCHED_FLOW_SLICE_NS;
}

enum kerr sched_set_pressure(handle_t h, u32 per_mille)
{
	if (!partition_valid(h))
		return KERR_STALE;
	if (per_mille > SCHED_PRESSURE_MAX)
		return KERR_INVALID;
	struct entity *e = entity_of(h);
	e->pressure = (u16)per_mille;
	set_advance(e);
	return KERR_OK;
}

u32 sched_pressure(handle_t h)
{
	CHECK(partition_valid(h));
	return entity_of(h)->pressure;
}

/* deadline - pressure advance, floored at 0 (a deadline near boot cannot go below it). */
static u64 key(u64 deadline, u64 advance)
{
	return deadline > advance ? deadline - advance : 0;
}

static u64 key_of(const struct entity *e)
{
	return key(e->deadline, e->advance);
}

u64 sched_key(handle_t h)
{
	CHECK(partition_valid(h));
	return key_of(entity_of(h));
}

/* @batch: @deadline only orders work that has none, so it has no slack to advance by. */
static enum kerr wake(handle_t h, bool explicit_deadline, u64 deadline, bool batch)
{
	if (!partition_valid(h))
		return KERR_STALE;
	if (partition_state(h) != PS_RUNNING)
		return KERR_STATE;
	struct entity *e = entity_of(h);
	u64 now = hal_now_ns();
	if (e->running)
		charge(e, now);
	if (!explicit_deadline)
		deadline = now + (e->mode == SCHED_REFLEX ? SCHED_REFLEX_DEADLINE_NS
							  : SCHED_FLOW_DEADLINE_NS);
	u64 rel = !batch && deadline > now ? deadline - now : 0;
	if (e->queued) {
		/* More urgent work for a queued partition moves it up, never back: the key
		 * decides, since a later wake has less slack to advance by. */
		if (!explicit_deadline || key(deadline, advance_of(e->pressure, rel)) >= key_of(e))
			return KERR_OK;
	}
	e->deadline = deadline;
	e->rel = rel;
	set_advance(e);
	if (e->queued)
		return KERR_OK;
	e->order = wakes++;
	enqueue(e, handle_index(h), partition_cpu(h));
	return KERR_OK;
}

void sched_rehome(handle_t h)
{
	if (!partition_valid(h))
		return;
	struct entity *e = entity_of(h);
	u32 home = partition_cpu(h);
	if (e->queued && e->cpu != home) {
		dequeue(e, handle_index(h));
		enqueue(e, handle_index(h), home); /* same deadline and wake order */
	}
}

enum kerr sched_wake(handle_t h)
{
	return wake(h, false, 0, false);
}

enum kerr sched_wake_deadline(handle_t h, u64 deadline)
{
	return wake(h, true, deadline, false);
}

enum kerr sched_wake_batch(handle_t h, u64 order)
{
	return wake(h, true, order, true);
}

/* Does @a run before @b: the smaller key, then the earlier wake. */
static bool before(const struct entity *a, const struct entity *b)
{
	u64 ka = key_of(a), kb = key_of(b);

	return ka < kb || (ka == kb && a->order < b->order);
}

/* Position in @q of the entity to run next: with no budgets anywhere, the earliest key. */
static u32 pick(const struct run_queue *q)
{
	u32 best = 0;

	for (u32 k = 1; k < q->count; k++)
		if (before(&ent[q->idx[k]], &ent[q->idx[best]]))
			best = k;
	return best;
}

/* The earliest key among those within their CPU budget at @now (one over it stays queued until
 * its next period); q->count when all are over. */
static u32 pick_within_budget(const struct run_queue *q, u64 now)
{
	u32 best = q->count;

	for (u32 k = 0; k < q->count; k++) {
		struct entity *a = &ent[q->idx[k]];
		if (over_budget(a, now))
			continue;
		if (best == q->count || before(a, &ent[q->idx[best]]))
			best = k;
	}
	return best;
}

handle_t sched_next(u32 cpu)
{
	CHECK(cpu < RUVIX_MAX_CPUS);
	struct run_queue *q = &queues[cpu];
	u64 now = budgeted ? hal_now_ns() : 0;

	while (q->count > 0) {
		u32 best = budgeted ? pick_within_budget(q, now) : pick(q);
		if (best == q->count)
			return HANDLE_NONE; /* all over their budgets */
		u32 i = q->idx[best];
		q->idx[best] = q->idx[--q->count];
		ent[i].queued = false;
		handle_t h = partition_handle(i);
		/* Gone, replaced by a new partition in its slot, or no longer running since it
		 * was queued: skip it. */
		u32 home;
		if (h != HANDLE_NONE && h == ent[i].owner &&
		    partition_state_home(h, &home) == PS_RUNNING) {
			/* Every change of home moves the entry (sched_rehome): no CPU ever picks a
			 * partition homed on another. */
			CHECK(home == cpu);
			if (ent[i].budget) {
				ent[i].running = true;
				ent[i].run_start = now;
			}
			return h;
		}
	}
	return HANDLE_NONE;
}

u64 sched_deadline(handle_t h)
{
	CHECK(partition_valid(h));
	return entity_of(h)->deadline;
}

u32 sched_queued(u32 cpu)
{
	CHECK(cpu < RUVIX_MAX_CPUS);
	return queues[cpu].count;
}

void sched_reset(void)
{
	memset(ent, 0, sizeof(ent));
	memset(queues, 0, sizeof(queues));
	wakes = 0;
	budgeted = 0;
}
