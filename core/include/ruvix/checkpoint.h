/*
 * Recovery checkpoints and containment. A checkpoint holds what restores one partition: its
 * lifecycle state, home CPU and the tiers of its regions, and (through the HAL) the backend's
 * execution context. Restoring touches no other partition. kernel_contain is what the kernel
 * does to a partition that faulted or failed a P3 check: restore it or stop it, per its
 * on_fault setting, in one witnessed action.
 */
#ifndef RUVIX_CHECKPOINT_H
#define RUVIX_CHECKPOINT_H

#include <ruvix/kernel.h>

/** Why a partition is contained (low 4 bits); P3 failures carry the check in bits 4..7. */
enum contain_reason {
	CONTAIN_FAULT = 1,     /* stage-2 abort, undefined instruction, ... (detail: ESR) */
	CONTAIN_P3_FAILED = 2, /* a deferred deep check failed (detail: what failed) */
	CONTAIN_WATCHDOG = 3,  /* the partition overran its budget */
	CONTAIN_QUOTA = 4,     /* over its refusal quota with on-quota "stop" (detail: kind);
				* always stopped, never restored */
};

/** Partition @actor checkpoints itself (@slot SLOT_SELF) or one it holds EXECUTE on. */
enum kerr checkpoint_take(actor_t actor, u32 slot);

/** Kernel: checkpoint partition @h. */
enum kerr checkpoint_take_kernel(handle_t h);

/** Kernel: restore partition @h from its checkpoint (KERR_STATE when it has none). */
enum kerr checkpoint_restore_kernel(handle_t h);

/** True when partition index @p has a checkpoint. */
bool checkpoint_exists(u32 p);

/**
 * Kernel: contain partition @h for @reason (enum contain_reason, P3 check in bits 4..7) with
 * @detail: restore its checkpoint when its on_fault action is restore and it has one,
 * otherwise terminate it. One WK_CONTAIN record. Returns the action taken.
 */
enum kerr kernel_contain(handle_t h, u32 reason, u64 detail);

/* ---- for the rest of the kernel ---- */

void checkpoint_drop(u32 p);
void checkpoint_reset(void);
void checkpoint_digest(u8 acc[16]);

#endif
