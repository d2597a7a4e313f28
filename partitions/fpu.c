/*
 * fpu_a / fpu_b (ROLE 0 / 1): two partitions on one CPU that fill all 32 FP/SIMD registers with
 * their own values, let the other run and the kernel hash a witness record (BLAKE2b uses the
 * FP registers too), and check every register survived: the lazy FP switch at work.
 */
#include "rvp.h"

#define ROUNDS 300

/* Put base + k in d<k> for k = 0..31 (FP code by hand: partitions compile general-regs-only). */
static void fill(uint64_t base)
{
	__asm__ volatile("add x9, %0, #0\n\tfmov d0, x9\n\t"
			 "add x9, %0, #1\n\tfmov d1, x9\n\t"
			 "add x9, %0, #2\n\tfmov d2, x9\n\t"
			 "add x9, %0, #3\n\tfmov d3, x9\n\t"
			 "add x9, %0, #4\n\tfmov d4, x9\n\t"
			 "add x9, %0, #5\n\tfmov d5, x9\n\t"
			 "add x9, %0, #6\n\tfmov d6, x9\n\t"
			 "add x9, %0, #7\n\tfmov d7, x9\n\t"
			 "add x9, %0, #8\n\tfmov d8, x9\n\t"
			 "add x9, %0, #9\n\tfmov d9, x9\n\t"
			 "add x9, %0, #10\n\tfmov d10, x9\n\t"
			 "add x9, %0, #11\n\tfmov d11, x9\n\t"
			 "add x9, %0, #12\n\tfmov d12, x9\n\t"
			 "add x9, %0, #13\n\tfmov d13, x9\n\t"
			 "add x9, %0, #14\n\tfmov d14, x9\n\t"
			 "add x9, %0, #15\n\tfmov d15, x9\n\t"
			 "add x9, %0, #16\n\tfmov d16, x9\n\t"
			 "add x9, %0, #17\n\tfmov d17, x9\n\t"
			 "add x9, %0, #18\n\tfmov d18, x9\n\t"
			 "add x9, %0, #19\n\tfmov d19, x9\n\t"
			 "add x9, %0, #20\n\tfmov d20, x9\n\t"
			 "add x9, %0, #21\n\tfmov d21, x9\n\t"
			 "add x9, %0, #22\n\tfmov d22, x9\n\t"
			 "add x9, %0, #23\n\tfmov d23, x9\n\t"
			 "add x9, %0, #24\n\tfmov d24, x9\n\t"
			 "add x9, %0, #25\n\tfmov d25, x9\n\t"
			 "add x9, %0, #26\n\tfmov d26, x9\n\t"
			 "add x9, %0, #27\n\tfmov d27, x9\n\t"
			 "add x9, %0, #28\n\tfmov d28, x9\n\t"
			 "add x9, %0, #29\n\tfmov d29, x9\n\t"
			 "add x9, %0, #30\n\tfmov d30, x9\n\t"
			 "add x9, %0, #31\n\tfmov d31, x9\n\t"
			 :
			 : "r"(base)
			 : "x9", "memory");
}

/* How many of d0..d31 no longer hold base + k. */
static uint64_t damaged(uint64_t base)
{
	uint64_t bad = 0;

	__asm__ volatile("fmov x9, d0\n\tsub x9, x9, %1\n\tcmp x9, #0\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d1\n\tsub x9, x9, %1\n\tcmp x9, #1\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d2\n\tsub x9, x9, %1\n\tcmp x9, #2\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d3\n\tsub x9, x9, %1\n\tcmp x9, #3\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d4\n\tsub x9, x9, %1\n\tcmp x9, #4\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d5\n\tsub x9, x9, %1\n\tcmp x9, #5\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d6\n\tsub x9, x9, %1\n\tcmp x9, #6\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d7\n\tsub x9, x9, %1\n\tcmp x9, #7\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d8\n\tsub x9, x9, %1\n\tcmp x9, #8\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d9\n\tsub x9, x9, %1\n\tcmp x9, #9\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d10\n\tsub x9, x9, %1\n\tcmp x9, #10\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d11\n\tsub x9, x9, %1\n\tcmp x9, #11\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d12\n\tsub x9, x9, %1\n\tcmp x9, #12\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d13\n\tsub x9, x9, %1\n\tcmp x9, #13\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d14\n\tsub x9, x9, %1\n\tcmp x9, #14\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d15\n\tsub x9, x9, %1\n\tcmp x9, #15\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d16\n\tsub x9, x9, %1\n\tcmp x9, #16\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d17\n\tsub x9, x9, %1\n\tcmp x9, #17\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d18\n\tsub x9, x9, %1\n\tcmp x9, #18\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d19\n\tsub x9, x9, %1\n\tcmp x9, #19\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d20\n\tsub x9, x9, %1\n\tcmp x9, #20\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d21\n\tsub x9, x9, %1\n\tcmp x9, #21\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d22\n\tsub x9, x9, %1\n\tcmp x9, #22\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d23\n\tsub x9, x9, %1\n\tcmp x9, #23\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d24\n\tsub x9, x9, %1\n\tcmp x9, #24\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d25\n\tsub x9, x9, %1\n\tcmp x9, #25\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d26\n\tsub x9, x9, %1\n\tcmp x9, #26\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d27\n\tsub x9, x9, %1\n\tcmp x9, #27\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d28\n\tsub x9, x9, %1\n\tcmp x9, #28\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d29\n\tsub x9, x9, %1\n\tcmp x9, #29\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d30\n\tsub x9, x9, %1\n\tcmp x9, #30\n\tcinc %0, %0, ne\n\t"
			 "fmov x9, d31\n\tsub x9, x9, %1\n\tcmp x9, #31\n\tcinc %0, %0, ne\n\t"
			 : "+r"(bad)
			 : "r"(base)
			 : "x9", "cc", "memory");
	return bad;
}

int main(void)
{
	uint64_t bad = 0;

	for (uint64_t i = 0; i < ROUNDS; i++) {
		uint64_t base = (ROLE + 1) * 1000000 + i * 64;
		fill(base);
		hvc(HV_CAP_INFO, 30, 0, 0); /* an empty slot: refused, so witnessed (BLAKE2b) */
		hvc(HV_YIELD, 0, 0, 0);
		bad += damaged(base);
	}
	print("fpu: ", ROUNDS, " rounds");
	print(", ", bad, " registers lost\n");
	return 0;
}
