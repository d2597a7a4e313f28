/* The foundation scheduler: per-CPU FIFO of runnable partitions. */
#include <criterion/criterion.h>

#include <ruvix/partition.h>
#include <ruvix/sched.h>

#include "test_hal.h"

Test(sched, runs_partitions_in_wake_order_on_their_home_cpu)
{
	handle_t a, b, c;

	test_boot(2);
	cr_assert_eq(partition_create("a", 0, &a), KERR_OK);
	cr_assert_eq(partition_create("b", 1, &b), KERR_OK);
	cr_assert_eq(partition_create("c", 0, &c), KERR_OK);
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
	handle_t a;

	test_boot(1);
	cr_assert_eq(partition_create("a", 0, &a), KERR_OK);
	sched_wake(a);
	sched_wake(a);
	cr_assert_eq(sched_queued(0), 1);
	cr_assert_eq(sched_next(0), a);
	cr_assert_eq(sched_next(0), HANDLE_NONE);
}

Test(sched, stale_handle_refused)
{
	handle_t a;

	test_boot(1);
	cr_assert_eq(partition_create("a", 0, &a), KERR_OK);
	test_boot(1);
	cr_assert_eq(sched_wake(a), KERR_STALE);
	cr_assert_eq(sched_queued(0), 0);
}

Test(sched, queue_wraps_around_many_times)
{
	handle_t p[3];

	test_boot(1);
	cr_assert_eq(partition_create("x", 0, &p[0]), KERR_OK);
	cr_assert_eq(partition_create("y", 0, &p[1]), KERR_OK);
	cr_assert_eq(partition_create("z", 0, &p[2]), KERR_OK);
	for (int round = 0; round < 10 * RUVIX_MAX_PARTITIONS; round++) {
		sched_wake(p[round % 3]);
		cr_assert_eq(sched_next(0), p[round % 3]);
	}
}
