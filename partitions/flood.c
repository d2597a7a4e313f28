/*
 * flood: makes CALLS refused calls as fast as it can (edge_send on a slot with no capability).
 * Each would be a witness record; past its refusal quota the kernel writes counts instead
 * (WK_QUOTA) and takes its CPU away after each call, so the partitions beside it run on. With
 * on-quota = "stop" it is contained at its first refusal over the quota instead.
 */
#include "rvp.h"

#define CALLS 100000
#define EMPTY 30 /* a slot the manifest leaves empty */

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
