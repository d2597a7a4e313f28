/* The partition table: fixed size, handles with generations, every creation witnessed. */
#include <ruvix/check.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/witness.h>

struct partition {
	u32 gen; /* bumped when a slot is taken, so handles to an older occupant go stale */
	bool live;
	u32 cpu;
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

static u64 name_hash(const char *name, usize len)
{
	u8 digest[16];
	u64 v = 0;

	hal_blake2b(digest, sizeof(digest), name, len);
	for (unsigned i = 0; i < 8; i++)
		v |= (u64)digest[i] << (8 * i);
	return v;
}

static enum kerr refuse(enum kerr err)
{
	if (witness_emit(WK_REFUSED, TIER_KERNEL, WITNESS_ACTOR_KERNEL, 0, WK_PARTITION_CREATE,
			 err) != WITNESS_OK)
		return KERR_WITNESS;
	return err;
}

enum kerr partition_create(const char *name, u32 cpu, handle_t *out)
{
	usize len = name ? name_length(name) : 0;
	u32 slot = RUVIX_MAX_PARTITIONS;

	if (len == 0 || cpu >= kernel_machine()->ncpus)
		return refuse(KERR_INVALID);
	for (u32 i = 0; i < RUVIX_MAX_PARTITIONS; i++) {
		if (!table[i].live) {
			slot = i;
			break;
		}
	}
	if (slot == RUVIX_MAX_PARTITIONS)
		return refuse(KERR_NO_SPACE);

	struct partition *p = &table[slot];
	/* Generation 0 is never handed out, so HANDLE_NONE can never name a partition. */
	u32 gen = p->gen + 1 == 0 ? 1 : p->gen + 1;
	handle_t h = handle_make(slot, gen);

	if (witness_emit(WK_PARTITION_CREATE, TIER_KERNEL, WITNESS_ACTOR_KERNEL, h, cpu,
			 name_hash(name, len)) != WITNESS_OK)
		return KERR_WITNESS;
	p->gen = gen;
	p->live = true;
	p->cpu = cpu;
	memcpy(p->name, name, len);
	p->name[len] = '\0';
	live_count++;
	*out = h;
	return KERR_OK;
}

bool partition_valid(handle_t h)
{
	return lookup(h) != NULL;
}

u32 partition_cpu(handle_t h)
{
	struct partition *p = lookup(h);

	CHECK(p);
	return p->cpu;
}

const char *partition_name(handle_t h)
{
	struct partition *p = lookup(h);

	CHECK(p);
	return p->name;
}

u32 partition_count(void)
{
	return live_count;
}

void partition_reset(void)
{
	for (u32 i = 0; i < RUVIX_MAX_PARTITIONS; i++)
		table[i].live = false;
	live_count = 0;
}
