/*
 * seed_wlog: write a witness log rich in kinds, as a seed for the replay and witness fuzz
 * targets (the simulator's logs hold only what a manifest builds: its requests are not
 * witnessed). It boots a 2-CPU kernel, loads a manifest, then makes a fixed pseudo-random
 * series of hypercalls by its partitions (sends, receives, derives, grants, revokes, deletes,
 * tier changes, leases, checkpoints, lifecycle operations, bad calls), with a containment now
 * and then, kernel ticks and P3 runs, and halts. The same arguments give the same bytes.
 *
 * usage: seed_wlog MANIFEST.dtb OUT.wlog SEED STEPS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/checkpoint.h>
#include <ruvix/hal.h>
#include <ruvix/hypercall.h>
#include <ruvix/kernel.h>
#include <ruvix/partition.h>
#include <ruvix/witness.h>

#include "manifest.h"

static u64 now;
static u32 cpu;
static FILE *out;

u64 hal_now_ns(void)
{
	return now;
}

u32 hal_cpu_id(void)
{
	return cpu;
}

void hal_console_write(const char *text, usize len)
{
	(void)text;
	(void)len;
}

bool hal_witness_export(const u8 record[64])
{
	return fwrite(record, 1, 64, out) == 64;
}

void hal_panic(const char *file, int line, const char *msg)
{
	fprintf(stderr, "seed_wlog: %s:%d: %s\n", file, line, msg);
	exit(70);
}

static u64 rng;

static u64 below(u64 n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

/* A slot: mostly the few a manifest partition holds, sometimes SLOT_SELF or out of range. */
static u64 slot(void)
{
	u64 k = below(16);
	return k < 13 ? below(5) : k < 15 ? SLOT_SELF : below(300);
}

static void call(u32 actor)
{
	static const u64 calls[] = { HV_EDGE_SEND,
				     HV_EDGE_SEND,
				     HV_EDGE_RECV,
				     HV_EDGE_RECV,
				     HV_CAP_DERIVE,
				     HV_CAP_GRANT,
				     HV_CAP_REVOKE,
				     HV_CAP_DELETE,
				     HV_REGION_TIER,
				     HV_LEASE_GRANT,
				     HV_LEASE_REVOKE,
				     HV_PARTITION_CTL,
				     HV_CHECKPOINT,
				     HV_CAP_INFO,
				     HV_YIELD,
				     HV_VERSION,
				     0x7f /* unknown */ };
	struct hv_regs r = { .x = { calls[below(sizeof(calls) / sizeof(calls[0]))] } };

	switch (r.x[0]) {
	case HV_EDGE_SEND:
		r.x[1] = slot();
		r.x[2] = 64 * below(64);
		r.x[3] = 1 + below(4096);
		break;
	case HV_CAP_DERIVE:
		r.x[1] = slot();
		r.x[2] = slot();
		r.x[3] = below(32);
		break;
	case HV_CAP_GRANT:
		r.x[1] = slot();
		r.x[2] = slot();
		r.x[3] = slot();
		r.x[4] = below(32);
		break;
	case HV_REGION_TIER:
		r.x[1] = slot();
		r.x[2] = below(5);
		break;
	case HV_LEASE_GRANT:
		r.x[1] = slot();
		r.x[2] = slot();
		r.x[3] = 1000 * (1 + below(100000));
		break;
	case HV_PARTITION_CTL:
		r.x[1] = slot();
		/* Terminating is rare, or the partitions would all be gone early on. */
		r.x[2] = below(20) ? 1 + below(PART_TERMINATE - 1) : 1 + below(PART_OP_MAX);
		r.x[3] = below(3);
		break;
	case 0x7f:
		r.x[1] = below(3);
		break;
	case HV_YIELD:
	case HV_VERSION:
		r.x[1] = below(8) == 0; /* now and then a stray argument, which is refused */
		break;
	default:
		r.x[1] = slot();
		break;
	}
	hv_dispatch(actor, &r);
}

int main(int argc, char **argv)
{
	struct machine_desc m = { .ncpus = 2, .nnodes = 1, .mem_bytes = 1 << 28 };
	static struct manifest_summary sum;
	static u8 blob[1 << 16];
	char err[MANIFEST_ERR_MAX];

	if (argc != 5) {
		fprintf(stderr, "usage: seed_wlog MANIFEST.dtb OUT.wlog SEED STEPS\n");
		return 2;
	}
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 2;
	}
	size_t size = fread(blob, 1, sizeof(blob), in);
	fclose(in);
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 2;
	}
	rng = strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ull + 1;
	long steps = strtol(argv[4], NULL, 10);
	if (kernel_boot(&m) != KERR_OK || manifest_load(blob, size, &sum, err, sizeof(err)) != 0) {
		fprintf(stderr, "seed_wlog: %s: %s\n", argv[1], err);
		return 1;
	}
	for (long i = 0; i < steps; i++) {
		u32 who = (u32)below(sum.partitions);
		now += below(20000);
		cpu = (u32)below(m.ncpus);
		if (below(200) == 0)
			kernel_contain(sum.partition[who], CONTAIN_FAULT, below(1000));
		else
			call(handle_index(sum.partition[who]));
		kernel_tick();
		if (below(50) == 0)
			kernel_idle(4);
	}
	now += 1000;
	if (kernel_halt(0) != KERR_OK || fclose(out) != 0) {
		fprintf(stderr, "seed_wlog: %s: write failed\n", argv[2]);
		return 1;
	}
	return 0;
}
