/* The kernel state digest (see kernel_digest in kernel.c for what it covers). */
#include <ruvix/check.h>
#include <ruvix/digest.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>

void digest_feed(u8 acc[16], const void *data, usize len)
{
	u8 msg[16 + DIGEST_CHUNK_MAX];

	CHECK(len <= DIGEST_CHUNK_MAX);
	memcpy(msg, acc, 16);
	memcpy(msg + 16, data, len);
	hal_blake2b(acc, 16, msg, 16 + len);
}

void digest_put(struct digest_chunk *c, u64 v, unsigned bytes)
{
	CHECK(c->len + bytes <= DIGEST_CHUNK_MAX);
	for (unsigned i = 0; i < bytes; i++)
		c->buf[c->len++] = (u8)(v >> (8 * i));
}
