/*
 * A structure-aware mutator for flattened device trees, for libFuzzer's LLVMFuzzerCustomMutator.
 * It parses the blob with libfdt into tokens (nodes, properties, ends) and a strings block,
 * changes the structure (property name offsets in and out of range, property lengths and
 * values, node names, deleted, duplicated and moved nodes and properties, the strings block's
 * size, header fields, stray tokens), and writes a blob again. Input that is not a device tree,
 * and one mutation in eight, get libFuzzer's own byte edits instead.
 */
#ifndef RUVIX_FDT_MUTATOR_H
#define RUVIX_FDT_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

/** Mutate the blob @data of @size bytes in place (at most @max bytes); returns the new size. */
size_t fdt_mutate(uint8_t *data, size_t size, size_t max, unsigned seed);

/* libFuzzer's byte-level mutator, which fdt_mutate falls back on. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max);

#endif
