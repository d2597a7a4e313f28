/* The HAL for host benchmarks: the real monotonic clock, records kept in memory only. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <ruvix/hal.h>

u64 hal_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

u32 hal_cpu_id(void)
{
	return 0;
}

void hal_console_write(const char *text, usize len)
{
	fwrite(text, 1, len, stdout);
}

/* Keep the record somewhere the compiler cannot drop: a ring in memory, like a log buffer. */
static u8 ring[1024][64];
static unsigned next;

bool hal_witness_export(const u8 record[64])
{
	for (int i = 0; i < 64; i++)
		ring[next % 1024][i] = record[i];
	next++;
	return true;
}

void hal_panic(const char *file, int line, const char *msg)
{
	fprintf(stderr, "bench: internal error: %s:%d: %s\n", file, line, msg);
	exit(70);
}
