/* The hypercall decoder: one place, bad arguments refused and witnessed with no change. */
#include <criterion/criterion.h>

#include <ruvix/cap.h>
#include <ruvix/edge.h>
#include <ruvix/hypercall.h>
#include <ruvix/partition.h>
#include <ruvix/witness.h>

#include "test_hal.h"

static handle_t A, B, E;
static u32 a, b;

static void world(void)
{
	test_boot(2);
	A = test_partition("a", 0);
	B = test_partition("b", 1);
	a = handle_index(A);
	b = handle_index(B);
	cr_assert_eq(edge_create(A, B, 0x40000, 0x1000, &E), KERR_OK);
	cr_assert_eq(cap_install(a, 0, OBJ_EDGE, E, RIGHT_WRITE | RIGHT_GRANT), KERR_OK);
	cr_assert_eq(cap_install(b, 0, OBJ_EDGE, E, RIGHT_READ), KERR_OK);
}

static u64 call(u32 actor, u64 x0, u64 x1, u64 x2, u64 x3, u64 x4, u64 x5)
{
	struct hv_regs r = { { x0, x1, x2, x3, x4, x5 } };

	hv_dispatch(actor, &r);
	return r.x[0];
}

/* A refused call: KERR_INVALID, exactly one WK_REFUSED of kind hypercall, no state change. */
static void expect_rejected(u32 actor, u64 x0, u64 x1, u64 x2, u64 x3, u64 x4, u64 x5)
{
	struct test_digest before = test_digest();
	usize n = test_hal.nrecords;

	cr_assert_eq(call(actor, x0, x1, x2, x3, x4, x5), KERR_INVALID, "call 0x%lx", (long)x0);
	cr_assert_eq(test_hal.nrecords, n + 1);
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_REFUSED);
	cr_assert_eq(r.arg0 & 0xffff, WK_HYPERCALL);
	cr_assert_eq((r.arg0 >> 32), x0 & 0xffffffff);
	struct test_digest after = test_digest();
	cr_assert_arr_eq(before.b, after.b, 16);
}

Test(hypercall, unknown_call_numbers_are_refused)
{
	world();
	expect_rejected(a, 0x99, 0, 0, 0, 0, 0);
	expect_rejected(a, ~0ull, 0, 0, 0, 0, 0);
	expect_rejected(a, 0x04, 0, 0, 0, 0, 0);
}

Test(hypercall, out_of_range_arguments_are_refused)
{
	world();
	expect_rejected(a, HV_EDGE_SEND, 0x10000, 0, 8, 0, 0);	    /* slot > 16 bits */
	expect_rejected(a, HV_EDGE_SEND, 0, 1ull << 32, 8, 0, 0);   /* offset > 32 bits */
	expect_rejected(a, HV_CAP_DERIVE, 0, 1, 0x100, 0, 0);	    /* rights > 8 bits */
	expect_rejected(a, HV_PARTITION_CTL, 0, 1, 1u << 24, 0, 0); /* op argument > 24 bits */
}

Test(hypercall, unused_registers_must_be_zero)
{
	world();
	expect_rejected(a, HV_YIELD, 1, 0, 0, 0, 0);
	expect_rejected(a, HV_EDGE_SEND, 0, 0, 8, 1, 0);
	expect_rejected(a, HV_CAP_REVOKE, 0, 0, 0, 0, 1);
}

Test(hypercall, a_dead_caller_is_refused)
{
	world();
	expect_rejected(RUVIX_MAX_PARTITIONS - 1, HV_VERSION, 0, 0, 0, 0, 0);
	expect_rejected(ACTOR_KERNEL, HV_VERSION, 0, 0, 0, 0, 0);
}

Test(hypercall, calls_reach_their_operations)
{
	struct hv_regs r = { { HV_VERSION } };

	world();
	hv_dispatch(a, &r);
	cr_assert_eq(r.x[0], KERR_OK);
	cr_assert_eq(r.x[1], HV_ABI_VERSION);

	cr_assert_eq(call(a, HV_EDGE_SEND, 0, 0x20, 16, 0, 0), KERR_OK);
	r = (struct hv_regs){ { HV_EDGE_RECV, 0 } };
	hv_dispatch(b, &r);
	cr_assert_eq(r.x[0], KERR_OK);
	cr_assert_eq(r.x[1], 0x20);
	cr_assert_eq(r.x[2], 16);

	r = (struct hv_regs){ { HV_CAP_INFO, 0 } };
	hv_dispatch(a, &r);
	cr_assert_eq(r.x[0], KERR_OK);
	cr_assert_eq(r.x[1], OBJ_EDGE);
	cr_assert_eq(r.x[2], RIGHT_WRITE | RIGHT_GRANT);

	cr_assert_eq(call(a, HV_CAP_DERIVE, 0, 3, RIGHT_WRITE, 0, 0), KERR_OK);
	cr_assert_eq(call(a, HV_CAP_DELETE, 3, 0, 0, 0, 0), KERR_OK);
	cr_assert_eq(call(a, HV_CHECKPOINT, SLOT_SELF, 0, 0, 0, 0), KERR_OK);
	cr_assert_eq(call(b, HV_PARTITION_CTL, SLOT_SELF, PART_SUSPEND, 0, 0, 0), KERR_OK);
	cr_assert_eq(partition_state(B), PS_SUSPENDED);
	cr_assert_eq(call(a, HV_EXIT, 0, 0, 0, 0, 0), KERR_OK);
	cr_assert_not(partition_valid(A));
}

Test(hypercall, operation_errors_come_back_in_x0)
{
	world();
	cr_assert_eq(call(b, HV_EDGE_SEND, 0, 0, 8, 0, 0), KERR_DENIED);
	cr_assert_eq(call(b, HV_EDGE_RECV, 0, 0, 0, 0, 0), KERR_EMPTY);
	cr_assert_eq(call(a, HV_CAP_INFO, 9, 0, 0, 0, 0), KERR_DENIED);
	cr_assert_eq(test_hal_last().kind, WK_REFUSED, "a failed info is witnessed too");
}
