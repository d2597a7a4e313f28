/*
 * The scheduler: which partition each CPU runs next (DESIGN.md DC-4: priority = deadline +
 * cut pressure, nothing else).
 *
 * Each CPU keeps the runnable partitions homed on it; the next to run is the one with the
 * smallest key
 *
 *   key = deadline - pressure * relative_deadline / SCHED_PRESSURE_DIVISOR   (ns)
 *
 * where deadline is the absolute deadline set when it is woken (now + its mode's relative
 * deadline, or the explicit deadline of sched_wake_deadline), relative_deadline is that
 * deadline minus the time of that wake, and pressure is its CutPressure in per mille
 * (0..1000), written by the coherence engine (docs/coherence.md) and 0 without it (DC-1). Full
 * pressure advances a partition by half its own slack: 5 ms for flow, 50 us for reflex, half a
 * request's slack for explicit deadlines, nothing for work without one (sched_wake_batch). So a
 * flow partition under pressure can pass work due up to 5 ms before its own deadline. That includes
 * a reflex partition woken less than 5 ms after it; the pressure is not capped by reflex deadlines.
 * Two modes:
 *
 *   mode     relative deadline   time slice   for
 *   flow     10 ms               1 ms         throughput work
 *   reflex   100 us              100 us       latency-critical work
 *
 * Equal deadlines run in the order they were woken, so partitions of one mode share a CPU
 * first-in first-out. Scheduling decisions change no kernel object and are not witnessed
 * (docs/witness.md); neither are modes, which come from the manifest.
 */
#ifndef RUVIX_SCHED_H
#define RUVIX_SCHED_H

#include <ruvix/kernel.h>

enum sched_mode {
	SCHED_FLOW = 0,
	SCHED_REFLEX = 1,
};

#define SCHED_FLOW_DEADLINE_NS	 10000000ull
#define SCHED_FLOW_SLICE_NS	 1000000ull
#define SCHED_REFLEX_DEADLINE_NS 100000ull
#define SCHED_REFLEX_SLICE_NS	 100000ull
#define SCHED_PRESSURE_MAX	 1000u /* per mille */
#define SCHED_PRESSURE_DIVISOR	 2000u /* full pressure: half the relative deadline */

/** Set the mode of partition @h (default flow). */
enum kerr sched_set_mode(handle_t h, enum sched_mode mode);

/**
 * Give @h a CPU budget: it is picked only while it has used less than @budget_ns in the
 * current period of @period_ns (periods are counted from time 0, so they line up for every
 * partition). The time counted is from sched_next handing it a CPU to it being woken again, so
 * it can overrun by up to one time slice before the next pick looks. 0 and 0: no budget (the
 * default). Like modes, from the manifest and not witnessed: it changes no kernel object, only
 * which runnable partition gets a CPU.
 */
enum kerr sched_set_budget(handle_t h, u64 budget_ns, u64 period_ns);

/** Mode of the live partition @h. */
enum sched_mode sched_mode(handle_t h);

/** Longest time @h runs before the timer hands its CPU to the next deadline. */
u64 sched_slice_ns(handle_t h);

/**
 * Make @h runnable on its home CPU with deadline now + its relative deadline; a partition
 * already queued keeps its place. Only running partitions can be woken (KERR_STATE).
 */
enum kerr sched_wake(handle_t h);

/**
 * sched_wake with an explicit absolute deadline, for a backend that knows when the partition's
 * most urgent work is due (the simulator's request deadlines). A partition already queued keeps
 * its place unless @deadline is earlier, which moves it up.
 */
enum kerr sched_wake_deadline(handle_t h, u64 deadline);

/**
 * sched_wake_deadline for work without a deadline (the simulator's batch requests): @order is
 * the time it is ordered by (its arrival plus a horizon, so it ages), not a deadline. It has no
 * slack, so cut pressure does not advance it: pressure reorders urgent work within its own
 * slack and never lets one partition's batch work pass older batch work of another.
 */
enum kerr sched_wake_batch(handle_t h, u64 order);

/**
 * Set the cut pressure of @h (per mille, at most SCHED_PRESSURE_MAX; KERR_INVALID otherwise).
 * It applies at once, also to a partition already queued. Like modes, not witnessed: it
 * changes no kernel object, only the order in which runnable partitions get a CPU.
 */
enum kerr sched_set_pressure(handle_t h, u32 per_mille);

/** Cut pressure of the live partition @h. */
u32 sched_pressure(handle_t h);

/** Scheduling key of the live partition @h (see above): the smaller runs first. */
u64 sched_key(handle_t h);

/**
 * Partition @h has a new home CPU (partition_place calls this): if it is queued on its old
 * one, it moves to the new one's queue with the same deadline and wake order, so no CPU runs
 * a partition homed elsewhere. A partition running now goes home when it is next woken.
 */
void sched_rehome(handle_t h);

/** Take the queued partition of @cpu with the earliest deadline, or HANDLE_NONE. */
handle_t sched_next(u32 cpu);

/** Absolute deadline of @h from its last wake (0 before the first). */
u64 sched_deadline(handle_t h);

/** Number of partitions queued on @cpu. */
u32 sched_queued(u32 cpu);

/** Forget every queue and mode. */
void sched_reset(void);

#endif /* RUVIX_SCHED_H */
