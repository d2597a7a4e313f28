/* Generic timer (Arm ARM D11): CNTPCT_EL0 counter, CNTHP_* EL2 physical timer. */
#include "timer.h"

#include "sysreg.h"

#define CNTHP_CTL_ENABLE (1ull << 0)
#define CNTHP_CTL_IMASK	 (1ull << 1)

static u64 freq;

void timer_init(void)
{
	freq = read_sysreg(cntfrq_el0);
}

u64 timer_frequency(void)
{
	return freq;
}

u64 timer_now_ns(void)
{
	isb(); /* keep the counter read in program order */
	u64 ticks = read_sysreg(cntpct_el0);

	/* Split so that ticks * 1e9 cannot overflow for any realistic uptime. */
	return ticks / freq * 1000000000ull + ticks % freq * 1000000000ull / freq;
}

u64 timer_ns_to_ticks(u64 ns)
{
	u64 ticks = ns * freq / 1000000000ull;

	return ticks ? ticks : 1;
}

void timer_arm_in_ticks(u64 ticks)
{
	write_sysreg(cnthp_tval_el2, ticks);
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}

void timer_arm_in_ns(u64 ns)
{
	timer_arm_in_ticks(timer_ns_to_ticks(ns));
}

void timer_disarm(void)
{
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_IMASK);
	isb();
}
