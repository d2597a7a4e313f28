/*
 * pong: answers each message on the edge in slot 1 with the payload plus one, at offset 64,
 * until ping's one-byte goodbye.
 */
#include "rvp.h"

#define EDGE 1

int main(void)
{
	volatile uint64_t *shared = edge_window(EDGE);

	put("pong: start\n");
	for (uint64_t answered = 0;; answered++) {
		struct hv_result r = recv_wait(EDGE, 100000); /* ping gone quiet: give up */
		if (r.x0 != E_OK || r.x2 == 1) {
			print("pong: answered ", answered, "\n");
			break;
		}
		shared[8] = shared[r.x1 / 8] + 1;
		hvc(HV_EDGE_SEND, EDGE, 64, 8);
	}
	return 0;
}
