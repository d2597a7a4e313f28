/*
 * Shared state and exits of the EL2 backend. The exit statuses are an interface (tests and
 * docs/boot.md rely on them).
 */
#ifndef RUVIX_AARCH64_BOARD_H
#define RUVIX_AARCH64_BOARD_H

#include <ruvix/types.h>

#include "platform.h"

enum board_exit {
	EXIT_OK = 0,	       /* boot scenario completed */
	EXIT_NOT_EL2 = 2,      /* entered at another exception level (boot.S) */
	EXIT_KERNEL_FAULT = 3, /* synchronous exception or SError in the kernel */
	EXIT_BAD_MACHINE = 4,  /* device tree missing or unusable */
	EXIT_WITNESS = 5,      /* the witness log could not be opened or written */
	EXIT_PANIC = 6,	       /* a CHECK failed */
	EXIT_NESTED_FAULT = 7, /* a fault while reporting a fault */
	EXIT_BAD_BOOTARGS = 8, /* an unknown ruvix.test scenario, or a boot argument too long */
	EXIT_BAD_MANIFEST = 9, /* the system manifest was refused */
	EXIT_SEMIHOSTING = 10, /* QEMU serves semihosting, which EL1 could reach: refused */
};

/** The machine as parsed at boot. */
extern struct platform board;

/**
 * True when a semihosting call from EL2 is answered, i.e. QEMU runs with -semihosting-config.
 * QEMU then serves the same calls from EL1, where EL2 cannot trap them (they are no exception),
 * so any partition could reach the host: the boot refuses to go on (docs/boot.md).
 */
bool exception_semihosting_answers(void);

/** True when [@base, @base + @size) lies in the RAM the device tree describes. */
bool board_is_ram(u64 base, u64 size);

/** True when [@base, @base + @size) overlaps memory the kernel itself uses (image, DTB). */
bool board_owns_memory(u64 base, u64 size);

/**
 * Stop the machine with @status: the state digest, the halt record and the head line (once a
 * log exists), then the line "EXIT: STATUS=n" and PSCI SYSTEM_OFF. QEMU itself then exits with 0;
 * the host reads the status from that line and from the halt record (scripts/ruvix-qemu).
 */
__attribute__((noreturn)) void board_exit(int status);

/**
 * The kernel lock: the core is not reentrant, so every CPU holds this while it is in the kernel
 * (traps from partitions, boot, idle checks) and releases it on the way back to EL1.
 */
void board_lock(void);
void board_unlock(void);

/** Handle one interrupt that arrived at EL2; returns its INTID (1023: spurious). */
u32 board_irq(void);

#endif
