/* What the bare-metal backend learns from QEMU's device tree. */
#ifndef RUVIX_AARCH64_PLATFORM_H
#define RUVIX_AARCH64_PLATFORM_H

#include <ruvix/kernel.h>

#define PLATFORM_BOOTARGS_MAX 256
#define QEMU_VIRT_UART	      0x09000000ull /* QEMU virt's PL011, for errors before the DTB */
#define PLATFORM_VIRTIO_MAX   32	    /* QEMU virt has 32 virtio-mmio transports */

struct platform {
	const void *dtb;
	u32 dtb_size;
	u64 mem_base;
	u64 mem_size;
	u64 cpu_mpidr[RUVIX_MAX_CPUS];
	u64 uart_base;
	u64 virtio_base[PLATFORM_VIRTIO_MAX]; /* virtio-mmio transports, in tree order */
	u32 nvirtio;
	u64 gicd_base;
	u64 gicr_base;
	u64 gicr_size;
	bool psci_smc; /* PSCI conduit: true for smc, false for hvc */
	char bootargs[PLATFORM_BOOTARGS_MAX];
	bool bootargs_truncated; /* the command line was longer than bootargs can hold */
	struct machine_desc machine;
};

/**
 * Parse the DTB at @dtb (falls back to the start of RAM when @dtb holds no valid tree) into
 * @plat. Returns NULL on success or a message naming what is missing or malformed.
 */
const char *platform_parse(const void *dtb, struct platform *plat);

/** True when the boot arguments contain "key=..." at all. */
bool platform_has_bootarg(const struct platform *plat, const char *key);

/** Value of "key=value" in the boot arguments, copied to @out; false when absent or when it
 *  does not fit in @size bytes (check platform_has_bootarg to tell the two apart). */
bool platform_bootarg(const struct platform *plat, const char *key, char *out, usize size);

#endif
