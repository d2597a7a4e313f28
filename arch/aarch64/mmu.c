/*
 * EL2 stage-1 identity map with 4 KiB granule, 32-bit input addresses (T0SZ = 32), so the
 * walk starts at level 1 and four 1 GiB block entries cover the whole space. Field layouts:
 * Arm ARM (DDI 0487) D8 "The AArch64 Virtual Memory System Architecture", TCR_EL2 and
 * SCTLR_EL2 in the non-VHE (E2H = 0) form.
 */
#include "mmu.h"

#include "sysreg.h"

#define DESC_BLOCK	0x1ull
#define DESC_ATTRIDX(n) ((u64)(n) << 2)
#define DESC_SH_INNER	(3ull << 8)
#define DESC_AF		(1ull << 10)
#define DESC_XN		(1ull << 54)

#define MAIR_DEVICE_NGNRNE 0x00ull /* attribute index 0 */
#define MAIR_NORMAL_WB	   0xffull /* attribute index 1: inner/outer write-back, allocate */

#define TCR_T0SZ(n)    ((u64)(n))
#define TCR_IRGN0_WBWA (1ull << 8)
#define TCR_ORGN0_WBWA (1ull << 10)
#define TCR_SH0_INNER  (3ull << 12)
#define TCR_TG0_4K     (0ull << 14)
#define TCR_PS_4G      (0ull << 16)
#define TCR_RES1       ((1ull << 31) | (1ull << 23))

#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)
#define SCTLR_I (1ull << 12)

static u64 level1[512] __attribute__((aligned(4096)));

void mmu_enable(void)
{
	level1[0] = 0x00000000ull | DESC_BLOCK | DESC_ATTRIDX(0) | DESC_AF | DESC_XN;
	level1[1] = 0x40000000ull | DESC_BLOCK | DESC_ATTRIDX(1) | DESC_AF | DESC_SH_INNER;
	level1[2] = 0;
	level1[3] = 0;
	dsb_sy();
	mmu_enable_cpu();
}

void mmu_enable_cpu(void)
{
	write_sysreg(mair_el2, MAIR_DEVICE_NGNRNE | MAIR_NORMAL_WB << 8);
	write_sysreg(tcr_el2, TCR_RES1 | TCR_T0SZ(32) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA |
				      TCR_SH0_INNER | TCR_TG0_4K | TCR_PS_4G);
	write_sysreg(ttbr0_el2, (u64)(uintptr_t)level1);
	isb();
	__asm__ volatile("tlbi alle2\n\tdsb ish" ::: "memory");
	isb();
	write_sysreg(sctlr_el2, read_sysreg(sctlr_el2) | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
}
