/* The core's bounded formatter, checked against the C library's snprintf. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <ruvix/klib.h>

#include "test_hal.h"

#define SAME(...)                                                                                  \
	do {                                                                                       \
		char want[128], got[128];                                                          \
		int nw = snprintf(want, sizeof(want), __VA_ARGS__);                                \
		int ng = ksnprintf(got, sizeof(got), __VA_ARGS__);                                 \
		cr_assert_str_eq(got, want);                                                       \
		cr_assert_eq(ng, nw);                                                              \
	} while (0)

Test(fmt, matches_libc_for_supported_conversions)
{
	SAME("plain");
	SAME("%d %i %u", -42, 7, 42u);
	SAME("%x %X %08x", 0xbeefu, 0xbeefu, 0x12u);
	SAME("%5d|%-5d|%05d", 42, 42, -42);
	SAME("%ld %lu %lx", -1234567890123l, 1234567890123ul, 0xfedcba987654ul);
	SAME("%lld %llu", -9223372036854775807ll - 1, 18446744073709551615ull);
	SAME("%zu", (size_t)123456);
	SAME("%s|%10s|%-10s|", "abc", "right", "left");
	SAME("%c%c %%", 'o', 'k');
	SAME("%p", (void *)0x1234);
}

Test(fmt, truncates_and_reports_full_length)
{
	char buf[8];

	cr_assert_eq(ksnprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	cr_assert_str_eq(buf, "0123456");
	cr_assert_eq(ksnprintf(NULL, 0, "%d", 12345), 5);
}

Test(fmt, kprintf_goes_to_the_console)
{
	test_hal_reset();
	kprintf("cpu%u at %s\n", 3u, "EL2");
	cr_assert_str_eq(test_hal.console, "cpu3 at EL2\n");
}
