/*
 * Stage-2 translation for partitions (Arm ARM DDI 0487, D8 "stage 2 translation"): each
 * partition gets its own tables, tagged with its VMID, mapping only the memory it may use.
 */
#ifndef RUVIX_AARCH64_STAGE2_H
#define RUVIX_AARCH64_STAGE2_H

#include <ruvix/types.h>

/** VTCR_EL2 for the tables built here: 32-bit IPA space, 4 KiB granule, walk from level 1. */
u64 stage2_vtcr(void);

/** Pages of the shared table pool taken so far. */
u32 stage2_pool_used(void);

/** Start an empty address space; returns its level-1 table, or 0 when the pool ran out. */
u64 stage2_new(void);

/**
 * Create every table [@ipa, @ipa + @size) needs, mapping nothing: later maps there take no
 * table from the shared pool. False when the pool ran out.
 */
bool stage2_reserve(u64 l1, u64 ipa, u64 size);

/** Map [@ipa, @ipa + @size) to physical @pa (page aligned) as normal memory or as a device. */
bool stage2_map(u64 l1, u64 ipa, u64 pa, u64 size, bool device);

/** Remove the mapping of [@ipa, @ipa + @size) (page aligned); unmapped pages are skipped. */
void stage2_unmap(u64 l1, u64 ipa, u64 size);

/**
 * Make level-1 table @dst translate as @src does (@src == 0: translate nothing). A partition's
 * VTTBR points at a table of its own whose entries are copies of those of the table every map
 * and unmap edits: clearing it stops the partition's every access at once, on every CPU, after
 * stage2_flush; copying them back resumes it. Only the four level-1 entries are copied.
 */
void stage2_set_root(u64 dst, u64 src);

/** Invalidate the stage-1+2 TLB entries of VMID (@vttbr's) on every CPU. */
void stage2_flush(u64 vttbr);

/** Physical address of @ipa in the address space @l1, or false when it is not mapped. */
bool stage2_translate(u64 l1, u64 ipa, u64 *pa);

#endif
