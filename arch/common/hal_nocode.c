/*
 * The partition-context part of the HAL for backends whose partitions run no code of their
 * own (the simulator replays traces; replay, bench and fuzz drive the core directly): there is
 * no execution context to checkpoint and no partition memory to print from.
 */
#include <ruvix/hal.h>

void hal_partition_save(u32 p)
{
	(void)p;
}

void hal_partition_restore(u32 p)
{
	(void)p;
}

void hal_cap_changed(u32 p, u32 slot, u8 type, u64 object, bool added)
{
	(void)p;
	(void)slot;
	(void)type;
	(void)object;
	(void)added;
}

bool hal_partition_console(u32 p, u64 addr, usize len)
{
	(void)p;
	(void)addr;
	(void)len;
	return false;
}

void hal_partition_runnable(u32 p, bool runnable)
{
	/* The core's run queues are all there is: a resumed partition is queued already. */
	(void)p;
	(void)runnable;
}
