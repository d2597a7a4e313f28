/*
 * Lifecycle across CPUs: a controller suspends, resumes and terminates a worker through the
 * partition capability in its slot 2 (the manifest's `controls`), and checks through their
 * shared edge pages (slot 1) that each takes effect at once, wherever the worker runs.
 *
 *   ROLE 0  lc_ctl     controls lc_spin or lc_busy: suspend, resume, terminate (the machine stops
 * only when the terminated worker stopped too) ROLE 1  lc_spin    counts in shared[0] forever,
 * never calling the kernel ROLE 2  lc_self    sets shared[1] = 1, suspends itself, then sets
 * shared[1] = 2 and exits once lc_waker acknowledged that (shared[2]) ROLE 4  lc_busy    counts in
 * shared[0] and checkpoints itself (a witnessed call) after each count, so it is nearly always in a
 * hypercall or waiting for one ROLE 3  lc_waker   waits for lc_self to suspend, checks it stays
 * suspended, resumes it, and exits after lc_self (the edge, and its pages, die with either end)
 */
#include "rvp.h"

#define EDGE	     1
#define TARGET	     2 /* the partition capability */
#define PART_SUSPEND 2
#define PART_RESUME  3
#define PART_TERM    8
#define WAIT_MAX     200000 /* yields before giving up on the other side */
#define HOLD_ROUNDS  40	    /* yields, each after some work: several time slices in all */

static volatile uint64_t *shared;

static __attribute__((unused)) uint64_t ctl(unsigned op)
{
	return hvc(HV_PARTITION_CTL, TARGET, op, 0).x0;
}

/* Spin a little without calling the kernel, so the other CPU has time to act. */
static void busy(void)
{
	for (volatile int i = 0; i < 20000; i++)
		;
}

/* Give the CPU away HOLD_ROUNDS times (to the worker too, if it could still run here). */
static __attribute__((unused)) void hold(void)
{
	for (int i = 0; i < HOLD_ROUNDS; i++) {
		hvc(HV_YIELD, 0, 0, 0);
		busy();
	}
}

/* Wait until shared[k] differs from @v; false when it never does. */
static __attribute__((unused)) int wait_change(int k, uint64_t v)
{
	for (int i = 0; i < WAIT_MAX; i++) {
		if (shared[k] != v)
			return 1;
		hvc(HV_YIELD, 0, 0, 0);
	}
	return 0;
}

#if ROLE == 0
int main(void)
{
	shared = edge_window(EDGE);
	if (!wait_change(0, 0)) {
		put("lc_ctl: the worker never counted\n");
		return 1;
	}
	uint64_t e = ctl(PART_SUSPEND), a = shared[0];
	hold();
	uint64_t b = shared[0];
	print("lc_ctl: suspend ", e, "");
	print(", counter moved by ", b - a, " while suspended\n");
	e = ctl(PART_RESUME);
	int again = wait_change(0, b);
	print("lc_ctl: resume ", e, again ? ", counting again\n" : ", never counted again\n");
	/* The edge dies with the worker, and with it these pages: the test sees the end of the
	 * worker in the machine stopping once this controller exits. */
	print("lc_ctl: terminate ", ctl(PART_TERM), "\n");
	return 0;
}
#elif ROLE == 1
int main(void)
{
	shared = edge_window(EDGE);
	put("lc_spin: counting\n");
	for (;;)
		shared[0]++;
}
#elif ROLE == 4
int main(void)
{
	shared = edge_window(EDGE);
	put("lc_busy: counting\n");
	for (;;) {
		shared[0]++;
		hvc(HV_CHECKPOINT, SLOT_SELF, 0, 0);
	}
}
#elif ROLE == 2
int main(void)
{
	shared = edge_window(EDGE);
	shared[1] = 1;
	uint64_t e = hvc(HV_PARTITION_CTL, SLOT_SELF, PART_SUSPEND, 0).x0;
	shared[1] = 2; /* only once resumed */
	print("lc_self: back from suspending myself, status ", e, "\n");
	wait_change(2, 0);
	return 0;
}
#else
int main(void)
{
	shared = edge_window(EDGE);
	if (!wait_change(1, 0)) {
		put("lc_waker: lc_self never started\n");
		return 1;
	}
	hold();
	uint64_t seen = shared[1];
	print("lc_waker: while suspended lc_self reached step ", seen, "; resuming it\n");
	uint64_t e = ctl(PART_RESUME);
	int back = wait_change(1, 1);
	print("lc_waker: resume ", e, back ? ", lc_self ran on\n" : ", lc_self never ran on\n");
	shared[2] = 1;
	for (int i = 0; i < WAIT_MAX && hvc(HV_EDGE_RECV, EDGE, 0, 0).x0 != E_DENIED; i++)
		hvc(HV_YIELD, 0, 0, 0);
	return 0;
}
#endif
