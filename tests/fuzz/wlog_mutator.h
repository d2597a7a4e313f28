/*
 * A record-aware mutator for witness logs, for LLVMFuzzerCustomMutator: it changes one field
 * of one record to a value the kernel cares about (a field of another record, a slot, a
 * handle, an edge value, a known kind), or duplicates, drops, moves or appends records, and
 * falls back on libFuzzer's byte edits one time in eight. wlog_rechain makes a log's seq
 * numbers and chain values right again, so that a mutated log gets past the chain check to
 * what lies behind it.
 */
#ifndef RUVIX_WLOG_MUTATOR_H
#define RUVIX_WLOG_MUTATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Mutate the log @data of @size bytes in place (at most @max bytes); returns the new size. */
size_t wlog_mutate(uint8_t *data, size_t size, size_t max, unsigned seed);

/** Renumber (when @fix_seq) and re-chain the @n whole records at @log. */
void wlog_rechain(uint8_t *log, size_t n, bool fix_seq);

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max);

#endif
