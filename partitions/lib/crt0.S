/* Partition entry at EL1, stage-1 MMU off: stack, BSS, main, then HV_EXIT (main's result is not passed on). */
	.section .text.start, "ax"
	.global _start
_start:
	ldr	x1, =__stack_top
	mov	sp, x1
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	bl	main
	mov	x0, #0x02		/* HV_EXIT: the ABI wants every unused register zero */
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	mov	x4, xzr
	mov	x5, xzr
	hvc	#0
3:	b	3b
