/*
 * flood: makes CALLS refused calls as fast as it can (edge_send on a slot with no capability).
 * Each would be a witness record; past its refusal quota the kernel writes counts instead
 * (WK_QUOTA) and takes its CPU away after each call, so the partitions beside it run on. With
 * on-quota = "stop" it is contained at its first refusal over the quota instead.
 *
 * With -DROLE=1 it is the cruncher instead: a computation beside the flood that reports how
 * often it lost its CPU for more than half a time slice (500,000 instructions) in one go. A
 * throttled flood gives the CPU back after each call over its quota, so that never happens.
 */
#include "rvp.h"

#ifndef ROLE
#define ROLE 0
#endif

#define CALLS 100000
#define EMPTY 30 /* a slot the manifest leaves empty */

#if ROLE == 1
#define STEPS 3000000

int main(void)
{
	uint64_t gaps = 0, long_gaps = 0, last = counter();
	volatile uint64_t sum = 0;

	for (uint64_t i = 0; i < STEPS; i++) {
		sum += i;
		uint64_t now = counter();
		if (now - last > 1000) /* 16,000 instructions: far more than one iteration */
			gaps++;
		if (now - last > 500000 / 16)
			long_gaps++;
		last = now;
	}
	print("cruncher: done, lost the CPU ", gaps, " times, ");
	print("", long_gaps, " of them for more than half a time slice\n");
	return 0;
}
#else
int main(void)
{
	uint64_t denied = 0;

	put("flood: start\n");
	for (int i = 0; i < CALLS; i++)
		if (hvc(HV_EDGE_SEND, EMPTY, 0, 8).x0 == E_DENIED)
			denied++;
	print("flood: ", CALLS, " refused calls made, ");
	print("", denied, " answered denied\n");
	return 0;
}
#endif
