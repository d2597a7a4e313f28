/*
 * Capabilities: unforgeable references to kernel objects with rights. A partition names a
 * capability only by a slot index in its own capability space (RUVIX_CAP_SLOTS slots). Rights
 * only shrink on derivation; every derived capability remembers its parent, so revoking a
 * capability removes everything derived from it, in any partition.
 */
#ifndef RUVIX_CAP_H
#define RUVIX_CAP_H

#include <ruvix/kernel.h>

enum cap_rights {
	RIGHT_READ = 1 << 0,	/* receive on an edge, read a region */
	RIGHT_WRITE = 1 << 1,	/* send on an edge, write a region, change its tier */
	RIGHT_GRANT = 1 << 2,	/* give a derived copy to another partition; lease a device */
	RIGHT_REVOKE = 1 << 3,	/* remove every capability derived from this one */
	RIGHT_EXECUTE = 1 << 4, /* execute a region; control a partition's lifecycle */
	RIGHTS_ALL = 0x1f,
};

/** What a capability slot holds (HV_CAP_INFO). */
struct cap_info {
	u8 type;   /* enum obj_type */
	u8 rights; /* enum cap_rights */
	handle_t object;
};

/**
 * P1 check: partition @p holds in @slot a capability to an object of @type with at least the
 * rights @need. On success *@object is the object's handle. No side effects.
 */
enum kerr cap_check(u32 p, u32 slot, u8 type, u8 need, handle_t *object);

/** Read what @slot of partition @p holds; KERR_DENIED when empty. No side effects. */
enum kerr cap_info(u32 p, u32 slot, struct cap_info *out);

/**
 * Kernel: give partition @owner a root capability in @slot to @object of @type with @rights
 * (boot manifest). Witnessed (WK_CAP_INSTALL).
 */
enum kerr cap_install(u32 owner, u32 slot, u8 type, handle_t object, u8 rights);

/** Partition @actor derives @src into its own empty @dst with @rights ⊆ src's rights. */
enum kerr cap_derive(actor_t actor, u32 src, u32 dst, u8 rights);

/**
 * Partition @actor gives partition P (named by the partition capability in slot @to, which
 * needs WRITE) a capability derived from @src (which needs GRANT) in P's empty slot @dst.
 * P2: P's capability count stays within the policy's quota.
 */
enum kerr cap_grant(actor_t actor, u32 src, u32 to, u32 dst, u8 rights);

/**
 * The check step of cap_grant alone, with no side effects: P1 (rights, slots, the partition
 * capability) and then P2 (the receiver's capability quota). *@tier says how far it got;
 * *@peer is the receiving partition.
 */
enum kerr cap_grant_check(actor_t actor, u32 src, u32 to, u32 dst, u8 rights, u8 *tier,
			  handle_t *peer);

/** Remove every capability derived from the one in @slot (which needs REVOKE), anywhere. */
enum kerr cap_revoke(actor_t actor, u32 slot);

/** Remove the capability in @slot and everything derived from it. */
enum kerr cap_delete(actor_t actor, u32 slot);

/** Capabilities partition @p holds. */
u32 cap_count(u32 p);

/** Handle of the capability in @slot of @p, HANDLE_NONE when empty (for witness targets). */
handle_t cap_handle(u32 p, u32 slot);

/* ---- for the rest of the kernel ---- */

/** Remove, with their derived subtrees, all capabilities partition @p holds. */
void cap_drop_partition(u32 p);

/** Remove, with their subtrees, all capabilities that name @object of @type. */
void cap_drop_object(u8 type, handle_t object);

/**
 * P3 audit of partition @p's capabilities: links of the derivation tree agree, every child's
 * rights are within its parent's and it names the same object, slots and table agree, objects
 * are live. On failure *@detail is the index of the first bad capability.
 */
bool cap_audit(u32 p, u64 *detail);

/** Feed every live capability into the state digest. */
void cap_digest(u8 acc[16]);

/** Empty the table (at boot). */
void cap_reset(void);

#endif /* RUVIX_CAP_H */
