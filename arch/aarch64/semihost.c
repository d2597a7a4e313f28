/* Arm semihosting calls (see semihost.h for the reference). */
#include "semihost.h"

#include <ruvix/klib.h>

enum {
	SYS_OPEN = 0x01,
	SYS_CLOSE = 0x02,
	SYS_WRITE0 = 0x04,
	SYS_WRITE = 0x05,
	SYS_EXIT = 0x18,
	ADP_STOPPED_APPLICATION_EXIT = 0x20026,
	OPEN_MODE_WB = 5, /* fopen mode index of "wb" */
};

static i64 semihost_call(u64 op, const void *param)
{
	register u64 x0 __asm__("x0") = op;
	register const void *x1 __asm__("x1") = param;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return (i64)x0;
}

static usize length_of(const char *s)
{
	usize n = 0;

	while (s[n])
		n++;
	return n;
}

i64 semihost_open_write(const char *path)
{
	u64 block[3] = { (u64)(uintptr_t)path, OPEN_MODE_WB, length_of(path) };

	return semihost_call(SYS_OPEN, block);
}

bool semihost_write(i64 handle, const void *buf, usize len)
{
	u64 block[3] = { (u64)handle, (u64)(uintptr_t)buf, len };

	/* SYS_WRITE returns the number of bytes NOT written. */
	return semihost_call(SYS_WRITE, block) == 0;
}

void semihost_close(i64 handle)
{
	u64 block[1] = { (u64)handle };

	semihost_call(SYS_CLOSE, block);
}

void semihost_write0(const char *s)
{
	semihost_call(SYS_WRITE0, s);
}

void semihost_exit(int status)
{
	u64 block[2] = { ADP_STOPPED_APPLICATION_EXIT, (u64)(u32)status };

	semihost_call(SYS_EXIT, block);
	for (;;)
		__asm__ volatile("wfe");
}
