/* The kernel state digest: a BLAKE2b-128 accumulator over canonical encodings of objects. */
#ifndef RUVIX_DIGEST_H
#define RUVIX_DIGEST_H

#include <ruvix/types.h>

/** Maximum bytes of one digest_feed call. */
#define DIGEST_CHUNK_MAX 112

/** acc = BLAKE2b-128(acc || data[0..len)). @len <= DIGEST_CHUNK_MAX. */
void digest_feed(u8 acc[16], const void *data, usize len);

/** Little-endian encoder into a chunk buffer, for canonical object encodings. */
struct digest_chunk {
	u8 buf[DIGEST_CHUNK_MAX];
	usize len;
};

void digest_put(struct digest_chunk *c, u64 v, unsigned bytes);

#endif
