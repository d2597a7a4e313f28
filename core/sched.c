/*
 * Foundation scheduler: a FIFO ring per CPU of runnable partitions. The ring is sized to the
 * partition table, so a wake can never overflow it (a partition is queued at most once).
 */
#include <ruvix/check.h>
#include <ruvix/partition.h>
#include <ruvix/sched.h>

struct run_queue {
	handle_t slot[RUVIX_MAX_PARTITIONS];
	u32 head;
	u32 count;
};

static struct run_queue queues[RUVIX_MAX_CPUS];
static bool queued[RUVIX_MAX_PARTITIONS];

enum kerr sched_wake(handle_t h)
{
	if (!partition_valid(h))
		return KERR_STALE;
	if (partition_state(h) != PS_RUNNING)
		return KERR_STATE;
	if (queued[handle_index(h)])
		return KERR_OK;

	struct run_queue *q = &queues[partition_cpu(h)];
	CHECK(q->count < RUVIX_MAX_PARTITIONS);
	q->slot[(q->head + q->count) % RUVIX_MAX_PARTITIONS] = h;
	q->count++;
	queued[handle_index(h)] = true;
	return KERR_OK;
}

handle_t sched_next(u32 cpu)
{
	CHECK(cpu < RUVIX_MAX_CPUS);
	struct run_queue *q = &queues[cpu];

	while (q->count > 0) {
		handle_t h = q->slot[q->head];
		q->head = (q->head + 1) % RUVIX_MAX_PARTITIONS;
		q->count--;
		queued[handle_index(h)] = false;
		if (partition_valid(h) && partition_state(h) == PS_RUNNING)
			return h;
	}
	return HANDLE_NONE;
}

u32 sched_queued(u32 cpu)
{
	CHECK(cpu < RUVIX_MAX_CPUS);
	return queues[cpu].count;
}

void sched_reset(void)
{
	for (u32 c = 0; c < RUVIX_MAX_CPUS; c++)
		queues[c].head = queues[c].count = 0;
	for (u32 i = 0; i < RUVIX_MAX_PARTITIONS; i++)
		queued[i] = false;
}
