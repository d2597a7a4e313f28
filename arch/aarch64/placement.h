/*
 * Placement on bare metal: CommEdge traffic between partitions, counted as it happens, and
 * (with the coherence engine built in) an epoch every PLACEMENT_EPOCH_NS on CPU 0 that moves
 * partitions between CPUs and sets their cut pressure. docs/coherence.md, "On QEMU".
 */
#ifndef RUVIX_AARCH64_PLACEMENT_H
#define RUVIX_AARCH64_PLACEMENT_H

#include <ruvix/kernel.h>

#define PLACEMENT_EPOCH_NS	1000000ull /* one epoch per millisecond of CPU 0's time */
#define PLACEMENT_MOVE_COST	128	   /* bytes a move must win back (hysteresis) */
#define PLACEMENT_DECAY_SHIFT	4	   /* traffic weight loses 1/16 every epoch */
#define PLACEMENT_EPOCH_SAMPLES 4096	   /* epoch times kept for the closing figures */
#define PLACEMENT_BUDGET_NS	50000	   /* DC-2; ruvix.epoch-budget-ns= changes it */

/**
 * Start placing the @n partitions @parts (those that run code) on the CPUs marked in @online
 * (bit per CPU), each epoch within @budget_ns (DC-2). Each CPU may hold its share of them,
 * rounded up, or more if the manifest put more there. Without the engine (DC-1) this only
 * starts the traffic counts.
 */
void placement_start(const handle_t *parts, u32 n, u64 online, u64 budget_ns);

/**
 * Called with the kernel lock held on every timer tick and idle wake-up of CPU @cpu. On CPU 0,
 * once an epoch is due, it runs one: the search itself runs with the lock released, so the
 * other CPUs keep scheduling (DC-2), and the moves are made with the lock held again.
 */
void placement_tick(u32 cpu);

/** Print the closing figures: epochs, moves, epoch times, bytes across and within CPUs. */
void placement_print_summary(void);

#endif
