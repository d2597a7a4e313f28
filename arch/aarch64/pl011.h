/* PL011 UART output (Arm PrimeCell UART PL011 TRM, DDI 0183): data register and flag register. */
#ifndef RUVIX_AARCH64_PL011_H
#define RUVIX_AARCH64_PL011_H

#include <ruvix/types.h>

/** Use the PL011 at physical @base for console output (the boot firmware set it up). */
void pl011_init(u64 base);

/** True once pl011_init was called. */
bool pl011_ready(void);

/** Write @len bytes, turning "\n" into "\r\n". */
void pl011_write(const char *s, usize len);

#endif
