/* Kernel boot and halt: the machine check and the boot/halt witnesses. */
#include <criterion/criterion.h>

#include <ruvix/kernel.h>
#include <ruvix/witness.h>

#include "test_hal.h"

Test(kernel, boot_emits_record_zero_describing_the_machine)
{
	struct machine_desc m = {
		.ncpus = 4, .nnodes = 2, .mem_bytes = 1ull << 32, .cpu_node = { 0, 0, 1, 1 }
	};

	test_hal_reset();
	test_hal.now_ns = 42;
	cr_assert_eq(kernel_boot(&m), KERR_OK);
	cr_assert_eq(test_hal.nrecords, 1);
	struct witness_record r = test_hal_record(0);
	cr_assert_eq(r.seq, 0);
	cr_assert_eq(r.kind, WK_BOOT);
	cr_assert_eq(r.actor, WITNESS_ACTOR_KERNEL);
	cr_assert_eq(r.arg0, 4 | 2ull << 32);
	cr_assert_eq(r.arg1, 1ull << 32);
	cr_assert_eq(r.time_ns, 42);
	cr_assert_eq(kernel_machine()->ncpus, 4);
}

Test(kernel, boot_refuses_impossible_machines)
{
	struct machine_desc none = { .ncpus = 0, .nnodes = 1 };
	struct machine_desc too_many = { .ncpus = RUVIX_MAX_CPUS + 1, .nnodes = 1 };
	struct machine_desc bad_node = { .ncpus = 2, .nnodes = 1, .cpu_node = { 0, 1 } };
	struct machine_desc no_nodes = { .ncpus = 1, .nnodes = 0 };

	test_hal_reset();
	cr_assert_eq(kernel_boot(&none), KERR_INVALID);
	cr_assert_eq(kernel_boot(&too_many), KERR_INVALID);
	cr_assert_eq(kernel_boot(&bad_node), KERR_INVALID);
	cr_assert_eq(kernel_boot(&no_nodes), KERR_INVALID);
	cr_assert_eq(test_hal.nrecords, 0, "a refused machine must not start a chain");
}

Test(kernel, boot_without_witness_export_fails)
{
	struct machine_desc m = { .ncpus = 1, .nnodes = 1 };

	test_hal_reset();
	test_hal.refuse_export = true;
	cr_assert_eq(kernel_boot(&m), KERR_WITNESS);
}

Test(kernel, halt_records_status_and_count)
{
	test_boot(2);
	cr_assert_eq(kernel_halt(3), KERR_OK);
	struct witness_record r = test_hal_record(1);
	cr_assert_eq(r.kind, WK_HALT);
	cr_assert_eq(r.arg0, 3);
	cr_assert_eq(r.arg1, 1);
}

Test(kernel, every_error_has_a_name)
{
	for (int e = KERR_OK; e <= KERR_WITNESS; e++)
		cr_assert_str_neq(kerr_name((enum kerr)e), "unknown");
}
