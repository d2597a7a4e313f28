/*
 * The coherence engine's epoch time against graph size, on the host and at EL2 under QEMU
 * (where a nanosecond of hal_now_ns is one instruction under -icount shift=0). Prints one
 * JSON object per size through kprintf (docs/testing.md).
 */
#ifndef RUVIX_COHERENCE_BENCH_H
#define RUVIX_COHERENCE_BENCH_H

#include <ruvix/kernel.h>

/** Run epochs on graphs of 16 to 256 partitions and print mincut_epoch_ns per size. */
void coherence_bench_run(const char *backend, const char *machine);

#endif
