/*
 * EL2 exception vectors. Every entry saves the full general-purpose state plus ELR, SPSR,
 * ESR and FAR into a struct exception_frame (frame.h) on the current stack, then calls
 * exception_dispatch(frame, vector index), which returns the frame to resume: the same one, or
 * another partition's frame when it switches partitions.
 */
#define FRAME_SIZE 288

	.macro	VECTOR index
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\index
	b	exception_entry
	.endm

	.text
	.balign	0x800
	.global	el2_vectors
el2_vectors:
	/* Current EL with SP_EL0 */
	VECTOR	0
	VECTOR	1
	VECTOR	2
	VECTOR	3
	/* Current EL with SP_ELx */
	VECTOR	4
	VECTOR	5
	VECTOR	6
	VECTOR	7
	/* Lower EL, AArch64 */
	VECTOR	8
	VECTOR	9
	VECTOR	10
	VECTOR	11
	/* Lower EL, AArch32 */
	VECTOR	12
	VECTOR	13
	VECTOR	14
	VECTOR	15

exception_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el2
	stp	x30, x2, [sp, #240]
	mrs	x2, spsr_el2
	mrs	x3, esr_el2
	stp	x2, x3, [sp, #256]
	mrs	x2, far_el2
	str	x2, [sp, #272]

	mov	x0, sp
	/*
	 * A trap from EL1 saved its frame in the partition's frame area (vcpu.c); the kernel
	 * code itself runs on this CPU's own stack (TPIDR_EL2). A partition can move to another
	 * CPU while this one still runs kernel code for it: its stack must then be free.
	 */
	cmp	x1, #8
	b.lo	1f
	mrs	x2, tpidr_el2
	mov	sp, x2
1:	bl	exception_dispatch
	/* dispatch returns the frame to resume: this one, or another partition's (a switch) */
	mov	sp, x0
	b	restore_frame

/* exception_return(frame): make @frame the stack's frame, then restore it and eret. */
	.global	exception_return
exception_return:
	mov	sp, x0

restore_frame:
	ldp	x30, x2, [sp, #240]
	msr	elr_el2, x2
	ldr	x2, [sp, #256]
	msr	spsr_el2, x2
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret
