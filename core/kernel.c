/* Kernel start and stop: the machine description, the boot and halt witnesses. */
#include <ruvix/check.h>
#include <ruvix/kernel.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/sched.h>
#include <ruvix/witness.h>

static struct machine_desc machine;

const char *kerr_name(enum kerr err)
{
	switch (err) {
	case KERR_OK:
		return "ok";
	case KERR_INVALID:
		return "invalid";
	case KERR_NO_SPACE:
		return "no_space";
	case KERR_STALE:
		return "stale";
	case KERR_STATE:
		return "state";
	case KERR_WITNESS:
		return "witness";
	}
	return "unknown";
}

static bool machine_is_sane(const struct machine_desc *m)
{
	if (m->ncpus == 0 || m->ncpus > RUVIX_MAX_CPUS)
		return false;
	if (m->nnodes == 0 || m->nnodes > RUVIX_MAX_NODES)
		return false;
	for (u32 c = 0; c < m->ncpus; c++)
		if (m->cpu_node[c] >= m->nnodes)
			return false;
	return true;
}

enum kerr kernel_boot(const struct machine_desc *m)
{
	if (!machine_is_sane(m))
		return KERR_INVALID;
	witness_reset();
	partition_reset();
	sched_reset();
	if (witness_emit(WK_BOOT, TIER_KERNEL, WITNESS_ACTOR_KERNEL, 0,
			 (u64)m->ncpus | (u64)m->nnodes << 32, m->mem_bytes) != WITNESS_OK)
		return KERR_WITNESS;
	machine = *m;
	return KERR_OK;
}

const struct machine_desc *kernel_machine(void)
{
	return &machine;
}

enum kerr kernel_halt(int status)
{
	u64 before = witness_count();

	if (witness_emit(WK_HALT, TIER_KERNEL, WITNESS_ACTOR_KERNEL, 0, (u64)(i64)status, before) !=
	    WITNESS_OK)
		return KERR_WITNESS;
	return KERR_OK;
}
