/* Minimal PL011 console: polled transmit only. */
#include "pl011.h"

#include "sysreg.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTFR_TXFF (1u << 5) /* transmit FIFO full */

static u64 uart_base;

void pl011_init(u64 base)
{
	uart_base = base;
}

bool pl011_ready(void)
{
	return uart_base != 0;
}

static void put(char c)
{
	while (mmio_read32(uart_base + UARTFR) & UARTFR_TXFF)
		;
	mmio_write32(uart_base + UARTDR, (u8)c);
}

void pl011_write(const char *s, usize len)
{
	for (usize i = 0; i < len; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}
