/* The test HAL (see test_hal.h). hal_panic aborts, so Criterion can expect SIGABRT. */
#include "test_hal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/hal.h>
#include <ruvix/partition.h>

struct test_hal test_hal;
static u8 captured[TEST_HAL_MAX_RECORDS][WITNESS_RECORD_SIZE];

void test_hal_reset(void)
{
	memset(&test_hal, 0, sizeof(test_hal));
	test_hal.records = captured;
}

struct witness_record test_hal_record(usize i)
{
	struct witness_record r;

	cr_assert(i < test_hal.nrecords, "record %zu of %zu", i, test_hal.nrecords);
	witness_decode(test_hal.records[i], &r);
	return r;
}

struct witness_record test_hal_last(void)
{
	cr_assert(test_hal.nrecords > 0);
	return test_hal_record(test_hal.nrecords - 1);
}

void test_boot(u32 ncpus)
{
	struct machine_desc m = { .ncpus = ncpus, .nnodes = 1, .mem_bytes = 1 << 30 };

	test_hal_reset();
	cr_assert_eq(kernel_boot(&m), KERR_OK);
}

handle_t test_partition(const char *name, u32 cpu)
{
	handle_t h;

	cr_assert_eq(partition_create(name, &h), KERR_OK, "create %s", name);
	cr_assert_eq(partition_place(h, cpu), KERR_OK);
	cr_assert_eq(partition_ctl_kernel(h, PART_START, 0), KERR_OK);
	return h;
}

struct test_digest test_digest(void)
{
	struct test_digest d;

	kernel_digest(d.b);
	return d;
}

u64 hal_now_ns(void)
{
	u64 now = test_hal.now_ns;

	test_hal.now_ns += test_hal.tick_per_read;
	return test_hal.extra ? now + test_hal.extra() : now;
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
	if (test_hal.refuse_export)
		return false;
	if (test_hal.expect) {
		if (memcmp(record, test_hal.expect[test_hal.nexpect_seen], 64) != 0)
			test_hal.mismatches++;
		test_hal.nexpect_seen++;
		return true;
	}
	if (test_hal.nrecords == TEST_HAL_MAX_RECORDS)
		return false;
	memcpy(test_hal.records[test_hal.nrecords++], record, 64);
	return true;
}

void hal_partition_save(u32 p)
{
	(void)p;
	test_hal.saves++;
}

void hal_partition_restore(u32 p)
{
	(void)p;
	test_hal.restores++;
}

bool hal_partition_console(u32 p, u64 addr, usize len)
{
	(void)p;
	(void)addr;
	(void)len;
	return false; /* no partition here runs code that could print */
}

void hal_cap_changed(u32 p, u32 slot, u8 type, u64 object, bool added)
{
	(void)p;
	(void)slot;
	(void)type;
	(void)object;
	test_hal.cap_changes += added ? 1 : -1;
}

void hal_partition_runnable(u32 p, bool runnable)
{
	test_hal.runnable_calls++;
	test_hal.runnable_last_p = p;
	test_hal.runnable_last = runnable;
}

void hal_edge_traffic(u32 from, u32 to, u32 bytes)
{
	test_hal.traffic_from = from;
	test_hal.traffic_to = to;
	test_hal.traffic_bytes += bytes;
}

void hal_panic(const char *file, int line, const char *msg)
{
	fprintf(stderr, "hal_panic: %s:%d: %s\n", file, line, msg);
	abort();
}
