/*
 * survivor and leaver: leaver sends one message on the edge in slot 1, waits for the answer and
 * exits, which destroys the edge. survivor reads that message in the shared pages, waits until
 * receiving is denied (the edge is gone), then touches the pages again: the kernel unmapped them
 * when the capability went away, so the access is a stage-2 fault and survivor is contained.
 */
#include "rvp.h"

#define EDGE 1

int main(void)
{
	volatile uint64_t *shared = edge_window(EDGE);

#if LEAVER
	shared[0] = 42;
	hvc(HV_EDGE_SEND, EDGE, 0, 8);
	recv_wait(EDGE, 100000); /* survivor's acknowledgement */
	put("leaver: leaving\n");
#else
	struct hv_result r = recv_wait(EDGE, 100000);
	if (r.x0 != E_OK)
		return 1;
	print("survivor: received ", shared[r.x1 / 8], "\n");
	hvc(HV_EDGE_SEND, EDGE, 64, 8);
	while (hvc(HV_EDGE_RECV, EDGE, 0, 0).x0 != E_DENIED)
		hvc(HV_YIELD, 0, 0, 0);
	put("survivor: the edge is gone; touching its pages\n");
	print("survivor: still mapped, read ", shared[0], "\n");
#endif
	return 0;
}
