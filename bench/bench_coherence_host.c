/* Host side of the coherence epoch benchmark. usage: bench-coherence MACHINE */
#include <stdio.h>

#include "coherence_bench.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-coherence MACHINE-DESCRIPTION\n");
		return 2;
	}
	coherence_bench_run("host", argv[1]);
	return 0;
}
