/*
 * Fuzz target: the manifest loader (arch/common/manifest.c). The input is a device tree blob;
 * the corpus starts from the shipped manifests (the .dts files in manifests/, compiled by the
 * build), and the structure-aware mutator (fdt_mutator.c) edits their structure as well as their
 * bytes.
 *
 * A refused manifest must create nothing (only the boot record exists) and explain itself:
 * a message that starts with the node's path and holds printable characters only. An
 * accepted one must leave consistent capability trees and an intact witness chain.
 * -DFUZZ_NO_MESSAGE_CHECK leaves out the printable-message check, to look for crashes alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/kernel.h>
#include <ruvix/partition.h>
#include <ruvix/witness.h>

#include "fdt_mutator.h"
#include "fuzz_hal.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	return fdt_mutate(data, size, max, seed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct manifest_summary sum;
	struct machine_desc m = { .ncpus = 2, .nnodes = 1, .mem_bytes = 1 << 28 };
	char err[MANIFEST_ERR_MAX];

	/* A copy of exactly @size bytes, so that AddressSanitizer sees any read past the blob. */
	uint8_t *blob = malloc(size ? size : 1);
	if (!blob)
		abort();
	memcpy(blob, data, size);
	memset(&fuzz_hal, 0, sizeof(fuzz_hal));
	if (kernel_boot(&m) != KERR_OK)
		abort();
	memset(err, 0, sizeof(err));
	if (manifest_load(blob, size, &sum, err, sizeof(err)) != 0) {
		if (fuzz_hal.records != 1)
			abort(); /* refused, yet something was created */
		if (err[0] != '/')
			abort(); /* the message must name the node */
#ifndef FUZZ_NO_MESSAGE_CHECK
		for (const char *p = err; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort(); /* blob bytes copied raw into the message */
#endif
		free(blob);
		return 0;
	}
	u64 detail;
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++)
		if (partition_index_valid(p) && !cap_audit(p, &detail))
			abort();
	if (!witness_audit(&detail))
		abort();
	free(blob);
	return 0;
}
