/*
 * The hypercall ABI (docs/hypercalls.md), decoded in one place. A partition calls the kernel
 * with HVC #0: x0 holds the call number, x1..x5 the arguments; the kernel answers in x0 (an
 * enum kerr, 0 for success) and x1..x2 (results). Argument registers a call does not use must
 * be zero. A call the decoder rejects is refused with KERR_INVALID and witnessed
 * (WK_REFUSED of kind WK_HYPERCALL); it changes nothing.
 */
#ifndef RUVIX_HYPERCALL_H
#define RUVIX_HYPERCALL_H

#include <ruvix/kernel.h>

#define HV_ABI_VERSION 1

enum hv_call {
	HV_VERSION = 0x00,	 /* -> x1: HV_ABI_VERSION */
	HV_YIELD = 0x01,	 /* give up the CPU */
	HV_EXIT = 0x02,		 /* terminate the caller */
	HV_CHECKPOINT = 0x03,	 /* x1: partition slot or SLOT_SELF */
	HV_CAP_DERIVE = 0x10,	 /* x1: src, x2: dst, x3: rights */
	HV_CAP_GRANT = 0x11,	 /* x1: src, x2: partition slot, x3: dst, x4: rights */
	HV_CAP_REVOKE = 0x12,	 /* x1: slot */
	HV_CAP_DELETE = 0x13,	 /* x1: slot */
	HV_CAP_INFO = 0x14,	 /* x1: slot -> x1: type, x2: rights */
	HV_EDGE_SEND = 0x20,	 /* x1: slot, x2: offset, x3: length */
	HV_EDGE_RECV = 0x21,	 /* x1: slot -> x1: offset, x2: length */
	HV_REGION_TIER = 0x30,	 /* x1: slot, x2: tier */
	HV_LEASE_GRANT = 0x40,	 /* x1: device slot, x2: partition slot, x3: duration ns */
	HV_LEASE_REVOKE = 0x41,	 /* x1: device slot */
	HV_PARTITION_CTL = 0x50, /* x1: partition slot or SLOT_SELF, x2: op, x3: op argument */
	HV_CONSOLE_WRITE = 0x60, /* x1: address in the caller's memory, x2: length (<= 256) */
};

/** Registers of one hypercall: x[0] call number in, error out; x[1..5] arguments/results. */
struct hv_regs {
	u64 x[6];
};

/** Decode and perform the hypercall in @r made by partition @actor; results go back in @r. */
void hv_dispatch(actor_t actor, struct hv_regs *r);

/** Name of call @nr ("edge_send", ...), or NULL when there is no such call. */
const char *hv_call_name(u64 nr);

#endif
