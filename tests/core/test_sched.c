/* The foundation scheduler: per-CPU FIFO of runnable partitions. */
#include <criterion/criterion.h>

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
