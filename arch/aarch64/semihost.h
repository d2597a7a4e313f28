/*
 * Arm semihosting (AArch64: HLT #0xF000, operation in w0, parameter block in x1). QEMU
 * implements it with -semihosting-config enable=on. We use it to exit with a status and to
 * write the witness log to a host file. Reference: Arm "Semihosting for AArch32 and AArch64",
 * version 3.0, operations SYS_OPEN 0x01, SYS_CLOSE 0x02, SYS_WRITE0 0x04, SYS_WRITE 0x05,
 * SYS_EXIT 0x18.
 */
#ifndef RUVIX_AARCH64_SEMIHOST_H
#define RUVIX_AARCH64_SEMIHOST_H

#include <ruvix/types.h>

/** Open host file @path for binary writing (created or truncated); -1 on failure. */
i64 semihost_open_write(const char *path);

/** Write @len bytes; true when all were written. */
bool semihost_write(i64 handle, const void *buf, usize len);

/** Close a handle from semihost_open_write. */
void semihost_close(i64 handle);

/** Write a NUL-terminated string to the host's debug console (no MMIO needed). */
void semihost_write0(const char *s);

/** Stop QEMU with exit status @status (taken mod 256 by the host). */
__attribute__((noreturn)) void semihost_exit(int status);

#endif
