/* Fixed-width types and small helpers shared by the whole core. Freestanding headers only. */
#ifndef RUVIX_TYPES_H
#define RUVIX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t i32;
typedef int64_t i64;
typedef size_t usize;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* RUVIX_TYPES_H */
