/*
 * A HAL for host unit tests: time and CPU are plain variables the test sets, witness records
 * are captured in memory, and the exporter can be told to refuse records.
 */
#ifndef RUVIX_TEST_HAL_H
#define RUVIX_TEST_HAL_H

#include <ruvix/kernel.h>
#include <ruvix/witness.h>

#define TEST_HAL_MAX_RECORDS 4096

struct test_hal {
	u64 now_ns;
	u32 cpu;
	bool refuse_export; /* hal_witness_export returns false while set */
	usize nrecords;
	u8 records[TEST_HAL_MAX_RECORDS][WITNESS_RECORD_SIZE];
	char console[4096];
	usize console_len;
};

extern struct test_hal test_hal;

/** Clear the test HAL's state (time 0, CPU 0, no records, exporter accepting). */
void test_hal_reset(void);

/** Decode captured record @i. */
struct witness_record test_hal_record(usize i);

/** Reset the HAL and boot the kernel on a machine of @ncpus CPUs in one node. */
void test_boot(u32 ncpus);

#endif
