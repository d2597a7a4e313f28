/*
 * vCPUs: one per partition that runs code. A partition runs at EL1 with its stage-1 MMU off,
 * behind its own VMID-tagged stage-2 tables; it enters the kernel with HVC, faults, or the EL2
 * timer. Each vCPU has its own frame area, and while it runs at EL1 the EL2 stack pointer is
 * the top of it: a trap saves its registers straight into the vCPU's frame, then the kernel
 * runs on the CPU's own stack (vectors.S), so a vCPU can move to another CPU while the old one
 * is still in the kernel. A switch therefore copies no registers: it saves and loads the EL1
 * system registers and the VTTBR and returns the other vCPU's frame for the vectors to restore.
 * A vCPU that arrives on a CPU it did not run on last drops its VMID's TLB entries there.
 *
 * FP/SIMD is switched lazily. While a partition runs, CPTR_EL2.TFP traps its first FP/SIMD
 * instruction; the trap loads that partition's FP state and lets it run with FP on (it now
 * owns the CPU's FP registers). The kernel itself uses FP/SIMD (the BLAKE2b of the witness
 * chain), so every entry into the kernel first saves the owner's FP state and gives up
 * ownership. A partition that never touches FP costs nothing; one that does pays a save per
 * kernel entry and a load on its next FP instruction.
 */
#include "vcpu.h"

#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/checkpoint.h>
#include <ruvix/edge.h>
#include <ruvix/hal.h>
#include <ruvix/hypercall.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/quota.h>
#include <ruvix/region.h>
#include <ruvix/sched.h>

#include "board.h"
#include "gic.h"
#include "placement.h"
#include "stage2.h"
#include "sysreg.h"
#include "timer.h"

#define SPSR_EL1H_MASKED 0x3c5ull      /* EL1h with D, A, I, F masked */
#define SCTLR_EL1_RESET	 0x30d00800ull /* RES1 bits, MMU and caches off */
/* HCR_EL2: RW (EL1 is AArch64), TACR (trap ACTLR_EL1), TSC (trap SMC), AMO/IMO/FMO (aborts and
 * interrupts to EL2), SWIO, VM (stage 2 on). */
#define HCR_GUEST                                                                                  \
	((1ull << 31) | (1ull << 21) | (1ull << 19) | (1ull << 5) | (1ull << 4) | (1ull << 3) |    \
	 (1ull << 1) | (1ull << 0))
/* CNTHCTL_EL2: EL1 may read the physical counter (EL1PCTEN) but not use the physical timer,
 * which no partition owns. MDCR_EL2: PMU and debug registers trap (TPM, TPMCR, TDA, TDOSA,
 * TDRA), so one partition cannot observe or disturb another through them. */
#define CNTHCTL_GUEST 0x1ull
#define MDCR_GUEST    ((1ull << 6) | (1ull << 5) | (1ull << 9) | (1ull << 10) | (1ull << 11))
#define CPTR_TFP      (1ull << 10)
#define CPTR_RES1     0x33ffull
#define SAVE_MAX      0x10000 /* bytes of a program image a checkpoint can keep */

/* EL1 system state that belongs to a partition; saved and restored as a block on a switch. */
// clang-format off
#define EL1_REGS(X) \
	X(sctlr_el1) X(cpacr_el1) X(ttbr0_el1) X(ttbr1_el1) X(tcr_el1) X(mair_el1) \
	X(amair_el1) X(vbar_el1) X(contextidr_el1) X(tpidr_el0) X(tpidr_el1) \
	X(tpidrro_el0) X(sp_el0) X(sp_el1) X(elr_el1) X(spsr_el1) X(esr_el1) \
	X(far_el1) X(afsr0_el1) X(afsr1_el1) X(par_el1) X(cntkctl_el1) \
	X(cntv_ctl_el0) X(cntv_cval_el0)
// clang-format on

#define COUNT_ONE(reg) +1
enum { NUM_EL1 = 0 EL1_REGS(COUNT_ONE) };
#define INDEX_ONE(reg) EL1_##reg,
enum { EL1_REGS(INDEX_ONE) };

struct el1 {
	u64 r[NUM_EL1];
};

/* V0-V31, then FPCR and FPSR: the layout fpsimd.S saves and loads. */
struct fpstate {
	u64 v[64];
	u64 fpcr, fpsr;
} __attribute__((aligned(16)));

void fp_save(struct fpstate *s);
void fp_load(const struct fpstate *s);

struct vcpu {
	bool live;
	u32 part;
	handle_t handle;
	struct exception_frame *frame; /* its saved registers (frames[]) */
	struct el1 el1;
	struct fpstate fp;
	u64 vttbr;   /* VMID | s2_live */
	u64 s2_root; /* the stage-2 tables every map and unmap edits */
	u64 s2_live; /* VTTBR's level-1 table: s2_root's entries while it may run, else empty */
	bool attached;
	bool stopped; /* its partition may not run (hal_partition_runnable): gone or not running */
	u64 slice_ticks; /* its time slice in counter ticks (from its scheduling mode) */
	u32 last_cpu;	 /* where it last ran (RUVIX_MAX_CPUS before its first run) */
	bool moved;	 /* placed on another CPU while running: wake that CPU when it leaves */
	u64 image_pa, image_size;
	/* checkpoint */
	bool saved;
	struct exception_frame saved_ctx;
	struct el1 saved_el1;
	struct fpstate saved_fp;
	/* console line being assembled */
	char line[120];
	u32 line_len;
};

static struct vcpu vcpus[RUVIX_MAX_PARTITIONS];
static u8 save_area[RUVIX_MAX_PARTITIONS][SAVE_MAX] __attribute__((section(".noinit")));
/* Each vCPU's trap frame; while it runs, SP_EL2 points just past it (vectors.S). */
static struct exception_frame frames[RUVIX_MAX_PARTITIONS]
	__attribute__((aligned(16), section(".noinit"))); /* vcpu_create clears each */
static struct vcpu *current[RUVIX_MAX_CPUS];
static struct vcpu *fp_owner[RUVIX_MAX_CPUS]; /* whose FP state is live in the registers */
static bool in_trap[RUVIX_MAX_CPUS];
static u32 live_count;
static u64 arrivals; /* loads of a vCPU on another CPU than the one it last ran on */
static u64 entries;  /* traps from EL1, all CPUs (under the lock) */

struct program {
	const char *name;
	const u8 *start, *end;
};
extern const struct program program_table[];

static void el1_save(struct el1 *s)
{
	u32 i = 0;
#define SAVE_ONE(reg) s->r[i++] = read_sysreg(reg);
	EL1_REGS(SAVE_ONE)
#undef SAVE_ONE
}

static void el1_load(const struct el1 *s)
{
	u32 i = 0;
#define LOAD_ONE(reg) write_sysreg(reg, s->r[i++]);
	EL1_REGS(LOAD_ONE)
#undef LOAD_ONE
}

static const struct program *find_program(const char *name)
{
	for (const struct program *p = program_table; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/*
 * Code was written at [@pa, @pa + @size) through the data side: clean it to the point of
 * unification and drop every CPU's instruction cache, so no CPU fetches stale instructions
 * (Arm ARM D7.5.9, "Instruction cache maintenance"). QEMU models no caches; hardware does.
 */
static void sync_icache(u64 pa, u64 size)
{
	u64 line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf); /* CTR_EL0.DminLine, in words */

	for (u64 a = pa & ~(line - 1); a < pa + size; a += line)
		__asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb ish\n\tic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}

/* A checkpoint of @v as it is now: registers and the program image in its first region. */
static void save_checkpoint(struct vcpu *v, const struct exception_frame *frame, bool live_el1)
{
	v->saved_ctx = *frame;
	if (live_el1)
		el1_save(&v->saved_el1);
	else
		v->saved_el1 = v->el1;
	v->saved_fp = v->fp; /* current: kernel entry saved any live FP state */
	memcpy(save_area[v->part], (const void *)(uintptr_t)v->image_pa, v->image_size);
	v->saved = true;
}

/*
 * Map the shared pages of edge @e into the window of slot @slot, if partition @p is one of its
 * ends (a capability alone does not make a third party an end, so it gets no mapping).
 */
static const char *map_edge(u64 l1, u32 p, u32 slot, handle_t e)
{
	u32 a, b;

	edge_ends(e, &a, &b);
	if (p != a && p != b)
		return NULL;
	handle_t r = edge_region(e);
	if (!board_is_ram(region_base(r), region_size(r)) ||
	    board_owns_memory(region_base(r), region_size(r)))
		return "an edge's shared pages lie outside RAM or over the kernel's memory";
	if (region_size(r) > IPA_EDGE_STRIDE ||
	    !stage2_map(l1, IPA_EDGE_BASE + slot * IPA_EDGE_STRIDE, region_base(r), region_size(r),
			false))
		return "cannot map an edge's shared pages (larger than 1 MiB, or out of tables)";
	return NULL;
}

const char *vcpu_create(handle_t h, const char *name)
{
	struct vcpu *v = &vcpus[handle_index(h)];
	const struct program *prog = find_program(name);
	handle_t regions[16];
	u32 p = handle_index(h);

	if (!prog)
		return "no such program in the image";
	if (p + 1 > 255)
		return "VMIDs are 8 bits: at most 254 partitions can run code";
	u32 n = region_list(p, regions, 16);
	if (n == 0 || n > 16)
		return "a partition that runs a program needs 1 to 16 regions";
	u64 size = (u64)(prog->end - prog->start);
	if (size > region_size(regions[0]) || size > SAVE_MAX)
		return "the program does not fit its first region (or exceeds 64 KiB)";
	u64 l1 = stage2_new(), live = stage2_new();
	if (!l1 || !live)
		return "out of stage-2 tables";
	for (u32 k = 0; k < n; k++) {
		if (!board_is_ram(region_base(regions[k]), region_size(regions[k])))
			return "a region lies outside RAM";
		if (board_owns_memory(region_base(regions[k]), region_size(regions[k])))
			return "a region overlaps memory the kernel uses (its image, the DTB)";
	}
	for (u32 k = 0; k < n; k++)
		if (region_size(regions[k]) > IPA_REGION_STRIDE ||
		    !stage2_map(l1, k * IPA_REGION_STRIDE, region_base(regions[k]),
				region_size(regions[k]), false))
			return "cannot map a region (larger than 16 MiB, or out of tables)";
	/*
	 * The tables of every edge window it could ever map, now: the pool is shared, and a
	 * partition that fills its slots with copies of an edge capability must not take tables
	 * another partition needs (up to 16 more per partition with 32 slots).
	 */
	u64 windows = RUVIX_CAP_SLOTS * IPA_EDGE_STRIDE;
	if (windows > (1ull << 32) - IPA_EDGE_BASE)
		windows = (1ull << 32) - IPA_EDGE_BASE;
	if (!stage2_reserve(l1, IPA_EDGE_BASE, windows))
		return "out of stage-2 tables (each partition reserves its edge windows' tables)";
	for (u32 s = 0; s < RUVIX_CAP_SLOTS; s++) {
		struct cap_info info;
		if (cap_info(p, s, &info) != KERR_OK || info.type != OBJ_EDGE)
			continue;
		const char *err = map_edge(l1, p, s, info.object);
		if (err)
			return err;
	}
	memset(v, 0, sizeof(*v));
	v->part = p;
	v->handle = h;
	v->frame = &frames[p];
	memset(v->frame, 0, sizeof(*v->frame));
	v->image_pa = region_base(regions[0]);
	v->image_size = size;
	memcpy((void *)(uintptr_t)v->image_pa, prog->start, size);
	sync_icache(v->image_pa, size);
	v->frame->elr = 0; /* the program's _start, at IPA 0 */
	v->frame->spsr = SPSR_EL1H_MASKED;
	v->el1.r[EL1_sctlr_el1] = SCTLR_EL1_RESET;
	v->el1.r[EL1_cpacr_el1] = 3ull << 20; /* FPEN: FP at EL1 is the partition's to use */
	v->el1.r[EL1_vbar_el1] = IPA_NO_VECTORS;
	v->s2_root = l1;
	v->s2_live = live;
	stage2_set_root(live, l1);
	v->attached = true;
	v->vttbr = (u64)(p + 1) << 48 | live; /* VMID = partition index + 1 */
	v->slice_ticks = timer_ns_to_ticks(sched_slice_ns(h));
	v->last_cpu = RUVIX_MAX_CPUS;
	v->live = true;
	v->stopped = !partition_runnable(h);
	live_count++;
	/* A checkpoint the manifest asked for at boot restarts the program from the beginning. */
	if (checkpoint_exists(p))
		save_checkpoint(v, v->frame, false);
	sched_wake(h);
	return NULL;
}

bool vcpu_cpu_has_work(u32 cpu)
{
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++)
		if (vcpus[p].live && partition_cpu(vcpus[p].handle) == cpu)
			return true;
	return false;
}

u32 vcpu_live(void)
{
	return live_count;
}

/* CPU @cpu was given work by this one: if it sleeps in idle(), wake it with an SGI now
 * instead of at its next 1 ms timer. */
static void kick(u32 cpu)
{
	if (cpu < board.machine.ncpus && cpu != hal_cpu_id() && !current[cpu])
		gic_send_sgi(INTID_KICK, board.cpu_mpidr[cpu]);
}

/* The CPU running @v (in EL1, or in the kernel on its behalf), or RUVIX_MAX_CPUS. */
static u32 running_on(const struct vcpu *v)
{
	for (u32 c = 0; c < board.machine.ncpus; c++)
		if (current[c] == v)
			return c;
	return RUVIX_MAX_CPUS;
}

/*
 * May @v run now: its partition exists and is in the running state. hal_partition_runnable
 * hears of every change of that, so the vCPU keeps the answer (stopped) and a trap reads one
 * flag instead of looking the partition up.
 */
static bool may_run(const struct vcpu *v)
{
	return !v->stopped;
}

/*
 * A partition that may no longer run loses its whole address space at once: VTTBR's table is
 * emptied and the VMID's TLB entries are dropped on every CPU (stage2_flush waits for that), so
 * wherever it runs its next access or instruction fetch is a stage-2 fault. The CPU running it
 * is also sent an SGI, which ends a loop that touches no memory. That CPU's trap then sees the
 * partition may not run and switches away without acting for it (vcpu_trap). One that may run
 * again gets its tables back and its home CPU is woken; the core has queued it already.
 */
void hal_partition_runnable(u32 p, bool runnable)
{
	struct vcpu *v = &vcpus[p];

	if (!v->live)
		return;
	v->stopped = !runnable;
	if (!runnable) {
		if (v->attached) {
			v->attached = false;
			stage2_set_root(v->s2_live, 0);
			stage2_flush(v->vttbr);
		}
		u32 c = running_on(v);
		if (c != RUVIX_MAX_CPUS && c != hal_cpu_id())
			gic_send_sgi(INTID_KICK, board.cpu_mpidr[c]);
		return;
	}
	if (!v->attached) {
		stage2_set_root(v->s2_live, v->s2_root);
		v->attached = true;
	}
	kick(partition_cpu(v->handle));
}

void vcpu_placed(u32 p)
{
	struct vcpu *v = &vcpus[p];

	for (u32 c = 0; c < board.machine.ncpus; c++)
		if (current[c] == v) {
			v->moved = true; /* queued on its new CPU when it leaves this one */
			return;
		}
	kick(partition_cpu(v->handle));
}

/* Make @v the partition this CPU runs; returns the frame the vectors should restore. */
static struct exception_frame *load(struct vcpu *v)
{
	u32 cpu = hal_cpu_id();

	if (current[cpu] != v)
		timer_arm_in_ticks(v->slice_ticks); /* a fresh slice in its own mode */
	el1_load(&v->el1);
	write_sysreg(vttbr_el2, v->vttbr);
	isb();
	if (v->last_cpu != cpu) {
		/* First run here, or it moved (placement.c). Its stage-1 TLB entries on this CPU
		 * may predate changes it made elsewhere with local invalidations: drop them all
		 * for its VMID, stage 1 and 2, on this CPU, and this CPU's instruction cache for
		 * code it changed elsewhere (as KVM does on a vCPU's move). Its registers and FP
		 * state are in memory already (every kernel entry saves FP), so nothing else
		 * follows it. */
		__asm__ volatile("tlbi vmalls12e1\n\tic iallu\n\tdsb nsh\n\tisb" ::: "memory");
		if (v->last_cpu != RUVIX_MAX_CPUS)
			arrivals++;
		v->last_cpu = cpu;
	}
	current[cpu] = v;
	return v->frame;
}

u64 vcpu_entries(void)
{
	return entries;
}

u64 vcpu_arrivals(void)
{
	return arrivals;
}

static void retire(struct vcpu *v)
{
	if (v->live) {
		v->live = false;
		live_count--;
	}
}

/*
 * Retire every vCPU whose partition is gone but which is not running anywhere: one terminated
 * (by another partition or by containment) while it sat in a run queue is skipped by
 * sched_next and would otherwise count as live forever. Off the switch path: only before a
 * CPU goes idle.
 */
static void reap(void)
{
	for (u32 p = 0; p < RUVIX_MAX_PARTITIONS; p++) {
		struct vcpu *v = &vcpus[p];
		if (!v->live || partition_valid(v->handle))
			continue;
		bool running = false;
		for (u32 c = 0; c < board.machine.ncpus; c++)
			running |= current[c] == v;
		if (!running)
			retire(v);
	}
}

/*
 * Nothing runnable on @cpu while partitions live elsewhere: give the kernel lock to the other
 * CPUs and sleep until the timer, then look again. Returns the frame of the partition that
 * became runnable; stops the machine when the last partition anywhere has exited.
 */
static struct exception_frame *idle(u32 cpu)
{
	current[cpu] = NULL;
	for (;;) {
		timer_arm_in_ns(SCHED_FLOW_SLICE_NS);
		board_unlock();
		/* WFI with IRQs masked still wakes on a pending one (Arm ARM, "Wait for
		 * Interrupt"); unmasking after it takes it. A kick sent between the unlock and the
		 * WFI is thus pending and not lost. */
		__asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
		board_lock();
		reap();
		if (live_count == 0)
			board_partitions_done();
		kernel_tick();
		kernel_idle(1);
		placement_tick(cpu);
		handle_t next = sched_next(cpu);
		if (next != HANDLE_NONE && vcpus[handle_index(next)].live &&
		    running_on(&vcpus[handle_index(next)]) == RUVIX_MAX_CPUS)
			return load(&vcpus[handle_index(next)]);
	}
}

/*
 * Leave the current partition for the next runnable one and return its frame. @requeue puts the
 * current one back in its run queue (a yield or a preemption); otherwise it is gone.
 */
static struct exception_frame *reschedule(bool requeue)
{
	u32 cpu = hal_cpu_id();
	struct vcpu *cur = current[cpu];

	if (cur && cur->live && !partition_valid(cur->handle))
		retire(cur); /* terminated: by itself, another partition, or containment */
	if (cur && cur->live) {
		el1_save(&cur->el1);
		if (requeue) {
			sched_wake(cur->handle);
			if (cur->moved) { /* placed elsewhere while it ran here */
				cur->moved = false;
				kick(partition_cpu(cur->handle));
			}
		}
	}
	/*
	 * A due coherence epoch runs at a switch (partitions that yield to each other never let
	 * the timer fire). It may release the lock while it searches, so it comes after the
	 * partition's whole state is in memory and it is queued or gone: for that window this
	 * CPU runs nobody, and the other CPU may act on it (save, restore, move).
	 */
	if (live_count > 0) {
		current[cpu] = NULL;
		placement_tick(cpu);
		current[cpu] = cur;
	}
	for (;;) {
		handle_t next = sched_next(cpu);
		if (next == HANDLE_NONE)
			break;
		struct vcpu *v = &vcpus[handle_index(next)];
		/* One still running elsewhere (resumed before that CPU saw it stop, or queued by
		 * a restore) is queued again by that CPU when it leaves it. */
		u32 c = running_on(v);
		if (v->live && v->handle == next && (c == RUVIX_MAX_CPUS || c == cpu))
			return load(v);
	}
	reap();
	if (live_count == 0)
		board_partitions_done();
	return idle(cpu);
}

void vcpu_run(void)
{
	u32 cpu = hal_cpu_id();

	/* Per-CPU registers: every CPU that runs partitions sets them itself. */
	write_sysreg(hcr_el2, HCR_GUEST);
	write_sysreg(cnthctl_el2, CNTHCTL_GUEST);
	write_sysreg(mdcr_el2, MDCR_GUEST);
	write_sysreg(vtcr_el2, stage2_vtcr());
	write_sysreg(cntvoff_el2, 0);
	isb();
	current[cpu] = NULL;
	struct exception_frame *first = reschedule(false);
	kprintf("partitions: entering %s at %lu ns since reset\n",
		partition_name(current[cpu]->handle), (unsigned long)timer_now_ns());
	timer_arm_in_ns(sched_slice_ns(current[cpu]->handle));
	write_sysreg(cptr_el2, CPTR_RES1 | CPTR_TFP);
	board_unlock();
	exception_return(first);
}

/*
 * A stage-2 translation fault at an IPA that is mapped now is not the partition's doing: it ran
 * while its tables were detached (hal_partition_runnable) and may run again, or raced a TLB
 * invalidation. Retrying the instruction is all there is to do. Any other fault (a permission
 * fault, should a mapping ever be read-only) is the partition's.
 */
static bool fault_is_transient(const struct vcpu *v, u32 ec, u64 esr)
{
	u64 pa;

	return (ec == 0x20 || ec == 0x24) && (esr & 0x3c) == 0x04 && /* FSC 0b0001xx */
	       stage2_translate(v->s2_root, read_sysreg(hpfar_el2) << 8, &pa);
}

/* Did the partition fault fetching an exception vector at IPA_NO_VECTORS (it took an EL1
 * exception with no vector table), rather than jump there? A vector is VBAR + 0x80 * k. */
static bool fault_is_vector_fetch(const struct exception_frame *f, u32 ec)
{
	return ec == 0x20 && f->far >= IPA_NO_VECTORS && f->far < IPA_NO_VECTORS + 0x800 &&
	       (f->far & 0x7f) == 0 && read_sysreg(vbar_el1) == IPA_NO_VECTORS;
}

/* Print the partition's fault and contain it; the kernel restores or stops it. Its EL1 registers
 * are still live here (nothing saved them yet). */
static void contain(struct exception_frame *f, struct vcpu *v, u32 ec)
{
	char name[PARTITION_NAME_MAX];
	u64 ipa = read_sysreg(hpfar_el2) << 8;

	memcpy(name, partition_name(v->handle), sizeof(name)); /* it may not outlive this */
	if (ec == 0x20 || ec == 0x24) /* aborts: FAR and HPFAR hold the addresses */
		kprintf("[%s] FAULT: ESR_EL2=0x%lx EC=0x%02x at ELR 0x%lx, FAR 0x%lx (IPA 0x%lx)\n",
			name, (unsigned long)f->esr, ec, (unsigned long)f->elr,
			(unsigned long)f->far, (unsigned long)ipa);
	else
		kprintf("[%s] FAULT: ESR_EL2=0x%lx EC=0x%02x at ELR 0x%lx\n", name,
			(unsigned long)f->esr, ec, (unsigned long)f->elr);
	if (fault_is_vector_fetch(f, ec))
		kprintf("[%s] an EL1 exception with no vector table: ESR_EL1=0x%lx (EC=0x%02lx) at "
			"ELR_EL1 0x%lx\n",
			name, (unsigned long)read_sysreg(esr_el1),
			(unsigned long)(read_sysreg(esr_el1) >> 26) & 0x3f,
			(unsigned long)read_sysreg(elr_el1));
	enum kerr e = kernel_contain(v->handle, CONTAIN_FAULT, f->esr);
	if (e != KERR_OK) {
		/* Nothing was witnessed, so nothing may change: the partition would fault again
		 * forever. The kernel cannot keep its record, so the machine stops. */
		kprintf("[%s] containment refused (%s): stopping the machine\n", name,
			kerr_name(e));
		board_exit(EXIT_WITNESS);
	}
	kprintf("[%s] contained: %s\n", name,
		partition_valid(v->handle) ? "restored from its checkpoint" : "stopped");
}

struct exception_frame *vcpu_trap(struct exception_frame *f, u64 vector)
{
	u32 cpu = hal_cpu_id();
	struct vcpu *cur = current[cpu];
	struct exception_frame *resume = f;

	/* The kernel runs with FP on; whether the partition does is decided on the way out. */
	write_sysreg(cptr_el2, CPTR_RES1);
	isb();
	/* The kernel uses FP too: keep the owner's state before anything here can touch it. */
	if (fp_owner[cpu]) {
		fp_save(&fp_owner[cpu]->fp);
		fp_owner[cpu] = NULL;
	}
	if (!cur || f != cur->frame) {
		kprintf("FATAL: exception from EL1 (vector %lu) without its partition's frame\n",
			(unsigned long)vector);
		board_exit(EXIT_KERNEL_FAULT);
	}
	board_lock();
	in_trap[cpu] = true;
	entries++;
	u32 ec = (u32)(f->esr >> 26) & 0x3f;
	if (!may_run(cur)) {
		/* Suspended, terminated or moved into a migration by another CPU (or contained
		 * from an idle one) while it ran here: act on nothing it asked. A hypercall is
		 * issued again when it resumes; a fault's instruction runs again anyway. */
		if ((vector & 3) == 1)
			board_irq();
		else if ((vector & 3) == 0 && ec == 0x16)
			f->elr -= 4;
		resume = reschedule(false);
	} else if ((vector & 3) == 1) { /* IRQ */
		if (board_irq() == INTID_EL2_PHYS_TIMER) {
			/* The slice is over: leases expire, a deferred check runs, the earliest
			 * deadline gets the CPU. */
			kernel_tick();
			kernel_idle(1);
			resume = reschedule(true);
			timer_arm_in_ns(sched_slice_ns(current[cpu]->handle));
		}
	} else if ((vector & 3) == 0) {
		if (ec == 0x16) { /* HVC */
			struct hv_regs r;
			u64 nr = f->x[0];
			for (int i = 0; i < 6; i++)
				r.x[i] = f->x[i];
			hv_dispatch(cur->part, &r);
			for (int i = 0; i < 6; i++)
				f->x[i] = r.x[i];
			/* A yield or a call over a quota (a throttled partition gives its CPU away
			 * at once, quota.h): queued again, which sched_wake refuses for one that
			 * may not run. Or a call that ended it (any call can, through a quota) or
			 * suspended it (only a partition control can). */
			bool throttled = quota_take_throttle(cur->part);
			if (nr == HV_YIELD || throttled)
				resume = reschedule(true);
			else if (!partition_valid(cur->handle) ||
				 (nr == HV_PARTITION_CTL && !may_run(cur)))
				resume = reschedule(false);
		} else if (ec == 0x07) {
			/* FP/SIMD trapped: its first use since the kernel last ran. Load its state
			 * and re-run the instruction with FP on. */
			fp_load(&cur->fp);
			fp_owner[cpu] = cur;
		} else if (!fault_is_transient(cur, ec, f->esr)) {
			/* Restored or stopped: either way the others run first. */
			contain(f, cur, ec);
			resume = reschedule(may_run(cur));
		}
	} else {
		kprintf("FATAL: FIQ or SError from EL1 (vector %lu)\n", (unsigned long)vector);
		board_exit(EXIT_KERNEL_FAULT);
	}
	in_trap[cpu] = false;
	/* FP stays on only for the partition whose FP state was just loaded. */
	if (fp_owner[cpu] != current[cpu])
		fp_owner[cpu] = NULL;
	write_sysreg(cptr_el2, CPTR_RES1 | (fp_owner[cpu] ? 0 : CPTR_TFP));
	isb();
	board_unlock();
	return resume;
}

/* ---- HAL services for partitions ---- */

/*
 * The stage-2 view follows capabilities: an end of an edge sees its shared pages exactly while it
 * holds a capability to the edge. A removal unmaps the window and flushes that VMID's TLB
 * entries on every CPU, so revoking or deleting the capability, or the edge dying with its
 * other end, cuts access at once.
 */
void hal_cap_changed(u32 p, u32 slot, u8 type, u64 object, bool added)
{
	struct vcpu *v = &vcpus[p];

	if (!v->live || type != OBJ_EDGE)
		return;
	if (added) {
		u32 pool = stage2_pool_used();
		const char *err = edge_valid(object) ? map_edge(v->s2_root, p, slot, object) : NULL;
		/* Its windows' tables were reserved with its vCPU: a capability change at run time
		 * takes nothing from the pool the other partitions share. */
		CHECK(stage2_pool_used() == pool);
		if (err)
			kprintf("[%s] edge capability in slot %u not mapped: %s\n",
				partition_name(v->handle), slot, err);
		if (v->attached)
			stage2_set_root(v->s2_live, v->s2_root); /* a new table may hang off it */
		return;
	}
	stage2_unmap(v->s2_root, IPA_EDGE_BASE + slot * IPA_EDGE_STRIDE, IPA_EDGE_STRIDE);
	stage2_flush(v->vttbr);
}

void hal_partition_save(u32 p)
{
	struct vcpu *v = &vcpus[p];
	u32 cpu = hal_cpu_id();

	if (!v->live)
		return; /* no code yet: vcpu_create saves the initial state */
	if (current[cpu] == v && in_trap[cpu]) {
		/* Checkpoint from its own hypercall: resume after it with x0 = 0, x1 = 1. */
		struct exception_frame now = *v->frame;
		now.x[0] = KERR_OK;
		now.x[1] = 1;
		save_checkpoint(v, &now, true);
	} else {
		save_checkpoint(v, v->frame, false);
	}
}

void hal_partition_restore(u32 p)
{
	struct vcpu *v = &vcpus[p];

	if (!v->live || !v->saved)
		return;
	*v->frame = v->saved_ctx;
	v->el1 = v->saved_el1;
	v->fp = v->saved_fp;
	if (current[hal_cpu_id()] == v)
		el1_load(&v->el1); /* it is the one running: its registers are live */
	memcpy((void *)(uintptr_t)v->image_pa, save_area[p], v->image_size);
	sync_icache(v->image_pa, v->image_size);
}

bool hal_partition_console(u32 p, u64 addr, usize len)
{
	struct vcpu *v = &vcpus[p];
	char buf[256];

	if (!v->live || len > sizeof(buf))
		return false;
	for (usize i = 0; i < len; i++) {
		u64 pa;
		if (!stage2_translate(v->s2_root, addr + i, &pa))
			return false;
		buf[i] = *(const char *)(uintptr_t)pa;
	}
	for (usize i = 0; i < len; i++) {
		char c = buf[i];
		if (c != '\n' && v->line_len < sizeof(v->line) - 1)
			v->line[v->line_len++] = (c >= 0x20 && c < 0x7f) ? c : '?';
		if (c == '\n' || v->line_len == sizeof(v->line) - 1) {
			v->line[v->line_len] = '\0';
			kprintf("[%s] %s\n", partition_name(v->handle), v->line);
			v->line_len = 0;
		}
	}
	return true;
}
