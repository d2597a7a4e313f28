/*
 * The capability table's layout, private to the core. Only cap.c uses it; the P3 tests include
 * it to corrupt an entry on purpose and watch the deferred audit catch it.
 */
#ifndef RUVIX_CAP_TABLE_H
#define RUVIX_CAP_TABLE_H

#include <ruvix/kernel.h>

#define NIL (-1)

struct cap {
	u32 gen;
	bool live;
	u8 type;
	u8 rights;
	u16 slot;
	u32 owner; /* partition index */
	handle_t object;
	i32 parent, child, next, prev; /* derivation tree: first child and sibling list */
};

extern struct cap cap_table[RUVIX_MAX_CAPS];

#endif
