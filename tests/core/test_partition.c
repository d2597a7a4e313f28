/* Partitions: creation, the lifecycle table, termination, handles with generations. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/checkpoint.h>
#include <ruvix/edge.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/region.h>
#include <ruvix/sched.h>
#include <ruvix/witness.h>

#include "test_hal.h"

Test(partition, create_is_witnessed_with_its_name)
{
	handle_t h;

	test_boot(2);
	cr_assert_eq(partition_create("web-frontend-01", &h), KERR_OK);
	cr_assert(partition_valid(h));
	cr_assert_str_eq(partition_name(h), "web-frontend-01");
	cr_assert_eq(partition_state(h), PS_CREATED);
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_PARTITION_CREATE);
	cr_assert_eq(r.target, h);
	char name[17] = { 0 };
	memcpy(name, &r.arg0, 8); /* little-endian host: the bytes in order */
	memcpy(name + 8, &r.arg1, 8);
	cr_assert_str_eq(name, "web-frontend-01");
}

Test(partition, refused_create_is_witnessed_and_changes_nothing)
{
	handle_t h = 0x1234;
	char longname[18];

	test_boot(2);
	memset(longname, 'a', 17);
	longname[17] = '\0';
	cr_assert_eq(partition_create("", &h), KERR_INVALID);
	cr_assert_eq(partition_create("has space", &h), KERR_INVALID);
	cr_assert_eq(partition_create(NULL, &h), KERR_INVALID);
	cr_assert_eq(partition_create(longname, &h), KERR_INVALID);
	cr_assert_eq(h, 0x1234, "a refused create must not write the handle");
	cr_assert_eq(partition_count(), 0);
	cr_assert_eq(test_hal.nrecords, 5);
	for (usize i = 1; i < 5; i++) {
		struct witness_record r = test_hal_record(i);
		cr_assert_eq(r.kind, WK_REFUSED);
		cr_assert_eq(r.arg0 & 0xffff, WK_PARTITION_CREATE);
		cr_assert_eq((r.arg0 >> 16) & 0xffff, KERR_INVALID);
	}
	longname[16] = '\0'; /* exactly 16 characters is allowed */
	cr_assert_eq(partition_create(longname, &h), KERR_OK);
}

Test(partition, full_table_refused_with_no_space)
{
	handle_t h;
	char name[16];

	test_boot(1);
	for (int i = 0; i < RUVIX_MAX_PARTITIONS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		cr_assert_eq(partition_create(name, &h), KERR_OK);
	}
	cr_assert_eq(partition_create("one-more", &h), KERR_NO_SPACE);
	cr_assert_eq(test_hal_last().kind, WK_REFUSED);
}

/* Every (state, op) pair: the documented table says which succeed and where they lead. */
Test(partition, lifecycle_allows_exactly_the_documented_transitions)
{
	static const struct {
		u8 op;
		u8 from_mask; /* bit s set: allowed from state s */
		u8 to;	      /* 0: state unchanged */
	} table[] = {
		{ PART_START, 1 << PS_CREATED, PS_RUNNING },
		{ PART_SUSPEND, 1 << PS_RUNNING, PS_SUSPENDED },
		{ PART_RESUME, 1 << PS_SUSPENDED, PS_RUNNING },
		{ PART_HIBERNATE, 1 << PS_SUSPENDED, PS_HIBERNATED },
		{ PART_WAKE, 1 << PS_HIBERNATED, PS_SUSPENDED },
		{ PART_MIGRATE_BEGIN, 1 << PS_RUNNING | 1 << PS_SUSPENDED, PS_MIGRATING },
		{ PART_MIGRATE_END, 1 << PS_MIGRATING, PS_RUNNING },
	};
	/* Op sequences from created that reach each state. */
	static const u8 reach[][3] = {
		[PS_CREATED] = { 0 },
		[PS_RUNNING] = { PART_START },
		[PS_SUSPENDED] = { PART_START, PART_SUSPEND },
		[PS_HIBERNATED] = { PART_START, PART_SUSPEND, PART_HIBERNATE },
		[PS_MIGRATING] = { PART_START, PART_MIGRATE_BEGIN },
	};

	for (unsigned t = 0; t < ARRAY_SIZE(table); t++) {
		for (u8 s = PS_CREATED; s <= PS_MIGRATING; s++) {
			handle_t h;
			test_boot(2);
			cr_assert_eq(partition_create("x", &h), KERR_OK);
			for (unsigned k = 0; k < 3 && reach[s][k]; k++)
				cr_assert_eq(partition_ctl_kernel(h, reach[s][k], 1), KERR_OK);
			cr_assert_eq(partition_state(h), s);
			usize before = test_hal.nrecords;
			enum kerr e = partition_ctl_kernel(h, table[t].op, 1);
			bool allowed = table[t].from_mask & (1 << s);
			cr_assert_eq(test_hal.nrecords, before + 1, "exactly one witness");
			if (allowed) {
				cr_assert_eq(e, KERR_OK, "%s from %s",
					     partition_op_name(table[t].op),
					     partition_state_name(s));
				cr_assert_eq(partition_state(h), table[t].to);
				cr_assert_eq(test_hal_last().kind, WK_PARTITION_CTL);
			} else {
				cr_assert_eq(e, KERR_STATE, "%s from %s must be refused",
					     partition_op_name(table[t].op),
					     partition_state_name(s));
				cr_assert_eq(partition_state(h), s,
					     "a refused op changed the state");
				cr_assert_eq(test_hal_last().kind, WK_REFUSED);
			}
		}
	}
}

Test(partition, migration_moves_the_home_cpu_at_the_end)
{
	test_boot(2);
	handle_t h = test_partition("m", 0);
	cr_assert_eq(partition_ctl_kernel(h, PART_MIGRATE_BEGIN, 2), KERR_INVALID); /* no CPU 2 */
	cr_assert_eq(partition_ctl_kernel(h, PART_MIGRATE_BEGIN, 1), KERR_OK);
	cr_assert_eq(partition_cpu(h), 0);
	cr_assert_eq(partition_ctl_kernel(h, PART_MIGRATE_END, 0), KERR_OK);
	cr_assert_eq(partition_cpu(h), 1);
}

Test(partition, terminate_releases_everything_it_owns)
{
	handle_t e, r, dev;

	test_boot(2);
	handle_t a = test_partition("a", 0);
	handle_t b = test_partition("b", 1);
	cr_assert_eq(region_create(a, 0x100000, 0x2000, MEM_HOT, &r), KERR_OK);
	cr_assert_eq(edge_create(a, b, 0x200000, 0x1000, &e), KERR_OK);
	cr_assert_eq(cap_install(handle_index(a), 0, OBJ_REGION, r, RIGHTS_ALL), KERR_OK);
	cr_assert_eq(cap_install(handle_index(b), 0, OBJ_EDGE, e, RIGHTS_ALL), KERR_OK);
	cr_assert_eq(cap_install(handle_index(b), 1, OBJ_PARTITION, a, RIGHTS_ALL), KERR_OK);
	cr_assert_eq(device_create(0x9000000, 0x1000, 33, &dev), KERR_OK);
	cr_assert_eq(lease_grant_kernel(dev, a, 1000), KERR_OK);
	cr_assert_eq(checkpoint_take_kernel(a), KERR_OK);

	cr_assert_eq(partition_ctl_kernel(a, PART_TERMINATE, 0), KERR_OK);
	cr_assert_not(partition_valid(a));
	cr_assert_not(region_valid(r));
	cr_assert_not(edge_valid(e), "an edge dies with either end");
	cr_assert_eq(cap_count(handle_index(b)), 0, "b's caps to a and to the edge are gone");
	cr_assert_not(lease_allows(handle_index(a), dev));
	cr_assert_not(checkpoint_exists(handle_index(a)));
	cr_assert(partition_valid(b));
	/* The freed memory can be given out again. */
	handle_t r2;
	cr_assert_eq(region_create(b, 0x100000, 0x2000, MEM_HOT, &r2), KERR_OK);
}

Test(partition, stale_handle_refused)
{
	test_boot(1);
	handle_t old = test_partition("a", 0);
	cr_assert_eq(partition_ctl_kernel(old, PART_TERMINATE, 0), KERR_OK);
	handle_t fresh = test_partition("a", 0);
	cr_assert_eq(handle_index(fresh), handle_index(old), "the slot is reused");
	cr_assert_neq(handle_gen(fresh), handle_gen(old));
	cr_assert_not(partition_valid(old));
	cr_assert_eq(partition_ctl_kernel(old, PART_SUSPEND, 0), KERR_STALE);
	cr_assert_eq(partition_state(fresh), PS_RUNNING, "the stale handle must not reach it");
	cr_assert_not(partition_valid(HANDLE_NONE));
}

Test(partition, partitions_control_others_only_with_execute)
{
	test_boot(1);
	handle_t boss = test_partition("boss", 0);
	handle_t w = test_partition("worker", 0);
	u32 b = handle_index(boss);

	cr_assert_eq(partition_ctl(b, 0, PART_SUSPEND, 0), KERR_DENIED); /* empty slot */
	cr_assert_eq(cap_install(b, 0, OBJ_PARTITION, w, RIGHT_READ), KERR_OK);
	cr_assert_eq(partition_ctl(b, 0, PART_SUSPEND, 0), KERR_DENIED);
	cr_assert_eq(cap_install(b, 1, OBJ_PARTITION, w, RIGHT_EXECUTE), KERR_OK);
	cr_assert_eq(partition_ctl(b, 1, PART_SUSPEND, 0), KERR_OK);
	cr_assert_eq(partition_state(w), PS_SUSPENDED);
	/* Itself: only suspend and terminate. */
	cr_assert_eq(partition_ctl(b, SLOT_SELF, PART_MIGRATE_BEGIN, 0), KERR_DENIED);
	cr_assert_eq(partition_ctl(b, SLOT_SELF, PART_TERMINATE, 0), KERR_OK);
	cr_assert_not(partition_valid(boss));
}

Test(partition, nothing_happens_without_the_witness)
{
	handle_t h;

	test_boot(1);
	handle_t a = test_partition("a", 0);
	struct test_digest before = test_digest();
	test_hal.refuse_export = true;
	cr_assert_eq(partition_create("b", &h), KERR_WITNESS);
	cr_assert_eq(partition_ctl_kernel(a, PART_SUSPEND, 0), KERR_WITNESS);
	cr_assert_eq(partition_ctl_kernel(a, PART_TERMINATE, 0), KERR_WITNESS);
	struct test_digest after = test_digest();
	cr_assert_arr_eq(before.b, after.b, 16);
	cr_assert_eq(partition_count(), 1);
}

/* A suspended partition is never picked, and the backend hears of it at once (so it can stop
 * one that runs on another CPU); a resume queues it again without any backend help. */
Test(partition, suspend_stops_and_resume_queues_again)
{
	test_boot(2);
	handle_t h = test_partition("worker", 1);
	cr_assert_eq(sched_wake(h), KERR_OK);
	u32 calls = test_hal.runnable_calls;
	cr_assert_eq(partition_ctl_kernel(h, PART_SUSPEND, 0), KERR_OK);
	cr_assert_eq(test_hal.runnable_calls, calls + 1);
	cr_assert_eq(test_hal.runnable_last_p, handle_index(h));
	cr_assert(!test_hal.runnable_last);
	cr_assert_eq(sched_next(1), HANDLE_NONE, "a suspended partition must not run");
	cr_assert_eq(partition_ctl_kernel(h, PART_RESUME, 0), KERR_OK);
	cr_assert_eq(test_hal.runnable_calls, calls + 2);
	cr_assert(test_hal.runnable_last);
	cr_assert_eq(sched_next(1), h, "a resumed partition must be queued by the core itself");
}

Test(partition, a_partition_may_suspend_itself_but_not_resume_itself)
{
	test_boot(1);
	handle_t h = test_partition("self", 0);
	cr_assert_eq(partition_ctl(handle_index(h), SLOT_SELF, PART_SUSPEND, 0), KERR_OK);
	cr_assert_eq(partition_state(h), PS_SUSPENDED);
	cr_assert(!test_hal.runnable_last);
	cr_assert_eq(partition_ctl(handle_index(h), SLOT_SELF, PART_RESUME, 0), KERR_DENIED);
	cr_assert_eq(partition_state(h), PS_SUSPENDED);
}

Test(partition, terminate_and_migration_tell_the_backend)
{
	test_boot(2);
	handle_t h = test_partition("mover", 0);
	cr_assert_eq(partition_ctl_kernel(h, PART_MIGRATE_BEGIN, 1), KERR_OK);
	cr_assert(!test_hal.runnable_last, "a migrating partition may not run");
	cr_assert_eq(sched_wake(h), KERR_STATE);
	cr_assert_eq(partition_ctl_kernel(h, PART_MIGRATE_END, 0), KERR_OK);
	cr_assert(test_hal.runnable_last);
	cr_assert_eq(sched_next(0), HANDLE_NONE);
	cr_assert_eq(sched_next(1), h, "queued on its new CPU when the migration ends");
	u32 calls = test_hal.runnable_calls;
	cr_assert_eq(partition_ctl_kernel(h, PART_TERMINATE, 0), KERR_OK);
	cr_assert_eq(test_hal.runnable_calls, calls + 1);
	cr_assert(!test_hal.runnable_last);
	/* A start is the backend's to queue: the backend hears of it, nothing is queued. */
	handle_t s;
	cr_assert_eq(partition_create("late", &s), KERR_OK);
	calls = test_hal.runnable_calls;
	cr_assert_eq(partition_ctl_kernel(s, PART_START, 0), KERR_OK);
	cr_assert_eq(test_hal.runnable_calls, calls + 1);
	cr_assert(test_hal.runnable_last);
	cr_assert_eq(sched_next(0), HANDLE_NONE);
}
