/*
 * Replay: re-execute a witness log on a fresh kernel. Every record carries the inputs of its
 * operation, so calling the same kernel entry points with them rebuilds the same state; a
 * mutation that skipped its witness, or witnessed the wrong inputs, makes the rebuilt state (and
 * the regenerated records) differ. Used by `ruvix-witness replay` and by the tests.
 *
 * The caller's HAL must report the record's time and CPU while kernel_replay runs, and should
 * compare each record the kernel emits with the log.
 */
#ifndef RUVIX_REPLAY_H
#define RUVIX_REPLAY_H

#include <ruvix/kernel.h>
#include <ruvix/witness.h>

/**
 * Re-execute one record. Returns KERR_INVALID for a record that cannot be replayed (unknown
 * kind, or a boot record that is not first); otherwise what the operation returned.
 */
enum kerr kernel_replay(const struct witness_record *rec);

#endif
