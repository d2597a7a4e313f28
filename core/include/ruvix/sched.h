/*
 * The scheduler: which partition each CPU runs next. Foundation version: one FIFO run queue
 * per CPU, a partition runs on its home CPU. Deadlines and cut pressure arrive with later
 * issues (DESIGN.md DC-4). Scheduling decisions are kernel-internal and not witnessed: they
 * change no kernel object (docs/witness.md).
 */
#ifndef RUVIX_SCHED_H
#define RUVIX_SCHED_H

#include <ruvix/kernel.h>

/** Make @h runnable on its home CPU; a partition already queued stays where it is. */
enum kerr sched_wake(handle_t h);

/** Take the next runnable partition of @cpu, or HANDLE_NONE when its queue is empty. */
handle_t sched_next(u32 cpu);

/** Number of partitions queued on @cpu. */
u32 sched_queued(u32 cpu);

/** Empty every run queue. */
void sched_reset(void);

#endif /* RUVIX_SCHED_H */
