/* The foundation partition table: creation, refusal, handles with generations. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <ruvix/partition.h>
#include <ruvix/witness.h>

#include "test_hal.h"

Test(partition, create_is_witnessed_before_it_exists)
{
	handle_t h;

	test_boot(2);
	cr_assert_eq(partition_create("web", 1, &h), KERR_OK);
	cr_assert(partition_valid(h));
	cr_assert_str_eq(partition_name(h), "web");
	cr_assert_eq(partition_cpu(h), 1);
	struct witness_record r = test_hal_record(1);
	cr_assert_eq(r.kind, WK_PARTITION_CREATE);
	cr_assert_eq(r.target, h);
	cr_assert_eq(r.arg0, 1);
}

Test(partition, refused_create_is_witnessed_and_changes_nothing)
{
	handle_t h = 0x1234;

	test_boot(2);
	cr_assert_eq(partition_create("", 0, &h), KERR_INVALID);
	cr_assert_eq(partition_create("ok", 2, &h), KERR_INVALID); /* no CPU 2 */
	cr_assert_eq(partition_create("has space", 0, &h), KERR_INVALID);
	cr_assert_eq(partition_create(NULL, 0, &h), KERR_INVALID);
	cr_assert_eq(h, 0x1234, "a refused create must not write the handle");
	cr_assert_eq(partition_count(), 0);
	cr_assert_eq(test_hal.nrecords, 5);
	for (usize i = 1; i < 5; i++) {
		struct witness_record r = test_hal_record(i);
		cr_assert_eq(r.kind, WK_REFUSED);
		cr_assert_eq(r.arg0, WK_PARTITION_CREATE);
		cr_assert_eq(r.arg1, KERR_INVALID);
	}
}

Test(partition, name_longer_than_limit_refused)
{
	char name[PARTITION_NAME_MAX + 1];
	handle_t h;

	test_boot(1);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_assert_eq(partition_create(name, 0, &h), KERR_INVALID);
	name[PARTITION_NAME_MAX - 1] = '\0'; /* exactly the longest allowed */
	cr_assert_eq(partition_create(name, 0, &h), KERR_OK);
}

Test(partition, full_table_refused_with_no_space)
{
	handle_t h;
	char name[16];

	test_boot(1);
	for (int i = 0; i < RUVIX_MAX_PARTITIONS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		cr_assert_eq(partition_create(name, 0, &h), KERR_OK);
	}
	cr_assert_eq(partition_create("one-more", 0, &h), KERR_NO_SPACE);
	struct witness_record r = test_hal_record(test_hal.nrecords - 1);
	cr_assert_eq(r.kind, WK_REFUSED);
	cr_assert_eq(r.arg1, KERR_NO_SPACE);
}

Test(partition, stale_handle_refused_after_reboot)
{
	handle_t old, fresh;

	test_boot(1);
	cr_assert_eq(partition_create("a", 0, &old), KERR_OK);
	test_boot(1); /* the table is emptied, generations survive */
	cr_assert_not(partition_valid(old));
	cr_assert_eq(partition_create("a", 0, &fresh), KERR_OK);
	cr_assert_eq(handle_index(fresh), handle_index(old));
	cr_assert_neq(handle_gen(fresh), handle_gen(old));
	cr_assert_not(partition_valid(old));
	cr_assert(partition_valid(fresh));
	cr_assert_not(partition_valid(HANDLE_NONE));
}

Test(partition, create_without_witness_does_not_happen)
{
	handle_t h;

	test_boot(1);
	test_hal.refuse_export = true;
	cr_assert_eq(partition_create("web", 0, &h), KERR_WITNESS);
	cr_assert_eq(partition_count(), 0);
}
