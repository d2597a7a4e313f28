/*
 * semihost: the semihosting escape, tried from EL1. With QEMU's -semihosting-config, HLT #0xF000
 * from EL1 is served like from EL2 (host commands, host files, the kernel's own log handle,
 * QEMU's exit), and EL2 cannot trap it. RuVix boots only without semihosting (the kernel refuses
 * otherwise), so each call is an undefined instruction at EL1; the partition has no vector table
 * of its own (VBAR_EL1 is on a page the kernel never maps), so the exception becomes a stage-2
 * fault that the kernel contains and restores from the checkpoint.
 *
 * The number of calls made so far lives beyond the program image, at IPA 0x80000 in region 0,
 * which a restore does not rewrite: each restore moves on to the next call.
 */
#include "rvp.h"

#define SYS_OPEN	0x01
#define SYS_CLOSE	0x02
#define SYS_WRITE	0x05
#define SYS_FLEN	0x0c
#define SYS_SYSTEM	0x12
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT	0x18

static const char command[] = "touch /tmp/ruvix-semihost-escape-system";
static const char path[] = "/tmp/ruvix-semihost-escape-file";
static char cmdline[256];

static uint64_t semihost(uint64_t op, const void *block)
{
	register uint64_t x0 __asm__("x0") = op;
	register const void *x1 __asm__("x1") = block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

int main(void)
{
	volatile uint64_t *calls = (volatile uint64_t *)0x80000ul;
	struct hv_result r = hvc(HV_CHECKPOINT, SLOT_SELF, 0, 0);

	if (r.x0 != E_OK) {
		print("semihost: checkpoint failed: ", r.x0, "\n");
		return 1;
	}
	if (r.x1 == 0)
		*calls = 0; /* the first run: from the checkpoint on, restores come back here */
	uint64_t n = (*calls)++;
	uint64_t block[3];
	switch (n) {
	case 0:
		put("semihost: SYS_SYSTEM\n");
		block[0] = (uint64_t)(uintptr_t)command;
		block[1] = sizeof(command) - 1;
		semihost(SYS_SYSTEM, block);
		break;
	case 1:
		put("semihost: SYS_OPEN and SYS_WRITE of a host file\n");
		block[0] = (uint64_t)(uintptr_t)path;
		block[1] = 5; /* "wb" */
		block[2] = sizeof(path) - 1;
		block[0] = semihost(SYS_OPEN, block);
		block[1] = (uint64_t)(uintptr_t)path;
		block[2] = 4;
		semihost(SYS_WRITE, block);
		break;
	case 2:
		put("semihost: SYS_FLEN of the kernel's handles\n");
		for (uint64_t h = 1; h < 8; h++) {
			block[0] = h;
			semihost(SYS_FLEN, block);
		}
		break;
	case 3:
		put("semihost: SYS_CLOSE of the kernel's log handle\n");
		block[0] = 1;
		semihost(SYS_CLOSE, block);
		break;
	case 4:
		put("semihost: SYS_GET_CMDLINE\n");
		block[0] = (uint64_t)(uintptr_t)cmdline;
		block[1] = sizeof(cmdline);
		semihost(SYS_GET_CMDLINE, block);
		break;
	case 5:
		put("semihost: SYS_EXIT 0\n");
		block[0] = 0x20026;
		block[1] = 0;
		semihost(SYS_EXIT, block);
		break;
	default:
		print("semihost: ", n, " calls made, every one contained; still running\n");
		return 0;
	}
	put("semihost: the call returned: ESCAPE\n");
	return 1;
}
