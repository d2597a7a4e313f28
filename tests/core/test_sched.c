/* The scheduler: earliest key first per CPU, the key being deadline minus cut pressure. */
#include <criterion/criterion.h>

#include <ruvix/checkpoint.h>
#include <ruvix/partition.h>
#include <ruvix/sched.h>

#include "test_hal.h"

Test(sched, runs_partitions_in_wake_order_on_their_home_cpu)
{
	test_boot(2);
	handle_t a = test_partition("a", 0);
	handle_t b = test_partition("b", 1);
	handle_t c = test_partition("c", 0);
	cr_assert_eq(sched_wake(c), KERR_OK);
	cr_assert_eq(sched_wake(b), KERR_OK);
	cr_assert_eq(sched_wake(a), KERR_OK);
	cr_assert_eq(sched_queued(0), 2);
	cr_assert_eq(sched_next(0), c);
	cr_assert_eq(sched_next(0), a);
	cr_assert_eq(sched_next(0), HANDLE_NONE);
	cr_assert_eq(sched_next(1), b);
	cr_assert_eq(sched_next(1), HANDLE_NONE);
}

Test(sched, waking_a_queued_partition_keeps_one_entry)
{
	test_boot(1);
	handle_t a = test_partition("a", 0);
	sched_wake(a);
	sched_wake(a);
	cr_assert_eq(sched_queued(0), 1);
	cr_assert_eq(sched_next(0), a);
	cr_assert_eq(sched_next(0), HANDLE_NONE);
}

Test(sched, only_running_partitions_are_scheduled)
{
	handle_t idle;

	test_boot(1);
	cr_assert_eq(partition_create("idle", &idle), KERR_OK);
	cr_assert_eq(sched_wake(idle), KERR_STATE, "a created partition is not started");
	handle_t a = test_partition("a", 0);
	cr_assert_eq(sched_wake(a), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(a, PART_SUSPEND, 0), KERR_OK);
	cr_assert_eq(sched_next(0), HANDLE_NONE, "suspended after it was queued");
}

Test(sched, stale_handle_refused)
{
	test_boot(1);
	handle_t a = test_partition("a", 0);
	cr_assert_eq(partition_ctl_kernel(a, PART_TERMINATE, 0), KERR_OK);
	cr_assert_eq(sched_wake(a), KERR_STALE);
	cr_assert_eq(sched_queued(0), 0);
}

Test(sched, queue_wraps_around_many_times)
{
	handle_t p[3];

	test_boot(1);
	p[0] = test_partition("x", 0);
	p[1] = test_partition("y", 0);
	p[2] = test_partition("z", 0);
	for (int round = 0; round < 10 * RUVIX_MAX_PARTITIONS; round++) {
		sched_wake(p[round % 3]);
		cr_assert_eq(sched_next(0), p[round % 3]);
	}
}

Test(sched, earliest_deadline_runs_first)
{
	test_boot(1);
	handle_t batch = test_partition("batch", 0);
	handle_t urgent = test_partition("urgent", 0);
	cr_assert_eq(sched_set_mode(urgent, SCHED_REFLEX), KERR_OK);
	test_hal.now_ns = 1000;
	cr_assert_eq(sched_wake(batch), KERR_OK); /* deadline 1000 + 10 ms */
	test_hal.now_ns = 5000;
	cr_assert_eq(sched_wake(urgent), KERR_OK); /* deadline 5000 + 100 us: earlier */
	cr_assert_eq(sched_deadline(urgent), 5000 + SCHED_REFLEX_DEADLINE_NS);
	cr_assert_eq(sched_next(0), urgent, "woken later, but its deadline is earlier");
	cr_assert_eq(sched_next(0), batch);
}

Test(sched, a_late_flow_wake_does_not_pass_an_earlier_deadline)
{
	test_boot(1);
	handle_t a = test_partition("a", 0);
	handle_t r = test_partition("r", 0);
	cr_assert_eq(sched_set_mode(r, SCHED_REFLEX), KERR_OK);
	test_hal.now_ns = 0;
	sched_wake(r); /* 100 us */
	test_hal.now_ns = 50;
	sched_wake(a); /* 10 ms + 50 */
	cr_assert_eq(sched_next(0), r);
	/* Long after, r wakes again: now its deadline is later than a's. */
	test_hal.now_ns = SCHED_FLOW_DEADLINE_NS;
	sched_wake(r);
	cr_assert_eq(sched_next(0), a);
	cr_assert_eq(sched_next(0), r);
}

Test(sched, modes_set_slices_and_refuse_nonsense)
{
	test_boot(1);
	handle_t a = test_partition("a", 0);
	cr_assert_eq(sched_mode(a), SCHED_FLOW);
	cr_assert_eq(sched_slice_ns(a), SCHED_FLOW_SLICE_NS);
	cr_assert_eq(sched_set_mode(a, SCHED_REFLEX), KERR_OK);
	cr_assert_eq(sched_slice_ns(a), SCHED_REFLEX_SLICE_NS);
	cr_assert_eq(sched_set_mode(a, (enum sched_mode)7), KERR_INVALID);
}

Test(sched, cut_pressure_changes_the_order)
{
	test_boot(1);
	handle_t a = test_partition("a", 0);
	handle_t b = test_partition("b", 0);
	sched_wake(a); /* deadline 10 ms */
	test_hal.now_ns = 1000000;
	sched_wake(b); /* deadline 11 ms: later than a */
	cr_assert_eq(sched_key(a), 10000000);
	/* 500 per mille advances a flow partition by 2.5 ms: key 8.5 ms, ahead of a. */
	cr_assert_eq(sched_set_pressure(b, 500), KERR_OK);
	cr_assert_eq(sched_key(b), 8500000);
	cr_assert_eq(sched_next(0), b, "the pressured partition runs first");
	cr_assert_eq(sched_next(0), a);
	/* Without pressure the same wakes run in deadline order. */
	cr_assert_eq(sched_set_pressure(b, 0), KERR_OK);
	sched_wake(a);
	sched_wake(b);
	cr_assert_eq(sched_next(0), a);
}

Test(sched, full_pressure_does_not_pass_a_reflex_woken_at_the_same_time)
{
	test_boot(1);
	handle_t flow = test_partition("flow", 0);
	handle_t reflex = test_partition("reflex", 0);
	cr_assert_eq(sched_set_mode(reflex, SCHED_REFLEX), KERR_OK);
	cr_assert_eq(sched_set_pressure(flow, SCHED_PRESSURE_MAX), KERR_OK);
	sched_wake(flow);   /* key 10 ms - 5 ms */
	sched_wake(reflex); /* key 100 us */
	cr_assert_eq(sched_next(0), reflex);
	cr_assert_eq(sched_next(0), flow);
}

Test(sched, pressure_scales_with_the_partitions_own_deadline)
{
	test_boot(1);
	handle_t critical = test_partition("critical", 0);
	handle_t pressed = test_partition("pressed", 0);
	handle_t batch = test_partition("batch", 0);
	cr_assert_eq(sched_set_pressure(pressed, SCHED_PRESSURE_MAX), KERR_OK);
	cr_assert_eq(sched_set_pressure(batch, SCHED_PRESSURE_MAX), KERR_OK);
	test_hal.now_ns = 1000;
	/* Explicit deadlines (the simulator's requests): the advance is half of each one's own
	 * slack, not of its mode's 10 ms. */
	cr_assert_eq(sched_wake_deadline(critical, 1000 + 200000), KERR_OK);
	cr_assert_eq(sched_wake_deadline(pressed, 1000 + 300000), KERR_OK);
	cr_assert_eq(sched_wake_deadline(batch, 1000 + 1000000000), KERR_OK);
	cr_assert_eq(sched_key(pressed), 1000 + 150000);
	cr_assert_eq(sched_key(batch), 1000 + 500000000);
	cr_assert_eq(sched_next(0), pressed, "due 100 us later, but pressed: it goes first");
	cr_assert_eq(sched_next(0), critical, "full pressure on work due in 1 s passes nothing");
	cr_assert_eq(sched_next(0), batch);
	/* More urgent work for a queued partition moves its deadline and its advance. */
	cr_assert_eq(sched_wake_deadline(batch, 1000 + 1000000000), KERR_OK);
	cr_assert_eq(sched_wake_deadline(batch, 1000 + 40000), KERR_OK);
	cr_assert_eq(sched_key(batch), 1000 + 20000);
}

Test(sched, pressure_does_not_advance_work_without_a_deadline)
{
	test_boot(1);
	handle_t older = test_partition("older", 0);
	handle_t pressed = test_partition("pressed", 0);
	cr_assert_eq(sched_set_pressure(pressed, SCHED_PRESSURE_MAX), KERR_OK);
	/* Batch work ordered by arrival + 1 s: full pressure on the later arrival used to take
	 * 500 ms off its key and put it ahead of every older batch wake on its CPU. */
	test_hal.now_ns = 1000;
	cr_assert_eq(sched_wake_batch(older, 1000 + 1000000000), KERR_OK);
	test_hal.now_ns = 2000;
	cr_assert_eq(sched_wake_batch(pressed, 2000 + 1000000000), KERR_OK);
	cr_assert_eq(sched_key(pressed), 2000 + 1000000000, "no slack, so no advance");
	cr_assert_eq(sched_next(0), older, "older batch work first, whatever the pressure");
	cr_assert_eq(sched_next(0), pressed);
	/* A deadline for the same partition is advanced as before, and moves it up. */
	cr_assert_eq(sched_wake_batch(pressed, 2000 + 1000000000), KERR_OK);
	cr_assert_eq(sched_wake_deadline(pressed, 2000 + 40000), KERR_OK);
	cr_assert_eq(sched_key(pressed), 2000 + 20000);
}

Test(sched, pressure_out_of_range_is_refused)
{
	test_boot(1);
	handle_t a = test_partition("a", 0);
	cr_assert_eq(sched_set_pressure(a, 1001), KERR_INVALID);
	cr_assert_eq(sched_pressure(a), 0, "a refused pressure changes nothing");
	cr_assert_eq(sched_set_pressure(a, 1000), KERR_OK);
	cr_assert_eq(sched_pressure(a), 1000);
	cr_assert_eq(partition_ctl_kernel(a, PART_TERMINATE, 0), KERR_OK);
	cr_assert_eq(sched_set_pressure(a, 10), KERR_STALE);
}

Test(sched, a_reused_slot_starts_from_the_defaults)
{
	handle_t b;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	cr_assert_eq(sched_set_mode(a, SCHED_REFLEX), KERR_OK);
	cr_assert_eq(sched_set_pressure(a, 700), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(a, PART_TERMINATE, 0), KERR_OK);
	do /* create until the slot of a comes round again */
		cr_assert_eq(partition_create("b", &b), KERR_OK);
	while (handle_index(b) != handle_index(a));
	cr_assert_neq(b, a);
	cr_assert_eq(sched_mode(b), SCHED_FLOW);
	cr_assert_eq(sched_pressure(b), 0);
}

Test(sched, a_reused_slot_does_not_inherit_a_queue_entry)
{
	handle_t b;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	handle_t c = test_partition("c", 0);
	cr_assert_eq(sched_set_mode(a, SCHED_REFLEX), KERR_OK);
	cr_assert_eq(sched_wake(a), KERR_OK); /* queued with deadline 100 us */
	cr_assert_eq(partition_ctl_kernel(a, PART_TERMINATE, 0), KERR_OK);
	do
		cr_assert_eq(partition_create("b", &b), KERR_OK);
	while (handle_index(b) != handle_index(a));
	cr_assert_eq(partition_place(b, 0), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(b, PART_START, 0), KERR_OK);
	cr_assert_eq(sched_next(0), HANDLE_NONE, "b was never woken: the old entry is not its");
	test_hal.now_ns = 1000;
	cr_assert_eq(sched_wake(c), KERR_OK);
	test_hal.now_ns = 2000;
	cr_assert_eq(sched_wake(b), KERR_OK);
	cr_assert_eq(sched_deadline(b), 2000 + SCHED_FLOW_DEADLINE_NS);
	cr_assert_eq(sched_next(0), c);
	cr_assert_eq(sched_next(0), b);
	cr_assert_eq(sched_next(0), HANDLE_NONE);
}

Test(sched, a_queued_partition_placed_elsewhere_moves_to_its_new_cpu)
{
	test_boot(2);
	handle_t a = test_partition("a", 0);
	handle_t b = test_partition("b", 1);
	handle_t c = test_partition("c", 1);
	test_hal.now_ns = 1000;
	cr_assert_eq(sched_wake(a), KERR_OK);
	test_hal.now_ns = 2000;
	cr_assert_eq(sched_wake(b), KERR_OK);
	cr_assert_eq(sched_wake(c), KERR_OK);
	cr_assert_eq(partition_place(a, 1), KERR_OK);
	cr_assert_eq(sched_queued(0), 0, "a left cpu0's queue");
	cr_assert_eq(sched_queued(1), 3);
	cr_assert_eq(sched_deadline(a), 1000 + SCHED_FLOW_DEADLINE_NS, "a kept its deadline");
	cr_assert_eq(sched_next(0), HANDLE_NONE);
	cr_assert_eq(sched_next(1), a, "a is due first on its new CPU");
	cr_assert_eq(sched_next(1), b);
	cr_assert_eq(partition_place(b, 0), KERR_OK); /* not queued now: nothing to move */
	cr_assert_eq(sched_queued(0), 0);
	cr_assert_eq(sched_wake(b), KERR_OK);
	cr_assert_eq(sched_next(0), b, "woken on its new home");
	cr_assert_eq(sched_next(1), c);
}

Test(sched, every_change_of_home_moves_the_queue_entry)
{
	test_boot(2);
	handle_t a = test_partition("a", 0);
	cr_assert_eq(checkpoint_take_kernel(a), KERR_OK); /* records cpu0 */
	cr_assert_eq(sched_wake(a), KERR_OK);
	cr_assert_eq(partition_place(a, 1), KERR_OK);
	cr_assert_eq(sched_queued(1), 1);
	/* A restore puts back the checkpoint's CPU, and the queue entry follows. */
	cr_assert_eq(checkpoint_restore_kernel(a), KERR_OK);
	cr_assert_eq(partition_cpu(a), 0);
	cr_assert_eq(sched_queued(0), 1, "restored home, old queue");
	cr_assert_eq(sched_queued(1), 0);
	/* So does the end of a lifecycle migration. */
	cr_assert_eq(partition_ctl_kernel(a, PART_MIGRATE_BEGIN, 1), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(a, PART_MIGRATE_END, 0), KERR_OK);
	cr_assert_eq(partition_cpu(a), 1);
	cr_assert_eq(sched_queued(0), 0);
	cr_assert_eq(sched_next(1), a);
}

Test(sched, more_urgent_work_never_moves_a_pressed_partition_back)
{
	test_boot(1);
	handle_t a = test_partition("a", 0);
	cr_assert_eq(sched_set_pressure(a, SCHED_PRESSURE_MAX), KERR_OK);
	cr_assert_eq(sched_wake_deadline(a, 1000000000), KERR_OK); /* key 0.5 s */
	cr_assert_eq(sched_key(a), 500000000);
	test_hal.now_ns = 600000000;
	/* Due at 0.6003 s: earlier than 1 s, but with 300 us of slack its key would be
	 * 0.60015 s, later than the 0.5 s it has. It keeps its place. */
	cr_assert_eq(sched_wake_deadline(a, 600300000), KERR_OK);
	cr_assert_eq(sched_key(a), 500000000);
	cr_assert_eq(sched_deadline(a), 1000000000);
	/* Work due before its current key (already late, so no slack) does move it up. */
	cr_assert_eq(sched_wake_deadline(a, 400000000), KERR_OK);
	cr_assert_eq(sched_key(a), 400000000);
	cr_assert_eq(sched_deadline(a), 400000000);
}

Test(sched, the_pressure_advance_does_not_overflow)
{
	test_boot(1);
	handle_t a = test_partition("a", 0);
	cr_assert_eq(sched_set_pressure(a, SCHED_PRESSURE_MAX), KERR_OK);
	/* pressure * rel would pass 2^64 here (rel > 1.8e16 ns). */
	cr_assert_eq(sched_wake_deadline(a, 108000000000000001ull), KERR_OK);
	cr_assert_eq(sched_key(a), 108000000000000001ull - 54000000000000000ull);
}

/* A partition over its CPU budget is passed over until its next period, however early its
 * deadline; the others run meanwhile. */
Test(sched, a_partition_over_its_cpu_budget_waits_for_its_next_period)
{
	test_boot(1);
	handle_t hog = test_partition("hog", 0);
	handle_t other = test_partition("other", 0);
	cr_assert_eq(sched_set_mode(hog, SCHED_REFLEX), KERR_OK); /* the earlier deadlines */
	cr_assert_eq(sched_set_budget(hog, 100000, 1000000), KERR_OK);
	test_hal.now_ns = 0;
	cr_assert_eq(sched_wake(hog), KERR_OK);
	cr_assert_eq(sched_wake(other), KERR_OK);
	cr_assert_eq(sched_next(0), hog);
	test_hal.now_ns = 150000; /* it ran 150 us of its 100 */
	cr_assert_eq(sched_wake(hog), KERR_OK);
	cr_assert_eq(sched_next(0), other, "over its budget, the hog must wait");
	cr_assert_eq(sched_next(0), HANDLE_NONE, "and it stays queued, not picked");
	cr_assert_eq(sched_queued(0), 1);
	test_hal.now_ns = 1000000; /* the next period */
	cr_assert_eq(sched_next(0), hog);
}

Test(sched, cpu_budgets_are_checked)
{
	test_boot(1);
	handle_t h = test_partition("p", 0);
	cr_assert_eq(sched_set_budget(h, 10, 5), KERR_INVALID, "more budget than period");
	cr_assert_eq(sched_set_budget(h, 10, 0), KERR_INVALID);
	cr_assert_eq(sched_set_budget(h, 0, 10), KERR_INVALID);
	cr_assert_eq(sched_set_budget(h, 0, 0), KERR_OK, "no budget");
	cr_assert_eq(sched_set_budget(h + 1, 1, 2), KERR_STALE);
}
