/*
 * Devices and leases. A device is an MMIO range and an interrupt. A lease gives one partition
 * exclusive access to a device until a deadline on the kernel clock: every access check reads
 * the clock, so an expired lease denies access at once, whether or not the holder cooperates,
 * and kernel_tick reclaims it (witnessed).
 */
#ifndef RUVIX_LEASE_H
#define RUVIX_LEASE_H

#include <ruvix/kernel.h>

/** Kernel: describe a device: MMIO [@base, @base + @size), interrupt @irq. */
enum kerr device_create(u64 base, u64 size, u32 irq, handle_t *out);

/**
 * Partition @actor leases the device in @dev_slot (needs GRANT) to the partition in
 * @holder_slot (needs WRITE; may name @actor itself) for @duration_ns.
 * P2: duration within the policy's maximum. KERR_BUSY while another lease is in force.
 */
enum kerr lease_grant(actor_t actor, u32 dev_slot, u32 holder_slot, u64 duration_ns);

/** Kernel: lease device @dev to partition @holder for @duration_ns (same P2 check). */
enum kerr lease_grant_kernel(handle_t dev, handle_t holder, u64 duration_ns);

/** Partition @actor ends the lease on the device in @dev_slot (needs GRANT) now. */
enum kerr lease_revoke(actor_t actor, u32 dev_slot);

/** Kernel: end the lease on @dev now. */
enum kerr lease_revoke_kernel(handle_t dev);

/** May partition @p touch device @dev now? Reads the kernel clock; no side effects. */
bool lease_allows(u32 p, handle_t dev);

/** Reclaim every lease whose deadline has passed, one witness each. Returns how many. */
u32 lease_expire_due(void);

bool device_valid(handle_t dev);

/** Holder and deadline of @dev's lease; false when it has none. */
bool lease_info(handle_t dev, u32 *holder, u64 *deadline_ns);

/* ---- for the rest of the kernel ---- */

/** Kernel: reclaim device @dev's lease if its deadline has passed (KERR_STATE otherwise). */
enum kerr lease_expire(handle_t dev);

/** End every lease partition @p holds. */
void lease_drop_partition(u32 p);

void lease_reset(void);
void lease_digest(u8 acc[16]);

#endif
