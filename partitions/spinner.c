/*
 * spinner: computes for a long time without ever calling the kernel. Other partitions on its
 * CPU still run, because the EL2 timer ends its slice; it reports how often it lost the CPU
 * (the virtual counter jumping by more than its own loop could explain).
 */
#include "rvp.h"

#define STEPS 400000

int main(void)
{
	uint64_t preempted = 0, last = counter();
	volatile uint64_t sum = 0;

	for (uint64_t i = 0; i < STEPS; i++) {
		sum += i;
		uint64_t now = counter();
		if (now - last > 1000) /* 16,000 instructions: far more than one iteration */
			preempted++;
		last = now;
	}
	print("spinner: done, preempted ", preempted, " times\n");
	return 0;
}
