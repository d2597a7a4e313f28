/* Device leases: exclusive, bounded by the kernel clock, policy-limited, revocable. */
#include <criterion/criterion.h>

#include <ruvix/cap.h>
#include <ruvix/kernel.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/witness.h>

#include "test_hal.h"

static handle_t A, B, D;
static u32 a, b;

static void world(void)
{
	test_boot(1);
	A = test_partition("a", 0);
	B = test_partition("b", 0);
	a = handle_index(A);
	b = handle_index(B);
	cr_assert_eq(device_create(0x9000000, 0x1000, 33, &D), KERR_OK);
}

Test(lease, expired_lease_denies_access)
{
	world();
	test_hal.now_ns = 1000;
	cr_assert_eq(lease_grant_kernel(D, A, 500), KERR_OK);
	cr_assert(lease_allows(a, D));
	cr_assert_not(lease_allows(b, D), "exclusive to its holder");
	test_hal.now_ns = 1499;
	cr_assert(lease_allows(a, D));
	test_hal.now_ns = 1500;
	/* No tick has run: the check itself reads the clock. */
	cr_assert_not(lease_allows(a, D));
}

Test(lease, tick_reclaims_expired_leases_with_a_witness)
{
	u32 holder;
	u64 deadline;

	world();
	cr_assert_eq(lease_grant_kernel(D, A, 100), KERR_OK);
	test_hal.now_ns = 99;
	cr_assert_eq(kernel_tick(), 0);
	test_hal.now_ns = 100;
	cr_assert_eq(kernel_tick(), 1);
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_LEASE_EXPIRE);
	cr_assert_eq(r.target, D);
	cr_assert_eq(r.arg0, a);
	cr_assert_eq(r.arg1, 100);
	cr_assert_not(lease_info(D, &holder, &deadline));
	cr_assert_eq(kernel_tick(), 0, "once");
}

Test(lease, a_lease_in_force_is_exclusive)
{
	world();
	cr_assert_eq(lease_grant_kernel(D, A, 100), KERR_OK);
	cr_assert_eq(lease_grant_kernel(D, B, 100), KERR_BUSY);
	test_hal.now_ns = 100; /* expired, even before a tick */
	cr_assert_eq(lease_grant_kernel(D, B, 100), KERR_OK);
	cr_assert(lease_allows(b, D));
}

Test(lease, length_is_a_p2_policy)
{
	world();
	cr_assert_eq(policy_set(POLICY_MAX_LEASE_NS, 1000), KERR_OK);
	cr_assert_eq(lease_grant_kernel(D, A, 1001), KERR_POLICY);
	cr_assert_eq(test_hal_last().tier, TIER_P2);
	cr_assert_eq(lease_grant_kernel(D, A, 1000), KERR_OK);
	cr_assert_eq(test_hal_last().tier, TIER_P2);
	cr_assert_eq(lease_grant_kernel(D, A, 0), KERR_INVALID);
}

Test(lease, partitions_lease_with_grant_on_the_device)
{
	world();
	cr_assert_eq(cap_install(a, 0, OBJ_DEVICE, D, RIGHT_READ), KERR_OK);
	cr_assert_eq(cap_install(a, 1, OBJ_PARTITION, B, RIGHT_WRITE), KERR_OK);
	cr_assert_eq(lease_grant(a, 0, 1, 100), KERR_DENIED);
	cr_assert_eq(cap_install(a, 2, OBJ_DEVICE, D, RIGHT_GRANT), KERR_OK);
	cr_assert_eq(lease_grant(a, 2, 1, 0), KERR_INVALID, "zero length");
	cr_assert_eq(lease_grant(a, 2, 1, 100), KERR_OK);
	cr_assert(lease_allows(b, D));
	cr_assert_eq(lease_revoke(a, 0), KERR_DENIED);
	cr_assert_eq(lease_revoke(a, 2), KERR_OK);
	cr_assert_not(lease_allows(b, D), "revocation needs no cooperation from b");
	cr_assert_eq(lease_revoke(a, 2), KERR_STATE, "nothing left to revoke");
}

Test(lease, devices_do_not_overlap)
{
	handle_t d;

	world();
	cr_assert_eq(device_create(0x9000800, 0x1000, 34, &d), KERR_BUSY);
	cr_assert_eq(device_create(0x9001000, 0x1000, 34, &d), KERR_OK);
	cr_assert_eq(device_create(0x1000, 0, 34, &d), KERR_INVALID);
}
