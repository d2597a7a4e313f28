/*
 * A HAL for host unit tests: time and CPU are plain variables the test sets, witness records
 * are captured in memory (or, in replay mode, compared with an expected log), and the exporter
 * can be told to refuse records.
 */
#ifndef RUVIX_TEST_HAL_H
#define RUVIX_TEST_HAL_H

#include <ruvix/kernel.h>
#include <ruvix/witness.h>

#define TEST_HAL_MAX_RECORDS 32768

struct test_hal {
	u64 now_ns;
	u64 tick_per_read;  /* hal_now_ns advances the clock by this much on every read */
	u64 (*extra)(void); /* added to the clock when set (the simulator's modelled time) */
	u32 cpu;
	bool refuse_export; /* hal_witness_export returns false while set */
	usize nrecords;
	u8 (*records)[WITNESS_RECORD_SIZE]; /* captured records (TEST_HAL_MAX_RECORDS) */
	/* Replay mode: each exported record is compared with expect[nexpect_seen]. */
	const u8 (*expect)[WITNESS_RECORD_SIZE];
	usize nexpect_seen;
	usize mismatches;
	u32 saves, restores; /* hal_partition_save / _restore calls */
	i64 cap_changes;     /* hal_cap_changed: +1 per capability added, -1 per one removed */
	u32 traffic_from, traffic_to; /* last hal_edge_traffic call */
	u64 traffic_bytes;	      /* its bytes, summed over calls */
	u32 runnable_calls;	      /* hal_partition_runnable calls */
	u32 runnable_last_p;	      /* and the last one's arguments */
	bool runnable_last;
	char console[4096];
	usize console_len;
};

extern struct test_hal test_hal;

/** Clear the test HAL's state (time 0, CPU 0, no records, exporter accepting, capturing). */
void test_hal_reset(void);

/** Decode captured record @i. */
struct witness_record test_hal_record(usize i);

/** The last captured record. */
struct witness_record test_hal_last(void);

/** Reset the HAL and boot the kernel on a machine of @ncpus CPUs in one node. */
void test_boot(u32 ncpus);

/** Create, place on CPU @cpu and start a partition; returns its handle (asserts success). */
handle_t test_partition(const char *name, u32 cpu);

/** Kernel digest as a value. */
struct test_digest {
	u8 b[16];
};
struct test_digest test_digest(void);

#endif
