/*
 * switch_a / switch_b (ROLE 0 / 1): two partitions on one CPU that yield to each other
 * ROUNDS times. Before each yield a partition writes the virtual counter into the shared pages
 * of the edge in slot 1; the other, first thing after its own yield returns, reads the counter
 * again: the difference is one partition switch, from the HVC trap in one partition to the
 * first instruction back in the other (x16: instructions under -icount shift=0).
 */
#include "rvp.h"

#define ROUNDS 1200
#define EDGE   1

static uint64_t samples[ROUNDS];

int main(void)
{
	volatile uint64_t *shared = edge_window(EDGE);
	int n = 0;

	for (int i = 0; i < ROUNDS; i++) {
		shared[ROLE] = counter();
		hvc(HV_YIELD, 0, 0, 0);
		uint64_t now = counter();
		uint64_t then = shared[1 - ROLE];
		if (then != 0 && i > 0)
			samples[n++] = (now - then) * 16;
	}
	if (ROLE == 0) {
		sort_u64(samples, n);
		print("switch: ", (uint64_t)n, " switches");
		print(", instructions min ", samples[0], "");
		print(" median ", samples[n / 2], "");
		print(" max ", samples[n - 1], "\n");
	}
	return 0;
}
