/*
 * The witness log's way out of the machine: a virtio console (virtio-mmio transport) that only
 * EL2 drives. Stage 2 never maps the transports or the queue memory, so no partition can write,
 * close or truncate the log, and the console stays free for text. QEMU writes what the device
 * receives to a host file: -chardev file,id=wlog,path=FILE -device virtio-serial-device
 * -device virtconsole,chardev=wlog (docs/boot.md). References: OASIS "Virtual I/O Device
 * (VIRTIO) Version 1.1", 4.2 "Virtio Over MMIO" (4.2.4 for the legacy interface QEMU uses by
 * default), 2.6 "Split Virtqueues", 5.3 "Console Device".
 */
#ifndef RUVIX_AARCH64_WLOG_H
#define RUVIX_AARCH64_WLOG_H

#include <ruvix/types.h>

#include "platform.h"

/**
 * Find the virtio console among the device tree's virtio-mmio transports and set up its
 * transmit queue. Returns NULL, or what is wrong (no console, a transport that refuses us).
 */
const char *wlog_init(const struct platform *plat);

/** True once wlog_init succeeded. */
bool wlog_ready(void);

/**
 * Hand @len bytes to the device and wait until it has consumed them. False when the device did
 * not take them (not set up, or it never answered).
 */
bool wlog_write(const void *buf, usize len);

/** Base address of the transport in use (for the boot log). */
u64 wlog_base(void);

#endif
