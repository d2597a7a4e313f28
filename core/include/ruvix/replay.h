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
 * Why @rec cannot be replayed on the kernel as it stands, or NULL when it can. A log is
 * untrusted input, so the fields the kernel would otherwise take on trust are checked first:
 * the tier must be a proof tier (0..3), which witness_emit CHECKs; the kind must be one replay
 * knows; a boot record must be record 0 and run on one of the CPUs it declares; any other
 * record must come after a boot and run on one of the booted machine's CPUs. Returns a static,
 * constant sentence.
 */
const char *kernel_replay_check(const struct witness_record *rec);

/**
 * Re-execute one record. Returns KERR_INVALID, writing nothing, for a record that
 * kernel_replay_check refuses; otherwise what the operation returned. No record, whatever its
 * fields hold, makes the kernel stop on a failed CHECK.
 */
enum kerr kernel_replay(const struct witness_record *rec);

#endif
