/* hal_blake2b for every backend: libsodium's BLAKE2b (crypto_generichash, RFC 7693). */
#include <ruvix/hal.h>
#include <ruvix/check.h>
#include <sodium/crypto_generichash_blake2b.h>

void hal_blake2b(u8 *out, usize outlen, const void *in, usize inlen)
{
	CHECK(outlen >= crypto_generichash_blake2b_BYTES_MIN &&
	      outlen <= crypto_generichash_blake2b_BYTES_MAX);
	CHECK(crypto_generichash_blake2b(out, outlen, in, inlen, NULL, 0) == 0);
}
