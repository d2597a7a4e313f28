/*
 * The manifest loader (arch/common/manifest.c): a good manifest builds the system it
 * describes; a bad one is refused naming the node and the property, and creates nothing.
 * Manifests are built here with libfdt's sequential-write API, one defect at a time.
 */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/checkpoint.h>
#include <ruvix/edge.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/quota.h>
#include <ruvix/region.h>

#include "manifest.h"
#include "test_hal.h"

enum defect {
	GOOD,
	BAD_COMPATIBLE,
	NO_PARTITIONS,
	CPU_TOO_BIG,
	CPU_WRONG_SIZE,
	BAD_ON_FAULT,
	MISALIGNED_REGION,
	BAD_TIER,
	UNKNOWN_END,
	SAME_ENDS,
	OVERLAPPING_REGIONS,
	SHARED_OVER_REGION,
	UNKNOWN_LESSEE,
	UNKNOWN_TOP_NODE,
	UNKNOWN_POLICY,
	DUPLICATE_PARTITION,
	UNKNOWN_CONTROLLED,
	ZERO_LEASE,
	QUOTA_ONE_CELL,
	QUOTA_RATE_WITHOUT_BURST,
	BAD_ON_QUOTA,
	BUDGET_OVER_PERIOD,
};

static char blob[8192];

static void cells2(const char *name, u32 a, u32 b)
{
	fdt32_t v[2] = { cpu_to_fdt32(a), cpu_to_fdt32(b) };
	cr_assert_eq(fdt_property(blob, name, v, sizeof(v)), 0);
}

static void range(const char *name, u64 base, u64 size)
{
	fdt64_t v[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	cr_assert_eq(fdt_property(blob, name, v, sizeof(v)), 0);
}

static void strings2(const char *name, const char *a, const char *b)
{
	char buf[64];
	usize la = strlen(a) + 1, lb = strlen(b) + 1;
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	cr_assert_eq(fdt_property(blob, name, buf, (int)(la + lb)), 0);
}

static void partition(const char *name, u32 cpu, u64 base, enum defect d)
{
	fdt_begin_node(blob, name);
	if (d == CPU_WRONG_SIZE && !strcmp(name, "web"))
		fdt_property_u64(blob, "cpu", cpu);
	else
		fdt_property_u32(blob, "cpu", d == CPU_TOO_BIG && !strcmp(name, "web") ? 2 : cpu);
	if (!strcmp(name, "web")) {
		fdt_property(blob, "checkpoint", NULL, 0);
		fdt_property_string(blob, "controls", d == UNKNOWN_CONTROLLED ? "nobody" : "db");
		if (d == BAD_ON_FAULT)
			fdt_property_string(blob, "on-fault", "explode");
		/* web's own quotas: 8 refusals then 2 a second, an unlimited console, stopped
		 * over its quota, 100 us of CPU per ms; db keeps the defaults. */
		if (d == QUOTA_ONE_CELL)
			fdt_property_u32(blob, "witness-quota", 8);
		else
			cells2("witness-quota", d == QUOTA_RATE_WITHOUT_BURST ? 0 : 8, 2);
		cells2("console-quota", 0, 0);
		fdt_property_string(blob, "on-quota", d == BAD_ON_QUOTA ? "shrug" : "stop");
		cells2("cpu-budget", d == BUDGET_OVER_PERIOD ? 2000 : 100, 1000);
	} else {
		fdt_property_string(blob, "on-fault", "stop");
	}
	fdt_begin_node(blob, "region@1");
	range("reg", d == MISALIGNED_REGION && !strcmp(name, "db") ? base + 8 : base, 0x10000);
	fdt_property_string(blob, "tier", d == BAD_TIER ? "lukewarm" : "warm");
	fdt_end_node(blob);
	fdt_end_node(blob);
}

static const void *build(enum defect d)
{
	cr_assert_eq(fdt_create(blob, sizeof(blob)), 0);
	fdt_finish_reservemap(blob);
	fdt_begin_node(blob, "");
	fdt_property_string(blob, "compatible", d == BAD_COMPATIBLE ? "acme,os" : "ruvix,manifest");
	fdt_begin_node(blob, "policy");
	fdt_property_u64(blob, "max-lease-ns", 2000);
	fdt_property_u32(blob, "max-caps", 12);
	if (d == UNKNOWN_POLICY)
		fdt_property_u32(blob, "max-fun", 1);
	fdt_end_node(blob);
	if (d != NO_PARTITIONS) {
		fdt_begin_node(blob, "partitions");
		partition("web", 0, 0x100000, d);
		partition("db", 1, d == OVERLAPPING_REGIONS ? 0x108000 : 0x200000, d);
		if (d == DUPLICATE_PARTITION)
			partition("db", 1, 0x300000, d);
		fdt_end_node(blob);
	}
	fdt_begin_node(blob, "edges");
	fdt_begin_node(blob, "web-db");
	strings2("ends", "web", d == UNKNOWN_END ? "dba" : d == SAME_ENDS ? "web" : "db");
	range("shared", d == SHARED_OVER_REGION ? 0x200000 : 0x400000, 0x1000);
	fdt_end_node(blob);
	fdt_end_node(blob);
	fdt_begin_node(blob, "devices");
	fdt_begin_node(blob, "rtc");
	range("reg", 0x9010000, 0x1000);
	fdt_property_u32(blob, "interrupts", 34);
	fdt_property_string(blob, "owner", "db");
	fdt_property_string(blob, "lease", d == UNKNOWN_LESSEE ? "nobody" : "db");
	fdt_property_u64(blob, "lease-ns", d == ZERO_LEASE ? 0 : 1000);
	fdt_end_node(blob);
	fdt_end_node(blob);
	if (d == UNKNOWN_TOP_NODE) {
		fdt_begin_node(blob, "gadgets");
		fdt_end_node(blob);
	}
	fdt_end_node(blob);
	cr_assert_eq(fdt_finish(blob), 0);
	return blob;
}

static struct manifest_summary sum;

Test(manifest, builds_the_system_it_describes)
{
	char err[MANIFEST_ERR_MAX] = "";
	struct cap_info info;

	test_boot(2);
	cr_assert_eq(manifest_load(build(GOOD), sizeof(blob), &sum, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(sum.partitions, 2);
	cr_assert_eq(sum.regions, 2);
	cr_assert_eq(sum.edges, 1);
	cr_assert_eq(sum.devices, 1);
	cr_assert_eq(sum.leases, 1);
	handle_t web = sum.partition[0], db = sum.partition[1];
	cr_assert_str_eq(partition_name(web), "web");
	cr_assert_eq(partition_cpu(db), 1);
	cr_assert_eq(partition_state(web), PS_RUNNING);
	cr_assert_eq(partition_on_fault(db), CONTAIN_STOP);
	cr_assert(checkpoint_exists(handle_index(web)));
	cr_assert_not(checkpoint_exists(handle_index(db)));
	cr_assert_eq(policy_get(POLICY_MAX_LEASE_NS), 2000);
	cr_assert_eq(policy_get(POLICY_MAX_CAPS), 12);
	/* Slots in the documented order: regions, edge ends, controlled partitions, devices. */
	u32 w = handle_index(web), b = handle_index(db);
	cr_assert_eq(cap_info(w, 0, &info), KERR_OK);
	cr_assert_eq(info.type, OBJ_REGION);
	cr_assert_eq(cap_info(w, 1, &info), KERR_OK);
	cr_assert_eq(info.type, OBJ_EDGE);
	cr_assert_eq(cap_info(w, 2, &info), KERR_OK);
	cr_assert_eq(info.type, OBJ_PARTITION);
	cr_assert_eq(info.object, db);
	cr_assert_eq(cap_info(b, 2, &info), KERR_OK);
	cr_assert_eq(info.type, OBJ_DEVICE);
	cr_assert(lease_allows(b, info.object));
	cr_assert_eq(cap_count(w), 3);
	cr_assert_eq(cap_count(b), 3);
}

static const struct {
	enum defect d;
	const char *message;
} cases[] = {
	{ BAD_COMPATIBLE, "/: compatible: expected \"ruvix,manifest\"" },
	{ NO_PARTITIONS, "/: expected a /partitions node" },
	{ CPU_TOO_BIG, "/partitions/web: cpu: expected a CPU this machine has" },
	{ CPU_WRONG_SIZE, "/partitions/web: cpu: expected one cell <N>" },
	{ BAD_ON_FAULT, "/partitions/web: on-fault: expected \"restore\" or \"stop\"" },
	{ MISALIGNED_REGION,
	  "/partitions/db/region@1: reg: expected a non-empty, 4 KiB-aligned range" },
	{ BAD_TIER,
	  "/partitions/web/region@1: tier: expected \"hot\", \"warm\", \"dormant\" or \"cold\"" },
	{ UNKNOWN_END, "/edges/web-db: ends: names a partition that is not declared" },
	{ SAME_ENDS, "/edges/web-db: ends: expected two different partitions" },
	{ OVERLAPPING_REGIONS, "/partitions/db: reg: overlaps another region" },
	{ SHARED_OVER_REGION, "/partitions/db: reg: overlaps an edge's shared pages" },
	{ UNKNOWN_LESSEE, "/devices/rtc: lease: expected the name of a declared partition" },
	{ UNKNOWN_TOP_NODE,
	  "/gadgets: unknown node (expected policy, partitions, edges, devices)" },
	{ UNKNOWN_POLICY, "/policy: max-fun: unknown policy" },
	{ DUPLICATE_PARTITION, "/partitions/db: declared twice" },
	{ UNKNOWN_CONTROLLED, "/partitions/web: controls: names a partition that is not declared" },
	{ ZERO_LEASE, "/devices/rtc: lease-ns: expected a duration above 0" },
	{ QUOTA_ONE_CELL,
	  "/partitions/web: witness-quota: expected <burst per-second> (two cells)" },
	{ QUOTA_RATE_WITHOUT_BURST,
	  "/partitions/web: witness-quota: a burst of 0 means unlimited: the rate must be 0 too" },
	{ BAD_ON_QUOTA, "/partitions/web: on-quota: expected \"throttle\" or \"stop\"" },
	{ BUDGET_OVER_PERIOD,
	  "/partitions/web: cpu-budget: expected 0 < budget <= period (microseconds)" },
};

/* The quota settings the manifest made for @h: arg0 and arg1 of its WK_QUOTA_SET of @kind, or
 * false when it has none. */
static bool quota_of(handle_t h, u8 kind, u64 *arg0, u64 *arg1)
{
	for (usize i = 0; i < test_hal.nrecords; i++) {
		struct witness_record r = test_hal_record(i);
		if (r.kind == WK_QUOTA_SET && r.target == h && (r.arg0 & 0xff) == kind) {
			*arg0 = r.arg0;
			*arg1 = r.arg1;
			return true;
		}
	}
	return false;
}

Test(manifest, quotas_are_the_nodes_own_or_the_defaults)
{
	char err[MANIFEST_ERR_MAX] = "";
	u64 a0, a1;

	test_boot(2);
	cr_assert_eq(manifest_load(build(GOOD), sizeof(blob), &sum, err, sizeof(err)), 0, "%s",
		     err);
	handle_t web = sum.partition[0], db = sum.partition[1];
	cr_assert(quota_of(web, QUOTA_REFUSALS, &a0, &a1));
	cr_assert_eq(a0, QUOTA_REFUSALS | QUOTA_STOP << 8 | 8ull << 16);
	cr_assert_eq(a1, 2);
	cr_assert(!quota_of(web, QUOTA_CONSOLE, &a0, &a1), "<0 0> is unlimited: no quota");
	cr_assert(quota_of(db, QUOTA_REFUSALS, &a0, &a1));
	cr_assert_eq(a0, QUOTA_REFUSALS | QUOTA_THROTTLE << 8 | 1024ull << 16);
	cr_assert_eq(a1, 1024);
	cr_assert(quota_of(db, QUOTA_CONSOLE, &a0, &a1));
	cr_assert_eq(a0, QUOTA_CONSOLE | QUOTA_THROTTLE << 8 | 16384ull << 16);
	cr_assert_eq(a1, 4096);
}

Test(manifest, bad_manifest_names_node_and_property_and_creates_nothing)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		char err[MANIFEST_ERR_MAX] = "";
		test_boot(2);
		struct test_digest before = test_digest();
		int r = manifest_load(build(cases[i].d), sizeof(blob), &sum, err, sizeof(err));
		cr_assert_eq(r, -1, "case %u loaded", i);
		cr_assert(strncmp(err, cases[i].message, strlen(cases[i].message)) == 0,
			  "case %u: got '%s', want '%s'", i, err, cases[i].message);
		cr_assert_eq(test_hal.nrecords, 1, "case %u created objects", i);
		struct test_digest after = test_digest();
		cr_assert_arr_eq(before.b, after.b, 16);
	}
}

Test(manifest, garbage_is_not_a_manifest)
{
	char err[MANIFEST_ERR_MAX];
	static u8 junk[256];

	for (unsigned i = 0; i < sizeof(junk); i++)
		junk[i] = (u8)(i * 37 + 11);
	test_boot(1);
	cr_assert_eq(manifest_load(junk, sizeof(junk), &sum, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "/: not a valid device tree blob (compile the .dts with dtc)");
	cr_assert_eq(manifest_load(build(GOOD), 40, &sum, err, sizeof(err)), -1, "truncated");
}

Test(manifest, the_shipped_demo_manifest_loads)
{
	char err[MANIFEST_ERR_MAX] = "";
	static char demo[65536];
	FILE *f = fopen(DEMO_MANIFEST_DTB, "rb");

	cr_assert_not_null(f, "%s", DEMO_MANIFEST_DTB);
	usize n = fread(demo, 1, sizeof(demo), f);
	fclose(f);
	test_boot(2);
	cr_assert_eq(manifest_load(demo, n, &sum, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sum.partitions, 4);
	cr_assert_eq(sum.edges, 4);
}
