/*
 * Boot at EL2 on QEMU virt: MMU, device tree, console, GIC and timer, then the kernel's first
 * witness, then the scenario the boot arguments ask for, then a clean exit with a status.
 *
 * Boot arguments (QEMU -append, read from /chosen/bootargs):
 *   ruvix.wlog=PATH   host file for the witness log (default ruvix.wlog, relative to QEMU's
 *                     working directory)
 *   ruvix.test=NAME   scenario: "boot" (default), "fault-data" (read an unmapped address),
 *                     "fault-undef" (execute an undefined instruction)
 */
#include <ruvix/kernel.h>
#include <ruvix/klib.h>
#include <ruvix/witness.h>

#include "board.h"
#include "gic.h"
#include "mmu.h"
#include "pl011.h"
#include "semihost.h"
#include "sysreg.h"
#include "timer.h"

#define VERSION		"0.1.0"
#define PSCI_SYSTEM_OFF 0x84000008u

struct platform board;
extern i64 board_wlog_handle;
static volatile u32 timer_ticks;

void boot_main(const void *dtb);

bool board_semihosting_off;

void board_exit(int status)
{
	if (board_semihosting_off) {
		/* PSCI SYSTEM_OFF: QEMU exits with status 0, the status itself is lost. */
		register u64 x0 __asm__("x0") = PSCI_SYSTEM_OFF;
		if (board.psci_smc)
			__asm__ volatile("smc #0" : "+r"(x0)::"memory");
		else
			__asm__ volatile("hvc #0" : "+r"(x0)::"memory");
		for (;;)
			__asm__ volatile("wfe");
	}
	if (board_wlog_handle >= 0) {
		semihost_close(board_wlog_handle);
		board_wlog_handle = -1;
	}
	semihost_exit(status);
}

void board_irq(void)
{
	u32 intid = gic_ack();

	if (intid == INTID_EL2_PHYS_TIMER) {
		timer_disarm();
		timer_ticks++;
	}
	if (intid < 1020)
		gic_eoi(intid);
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
	const u64 delay_ns = 10000;
	u64 start = timer_now_ns();

	gic_enable_ppi(INTID_EL2_PHYS_TIMER);
	timer_arm_in_ns(delay_ns);
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	while (timer_ticks == 0)
		__asm__ volatile("wfi");
	__asm__ volatile("msr daifset, #2" ::: "memory");
	kprintf("timer: EL2 timer interrupt (INTID %u) after %lu ns, asked %lu ns, CNTFRQ %lu Hz\n",
		INTID_EL2_PHYS_TIMER, (unsigned long)(timer_now_ns() - start),
		(unsigned long)delay_ns, (unsigned long)timer_frequency());
}

static void run_scenario(const char *name)
{
	if (memcmp(name, "boot", 5) == 0)
		return;
	if (memcmp(name, "fault-data", 11) == 0) {
		kprintf("test: reading unmapped address 0xc0000000\n");
		(void)*(volatile u64 *)0xc0000000ull;
	} else if (memcmp(name, "fault-undef", 12) == 0) {
		kprintf("test: executing an undefined instruction\n");
		__asm__ volatile("udf #0");
	} else {
		kprintf("FATAL: unknown ruvix.test=%s (expected boot, fault-data, fault-undef)\n",
			name);
		board_exit(EXIT_BAD_BOOTARGS);
	}
	kprintf("FATAL: scenario %s did not fault\n", name);
	board_exit(EXIT_PANIC);
}

static void print_head(void)
{
	u8 head[WITNESS_CHAIN_SIZE];
	char hex[2 * WITNESS_CHAIN_SIZE + 1];

	witness_head(head);
	for (unsigned i = 0; i < WITNESS_CHAIN_SIZE; i++)
		ksnprintf(hex + 2 * i, 3, "%02x", head[i]);
	kprintf("witness: %lu records, head %s\n", (unsigned long)witness_count(), hex);
}

void boot_main(const void *dtb)
{
	char scenario[32] = "boot", wlog[128] = "ruvix.wlog";
	const char *err;

	timer_init();
	mmu_enable();
	if ((err = platform_parse(dtb, &board))) {
		kprintf("FATAL: device tree: %s\n", err); /* semihosting console: no UART yet */
		board_exit(EXIT_BAD_MACHINE);
	}
	pl011_init(board.uart_base);
	kprintf("RuVix %s: EL2 on AArch64, MMU on\n", VERSION);
	print_platform();

	if ((err = gic_init(board.gicd_base, board.gicr_base, board.gicr_size,
			    board.cpu_mpidr[0]))) {
		kprintf("FATAL: gic: %s\n", err);
		board_exit(EXIT_BAD_MACHINE);
	}
	check_timer_interrupt();

	platform_bootarg(&board, "ruvix.test", scenario, sizeof(scenario));
	platform_bootarg(&board, "ruvix.wlog", wlog, sizeof(wlog));
	board_wlog_handle = semihost_open_write(wlog);
	if (board_wlog_handle < 0) {
		kprintf("FATAL: cannot open witness log %s on the host\n", wlog);
		board_exit(EXIT_WITNESS);
	}

	enum kerr kerr = kernel_boot(&board.machine);
	if (kerr != KERR_OK) {
		kprintf("FATAL: kernel_boot: %s\n", kerr_name(kerr));
		board_exit(kerr == KERR_WITNESS ? EXIT_WITNESS : EXIT_BAD_MACHINE);
	}
	kprintf("witness: first record at %lu ns since reset, log %s\n",
		(unsigned long)witness_first_time_ns(), wlog);

	run_scenario(scenario);

	if (kernel_halt(EXIT_OK) != KERR_OK) {
		kprintf("FATAL: halt witness not exported\n");
		board_exit(EXIT_WITNESS);
	}
	print_head();
	kprintf("RUVIX BOOT OK\n");
	board_exit(EXIT_OK);
}
