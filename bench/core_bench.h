/*
 * Core micro-benchmarks that run unchanged on the host and at EL2 under QEMU: the proof
 * tiers and the witness cost. Timing comes from hal_now_ns (under -icount shift=0 a
 * nanosecond is one instruction). Results are printed through kprintf as one JSON object per
 * figure (docs/testing.md has the format).
 */
#ifndef RUVIX_CORE_BENCH_H
#define RUVIX_CORE_BENCH_H

#include <ruvix/kernel.h>

/**
 * Run every benchmark on a kernel built from manifests/demo.dts, as the first partition that
 * holds its region in slot 0 and a capability to another partition (db in the demo). Returns
 * false, having said why, when there is no such partition.
 */
bool core_bench_run(const char *backend, const char *machine);

#endif
