/* Capabilities: slots only, rights that shrink, GRANT, revocation of whole subtrees. */
#include <criterion/criterion.h>

#include <ruvix/cap.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/region.h>
#include <ruvix/witness.h>

#include "test_hal.h"

static handle_t A, B, C, R;
static u32 a, b, c;

/* Three partitions; a holds every right on a region in slot 0 and write on b and c. */
static void world(void)
{
	test_boot(2);
	A = test_partition("a", 0);
	B = test_partition("b", 1);
	C = test_partition("c", 1);
	a = handle_index(A);
	b = handle_index(B);
	c = handle_index(C);
	cr_assert_eq(region_create(A, 0x10000, 0x1000, MEM_WARM, &R), KERR_OK);
	cr_assert_eq(cap_install(a, 0, OBJ_REGION, R, RIGHTS_ALL), KERR_OK);
	cr_assert_eq(cap_install(a, 1, OBJ_PARTITION, B, RIGHT_WRITE), KERR_OK);
	cr_assert_eq(cap_install(a, 2, OBJ_PARTITION, C, RIGHT_WRITE), KERR_OK);
	cr_assert_eq(cap_install(b, 1, OBJ_PARTITION, C, RIGHT_WRITE), KERR_OK);
}

Test(cap, derived_rights_only_shrink)
{
	struct cap_info info;

	world();
	cr_assert_eq(cap_derive(a, 0, 5, RIGHT_READ | RIGHT_GRANT), KERR_OK);
	cr_assert_eq(cap_info(a, 5, &info), KERR_OK);
	cr_assert_eq(info.rights, RIGHT_READ | RIGHT_GRANT);
	cr_assert_eq(info.object, R);
	/* From the narrower copy, WRITE cannot come back. */
	cr_assert_eq(cap_derive(a, 5, 6, RIGHT_READ | RIGHT_WRITE), KERR_DENIED);
	cr_assert_eq(cap_info(a, 6, &info), KERR_DENIED, "the refused derive made nothing");
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_REFUSED);
	cr_assert_eq(r.actor, a);
	cr_assert_eq(r.tier, TIER_P1);
}

Test(cap, grant_needs_grant_right)
{
	world();
	cr_assert_eq(cap_derive(a, 0, 5, RIGHT_READ), KERR_OK); /* no GRANT in slot 5 */
	cr_assert_eq(cap_grant(a, 5, 1, 0, RIGHT_READ), KERR_DENIED);
	cr_assert_eq(cap_count(b), 1);
	cr_assert_eq(cap_grant(a, 0, 1, 0, RIGHT_READ), KERR_OK);
	cr_assert_eq(cap_count(b), 2);
	cr_assert_eq(test_hal_last().tier, TIER_P2, "grant passes the P2 quota check");
}

Test(cap, grant_needs_write_on_the_receiving_partition)
{
	world();
	cr_assert_eq(cap_install(a, 7, OBJ_PARTITION, B, RIGHT_READ), KERR_OK); /* b, read only */
	cr_assert_eq(cap_grant(a, 0, 7, 0, RIGHT_READ), KERR_DENIED);
	cr_assert_eq(cap_grant(a, 0, 3, 0, RIGHT_READ), KERR_DENIED, "empty slot");
}

Test(cap, grant_into_an_occupied_slot_is_refused)
{
	world();
	cr_assert_eq(cap_grant(a, 0, 1, 1, RIGHT_READ), KERR_STATE); /* b's slot 1 is taken */
}

Test(cap, revoke_removes_whole_subtree)
{
	struct cap_info info;

	world();
	/* a:0 -> a:5 (RGRev) -> b:0 (RG) -> c:0 (R); a:0 -> b:2 (R) */
	cr_assert_eq(cap_derive(a, 0, 5, RIGHT_READ | RIGHT_GRANT | RIGHT_REVOKE), KERR_OK);
	cr_assert_eq(cap_grant(a, 5, 1, 0, RIGHT_READ | RIGHT_GRANT), KERR_OK);
	cr_assert_eq(cap_grant(b, 0, 1, 0, RIGHT_READ), KERR_OK);
	cr_assert_eq(cap_grant(a, 0, 1, 2, RIGHT_READ), KERR_OK);
	cr_assert_eq(cap_info(c, 0, &info), KERR_OK);

	cr_assert_eq(cap_revoke(a, 5), KERR_OK);
	cr_assert_eq(test_hal_last().arg1, 2, "the record counts what was removed");
	cr_assert_eq(cap_info(a, 5, &info), KERR_OK, "revoke keeps the capability itself");
	cr_assert_eq(cap_info(b, 0, &info), KERR_DENIED);
	cr_assert_eq(cap_info(c, 0, &info), KERR_DENIED, "grandchild in a third partition");
	cr_assert_eq(cap_info(b, 2, &info), KERR_OK, "a sibling subtree is untouched");
}

Test(cap, revoke_needs_revoke_right)
{
	world();
	cr_assert_eq(cap_derive(a, 0, 5, RIGHT_READ), KERR_OK);
	cr_assert_eq(cap_revoke(a, 5), KERR_DENIED);
}

Test(cap, delete_removes_the_capability_and_its_subtree)
{
	struct cap_info info;

	world();
	cr_assert_eq(cap_derive(a, 0, 5, RIGHT_READ | RIGHT_GRANT), KERR_OK);
	cr_assert_eq(cap_grant(a, 5, 1, 0, RIGHT_READ), KERR_OK);
	cr_assert_eq(cap_delete(a, 5), KERR_OK);
	cr_assert_eq(cap_info(a, 5, &info), KERR_DENIED);
	cr_assert_eq(cap_info(b, 0, &info), KERR_DENIED);
	cr_assert_eq(cap_info(a, 0, &info), KERR_OK, "the parent stays");
}

Test(cap, slots_are_the_only_names)
{
	handle_t obj;

	world();
	cr_assert_eq(cap_check(a, RUVIX_CAP_SLOTS, OBJ_REGION, 0, &obj), KERR_DENIED);
	cr_assert_eq(cap_derive(a, RUVIX_CAP_SLOTS, 1, RIGHT_READ), KERR_INVALID);
	cr_assert_eq(cap_derive(a, 0, RUVIX_CAP_SLOTS, RIGHT_READ), KERR_INVALID);
	/* b holds nothing for the region: a's slot 0 means nothing in b's space. */
	cr_assert_eq(cap_check(b, 0, OBJ_REGION, RIGHT_READ, &obj), KERR_DENIED);
	/* The type must match too. */
	cr_assert_eq(cap_check(a, 0, OBJ_EDGE, 0, &obj), KERR_DENIED);
}

Test(cap, capabilities_to_a_dead_object_go_with_it)
{
	struct cap_info info;

	world();
	cr_assert_eq(cap_grant(a, 0, 1, 0, RIGHT_READ), KERR_OK); /* b holds the region */
	cr_assert_eq(partition_ctl_kernel(A, PART_TERMINATE, 0), KERR_OK);
	cr_assert_eq(cap_info(b, 0, &info), KERR_DENIED, "region died with its owner");
	cr_assert_eq(cap_info(b, 1, &info), KERR_OK, "b's capability to c is unrelated");
}

Test(cap, quota_is_a_p2_policy)
{
	world();
	cr_assert_eq(policy_set(POLICY_MAX_CAPS, 1), KERR_OK); /* b already holds one */
	cr_assert_eq(cap_grant(a, 0, 1, 0, RIGHT_READ), KERR_POLICY);
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_REFUSED);
	cr_assert_eq(r.tier, TIER_P2);
	cr_assert_eq((r.arg0 >> 16) & 0xffff, KERR_POLICY);
}

Test(cap, install_is_kernel_only_and_checked)
{
	world();
	cr_assert_eq(cap_install(a, 0, OBJ_REGION, R, RIGHT_READ), KERR_STATE, "slot taken");
	cr_assert_eq(cap_install(a, 9, OBJ_REGION, R, 0), KERR_INVALID, "no rights");
	cr_assert_eq(cap_install(a, 9, OBJ_REGION, R, 0x80), KERR_INVALID, "unknown right");
	cr_assert_eq(cap_install(a, 9, OBJ_EDGE, R, RIGHT_READ), KERR_STALE, "not an edge");
}
