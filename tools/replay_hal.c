/* The replay HAL (see replay_hal.h). */
#include "replay_hal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/hal.h>

static uint64_t now;
static uint32_t cpu;
static uint8_t expected[64], first[64];
static unsigned emitted;
static bool matched;

void replay_hal_expect(uint64_t time_ns, uint32_t c, const uint8_t record[64])
{
	now = time_ns;
	cpu = c;
	memcpy(expected, record, 64);
	emitted = 0;
	matched = false;
}

unsigned replay_hal_emitted(bool *m)
{
	*m = matched;
	return emitted;
}

const uint8_t *replay_hal_last(void)
{
	return first;
}

u64 hal_now_ns(void)
{
	return now;
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
	if (emitted++ == 0) {
		memcpy(first, record, 64);
		matched = memcmp(record, expected, 64) == 0;
	}
	return true;
}

void hal_panic(const char *file, int line, const char *msg)
{
	fprintf(stderr, "ruvix-witness: internal error: %s:%d: %s\n", file, line, msg);
	exit(70);
}
