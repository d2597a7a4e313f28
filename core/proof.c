/*
 * The proof gate: tokens that only this file can mint, one per checked operation, spent by
 * the mutation it authorised; and the queue of deferred P3 deep checks.
 */
#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/checkpoint.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/proof.h>
#include <ruvix/quota.h>
#include <ruvix/witness.h>

struct proof_token {
	bool live;
	u64 serial; /* distinguishes successive tokens in the same pool slot */
	struct proof_op op;
};

/*
 * Tokens live only between a gate call and the mutation right after it; a mutation may run a
 * nested gated operation, so a few slots are enough. Running out is a kernel bug.
 */
#define TOKEN_POOL 4

static struct proof_token pool[TOKEN_POOL];
static u64 serial;

static bool same_op(const struct proof_op *a, const struct proof_op *b)
{
	return a->kind == b->kind && a->tier == b->tier && a->actor == b->actor &&
	       a->target == b->target && a->arg0 == b->arg0 && a->arg1 == b->arg1 &&
	       a->timed == b->timed && a->time_ns == b->time_ns;
}

static void refuse(const struct proof_op *op, enum kerr why)
{
	u64 now = op->timed ? op->time_ns : hal_now_ns();

	/* Over its quota, a partition's refusal is counted for a WK_QUOTA summary instead. */
	if (!quota_admit(op->actor, QUOTA_REFUSALS, 1, now))
		return;
	/* A refusal changes nothing, so a refusal that cannot be exported is simply lost. */
	witness_emit_at(now, WK_REFUSED, op->tier, op->actor, op->target,
			(u64)op->kind | (u64)why << 16 | (op->arg0 & 0xffffffffu) << 32, op->arg1);
}

const struct proof_token *proof_gate(const struct proof_op *op, enum kerr verdict, enum kerr *err)
{
	CHECK(op->tier <= TIER_P3);
	if (verdict != KERR_OK) {
		refuse(op, verdict);
		*err = verdict;
		return NULL;
	}
	struct proof_token *t = NULL;
	for (unsigned i = 0; i < TOKEN_POOL; i++) {
		if (!pool[i].live) {
			t = &pool[i];
			break;
		}
	}
	CHECK(t != NULL);
	if (witness_emit_at(op->timed ? op->time_ns : hal_now_ns(), op->kind, op->tier, op->actor,
			    op->target, op->arg0, op->arg1) != WITNESS_OK) {
		*err = KERR_WITNESS;
		return NULL;
	}
	t->live = true;
	t->serial = ++serial;
	t->op = *op;
	*err = KERR_OK;
	return t;
}

void proof_consume(const struct proof_token *tok, const struct proof_op *op)
{
	/* Only pointers into the pool can be tokens; anything else is a forgery. */
	CHECK(tok >= &pool[0] && tok < &pool[TOKEN_POOL]);
	struct proof_token *t = &pool[tok - &pool[0]];
	CHECK(t->live);
	CHECK(same_op(&t->op, op));
	t->live = false;
}

/* ---- P3: deferred deep checks ---- */

struct deferred {
	u8 check;
	handle_t subject;
};

static struct deferred queue[RUVIX_P3_QUEUE];
static u32 q_head, q_count;

void proof_defer(enum p3_check check, handle_t subject)
{
	/*
	 * Coalesce: the same check of the same partition slot waiting once is enough, and a check
	 * of a partition gone since becomes one of the slot's new occupant. So each partition has
	 * at most one entry per check, and the queue (one per partition, plus the chain audit)
	 * cannot fill: no partition can crowd out another's checks.
	 */
	for (u32 i = 0; i < q_count; i++) {
		struct deferred *d = &queue[(q_head + i) % RUVIX_P3_QUEUE];
		if (d->check == check && handle_index(d->subject) == handle_index(subject)) {
			d->subject = subject;
			return;
		}
	}
	CHECK(q_count < RUVIX_P3_QUEUE);
	queue[(q_head + q_count) % RUVIX_P3_QUEUE] = (struct deferred){ check, subject };
	q_count++;
}

u32 proof_run_deferred(u32 max)
{
	u32 ran = 0;

	while (ran < max && q_count > 0) {
		struct deferred d = queue[q_head];
		q_head = (q_head + 1) % RUVIX_P3_QUEUE;
		q_count--;
		ran++;
		u64 detail = 0;
		if (d.check == P3_WITNESS_CHAIN) {
			/* The chain is the kernel's own record: if it no longer holds, no partition
			 * can be blamed or trusted to continue. Stop the machine. */
			if (!witness_audit(&detail))
				hal_panic(__FILE__, __LINE__,
					  "P3: the witness chain in memory is damaged");
			continue;
		}
		if (!partition_valid(d.subject))
			continue; /* gone since: nothing left to check */
		if (!cap_audit(handle_index(d.subject), &detail))
			kernel_contain(d.subject, CONTAIN_P3_FAILED | (u32)d.check << 4, detail);
	}
	return ran;
}

u32 proof_pending(void)
{
	return q_count;
}

void proof_reset(void)
{
	memset(pool, 0, sizeof(pool));
	q_head = q_count = 0;
}
