/* The Arm generic timer as the EL2 backend uses it: counter for time, CNTHP for interrupts. */
#ifndef RUVIX_AARCH64_TIMER_H
#define RUVIX_AARCH64_TIMER_H

#include <ruvix/types.h>

/** Read CNTFRQ_EL0 once; must run before timer_now_ns. */
void timer_init(void);

/** Counter frequency in Hz. */
u64 timer_frequency(void);

/** Nanoseconds since the counter started (QEMU starts it at reset). */
u64 timer_now_ns(void);

/** Fire the EL2 physical timer interrupt once, @ns from now. */
void timer_arm_in_ns(u64 ns);

/** Counter ticks in @ns nanoseconds (at least 1). */
u64 timer_ns_to_ticks(u64 ns);

/** Fire the EL2 physical timer interrupt once, @ticks counter ticks from now. */
void timer_arm_in_ticks(u64 ticks);

/** Stop the EL2 physical timer (called from the interrupt). */
void timer_disarm(void);

#endif
