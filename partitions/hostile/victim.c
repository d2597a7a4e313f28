/*
 * The honest parties of every hostile scenario (hostile.h):
 *
 *   ROLE 0  hs_victim   fills its region beyond its image (960 KiB) and pages 1..15 of its edge
 *                       to the referee (60 KiB) with sentinels, and an array in its own .bss;
 *                       checks every word each time the referee asks, until the last round
 *   ROLE 1  hs_referee  the third partition: relays each attack round to the victim and the
 *                       victim's answer back, checks the shared sentinels itself, and prints the
 *                       result line "hostile SCENARIO: N attacks, E escapes, K kernel crashes,
 *                       C victim corruptions" once the attacker's last round is checked
 *
 * The victim exits after the referee (whose exit kills their edge), the referee after the
 * attacker, so no party touches pages that went away with another.
 */
#include "hostile.h"

#define OWN_LO 0x10000ul
#define OWN_HI 0x100000ul

static volatile uint64_t bss_sentinels[512];

static volatile uint64_t *edge_lo(void)
{
	return (volatile uint64_t *)((uintptr_t)edge_window(VR_SLOT) + PAGE);
}

static volatile uint64_t *edge_hi(void)
{
	return (volatile uint64_t *)((uintptr_t)edge_window(VR_SLOT) + EDGE_BYTES);
}

#if ROLE == 0
static uint64_t check_all(void)
{
	return sentinel_check((volatile uint64_t *)OWN_LO, (volatile uint64_t *)OWN_HI, SALT_OWN) +
	       sentinel_check(edge_lo(), edge_hi(), SALT_EDGE) +
	       sentinel_check(bss_sentinels, bss_sentinels + 512, SALT_OWN ^ 1);
}

int main(void)
{
	volatile struct vmail *vm = (volatile struct vmail *)edge_window(VR_SLOT);
	uint64_t words = (OWN_HI - OWN_LO + EDGE_BYTES - PAGE) / 8 + 512;
	uint64_t corrupt = 0, checks = 0, last = 0;

	sentinel_fill((volatile uint64_t *)OWN_LO, (volatile uint64_t *)OWN_HI, SALT_OWN);
	sentinel_fill(edge_lo(), edge_hi(), SALT_EDGE);
	sentinel_fill(bss_sentinels, bss_sentinels + 512, SALT_OWN ^ 1);
	store_release(&vm->ready, 1);
	for (;;) {
		uint64_t r = last, i = 0;
		/* The referee gone, so are these pages: ask before each look. */
		while (i++ < PATIENCE && cap_present(VR_SLOT) &&
		       (r = load_acquire(&vm->round)) == last)
			yield();
		if (r == last) {
			put("victim: the referee went quiet or left\n");
			return 1;
		}
		uint64_t fin = vm->final;
		corrupt += check_all();
		checks++;
		vm->corruptions = corrupt;
		store_release(&vm->checked, r);
		last = r;
		if (fin)
			break;
	}
	print("victim: ", checks, " checks");
	print(" of ", words, " sentinel words");
	print(", ", corrupt, " corruptions\n");
	wait_cap_gone(VR_SLOT, PATIENCE); /* the referee is done with our edge */
	return 0;
}
#else
int main(void)
{
	volatile struct vmail *vm = (volatile struct vmail *)edge_window(VR_SLOT);
	volatile struct mail *am = (volatile struct mail *)edge_window(AR_SLOT);
	uint64_t own = 0, crashes = 0, last = 0, i = 0, attacks = 0, escapes = 0, their = 0;
	char scenario[32], lines[DETAIL_LINES][DETAIL_LEN];

	while (!load_acquire(&vm->ready) && i++ < PATIENCE)
		yield();
	for (;;) {
		uint64_t r = last;
		i = 0;
		while (i++ < PATIENCE && cap_present(AR_SLOT) &&
		       (r = load_acquire(&am->round)) == last)
			yield();
		if (r == last) {
			put("referee: the attacker went quiet or left before its last round\n");
			return 1;
		}
		uint64_t fin = am->final;
		vm->final = fin;
		store_release(&vm->round, r);
		i = 0;
		while (i++ < PATIENCE && cap_present(VR_SLOT) && load_acquire(&vm->checked) != r)
			yield();
		if (i > PATIENCE || !cap_present(VR_SLOT)) {
			put("referee: the victim went quiet or left\n");
			return 1;
		}
		own += sentinel_check(edge_lo(), edge_hi(), SALT_EDGE);
		if (!kernel_alive())
			crashes++;
		am->corruptions = vm->corruptions + own;
		if (fin) {
			/* Read all of it before the answer: the attacker leaves once it has it, and
			 * these pages go with it. */
			attacks = am->attacks;
			escapes = am->escapes;
			their = am->crashes;
			for (i = 0; i < sizeof(scenario) - 1 && am->scenario[i]; i++)
				scenario[i] =
					(char)(am->scenario[i] >= 0x20 && am->scenario[i] < 0x7f
						       ? am->scenario[i]
						       : '?');
			scenario[i] = '\0';
			for (unsigned k = 0; k < DETAIL_LINES; k++) {
				for (i = 0; i < DETAIL_LEN - 1 && am->detail[k][i]; i++)
					lines[k][i] = am->detail[k][i];
				lines[k][i] = '\0';
			}
		}
		store_release(&am->ack, r);
		last = r;
		if (fin)
			break;
	}
	put("hostile ");
	put(scenario);
	print(": ", attacks, " attacks");
	print(", ", escapes, " escapes");
	print(", ", their + crashes, " kernel crashes");
	print(", ", vm->corruptions + own, " victim corruptions\n");
	for (unsigned k = 0; k < DETAIL_LINES; k++)
		if (lines[k][0]) {
			put(scenario);
			put(": ");
			put(lines[k]);
			put("\n");
		}
	wait_cap_gone(AR_SLOT, PATIENCE); /* the attacker has read our answer and left */
	return 0;
}
#endif
