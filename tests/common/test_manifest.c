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
};

static char blob[8192];

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
};

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
