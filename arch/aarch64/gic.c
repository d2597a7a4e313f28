/* Minimal GICv3 bring-up for one CPU, following IHI 0069 chapter 12 (programmers' model). */
#include "gic.h"

#include "sysreg.h"

#define GICD_CTLR	    0x0000
#define GICD_CTLR_RWP	    (1u << 31)
#define GICD_CTLR_ENABLE_G1 (1u << 1) /* EnableGrp1 with a single security state (DS = 1) */
#define GICD_CTLR_ARE	    (1u << 4)

#define GICR_FRAME_SIZE		   0x20000 /* RD_base + SGI_base, 64 KiB each */
#define GICR_TYPER		   0x0008
#define GICR_TYPER_LAST		   (1ull << 4)
#define GICR_WAKER		   0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_BASE		   0x10000
#define GICR_IGROUPR0		   0x0080
#define GICR_ISENABLER0		   0x0100
#define GICR_IPRIORITYR		   0x0400

#define ICC_SRE_SRE    (1ull << 0)
#define ICC_SRE_DFB    (1ull << 1)
#define ICC_SRE_DIB    (1ull << 2)
#define ICC_SRE_ENABLE (1ull << 3)

#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)

#define POLL_LIMIT 1000000u

static u64 sgi_base;

static u64 mmio_read64(u64 addr)
{
	return *(volatile u64 *)addr;
}

/* Affinity of an MPIDR in the layout GICR_TYPER uses: Aff3.Aff2.Aff1.Aff0. */
static u32 affinity_of(u64 mpidr)
{
	return (u32)((mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24);
}

const char *gic_init(u64 gicd, u64 gicr, u64 gicr_size, u64 mpidr)
{
	u64 rd = 0;
	u32 n;

	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	for (n = 0; n < POLL_LIMIT && (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP); n++)
		;
	if (n == POLL_LIMIT)
		return "GICD_CTLR.RWP never cleared";

	for (u64 frame = gicr; frame + GICR_FRAME_SIZE <= gicr + gicr_size;
	     frame += GICR_FRAME_SIZE) {
		u64 typer = mmio_read64(frame + GICR_TYPER);
		if ((u32)(typer >> 32) == affinity_of(mpidr)) {
			rd = frame;
			break;
		}
		if (typer & GICR_TYPER_LAST)
			break;
	}
	if (!rd)
		return "no redistributor matches this CPU's affinity";

	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	for (n = 0; n < POLL_LIMIT && (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP);
	     n++)
		;
	if (n == POLL_LIMIT)
		return "GICR_WAKER.ChildrenAsleep never cleared";
	sgi_base = rd + GICR_SGI_BASE;

	/* Physical IRQs and FIQs are taken to EL2 only with HCR_EL2.IMO/FMO set. */
	write_sysreg(hcr_el2, read_sysreg(hcr_el2) | HCR_IMO | HCR_FMO);
	write_sysreg(icc_sre_el2, read_sysreg(icc_sre_el2) | ICC_SRE_SRE | ICC_SRE_DFB |
					  ICC_SRE_DIB | ICC_SRE_ENABLE);
	isb();
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
	return NULL;
}

void gic_enable_ppi(u32 intid)
{
	mmio_write32(sgi_base + GICR_IGROUPR0, mmio_read32(sgi_base + GICR_IGROUPR0) | 1u << intid);
	mmio_write8(sgi_base + GICR_IPRIORITYR + intid, 0x80);
	mmio_write32(sgi_base + GICR_ISENABLER0, 1u << intid);
	dsb_sy();
}

void gic_send_sgi(u32 intid, u64 mpidr)
{
	/* ICC_SGI1R_EL1 (IHI 0069, 12.2.23): Aff3 [55:48], RS [47:44] (which 16 of Aff0), Aff2
	 * [39:32], INTID [27:24], Aff1 [23:16], TargetList [15:0] (bit Aff0 % 16). */
	u64 aff0 = mpidr & 0xff, aff1 = (mpidr >> 8) & 0xff, aff2 = (mpidr >> 16) & 0xff,
	    aff3 = (mpidr >> 32) & 0xff;
	u64 v = aff3 << 48 | (aff0 / 16) << 44 | aff2 << 32 | (u64)(intid & 0xf) << 24 |
		aff1 << 16 | 1ull << (aff0 % 16);

	dsb_sy(); /* what the woken CPU will read (its run queue) is written first */
	write_sysreg(icc_sgi1r_el1, v);
	isb();
}

u32 gic_ack(void)
{
	u32 intid = (u32)read_sysreg(icc_iar1_el1) & 0xffffff;

	dsb_sy();
	return intid;
}

void gic_eoi(u32 intid)
{
	write_sysreg(icc_eoir1_el1, intid);
	isb();
}
