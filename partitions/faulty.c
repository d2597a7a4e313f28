/*
 * faulty: checkpoints itself, then reads memory outside its regions. The stage-2 fault is
 * contained: the kernel restores the checkpoint, so execution comes back out of the checkpoint
 * call a second time, now told it was restored (x1 = 1), with memory as it was then.
 */
#include "rvp.h"

static volatile uint64_t touched;

int main(void)
{
	touched = 1;
	struct hv_result r = hvc(HV_CHECKPOINT, SLOT_SELF, 0, 0);
	if (r.x0 != E_OK) {
		print("faulty: checkpoint failed: ", r.x0, "\n");
		return 1;
	}
	if (r.x1 == 0) {
		touched = 2; /* after the checkpoint: the restore must undo this */
		put("faulty: reading outside my memory\n");
		(void)*(volatile uint64_t *)0x30000000ul;
		put("faulty: the read did not fault\n");
		return 1;
	}
	print("faulty: restored from checkpoint, memory value ", touched, "\n");
	return 0;
}
