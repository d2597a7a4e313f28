/*
 * The HAL over the discrete-event simulator. Time is virtual and only moves when the engine
 * moves it, so every run with the same inputs takes the same path through the core.
 */
#include "sim_hal.h"

#include <stdlib.h>

#include <ruvix/hal.h>

static uint64_t now;
static uint64_t (*clock_extra)(void); /* modelled time inside a coherence epoch */
static void (*traffic)(void *ctx, uint32_t from, uint32_t to, uint32_t bytes);
static void *traffic_ctx;
static uint32_t cpu;
static FILE *witness_file;
static uint64_t witness_records;

void sim_hal_reset(void)
{
	now = 0;
	cpu = 0;
	witness_file = NULL;
	witness_records = 0;
	traffic = NULL;
	traffic_ctx = NULL;
}

void sim_hal_set_time(uint64_t now_ns)
{
	if (now_ns < now)
		hal_panic(__FILE__, __LINE__, "virtual time went backwards");
	now = now_ns;
}

void sim_hal_set_cpu(uint32_t c)
{
	cpu = c;
}

void sim_hal_set_witness_file(FILE *f)
{
	witness_file = f;
	witness_records = 0;
}

uint64_t sim_hal_witness_records(void)
{
	return witness_records;
}

u64 hal_now_ns(void)
{
	return clock_extra ? now + clock_extra() : now;
}

void sim_hal_set_clock_extra(uint64_t (*extra)(void))
{
	clock_extra = extra;
}

void sim_hal_set_edge_traffic(void (*fn)(void *ctx, uint32_t from, uint32_t to, uint32_t bytes),
			      void *ctx)
{
	traffic = fn;
	traffic_ctx = ctx;
}

/* The same hook the bare-metal kernel feeds its engine from (arch/aarch64/placement.c): every
 * edge_send the simulator makes for a trace message reaches the engine here. */
void hal_edge_traffic(u32 from, u32 to, u32 bytes)
{
	if (traffic)
		traffic(traffic_ctx, from, to, bytes);
}

u32 hal_cpu_id(void)
{
	return cpu;
}

void hal_console_write(const char *text, usize len)
{
	fwrite(text, 1, len, stderr);
}

bool hal_witness_export(const u8 record[64])
{
	if (!witness_file || fwrite(record, 64, 1, witness_file) != 1)
		return false;
	witness_records++;
	return true;
}

void hal_panic(const char *file, int line, const char *msg)
{
	fprintf(stderr, "ruvix-sim: internal error: %s:%d: %s\n", file, line, msg);
	exit(70);
}
