/*
 * Partitions: the unit of execution, a coherence domain. A partition owns its capability
 * space, memory regions, edge endpoints, device leases and one recovery checkpoint.
 *
 * Lifecycle (docs/objects.md has the diagram); every other transition is refused (KERR_STATE):
 *
 *   op               from                  to
 *   start            created               running
 *   suspend          running               suspended
 *   resume           suspended             running
 *   hibernate        suspended             hibernated
 *   wake             hibernated            suspended
 *   migrate_begin    running, suspended    migrating   (arg: destination CPU)
 *   migrate_end      migrating             running     (now on the destination CPU)
 *   terminate        any                   gone: every object it owns is released
 *   on_fault         any                   unchanged   (arg: enum contain_action)
 */
#ifndef RUVIX_PARTITION_H
#define RUVIX_PARTITION_H

#include <ruvix/kernel.h>

#define PARTITION_NAME_MAX 17 /* 16 characters and the terminating NUL */

enum partition_state {
	PS_CREATED = 1,
	PS_RUNNING = 2,
	PS_SUSPENDED = 3,
	PS_HIBERNATED = 4,
	PS_MIGRATING = 5,
};

enum partition_op {
	PART_START = 1,
	PART_SUSPEND = 2,
	PART_RESUME = 3,
	PART_HIBERNATE = 4,
	PART_WAKE = 5,
	PART_MIGRATE_BEGIN = 6,
	PART_MIGRATE_END = 7,
	PART_TERMINATE = 8,
	PART_ON_FAULT = 9,
};
#define PART_OP_MAX PART_ON_FAULT

/** What the kernel does to a partition that faults or fails a P3 check. */
enum contain_action {
	CONTAIN_RESTORE = 1, /* restore its checkpoint (stop when it has none) */
	CONTAIN_STOP = 2,    /* terminate it */
};

/**
 * Kernel: create a partition called @name (1..16 printable ASCII characters, no spaces) in
 * state created, homed on CPU 0. Witnessed whether it succeeds or is refused.
 */
enum kerr partition_create(const char *name, handle_t *out);

/** Kernel: set the home CPU of partition @h (placement). */
enum kerr partition_place(handle_t h, u32 cpu);

/**
 * Partition @actor applies @op to the partition named by the capability in @slot (which needs
 * EXECUTE), or to itself with slot SLOT_SELF (suspend and terminate only).
 */
enum kerr partition_ctl(actor_t actor, u32 slot, u8 op, u32 arg);

/** Kernel: apply @op to partition @h. */
enum kerr partition_ctl_kernel(handle_t h, u8 op, u32 arg);

/** True when @h names a live partition (right index and generation). */
bool partition_valid(handle_t h);

/** True when table index @p holds a live partition. */
bool partition_index_valid(u32 p);

/** Handle of the live partition at index @p (HANDLE_NONE when there is none). */
handle_t partition_handle(u32 p);

/** Home CPU, state, name and fault action of the live partition @h. */
u32 partition_cpu(handle_t h);
enum partition_state partition_state(handle_t h);
/** Both at once (one table lookup, for the scheduler's pick). */
enum partition_state partition_state_home(handle_t h, u32 *cpu);

/** True when @h names a live partition in PS_RUNNING (one lookup; false for a stale handle). */
bool partition_runnable(handle_t h);
const char *partition_name(handle_t h);
enum contain_action partition_on_fault(handle_t h);

/** Terminate @h as part of a containment action (no record of its own). */
void partition_terminate_contained(handle_t h);

/** Set state and home CPU directly: only for restoring a checkpoint. */
void partition_restore_state(handle_t h, enum partition_state state, u32 cpu);

/** Number of live partitions. */
u32 partition_count(void);

/** Feed every live partition into the state digest. */
void partition_digest(u8 acc[16]);

/** Empty the table, generations included: a boot is a fresh machine. */
void partition_reset(void);

/** Short name of a state or an op, for consoles and tools. */
const char *partition_state_name(u8 state);
const char *partition_op_name(u8 op);

#endif /* RUVIX_PARTITION_H */
