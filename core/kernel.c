/* Kernel start and stop, the machine description, object validity and the state digest. */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/checkpoint.h>
#include <ruvix/digest.h>
#include <ruvix/edge.h>
#include <ruvix/hal.h>
#include <ruvix/kernel.h>
#include <ruvix/klib.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/proof.h>
#include <ruvix/quota.h>
#include <ruvix/region.h>
#include <ruvix/sched.h>
#include <ruvix/witness.h>

static struct machine_desc machine;

/* How often kernel_tick asks for the P3 audit of the witness chain (kernel time). */
#define CHAIN_AUDIT_PERIOD_NS 10000000ull

static u64 last_chain_audit;

const char *kerr_name(enum kerr err)
{
	static const char *const names[KERR_COUNT] = {
		"ok",	  "invalid", "no_space", "stale", "state", "witness",
		"denied", "policy",  "full",	 "empty", "busy",  "quota",
	};
	return (unsigned)err < KERR_COUNT ? names[err] : "unknown";
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
	/*
	 * A boot starts a new chain and new object tables. The tables are emptied before the boot
	 * record is exported; if the export fails the kernel is simply not booted.
	 */
	witness_reset();
	proof_reset();
	quota_reset();
	last_chain_audit = 0;
	policy_reset();
	partition_reset();
	cap_reset();
	region_reset();
	edge_reset();
	lease_reset();
	checkpoint_reset();
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
	quota_summarise(true); /* what quotas refused, before the last record */
	u64 before = witness_count();

	if (witness_emit(WK_HALT, TIER_KERNEL, WITNESS_ACTOR_KERNEL, 0, (u64)(i64)status, before) !=
	    WITNESS_OK)
		return KERR_WITNESS;
	return KERR_OK;
}

enum kerr kernel_coherence_stale(u64 epoch, u64 elapsed_ns)
{
	return witness_emit(WK_COH_STALE, TIER_KERNEL, WITNESS_ACTOR_KERNEL, 0, epoch,
			    elapsed_ns) == WITNESS_OK
		       ? KERR_OK
		       : KERR_WITNESS;
}

u32 kernel_tick(void)
{
	/*
	 * Every 10 ms, ask for an audit of the recent witness chain, run when a CPU idles. Hashing
	 * 64 records is too costly to do at every tick: an idle simulated CPU ticks often.
	 */
	u64 now = hal_now_ns();
	if (now - last_chain_audit >= CHAIN_AUDIT_PERIOD_NS) {
		last_chain_audit = now;
		proof_defer(P3_WITNESS_CHAIN, HANDLE_NONE);
	}
	quota_summarise(false);
	witness_segment_tick();
	return lease_expire_due();
}

u32 kernel_idle(u32 max)
{
	return proof_run_deferred(max);
}

bool object_valid(u8 type, handle_t h)
{
	switch (type) {
	case OBJ_PARTITION:
		return partition_valid(h);
	case OBJ_REGION:
		return region_valid(h);
	case OBJ_EDGE:
		return edge_valid(h);
	case OBJ_DEVICE:
		return device_valid(h);
	}
	return false;
}

/*
 * The digest covers the machine as booted and every live object with the fields that
 * witnessed operations change, in table order. Scheduler queues, pending P3 checks and the
 * witness chain itself are not object state and are left out.
 */
void kernel_digest(u8 out[16])
{
	struct digest_chunk d = { .len = 0 };

	memset(out, 0, 16);
	digest_put(&d, 0x100, 2);
	digest_put(&d, machine.ncpus, 4);
	digest_put(&d, machine.nnodes, 4);
	digest_put(&d, machine.mem_bytes, 8);
	digest_feed(out, d.buf, d.len);
	policy_digest(out);
	partition_digest(out);
	cap_digest(out);
	region_digest(out);
	edge_digest(out);
	lease_digest(out);
	checkpoint_digest(out);
	quota_digest(out);
}
