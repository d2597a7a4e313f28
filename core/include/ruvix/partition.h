/*
 * Partitions: the unit of execution, a coherence domain. This is the minimal table the
 * foundation needs (create, look up, home CPU); the object-model issue grows the lifecycle.
 */
#ifndef RUVIX_PARTITION_H
#define RUVIX_PARTITION_H

#include <ruvix/kernel.h>

#define PARTITION_NAME_MAX 24 /* bytes including the terminating NUL */

/**
 * Create a partition called @name (1..PARTITION_NAME_MAX-1 bytes, printable ASCII) homed on
 * CPU @cpu. Witnessed whether it succeeds or is refused. On success *@out is its handle.
 */
enum kerr partition_create(const char *name, u32 cpu, handle_t *out);

/** True when @h names a live partition (right index and generation). */
bool partition_valid(handle_t h);

/** Home CPU of the live partition @h. */
u32 partition_cpu(handle_t h);

/** Name of the live partition @h. */
const char *partition_name(handle_t h);

/** Number of live partitions. */
u32 partition_count(void);

/** Forget every partition (generations survive, so old handles stay stale). */
void partition_reset(void);

#endif /* RUVIX_PARTITION_H */
