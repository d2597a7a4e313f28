/* Core micro-benchmarks shared by the host and bare-metal backends (see core_bench.h). */
#include "core_bench.h"

#include <ruvix/cap.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/witness.h>

#define SAMPLES 101 /* odd, so the median is one sample */
#define BATCH	64  /* calls per sample: the clock's resolution is 16 ns on QEMU virt */

static u64 samples[SAMPLES];

/* Per-call nanoseconds, reported with two decimals as an integer of hundredths. */
static void report(const char *name, const char *backend, const char *machine)
{
	ksort_u64(samples, SAMPLES);
	u64 min = samples[0], med = samples[SAMPLES / 2], max = samples[SAMPLES - 1];
	kprintf("{\"name\": \"%s\", \"unit\": \"ns\", \"n\": %u, \"min\": %lu.%02lu, "
		"\"median\": %lu.%02lu, \"max\": %lu.%02lu, \"backend\": \"%s\", "
		"\"machine\": \"%s\", \"batch\": %u}\n",
		name, SAMPLES, (unsigned long)(min / 100), (unsigned long)(min % 100),
		(unsigned long)(med / 100), (unsigned long)(med % 100), (unsigned long)(max / 100),
		(unsigned long)(max % 100), backend, machine, BATCH);
}

/* Time BATCH calls of @body per sample; samples are stored in hundredths of a ns per call. */
#define MEASURE(body)                                                                              \
	do {                                                                                       \
		for (u32 s_ = 0; s_ < SAMPLES; s_++) {                                             \
			u64 t0_ = hal_now_ns();                                                    \
			for (u32 b_ = 0; b_ < BATCH; b_++) {                                       \
				body;                                                              \
			}                                                                          \
			samples[s_] = (hal_now_ns() - t0_) * 100 / BATCH;                          \
		}                                                                                  \
	} while (0)

static volatile u32 sink;

/* The first partition holding a region in slot 0 and a partition capability; its slot. */
static bool pick_actor(actor_t *actor, u32 *to)
{
	struct cap_info info;

	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++) {
		if (cap_info(p, 0, &info) != KERR_OK || info.type != OBJ_REGION)
			continue;
		for (u32 s = 1; s < RUVIX_CAP_SLOTS; s++)
			if (cap_info(p, s, &info) == KERR_OK && info.type == OBJ_PARTITION) {
				*actor = p;
				*to = s;
				return true;
			}
	}
	return false;
}

bool core_bench_run(const char *backend, const char *machine)
{
	handle_t h;
	u8 tier;
	u32 to;
	actor_t actor;

	if (!pick_actor(&actor, &to)) {
		kprintf("bench: no partition holds a region and a partition capability (boot the "
			"demo manifest)\n");
		return false;
	}

	/* P1: the capability check of every partition-initiated operation. */
	MEASURE(sink += cap_check(actor, 0, OBJ_REGION, RIGHT_READ, &h));
	report("p1_cap_check_ns", backend, machine);

	/* P2: the whole check step of a grant, P1 first, then the quota policy. */
	MEASURE(sink += cap_grant_check(actor, 0, to, RUVIX_CAP_SLOTS - 1, RIGHT_READ, &tier, &h));
	if (tier != TIER_P2)
		kprintf("bench: the grant check stopped at tier %u, not P2\n", tier);
	report("p2_grant_check_ns", backend, machine);

	/* One witness record: encode, BLAKE2b-128 chain, export through the HAL. */
	MEASURE(witness_emit(WK_REFUSED, TIER_P1, actor, 0, WK_HYPERCALL | (u64)KERR_INVALID << 16,
			     0));
	report("witness_emit_ns", backend, machine);

	/* A complete gated mutation and its undo: derive (P1) then delete, two records. */
	MEASURE({
		sink += cap_derive(actor, 0, RUVIX_CAP_SLOTS - 1, RIGHT_READ);
		sink += cap_delete(actor, RUVIX_CAP_SLOTS - 1);
	});
	report("cap_derive_delete_pair_ns", backend, machine);
	return true;
}
