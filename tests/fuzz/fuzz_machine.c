/*
 * Fuzz target: the simulator's machine loader (sim/machine.c), which reads a machine
 * description that a user hands ruvix-sim. The input is a device-tree blob; the corpus starts
 * from the shipped machines (the .dts files in sim/machines, compiled by the build) and the
 * structure-aware mutator of fdt_mutator.c changes it. A machine the loader accepts must be one the
 * kernel can boot on within the build's limits; a refused one gets exactly one message line on
 * stderr, "ruvix-sim: PATH: ...", with printable text. Sanitizers catch any bad memory access.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdt_mutator.h"
#include "machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	return fdt_mutate(data, size, max, seed);
}

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_machine m;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_machine.%d.dtb", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	/* The loader reports through stdio's stderr: catch that in memory to check the message.
	 * The sanitizers write to file descriptor 2 itself, so a crash report is still seen. */
	char *buf = NULL;
	size_t blen = 0;
	FILE *real = stderr, *err = open_memstream(&buf, &blen);
	if (!err)
		abort();
	stderr = err;
	int r = machine_load(path, &m);
	stderr = real;
	fclose(err);
	char msg[1024];
	size_t n = blen < sizeof(msg) - 1 ? blen : sizeof(msg) - 1;
	memcpy(msg, buf, n);
	msg[n] = '\0';
	free(buf);
	if (r == 0) {
		if (n != 0 || m.desc.ncpus == 0 || m.desc.ncpus > RUVIX_MAX_CPUS ||
		    m.desc.nnodes == 0 || m.desc.nnodes > RUVIX_MAX_NODES || m.desc.mem_bytes == 0)
			abort();
		for (uint32_t c = 0; c < m.desc.ncpus; c++)
			if (m.desc.cpu_node[c] >= m.desc.nnodes)
				abort();
		for (const char *c = m.model; *c; c++)
			if (*c < 0x20 || *c > 0x7e || *c == '"' || *c == '\\')
				abort(); /* it goes into report.json as is */
		return 0;
	}
	if (r != -1 || n == 0 || strncmp(msg, "ruvix-sim: ", 11) != 0 || msg[n - 1] != '\n' ||
	    memchr(msg, '\n', n - 1))
		abort(); /* refused: exactly one line */
	for (size_t i = 0; i + 1 < n; i++)
		if (msg[i] < 0x20 || msg[i] > 0x7e)
			abort();
	return 0;
}
