/* The proof gate: single-use tokens bound to one operation; P3 deferred deep checks. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>

#include <ruvix/cap.h>
#include <ruvix/checkpoint.h>
#include <ruvix/partition.h>
#include <ruvix/proof.h>
#include <ruvix/region.h>
#include <ruvix/witness.h>

#include "../../core/cap_table.h"
#include "test_hal.h"

static const struct proof_op op = {
	.kind = WK_POLICY_SET, .tier = TIER_KERNEL, .actor = ACTOR_KERNEL, .arg0 = 1, .arg1 = 2
};

Test(proof, passing_verdict_mints_a_token_after_the_witness)
{
	enum kerr err;

	test_boot(1);
	const struct proof_token *t = proof_gate(&op, KERR_OK, &err);
	cr_assert_not_null(t);
	cr_assert_eq(err, KERR_OK);
	cr_assert_eq(test_hal_last().kind, WK_POLICY_SET);
	proof_consume(t, &op);
}

Test(proof, failing_verdict_is_witnessed_and_gives_no_token)
{
	enum kerr err;

	test_boot(1);
	cr_assert_null(proof_gate(&op, KERR_DENIED, &err));
	cr_assert_eq(err, KERR_DENIED);
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_REFUSED);
	cr_assert_eq(r.arg0, WK_POLICY_SET | KERR_DENIED << 16 | 1ull << 32);
}

Test(proof, no_witness_no_token)
{
	enum kerr err;

	test_boot(1);
	test_hal.refuse_export = true;
	cr_assert_null(proof_gate(&op, KERR_OK, &err));
	cr_assert_eq(err, KERR_WITNESS);
}

Test(proof, token_is_single_use, .signal = SIGABRT)
{
	enum kerr err;

	test_boot(1);
	const struct proof_token *t = proof_gate(&op, KERR_OK, &err);
	proof_consume(t, &op);
	proof_consume(t, &op);
}

Test(proof, token_is_bound_to_its_exact_operation, .signal = SIGABRT)
{
	enum kerr err;
	struct proof_op other = op;

	test_boot(1);
	const struct proof_token *t = proof_gate(&op, KERR_OK, &err);
	other.arg1 = 3;
	proof_consume(t, &other);
}

Test(proof, forged_token_is_refused, .signal = SIGABRT)
{
	static u64 fake[8] = { 1, 1 };

	test_boot(1);
	proof_consume((const struct proof_token *)fake, &op);
}

Test(proof, p3_audit_catches_a_corrupted_derivation_and_restores)
{
	handle_t r;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	handle_t b = test_partition("b", 0);
	u32 i = handle_index(a);
	cr_assert_eq(region_create(a, 0x1000, 0x1000, MEM_HOT, &r), KERR_OK);
	cr_assert_eq(cap_install(i, 0, OBJ_REGION, r, RIGHT_READ | RIGHT_WRITE), KERR_OK);
	cr_assert_eq(checkpoint_take_kernel(a), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(a, PART_SUSPEND, 0), KERR_OK);
	cr_assert_eq(cap_derive(i, 0, 1, RIGHT_READ), KERR_OK);
	cr_assert_eq(proof_pending(), 1, "the derive queued a deep check");

	/* Memory corruption: the child gains a right its parent never had. */
	struct cap_info info;
	cr_assert_eq(cap_info(i, 1, &info), KERR_OK);
	for (u32 k = 0; k < RUVIX_MAX_CAPS; k++)
		if (cap_table[k].live && cap_table[k].owner == i && cap_table[k].slot == 1)
			cap_table[k].rights |= RIGHT_GRANT;

	usize before = test_hal.nrecords;
	cr_assert_eq(kernel_idle(8), 1);
	cr_assert_eq(test_hal.nrecords, before + 1);
	struct witness_record c = test_hal_last();
	cr_assert_eq(c.kind, WK_CONTAIN);
	cr_assert_eq(c.tier, TIER_P3);
	cr_assert_eq(c.target, a);
	cr_assert_eq(c.arg0 & 0xf, CONTAIN_P3_FAILED);
	cr_assert_eq((c.arg0 >> 4) & 0xf, P3_CAP_TREE);
	cr_assert_eq(c.arg0 >> 8, CONTAIN_RESTORE);
	cr_assert_eq(partition_state(a), PS_RUNNING, "rolled back to the checkpoint");
	cr_assert_eq(partition_state(b), PS_RUNNING, "the other partition is untouched");
}

Test(proof, p3_audit_passes_on_a_healthy_tree)
{
	handle_t r;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	handle_t b = test_partition("b", 0);
	u32 i = handle_index(a);
	cr_assert_eq(region_create(a, 0x1000, 0x1000, MEM_HOT, &r), KERR_OK);
	cr_assert_eq(cap_install(i, 0, OBJ_REGION, r, RIGHTS_ALL), KERR_OK);
	cr_assert_eq(cap_install(i, 1, OBJ_PARTITION, b, RIGHT_WRITE), KERR_OK);
	for (u32 s = 2; s < 10; s++)
		cr_assert_eq(cap_derive(i, 0, s, RIGHT_READ | RIGHT_GRANT), KERR_OK);
	cr_assert_eq(cap_grant(i, 3, 1, 0, RIGHT_READ), KERR_OK);
	cr_assert_eq(cap_delete(i, 5), KERR_OK);
	usize before = test_hal.nrecords;
	cr_assert_geq(kernel_idle(100), 1);
	cr_assert_eq(test_hal.nrecords, before, "a passing check writes nothing");
	cr_assert(partition_valid(a));
}

/* Every partition's deferred check fits, also when slots are reused: checks coalesce per
 * partition slot, so one partition cannot crowd out another's and none is dropped. */
Test(proof, the_p3_queue_holds_a_check_for_every_partition_slot)
{
	handle_t h[RUVIX_MAX_PARTITIONS];
	char name[8];

	test_boot(1);
	for (int i = 0; i < RUVIX_MAX_PARTITIONS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		h[i] = test_partition(name, 0);
		proof_defer(P3_CAP_TREE, h[i]);
	}
	proof_defer(P3_WITNESS_CHAIN, HANDLE_NONE);
	cr_assert_eq(proof_pending(), RUVIX_MAX_PARTITIONS + 1);
	/* A partition that dies with a check queued, and the slot's next occupant asking for
	 * one: still one entry for the slot. */
	for (int round = 0; round < 3; round++) {
		cr_assert_eq(partition_ctl_kernel(h[0], PART_TERMINATE, 0), KERR_OK);
		h[0] = test_partition("again", 0);
		proof_defer(P3_CAP_TREE, h[0]);
	}
	cr_assert_eq(proof_pending(), RUVIX_MAX_PARTITIONS + 1);
	cr_assert_eq(proof_run_deferred(RUVIX_MAX_PARTITIONS + 1), RUVIX_MAX_PARTITIONS + 1);
	cr_assert_eq(proof_pending(), 0);
}
