/* Recovery checkpoints and containment: restore one partition, touch no other. */
#include <criterion/criterion.h>

#include <ruvix/cap.h>
#include <ruvix/checkpoint.h>
#include <ruvix/edge.h>
#include <ruvix/partition.h>
#include <ruvix/region.h>
#include <ruvix/witness.h>

#include "test_hal.h"

static handle_t A, B, RA, RB, E;

static void world(void)
{
	test_boot(2);
	A = test_partition("a", 0);
	B = test_partition("b", 1);
	cr_assert_eq(region_create(A, 0x10000, 0x1000, MEM_HOT, &RA), KERR_OK);
	cr_assert_eq(region_create(B, 0x20000, 0x1000, MEM_HOT, &RB), KERR_OK);
	cr_assert_eq(edge_create(A, B, 0x30000, 0x1000, &E), KERR_OK);
	cr_assert_eq(cap_install(handle_index(A), 0, OBJ_EDGE, E, RIGHT_WRITE), KERR_OK);
}

Test(checkpoint, restore_brings_back_state_cpu_and_tiers)
{
	world();
	cr_assert_eq(checkpoint_take_kernel(A), KERR_OK);
	cr_assert_eq(test_hal.saves, 1);
	cr_assert_eq(region_set_tier_kernel(RA, MEM_COLD), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(A, PART_MIGRATE_BEGIN, 1), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(A, PART_MIGRATE_END, 0), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(A, PART_SUSPEND, 0), KERR_OK);

	cr_assert_eq(checkpoint_restore_kernel(A), KERR_OK);
	cr_assert_eq(partition_state(A), PS_RUNNING);
	cr_assert_eq(partition_cpu(A), 0);
	cr_assert_eq(region_tier(RA), MEM_HOT);
	cr_assert_eq(test_hal.restores, 1);
}

Test(checkpoint, restore_touches_no_other_partition)
{
	world();
	cr_assert_eq(checkpoint_take_kernel(A), KERR_OK);
	cr_assert_eq(region_set_tier_kernel(RB, MEM_DORMANT), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(B, PART_SUSPEND, 0), KERR_OK);
	cr_assert_eq(edge_send(handle_index(A), 0, 0, 8), KERR_OK);
	cr_assert_eq(checkpoint_restore_kernel(A), KERR_OK);
	cr_assert_eq(partition_state(B), PS_SUSPENDED);
	cr_assert_eq(region_tier(RB), MEM_DORMANT);
	cr_assert_eq(edge_queued(E, 0), 1, "the message a sent to b stays sent");
}

Test(checkpoint, restore_without_checkpoint_is_refused)
{
	world();
	cr_assert_eq(checkpoint_restore_kernel(A), KERR_STATE);
	cr_assert_eq(test_hal_last().kind, WK_REFUSED);
}

Test(checkpoint, contain_restores_or_stops_per_partition_setting)
{
	world();
	cr_assert_eq(checkpoint_take_kernel(A), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(A, PART_SUSPEND, 0), KERR_OK);
	cr_assert_eq(kernel_contain(A, CONTAIN_FAULT, 0x92000007), KERR_OK);
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_CONTAIN);
	cr_assert_eq(r.arg0, CONTAIN_FAULT | CONTAIN_RESTORE << 8);
	cr_assert_eq(r.arg1, 0x92000007);
	cr_assert_eq(partition_state(A), PS_RUNNING, "restored");

	/* b has no checkpoint: stopped, while a keeps running. */
	cr_assert_eq(kernel_contain(B, CONTAIN_FAULT, 0), KERR_OK);
	cr_assert_eq(test_hal_last().arg0, CONTAIN_FAULT | CONTAIN_STOP << 8);
	cr_assert_not(partition_valid(B));
	cr_assert(partition_valid(A));

	/* on_fault = stop wins over an existing checkpoint. */
	cr_assert_eq(partition_ctl_kernel(A, PART_ON_FAULT, CONTAIN_STOP), KERR_OK);
	cr_assert_eq(kernel_contain(A, CONTAIN_FAULT, 0), KERR_OK);
	cr_assert_not(partition_valid(A));
}

Test(checkpoint, partitions_checkpoint_themselves)
{
	world();
	cr_assert_eq(checkpoint_take(handle_index(A), SLOT_SELF), KERR_OK);
	cr_assert(checkpoint_exists(handle_index(A)));
	cr_assert_eq(checkpoint_take(handle_index(A), 0), KERR_DENIED, "slot 0 is an edge");
}
