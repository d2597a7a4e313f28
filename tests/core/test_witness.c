/* Witness records: wire layout, chain, export-before-commit. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include <ruvix/kernel.h>
#include <ruvix/witness.h>

#include "test_hal.h"

Test(witness, encode_matches_wire_format_v1_layout)
{
	struct witness_record r = {
		.seq = 0x0102030405060708,
		.time_ns = 0x1112131415161718,
		.kind = 0x2122,
		.tier = 3,
		.cpu = 7,
		.actor = 0x31323334,
		.target = 0x4142434445464748,
		.arg0 = 0x5152535455565758,
		.arg1 = 0x6162636465666768,
	};
	u8 w[64];

	memset(r.chain, 0xab, sizeof(r.chain));
	witness_encode(&r, w);
	cr_assert_eq(w[0], 0x08); /* little-endian seq at 0 */
	cr_assert_eq(w[7], 0x01);
	cr_assert_eq(w[8], 0x18);  /* time at 8 */
	cr_assert_eq(w[16], 0x22); /* kind at 16 */
	cr_assert_eq(w[17], 0x21);
	cr_assert_eq(w[18], 3);	   /* tier */
	cr_assert_eq(w[19], 7);	   /* cpu */
	cr_assert_eq(w[20], 0x34); /* actor at 20 */
	cr_assert_eq(w[24], 0x48); /* target at 24 */
	cr_assert_eq(w[32], 0x58); /* arg0 at 32 */
	cr_assert_eq(w[40], 0x68); /* arg1 at 40 */
	cr_assert_eq(w[48], 0xab); /* chain at 48 */
	cr_assert_eq(w[63], 0xab);

	struct witness_record back;
	witness_decode(w, &back);
	cr_assert_eq(memcmp(&back, &r, sizeof(r)), 0);
}

/* Expected value computed independently: Python hashlib.blake2b(digest_size=16). */
Test(witness, chain_value_is_blake2b_128_of_prev_and_body)
{
	struct witness_record r = {
		.seq = 0,
		.time_ns = 5,
		.kind = WK_BOOT,
		.actor = WITNESS_ACTOR_KERNEL,
		.arg0 = 2 | (1ull << 32),
		.arg1 = 0x10000000,
	};
	const u8 want[16] = { 0x77, 0xa4, 0x65, 0x7a, 0xfa, 0xd2, 0xb8, 0x15,
			      0x4f, 0xb6, 0x03, 0xec, 0x28, 0x33, 0xed, 0xfd };
	u8 w[64], prev[16] = { 0 }, got[16];

	witness_encode(&r, w);
	witness_chain_value(prev, w, got);
	cr_assert_arr_eq(got, want, 16);
}

Test(witness, emit_numbers_and_chains_records)
{
	test_hal_reset();
	witness_reset();
	test_hal.now_ns = 100;
	test_hal.cpu = 1;
	cr_assert_eq(witness_emit(WK_BOOT, TIER_KERNEL, WITNESS_ACTOR_KERNEL, 0, 1, 2), WITNESS_OK);
	test_hal.now_ns = 250;
	cr_assert_eq(witness_emit(WK_HALT, TIER_P1, 7, 9, 3, 4), WITNESS_OK);

	cr_assert_eq(test_hal.nrecords, 2);
	struct witness_record a = test_hal_record(0), b = test_hal_record(1);
	cr_assert_eq(a.seq, 0);
	cr_assert_eq(b.seq, 1);
	cr_assert_eq(a.time_ns, 100);
	cr_assert_eq(b.time_ns, 250);
	cr_assert_eq(a.cpu, 1);
	cr_assert_eq(b.actor, 7);
	cr_assert_eq(b.tier, TIER_P1);
	cr_assert_eq(witness_first_time_ns(), 100);

	u8 zero[16] = { 0 }, c0[16], c1[16], head[16];
	witness_chain_value(zero, test_hal.records[0], c0);
	witness_chain_value(c0, test_hal.records[1], c1);
	cr_assert_arr_eq(a.chain, c0, 16);
	cr_assert_arr_eq(b.chain, c1, 16);
	witness_head(head);
	cr_assert_arr_eq(head, c1, 16);
	cr_assert_eq(witness_count(), 2);
}

Test(witness, refused_export_leaves_chain_unchanged)
{
	u8 before[16], after[16];

	test_hal_reset();
	witness_reset();
	cr_assert_eq(witness_emit(WK_BOOT, 0, WITNESS_ACTOR_KERNEL, 0, 0, 0), WITNESS_OK);
	witness_head(before);
	test_hal.refuse_export = true;
	cr_assert_eq(witness_emit(WK_HALT, 0, WITNESS_ACTOR_KERNEL, 0, 0, 0),
		     WITNESS_EXPORT_FAILED);
	witness_head(after);
	cr_assert_arr_eq(before, after, 16);
	cr_assert_eq(witness_count(), 1);

	/* The next accepted record continues the sequence without a gap. */
	test_hal.refuse_export = false;
	cr_assert_eq(witness_emit(WK_HALT, 0, WITNESS_ACTOR_KERNEL, 0, 0, 0), WITNESS_OK);
	cr_assert_eq(test_hal_record(1).seq, 1);
}

Test(witness, any_flipped_bit_changes_the_chain)
{
	u8 w[64], prev[16] = { 0 }, good[16], bad[16];
	struct witness_record r = { .kind = WK_BOOT };

	witness_encode(&r, w);
	witness_chain_value(prev, w, good);
	for (int bit = 0; bit < 48 * 8; bit++) {
		w[bit / 8] ^= (u8)(1u << (bit % 8));
		witness_chain_value(prev, w, bad);
		cr_assert_neq(memcmp(good, bad, 16), 0, "bit %d not covered", bit);
		w[bit / 8] ^= (u8)(1u << (bit % 8));
	}
}

Test(witness, bad_tier_is_an_invariant_violation, .signal = SIGABRT)
{
	test_hal_reset();
	witness_emit(WK_BOOT, 4, WITNESS_ACTOR_KERNEL, 0, 0, 0);
}

Test(witness, every_kind_has_a_name)
{
	const u16 kinds[] = { WK_BOOT,
			      WK_HALT,
			      WK_REFUSED,
			      WK_FAULT,
			      WK_HYPERCALL,
			      WK_POLICY_SET,
			      WK_CONTAIN,
			      WK_PARTITION_CREATE,
			      WK_PARTITION_PLACE,
			      WK_PARTITION_CTL,
			      WK_CAP_INSTALL,
			      WK_CAP_DERIVE,
			      WK_CAP_GRANT,
			      WK_CAP_REVOKE,
			      WK_CAP_DELETE,
			      WK_REGION_CREATE,
			      WK_REGION_TIER,
			      WK_EDGE_CREATE,
			      WK_EDGE_SEND,
			      WK_EDGE_RECV,
			      WK_DEVICE_CREATE,
			      WK_LEASE_GRANT,
			      WK_LEASE_REVOKE,
			      WK_LEASE_EXPIRE,
			      WK_CHECKPOINT_TAKE,
			      WK_CHECKPOINT_RESTORE,
			      WK_COH_STALE };

	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		cr_assert_not_null(witness_kind_name(kinds[i]));
	cr_assert_null(witness_kind_name(0xfffe));
}

/* A full segment starts the next at the next tick, with the chain value before it, so the
 * segment can be verified on its own; a boot goes back to the default size. */
Test(witness, a_full_segment_starts_the_next_with_the_chain_before_it)
{
	test_boot(1);
	witness_set_segment_records(5);
	test_partition("a", 0); /* 3 records (create, place, start) after the boot record */
	kernel_tick();
	cr_assert_eq(test_hal_last().kind, WK_PARTITION_CTL, "only 4 records: not full yet");
	test_partition("b", 0);
	u8 before[WITNESS_CHAIN_SIZE];
	witness_head(before);
	kernel_tick();
	struct witness_record s = test_hal_last();
	cr_assert_eq(s.kind, WK_SEGMENT);
	cr_assert_eq(s.target, 1);
	cr_assert_arr_eq(&s.arg0, before, 8);
	cr_assert_arr_eq(&s.arg1, before + 8, 8);
	usize n = test_hal.nrecords;
	kernel_tick();
	cr_assert_eq(test_hal.nrecords, n, "a new segment of one record is not full");
	test_boot(1);
	for (int i = 0; i < 3; i++)
		test_partition(i == 0 ? "x" : i == 1 ? "y" : "z", 0);
	kernel_tick();
	cr_assert_neq(test_hal_last().kind, WK_SEGMENT, "a boot restores the default size");
}
