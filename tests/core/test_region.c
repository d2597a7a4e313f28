/* Memory regions: alignment, no overlap, sharing only through an edge, tiers under a quota. */
#include <criterion/criterion.h>

#include <ruvix/cap.h>
#include <ruvix/edge.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/region.h>

#include "test_hal.h"

Test(region, must_be_page_aligned_and_non_empty)
{
	handle_t r;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	cr_assert_eq(region_create(a, 0x1001, 0x1000, MEM_HOT, &r), KERR_INVALID);
	cr_assert_eq(region_create(a, 0x1000, 0x800, MEM_HOT, &r), KERR_INVALID);
	cr_assert_eq(region_create(a, 0x1000, 0, MEM_HOT, &r), KERR_INVALID);
	cr_assert_eq(region_create(a, ~0xfffull, 0x2000, MEM_HOT, &r), KERR_INVALID, "wraps");
	cr_assert_eq(region_create(a, 0x1000, 0x1000, 4, &r), KERR_INVALID, "no tier 4");
	cr_assert_eq(region_create(a, 0x1000, 0x1000, MEM_COLD, &r), KERR_OK);
}

Test(region, memory_is_never_given_to_two_partitions)
{
	handle_t r, e;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	handle_t b = test_partition("b", 0);
	cr_assert_eq(region_create(a, 0x10000, 0x4000, MEM_HOT, &r), KERR_OK);
	cr_assert_eq(region_create(b, 0x13000, 0x1000, MEM_HOT, &r), KERR_BUSY);
	cr_assert_eq(region_create(b, 0xf000, 0x2000, MEM_HOT, &r), KERR_BUSY);
	cr_assert_eq(region_create(a, 0x10000, 0x1000, MEM_HOT, &r), KERR_BUSY, "not even twice");
	cr_assert_eq(edge_create(a, b, 0x12000, 0x1000, &e), KERR_BUSY, "nor as shared pages");
	cr_assert_eq(region_create(b, 0x14000, 0x1000, MEM_HOT, &r), KERR_OK, "adjacent is fine");
}

Test(region, shared_pages_reach_exactly_the_two_ends)
{
	handle_t priv, e;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	handle_t b = test_partition("b", 0);
	handle_t c = test_partition("c", 0);
	cr_assert_eq(region_create(a, 0x10000, 0x1000, MEM_HOT, &priv), KERR_OK);
	cr_assert_eq(edge_create(a, b, 0x20000, 0x1000, &e), KERR_OK);
	handle_t shared = edge_region(e);
	cr_assert(region_accessible(handle_index(a), priv));
	cr_assert_not(region_accessible(handle_index(b), priv));
	cr_assert(region_accessible(handle_index(a), shared));
	cr_assert(region_accessible(handle_index(b), shared));
	cr_assert_not(region_accessible(handle_index(c), shared));
}

Test(region, hot_tier_is_a_p2_quota)
{
	handle_t r1, r2;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	u32 i = handle_index(a);
	cr_assert_eq(region_create(a, 0x10000, 0x2000, MEM_HOT, &r1), KERR_OK);
	cr_assert_eq(region_create(a, 0x20000, 0x2000, MEM_COLD, &r2), KERR_OK);
	cr_assert_eq(cap_install(i, 0, OBJ_REGION, r2, RIGHT_WRITE), KERR_OK);
	cr_assert_eq(cap_install(i, 1, OBJ_REGION, r1, RIGHT_READ), KERR_OK);
	cr_assert_eq(policy_set(POLICY_HOT_QUOTA_BYTES, 0x3000), KERR_OK);
	cr_assert_eq(region_set_tier(i, 0, MEM_HOT), KERR_POLICY, "0x2000 + 0x2000 > 0x3000");
	cr_assert_eq(region_tier(r2), MEM_COLD);
	cr_assert_eq(region_set_tier(i, 0, MEM_DORMANT), KERR_OK, "other tiers are free");
	cr_assert_eq(region_set_tier(i, 1, MEM_COLD), KERR_DENIED, "read-only capability");
	cr_assert_eq(policy_set(POLICY_HOT_QUOTA_BYTES, 0x4000), KERR_OK);
	cr_assert_eq(region_set_tier(i, 0, MEM_HOT), KERR_OK);
	cr_assert_eq(region_tier(r2), MEM_HOT);
}
