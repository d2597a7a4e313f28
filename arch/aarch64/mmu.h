/* The EL2 stage-1 translation: identity map of QEMU virt's low 2 GiB. */
#ifndef RUVIX_AARCH64_MMU_H
#define RUVIX_AARCH64_MMU_H

/**
 * Build the EL2 identity map and turn the MMU and caches on:
 * [0, 1 GiB) Device-nGnRnE, execute-never (GIC, UART, flash...);
 * [1 GiB, 2 GiB) Normal write-back memory (QEMU virt RAM starts at 1 GiB);
 * everything else unmapped, so a stray access faults instead of reaching memory.
 */
void mmu_enable(void);

/** Turn the MMU on for this CPU with the tables mmu_enable built (secondary CPUs). */
void mmu_enable_cpu(void);

/** Upper bound (exclusive) of the RAM the identity map covers. */
#define MMU_RAM_END 0x80000000ull

#endif
