/* A deliberately non-portable "core" object: the portability check must reject it. */
#include <stdlib.h>

void *bad_core_allocates(unsigned long n);
void *bad_core_allocates(unsigned long n)
{
	return malloc(n);
}
