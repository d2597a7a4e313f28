/* The one HAL function the host tools need from the core's witness code: hal_panic. */
#include <stdio.h>
#include <stdlib.h>

#include <ruvix/hal.h>

void hal_panic(const char *file, int line, const char *msg)
{
	fprintf(stderr, "internal error: %s:%d: %s\n", file, line, msg);
	exit(70);
}
