/*
 * The proof gate (DESIGN.md DC-3). Every mutation of kernel state is split like seL4's
 * decode/invoke: a check step with no side effects computes a verdict (P1 capability check,
 * P2 policy check where policy applies); the gate turns a passing verdict into the operation's
 * witness record and a single-use token; the mutation step consumes the token and cannot fail.
 *
 * struct proof_token is opaque: only proof.c can construct one, and proof_consume panics unless
 * the token is live and was minted for exactly the operation being performed. A failing verdict
 * is witnessed as WK_REFUSED and yields no token, so nothing can change.
 */
#ifndef RUVIX_PROOF_H
#define RUVIX_PROOF_H

#include <ruvix/kernel.h>
#include <ruvix/witness.h>

struct proof_token;

/** One operation, exactly as its witness record will state it. */
struct proof_op {
	u16 kind; /* enum witness_kind */
	u8 tier;  /* enum witness_tier that authorised it */
	actor_t actor;
	u64 target;
	u64 arg0;
	u64 arg1;
	/* An operation whose checks or effect read the clock samples it once and sets these, so
	 * its record carries the very time it acted on (and a replay acts on the same time). */
	bool timed;
	u64 time_ns;
};

/**
 * The gate. With @verdict == KERR_OK: emit @op's witness and return a token bound to @op.
 * Otherwise, or when the witness cannot be exported: emit WK_REFUSED (when possible), store the
 * reason in *@err and return NULL.
 */
const struct proof_token *proof_gate(const struct proof_op *op, enum kerr verdict, enum kerr *err);

/** Spend @tok on @op. Panics unless @tok is live and was minted for exactly @op. */
void proof_consume(const struct proof_token *tok, const struct proof_op *op);

/** Deep (P3) checks that run deferred, off the hot path. */
enum p3_check {
	P3_CAP_TREE = 1,      /* derivation-tree invariants of the partition's capabilities */
	P3_WITNESS_CHAIN = 2, /* the recent witness records still chain to the head (subject:
			       * HANDLE_NONE; a failure stops the machine) */
};

/**
 * Queue a P3 check about partition @subject (a handle); dropped if the queue is full. A failed
 * capability-tree check contains the partition (kernel_contain, tier 3).
 */
void proof_defer(enum p3_check check, handle_t subject);

/** Run up to @max queued P3 checks; failures are contained (kernel_contain). */
u32 proof_run_deferred(u32 max);

/** Forget queued checks and outstanding tokens (at boot). */
void proof_reset(void);

/** Number of P3 checks waiting. */
u32 proof_pending(void);

#endif /* RUVIX_PROOF_H */
