/*
 * Partitions that never yield (docs/hostile.md, "spin"):
 *
 *   ROLE 0  hs_spin_tight  on the victim's CPU: a branch to itself, touching no memory, forever
 *   ROLE 1  hs_spin_count  on the other CPU: counts in the page it shares with the referee,
 *                          forever, and counts how often it lost its CPU (the virtual counter
 *                          jumping by more than its own loop explains)
 *   ROLE 2  hs_spin_ref    the referee of this scenario: it drives the victim's checks itself,
 *                          round after round, until ping (its capability in slot 5) has
 *                          exited; then it suspends the counting spinner and checks that it
 *                          stopped, and terminates both. Slots: 1 the victim's edge, 2 the
 *                          counting spinner's, 3 and 4 the spinners (controls), 5 ping
 *
 * The victim, ping and pong finish only because the EL2 timer takes the CPU from the spinners,
 * and the machine stops only because the referee's terminations take effect (a spinner never
 * exits). A spinner that counts on while suspended, or a termination refused, is an escape.
 */
#include "hostile.h"

#define SPIN_TIGHT 3
#define SPIN_COUNT 4
#define PING	   5
#define HOLD	   50 /* yields while the counting spinner is suspended */

struct spin_page {
	uint64_t count, preempted;
};

#if ROLE == 0
int main(void)
{
	__asm__ volatile("1:\tb 1b");
	return 0;
}
#elif ROLE == 1
int main(void)
{
	volatile struct spin_page *s = (volatile struct spin_page *)edge_window(1);
	uint64_t last = counter();

	for (;;) {
		s->count++;
		uint64_t now = counter();
		if (now - last > 1000) /* 16,000 instructions under icount: another ran */
			s->preempted++;
		last = now;
	}
}
#else
int main(void)
{
	volatile struct vmail *vm = (volatile struct vmail *)edge_window(VR_SLOT);
	volatile struct spin_page *sp = (volatile struct spin_page *)edge_window(2);
	uint64_t own = 0, crashes = 0, escapes = 0, round = 0, i = 0;

	while (!load_acquire(&vm->ready) && i++ < PATIENCE)
		yield();
	/* One check of the victim's sentinels after another while ping runs, and one after it. */
	for (int fin = 0; !fin;) {
		fin = !cap_present(PING);
		vm->final = (uint64_t)fin;
		store_release(&vm->round, ++round);
		for (i = 0; load_acquire(&vm->checked) != round && i < PATIENCE; i++)
			yield();
		own += sentinel_check(
			(volatile uint64_t *)((uintptr_t)edge_window(VR_SLOT) + PAGE),
			(volatile uint64_t *)((uintptr_t)edge_window(VR_SLOT) + EDGE_BYTES),
			SALT_EDGE);
		if (!kernel_alive())
			crashes++;
	}
	uint64_t preempted = sp->preempted;
	/* Suspended, the counting spinner must stop at once and stay stopped. */
	uint64_t e = hvc(HV_PARTITION_CTL, SPIN_COUNT, PART_SUSPEND, 0).x0;
	uint64_t a = sp->count;
	for (i = 0; i < HOLD; i++)
		yield();
	uint64_t b = sp->count;
	escapes += e != E_OK || b != a;
	print("spin: suspend ", e, "");
	print(", the spinner counted ", b - a, " while suspended");
	print(", preempted ", preempted, " times\n");
	uint64_t t1 = hvc(HV_PARTITION_CTL, SPIN_COUNT, PART_TERM, 0).x0;
	uint64_t t0 = hvc(HV_PARTITION_CTL, SPIN_TIGHT, PART_TERM, 0).x0;
	escapes += t0 != E_OK || t1 != E_OK || cap_present(SPIN_TIGHT) || cap_present(SPIN_COUNT);
	print("spin: terminate ", t0, "");
	print(" and ", t1, "\n");
	put("hostile spin");
	print(": ", preempted, " attacks");
	print(", ", escapes, " escapes");
	print(", ", crashes, " kernel crashes");
	print(", ", vm->corruptions + own, " victim corruptions\n");
	return 0;
}
#endif
