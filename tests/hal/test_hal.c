/* The test HAL (see test_hal.h). hal_panic aborts, so Criterion can expect SIGABRT. */
#include "test_hal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/hal.h>

struct test_hal test_hal;

void test_hal_reset(void)
{
	memset(&test_hal, 0, sizeof(test_hal));
}

struct witness_record test_hal_record(usize i)
{
	struct witness_record r;

	cr_assert(i < test_hal.nrecords, "record %zu of %zu", i, test_hal.nrecords);
	witness_decode(test_hal.records[i], &r);
	return r;
}

void test_boot(u32 ncpus)
{
	struct machine_desc m = { .ncpus = ncpus, .nnodes = 1, .mem_bytes = 1 << 30 };

	test_hal_reset();
	cr_assert_eq(kernel_boot(&m), KERR_OK);
}

u64 hal_now_ns(void)
{
	return test_hal.now_ns;
}

u32 hal_cpu_id(void)
{
	return test_hal.cpu;
}

void hal_console_write(const char *text, usize len)
{
	usize room = sizeof(test_hal.console) - 1 - test_hal.console_len;
	usize n = len < room ? len : room;

	memcpy(test_hal.console + test_hal.console_len, text, n);
	test_hal.console_len += n;
	test_hal.console[test_hal.console_len] = '\0';
}

bool hal_witness_export(const u8 record[64])
{
	if (test_hal.refuse_export || test_hal.nrecords == TEST_HAL_MAX_RECORDS)
		return false;
	memcpy(test_hal.records[test_hal.nrecords++], record, 64);
	return true;
}

void hal_panic(const char *file, int line, const char *msg)
{
	fprintf(stderr, "hal_panic: %s:%d: %s\n", file, line, msg);
	abort();
}
