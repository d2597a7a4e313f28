/* P2 policy values and checks. */
#include <ruvix/digest.h>
#include <ruvix/policy.h>
#include <ruvix/proof.h>

static u64 values[POLICY_KEY_MAX + 1];

void policy_reset(void)
{
	values[POLICY_MAX_LEASE_NS] = 1000000000ull;
	values[POLICY_HOT_QUOTA_BYTES] = ~0ull;
	values[POLICY_MAX_CAPS] = RUVIX_CAP_SLOTS;
}

enum kerr policy_set(u32 key, u64 value)
{
	enum kerr v = key >= 1 && key <= POLICY_KEY_MAX ? KERR_OK : KERR_INVALID;
	struct proof_op op = { .kind = WK_POLICY_SET,
			       .tier = TIER_KERNEL,
			       .actor = ACTOR_KERNEL,
			       .arg0 = key,
			       .arg1 = value };
	const struct proof_token *t = proof_gate(&op, v, &v);

	if (!t)
		return v;
	proof_consume(t, &op);
	values[key] = value;
	return KERR_OK;
}

u64 policy_get(u32 key)
{
	return key >= 1 && key <= POLICY_KEY_MAX ? values[key] : 0;
}

enum kerr policy_check_caps(u32 count_after)
{
	return count_after <= values[POLICY_MAX_CAPS] ? KERR_OK : KERR_POLICY;
}

enum kerr policy_check_lease(u64 duration_ns)
{
	return duration_ns <= values[POLICY_MAX_LEASE_NS] ? KERR_OK : KERR_POLICY;
}

enum kerr policy_check_hot(u64 hot_bytes_after)
{
	return hot_bytes_after <= values[POLICY_HOT_QUOTA_BYTES] ? KERR_OK : KERR_POLICY;
}

void policy_digest(u8 acc[16])
{
	struct digest_chunk d = { .len = 0 };

	digest_put(&d, 0x300, 2);
	for (u32 k = 1; k <= POLICY_KEY_MAX; k++)
		digest_put(&d, values[k], 8);
	digest_feed(acc, d.buf, d.len);
}
