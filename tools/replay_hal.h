/* The HAL under `ruvix-witness replay`: time and CPU come from the record being replayed, and
 * each record the kernel emits is compared with the one expected from the log. */
#ifndef RUVIX_REPLAY_HAL_H
#define RUVIX_REPLAY_HAL_H

#include <stdbool.h>
#include <stdint.h>

/** Set the record being replayed: its time and CPU, and the bytes the kernel must emit. */
void replay_hal_expect(uint64_t time_ns, uint32_t cpu, const uint8_t record[64]);

/** How many records the kernel emitted since the last replay_hal_expect, and whether the first
 *  matched the expected bytes. */
unsigned replay_hal_emitted(bool *matched);

/** The first record emitted since the last replay_hal_expect (valid when one was). */
const uint8_t *replay_hal_last(void);

#endif
