/*
 * Invariant checks. A failed CHECK is a kernel bug: it stops the machine with file:line on
 * both backends. CHECKs stay enabled in every build; they are cheap and they are how a broken
 * invariant shows up in a witness-verified run instead of as silent corruption.
 */
#ifndef RUVIX_CHECK_H
#define RUVIX_CHECK_H

#include <ruvix/hal.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (__builtin_expect(!(cond), 0))                                                  \
			hal_panic(__FILE__, __LINE__, "CHECK failed: " #cond);                     \
	} while (0)

/** A fact about types or layouts that must hold at compile time. */
#define STATIC_CHECK(cond, msg) _Static_assert(cond, msg)

#endif /* RUVIX_CHECK_H */
