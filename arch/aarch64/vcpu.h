/*
 * Partitions running real code at EL1: their register context, stage-2 address space,
 * entry, hypercalls, faults and switches (docs/partitions.md). One vCPU per partition.
 */
#ifndef RUVIX_AARCH64_VCPU_H
#define RUVIX_AARCH64_VCPU_H

#include <ruvix/kernel.h>

#include "frame.h"

/* The partition address map, the same for every partition (docs/partitions.md). */
#define IPA_REGION_STRIDE 0x1000000ull	/* own region k at k * 16 MiB, region 0 at IPA 0 */
#define IPA_EDGE_BASE	  0x10000000ull /* edge in capability slot s at base + s * 1 MiB */
#define IPA_EDGE_STRIDE	  0x100000ull
/* VBAR_EL1 a partition starts with: a page never mapped, so an exception it takes at EL1 before
 * it installs vectors of its own (an undefined instruction, SVC, BRK, semihosting's HLT) is a
 * stage-2 fault the kernel contains, not a jump into its own code. */
#define IPA_NO_VECTORS 0xfffff000ull

/**
 * Give partition @h a vCPU running @program (a name from the image's program table): build its
 * stage-2 tables from the regions and edges it holds, load the program at IPA 0.
 * Returns NULL or what went wrong.
 */
const char *vcpu_create(handle_t h, const char *program);

/** True when some partition with a vCPU is homed on @cpu. */
bool vcpu_cpu_has_work(u32 cpu);

/** Number of partitions with a vCPU that have not exited. */
u32 vcpu_live(void);

/**
 * Enter the first runnable partition on this CPU; never returns (the demo ends in board code).
 * Called with the kernel lock held; releases it on the way into EL1.
 */
__attribute__((noreturn)) void vcpu_run(void);

/**
 * Handle an exception taken from EL1 (vectors 8..11): hypercall, fault, interrupt. Returns the
 * frame to resume: @f, or the frame of the partition this CPU switches to.
 */
struct exception_frame *vcpu_trap(struct exception_frame *f, u64 vector);

/**
 * Partition index @p was just placed on another CPU (partition_place). If it is queued, its
 * new CPU is woken now should it sleep in its idle loop (an SGI), instead of at its next 1 ms
 * timer; if it is running, that happens when it leaves its old CPU. Kernel lock held.
 */
void vcpu_placed(u32 p);

/** Traps from EL1 so far, on all CPUs. Kernel lock held. */
u64 vcpu_entries(void);

/** How often a vCPU was loaded on another CPU than the one it last ran on (it migrated). */
u64 vcpu_arrivals(void);

/** Called when the last partition has exited (board code: report and stop). */
__attribute__((noreturn)) void board_partitions_done(void);

#endif
