/*
 * Boot at EL2 on QEMU virt: MMU, device tree, console, GIC and timer, then the kernel's first
 * witness, then the scenario the boot arguments ask for, then a clean exit with a status.
 *
 * The witness log leaves through the virtio console (wlog.c); QEMU's command line names its
 * host file. Boot arguments (QEMU -append, read from /chosen/bootargs):
 *   ruvix.test=NAME   scenario: "boot" (default), "bench" (core micro-benchmarks),
 *                     "bench-coherence" (coherence epoch time per graph size),
 *                     "fault-data" (read an unmapped address),
 *                     "fault-undef" (execute an undefined instruction)
 *   ruvix.manifest=M  the system manifest: "partitions" (default; EL1 programs), "demo" (the
 *                     web-service manifest the simulator also runs), "switch" (the switch
 *                     benchmark), or the hex address of
 *                     a blob QEMU loaded (-device loader,file=X.dtb,addr=ADDR,force-raw=on)
 */
#include <libfdt.h>
#include <ruvix/cap.h>
#include <ruvix/config.h>
#include <ruvix/kernel.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/witness.h>

#include "board.h"
#include "core_bench.h"
#if RUVIX_COHERENCE
#include "coherence_bench.h"
#endif
#include "gic.h"
#include "manifest.h"
#include "mmu.h"
#include "placement.h"
#include "pl011.h"
#include "sysreg.h"
#include "timer.h"
#include "vcpu.h"
#include "wlog.h"

#define VERSION		"0.1.0"
#define PSCI_SYSTEM_OFF 0x84000008u

struct platform board;
extern const u8 manifest_demo[], manifest_demo_end[];
extern const u8 manifest_partitions[], manifest_partitions_end[];
extern const u8 manifest_switch[], manifest_switch_end[];
extern const u8 manifest_migration[], manifest_migration_end[];

/* The manifests the image carries (the .dts files in manifests/), by ruvix.manifest= name. */
static const struct {
	const char *name;
	const u8 *start, *end;
} shipped[] = {
	{ "partitions", manifest_partitions, manifest_partitions_end },
	{ "demo", manifest_demo, manifest_demo_end },
	{ "switch", manifest_switch, manifest_switch_end },
	{ "migration", manifest_migration, manifest_migration_end },
};
static volatile u32 timer_ticks;
static volatile u32 kernel_lock_word;

extern u8 __image_start[], __image_end[];

bool board_is_ram(u64 base, u64 size)
{
	return base >= board.mem_base && base + size >= base &&
	       base + size <= board.mem_base + board.mem_size;
}

bool board_owns_memory(u64 base, u64 size)
{
	u64 img0 = (u64)(uintptr_t)__image_start, img1 = (u64)(uintptr_t)__image_end;
	u64 dtb0 = (u64)(uintptr_t)board.dtb, dtb1 = dtb0 + board.dtb_size;

	return (base < img1 && img0 < base + size) || (base < dtb1 && dtb0 < base + size);
}

void board_lock(void)
{
	u32 tmp, busy;

	__asm__ volatile("sevl\n"
			 "1:	wfe\n"
			 "2:	ldaxr	%w0, [%2]\n"
			 "	cbnz	%w0, 1b\n"
			 "	stxr	%w1, %w3, [%2]\n"
			 "	cbnz	%w1, 2b\n"
			 : "=&r"(tmp), "=&r"(busy)
			 : "r"(&kernel_lock_word), "r"(1)
			 : "memory");
}

void board_unlock(void)
{
	__asm__ volatile("stlr wzr, [%0]" ::"r"(&kernel_lock_word) : "memory");
}

#define PSCI_CPU_ON_64 0xc4000003u

void secondary_entry(void);
void secondary_main(u64 cpu);

/* A secondary CPU: same EL2 map, its own redistributor and timer, then its partitions. */
void secondary_main(u64 cpu)
{
	mmu_enable_cpu(); /* exclusives need normal memory: the lock comes after the MMU */
	board_lock();
	const char *err =
		gic_init(board.gicd_base, board.gicr_base, board.gicr_size, board.cpu_mpidr[cpu]);
	if (err) {
		kprintf("FATAL: cpu%lu: gic: %s\n", (unsigned long)cpu, err);
		board_exit(EXIT_BAD_MACHINE);
	}
	gic_enable_ppi(INTID_EL2_PHYS_TIMER);
	gic_enable_ppi(INTID_KICK);
	kprintf("cpu%lu: online at %lu ns since reset\n", (unsigned long)cpu,
		(unsigned long)timer_now_ns());
	vcpu_run(); /* releases the lock on the way into EL1 */
}

/* Start every other CPU that has partitions homed on it (PSCI CPU_ON through the conduit). */
static void start_secondaries(void)
{
	for (u32 cpu = 1; cpu < board.machine.ncpus; cpu++) {
		if (!vcpu_cpu_has_work(cpu))
			continue;
		register u64 x0 __asm__("x0") = PSCI_CPU_ON_64;
		register u64 x1 __asm__("x1") = board.cpu_mpidr[cpu];
		register u64 x2 __asm__("x2") = (u64)(uintptr_t)secondary_entry;
		register u64 x3 __asm__("x3") = cpu;
		if (board.psci_smc)
			__asm__ volatile("smc #0"
					 : "+r"(x0)
					 : "r"(x1), "r"(x2), "r"(x3)
					 : "memory");
		else
			__asm__ volatile("hvc #0"
					 : "+r"(x0)
					 : "r"(x1), "r"(x2), "r"(x3)
					 : "memory");
		if (x0 != 0) {
			kprintf("FATAL: PSCI CPU_ON cpu%u returned %ld\n", cpu, (long)x0);
			board_exit(EXIT_BAD_MACHINE);
		}
	}
}

void boot_main(const void *dtb);

static void close_log(int status);

static void psci_system_off(void)
{
	register u64 x0 __asm__("x0") = PSCI_SYSTEM_OFF;

	if (board.psci_smc)
		__asm__ volatile("smc #0" : "+r"(x0)::"memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0)::"memory");
}

void board_exit(int status)
{
	close_log(status);
	kprintf("EXIT: STATUS=%d\n", status);
	psci_system_off();
	for (;;)
		__asm__ volatile("wfe");
}

u32 board_irq(void)
{
	u32 intid = gic_ack();

	if (intid == INTID_EL2_PHYS_TIMER) {
		timer_disarm();
		timer_ticks++;
	}
	if (intid < 1020)
		gic_eoi(intid);
	return intid;
}

static void print_platform(void)
{
	const struct platform *p = &board;

	kprintf("dtb: at %p, %u bytes, bootargs \"%s\"\n", p->dtb, p->dtb_size, p->bootargs);
	kprintf("memory: 0x%lx, %lu MiB\n", (unsigned long)p->mem_base,
		(unsigned long)(p->mem_size >> 20));
	kprintf("cpus: %u, NUMA nodes: %u\n", p->machine.ncpus, p->machine.nnodes);
	for (u32 i = 0; i < p->machine.ncpus; i++)
		kprintf("  cpu%u: mpidr 0x%lx node %u\n", i, (unsigned long)p->cpu_mpidr[i],
			p->machine.cpu_node[i]);
	kprintf("uart: pl011 at 0x%lx\n", (unsigned long)p->uart_base);
	kprintf("gic: v3, distributor 0x%lx, redistributors 0x%lx (+0x%lx)\n",
		(unsigned long)p->gicd_base, (unsigned long)p->gicr_base,
		(unsigned long)p->gicr_size);
	kprintf("psci: %s\n", p->psci_smc ? "smc" : "hvc");
}

/* Take one EL2 timer interrupt through the GIC and the vectors, so both are known to work. */
static void check_timer_interrupt(void)
{
	/*
	 * The bound is one second: without -icount the counter follows the host's clock, and a
	 * busy host can keep QEMU's CPU thread from delivering the interrupt for many
	 * milliseconds (10 ms failed 2 boots in 8 with a busy loop on the same core). A machine
	 * whose interrupt path is broken is told so one second later.
	 */
	const u64 delay_ns = 10000, bound_ns = 1000000000;
	u64 start = timer_now_ns();

	gic_enable_ppi(INTID_EL2_PHYS_TIMER);
	gic_enable_ppi(INTID_KICK);
	timer_arm_in_ns(delay_ns);
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	/* Poll rather than WFI: if the interrupt never comes, say so instead of sleeping forever.
	 */
	while (timer_ticks == 0 && timer_now_ns() - start < bound_ns)
		;
	__asm__ volatile("msr daifset, #2" ::: "memory");
	if (timer_ticks == 0) {
		kprintf("FATAL: no EL2 timer interrupt within %lu ns\n", (unsigned long)bound_ns);
		board_exit(EXIT_BAD_MACHINE);
	}
	kprintf("timer: EL2 timer interrupt (INTID %u) after %lu ns, asked %lu ns, CNTFRQ %lu Hz\n",
		INTID_EL2_PHYS_TIMER, (unsigned long)(timer_now_ns() - start),
		(unsigned long)delay_ns, (unsigned long)timer_frequency());
}

static void run_scenario(const char *name)
{
	if (memcmp(name, "boot", 5) == 0)
		return;
	if (memcmp(name, "bench", 6) == 0) {
		/* Needs the demo manifest (a partition holding another's capability); ends the
		 * boot. */
		if (!core_bench_run("aarch64-qemu-icount", "QEMU virt cortex-a72, -icount shift=0"))
			board_exit(EXIT_PANIC);
		close_log(EXIT_OK);
		kprintf("RUVIX BOOT OK\n");
		board_exit(EXIT_OK);
	}
#if RUVIX_COHERENCE
	if (memcmp(name, "bench-coherence", 16) == 0) {
		coherence_bench_run("aarch64-qemu-icount", "QEMU virt cortex-a72, -icount shift=0");
		close_log(EXIT_OK);
		kprintf("RUVIX BOOT OK\n");
		board_exit(EXIT_OK);
	}
#endif
	if (memcmp(name, "fault-data", 11) == 0) {
		kprintf("test: reading unmapped address 0xc0000000\n");
		(void)*(volatile u64 *)0xc0000000ull;
	} else if (memcmp(name, "fault-undef", 12) == 0) {
		kprintf("test: executing an undefined instruction\n");
		__asm__ volatile("udf #0");
	} else {
		kprintf("FATAL: unknown ruvix.test=%s (expected boot, bench, bench-coherence, "
			"fault-data, fault-undef)\n",
			name);
		board_exit(EXIT_BAD_BOOTARGS);
	}
	kprintf("FATAL: scenario %s did not fault\n", name);
	board_exit(EXIT_PANIC);
}

static void hex16(const u8 b[16], char out[33])
{
	for (unsigned i = 0; i < 16; i++)
		ksnprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The closing lines every exit after the first witness prints: digest, halt record, head. */
static void print_head(void)
{
	u8 head[WITNESS_CHAIN_SIZE];
	char hex[33];

	witness_head(head);
	hex16(head, hex);
	kprintf("witness: %lu records, head %s\n", (unsigned long)witness_count(), hex);
}

static bool halted;

/* Write the state digest and the halt record (once), then the head line. */
static void close_log(int status)
{
	u8 digest[16];
	char hex[33];

	if (halted || witness_count() == 0 || !wlog_ready())
		return;
	halted = true;
	kernel_digest(digest);
	hex16(digest, hex);
	kprintf("state digest %s\n", hex);
	if (kernel_halt(status) != KERR_OK)
		kprintf("FATAL: halt witness not exported\n");
	print_head();
}

static struct manifest_summary sum;

static void load_manifest(void)
{
	char arg[24] = "partitions", err[MANIFEST_ERR_MAX];
	const void *blob = manifest_partitions;
	usize size = (usize)(manifest_partitions_end - manifest_partitions);

	if (!platform_bootarg(&board, "ruvix.manifest", arg, sizeof(arg)) &&
	    platform_has_bootarg(&board, "ruvix.manifest")) {
		kprintf("FATAL: ruvix.manifest= is too long\n");
		board_exit(EXIT_BAD_BOOTARGS);
	}
	bool found = false;
	for (usize k = 0; k < sizeof(shipped) / sizeof(shipped[0]) && !found; k++)
		if (strcmp(arg, shipped[k].name) == 0) {
			blob = shipped[k].start;
			size = (usize)(shipped[k].end - shipped[k].start);
			found = true;
		}
	if (!found) {
		char *end;
		unsigned long addr = strtoul(arg, &end, 16);
		if (*end || addr < board.mem_base || addr >= board.mem_base + board.mem_size) {
			kprintf("FATAL: ruvix.manifest=%s: expected partitions, demo, switch, "
				"migration or a RAM address in hex\n",
				arg);
			board_exit(EXIT_BAD_BOOTARGS);
		}
		blob = (const void *)(uintptr_t)addr;
		size = fdt_check_header(blob) == 0 ? fdt_totalsize(blob)
						   : sizeof(struct fdt_header);
		ksnprintf(arg, sizeof(arg), "at 0x%lx", addr);
	}
	if (manifest_load(blob, size, &sum, err, sizeof(err)) != 0) {
		kprintf("FATAL: manifest %s: %s\n", arg, err);
		board_exit(EXIT_BAD_MANIFEST);
	}
	kprintf("manifest %s: %u partitions, %u regions, %u edges, %u devices, %u leases\n", arg,
		sum.partitions, sum.regions, sum.edges, sum.devices, sum.leases);
	for (u32 i = 0; i < sum.partitions; i++) {
		handle_t h = sum.partition[i];
		kprintf("  partition %-8s cpu%u %s, %u capabilities%s%s\n", partition_name(h),
			partition_cpu(h), partition_state_name((u8)partition_state(h)),
			cap_count(handle_index(h)), sum.program[i] ? ", program " : "",
			sum.program[i] ? sum.program[i] : "");
	}
}

/* Boot argument @key=N, an integer in [@min, @max]; @dflt when absent; exit 8 otherwise. */
static u64 integer_arg(const char *key, u64 min, u64 max, u64 dflt, const char *range)
{
	char arg[24], *end;

	if (!platform_bootarg(&board, key, arg, sizeof(arg))) {
		if (!platform_has_bootarg(&board, key))
			return dflt;
		arg[0] = '\0'; /* too long: refused below */
	}
	unsigned long v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || v < min || v > max) {
		kprintf("FATAL: %s=%s: expected an integer from %s\n", key, arg, range);
		board_exit(EXIT_BAD_BOOTARGS);
	}
	return v;
}

/* ruvix.epoch-budget-ns=N: the coherence epoch's DC-2 budget (1 to 10^12 ns; default 50,000). */
static u64 epoch_budget_arg(void)
{
	return integer_arg("ruvix.epoch-budget-ns", 1, 1000000000000ull, PLACEMENT_BUDGET_NS,
			   "1 to 10^12");
}

/* Give every partition that names a program a vCPU and hand them to placement; returns how
 * many. */
static u32 create_vcpus(void)
{
	handle_t parts[RUVIX_MAX_PARTITIONS];
	u64 online = 1; /* CPU 0, and each CPU start_secondaries will start */
	u32 n = 0;

	for (u32 i = 0; i < sum.partitions; i++) {
		if (!sum.program[i])
			continue;
		const char *err = vcpu_create(sum.partition[i], sum.program[i]);
		if (err) {
			kprintf("FATAL: partition %s: program %s: %s\n",
				partition_name(sum.partition[i]), sum.program[i], err);
			board_exit(EXIT_BAD_MANIFEST);
		}
		parts[n++] = sum.partition[i];
	}
	for (u32 cpu = 1; cpu < board.machine.ncpus; cpu++)
		if (vcpu_cpu_has_work(cpu))
			online |= 1ull << cpu;
	if (n > 0)
		placement_start(parts, n, online, epoch_budget_arg());
	return n;
}

void board_partitions_done(void)
{
	kprintf("partitions: all exited at %lu ns since reset\n", (unsigned long)timer_now_ns());
	placement_print_summary();
	close_log(EXIT_OK);
	kprintf("RUVIX BOOT OK\n");
	board_exit(EXIT_OK);
}

void boot_main(const void *dtb)
{
	char scenario[32] = "boot";
	const char *err;

	timer_init();
	mmu_enable();
	if ((err = platform_parse(dtb, &board))) {
		/* No UART from the tree: QEMU virt's, the one machine RuVix boots on today. */
		pl011_init(QEMU_VIRT_UART);
		kprintf("FATAL: device tree: %s\n", err);
		board_exit(EXIT_BAD_MACHINE);
	}
	pl011_init(board.uart_base);
	kprintf("RuVix %s: EL2 on AArch64, MMU on\n", VERSION);
	print_platform();
	if (exception_semihosting_answers()) {
		kprintf("FATAL: QEMU answers semihosting calls, and it answers them from EL1 too: "
			"any partition could reach the host. Boot without -semihosting-config "
			"(docs/boot.md)\n");
		board_exit(EXIT_SEMIHOSTING);
	}
	if (board.bootargs_truncated) {
		kprintf("FATAL: boot arguments longer than %u characters\n",
			PLATFORM_BOOTARGS_MAX - 1);
		board_exit(EXIT_BAD_BOOTARGS);
	}

	if ((err = gic_init(board.gicd_base, board.gicr_base, board.gicr_size,
			    board.cpu_mpidr[0]))) {
		kprintf("FATAL: gic: %s\n", err);
		board_exit(EXIT_BAD_MACHINE);
	}
	check_timer_interrupt();

	if (!platform_bootarg(&board, "ruvix.test", scenario, sizeof(scenario)) &&
	    platform_has_bootarg(&board, "ruvix.test")) {
		kprintf("FATAL: ruvix.test= is longer than %u characters\n",
			(unsigned)sizeof(scenario) - 1);
		board_exit(EXIT_BAD_BOOTARGS);
	}
	if (platform_has_bootarg(&board, "ruvix.wlog")) {
		kprintf("FATAL: ruvix.wlog= is gone: the witness log leaves through the virtio "
			"console, whose host file QEMU's -chardev names (docs/boot.md)\n");
		board_exit(EXIT_BAD_BOOTARGS);
	}
	if ((err = wlog_init(&board))) {
		kprintf("FATAL: witness log: %s\n", err);
		board_exit(EXIT_WITNESS);
	}

	enum kerr kerr = kernel_boot(&board.machine);
	if (kerr != KERR_OK) {
		kprintf("FATAL: kernel_boot: %s\n", kerr_name(kerr));
		board_exit(kerr == KERR_WITNESS ? EXIT_WITNESS : EXIT_BAD_MACHINE);
	}
	/* ruvix.segment-records=N: records in a log segment (docs/witness.md). */
	witness_set_segment_records(integer_arg("ruvix.segment-records", 2, 1ull << 30,
						RUVIX_WITNESS_SEGMENT, "2 to 2^30"));
	kprintf("witness: first record at %lu ns since reset, log on the virtio console at "
		"0x%lx\n",
		(unsigned long)witness_first_time_ns(), (unsigned long)wlog_base());
	load_manifest();

	run_scenario(scenario);
	if (create_vcpus() > 0) {
		board_lock(); /* from here on, CPUs share the kernel */
		start_secondaries();
		vcpu_run(); /* ends in board_partitions_done */
	}

	close_log(EXIT_OK);
	kprintf("RUVIX BOOT OK\n");
	board_exit(EXIT_OK);
}
