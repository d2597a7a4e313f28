/*
 * The shipped system manifests (the .dts files in manifests/, compiled by the build), embedded in the image.
 * ruvix.manifest=NAME picks one (default: partitions); ruvix.manifest=ADDR takes a blob QEMU
 * loaded at that address instead.
 */
	.section .rodata
	.balign 8
	.global manifest_demo, manifest_demo_end, manifest_partitions, manifest_partitions_end
	.global manifest_switch, manifest_switch_end
manifest_demo:
	.incbin RUVIX_MANIFEST_DEMO
manifest_demo_end:
	.balign 8
manifest_partitions:
	.incbin RUVIX_MANIFEST_PARTITIONS
manifest_partitions_end:
	.balign 8
manifest_switch:
	.incbin RUVIX_MANIFEST_SWITCH
manifest_switch_end:
