/*
 * What the Debian arm64 static builds of libfdt and libsodium expect from a C runtime, for an
 * image that has none (TOOLCHAIN.md): the stack protector's guard and failure hook, and the
 * few libsodium entry points that would otherwise pull in its randomness and thread code.
 * crypto_generichash (BLAKE2b) itself never calls them on the paths we use.
 */
#include <ruvix/hal.h>
#include <ruvix/klib.h>

/* A fixed guard: there is no entropy at reset, and under icount a boot must be reproducible. */
unsigned long __stack_chk_guard = 0x5275566978c0ffeeul;

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	hal_panic(__FILE__, __LINE__, "stack protector: stack smashed");
}

void randombytes_buf(void *buf, usize size);
void randombytes_buf(void *buf, usize size)
{
	(void)buf;
	(void)size;
	hal_panic(__FILE__, __LINE__, "libsodium asked for randomness, which RuVix does not use");
}

void sodium_memzero(void *pnt, usize len);
void sodium_memzero(void *pnt, usize len)
{
	volatile u8 *p = pnt;

	while (len--)
		*p++ = 0;
}

void sodium_misuse(void);
void sodium_misuse(void)
{
	hal_panic(__FILE__, __LINE__, "libsodium misuse");
}

void __assert_fail(const char *expr, const char *file, unsigned line, const char *func);
void __assert_fail(const char *expr, const char *file, unsigned line, const char *func)
{
	(void)func;
	hal_panic(file, (int)line, expr);
}
