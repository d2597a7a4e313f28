/*
 * Memory regions: page-aligned ranges of physical memory with a tier. A private region belongs
 * to one partition; a shared region belongs to a CommEdge and is mapped into its two ends only.
 * No two live regions overlap, so memory is never mapped into two partitions except through an
 * edge's shared pages.
 */
#ifndef RUVIX_REGION_H
#define RUVIX_REGION_H

#include <ruvix/kernel.h>

#define REGION_PAGE 4096ull

enum mem_tier {
	MEM_HOT = 0,
	MEM_WARM = 1,
	MEM_DORMANT = 2,
	MEM_COLD = 3,
};
#define MEM_TIER_MAX MEM_COLD

/** Kernel: give partition @owner the private region [@base, @base + @size) in @tier. */
enum kerr region_create(handle_t owner, u64 base, u64 size, u8 tier, handle_t *out);

/** Partition @actor moves the region in @slot (needs WRITE) to @tier. P2: hot quota. */
enum kerr region_set_tier(actor_t actor, u32 slot, u8 tier);

/** Kernel: move region @r to @tier (no quota). */
enum kerr region_set_tier_kernel(handle_t r, u8 tier);

/** True when partition @p may access region @r: its owner, or an end of its edge. */
bool region_accessible(u32 p, handle_t r);

bool region_valid(handle_t r);
u8 region_tier(handle_t r);
u64 region_base(handle_t r);
u64 region_size(handle_t r);

/** Handles of the private regions of partition @p, at most @max; returns how many. */
u32 region_list(u32 p, handle_t *out, u32 max);

/* ---- for the rest of the kernel ---- */

/** Checks for a new region at [@base, @base + @size): KERR_OK when it can be created. */
enum kerr region_can_create(u64 base, u64 size);

/** Handle the next region will get (for witnesses written before it exists). */
handle_t region_next_handle(void);

/** Create a shared region for edge index @edge (checked with region_can_create first). */
handle_t region_create_shared(u32 edge, u64 base, u64 size);

/** Set a region's tier without checks (restoring a checkpoint). */
void region_restore_tier(handle_t r, u8 tier);

/** Free one region and every capability to it. */
void region_drop(handle_t r);

/** Free every private region of partition @p. */
void region_drop_partition(u32 p);

void region_reset(void);
void region_digest(u8 acc[16]);

#endif
