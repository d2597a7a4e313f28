/* Quotas: refusals over a partition's quota are counted and summarised, never lost; the
 * console is bounded; on-quota "stop" contains the partition; other partitions are untouched. */
#include <criterion/criterion.h>
#include <string.h>

#include <ruvix/checkpoint.h>
#include <ruvix/hypercall.h>
#include <ruvix/partition.h>
#include <ruvix/quota.h>
#include <ruvix/witness.h>

#include "test_hal.h"

static u64 call(u32 actor, u64 x0, u64 x1, u64 x2, u64 x3)
{
	struct hv_regs r = { { x0, x1, x2, x3, 0, 0 } };

	hv_dispatch(actor, &r);
	return r.x[0];
}

/* A refused call: edge_send on a slot with no capability. */
static u64 refused(u32 actor)
{
	return call(actor, HV_EDGE_SEND, 3, 0, 8);
}

static usize count(u16 kind, u32 actor)
{
	usize n = 0;

	for (usize i = 0; i < test_hal.nrecords; i++) {
		struct witness_record r = test_hal_record(i);
		n += r.kind == kind && r.actor == actor;
	}
	return n;
}

Test(quota, refusals_over_the_quota_are_counted_and_summarised)
{
	test_boot(1);
	handle_t flood = test_partition("flood", 0), victim = test_partition("victim", 0);
	u32 f = handle_index(flood), v = handle_index(victim);
	cr_assert_eq(quota_set(flood, QUOTA_REFUSALS, 3, 0, QUOTA_THROTTLE), KERR_OK);
	struct witness_record set = test_hal_last();
	cr_assert_eq(set.kind, WK_QUOTA_SET);
	cr_assert_eq(set.target, flood);
	cr_assert_eq(set.arg0, QUOTA_REFUSALS | QUOTA_THROTTLE << 8 | 3ull << 16);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(refused(f), KERR_DENIED, "the call still gets its real answer");
	cr_assert_eq(count(WK_REFUSED, f), 3, "only its burst is written one by one");
	cr_assert_eq(quota_dropped(f, QUOTA_REFUSALS), 7);
	cr_assert(quota_take_throttle(f), "its backend must be told to take its CPU away");
	cr_assert(!quota_take_throttle(f), "once");
	/* The victim has no quota of its own and is not affected by the flood's. */
	for (int i = 0; i < 10; i++)
		refused(v);
	cr_assert_eq(count(WK_REFUSED, v), 10);
	/* The next tick writes the count; the halt record has nothing left to add. */
	test_hal.now_ns = QUOTA_SUMMARY_NS;
	kernel_tick();
	struct witness_record s = test_hal_last();
	cr_assert_eq(s.kind, WK_QUOTA);
	cr_assert_eq(s.actor, WITNESS_ACTOR_KERNEL);
	cr_assert_eq(s.target, flood);
	cr_assert_eq(s.arg0, QUOTA_REFUSALS);
	cr_assert_eq(s.arg1, 7);
	cr_assert_eq(quota_dropped(f, QUOTA_REFUSALS), 0);
	usize n = test_hal.nrecords;
	cr_assert_eq(kernel_halt(0), KERR_OK);
	cr_assert_eq(test_hal.nrecords, n + 1);
}

Test(quota, the_halt_record_comes_after_the_last_summary)
{
	test_boot(1);
	handle_t flood = test_partition("flood", 0);
	cr_assert_eq(quota_set(flood, QUOTA_REFUSALS, 1, 0, QUOTA_THROTTLE), KERR_OK);
	refused(handle_index(flood));
	refused(handle_index(flood));
	test_hal.now_ns = 1; /* too early for a tick's summary */
	kernel_tick();
	cr_assert_eq(test_hal_last().kind, WK_REFUSED);
	cr_assert_eq(kernel_halt(0), KERR_OK);
	cr_assert_eq(test_hal_record(test_hal.nrecords - 2).kind, WK_QUOTA);
	cr_assert_eq(test_hal_record(test_hal.nrecords - 2).arg1, 1);
	cr_assert_eq(test_hal_last().kind, WK_HALT);
}

Test(quota, the_bucket_refills_at_its_rate_and_peeking_changes_nothing)
{
	test_boot(1);
	handle_t a = test_partition("a", 0), b = test_partition("b", 0);
	cr_assert_eq(quota_set(a, QUOTA_REFUSALS, 2, 1000, QUOTA_THROTTLE), KERR_OK);
	cr_assert_eq(quota_set(b, QUOTA_REFUSALS, 2, 1000, QUOTA_THROTTLE), KERR_OK);
	/* a tries every 100 us, b only every ms: both get exactly one more per ms. */
	for (u64 t = 0; t <= 3000000; t += 100000) {
		test_hal.now_ns = t;
		refused(handle_index(a));
		if (t % 1000000 == 0)
			refused(handle_index(b));
	}
	cr_assert_eq(count(WK_REFUSED, handle_index(a)), 2 + 3);
	cr_assert_eq(count(WK_REFUSED, handle_index(b)), 2 + 2, "b: two at t=0, then t=2, 3 ms");
}

Test(quota, the_console_is_bounded)
{
	test_boot(1);
	handle_t p = test_partition("talker", 0);
	cr_assert_eq(quota_set(p, QUOTA_CONSOLE, 100, 0, QUOTA_THROTTLE), KERR_OK);
	/* The test HAL's partitions have no memory to print from (invalid), until the quota
	 * refuses the bytes before they are even looked at. */
	cr_assert_eq(call(handle_index(p), HV_CONSOLE_WRITE, 0x1000, 60, 0), KERR_INVALID);
	cr_assert_eq(call(handle_index(p), HV_CONSOLE_WRITE, 0x1000, 60, 0), KERR_QUOTA);
	cr_assert_eq(quota_dropped(handle_index(p), QUOTA_CONSOLE), 60);
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_REFUSED);
	cr_assert_eq((r.arg0 >> 16) & 0xffff, KERR_QUOTA);
}

Test(quota, on_quota_stop_contains_the_partition)
{
	test_boot(1);
	handle_t flood = test_partition("flood", 0), other = test_partition("other", 0);
	cr_assert_eq(quota_set(flood, QUOTA_REFUSALS, 2, 0, QUOTA_STOP), KERR_OK);
	u32 f = handle_index(flood);
	refused(f);
	refused(f);
	cr_assert(partition_valid(flood));
	refused(f); /* over: contained */
	cr_assert(!partition_valid(flood));
	struct witness_record c = test_hal_last();
	cr_assert_eq(c.kind, WK_CONTAIN);
	cr_assert_eq(c.target, flood);
	cr_assert_eq(c.arg0, CONTAIN_QUOTA | CONTAIN_STOP << 8, "stopped, never restored");
	cr_assert(partition_valid(other));
}

/* Found by fuzz_hypercall: a call the decoder refuses (here a yield with x1 set) returned
 * before the containment check, so a partition stopped over its quota ran on. */
Test(quota, a_decoder_refusal_over_a_stop_quota_contains_too)
{
	test_boot(1);
	handle_t flood = test_partition("flood", 0);
	cr_assert_eq(quota_set(flood, QUOTA_REFUSALS, 1, 0, QUOTA_STOP), KERR_OK);
	u32 f = handle_index(flood);
	cr_assert_eq(call(f, HV_YIELD, 1, 0, 0), KERR_INVALID);
	cr_assert(partition_valid(flood));
	cr_assert_eq(call(f, HV_YIELD, 1, 0, 0), KERR_INVALID); /* over: contained */
	cr_assert(!partition_valid(flood));
	cr_assert_eq(test_hal_last().kind, WK_CONTAIN);
}

Test(quota, bad_settings_are_refused_and_witnessed)
{
	test_boot(1);
	handle_t p = test_partition("p", 0);
	cr_assert_eq(quota_set(p, QUOTA_KINDS, 1, 1, QUOTA_THROTTLE), KERR_INVALID);
	cr_assert_eq(quota_set(p, QUOTA_REFUSALS, 0, 1, QUOTA_THROTTLE), KERR_INVALID);
	cr_assert_eq(quota_set(p, QUOTA_REFUSALS, QUOTA_MAX + 1, 1, QUOTA_THROTTLE), KERR_INVALID);
	cr_assert_eq(quota_set(p, QUOTA_REFUSALS, 1, QUOTA_MAX + 1, QUOTA_THROTTLE), KERR_INVALID);
	cr_assert_eq(quota_set(p, QUOTA_REFUSALS, 1, 1, 0), KERR_INVALID);
	cr_assert_eq(quota_set(p + 1, QUOTA_REFUSALS, 1, 1, QUOTA_THROTTLE), KERR_STALE);
	cr_assert_eq(count(WK_REFUSED, WITNESS_ACTOR_KERNEL), 6);
	struct test_digest before = test_digest();
	cr_assert_eq(quota_set(p, QUOTA_REFUSALS, 5, 1, QUOTA_THROTTLE), KERR_OK);
	struct test_digest after = test_digest();
	cr_assert(memcmp(before.b, after.b, 16) != 0, "the digest covers quota settings");
}

Test(quota, a_new_partition_in_a_slot_starts_unlimited_and_keeps_the_old_count)
{
	test_boot(1);
	handle_t old = test_partition("old", 0);
	cr_assert_eq(quota_set(old, QUOTA_REFUSALS, 1, 0, QUOTA_THROTTLE), KERR_OK);
	u32 i = handle_index(old);
	refused(i);
	refused(i); /* counted */
	cr_assert_eq(partition_ctl_kernel(old, PART_TERMINATE, 0), KERR_OK);
	handle_t young = test_partition("young", 0);
	cr_assert_eq(handle_index(young), i);
	for (int k = 0; k < 5; k++)
		refused(i);
	cr_assert_eq(count(WK_REFUSED, i), 1 + 5);
	usize quotas = 0;
	for (usize k = 0; k < test_hal.nrecords; k++) {
		struct witness_record r = test_hal_record(k);
		if (r.kind == WK_QUOTA) {
			cr_assert_eq(r.target, old, "the count is the old partition's");
			cr_assert_eq(r.arg1, 1);
			quotas++;
		}
	}
	cr_assert_eq(quotas, 1);
}
