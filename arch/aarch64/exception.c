/*
 * EL2 exception dispatch: interrupts go to the board, everything else is a fault that is
 * reported decoded (exception class, fault status, addresses), witnessed, and stops the
 * machine. Encodings: Arm ARM (DDI 0487) D17 "ESR_EL2".
 */
#include <ruvix/kernel.h>
#include <ruvix/klib.h>
#include <ruvix/witness.h>

#include "board.h"
#include "frame.h"
#include "vcpu.h"

#define HLT_SEMIHOST 0xd45e0000u /* the encoding of "hlt #0xf000" */
#define SYS_ERRNO    0x13u	 /* a semihosting call with no effect on the host */

static const char *const vector_names[16] = {
	"sync, EL2 SP0", "IRQ, EL2 SP0", "FIQ, EL2 SP0", "SError, EL2 SP0",
	"sync, EL2 SPx", "IRQ, EL2 SPx", "FIQ, EL2 SPx", "SError, EL2 SPx",
	"sync, EL1 A64", "IRQ, EL1 A64", "FIQ, EL1 A64", "SError, EL1 A64",
	"sync, EL1 A32", "IRQ, EL1 A32", "FIQ, EL1 A32", "SError, EL1 A32",
};

static const char *class_name(u32 ec)
{
	switch (ec) {
	case 0x00:
		return "unknown reason (undefined instruction)";
	case 0x01:
		return "WFI/WFE trapped";
	case 0x07:
		return "FP/SIMD access trapped";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "SVC from AArch64";
	case 0x16:
		return "HVC from AArch64";
	case 0x17:
		return "SMC from AArch64";
	case 0x18:
		return "MSR/MRS/system instruction trapped";
	case 0x20:
		return "instruction abort from a lower EL";
	case 0x21:
		return "instruction abort at EL2";
	case 0x22:
		return "PC alignment fault";
	case 0x24:
		return "data abort from a lower EL";
	case 0x25:
		return "data abort at EL2";
	case 0x26:
		return "SP alignment fault";
	case 0x2f:
		return "SError";
	case 0x3c:
		return "BRK instruction";
	}
	return "other";
}

/* Fault status code of an instruction or data abort (ISS bits 5:0). */
static void describe_fault_status(u32 fsc, char *out, usize size)
{
	static const char *const kinds[4] = { "address size fault", "translation fault",
					      "access flag fault", "permission fault" };

	if (fsc < 0x10)
		ksnprintf(out, size, "%s, level %u", kinds[fsc >> 2], fsc & 3);
	else if (fsc == 0x10)
		ksnprintf(out, size, "synchronous external abort");
	else if (fsc == 0x21)
		ksnprintf(out, size, "alignment fault");
	else
		ksnprintf(out, size, "fault status 0x%x", fsc);
}

static bool in_fault;
static volatile bool probing, probe_trapped;

bool exception_semihosting_answers(void)
{
	register u64 x0 __asm__("x0") = SYS_ERRNO;
	register u64 x1 __asm__("x1") = 0;

	probe_trapped = false;
	probing = true;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	probing = false;
	return !probe_trapped;
}

static void report_fault(const struct exception_frame *f, u64 vector)
{
	u32 ec = (u32)(f->esr >> 26) & 0x3f;
	u32 iss = (u32)f->esr & 0x1ffffff;

	kprintf("FAULT: %s: ESR_EL2=0x%lx EC=0x%02x (%s) ISS=0x%x\n", vector_names[vector],
		(unsigned long)f->esr, ec, class_name(ec), iss);
	if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) {
		char what[48];
		describe_fault_status(iss & 0x3f, what, sizeof(what));
		kprintf("FAULT: %s on %s at FAR_EL2=0x%lx\n", what,
			ec >= 0x24 ? ((iss >> 6) & 1 ? "write" : "read") : "instruction fetch",
			(unsigned long)f->far);
	}
	kprintf("FAULT: ELR_EL2=0x%lx SPSR_EL2=0x%lx LR=0x%lx\n", (unsigned long)f->elr,
		(unsigned long)f->spsr, (unsigned long)f->x[30]);
}

struct exception_frame *exception_dispatch(struct exception_frame *f, u64 vector);

struct exception_frame *exception_dispatch(struct exception_frame *f, u64 vector)
{
	if (vector >= 8 && vector < 12) {
		/* From a partition at EL1: hypercalls, its faults, interrupts while it runs. */
		return vcpu_trap(f, vector);
	}
	if ((vector & 3) == 1) {
		board_irq();
		return f;
	}
	/* The probe below: semihosting is off, so its call is an undefined instruction. */
	if (probing && (f->esr >> 26) == 0 && *(const u32 *)(uintptr_t)f->elr == HLT_SEMIHOST) {
		probe_trapped = true;
		f->elr += 4;
		return f;
	}
	if (in_fault) {
		kprintf("FAULT: nested fault while reporting a fault\n");
		board_exit(EXIT_NESTED_FAULT);
	}
	in_fault = true;

	report_fault(f, vector);
	/* The fault is a privileged event: witness it, then stop the kernel it broke. */
	witness_emit(WK_FAULT, TIER_KERNEL, WITNESS_ACTOR_KERNEL, f->elr, f->esr, f->far);
	kprintf("RUVIX STOPPED: kernel fault, exit %d\n", EXIT_KERNEL_FAULT);
	board_exit(EXIT_KERNEL_FAULT); /* writes the digest, the halt record and the head */
}
