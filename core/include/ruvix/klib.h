/*
 * The core's own small library: the memory and string routines GCC may call even in
 * freestanding code, a bounded formatter for console text, and a sort for printed figures.
 *
 * The routines in core/lib/string.c keep their standard names because GCC emits calls to
 * memcpy/memset/memmove/memcmp on its own and libfdt/libsodium call the others. They are
 * linked into the bare-metal image only; on the host the C library provides the same symbols.
 */
#ifndef RUVIX_KLIB_H
#define RUVIX_KLIB_H

#include <stdarg.h>
#include <ruvix/types.h>

void *memcpy(void *restrict dst, const void *restrict src, usize n);
void *memmove(void *dst, const void *src, usize n);
void *memset(void *dst, int c, usize n);
int memcmp(const void *a, const void *b, usize n);

/**
 * Format into @buf (always NUL-terminated when @size > 0) and return the length the full
 * output would have had, like C's vsnprintf. Supports %s %c %d %i %u %x %X %p %% with the
 * flags '0' and '-', a width, and the length modifiers l, ll, z.
 */
int kvsnprintf(char *buf, usize size, const char *fmt, va_list ap);

/** Sort @n values ascending, in place, in O(n log n) (core/lib/sort.c). */
void ksort_u64(u64 *v, usize n);

/** kvsnprintf with variable arguments. */
__attribute__((format(printf, 3, 4))) int ksnprintf(char *buf, usize size, const char *fmt, ...);

/** Format and write to the console through the HAL; output is cut at 256 bytes per call. */
__attribute__((format(printf, 1, 2))) void kprintf(const char *fmt, ...);

#endif /* RUVIX_KLIB_H */
