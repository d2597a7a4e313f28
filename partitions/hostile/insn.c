/*
 * hs_insn: instructions a partition at EL1 must not be able to use against the kernel, each
 * tried PASSES times: SMC (PSCI's SYSTEM_OFF in x0), BRK, UDF and other undefined encodings,
 * HLT #0xF000 (semihosting: QEMU runs without it, so it is undefined), reads and writes of EL2
 * and EL3 system registers, the physical timer, the PMU and debug registers, the GIC's CPU
 * interface, EL2-only TLB and address-translation operations, cache and TLB maintenance it may
 * do (set/way, IC IALLUIS, TLBI VMALLE1IS, DC ZVA, DC IVAC on its own memory), WFI and WFE,
 * misaligned accesses and accesses that run off the end of its memory, SP games, ERET to EL2,
 * EL3, EL0 and AArch32, and its own stage-1 tables aimed at memory stage 2 does not map.
 *
 * It installs a vector table of its own (VBAR_EL1), so an exception taken at EL1 (undefined
 * instruction, alignment, SVC, an illegal return) comes back to it: the stackless handler
 * records ESR_EL1 and resumes after the attack. An attack marked DEFVBAR runs with the
 * kernel's unmapped VBAR_EL1 instead, so its EL1 exception is a stage-2 fault the kernel
 * contains. What traps to EL2 (SMC, trapped system registers, stage-2 faults) is contained by
 * the kernel and restored from the checkpoint; the attack index survives at PERSIST_IPA.
 *
 * Each attack ends one of three ways: contained by the kernel (EL2), taken at EL1, or run to
 * its end. An attack of class TRAP that runs to its end is an escape, and so is one that
 * reaches a point it must not (MARK), reads an exception level other than 1, answers a PSCI
 * call or acknowledges an interrupt.
 */
#include "hostile.h"

#define PASSES 3

/* The layout the assembly below relies on. */
struct persist {
	uint64_t magic;	   /* 0 */
	uint64_t next;	   /* 8: attack index over all passes */
	uint64_t inflight; /* 16: 1 + the attack running, or 0 */
	uint64_t hits;	   /* 24: EL1 exceptions the handler took */
	uint64_t esr;	   /* 32: the last one's ESR_EL1 */
	uint64_t cont;	   /* 40: where the handler resumes */
	uint64_t value;	   /* 48: what an attack stored */
	uint64_t sp;	   /* 56: SP before the attack */
	uint64_t regs[22]; /* 64: x8..x15, x18..x30 before it (AArch32 does not keep them) */
	uint64_t sctlr, vbar;
	uint64_t contained, el1, ran, escapes, crashes, rounds;
	uint8_t outcome[192];
	uint32_t esr_of[192];
	uint64_t escaped[8];
};

#define P	 ((volatile struct persist *)PERSIST_IPA)
#define MAGIC	 0x696e736eull
#define MARK	 0xe5ca
#define TABLES	 (PERSIST_IPA + 0x10000) /* stage-1 tables of its own, 4 KiB aligned */
#define OWN	 (PERSIST_IPA + 0x20000) /* scratch memory it owns */
#define UNMAPPED 0x30000000ul

#define STR_(x) #x
#define STR(x)	STR_(x)
#define O_HITS	24
#define O_ESR	32
#define O_CONT	40
#define O_VALUE 48
#define O_SP	56
#define O_REGS	64
_Static_assert(__builtin_offsetof(struct persist, hits) == O_HITS, "layout");
_Static_assert(__builtin_offsetof(struct persist, sp) == O_SP, "layout");
_Static_assert(__builtin_offsetof(struct persist, regs) == O_REGS, "layout");
_Static_assert(PERSIST_IPA == 0x80000 && OWN == 0xa0000,
	       "the handler and s1_alias_own build these with one movz");

/*
 * The vector table: every entry goes to one handler that uses only x16 and x17 (no stack:
 * some attacks leave SP unusable), records the exception and resumes at P->cont at EL1h with
 * everything masked. The attack restores SP there.
 */
__asm__(".section .text.hs_vectors, \"ax\"\n"
	".balign 2048\n"
	".global hs_vectors\n"
	"hs_vectors:\n"
	".rept 16\n"
	"b hs_trap\n"
	".balign 128\n"
	".endr\n"
	"hs_trap:\n"
	"movz x16, #0x8, lsl #16\n"
	"mrs x17, esr_el1\n"
	"str x17, [x16, #" STR(
		O_ESR) "]\n"
		       "ldr x17, [x16, #" STR(
			       O_HITS) "]\n"
				       "add x17, x17, #1\n"
				       "str x17, [x16, #" STR(
					       O_HITS) "]\n"
						       "ldr x17, [x16, #" STR(
							       O_CONT) "]\n"
								       "msr elr_el1, x17\n"
								       "mov x17, #0x3c5\n"
								       "msr spsr_el1, x17\n"
								       "eret\n"
								       ".text\n");
extern char hs_vectors[];

/*
 * Run @body: the handler resumes at label 9 after an EL1 exception, where SP and every
 * register the compiler may hold something in are put back (an exception taken from AArch32
 * leaves the upper registers UNKNOWN: QEMU zeroes them). x0..x7 are the body's; x1 holds P,
 * x2 OWN and x3 UNMAPPED on entry.
 */
#define SAVE_REGS                                                                                  \
	"stp x8, x9, [x16, #64]\n\tstp x10, x11, [x16, #80]\n\tstp x12, x13, [x16, #96]\n\t"       \
	"stp x14, x15, [x16, #112]\n\tstp x18, x19, [x16, #128]\n\tstp x20, x21, [x16, #144]\n\t"  \
	"stp x22, x23, [x16, #160]\n\tstp x24, x25, [x16, #176]\n\tstp x26, x27, [x16, #192]\n\t"  \
	"stp x28, x29, [x16, #208]\n\tstr x30, [x16, #224]\n\t"
#define LOAD_REGS                                                                                  \
	"ldp x8, x9, [x16, #64]\n\tldp x10, x11, [x16, #80]\n\tldp x12, x13, [x16, #96]\n\t"       \
	"ldp x14, x15, [x16, #112]\n\tldp x18, x19, [x16, #128]\n\tldp x20, x21, [x16, #144]\n\t"  \
	"ldp x22, x23, [x16, #160]\n\tldp x24, x25, [x16, #176]\n\tldp x26, x27, [x16, #192]\n\t"  \
	"ldp x28, x29, [x16, #208]\n\tldr x30, [x16, #224]\n\t"
#define RUN(body)                                                                                  \
	__asm__ volatile(                                                                          \
		"mov x1, %0\n\t"                                                                   \
		"mov x2, %1\n\t"                                                                   \
		"mov x3, %2\n\t"                                                                   \
		"movz x16, #0x8, lsl #16\n\t" SAVE_REGS "adr x16, 9f\n\t"                          \
		"str x16, [x1, #" STR(                                                             \
			O_CONT) "]\n\t"                                                            \
				"mov x17, sp\n\t"                                                  \
				"str x17, [x1, #" STR(                                             \
					O_SP) "]\n\t" body "\n"                                    \
					      "9:\n\t"                                             \
					      "movz x16, #0x8, lsl #16\n\t" LOAD_REGS              \
					      "ldr x17, [x16, #" STR(O_SP) "]\n\t"                 \
									   "mov sp, x17\n"         \
		:                                                                                  \
		: "r"(PERSIST_IPA), "r"(OWN), "r"(UNMAPPED)                                        \
		: "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x16", "x17", "memory", "cc")

/* Store x0 as the attack's value (at EL1 or EL0: stage 1 is off, EL0 may write too). */
#define VALUE "str x0, [x1, #" STR(O_VALUE) "]\n\t"
/* Reaching this point is an escape. */
#define REACHED "mov x0, #" STR(MARK) "\n\tstr x0, [x1, #" STR(O_VALUE) "]\n\t"
/* ERET to @label with SPSR_EL1 = @spsr. */
#define ERET_TO(spsr, label)                                                                       \
	"adr x0, " label "\n\tmsr elr_el1, x0\n\tmov x0, #" spsr "\n\tmsr spsr_el1, x0\n\t"        \
	"isb\n\teret\n\t"

enum cls {
	TRAP,	  /* must not run to its end: contained at EL2 or taken at EL1 */
	HARMLESS, /* allowed; counted */
	AT_EL1,	  /* allowed, but the value it stores is CurrentEL and must be EL1 */
	NO_IRQ,	  /* allowed, but what it reads must not be a real interrupt (>= 1020) */
	REFUSED,  /* an HVC the kernel must answer with invalid (1) */
};

enum { DEFVBAR = 1, ALIGN = 2, SPALIGN = 4, MMU = 8 };

/* Attacks */
static void smc0(void)
{
	RUN("movz x0, #0x8400, lsl #16\n\tadd x0, x0, #8\n\tsmc #0"); /* PSCI SYSTEM_OFF */
}
static void smc1(void)
{
	RUN("mov x0, #0\n\tsmc #0x1234");
}
static void hvc_psci_off(void)
{
	RUN("movz x0, #0x8400, lsl #16\n\tadd x0, x0, #8\n\tmov x1, #0\n\tmov x2, #0\n\t"
	    "mov x3, #0\n\tmov x4, #0\n\tmov x5, #0\n\thvc #0\n\tmov x1, %0\n\t" VALUE);
}
static void hvc_psci_reset(void)
{
	RUN("movz x0, #0x8400, lsl #16\n\tadd x0, x0, #9\n\tmov x1, #0\n\tmov x2, #0\n\t"
	    "mov x3, #0\n\tmov x4, #0\n\tmov x5, #0\n\thvc #0\n\tmov x1, %0\n\t" VALUE);
}
static void hvc_psci_cpu_on(void)
{
	RUN("movz x0, #0xc400, lsl #16\n\tadd x0, x0, #3\n\tmov x1, #1\n\tmov x2, #0\n\t"
	    "mov x3, #0\n\tmov x4, #0\n\tmov x5, #0\n\thvc #0\n\tmov x1, %0\n\t" VALUE);
}
static void hvc_imm(void)
{
	RUN("mov x0, #0x7f\n\tmov x1, #0\n\tmov x2, #0\n\tmov x3, #0\n\tmov x4, #0\n\t"
	    "mov x5, #0\n\thvc #0xffff\n\tmov x1, %0\n\t" VALUE);
}
static void brk0(void)
{
	RUN("brk #0");
}
static void brk_def(void)
{
	RUN("brk #0x1234");
}
static void udf0(void)
{
	RUN("udf #0");
}
static void undef_ones(void)
{
	RUN(".inst 0xffffffff");
}
static void undef_zero(void)
{
	RUN(".inst 0x00000000");
}
static void hlt_semihost(void)
{
	RUN("mov x0, #0x04\n\tadr x1, 1f\n\thlt #0xf000\n\tb 9f\n1:\t.asciz \"SEMIHOSTING "
	    "ESCAPE\\n\"\n\t.balign 4");
}
static void hlt_semihost_own(void)
{
	RUN("mov x0, #0x18\n\tmov x1, #0x26\n\tmovk x1, #0x2, lsl #16\n\thlt #0xf000");
}
static void hlt0(void)
{
	RUN("hlt #0");
}
static void dcps1_(void)
{
	RUN("dcps1");
}
static void drps_(void)
{
	RUN("drps");
}
static void svc_el1(void)
{
	RUN("svc #0");
}
/* EL2 and EL3 registers */
static void r_vbar_el2(void)
{
	RUN("mrs x0, vbar_el2");
}
static void w_vbar_el2(void)
{
	RUN("mov x0, #0\n\tmsr vbar_el2, x0");
}
static void r_hcr_el2(void)
{
	RUN("mrs x0, hcr_el2");
}
static void w_hcr_el2(void)
{
	RUN("mov x0, #0\n\tmsr hcr_el2, x0");
}
static void r_vttbr_el2(void)
{
	RUN("mrs x0, vttbr_el2");
}
static void w_vttbr_el2(void)
{
	RUN("mov x0, #0\n\tmsr vttbr_el2, x0");
}
static void w_vtcr_el2(void)
{
	RUN("mov x0, #0\n\tmsr vtcr_el2, x0");
}
static void r_sctlr_el2(void)
{
	RUN("mrs x0, sctlr_el2");
}
static void w_sctlr_el2(void)
{
	RUN("mov x0, #0\n\tmsr sctlr_el2, x0");
}
static void r_tpidr_el2(void)
{
	RUN("mrs x0, tpidr_el2");
}
static void r_elr_el2(void)
{
	RUN("mrs x0, elr_el2");
}
static void r_esr_el2(void)
{
	RUN("mrs x0, esr_el2");
}
static void r_hpfar_el2(void)
{
	RUN("mrs x0, hpfar_el2");
}
static void w_cptr_el2(void)
{
	RUN("mov x0, #0\n\tmsr cptr_el2, x0");
}
static void w_mdcr_el2(void)
{
	RUN("mov x0, #0\n\tmsr mdcr_el2, x0");
}
static void w_cnthctl_el2(void)
{
	RUN("mov x0, #3\n\tmsr cnthctl_el2, x0");
}
static void r_cntvoff_el2(void)
{
	RUN("mrs x0, cntvoff_el2");
}
static void w_cntvoff_el2(void)
{
	RUN("mov x0, #0\n\tmsr cntvoff_el2, x0");
}
static void w_cnthp_ctl_el2(void)
{
	RUN("mov x0, #0\n\tmsr cnthp_ctl_el2, x0");
}
static void w_cnthp_cval_el2(void)
{
	RUN("mov x0, #0\n\tmsr cnthp_cval_el2, x0");
}
static void r_ich_hcr_el2(void)
{
	RUN("mrs x0, ich_hcr_el2");
}
static void r_icc_sre_el2(void)
{
	RUN("mrs x0, icc_sre_el2");
}
static void w_vpidr_el2(void)
{
	RUN("mov x0, #0\n\tmsr vpidr_el2, x0");
}
static void w_hstr_el2(void)
{
	RUN("mov x0, #0\n\tmsr hstr_el2, x0");
}
static void w_sp_el1(void)
{
	RUN("mov x0, #0\n\tmsr sp_el1, x0");
}
static void r_scr_el3(void)
{
	RUN("mrs x0, scr_el3");
}
static void w_scr_el3(void)
{
	RUN("mov x0, #0\n\tmsr scr_el3, x0");
}
static void r_vbar_el3(void)
{
	RUN("mrs x0, vbar_el3");
}
static void r_sctlr_el3(void)
{
	RUN("mrs x0, sctlr_el3");
}
static void r_mdcr_el3(void)
{
	RUN("mrs x0, mdcr_el3");
}
static void r_cptr_el3(void)
{
	RUN("mrs x0, cptr_el3");
}
/* The physical timer, the counter frequency, implementation registers */
static void r_cntp_ctl(void)
{
	RUN("mrs x0, cntp_ctl_el0");
}
static void w_cntp_ctl(void)
{
	RUN("mov x0, #1\n\tmsr cntp_ctl_el0, x0");
}
static void w_cntp_cval(void)
{
	RUN("mov x0, #0\n\tmsr cntp_cval_el0, x0");
}
static void w_cntp_tval(void)
{
	RUN("mov x0, #0\n\tmsr cntp_tval_el0, x0");
}
static void r_cntp_tval(void)
{
	RUN("mrs x0, cntp_tval_el0");
}
static void r_cntpct(void)
{
	RUN("mrs x0, cntpct_el0");
}
static void w_cntfrq(void)
{
	RUN("mov x0, #1\n\tmsr cntfrq_el0, x0");
}
static void cntv_fire(void)
{
	/* Its own virtual timer, due at once and unmasked: INTID 27 pends at a GIC that does not
	 * deliver it, so nothing happens; switched off again after. */
	RUN("mov x0, #0\n\tmsr cntv_cval_el0, x0\n\tmov x0, #1\n\tmsr cntv_ctl_el0, x0\n\tisb\n\t"
	    "mov x0, #200\n1:\tsubs x0, x0, #1\n\tb.ne 1b\n\tmsr cntv_ctl_el0, xzr");
}
static void r_actlr(void)
{
	RUN("mrs x0, actlr_el1");
}
static void w_actlr(void)
{
	RUN("mov x0, #0\n\tmsr actlr_el1, x0");
}
static void r_impdef(void)
{
	RUN("mrs x0, s3_1_c15_c2_1");
}
static void w_impdef(void)
{
	RUN("mov x0, #0\n\tmsr s3_1_c15_c2_1, x0");
}
static void r_mpidr(void)
{
	RUN("mrs x0, mpidr_el1\n\tmrs x0, midr_el1\n\tmrs x0, id_aa64mmfr0_el1");
}
/* PMU */
static void r_pmcr(void)
{
	RUN("mrs x0, pmcr_el0");
}
static void w_pmcr(void)
{
	RUN("mov x0, #7\n\tmsr pmcr_el0, x0");
}
static void r_pmccntr(void)
{
	RUN("mrs x0, pmccntr_el0");
}
static void w_pmcntenset(void)
{
	RUN("mov x0, #-1\n\tmsr pmcntenset_el0, x0");
}
static void w_pmuserenr(void)
{
	RUN("mov x0, #15\n\tmsr pmuserenr_el0, x0");
}
static void r_pmevcntr0(void)
{
	RUN("mrs x0, pmevcntr0_el0");
}
/* Debug */
static void r_mdscr(void)
{
	RUN("mrs x0, mdscr_el1");
}
static void w_mdscr(void)
{
	RUN("mov x0, #0xa000\n\tmsr mdscr_el1, x0");
}
static void w_dbgbvr0(void)
{
	RUN("mov x0, #0\n\tmsr dbgbvr0_el1, x0");
}
static void w_dbgbcr0(void)
{
	RUN("mov x0, #0x1e7\n\tmsr dbgbcr0_el1, x0");
}
static void w_dbgwvr0(void)
{
	RUN("mov x0, #0\n\tmsr dbgwvr0_el1, x0");
}
static void w_oslar(void)
{
	RUN("mov x0, #0\n\tmsr oslar_el1, x0");
}
static void r_oslsr(void)
{
	RUN("mrs x0, oslsr_el1");
}
static void r_mdrar(void)
{
	RUN("mrs x0, mdrar_el1");
}
static void r_dbgclaim(void)
{
	RUN("mrs x0, dbgclaimset_el1");
}
static void r_dbgauth(void)
{
	RUN("mrs x0, dbgauthstatus_el1");
}
static void r_mdccsr(void)
{
	RUN("mrs x0, mdccsr_el0");
}
/* The GIC's CPU interface */
static void w_sgi1r(void)
{
	RUN("mov x0, #1\n\tlsl x0, x0, #40\n\tmsr icc_sgi1r_el1, x0"); /* IRM: every other CPU */
}
static void w_sgi0r(void)
{
	RUN("mov x0, #1\n\tlsl x0, x0, #40\n\tmsr icc_sgi0r_el1, x0");
}
static void w_asgi1r(void)
{
	RUN("mov x0, #1\n\tlsl x0, x0, #40\n\tmsr icc_asgi1r_el1, x0");
}
static void r_iar1(void)
{
	RUN("mrs x0, icc_iar1_el1\n\t" VALUE);
}
static void w_eoir1(void)
{
	RUN("mov x0, #26\n\tmsr icc_eoir1_el1, x0\n\tmsr icc_dir_el1, x0");
}
static void w_pmr(void)
{
	RUN("mov x0, #0\n\tmsr icc_pmr_el1, x0");
}
static void w_igrpen1(void)
{
	RUN("mov x0, #0\n\tmsr icc_igrpen1_el1, x0");
}
static void w_icc_sre(void)
{
	RUN("mov x0, #0\n\tmsr icc_sre_el1, x0");
}
static void r_hppir1(void)
{
	RUN("mrs x0, icc_hppir1_el1\n\t" VALUE);
}
/* TLB, address translation and cache operations */
static void tlbi_alle1is(void)
{
	RUN("tlbi alle1is");
}
static void tlbi_alle2(void)
{
	RUN("tlbi alle2");
}
static void tlbi_vmalls12(void)
{
	RUN("tlbi vmalls12e1is");
}
static void tlbi_ipas2(void)
{
	RUN("movz x0, #0x4, lsl #16\n\tmovk x0, #0x200\n\ttlbi ipas2e1is, x0");
}
static void at_s12e1r(void)
{
	RUN("mov x0, #0x40200000\n\tat s12e1r, x0");
}
static void at_s1e2r(void)
{
	RUN("mov x0, #0x40200000\n\tat s1e2r, x0");
}
static void tlbi_el1(void)
{
	RUN("mov x0, #100\n1:\ttlbi vmalle1is\n\ttlbi vmalle1\n\ttlbi vae1is, x0\n\t"
	    "tlbi aside1is, x0\n\ttlbi vaae1is, x0\n\tsubs x0, x0, #1\n\tb.ne 1b\n\tdsb ish");
}
static void ic_all(void)
{
	RUN("mov x0, #100\n1:\tic ialluis\n\tic iallu\n\tic ivau, x2\n\tsubs x0, x0, #1\n\t"
	    "b.ne 1b\n\tdsb ish\n\tisb");
}
static void dc_setway(void)
{
	/* Every set and way a small cache could have, in each of the first two levels. */
	RUN("mov x0, #0\n1:\tdc cisw, x0\n\tdc isw, x0\n\tdc csw, x0\n\tadd x0, x0, #64\n\t"
	    "cmp x0, #0x8000\n\tb.lo 1b\n\tmov x0, #2\n\tmovk x0, #0xc000, lsl #16\n\t"
	    "dc isw, x0\n\tdc cisw, x0\n\tdsb sy");
}
static void dc_va_own(void)
{
	RUN("mov x0, #64\n1:\tdc ivac, x2\n\tdc civac, x2\n\tdc cvac, x2\n\tdc cvau, x2\n\t"
	    "subs x0, x0, #1\n\tb.ne 1b\n\tdsb sy");
}
static void dc_zva_own(void)
{
	RUN("mov x0, #0\n1:\tadd x4, x2, x0\n\tdc zva, x4\n\tadd x0, x0, #64\n\tcmp x0, #4096\n\t"
	    "b.lo 1b");
}
static void dc_ivac_unmapped(void)
{
	RUN("dc ivac, x3");
}
static void dc_zva_unmapped(void)
{
	RUN("dc zva, x3");
}
static void at_s1e1r(void)
{
	RUN("at s1e1r, x3\n\tat s1e0r, x2\n\tisb\n\tmrs x0, par_el1");
}
/* Waiting */
static void wfi20(void)
{
	RUN("mov x0, #20\n1:\twfi\n\tsubs x0, x0, #1\n\tb.ne 1b");
}
static void wfe(void)
{
	RUN("mov x0, #500\n1:\tsev\n\twfe\n\tsevl\n\twfe\n\tyield\n\tsubs x0, x0, #1\n\tb.ne 1b");
}
/* Alignment and the ends of its memory */
static void misaligned(void)
{
	RUN("add x4, x2, #1\n\tldr x0, [x4]\n\tstr x0, [x4, #2]\n\tldp w5, w6, [x4, #4]");
}
static void misaligned_checked(void)
{
	RUN("add x4, x2, #1\n\tldr x0, [x4]");
}
static void ldxr_misaligned(void)
{
	RUN("add x4, x2, #4\n\tldxr x0, [x4]");
}
static void ldar_misaligned(void)
{
	RUN("add x4, x2, #2\n\tldar x0, [x4]");
}
static void cross_region_end(void)
{
	RUN("mov x4, #0x100000\n\tsub x4, x4, #4\n\tldr x0, [x4]");
}
static void cross_region_pair(void)
{
	RUN("mov x4, #0x100000\n\tsub x4, x4, #8\n\tldp x0, x5, [x4]");
}
static void cross_region_store(void)
{
	RUN("mov x4, #0x100000\n\tsub x4, x4, #3\n\tstr x0, [x4]");
}
static void cross_window_end(void)
{
	RUN("movz x4, #0x1011, lsl #16\n\tsub x4, x4, #8\n\tldp x0, x5, [x4]");
}
static void cross_4g(void)
{
	RUN("mov x4, #0xfffffffc\n\tldr x0, [x4]");
}
/* SP games */
static void sp_unmapped_push(void)
{
	RUN("mov sp, x3\n\tstp x0, x1, [sp, #-16]!");
}
static void sp_unmapped_hvc_brk(void)
{
	RUN("mov sp, x3\n\tmov x0, #0\n\tmov x1, #0\n\tmov x2, #0\n\tmov x3, #0\n\tmov x4, #0\n\t"
	    "mov x5, #0\n\thvc #0\n\tbrk #1");
}
static void sp_unmapped_undef(void)
{
	RUN("mov sp, x3\n\tudf #1");
}
static void sp_misaligned(void)
{
	RUN("add x4, x2, #0x1000\n\tadd x4, x4, #8\n\tmov sp, x4\n\tldr x0, [sp]");
}
static void sp_top(void)
{
	RUN("mov x4, #-16\n\tmov sp, x4\n\tldr x0, [sp]");
}
static void sp_zero(void)
{
	RUN("mov x4, #0\n\tmov sp, x4\n\tstr x0, [sp, #-16]!");
}
static void spsel0(void)
{
	RUN("msr spsel, #0\n\tmov x4, #0\n\tmov sp, x4\n\tudf #2");
}
/* ERET */
static void eret_el2(void)
{
	RUN(ERET_TO("0x3c9", "1f") "1:\tmrs x0, currentel\n\t" VALUE);
}
static void eret_el3(void)
{
	RUN(ERET_TO("0x3cd", "1f") "1:\tmrs x0, currentel\n\t" VALUE);
}
static void eret_el2t(void)
{
	RUN(ERET_TO("0x3c8", "1f") "1:\tmrs x0, currentel\n\t" VALUE);
}
static void eret_el1_unmasked(void)
{
	RUN(ERET_TO("0x5", "1f") "1:\tmrs x0, currentel\n\t" VALUE "msr daifset, #0xf");
}
static void eret_el0_svc(void)
{
	RUN(ERET_TO("0x3c0", "1f") "1:\tsvc #0\n\t" REACHED "b 1b");
}
static void eret_el0_hvc(void)
{
	RUN(ERET_TO("0x3c0", "1f") "1:\thvc #0\n\t" REACHED "svc #0");
}
static void eret_el0_smc(void)
{
	RUN(ERET_TO("0x3c0", "1f") "1:\tsmc #0\n\t" REACHED "svc #0");
}
static void eret_el0_sysreg(void)
{
	RUN(ERET_TO("0x3c0", "1f") "1:\tmrs x0, sctlr_el1\n\t" REACHED "svc #0");
}
static void eret_el0_daif(void)
{
	RUN(ERET_TO("0x3c0", "1f") "1:\tmsr daifclr, #2\n\t" REACHED "svc #0");
}
static void eret_el0_wfi(void)
{
	RUN(ERET_TO("0x3c0", "1f") "1:\twfi\n\tsvc #0");
}
static void eret_el0_unmapped(void)
{
	RUN(ERET_TO("0x3c0", "1f") "1:\tldr x0, [x3]\n\t" REACHED "svc #0");
}
static void eret_aarch32(void)
{
	/* A32 at EL0: "svc #0", then "b ." */
	RUN(ERET_TO("0x10", "1f") ".balign 4\n1:\t.inst 0xef000000\n\t.inst 0xeafffffe");
}
static void eret_aarch32_mcr(void)
{
	/* A32 at EL0: "mcr p15, 0, r0, c1, c0, 0" (SCTLR), then "svc #0" */
	RUN(ERET_TO("0x10", "1f") ".balign 4\n1:\t.inst 0xee010f10\n\t.inst 0xef000000");
}
static void eret_misaligned(void)
{
	RUN("adr x0, 1f\n\tadd x0, x0, #2\n\tmsr elr_el1, x0\n\tmov x0, #0x3c5\n\tmsr spsr_el1, "
	    "x0\n\t"
	    "isb\n\teret\n1:\tnop\n\tnop");
}
static void eret_unmapped(void)
{
	RUN("msr elr_el1, x3\n\tmov x0, #0x3c5\n\tmsr spsr_el1, x0\n\tisb\n\teret");
}
static void currentel(void)
{
	RUN("mrs x0, currentel\n\t" VALUE);
}
/* Its own stage-1 translation, aimed past stage 2 */
static void s1_alias_kernel(void)
{
	/* VA 1 GiB.. maps IPA 1 GiB..: the kernel's image at 0x40200000 */
	RUN("movz x4, #0x4020, lsl #16\n\tldr x0, [x4]");
}
static void s1_walk_unmapped(void)
{
	/* VA 3 GiB..: its level-2 table is at an IPA stage 2 does not map */
	RUN("movz x4, #0xc000, lsl #16\n\tldr x0, [x4]");
}
static void s1_alias_own(void)
{
	/* VA 2 GiB.. maps IPA 0..: its own scratch memory (OWN), through a second name */
	RUN("movz x4, #0x800a, lsl #16\n\tldr x0, [x4]\n\tstr x0, [x4, #8]");
}
static void s1_table_unmapped(void)
{
	/* TTBR0 at an IPA stage 2 does not map: the next fetch needs a walk there */
	RUN("msr ttbr0_el1, x3\n\ttlbi vmalle1\n\tdsb nsh\n\tisb\n\tnop\n\tnop");
}

static const struct attack {
	const char *name;
	void (*fn)(void);
	uint8_t cls, flags;
} attacks[] = {
	{ "smc #0 (PSCI SYSTEM_OFF)", smc0, TRAP, 0 },
	{ "smc #0x1234", smc1, TRAP, 0 },
	{ "hvc PSCI SYSTEM_OFF", hvc_psci_off, REFUSED, 0 },
	{ "hvc PSCI SYSTEM_RESET", hvc_psci_reset, REFUSED, 0 },
	{ "hvc PSCI CPU_ON", hvc_psci_cpu_on, REFUSED, 0 },
	{ "hvc #0xffff, unknown call", hvc_imm, REFUSED, 0 },
	{ "brk #0", brk0, TRAP, 0 },
	{ "brk #0x1234 (kernel vectors)", brk_def, TRAP, DEFVBAR },
	{ "udf #0", udf0, TRAP, 0 },
	{ "undefined 0xffffffff", undef_ones, TRAP, 0 },
	{ "undefined 0x00000000 (kernel vectors)", undef_zero, TRAP, DEFVBAR },
	{ "hlt #0xf000 SYS_WRITE0 (kernel vectors)", hlt_semihost, TRAP, DEFVBAR },
	{ "hlt #0xf000 SYS_EXIT", hlt_semihost_own, TRAP, 0 },
	{ "hlt #0", hlt0, TRAP, 0 },
	{ "dcps1", dcps1_, TRAP, 0 },
	{ "drps", drps_, TRAP, 0 },
	{ "svc #0 at EL1", svc_el1, HARMLESS, 0 },
	{ "mrs vbar_el2", r_vbar_el2, TRAP, 0 },
	{ "msr vbar_el2", w_vbar_el2, TRAP, 0 },
	{ "mrs hcr_el2", r_hcr_el2, TRAP, 0 },
	{ "msr hcr_el2 (kernel vectors)", w_hcr_el2, TRAP, DEFVBAR },
	{ "mrs vttbr_el2", r_vttbr_el2, TRAP, 0 },
	{ "msr vttbr_el2", w_vttbr_el2, TRAP, 0 },
	{ "msr vtcr_el2", w_vtcr_el2, TRAP, 0 },
	{ "mrs sctlr_el2", r_sctlr_el2, TRAP, 0 },
	{ "msr sctlr_el2", w_sctlr_el2, TRAP, 0 },
	{ "mrs tpidr_el2", r_tpidr_el2, TRAP, 0 },
	{ "mrs elr_el2", r_elr_el2, TRAP, 0 },
	{ "mrs esr_el2", r_esr_el2, TRAP, 0 },
	{ "mrs hpfar_el2", r_hpfar_el2, TRAP, 0 },
	{ "msr cptr_el2", w_cptr_el2, TRAP, 0 },
	{ "msr mdcr_el2", w_mdcr_el2, TRAP, 0 },
	{ "msr cnthctl_el2", w_cnthctl_el2, TRAP, 0 },
	{ "mrs cntvoff_el2", r_cntvoff_el2, TRAP, 0 },
	{ "msr cntvoff_el2", w_cntvoff_el2, TRAP, 0 },
	{ "msr cnthp_ctl_el2", w_cnthp_ctl_el2, TRAP, 0 },
	{ "msr cnthp_cval_el2", w_cnthp_cval_el2, TRAP, 0 },
	{ "mrs ich_hcr_el2", r_ich_hcr_el2, TRAP, 0 },
	{ "mrs icc_sre_el2", r_icc_sre_el2, TRAP, 0 },
	{ "msr vpidr_el2", w_vpidr_el2, TRAP, 0 },
	{ "msr hstr_el2", w_hstr_el2, TRAP, 0 },
	{ "msr sp_el1", w_sp_el1, TRAP, 0 },
	{ "mrs scr_el3", r_scr_el3, TRAP, 0 },
	{ "msr scr_el3 (kernel vectors)", w_scr_el3, TRAP, DEFVBAR },
	{ "mrs vbar_el3", r_vbar_el3, TRAP, 0 },
	{ "mrs sctlr_el3", r_sctlr_el3, TRAP, 0 },
	{ "mrs mdcr_el3", r_mdcr_el3, TRAP, 0 },
	{ "mrs cptr_el3", r_cptr_el3, TRAP, 0 },
	{ "mrs cntp_ctl_el0", r_cntp_ctl, TRAP, 0 },
	{ "msr cntp_ctl_el0", w_cntp_ctl, TRAP, 0 },
	{ "msr cntp_cval_el0", w_cntp_cval, TRAP, 0 },
	{ "msr cntp_tval_el0", w_cntp_tval, TRAP, 0 },
	{ "mrs cntp_tval_el0", r_cntp_tval, TRAP, 0 },
	{ "mrs cntpct_el0", r_cntpct, HARMLESS, 0 },
	{ "msr cntfrq_el0", w_cntfrq, TRAP, 0 },
	{ "its virtual timer, due and unmasked", cntv_fire, HARMLESS, 0 },
	{ "mrs actlr_el1", r_actlr, TRAP, 0 },
	{ "msr actlr_el1", w_actlr, TRAP, 0 },
	{ "mrs s3_1_c15_c2_1 (IMPDEF)", r_impdef, HARMLESS, 0 },
	{ "msr s3_1_c15_c2_1 (IMPDEF)", w_impdef, HARMLESS, 0 },
	{ "mrs mpidr, midr, id_aa64mmfr0", r_mpidr, HARMLESS, 0 },
	{ "mrs pmcr_el0", r_pmcr, TRAP, 0 },
	{ "msr pmcr_el0", w_pmcr, TRAP, 0 },
	{ "mrs pmccntr_el0", r_pmccntr, TRAP, 0 },
	{ "msr pmcntenset_el0", w_pmcntenset, TRAP, 0 },
	{ "msr pmuserenr_el0", w_pmuserenr, TRAP, 0 },
	{ "mrs pmevcntr0_el0", r_pmevcntr0, TRAP, 0 },
	{ "mrs mdscr_el1", r_mdscr, TRAP, 0 },
	{ "msr mdscr_el1 (KDE, MDE)", w_mdscr, TRAP, 0 },
	{ "msr dbgbvr0_el1", w_dbgbvr0, TRAP, 0 },
	{ "msr dbgbcr0_el1", w_dbgbcr0, TRAP, 0 },
	{ "msr dbgwvr0_el1", w_dbgwvr0, TRAP, 0 },
	{ "msr oslar_el1", w_oslar, TRAP, 0 },
	{ "mrs oslsr_el1", r_oslsr, TRAP, 0 },
	{ "mrs mdrar_el1", r_mdrar, TRAP, 0 },
	{ "mrs dbgclaimset_el1", r_dbgclaim, TRAP, 0 },
	{ "mrs dbgauthstatus_el1", r_dbgauth, TRAP, 0 },
	{ "mrs mdccsr_el0", r_mdccsr, TRAP, 0 },
	{ "msr icc_sgi1r_el1 (all other CPUs)", w_sgi1r, TRAP, 0 },
	{ "msr icc_sgi0r_el1", w_sgi0r, TRAP, 0 },
	{ "msr icc_asgi1r_el1", w_asgi1r, TRAP, 0 },
	{ "mrs icc_iar1_el1", r_iar1, NO_IRQ, 0 },
	{ "msr icc_eoir1_el1, icc_dir_el1 (26)", w_eoir1, HARMLESS, 0 },
	{ "msr icc_pmr_el1 (0)", w_pmr, HARMLESS, 0 },
	{ "msr icc_igrpen1_el1 (0)", w_igrpen1, HARMLESS, 0 },
	{ "msr icc_sre_el1 (0)", w_icc_sre, HARMLESS, 0 },
	{ "mrs icc_hppir1_el1", r_hppir1, NO_IRQ, 0 },
	{ "tlbi alle1is", tlbi_alle1is, TRAP, 0 },
	{ "tlbi alle2", tlbi_alle2, TRAP, 0 },
	{ "tlbi vmalls12e1is", tlbi_vmalls12, TRAP, 0 },
	{ "tlbi ipas2e1is", tlbi_ipas2, TRAP, 0 },
	{ "at s12e1r", at_s12e1r, TRAP, 0 },
	{ "at s1e2r", at_s1e2r, TRAP, 0 },
	{ "tlbi vmalle1is, vae1is, aside1is x100", tlbi_el1, HARMLESS, 0 },
	{ "ic ialluis, iallu, ivau x100", ic_all, HARMLESS, 0 },
	{ "dc cisw, isw, csw over every set", dc_setway, HARMLESS, 0 },
	{ "dc ivac, civac, cvac, cvau on its memory", dc_va_own, HARMLESS, 0 },
	{ "dc zva over a page of its memory", dc_zva_own, HARMLESS, 0 },
	{ "dc ivac of an unmapped IPA", dc_ivac_unmapped, HARMLESS, 0 },
	{ "dc zva of an unmapped IPA", dc_zva_unmapped, TRAP, 0 },
	{ "at s1e1r, s1e0r", at_s1e1r, HARMLESS, 0 },
	{ "wfi x20", wfi20, HARMLESS, 0 },
	{ "sev, wfe, sevl, wfe x500", wfe, HARMLESS, 0 },
	{ "misaligned ldr, str, ldp", misaligned, HARMLESS, 0 },
	{ "misaligned ldr, SCTLR_EL1.A set", misaligned_checked, HARMLESS, ALIGN },
	{ "misaligned ldxr", ldxr_misaligned, HARMLESS, 0 },
	{ "misaligned ldar", ldar_misaligned, HARMLESS, 0 },
	{ "ldr across the end of its region", cross_region_end, TRAP, 0 },
	{ "ldp across the end of its region", cross_region_pair, TRAP, 0 },
	{ "str across the end of its region", cross_region_store, TRAP, 0 },
	{ "ldp across the end of its edge window", cross_window_end, TRAP, 0 },
	{ "ldr across 4 GiB", cross_4g, TRAP, 0 },
	{ "SP unmapped, push (kernel vectors)", sp_unmapped_push, TRAP, DEFVBAR },
	{ "SP unmapped, hvc, brk (kernel vectors)", sp_unmapped_hvc_brk, TRAP, DEFVBAR },
	{ "SP unmapped, udf", sp_unmapped_undef, TRAP, 0 },
	/* An SP alignment fault at EL1 on hardware; QEMU does not check SP alignment (the load
	 * runs), which is harmless: it is its own memory. */
	{ "SP misaligned, SCTLR_EL1.SA set", sp_misaligned, HARMLESS, SPALIGN },
	{ "SP misaligned (kernel vectors)", sp_misaligned, HARMLESS, SPALIGN | DEFVBAR },
	{ "SP at the top of the VA space (kernel vectors)", sp_top, TRAP, DEFVBAR },
	{ "SP 0, push (kernel vectors)", sp_zero, TRAP, DEFVBAR },
	{ "SP_EL0 selected, 0, udf", spsel0, TRAP, 0 },
	{ "eret to EL2h", eret_el2, AT_EL1, 0 },
	{ "eret to EL3h", eret_el3, AT_EL1, 0 },
	{ "eret to EL2t", eret_el2t, AT_EL1, 0 },
	{ "eret to EL1h, unmasked", eret_el1_unmasked, AT_EL1, 0 },
	{ "eret to EL0, svc", eret_el0_svc, HARMLESS, 0 },
	{ "eret to EL0, hvc", eret_el0_hvc, HARMLESS, 0 },
	{ "eret to EL0, smc", eret_el0_smc, HARMLESS, 0 },
	{ "eret to EL0, mrs sctlr_el1", eret_el0_sysreg, HARMLESS, 0 },
	{ "eret to EL0, msr daifclr", eret_el0_daif, HARMLESS, 0 },
	{ "eret to EL0, wfi", eret_el0_wfi, HARMLESS, 0 },
	{ "eret to EL0, unmapped load", eret_el0_unmapped, HARMLESS, 0 },
	{ "eret to AArch32 EL0, svc", eret_aarch32, HARMLESS, 0 },
	{ "eret to AArch32 EL0, mcr SCTLR", eret_aarch32_mcr, HARMLESS, 0 },
	{ "eret to a misaligned PC", eret_misaligned, HARMLESS, 0 },
	{ "eret to an unmapped PC", eret_unmapped, TRAP, 0 },
	{ "mrs currentel", currentel, AT_EL1, 0 },
	{ "stage 1 on: VA to the kernel's IPA", s1_alias_kernel, TRAP, MMU },
	{ "stage 1 on: a table at an unmapped IPA", s1_walk_unmapped, TRAP, MMU },
	{ "stage 1 on: its own memory, aliased", s1_alias_own, HARMLESS, MMU },
	{ "stage 1 on: TTBR0 at an unmapped IPA", s1_table_unmapped, TRAP, MMU },
};

#define NATTACKS (sizeof(attacks) / sizeof(attacks[0]))
_Static_assert(NATTACKS <= 192, "outcome[] holds them");

enum { NONE, RAN, EL1, CONTAINED };
static const char *const outcome_name[] = { "?", "ran", "EL1", "contained" };

/* Its own stage-1 tables: VA 0..1 GiB -> IPA 0.., 1..2 GiB -> IPA 1 GiB.., 2..3 GiB -> IPA 0..,
 * 3..4 GiB -> a level-2 table at an IPA stage 2 does not map. 1 GiB blocks, Normal memory. */
static void build_tables(void)
{
	volatile uint64_t *l1 = (volatile uint64_t *)TABLES;
	const uint64_t block = 0x701; /* AF, inner shareable, EL1 read/write, AttrIndx 0 */

	l1[0] = 0x00000000ull | block;
	l1[1] = 0x40000000ull | block;
	l1[2] = 0x00000000ull | block;
	l1[3] = UNMAPPED | 3;
	__asm__ volatile("dsb sy" ::: "memory");
}

static void set_el1(uint64_t flags)
{
	uint64_t sctlr = P->sctlr;

	if (flags & DEFVBAR)
		__asm__ volatile("msr vbar_el1, %0" ::"r"(0xfffff000ul));
	if (flags & ALIGN)
		sctlr |= 1ull << 1;
	if (flags & SPALIGN)
		sctlr |= 1ull << 3;
	if (flags & MMU) {
		uint64_t tcr = 32 | 1ull << 8 | 1ull << 10 | 3ull << 12 | 1ull << 23;
		__asm__ volatile("msr mair_el1, %0\n\tmsr tcr_el1, %1\n\tmsr ttbr0_el1, %2\n\t"
				 "isb\n\ttlbi vmalle1\n\tdsb nsh\n\tisb" ::"r"(0xffull),
				 "r"(tcr), "r"(TABLES)
				 : "memory");
		sctlr |= 1;
	}
	__asm__ volatile("msr sctlr_el1, %0\n\tisb" ::"r"(sctlr) : "memory");
}

static void reset_el1(void)
{
	__asm__ volatile("msr sctlr_el1, %0\n\tisb\n\tmsr vbar_el1, %1\n\tmsr ttbr0_el1, xzr\n\t"
			 "msr cntv_ctl_el0, xzr\n\tmsr spsel, #1\n\tisb" ::"r"(P->sctlr),
			 "r"(P->vbar)
			 : "memory");
}

static int escaped(const struct attack *a, unsigned out, uint64_t value)
{
	if (value == MARK)
		return 1;
	if (out != RAN)
		return 0;
	switch (a->cls) {
	case TRAP:
		return 1;
	case AT_EL1:
		return value != 1 << 2;
	case NO_IRQ:
		return value < 1020;
	case REFUSED:
		return value != E_INVALID;
	}
	return 0;
}

static void record(uint64_t i, unsigned out)
{
	const struct attack *a = &attacks[i % NATTACKS];

	P->outcome[i % NATTACKS] = (uint8_t)out;
	P->esr_of[i % NATTACKS] = out == EL1 ? (uint32_t)P->esr : 0;
	if (out == CONTAINED)
		P->contained++;
	else if (out == EL1)
		P->el1++;
	else
		P->ran++;
	if (escaped(a, out, P->value)) {
		if (P->escapes < 8)
			P->escaped[P->escapes] = i % NATTACKS;
		P->escapes++;
	}
}

int main(void)
{
	uint64_t sctlr;

	mail_begin("insn");
	P->magic = MAGIC;
	P->next = P->inflight = 0;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	P->sctlr = sctlr;
	P->vbar = (uint64_t)(uintptr_t)hs_vectors;
	reset_el1();
	build_tables();
	print("insn: ", NATTACKS, " attacks");
	print(", ", PASSES, " passes\n");
	if (hvc(HV_CHECKPOINT, SLOT_SELF, 0, 0).x0 != E_OK) {
		put("insn: checkpoint refused\n");
		return 1;
	}
	if (P->magic != MAGIC)
		return 1;
	if (P->inflight) { /* the kernel contained it and restored us */
		record(P->inflight - 1, CONTAINED);
		P->inflight = 0;
	}
	while (P->next < PASSES * NATTACKS) {
		uint64_t i = P->next;
		if (i % NATTACKS == 0 && P->rounds <= i / NATTACKS) {
			P->rounds = i / NATTACKS + 1;
			if (!kernel_alive())
				P->crashes++;
			mail_round(P->rounds);
		}
		const struct attack *a = &attacks[i % NATTACKS];
		P->next = i + 1;
		P->value = 0;
		uint64_t hits = P->hits;
		P->inflight = i + 1;
		set_el1(a->flags);
		a->fn();
		reset_el1();
		P->inflight = 0;
		record(i, P->hits != hits ? EL1 : RAN);
	}
	for (unsigned k = 0; k < NATTACKS; k++) {
		put("insn: ");
		put(attacks[k].name);
		put(": ");
		put(outcome_name[P->outcome[k]]);
		if (P->outcome[k] == EL1)
			print(" EC ", P->esr_of[k] >> 26, "");
		put("\n");
	}
	uint64_t total = P->contained + P->el1 + P->ran;
	print("insn: ", total, " attacks");
	print(", ", P->contained, " contained by the kernel");
	print(", ", P->el1, " taken at EL1");
	print(", ", P->ran, " ran");
	print(", ", P->escapes, " escapes\n");
	for (uint64_t k = 0; k < P->escapes && k < 8; k++) {
		put("insn: ESCAPE: ");
		put(attacks[P->escaped[k]].name);
		put("\n");
	}
	mail_final(P->rounds + 1, total, P->escapes, P->crashes);
	return 0;
}
