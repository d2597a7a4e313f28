/*
 * Witness completeness (success criterion 5): thousands of random operations, valid and not,
 * each leave exactly one record; replaying the log on a fresh kernel regenerates every record
 * byte for byte and reaches the same state digest; and leaving out any one state-changing
 * record makes the replay diverge, so a mutation that skipped its witness could not hide.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/checkpoint.h>
#include <ruvix/edge.h>
#include <ruvix/hypercall.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/region.h>
#include <ruvix/replay.h>
#include <ruvix/witness.h>

#include "test_hal.h"

static u64 rng = 0x9e3779b97f4a7c15ull;

static u64 next(void)
{
	/* xorshift64*: fixed seed, same sequence on every run. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static u64 pick(u64 n)
{
	return next() % n;
}

#define NPART 6
static handle_t parts[NPART];
static handle_t edges[4], devices[2];

static const char *const names[NPART] = { "p0", "p1", "p2", "p3", "p4", "p5" };

/* Give partition @i its region (slot 0) and a capability to its neighbour (slot 1). */
static void furnish(int i)
{
	handle_t r;
	u32 p = handle_index(parts[i]);

	if (region_create(parts[i], 0x100000ull * (u64)(i + 1), 0x4000, MEM_WARM, &r) == KERR_OK)
		cap_install(p, 0, OBJ_REGION, r, RIGHTS_ALL);
	if (partition_valid(parts[(i + 1) % NPART]))
		cap_install(p, 1, OBJ_PARTITION, parts[(i + 1) % NPART], RIGHTS_ALL);
	if (i < 2 && device_valid(devices[i]))
		cap_install(p, 4, OBJ_DEVICE, devices[i], RIGHTS_ALL);
}

/* (Re)create every edge whose two ends are alive; each end holds it in slot 2 or 3. */
static void connect(void)
{
	for (int e = 0; e < 4; e++) {
		if (edge_valid(edges[e]) || !partition_valid(parts[e]) ||
		    !partition_valid(parts[e + 1]))
			continue;
		if (edge_create(parts[e], parts[e + 1], 0x1000000ull + 0x10000ull * (u64)e, 0x2000,
				&edges[e]) != KERR_OK)
			continue;
		cap_install(handle_index(parts[e]), 2, OBJ_EDGE, edges[e], RIGHTS_ALL);
		cap_install(handle_index(parts[e + 1]), 3, OBJ_EDGE, edges[e], RIGHTS_ALL);
	}
}

static void setup(void)
{
	test_boot(2);
	cr_assert_eq(policy_set(POLICY_MAX_LEASE_NS, 5000), KERR_OK);
	for (int i = 0; i < NPART; i++)
		parts[i] = test_partition(names[i], (u32)i % 2);
	for (int d = 0; d < 2; d++)
		cr_assert_eq(device_create(0x9000000ull + 0x1000ull * (u64)d, 0x1000, 40 + (u32)d,
					   &devices[d]),
			     KERR_OK);
	for (int i = 0; i < NPART; i++)
		furnish(i);
	connect();
}

/* One random operation; returns true when it may write other than one record (read-only
 * calls write none; ticks and P3 runs one per lease expired or partition contained). */
static bool random_op(void)
{
	int who = (int)pick(NPART);

	if (!partition_valid(parts[who])) {
		/* Partitions die (terminate, contain): bring one back the way a manifest would. */
		parts[who] = test_partition(names[who], (u32)who % 2);
		furnish(who);
		connect();
		return true;
	}
	u32 actor = handle_index(parts[who]);
	u32 s1 = (u32)pick(12), s2 = (u32)pick(12), s3 = (u32)pick(12);
	u8 rights = (u8)(pick(32) | (pick(4) == 0 ? 0x20 : 0));

	test_hal.now_ns += pick(400);
	test_hal.cpu = (u32)pick(2);
	switch (pick(20)) {
	case 0:
		cap_derive(actor, s1, s2, rights);
		break;
	case 1:
		cap_grant(actor, s1, s2, s3, rights);
		break;
	case 2:
		cap_revoke(actor, s1);
		break;
	case 3:
		if (pick(4) == 0)
			cap_delete(actor, s1);
		else
			cap_derive(actor, s1, s2, rights);
		break;
	case 4:
	case 5:
		edge_send(actor, s1 % 5, (u32)pick(0x2100), (u32)pick(0x300));
		break;
	case 6:
	case 7: {
		u32 off, len;
		edge_recv(actor, s1 % 5, &off, &len);
		break;
	}
	case 8:
		region_set_tier(actor, s1 % 3, (u8)pick(5));
		break;
	case 9:
		lease_grant(actor, pick(2) ? 4 : s1 % 6, pick(2) ? 1 : s2 % 3, pick(8000));
		break;
	case 10:
		lease_revoke(actor, pick(2) ? 4 : s1 % 6);
		break;
	case 11:
		kernel_tick();
		return true;
	case 12:
		checkpoint_take(actor, pick(3) == 0 ? SLOT_SELF : s1 % 3);
		break;
	case 13:
		partition_ctl(actor, pick(2) == 0 ? SLOT_SELF : 1, (u8)(1 + pick(PART_OP_MAX)),
			      (u32)pick(3));
		break;
	case 14:
		kernel_contain(parts[pick(NPART)], CONTAIN_FAULT, next());
		break;
	case 15:
		kernel_idle(2);
		return true;
	default: {
		u64 nr = pick(0x60);
		struct hv_regs r = { { nr, pick(14), pick(0x2100), pick(0x300), 0, 0 } };
		if (pick(8) == 0)
			r.x[4] = 1;
		hv_dispatch(actor, &r);
		return nr == HV_VERSION || nr == HV_YIELD || nr == HV_CAP_INFO;
	}
	}
	return false;
}

/* The kernel digest after each operation, keyed by how many records existed then. */
static struct test_digest digest_at[TEST_HAL_MAX_RECORDS + 1];
static bool have_digest[TEST_HAL_MAX_RECORDS + 1];

static void note_digest(void)
{
	digest_at[test_hal.nrecords] = test_digest();
	have_digest[test_hal.nrecords] = true;
}

static usize run_random(int ops)
{
	note_digest();
	for (int i = 0; i < ops; i++) {
		usize before = test_hal.nrecords;
		bool may_differ = random_op();
		usize wrote = test_hal.nrecords - before;
		if (!may_differ)
			cr_assert_eq(wrote, 1, "operation %d wrote %zu records", i, wrote);
		note_digest();
	}
	return test_hal.nrecords;
}

/*
 * Replay log[0, n) into a fresh kernel: every record must come out again byte for byte, and
 * after each record where the original run took a digest the replayed kernel must have the
 * same one. Returns the index of the first record after which they diverge, or n.
 */
static usize replay_log(u8 (*log)[64], usize n)
{
	test_hal.expect = (const u8(*)[64])log;
	test_hal.nexpect_seen = 0;
	test_hal.mismatches = 0;
	usize at = n;
	for (usize i = 0; i < n && at == n; i++) {
		struct witness_record r;
		witness_decode(log[i], &r);
		test_hal.now_ns = r.time_ns;
		test_hal.cpu = r.cpu;
		usize seen = test_hal.nexpect_seen;
		kernel_replay(&r);
		if (test_hal.nexpect_seen != seen + 1 || test_hal.mismatches)
			at = i;
		else if (have_digest[i + 1] && memcmp(test_digest().b, digest_at[i + 1].b, 16) != 0)
			at = i;
	}
	test_hal.expect = NULL;
	return at;
}

static u8 saved[TEST_HAL_MAX_RECORDS][64];

Test(replay, random_operations_replay_to_the_same_digest, .timeout = 120)
{
	memset(have_digest, 0, sizeof(have_digest));
	setup();
	usize n = run_random(6000);
	memcpy(saved, test_hal.records, n * 64);

	/* Enough variety to mean something: successes and refusals of many kinds. */
	unsigned kinds[0x80] = { 0 }, refused = 0;
	for (usize i = 0; i < n; i++) {
		struct witness_record r = test_hal_record(i);
		kinds[r.kind & 0x7f]++;
		refused += r.kind == WK_REFUSED;
	}
	cr_assert_gt(refused, n / 10);
	cr_assert_lt(refused, n * 19 / 20);
	cr_log_info("%zu records, %u refused", n, refused);
	const u16 must[] = { WK_CAP_DERIVE,   WK_CAP_GRANT,    WK_CAP_REVOKE,	   WK_CAP_DELETE,
			     WK_EDGE_SEND,    WK_EDGE_RECV,    WK_REGION_TIER,	   WK_LEASE_GRANT,
			     WK_LEASE_EXPIRE, WK_LEASE_REVOKE, WK_CHECKPOINT_TAKE, WK_PARTITION_CTL,
			     WK_CONTAIN };
	for (unsigned k = 0; k < ARRAY_SIZE(must); k++)
		cr_assert_gt(kinds[must[k]], 0, "no successful %s in the log",
			     witness_kind_name(must[k]));

	usize at = replay_log(saved, n);
	cr_assert_eq(at, n, "replay diverged at record %zu (%s)", at,
		     at < n ? witness_kind_name(test_hal_record(at).kind) : "");
	struct test_digest end = test_digest();
	cr_assert_arr_eq(end.b, digest_at[n].b, 16);
}

/* The detector itself: a mutation that writes no record is caught where it happened. */
Test(replay, an_unwitnessed_mutation_is_caught_where_it_happened)
{
	memset(have_digest, 0, sizeof(have_digest));
	setup();
	run_random(200);
	usize silent_at = test_hal.nrecords;
	/* A kernel-internal helper that changes state without a record of its own. */
	handle_t regions[1];
	u32 owner = 0;
	while (owner < NPART && region_list(handle_index(parts[owner]), regions, 1) == 0)
		owner++;
	cr_assert_lt(owner, NPART, "every partition lost its region");
	region_restore_tier(regions[0], region_tier(regions[0]) == MEM_COLD ? MEM_HOT : MEM_COLD);
	note_digest();
	usize n = run_random(200);
	memcpy(saved, test_hal.records, n * 64);

	usize at = replay_log(saved, n);
	cr_assert_eq(at, silent_at - 1, "diverged at %zu, the silent change came after %zu", at,
		     silent_at - 1);
}
