/*
 * The P2 policy: limits the kernel enforces on top of capabilities. Set by the kernel from the
 * boot manifest (each setting witnessed), checked by the operations it governs.
 */
#ifndef RUVIX_POLICY_H
#define RUVIX_POLICY_H

#include <ruvix/kernel.h>

enum policy_key {
	POLICY_MAX_LEASE_NS = 1,    /* longest device lease; default 1 s */
	POLICY_HOT_QUOTA_BYTES = 2, /* hot-tier memory per partition; default unlimited */
	POLICY_MAX_CAPS = 3,	    /* capabilities a partition may be granted; default all slots */
};
#define POLICY_KEY_MAX POLICY_MAX_CAPS

/** Kernel: set @key to @value. Witnessed (WK_POLICY_SET). */
enum kerr policy_set(u32 key, u64 value);

/** Current value of @key. */
u64 policy_get(u32 key);

/** P2 checks: KERR_OK or KERR_POLICY. No side effects. */
enum kerr policy_check_caps(u32 count_after);
enum kerr policy_check_lease(u64 duration_ns);
enum kerr policy_check_hot(u64 hot_bytes_after);

void policy_reset(void);
void policy_digest(u8 acc[16]);

#endif
