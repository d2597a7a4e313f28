/* The partition table and lifecycle: fixed size, handles with generations, every change gated. */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/checkpoint.h>
#include <ruvix/digest.h>
#include <ruvix/edge.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/proof.h>
#include <ruvix/sched.h>
#include <ruvix/region.h>

struct partition {
	u32 gen; /* bumped when a slot is taken, so handles to an older occupant go stale */
	bool live;
	u8 state;
	u8 on_fault;
	u32 cpu;
	u32 dest_cpu; /* while migrating */
	char name[PARTITION_NAME_MAX];
};

static struct partition table[RUVIX_MAX_PARTITIONS];
static u32 live_count;

static struct partition *lookup(handle_t h)
{
	u32 i = handle_index(h);

	if (i >= RUVIX_MAX_PARTITIONS || !table[i].live || table[i].gen != handle_gen(h))
		return NULL;
	return &table[i];
}

bool partition_valid(handle_t h)
{
	return lookup(h) != NULL;
}

bool partition_index_valid(u32 p)
{
	return p < RUVIX_MAX_PARTITIONS && table[p].live;
}

handle_t partition_handle(u32 p)
{
	return partition_index_valid(p) ? handle_make(p, table[p].gen) : HANDLE_NONE;
}

static usize name_length(const char *name)
{
	usize n = 0;

	while (n < PARTITION_NAME_MAX && name[n]) {
		if (name[n] < 0x21 || name[n] > 0x7e)
			return 0;
		n++;
	}
	return n < PARTITION_NAME_MAX ? n : 0;
}

/* The name as two little-endian words, as WK_PARTITION_CREATE carries it. */
static void name_words(const char *name, usize len, u64 w[2])
{
	w[0] = w[1] = 0;
	for (usize i = 0; i < len; i++)
		w[i / 8] |= (u64)(u8)name[i] << (8 * (i % 8));
}

enum kerr partition_create(const char *name, handle_t *out)
{
	usize len = name ? name_length(name) : 0;
	u32 slot = RUVIX_MAX_PARTITIONS;
	enum kerr v = KERR_OK;
	u64 w[2] = { 0, 0 };

	for (u32 i = 0; i < RUVIX_MAX_PARTITIONS && slot == RUVIX_MAX_PARTITIONS; i++)
		if (!table[i].live)
			slot = i;
	if (len == 0)
		v = KERR_INVALID;
	else if (slot == RUVIX_MAX_PARTITIONS)
		v = KERR_NO_SPACE;
	if (len)
		name_words(name, len, w);
	struct proof_op op = {
		.kind = WK_PARTITION_CREATE,
		.tier = TIER_KERNEL,
		.actor = ACTOR_KERNEL,
		.target = v == KERR_OK ? handle_make(slot, generation_next(table[slot].gen)) : 0,
		.arg0 = w[0],
		.arg1 = w[1],
	};
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);

	struct partition *p = &table[slot];
	p->gen = generation_next(p->gen);
	p->live = true;
	p->state = PS_CREATED;
	p->on_fault = CONTAIN_RESTORE;
	p->cpu = p->dest_cpu = 0;
	memcpy(p->name, name, len);
	p->name[len] = '\0';
	live_count++;
	*out = op.target;
	return KERR_OK;
}

/* Every change of a live partition's home CPU goes through here: a queued partition changes
 * run queues with it (sched_rehome). */
static void set_home(handle_t h, u32 cpu)
{
	lookup(h)->cpu = cpu;
	sched_rehome(h);
}

enum kerr partition_place(handle_t h, u32 cpu)
{
	enum kerr v = KERR_OK;

	if (!lookup(h))
		v = KERR_STALE;
	else if (cpu >= kernel_machine()->ncpus)
		v = KERR_INVALID;
	struct proof_op op = { .kind = WK_PARTITION_PLACE,
			       .tier = TIER_KERNEL,
			       .actor = ACTOR_KERNEL,
			       .target = h,
			       .arg0 = cpu };
	const struct proof_token *t = proof_gate(&op, v, &v);
	if (!t)
		return v;
	proof_consume(t, &op);
	set_home(h, cpu);
	return KERR_OK;
}

/* The lifecycle table: may @op be applied in @state (with @arg)? No side effects. */
static enum kerr transition_check(const struct partition *p, u8 op, u32 arg)
{
	switch (op) {
	case PART_START:
		return p->state == PS_CREATED ? KERR_OK : KERR_STATE;
	case PART_SUSPEND:
		return p->state == PS_RUNNING ? KERR_OK : KERR_STATE;
	case PART_RESUME:
	case PART_HIBERNATE:
		return p->state == PS_SUSPENDED ? KERR_OK : KERR_STATE;
	case PART_WAKE:
		return p->state == PS_HIBERNATED ? KERR_OK : KERR_STATE;
	case PART_MIGRATE_BEGIN:
		if (arg >= kernel_machine()->ncpus)
			return KERR_INVALID;
		return p->state == PS_RUNNING || p->state == PS_SUSPENDED ? KERR_OK : KERR_STATE;
	case PART_MIGRATE_END:
		return p->state == PS_MIGRATING ? KERR_OK : KERR_STATE;
	case PART_TERMINATE:
		return KERR_OK;
	case PART_ON_FAULT:
		return arg == CONTAIN_RESTORE || arg == CONTAIN_STOP ? KERR_OK : KERR_INVALID;
	}
	return KERR_INVALID;
}

/*
 * Partition @i changed from runnable (PS_RUNNING) to not, or back, or died. A partition that
 * becomes runnable again (resume, the end of a migration, a restore) is queued on its home CPU
 * here, so no backend can forget it; the backend then stops at once one that runs on some CPU
 * and is no longer runnable, and wakes the CPU of one that became runnable (hal.h). A start is
 * the backend's to queue (@queue false): it knows when the partition has something to run.
 */
static void runnable_changed(u32 i, bool was_runnable, bool queue)
{
	bool runnable = table[i].live && table[i].state == PS_RUNNING;

	if (runnable == was_runnable)
		return;
	if (runnable && queue)
		sched_wake(handle_make(i, table[i].gen));
	hal_partition_runnable(i, runnable);
}

/* Release everything partition @h owns and free its slot: part of a terminate, cannot fail. */
static void terminate(handle_t h)
{
	u32 i = handle_index(h);

	lease_drop_partition(i);
	edge_drop_partition(i);
	region_drop_partition(i);
	cap_drop_partition(i);
	cap_drop_object(OBJ_PARTITION, h);
	checkpoint_drop(i);
	bool was_runnable = table[i].state == PS_RUNNING;
	table[i].live = false;
	live_count--;
	runnable_changed(i, was_runnable, false);
}

void partition_terminate_contained(handle_t h)
{
	CHECK(lookup(h));
	terminate(h);
}

static void apply(handle_t h, u8 op, u32 arg)
{
	struct partition *p = lookup(h);
	bool was_runnable = p->state == PS_RUNNING;

	switch (op) {
	case PART_START:
	case PART_RESUME:
		p->state = PS_RUNNING;
		break;
	case PART_SUSPEND:
	case PART_WAKE:
		p->state = PS_SUSPENDED;
		break;
	case PART_HIBERNATE:
		p->state = PS_HIBERNATED;
		break;
	case PART_MIGRATE_BEGIN:
		p->state = PS_MIGRATING;
		p->dest_cpu = arg;
		break;
	case PART_MIGRATE_END:
		p->state = PS_RUNNING;
		set_home(h, p->dest_cpu);
		break;
	case PART_TERMINATE:
		terminate(h);
		break;
	case PART_ON_FAULT:
		p->on_fault = (u8)arg;
		break;
	}
	if (op != PART_TERMINATE) /* terminate() reported it */
		runnable_changed(handle_index(h), was_runnable, op != PART_START);
}

static enum kerr ctl(actor_t actor, u32 slot, handle_t h, enum kerr v, u8 op, u32 arg)
{
	struct partition *p = v == KERR_OK ? lookup(h) : NULL;

	if (v == KERR_OK && !p)
		v = KERR_STALE;
	if (v == KERR_OK && (op == 0 || op > PART_OP_MAX || arg > 0xffffff))
		v = KERR_INVALID;
	if (v == KERR_OK)
		v = transition_check(p, op, arg);
	struct proof_op po = {
		.kind = WK_PARTITION_CTL,
		.tier = actor == ACTOR_KERNEL ? TIER_KERNEL : TIER_P1,
		.actor = actor,
		.target = h,
		.arg0 = (u64)op | (u64)(arg & 0xffffff) << 8,
		.arg1 = slot,
	};
	const struct proof_token *t = proof_gate(&po, v, &v);
	if (!t)
		return v;
	proof_consume(t, &po);
	apply(h, op, arg);
	return KERR_OK;
}

enum kerr partition_ctl(actor_t actor, u32 slot, u8 op, u32 arg)
{
	handle_t h = HANDLE_NONE;
	enum kerr v = KERR_OK;

	if (!partition_index_valid(actor))
		v = KERR_INVALID;
	else if (slot == SLOT_SELF) {
		h = partition_handle(actor);
		if (op != PART_SUSPEND && op != PART_TERMINATE)
			v = KERR_DENIED;
	} else if (slot >= RUVIX_CAP_SLOTS) {
		v = KERR_INVALID;
	} else {
		v = cap_check(actor, slot, OBJ_PARTITION, RIGHT_EXECUTE, &h);
	}
	return ctl(actor, slot, h, v, op, arg);
}

enum kerr partition_ctl_kernel(handle_t h, u8 op, u32 arg)
{
	return ctl(ACTOR_KERNEL, SLOT_KERNEL, h, KERR_OK, op, arg);
}

u32 partition_cpu(handle_t h)
{
	struct partition *p = lookup(h);

	CHECK(p);
	return p->cpu;
}

enum partition_state partition_state(handle_t h)
{
	struct partition *p = lookup(h);

	CHECK(p);
	return (enum partition_state)p->state;
}

enum partition_state partition_state_home(handle_t h, u32 *cpu)
{
	struct partition *p = lookup(h);

	CHECK(p);
	*cpu = p->cpu;
	return (enum partition_state)p->state;
}

bool partition_runnable(handle_t h)
{
	struct partition *p = lookup(h);

	return p && p->state == PS_RUNNING;
}

const char *partition_name(handle_t h)
{
	struct partition *p = lookup(h);

	CHECK(p);
	return p->name;
}

enum contain_action partition_on_fault(handle_t h)
{
	struct partition *p = lookup(h);

	CHECK(p);
	return (enum contain_action)p->on_fault;
}

void partition_restore_state(handle_t h, enum partition_state state, u32 cpu)
{
	struct partition *p = lookup(h);

	CHECK(p && cpu < kernel_machine()->ncpus);
	bool was_runnable = p->state == PS_RUNNING;
	p->state = (u8)state;
	set_home(h, cpu);
	runnable_changed(handle_index(h), was_runnable, true);
}

u32 partition_count(void)
{
	return live_count;
}

void partition_digest(u8 acc[16])
{
	for (u32 i = 0; i < RUVIX_MAX_PARTITIONS; i++) {
		const struct partition *p = &table[i];
		if (!p->live)
			continue;
		struct digest_chunk d = { .len = 0 };
		u64 w[2];
		name_words(p->name, name_length(p->name), w);
		digest_put(&d, 0x200 + OBJ_PARTITION, 2);
		digest_put(&d, i, 4);
		digest_put(&d, p->gen, 4);
		digest_put(&d, p->state, 1);
		digest_put(&d, p->on_fault, 1);
		digest_put(&d, p->cpu, 4);
		digest_put(&d, p->dest_cpu, 4);
		digest_put(&d, w[0], 8);
		digest_put(&d, w[1], 8);
		digest_feed(acc, d.buf, d.len);
	}
}

void partition_reset(void)
{
	/* A boot is a fresh machine: generations start over too, so a replay of the log
	 * hands out the very same handles. */
	memset(table, 0, sizeof(table));
	live_count = 0;
}

const char *partition_state_name(u8 state)
{
	static const char *const names[] = { "?",	  "created",	"running",
					     "suspended", "hibernated", "migrating" };
	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

const char *partition_op_name(u8 op)
{
	static const char *const names[] = { "?",	  "start",   "suspend",	      "resume",
					     "hibernate", "wake",    "migrate_begin", "migrate_end",
					     "terminate", "on_fault" };
	return op < ARRAY_SIZE(names) ? names[op] : "?";
}
