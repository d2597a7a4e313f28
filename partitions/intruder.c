/*
 * intruder: holds no capability to the ping-pong edge, but tries to send on it through every
 * slot; the kernel refuses each attempt (and witnesses it).
 */
#include "rvp.h"

int main(void)
{
	uint64_t refused = 0;

	for (unsigned slot = 0; slot < 8; slot++)
		if (hvc(HV_EDGE_SEND, slot, 0, 8).x0 == E_DENIED)
			refused++;
	print("intruder: ", refused, " of 8 sends refused\n");
	return 0;
}
