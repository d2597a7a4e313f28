/* GICv3 distributor, redistributor and CPU interface (Arm IHI 0069, GICv3/v4 architecture). */
#ifndef RUVIX_AARCH64_GIC_H
#define RUVIX_AARCH64_GIC_H

#include <ruvix/types.h>

#define INTID_EL2_PHYS_TIMER 26 /* PPI 10: the EL2 physical timer, CNTHP */
#define INTID_KICK	     1	/* SGI 1: wake an idle CPU that was given work */

/**
 * Enable the distributor (affinity routing, group 1), wake the redistributor of the CPU with
 * affinity @mpidr, and enable the CPU interface through its system registers at EL2.
 * Returns NULL or a message saying what failed.
 */
const char *gic_init(u64 gicd, u64 gicr, u64 gicr_size, u64 mpidr);

/** Enable private interrupt @intid (SGI/PPI, < 32) at priority 0x80, group 1. */
void gic_enable_ppi(u32 intid);

/** Send software-generated interrupt @intid (< 16) to the CPU with affinity @mpidr. */
void gic_send_sgi(u32 intid, u64 mpidr);

/** Acknowledge the highest-priority pending interrupt; 1023 when none (spurious). */
u32 gic_ack(void);

/** Signal end of interrupt @intid. */
void gic_eoi(u32 intid);

#endif
