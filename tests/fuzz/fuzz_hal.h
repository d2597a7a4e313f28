#ifndef RUVIX_FUZZ_HAL_H
#define RUVIX_FUZZ_HAL_H

#include <stddef.h>

#include <ruvix/types.h>

struct fuzz_hal {
	u64 now_ns;
	u32 cpu;
	u64 records;
	u16 last_kind; /* kind of the last record exported */
};

extern struct fuzz_hal fuzz_hal;

/** Read a whole (small) file into a static buffer; aborts when it cannot. */
void *fuzz_read_file(const char *path, size_t *size);

#endif
