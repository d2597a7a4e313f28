/*
 * Kernel entry points the backends call, the machine description they pass in, errors, object
 * handles and actors shared by every kernel object.
 */
#ifndef RUVIX_KERNEL_H
#define RUVIX_KERNEL_H

#include <ruvix/config.h>
#include <ruvix/types.h>

/** Errors of kernel operations, returned by value. Numbers appear in witness records and in
 *  hypercall results (docs/hypercalls.md): never renumber. */
enum kerr {
	KERR_OK = 0,
	KERR_INVALID = 1,  /* an argument is out of range or malformed */
	KERR_NO_SPACE = 2, /* a fixed-size table is full */
	KERR_STALE = 3,	   /* a handle's generation does not match the live object */
	KERR_STATE = 4,	   /* the object is not in a state that allows the operation */
	KERR_WITNESS = 5,  /* the witness could not be exported, so nothing was done */
	KERR_DENIED = 6,   /* no capability in the slot, or it lacks a right the operation needs */
	KERR_POLICY = 7,   /* the P2 policy check refused (quota, lease length, ...) */
	KERR_FULL = 8,	   /* a bounded queue is full */
	KERR_EMPTY = 9,	   /* nothing to receive */
	KERR_BUSY = 10,	   /* the object is held by someone else (a leased device) */
	KERR_QUOTA = 11,   /* the caller is over its quota (quota.h) */
};
#define KERR_COUNT 12

/** Short name of an error ("invalid", ...). */
const char *kerr_name(enum kerr err);

/**
 * Who performs an action: a partition's index in the partition table, or the kernel itself
 * (boot-time manifest, timers, fault handling). Partitions act only through capabilities; the
 * kernel names objects by handle.
 */
typedef u32 actor_t;
#define ACTOR_KERNEL 0xFFFFFFFFu

/**
 * The machine as the backend found it (from QEMU's DTB or the simulator's machine tree).
 * Only data: the core never probes hardware.
 */
struct machine_desc {
	u32 ncpus;		     /* CPUs the kernel may use, 1..RUVIX_MAX_CPUS */
	u32 nnodes;		     /* NUMA nodes, 1..RUVIX_MAX_NODES */
	u64 mem_bytes;		     /* RAM in all nodes */
	u8 cpu_node[RUVIX_MAX_CPUS]; /* NUMA node of each CPU */
};

/**
 * Start the kernel on @m: checks the description, resets every object table and emits the
 * boot witness (seq 0). Returns KERR_INVALID for an impossible machine, KERR_WITNESS when the
 * record could not be exported.
 */
enum kerr kernel_boot(const struct machine_desc *m);

/** The machine the kernel booted on. Valid after a successful kernel_boot. */
const struct machine_desc *kernel_machine(void);

/** Emit the halt witness with the backend's exit @status; the backend then stops. */
enum kerr kernel_halt(int status);

/**
 * Time-driven kernel work, called by the backend's timer: expires device leases whose deadline
 * passed (one witness each) and, every 10 ms of kernel time, queues a P3 audit of the witness
 * chain. Returns the number of leases expired.
 */
u32 kernel_tick(void);

/**
 * Run up to @max deferred P3 deep checks (off the hot path: backends call it when a CPU is
 * idle). Returns how many ran.
 */
u32 kernel_idle(u32 max);

/**
 * DC-2: witness that coherence epoch @epoch ran out of its budget after @elapsed_ns and kept
 * the last good placement. Changes no object. The engine does not witness (it knows no core
 * tables), so its caller does. KERR_WITNESS when the record could not be exported.
 */
enum kerr kernel_coherence_stale(u64 epoch, u64 elapsed_ns);

/** Digest of the whole object state (BLAKE2b-128 over a canonical encoding, docs/witness.md). */
void kernel_digest(u8 out[16]);

/** Object handle: generation in the high 32 bits, table index in the low 32 bits. */
typedef u64 handle_t;
#define HANDLE_NONE ((handle_t)0)

static inline handle_t handle_make(u32 index, u32 gen)
{
	return (u64)gen << 32 | index;
}

static inline u32 handle_index(handle_t h)
{
	return (u32)h;
}

static inline u32 handle_gen(handle_t h)
{
	return (u32)(h >> 32);
}

/** Next generation for a table slot: never 0, so HANDLE_NONE never names an object. */
static inline u32 generation_next(u32 gen)
{
	return gen + 1 == 0 ? 1 : gen + 1;
}

/** Kinds of kernel objects a capability can name. Numbers appear in witness records. */
enum obj_type {
	OBJ_NONE = 0,
	OBJ_PARTITION = 1,
	OBJ_REGION = 2,
	OBJ_EDGE = 3,
	OBJ_DEVICE = 4,
};

/** True when @h names a live object of @type. */
bool object_valid(u8 type, handle_t h);

#endif /* RUVIX_KERNEL_H */
