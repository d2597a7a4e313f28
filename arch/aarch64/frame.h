/* The register frame vectors.S saves on every exception, and restores on the way out. */
#ifndef RUVIX_AARCH64_FRAME_H
#define RUVIX_AARCH64_FRAME_H

#include <ruvix/types.h>

struct exception_frame {
	u64 x[31];
	u64 elr;
	u64 spsr;
	u64 esr;
	u64 far;
	u64 pad;
};
_Static_assert(sizeof(struct exception_frame) == 288, "vectors.S FRAME_SIZE");

/** Load @f into the registers and eret (vectors.S). Used to enter a partition the first time. */
__attribute__((noreturn)) void exception_return(struct exception_frame *f);

#endif
