/*
 * The system manifest: partitions, memory, edges, devices, leases and policy, described in a
 * device tree (docs/manifest.md) and turned into kernel objects at boot. The same file serves
 * both backends: the bare-metal image embeds its compiled form (or takes one QEMU loads), the
 * simulator reads it with --manifest.
 */
#ifndef RUVIX_MANIFEST_H
#define RUVIX_MANIFEST_H

#include <ruvix/kernel.h>

#define MANIFEST_ERR_MAX 160

/** What manifest_load built, for consoles and for the simulator to bind trace names. */
struct manifest_summary {
	u32 partitions, regions, edges, devices, leases;
	handle_t partition[RUVIX_MAX_PARTITIONS]; /* in manifest order */
	/* The "program" property of each partition (a name the backend resolves), or NULL. The
	 * strings live in the manifest blob. The simulator ignores them. */
	const char *program[RUVIX_MAX_PARTITIONS];
};

/**
 * Check the manifest @dtb (of @size bytes) and create what it describes on a booted kernel.
 * Every object is created through the kernel's witnessed entry points. Returns 0, or -1 with
 * "NODE: PROPERTY: what was expected" in @err; a manifest that fails its checks creates
 * nothing (all checks run before the first object is made).
 */
int manifest_load(const void *dtb, usize size, struct manifest_summary *out, char *err,
		  usize errlen);

#endif
