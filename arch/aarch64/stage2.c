/*
 * Stage-2 page tables. 32-bit IPA (VTCR_EL2.T0SZ = 32) with the 4 KiB granule starts at level 1
 * (VTCR_EL2.SL0 = 1): four 1 GiB entries, then level 2 (2 MiB) and level 3 (4 KiB pages).
 * Tables come from a fixed pool in a section the boot does not zero; each is cleared when taken.
 */
#include "stage2.h"

#include <ruvix/config.h>
#include <ruvix/klib.h>

#include "sysreg.h"

/* Tables for every partition that runs code: each reserves its edge windows' tables up front
 * (stage2_reserve), about 20 pages for one with a 1 MiB region and 32 capability slots. */
#define POOL_PAGES (24 * RUVIX_MAX_PARTITIONS)
#define ENTRIES	   512

#define DESC_VALID		(1ull << 0)
#define DESC_TABLE		(1ull << 1) /* at levels 1-2: next-level table; at level 3: page */
#define S2_MEMATTR_NORMAL_WB	(0xfull << 2)
#define S2_MEMATTR_DEVICE_NGNRE (0x1ull << 2)
#define S2_AP_RW		(3ull << 6)
#define S2_SH_INNER		(3ull << 8)
#define S2_AF			(1ull << 10)
#define S2_XN			(1ull << 54)
#define ADDR_MASK		0x0000fffffffff000ull

static u64 pool[POOL_PAGES][ENTRIES] __attribute__((aligned(4096), section(".noinit")));
static u32 used;

u64 stage2_vtcr(void)
{
	return (1ull << 31) | /* RES1 */
	       (0ull << 16) | /* PS: 32-bit physical addresses */
	       (0ull << 14) | /* TG0: 4 KiB */
	       (3ull << 12) | /* SH0: inner shareable */
	       (1ull << 10) | /* ORGN0: write-back */
	       (1ull << 8) |  /* IRGN0: write-back */
	       (1ull << 6) |  /* SL0: start at level 1 */
	       32;	      /* T0SZ: 4 GiB of IPA */
}

static u64 *take(void)
{
	if (used == POOL_PAGES)
		return NULL;
	u64 *t = pool[used++];
	memset(t, 0, sizeof(pool[0]));
	return t;
}

u32 stage2_pool_used(void)
{
	return used;
}

u64 stage2_new(void)
{
	u64 *t = take();
	return (u64)(uintptr_t)t;
}

/* The table an entry points to, creating it when @create. */
static u64 *next_level(u64 *entry, bool create)
{
	if (*entry & DESC_VALID)
		return (u64 *)(uintptr_t)(*entry & ADDR_MASK);
	if (!create)
		return NULL;
	u64 *t = take();
	if (t)
		*entry = (u64)(uintptr_t)t | DESC_TABLE | DESC_VALID;
	return t;
}

bool stage2_reserve(u64 l1, u64 ipa, u64 size)
{
	if ((ipa | size) & 0xfff || ipa + size > (1ull << 32) || ipa + size < ipa)
		return false;
	for (u64 a = ipa; a < ipa + size; a = (a | 0x1fffff) + 1) {
		u64 *l2 = next_level(&((u64 *)(uintptr_t)l1)[a >> 30], true);
		if (!l2 || !next_level(&l2[(a >> 21) & 511], true))
			return false;
	}
	dsb_sy();
	return true;
}

bool stage2_map(u64 l1, u64 ipa, u64 pa, u64 size, bool device)
{
	u64 attrs = S2_AF | S2_AP_RW | DESC_TABLE | DESC_VALID |
		    (device ? S2_MEMATTR_DEVICE_NGNRE | S2_XN : S2_MEMATTR_NORMAL_WB | S2_SH_INNER);

	if ((ipa | pa | size) & 0xfff || ipa + size > (1ull << 32) || ipa + size < ipa)
		return false;
	for (u64 off = 0; off < size; off += 4096) {
		u64 a = ipa + off;
		u64 *l2 = next_level(&((u64 *)(uintptr_t)l1)[a >> 30], true);
		u64 *l3 = l2 ? next_level(&l2[(a >> 21) & 511], true) : NULL;
		if (!l3)
			return false;
		l3[(a >> 12) & 511] = ((pa + off) & ADDR_MASK) | attrs;
	}
	dsb_sy();
	return true;
}

void stage2_unmap(u64 l1, u64 ipa, u64 size)
{
	for (u64 off = 0; off < size; off += 4096) {
		u64 a = ipa + off;
		u64 *l2 = next_level(&((u64 *)(uintptr_t)l1)[a >> 30], false);
		u64 *l3 = l2 ? next_level(&l2[(a >> 21) & 511], false) : NULL;
		if (l3)
			l3[(a >> 12) & 511] = 0;
	}
	dsb_sy();
}

void stage2_set_root(u64 dst, u64 src)
{
	u64 *d = (u64 *)(uintptr_t)dst;
	const u64 *sr = (const u64 *)(uintptr_t)src;

	/* T0SZ = 32 with SL0 = 1: the walk uses level-1 entries 0 to 3 only (stage2_vtcr). */
	for (unsigned i = 0; i < 4; i++)
		d[i] = sr ? sr[i] : 0;
	dsb_sy();
}

void stage2_flush(u64 vttbr)
{
	/* TLBI VMALLS12E1IS acts on the VMID in VTTBR_EL2: borrow it for the operation. */
	u64 saved = read_sysreg(vttbr_el2);

	write_sysreg(vttbr_el2, vttbr);
	isb();
	__asm__ volatile("tlbi vmalls12e1is\n\tdsb ish" ::: "memory");
	write_sysreg(vttbr_el2, saved);
	isb();
}

bool stage2_translate(u64 l1, u64 ipa, u64 *pa)
{
	if (ipa >= (1ull << 32))
		return false;
	u64 *l2 = next_level(&((u64 *)(uintptr_t)l1)[ipa >> 30], false);
	u64 *l3 = l2 ? next_level(&l2[(ipa >> 21) & 511], false) : NULL;
	if (!l3 || !(l3[(ipa >> 12) & 511] & DESC_VALID))
		return false;
	*pa = (l3[(ipa >> 12) & 511] & ADDR_MASK) | (ipa & 0xfff);
	return true;
}
