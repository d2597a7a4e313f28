/*
 * ping: sends ROUNDS messages to pong over the edge in slot 1 and waits for each reply,
 * writing the payload straight into the shared pages (no copy through the kernel). Reports the
 * round trip in instructions (virtual counter ticks x 16 under -icount shift=0).
 */
#include "rvp.h"

#define ROUNDS	 1000
#define EDGE	 1
#define PATIENCE 100000 /* empty receives before giving up on pong */

static uint64_t samples[ROUNDS];

int main(void)
{
	volatile uint64_t *shared = edge_window(EDGE);
	uint64_t bad = 0;

	put("ping: start\n");
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = counter();
		shared[0] = (uint64_t)i; /* payload: the round number */
		while (hvc(HV_EDGE_SEND, EDGE, 0, 8).x0 == E_FULL)
			hvc(HV_YIELD, 0, 0, 0);
		struct hv_result r = recv_wait(EDGE, PATIENCE);
		if (r.x0 == E_EMPTY) {
			put("ping: no reply: is pong running?\n");
			return 1;
		}
		/* pong answers at offset 64 with the round number plus one */
		if (r.x0 != E_OK || r.x1 != 64 || shared[8] != (uint64_t)i + 1)
			bad++;
		samples[i] = (counter() - t0) * 16;
	}
	/*
	 * The edge dies with either end, queued messages with it. Tell pong to exit now that every
	 * reply is in, and stay until it has: then the edge is gone and receiving is denied.
	 */
	hvc(HV_EDGE_SEND, EDGE, 0, 1);
	for (int i = 0; i < PATIENCE && hvc(HV_EDGE_RECV, EDGE, 0, 0).x0 != E_DENIED; i++)
		hvc(HV_YIELD, 0, 0, 0);
	sort_u64(samples, ROUNDS);
	print("ping: ", ROUNDS, " round trips");
	print(", ", bad, " bad replies");
	print(", instructions min ", samples[0], "");
	print(" median ", samples[ROUNDS / 2], "");
	print(" max ", samples[ROUNDS - 1], "\n");
	return 0;
}
