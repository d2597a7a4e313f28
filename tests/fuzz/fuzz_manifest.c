/*
 * Fuzz target: the manifest loader. The input is a list of (offset, byte) edits applied to the
 * demo manifest blob, which keeps most inputs close to a valid tree, plus the raw input itself
 * every other time. A refused manifest must create nothing (only the boot record exists); an
 * accepted one must leave consistent capability trees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/kernel.h>
#include <ruvix/partition.h>

#include "fuzz_hal.h"
#include "manifest.h"

static uint8_t *demo;
static size_t demo_size;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	demo = fuzz_read_file(DEMO_MANIFEST_DTB, &demo_size);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t blob[1 << 16];
	static struct manifest_summary sum;
	struct machine_desc m = { .ncpus = 2, .nnodes = 1, .mem_bytes = 1 << 28 };
	char err[MANIFEST_ERR_MAX];
	size_t n;

	if (size > 0 && data[0] & 1) {
		n = size - 1 < sizeof(blob) ? size - 1 : sizeof(blob);
		memcpy(blob, data + 1, n);
	} else {
		n = demo_size;
		memcpy(blob, demo, n);
		for (size_t i = 1; i + 2 < size; i += 3) {
			size_t off = ((size_t)data[i] | (size_t)data[i + 1] << 8) % n;
			blob[off] = data[i + 2];
		}
	}
	memset(&fuzz_hal, 0, sizeof(fuzz_hal));
	if (kernel_boot(&m) != KERR_OK)
		abort();
	if (manifest_load(blob, n, &sum, err, sizeof(err)) != 0) {
		if (fuzz_hal.records != 1 || strlen(err) == 0)
			abort(); /* refused: nothing created, and a message */
		return 0;
	}
	u64 detail;
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++)
		if (partition_index_valid(p) && !cap_audit(p, &detail))
			abort();
	return 0;
}
