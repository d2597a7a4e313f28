/*
 * The coherence engine's epoch loop (layer 2, docs/coherence.md). It owns the live graph
 * (traffic added as it happens, decayed per unit of time), the current placement of partitions
 * on parts (NUMA nodes or CPUs), each partition's CoherenceScore and CutPressure, and an FM
 * search (fm.h) whose tables it keeps up to date edge by edge, so an epoch costs the changes
 * since the last one, not the size of the graph. Every step of an epoch is inside the DC-2
 * budget; when it runs out, the engine adopts the best improvement found so far that pays for
 * its moves (hysteresis) and the same search goes on next epoch. It never witnesses by itself:
 * the caller (kernel or simulator) gets a report and witnesses a stale epoch, so the engine
 * stays free of the core's object tables.
 */
#ifndef RUVIX_COHERENCE_H
#define RUVIX_COHERENCE_H

#include <ruvix/cohgraph.h>

#include <ruvix/cohfm.h>
#include <ruvix/cohml.h>

enum { PULL_NONE, PULL_HOME, PULL_TARGET };
enum { JOB_IDLE, JOB_RUN, JOB_EVAL, JOB_TARGET };

#define COH_BUDGET_NS_DEFAULT 50000 /* DC-2: 50 us per epoch */
#define COH_PER_MILLE	      1000

struct coh_config {
	u32 parts;		/* NUMA nodes (or CPUs) to place on, 1..COH_MAX_PARTS */
	u32 cap[COH_MAX_PARTS]; /* most partitions each part may hold */
	u32 decay_shift;	/* per decay period w -= ceil(w / 2^decay_shift) (1..63) */
	u64 decay_period_ns;	/* hal_now_ns time of one decay period; 0: one per epoch */
	u64 migration_cost;	/* weight units one move must win back (hysteresis) */
	u64 budget_ns;		/* DC-2 hard budget per epoch, hal_now_ns time; 0: none */
	/* Optional (NULL: none): asked before a placement that pays for its moves is adopted,
	 * with the placement in force, the candidate and the cut it saves (weight units);
	 * false holds it back. The simulator prices the CPU queueing a move adds with it. It
	 * costs the caller's time, O(n) at least: the engine calls it once per adoption. */
	bool (*accept)(void *ctx, const u8 *place, const u8 *candidate, u32 n, u64 gain);
	void *accept_ctx;
};

/* coh_engine_init sets each field by name (it does not clear the graph's tables): add new ones
 * there. */
struct coh_engine {
	struct coh_config cfg;
	struct coh_graph g;
	u8 place[COH_MAX_NODES];     /* the placement in force */
	u8 start[COH_MAX_NODES];     /* the placement the engine started with */
	u16 score[COH_MAX_NODES];    /* CoherenceScore, per mille */
	u16 pressure[COH_MAX_NODES]; /* CutPressure, per mille */
	u64 epoch;		     /* epochs run */
	u64 stale_epochs;	     /* epochs that ran out of budget with nothing adopted */
	u64 migrations;		     /* partitions moved, all epochs */
	/* Traffic that crossed parts as it happened since the engine last left its start
	 * placement: under the placement in force, and under the start placement (what staying
	 * put would have cost). When the first passes the second, the engine goes back to the
	 * start placement and multiplies its migration cost by 8 (docs/coherence.md, "Never
	 * worse"). */
	u64 crossed, crossed_start;
	u64 run_crossed, run_crossed_start; /* the same over the engine's whole life */
	u32 away;			    /* partitions not on their start part */
	u64 returns;			    /* times it went back */
	u64 total;			    /* sum of all weights (kept by every weight change) */
	/* Pulling partitions to a placement through FM passes (cohfm.h, pull): back to the
	 * start, or to the multilevel job's result. pull_off counts those not there yet. */
	u8 pull_kind; /* PULL_NONE, PULL_HOME, PULL_TARGET */
	u8 pull_seen; /* this epoch: bit 1 << kind for each pull kind in force at some point */
	u32 pull_off;
	u64 pass_moves; /* moves the current FM pass kept, over the epochs it spans */
	/* Hysteresis (docs/coherence.md, "Rent"): cost is the migration cost in force (multiplied
	 * by 8 by each return). rent is what staying put has cost per move since a better placement
	 * was first held back: each decay period adds the best held-back candidate's cut decrease
	 * per move >> decay_shift. It comes off cost in fm.cost (ski rental). cand_gain, cand_len:
	 * this epoch's best held-back candidate (cut decrease, moves). */
	i64 cost;
	u64 rent;
	/* The most an epoch has run past its planned end (at most budget / 8): later epochs plan
	 * to end that much before the budget (docs/coherence.md, "Epoch time"). */
	u64 slack_ns;
	i64 cand_gain;
	u32 cand_len;
	bool pass_ended; /* this epoch: some FM pass ran to its end */
	/* The multilevel job (cohml.h): cold starts and large changes, run across epochs. */
	u8 job; /* JOB_IDLE, JOB_RUN, JOB_EVAL, JOB_TARGET */
	u32 job_pos;
	u64 job_runs, job_adopted;
	u64 job_cut_new, job_cut_now;		   /* twice the cuts on the job's snapshot */
	u64 job_ref_cut, job_ref_total;		   /* cut and total when the last job decided */
	u32 overlap[COH_MAX_PARTS][COH_MAX_PARTS]; /* job part p, part in force q */
	u32 rn_size[COH_MAX_PARTS], rn_keep;
	u8 rn_best[COH_MAX_PARTS];
	u8 target[COH_MAX_NODES];
	u8 before[COH_MAX_NODES]; /* the placement before an adoption, for cfg.accept */
	struct coh_ml ml;
	/* incremental state */
	struct fm fm;		     /* search over g, refining place in place */
	struct coh_view view;	     /* of g */
	u64 decay_at;		     /* hal_now_ns time the decay periods are counted up to */
	u32 sweep;		     /* next edge slot the decay sweep visits */
	u32 sweep_for;		     /* g.decays the current sweep brings edges to */
	bool swept;		     /* every edge is at sweep_for */
	u64 moved_in[COH_MAX_NODES]; /* epoch + 1 when a node last moved */
	u8 was[COH_MAX_NODES];	     /* its part before that epoch */
	u32 touched[COH_MAX_NODES];  /* nodes moved this epoch */
	bool pass_done;		     /* the FM pass ended: the next one starts with fm_unlock */
	struct fm_store store;
};

/** What one epoch did. */
struct coh_epoch_report {
	u64 elapsed_ns;	    /* hal_now_ns time the epoch took */
	u64 work;	    /* coh_work_units the epoch did (a host-independent cost) */
	u64 cut_before;	    /* cut when the search began */
	u64 cut_after;	    /* cut of the placement it adopted, before this epoch's decay */
	u32 moved;	    /* partitions whose part changed */
	bool stale;	    /* the budget ran out before anything better was found */
	bool held_back;	    /* a lower cut was found but did not pay, or accept said no */
	bool decay_pending; /* the decay sweep goes on next epoch (the budget ran out) */
	bool out_of_budget; /* the search stopped at the budget (what it found is adopted) */
	bool returning;	    /* moving back to the start placement, which crossed less */
	bool pulling;	    /* moving to the multilevel job's placement */
	u64 move_cost;	    /* what the epoch charged per move: the cost in force less rent */
};

/**
 * Start an engine for @n partitions with configuration @cfg and initial placement @place. A
 * part that @place fills beyond its capacity gets that many as its capacity (e->cfg.cap).
 * Scores start at COH_PER_MILLE, pressures at 0. O(n + hash table).
 */
void coh_engine_init(struct coh_engine *e, u32 n, const struct coh_config *cfg, const u8 *place);

/** Record @weight units of traffic between partitions @a and @b (a != b). O(k + log n). */
void coh_engine_traffic(struct coh_engine *e, u32 a, u32 b, u64 weight);

/**
 * Run one epoch at most budget_ns plus a small constant long (docs/coherence.md, "DC-2"): the
 * FM search from where the last epoch left it, adopting the best improvement that pays for its
 * moves; then the decay periods that hal_now_ns time passed since the last epoch. Fills @rep.
 */
void coh_engine_epoch(struct coh_engine *e, struct coh_epoch_report *rep);

#endif
