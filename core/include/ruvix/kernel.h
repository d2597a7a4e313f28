/*
 * Kernel entry points the backends call, and the description of the machine they pass in.
 */
#ifndef RUVIX_KERNEL_H
#define RUVIX_KERNEL_H

#include <ruvix/config.h>
#include <ruvix/types.h>

/** Errors of kernel operations, returned by value. Numbers appear in witness records. */
enum kerr {
	KERR_OK = 0,
	KERR_INVALID = 1,  /* an argument is out of range or malformed */
	KERR_NO_SPACE = 2, /* a fixed-size table is full */
	KERR_STALE = 3,	   /* a handle's generation does not match the live object */
	KERR_STATE = 4,	   /* the object is not in a state that allows the operation */
	KERR_WITNESS = 5,  /* the witness could not be exported, so nothing was done */
};

/** Short name of an error ("invalid", ...). */
const char *kerr_name(enum kerr err);

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
 * Start the kernel on @m: checks the description, resets the object tables and emits the boot
 * witness (seq 0). Returns KERR_INVALID for an impossible machine, KERR_WITNESS when the
 * record could not be exported.
 */
enum kerr kernel_boot(const struct machine_desc *m);

/** The machine the kernel booted on. Valid after a successful kernel_boot. */
const struct machine_desc *kernel_machine(void);

/** Emit the halt witness with the backend's exit @status; the backend then stops. */
enum kerr kernel_halt(int status);

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

#endif /* RUVIX_KERNEL_H */
