/*
 * The default system manifest (manifests/demo.dts, compiled by the build), embedded in the
 * image. ruvix.manifest=ADDR on the command line selects a blob QEMU loaded elsewhere instead.
 */
	.section .rodata
	.balign 8
	.global manifest_default, manifest_default_end
manifest_default:
	.incbin RUVIX_MANIFEST_DTB
manifest_default_end:
