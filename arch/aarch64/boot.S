/*
 * Reset entry at EL2. QEMU jumps here with x0 = physical address of the DTB (we carry the
 * arm64 Image header, Documentation/arm64/booting.rst in Linux, so QEMU treats us as a
 * kernel Image and passes the DTB). Only the boot CPU arrives here; secondaries stay off
 * until PSCI CPU_ON.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	b	reset			/* code0 */
	.long	0			/* code1 */
	.quad	0x200000		/* text_offset: load at RAM base + 2 MiB */
	.quad	__image_end - _start	/* image_size, must be non-zero */
	.quad	0xa			/* flags: little-endian, 4K pages, anywhere in RAM */
	.quad	0, 0, 0			/* reserved */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* reserved (PE header offset) */

reset:
	mov	x19, x0			/* keep the DTB address */

	/* Refuse to run anywhere but EL2: the kernel is a hypervisor. */
	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	cmp	x1, #2
	b.ne	wrong_el

	/* Exceptions go to our vectors before anything else can fault. */
	adr	x1, el2_vectors
	msr	vbar_el2, x1

	/* Boot stack: the top of CPU 0's stack. TPIDR_EL2 keeps it for traps from EL1
	 * (vectors.S), which run on it once boot is over. */
	ldr	x1, =__stacks_start + 16384
	mov	sp, x1
	msr	tpidr_el2, x1

	/* Zero BSS (16-byte aligned on both ends by the linker script). */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	/*
	 * Let EL2 use FP/SIMD (CPTR_EL2.TFP = 0): the Debian arm64 builds of libsodium and libfdt
	 * use SIMD registers. RES1 bits of the non-VHE layout: 13:12 and 9:0.
	 */
	mov	x1, #0x33ff
	msr	cptr_el2, x1
	isb

	mov	x0, x19
	bl	boot_main
	/* boot_main never returns; stop here if it did. */
3:	wfe
	b	3b

/*
 * Secondary CPUs start here at EL2 through PSCI CPU_ON, with x0 = the context id the boot
 * CPU passed: the CPU's index. Each gets its own stack, the same vectors and FP access.
 */
	.global	secondary_entry
secondary_entry:
	mov	x19, x0
	adr	x1, el2_vectors
	msr	vbar_el2, x1
	ldr	x1, =__stacks_start
	add	x2, x19, #1
	lsl	x2, x2, #14		/* (index + 1) * 16 KiB */
	add	sp, x1, x2
	mov	x1, sp
	msr	tpidr_el2, x1		/* this CPU's trap stack, as for CPU 0 */
	mov	x1, #0x33ff
	msr	cptr_el2, x1
	isb
	mov	x0, x19
	bl	secondary_main
5:	wfe
	b	5b

wrong_el:
	/*
	 * No device tree read yet: say so on QEMU virt's PL011 (its data register at
	 * 0x09000000), then ask PSCI for SYSTEM_OFF through HVC, the conduit QEMU gives a machine
	 * without EL2. docs/boot.md documents the line.
	 */
	ldr	x1, =0x09000000
	adr	x2, wrong_el_text
1:	ldrb	w3, [x2], #1
	cbz	w3, 2f
	str	w3, [x1]
	b	1b
2:	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	hvc	#0
4:	wfe
	b	4b

	.section .rodata
wrong_el_text:
	.asciz	"FATAL: RuVix must start at EL2 (boot QEMU with virtualization=on)\r\nEXIT: STATUS=2\r\n"
