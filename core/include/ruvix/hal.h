/*
 * The hardware abstraction layer: everything the core may ask of the machine.
 *
 * The core (core/, coherence/) is freestanding C. It reaches the machine only through the
 * functions declared here, and each backend (arch/aarch64 for bare metal at EL2, arch/sim for
 * the discrete-event simulator, tests/hal for host unit tests; tools/, bench/ and tests/fuzz
 * have small ones of their own) implements all of them. The
 * binding is made by the linker: there are no function pointers and no #ifdefs on the backend
 * in the core. See docs/hal.md for the contract in prose.
 */
#ifndef RUVIX_HAL_H
#define RUVIX_HAL_H

#include <ruvix/types.h>

/** Monotonic time since reset in nanoseconds (virtual time in the simulator). */
u64 hal_now_ns(void);

/** Index of the CPU executing the caller, in [0, number of CPUs). */
u32 hal_cpu_id(void);

/** Write @len bytes of text to the machine console. Never fails, may block. */
void hal_console_write(const char *text, usize len);

/**
 * Hand one encoded 64-byte witness record to the backend, which exports it (semihosting file,
 * UART, host file). Called in sequence order, once per record, before the action it records
 * takes effect. Returns false when the record could not be accepted; the core then refuses the
 * action ("no witness, no mutation").
 */
bool hal_witness_export(const u8 record[64]);

/**
 * Unkeyed BLAKE2b (RFC 7693) of @in with an output of @outlen bytes (16..64, libsodium's range).
 * Both backends implement it with libsodium's crypto_generichash, so the digest is the one any
 * BLAKE2b implementation with the same output length gives.
 */
void hal_blake2b(u8 *out, usize outlen, const void *in, usize inlen);

/**
 * Save the execution context of partition @p (registers and whatever else the backend needs
 * to resume it) as its recovery checkpoint. Called after the checkpoint is witnessed; must not
 * fail. Backends without a per-partition context do nothing.
 */
void hal_partition_save(u32 p);

/** Put partition @p's execution context back from its checkpoint. Must not fail. */
void hal_partition_restore(u32 p);

/**
 * Write @len bytes at address @addr of partition @p's own memory to the console, tagged with
 * the partition's name. Returns false when the range is not memory the partition may read
 * (the backend checks; the simulator, whose partitions run no code, always refuses).
 */
bool hal_partition_console(u32 p, u64 addr, usize len);

/**
 * A capability came into (@added) or left slot @slot of partition @p, naming @object of @type
 * (enum obj_type). Called after the change is witnessed and made, for every capability,
 * whatever removed it (delete, revoke, a dying object or partition). Backends that map memory
 * for partitions follow it: the bare-metal one maps an edge's shared pages into an end exactly
 * while that end holds a capability to the edge. Must not fail.
 */
void hal_cap_changed(u32 p, u32 slot, u8 type, u64 object, bool added);

/**
 * Partition @from sent @bytes to partition @to over a CommEdge (indices). Called after the send
 * is witnessed and queued, so a backend that runs the coherence engine can feed its traffic
 * graph as traffic happens (docs/coherence.md). Must not fail; O(1).
 */
void hal_edge_traffic(u32 from, u32 to, u32 bytes);

/**
 * Partition @p became runnable (@runnable: resumed, a migration ended, restored to running; it
 * is already queued on its home CPU) or stopped being runnable (suspended, migrating,
 * hibernated, or terminated, in which case it is gone from the partition table). Called after
 * the change is witnessed and made. A backend whose partitions run on several CPUs takes the
 * change at once: one that no longer may run is stopped even while it runs on another CPU
 * (it must not execute another instruction that touches memory), and the home CPU of one that
 * may run again is woken. Must not fail.
 */
void hal_partition_runnable(u32 p, bool runnable);

/** Stop the machine on a broken invariant. Prints @file:@line and @msg; never returns. */
__attribute__((noreturn)) void hal_panic(const char *file, int line, const char *msg);

#endif /* RUVIX_HAL_H */
