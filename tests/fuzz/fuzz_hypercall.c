/*
 * Fuzz target: the hypercall decoder and every operation behind it. The kernel is built from
 * the demo manifest, with small quotas so that inputs reach them; the input is a sequence of
 * hypercalls (caller, x0..x5, time step). After each call the kernel must have written at most
 * one record: none only for a read-only call or a refusal counted over the caller's witness
 * quota, and then nothing else but the containment of an on-quota "stop" partition. At the end
 * every partition's capability tree and the witness chain must pass their P3 audits. Any CHECK
 * failure aborts, which libFuzzer reports.
 *
 * Short bounded run: `meson test fuzz_hypercall`. Long run: see docs/testing.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/hypercall.h>
#include <ruvix/kernel.h>
#include <ruvix/partition.h>
#include <ruvix/quota.h>
#include <ruvix/witness.h>

#include "fuzz_hal.h"
#include "manifest.h"

static void *manifest;
static size_t manifest_size;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	manifest = fuzz_read_file(DEMO_MANIFEST_DTB, &manifest_size);
	return 0;
}

static u64 take(const uint8_t **p, size_t *left, unsigned bytes)
{
	u64 v = 0;

	for (unsigned i = 0; i < bytes && *left; i++, (*p)++, (*left)--)
		v |= (u64) * *p << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct manifest_summary sum;
	struct machine_desc m = { .ncpus = 2, .nnodes = 1, .mem_bytes = 1 << 28 };
	char err[MANIFEST_ERR_MAX];

	memset(&fuzz_hal, 0, sizeof(fuzz_hal));
	if (kernel_boot(&m) != KERR_OK ||
	    manifest_load(manifest, manifest_size, &sum, err, sizeof(err)) != 0)
		abort();
	/* A few refusals and console bytes each, refilled at 1,000 a second (one per ms, while a
	 * call advances time by at most 65 us); every third partition is stopped over its quota. */
	for (u32 i = 0; i < sum.partitions; i++) {
		u8 action = i % 3 == 2 ? QUOTA_STOP : QUOTA_THROTTLE;
		if (quota_set(sum.partition[i], QUOTA_REFUSALS, 4 + i, 1000, action) != KERR_OK ||
		    quota_set(sum.partition[i], QUOTA_CONSOLE, 64, 1000, action) != KERR_OK)
			abort();
	}
	while (size > 0) {
		/* Caller: one of the manifest's partitions, or a raw index now and then. */
		u8 who = (u8)take(&data, &size, 1);
		u32 actor = who < 0xf0 ? handle_index(sum.partition[who % sum.partitions]) : who;
		struct hv_regs r;
		r.x[0] = take(&data, &size, 1);
		/* Small argument values are the interesting ones; a flag byte widens some. */
		u8 wide = (u8)take(&data, &size, 1);
		for (int i = 1; i < 6; i++)
			r.x[i] = take(&data, &size, (wide >> i) & 1 ? 8 : 1);
		fuzz_hal.now_ns += take(&data, &size, 2);
		fuzz_hal.cpu = who & 1;
		u64 nr = r.x[0], before = fuzz_hal.records;
		bool mine = actor < RUVIX_MAX_PARTITIONS;
		u64 counted = mine ? quota_dropped(actor, QUOTA_REFUSALS) : 0;
		hv_dispatch(actor, &r);
		u64 wrote = fuzz_hal.records - before;
		bool read_only = nr == HV_VERSION || nr == HV_YIELD || nr == HV_CAP_INFO;
		bool over = mine && quota_dropped(actor, QUOTA_REFUSALS) > counted;
		if (wrote > 1 || (wrote == 0 && !over && !(read_only && r.x[0] == KERR_OK)))
			abort(); /* every privileged action leaves exactly one record */
		if (over && wrote == 1 && fuzz_hal.last_kind != WK_CONTAIN)
			abort(); /* a refusal over the quota is counted, not written */
		quota_take_throttle(actor);
		if (r.x[0] >= KERR_COUNT)
			abort();
		kernel_tick();
	}
	u64 detail;
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++)
		if (partition_index_valid(p) && !cap_audit(p, &detail))
			abort();
	if (!witness_audit(&detail))
		abort();
	return 0;
}
