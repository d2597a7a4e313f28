/*
 * hs_probe: touches every kind of address outside its own memory (its region at IPA 0..1 MiB
 * and its edge window at 0x10100000..+64 KiB): kernel memory, the other partitions' regions and
 * shared pages, the GIC, the UART, virtio-mmio, the DTB and the manifest blob, RAM's top, the
 * top of the 4 GiB IPA space, a walk across all of it in 1 MiB steps, and addresses beyond it.
 * Each touch is a read, a write, a jump, a byte store, a pair load or a DC ZVA, in turn.
 *
 * Each touch must be a stage-2 fault (or, above the PA range, an EL1 fault whose vector fetch
 * at the unmapped VBAR_EL1 is one): the kernel contains it and restores this partition from
 * the checkpoint it took at the start, which brings back its image (code, data, stack) but not
 * the rest of its region. So the probe's progress lives at PERSIST_IPA: the index of the next
 * probe, and whether the last one was still in flight when the restore came (then it was
 * contained). A touch that returns is an escape. Every 256 probes are a round: the victim
 * checks its sentinels before the next.
 */
#include "hostile.h"

#define ROUND_PROBES 256
#define MAX_RECORDED 8

struct persist {
	uint64_t magic;
	uint64_t next;	   /* index of the next probe */
	uint64_t inflight; /* 1 + the index of the probe being touched, or 0 */
	uint64_t contained, escapes, crashes, corruptions, rounds;
	uint64_t by_op[8];
	uint64_t escaped_at[MAX_RECORDED];
};

#define P	     ((volatile struct persist *)PERSIST_IPA)
#define MAGIC	     0x70726f6265ull
#define OPS	     6
#define WINDOW	     0x10100000ul
#define WINDOW_END   (WINDOW + EDGE_BYTES)
#define OWN_END	     0x100000ul
#define IPA_TOP	     0x100000000ull
#define WALK_STEP    0x200000ull
#define WALK_PROBES  (IPA_TOP / WALK_STEP) /* 2048 */
#define BEYOND_COUNT 10

/* Targeted ranges: [base, end) every step bytes. */
static const struct range {
	uint64_t base, end, step;
} ranges[] = {
	{ 0x00100000, 0x00120000, 0x1000 },	 /* right after its own region */
	{ 0x00fff000, 0x01001000, 0x1000 },	 /* where a second region would be */
	{ 0x08000000, 0x08010000, 0x1000 },	 /* GIC distributor */
	{ 0x080a0000, 0x080e0000, 0x8000 },	 /* GIC redistributors of both CPUs */
	{ 0x09000000, 0x09001000, 0x100 },	 /* PL011 UART registers */
	{ 0x09010000, 0x09030000, 0x1000 },	 /* RTC, fw_cfg */
	{ 0x0a000000, 0x0a004000, 0x200 },	 /* the 32 virtio-mmio transports */
	{ 0x0fff0000, 0x10100000, 0x10000 },	 /* below and in edge window 0 */
	{ 0x10110000, 0x10200000, 0x10000 },	 /* its own window past the 64 KiB mapped */
	{ 0x10200000, 0x12000000, 0x100000 },	 /* windows of the other slots */
	{ 0x40000000, 0x40200000, 0x10000 },	 /* RAM below the kernel */
	{ 0x40200000, 0x40a00000, 0x10000 },	 /* the kernel image, its stacks and tables */
	{ 0x47000000, 0x47004000, 0x1000 },	 /* the manifest blob */
	{ 0x48000000, 0x48100000, 0x10000 },	 /* QEMU's DTB */
	{ 0x4a000000, 0x4a900000, 0x10000 },	 /* every partition's region and shared pages */
	{ 0x4fff0000, 0x50001000, 0x1000 },	 /* RAM's last pages and the first past it */
	{ 0xfff00000, 0x100000000ull, 0x10000 }, /* the top of the IPA space */
	{ 0xffffff00, 0x100000000ull, 0x40 },	 /* its last bytes */
};

static const uint64_t beyond[BEYOND_COUNT] = {
	0x100000000ull,	       0x100001000ull,	      0x140000000ull,	     0x4000000000ull,
	0xfffffffff000ull,     0x1000000000000ull,    0x0000fffffffffff8ull, 0xffff000000000000ull,
	0xffff000040200000ull, 0xfffffffffffffff8ull,
};

static uint64_t range_count(void)
{
	uint64_t n = 0;
	for (unsigned k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++)
		n += (ranges[k].end - ranges[k].base + ranges[k].step - 1) / ranges[k].step;
	return n;
}

static int own(uint64_t a)
{
	return a + 16 > a && ((a + 16 <= OWN_END) || (a >= WINDOW && a + 16 <= WINDOW_END));
}

/* The address of probe @i, or 0 when that probe is skipped (it would touch its own memory). */
static uint64_t address(uint64_t i)
{
	for (unsigned k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
		uint64_t n = (ranges[k].end - ranges[k].base + ranges[k].step - 1) / ranges[k].step;
		if (i < n) {
			uint64_t a = ranges[k].base + i * ranges[k].step;
			return own(a) ? 0 : a;
		}
		i -= n;
	}
	if (i < WALK_PROBES) {
		/* One address in each 2 MiB: a page and an offset from the PRNG. */
		uint64_t h = mix64(i ^ 0x5eed);
		uint64_t a = i * WALK_STEP + (h % 512) * PAGE + ((h >> 9) % PAGE & ~15ull);
		return own(a) ? 0 : a;
	}
	i -= WALK_PROBES;
	return i < BEYOND_COUNT ? beyond[i] : 0;
}

static uint64_t total(void)
{
	return range_count() + WALK_PROBES + BEYOND_COUNT;
}

/* Touch @a with operation @op; returns only if the touch did not fault. */
static void touch(uint64_t a, unsigned op)
{
	uint64_t v = 0x4141414141414141ull, w;

	switch (op) {
	case 0:
		__asm__ volatile("ldr %0, [%1]" : "=r"(w) : "r"(a) : "memory");
		break;
	case 1:
		__asm__ volatile("str %0, [%1]" ::"r"(v), "r"(a) : "memory");
		break;
	case 2:
		__asm__ volatile("blr %0" ::"r"(a) : "x30", "memory");
		break;
	case 3:
		__asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(a) : "memory");
		break;
	case 4:
		__asm__ volatile("ldp %0, %1, [%2]" : "=r"(w), "=r"(v) : "r"(a) : "memory");
		break;
	default:
		__asm__ volatile("dc zva, %0" ::"r"(a & ~63ull) : "memory");
		break;
	}
}

int main(void)
{
	uint64_t n = total();

	mail_begin("probe");
	P->magic = MAGIC;
	P->next = P->inflight = 0;
	put("probe: checkpoint, then ");
	print("", n, " probes\n");
	if (hvc(HV_CHECKPOINT, SLOT_SELF, 0, 0).x0 != E_OK) {
		put("probe: checkpoint refused\n");
		return 1;
	}
	/* Both the first return and every restore come here; the progress is in P. */
	if (P->magic != MAGIC) {
		put("probe: progress lost across a restore\n");
		return 1;
	}
	if (P->inflight) {
		P->contained++;
		P->inflight = 0;
	}
	while (P->next < n) {
		uint64_t i = P->next;
		if (i % ROUND_PROBES == 0 && P->rounds < i / ROUND_PROBES + 1) {
			P->rounds = i / ROUND_PROBES + 1;
			if (!kernel_alive())
				P->crashes++;
			P->corruptions = mail_round(P->rounds);
		}
		uint64_t a = address(i);
		unsigned op = (unsigned)(i % OPS);
		P->next = i + 1;
		if (!a)
			continue;
		P->by_op[op]++;
		P->inflight = i + 1;
		touch(a, op);
		/* Still here: the access went through. */
		P->inflight = 0;
		if (P->escapes < MAX_RECORDED)
			P->escaped_at[P->escapes] = a;
		P->escapes++;
	}
	uint64_t probes = 0;
	for (unsigned k = 0; k < OPS; k++)
		probes += P->by_op[k];
	print("probe: ", probes, " probes");
	print(", ", P->contained, " contained");
	print(", ", P->escapes, " escapes\n");
	print("probe: ", P->by_op[0], " reads, ");
	print("", P->by_op[1], " writes, ");
	print("", P->by_op[2], " jumps, ");
	print("", P->by_op[3], " byte writes, ");
	print("", P->by_op[4], " pair reads, ");
	print("", P->by_op[5], " DC ZVA\n");
	for (uint64_t k = 0; k < P->escapes && k < MAX_RECORDED; k++) {
		put("probe: ESCAPE at IPA ");
		put_hex(P->escaped_at[k]);
		put("\n");
	}
	mail_final(P->rounds + 1, probes, P->escapes, P->crashes);
	return 0;
}
