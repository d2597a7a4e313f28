/* System register and barrier helpers for the EL2 backend. */
#ifndef RUVIX_AARCH64_SYSREG_H
#define RUVIX_AARCH64_SYSREG_H

#include <ruvix/types.h>

#define read_sysreg(reg)                                                                           \
	({                                                                                         \
		u64 _v;                                                                            \
		__asm__ volatile("mrs %0, " #reg : "=r"(_v));                                      \
		_v;                                                                                \
	})

#define write_sysreg(reg, v) __asm__ volatile("msr " #reg ", %0" ::"r"((u64)(v)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

static inline void mmio_write32(u64 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

static inline u32 mmio_read32(u64 addr)
{
	return *(volatile u32 *)addr;
}

static inline void mmio_write8(u64 addr, u8 v)
{
	*(volatile u8 *)addr = v;
}

#endif /* RUVIX_AARCH64_SYSREG_H */
