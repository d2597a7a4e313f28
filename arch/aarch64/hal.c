/* The HAL (core/include/ruvix/hal.h) on bare metal at EL2. */
#include <ruvix/hal.h>
#include <ruvix/klib.h>

#include "board.h"
#include "pl011.h"
#include "semihost.h"
#include "sysreg.h"
#include "timer.h"

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
	if (pl011_ready()) {
		pl011_write(text, len);
		return;
	}
	if (board_semihosting_off)
		return; /* no console at all: nothing can be shown */
	/* Before the UART is known: the semihosting console, in NUL-terminated chunks. */
	char chunk[128];
	while (len > 0) {
		usize n = len < sizeof(chunk) - 1 ? len : sizeof(chunk) - 1;
		memcpy(chunk, text, n);
		chunk[n] = '\0';
		semihost_write0(chunk);
		text += n;
		len -= n;
	}
}

/* The witness log is a host file written through semihosting (see main.c). */
i64 board_wlog_handle = -1;

/*
 * A runaway partition (one that polls a peer that will never answer, say) would otherwise fill
 * the host's disk with refusals. Past this many records the machine stops with EXIT_WITNESS:
 * 4,000,000 records is a 256 MB log.
 */
#define WITNESS_RECORDS_MAX 4000000ull

static u64 exported;

bool hal_witness_export(const u8 record[64])
{
	if (exported == WITNESS_RECORDS_MAX) {
		kprintf("FATAL: the witness log reached %lu records; stopping\n",
			(unsigned long)WITNESS_RECORDS_MAX);
		board_exit(EXIT_WITNESS);
	}
	if (board_wlog_handle < 0 || !semihost_write(board_wlog_handle, record, 64))
		return false;
	exported++;
	return true;
}

void hal_panic(const char *file, int line, const char *msg)
{
	kprintf("PANIC: %s:%d: %s\n", file, line, msg);
	board_exit(EXIT_PANIC);
}
