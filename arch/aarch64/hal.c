/* The HAL (core/include/ruvix/hal.h) on bare metal at EL2. */
#include <ruvix/hal.h>
#include <ruvix/klib.h>

#include "board.h"
#include "pl011.h"
#include "sysreg.h"
#include "timer.h"
#include "wlog.h"

u64 hal_now_ns(void)
{
	return timer_now_ns();
}

u32 hal_cpu_id(void)
{
	u64 mpidr = read_sysreg(mpidr_el1) & 0xff00ffffffull;

	for (u32 i = 0; i < board.machine.ncpus; i++)
		if (board.cpu_mpidr[i] == mpidr)
			return i;
	return 0; /* before the CPU table exists only the boot CPU runs */
}

void hal_console_write(const char *text, usize len)
{
	/* Before the UART is known there is no console: the text is lost (docs/boot.md). */
	if (pl011_ready())
		pl011_write(text, len);
}

/* The witness log leaves through the virtio console only EL2 drives (wlog.c). */
bool hal_witness_export(const u8 record[64])
{
	return wlog_write(record, 64);
}

void hal_panic(const char *file, int line, const char *msg)
{
	kprintf("PANIC: %s:%d: %s\n", file, line, msg);
	board_exit(EXIT_PANIC);
}
