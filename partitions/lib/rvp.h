/*
 * The partition side of the RuVix hypercall ABI (docs/hypercalls.md) and of the partition
 * address map (docs/partitions.md), for small programs that run at EL1.
 */
#ifndef RUVIX_PARTITION_LIB_H
#define RUVIX_PARTITION_LIB_H

#include <stddef.h>
#include <stdint.h>

/* Hypercall numbers and errors: the same values as core/include/ruvix/hypercall.h. */
enum {
	HV_VERSION = 0x00,
	HV_YIELD = 0x01,
	HV_EXIT = 0x02,
	HV_CHECKPOINT = 0x03,
	HV_CAP_INFO = 0x14,
	HV_EDGE_SEND = 0x20,
	HV_EDGE_RECV = 0x21,
	HV_PARTITION_CTL = 0x50,
	HV_CONSOLE_WRITE = 0x60,
};

enum { E_OK = 0, E_DENIED = 6, E_FULL = 8, E_EMPTY = 9 };

#define SLOT_SELF 0xfffe

/* Where an edge's shared pages appear: IPA_EDGE_BASE + slot * IPA_EDGE_STRIDE. */
#define IPA_EDGE_BASE	0x10000000ul
#define IPA_EDGE_STRIDE 0x100000ul

struct hv_result {
	uint64_t x0, x1, x2;
};

static inline struct hv_result hvc(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = nr;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = 0;
	register uint64_t x5 __asm__("x5") = 0;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
			 :
			 : "memory");
	return (struct hv_result){ x0, x1, x2 };
}

/* The virtual counter: under -icount shift=0 one tick is 16 instructions (CNTFRQ 62.5 MHz). */
static inline uint64_t counter(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline void *edge_window(unsigned slot)
{
	return (void *)(IPA_EDGE_BASE + slot * IPA_EDGE_STRIDE);
}

/* Console output through the kernel, which tags it with the partition's name. */
void put(const char *s);
void put_u64(uint64_t v);
/* @v in decimal, written at the end of @buf; returns where the digits start. */
char *u64_text(uint64_t v, char buf[24]);
void print(const char *a, uint64_t v, const char *b);

/*
 * Receive on the edge in @slot, yielding while it is empty, at most @tries times; the result of
 * the last attempt (E_EMPTY when the peer never sent).
 */
struct hv_result recv_wait(unsigned slot, uint64_t tries);

/* Sort @n samples in place, ascending. */
void sort_u64(uint64_t *v, int n);

int main(void);

#endif
