/*
 * Host side of the core micro-benchmarks: boot the kernel over the bench HAL, build the demo
 * manifest, run core_bench_run as its first partition. usage: bench-core MANIFEST.dtb MACHINE
 */
#include <stdio.h>
#include <stdlib.h>

#include <ruvix/kernel.h>

#include "core_bench.h"
#include "manifest.h"

int main(int argc, char **argv)
{
	static char blob[1 << 16];
	static struct manifest_summary sum;
	struct machine_desc m = { .ncpus = 2, .nnodes = 1, .mem_bytes = 1 << 28 };
	char err[MANIFEST_ERR_MAX];

	if (argc != 3) {
		fprintf(stderr, "usage: bench-core MANIFEST.dtb MACHINE-DESCRIPTION\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	size_t n = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	if (kernel_boot(&m) != KERR_OK || manifest_load(blob, n, &sum, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-core: %s\n", err);
		return 1;
	}
	return core_bench_run("host", argv[2]) ? 0 : 1;
}
