/* A HAL for the fuzz targets: counts records, keeps time and CPU as plain variables. */
#include <stdio.h>
#include <stdlib.h>

#include <ruvix/hal.h>

#include "fuzz_hal.h"

struct fuzz_hal fuzz_hal;

u64 hal_now_ns(void)
{
	return fuzz_hal.now_ns;
}

u32 hal_cpu_id(void)
{
	return fuzz_hal.cpu;
}

void hal_console_write(const char *text, usize len)
{
	(void)text;
	(void)len;
}

bool hal_witness_export(const u8 record[64])
{
	fuzz_hal.last_kind = (u16)(record[16] | record[17] << 8);
	fuzz_hal.records++;
	return true;
}

void hal_panic(const char *file, int line, const char *msg)
{
	fprintf(stderr, "hal_panic: %s:%d: %s\n", file, line, msg);
	abort();
}

void *fuzz_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	static char buf[1 << 16];

	if (!f) {
		fprintf(stderr, "fuzz: cannot open %s\n", path);
		abort();
	}
	*size = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}
