/*
 * The hypercall decoder: the only place that turns raw registers into kernel operations. It
 * checks that each argument fits its field and that unused registers are zero, then calls the
 * operation, whose own checks and witness follow.
 */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/checkpoint.h>
#include <ruvix/edge.h>
#include <ruvix/hal.h>
#include <ruvix/hypercall.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/proof.h>
#include <ruvix/quota.h>
#include <ruvix/region.h>

/* For each call: how many argument registers it takes and the largest value of each. */
struct hv_shape {
	u8 nargs;
	u64 max[5];
};

#define U16 0xffffull
#define U8  0xffull
#define U24 0xffffffull
#define U32 0xffffffffull
#define U64 (~0ull)

static bool shape_of(u64 nr, struct hv_shape *s)
{
	switch (nr) {
	case HV_VERSION:
	case HV_YIELD:
	case HV_EXIT:
		*s = (struct hv_shape){ 0, { 0 } };
		return true;
	case HV_CHECKPOINT:
	case HV_CAP_REVOKE:
	case HV_CAP_DELETE:
	case HV_CAP_INFO:
	case HV_EDGE_RECV:
	case HV_LEASE_REVOKE:
		*s = (struct hv_shape){ 1, { U16 } };
		return true;
	case HV_CAP_DERIVE:
		*s = (struct hv_shape){ 3, { U16, U16, U8 } };
		return true;
	case HV_CAP_GRANT:
		*s = (struct hv_shape){ 4, { U16, U16, U16, U8 } };
		return true;
	case HV_EDGE_SEND:
		*s = (struct hv_shape){ 3, { U16, U32, U32 } };
		return true;
	case HV_REGION_TIER:
		*s = (struct hv_shape){ 2, { U16, U8 } };
		return true;
	case HV_LEASE_GRANT:
		*s = (struct hv_shape){ 3, { U16, U16, U64 } };
		return true;
	case HV_PARTITION_CTL:
		*s = (struct hv_shape){ 3, { U16, U8, U24 } };
		return true;
	case HV_CONSOLE_WRITE:
		*s = (struct hv_shape){ 2, { U64, 256 } };
		return true;
	}
	return false;
}

const char *hv_call_name(u64 nr)
{
	switch (nr) {
	case HV_VERSION:
		return "version";
	case HV_YIELD:
		return "yield";
	case HV_EXIT:
		return "exit";
	case HV_CHECKPOINT:
		return "checkpoint";
	case HV_CAP_DERIVE:
		return "cap_derive";
	case HV_CAP_GRANT:
		return "cap_grant";
	case HV_CAP_REVOKE:
		return "cap_revoke";
	case HV_CAP_DELETE:
		return "cap_delete";
	case HV_CAP_INFO:
		return "cap_info";
	case HV_EDGE_SEND:
		return "edge_send";
	case HV_EDGE_RECV:
		return "edge_recv";
	case HV_REGION_TIER:
		return "region_tier";
	case HV_LEASE_GRANT:
		return "lease_grant";
	case HV_LEASE_REVOKE:
		return "lease_revoke";
	case HV_PARTITION_CTL:
		return "partition_ctl";
	case HV_CONSOLE_WRITE:
		return "console_write";
	}
	return NULL;
}

/* Refuse a call the decoder cannot accept: one witness, no change. */
static enum kerr reject(actor_t actor, const struct hv_regs *r, enum kerr why)
{
	struct proof_op op = { .kind = WK_HYPERCALL,
			       .tier = TIER_P1,
			       .actor = actor,
			       .target = 0,
			       .arg0 = r->x[0],
			       .arg1 = r->x[1] };
	enum kerr err;

	CHECK(why != KERR_OK);
	proof_gate(&op, why, &err);
	return err;
}

/* Decode and carry out one call; returns what x0 gets (results in x1.. are set here). */
static enum kerr dispatch(actor_t actor, struct hv_regs *r)
{
	const u64 *a = &r->x[1];
	struct hv_shape s;
	enum kerr e;

	if (!partition_index_valid(actor) || !shape_of(r->x[0], &s))
		return reject(actor, r, KERR_INVALID);
	for (unsigned i = 0; i < 5; i++)
		if ((i < s.nargs && a[i] > s.max[i]) || (i >= s.nargs && a[i] != 0))
			return reject(actor, r, KERR_INVALID);
	switch (r->x[0]) {
	case HV_VERSION:
		r->x[1] = HV_ABI_VERSION;
		e = KERR_OK;
		break;
	case HV_YIELD:
		e = KERR_OK; /* the backend's scheduler acts on the return */
		break;
	case HV_EXIT:
		e = partition_ctl(actor, SLOT_SELF, PART_TERMINATE, 0);
		break;
	case HV_CHECKPOINT:
		/* x1 = 0: taken now. A backend that later restores it resumes the partition here
		 * with x1 = 1, so the program can tell the two returns apart. */
		e = checkpoint_take(actor, (u32)a[0]);
		if (e == KERR_OK)
			r->x[1] = 0;
		break;
	case HV_CAP_DERIVE:
		e = cap_derive(actor, (u32)a[0], (u32)a[1], (u8)a[2]);
		break;
	case HV_CAP_GRANT:
		e = cap_grant(actor, (u32)a[0], (u32)a[1], (u32)a[2], (u8)a[3]);
		break;
	case HV_CAP_REVOKE:
		e = cap_revoke(actor, (u32)a[0]);
		break;
	case HV_CAP_DELETE:
		e = cap_delete(actor, (u32)a[0]);
		break;
	case HV_CAP_INFO: {
		struct cap_info info;
		e = cap_info(actor, (u32)a[0], &info);
		if (e != KERR_OK) {
			e = reject(actor, r, e);
			break;
		}
		r->x[1] = info.type;
		r->x[2] = info.rights;
		break;
	}
	case HV_EDGE_SEND:
		e = edge_send(actor, (u32)a[0], (u32)a[1], (u32)a[2]);
		break;
	case HV_EDGE_RECV: {
		u32 off = 0, len = 0;
		e = edge_recv(actor, (u32)a[0], &off, &len);
		if (e == KERR_OK) {
			r->x[1] = off;
			r->x[2] = len;
		}
		break;
	}
	case HV_REGION_TIER:
		e = region_set_tier(actor, (u32)a[0], (u8)a[1]);
		break;
	case HV_LEASE_GRANT:
		e = lease_grant(actor, (u32)a[0], (u32)a[1], a[2]);
		break;
	case HV_LEASE_REVOKE:
		e = lease_revoke(actor, (u32)a[0]);
		break;
	case HV_PARTITION_CTL:
		e = partition_ctl(actor, (u32)a[0], (u8)a[1], (u32)a[2]);
		break;
	case HV_CONSOLE_WRITE:
		/* Console text changes no kernel object: only a refusal is witnessed. Over its
		 * console quota the text is refused (and counted) before it is even read. */
		if (!quota_admit(actor, QUOTA_CONSOLE, a[1], hal_now_ns()))
			e = reject(actor, r, KERR_QUOTA);
		else if (!hal_partition_console(actor, a[0], (usize)a[1]))
			e = reject(actor, r, KERR_INVALID);
		else
			e = KERR_OK;
		break;
	default:
		e = reject(actor, r, KERR_INVALID); /* unreachable: shape_of knows every call */
		break;
	}
	return e;
}

void hv_dispatch(actor_t actor, struct hv_regs *r)
{
	r->x[0] = dispatch(actor, r);
	/* Over its refusal quota with on-quota "stop": the call it made was its last, whichever
	 * way it was refused (the fuzzer found a decoder refusal that skipped this). */
	if (quota_stop_due(actor))
		kernel_contain(partition_handle(actor), CONTAIN_QUOTA, QUOTA_REFUSALS);
}
