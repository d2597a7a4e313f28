/*
 * k-way Fiduccia-Mattheyses refinement (internal to coherence/). Fiduccia and Mattheyses, "A
 * linear-time heuristic for improving network partitions", DAC 1982; the k-way form with one
 * gain per node (its best other part) follows Karypis and Kumar, "Multilevel k-way
 * partitioning scheme for irregular graphs", JPDC 48(1), 1998.
 *
 * State kept between calls: conn[v*k + p], the weight from node v into part p, for every node
 * and part; the part weights; and, per part, a max-heap of the unlocked boundary nodes keyed by
 * their gain, the cut decrease of moving the node to its best other part. A pass
 * moves the best node of the heaps, locks it, and goes on even when gains turn negative; it
 * remembers the best balanced prefix, net of @cost per move, and rolls the rest back. A move may
 * fill a part one node past its capacity (so two full parts can trade nodes); until the excess is
 * moved on, only nodes of an over-full part may move, and only balanced prefixes count as results.
 * Costs: a move O(deg (k + log n)); the pick O(k); a weight change O(k + log n).
 */
#ifndef RUVIX_COHFM_H
#define RUVIX_COHFM_H

#include <ruvix/cohgraph.h>

struct fm {
	const struct coh_view *g;
	u32 k;
	const u32 *cap; /* part capacities, in node weight */
	u8 *part;	/* the placement refined, n entries */
	u64 *conn;	/* n * k */
	u32 size[COH_MAX_PARTS];
	u32 over;	/* parts above capacity */
	u64 cut;	/* cut of part, kept by every move (and by the engine's weight changes) */
	u32 unlock_pos; /* fm_unlock's progress through lock_list */
	bool unlocking; /* fm_new_pass was called and fm_unlock has not finished */
	u32 init_phase, init_pos; /* fm_init_step's progress (3: done) */
	i64 cost; /* charged per move in a prefix's net gain (hysteresis), >= 0; may change
		   * between passes (the heaps' keys do not include it) */
	/* When set, moving node v to part pull[v] gains pull_bonus more (and leaving it costs
	 * as much): the engine's way back to its start placement, through ordinary passes. */
	const u8 *pull;
	i64 pull_bonus;
	/* priority: heap h is heap[h * COH_MAX_NODES ...], hn[h] entries; part p's boundary
	 * nodes are in heap 2p, its other nodes in 2p + 1 (moved only to relieve a full part) */
	u32 *heap;
	u32 hn[2 * COH_MAX_PARTS];
	u32 *pos;	/* index of a node in its heap, COH_NIL when not in one */
	u8 *hsel;	/* which heap */
	i64 *key;	/* gain of the node when it is in a heap */
	u32 *locked;	/* pass number that locked the node */
	u32 pass;	/* current pass, >= 1 */
	u32 *lock_list; /* nodes locked this pass */
	u32 nlocked;
	/* the pass's moves since the last rollback */
	u32 *log_v;
	u8 *log_from;
	u32 nlog, best_len;
	i64 run, best;	      /* net gain of all logged moves, and of the best prefix */
	i64 raw_run, raw_max; /* cut decrease, and the most any balanced prefix reached */
	u32 raw_len;	      /* the moves of that prefix */
	u32 limit;	      /* moves past the best prefix before the pass ends */
	/* budget: stop when now + (now - t_best) >= deadline, so a rollback ends near it */
	u64 deadline; /* hal_now_ns bound, 0: none */
	u64 t_best;
	bool out_of_time;
	/* called after a node's conn or part changed (NULL: nothing) */
	void (*changed)(void *ctx, u32 v);
	void *ctx;
};

/** Storage for an fm over up to COH_MAX_NODES nodes (the caller keeps it, static). */
struct fm_store {
	u64 conn[COH_MAX_NODES * COH_MAX_PARTS];
	u32 heap[2 * COH_MAX_PARTS * COH_MAX_NODES];
	u32 pos[COH_MAX_NODES], locked[COH_MAX_NODES], lock_list[COH_MAX_NODES];
	u32 log_v[COH_MAX_NODES];
	i64 key[COH_MAX_NODES];
	u8 log_from[COH_MAX_NODES], hsel[COH_MAX_NODES];
};

/** Bind @f to @s and build every table for @g, @k parts and placement @part. O(E + n k log n). */
void fm_init(struct fm *f, struct fm_store *s, const struct coh_view *g, u32 k, const u32 *cap,
	     u8 *part, i64 cost);

/** fm_init in steps: bind and reset (O(k)), then fm_init_step until it returns true (it stops
 * at @deadline, hal_now_ns, 0: none). */
void fm_init_begin(struct fm *f, struct fm_store *s, const struct coh_view *g, u32 k,
		   const u32 *cap, u8 *part, i64 cost);
bool fm_init_step(struct fm *f, u64 deadline);

/** Node weight. */
static inline u32 fm_vw(const struct fm *f, u32 v)
{
	return f->g->vw ? f->g->vw[v] : 1;
}

/** Recompute @v's gain and heap place after its conn changed. O(k + log n). */
void fm_update(struct fm *f, u32 v);

/** Move @v to part @t (no lock, no log), updating every table; returns the cut decrease. */
i64 fm_move(struct fm *f, u32 v, u32 t);

/** Move nodes out of over-full parts into parts with room, best gain first. True if balanced. */
bool fm_balance(struct fm *f);

enum fm_end {
	FM_PASS_DONE, /* no node left to move, or @limit moves past the best prefix */
	FM_OUT_OF_TIME,
};

/** Go on with the current pass until it ends or the deadline nears. Rolls nothing back. */
enum fm_end fm_run(struct fm *f);

/** Undo the moves after the best prefix; the log empties and the prefix stays. */
void fm_rollback(struct fm *f);

/** End the pass (the log must be empty): its locked nodes wait for fm_unlock. */
void fm_new_pass(struct fm *f);

/** Return the last pass's locked nodes to the heaps, stopping at @deadline (hal_now_ns, 0:
 * none); true when all are back. fm_run needs it done. */
bool fm_unlock(struct fm *f, u64 deadline);

/** End the pass and queue every node for fm_unlock, which recomputes its gain (after cost or
 * pull changed). */
void fm_refresh_all(struct fm *f);

/** Every table equals a rebuild from the graph (tests; O(E + n k)). */
bool fm_check(const struct fm *f);

/** Cut of f's placement from its tables. O(n k). */
u64 fm_cut(const struct fm *f);

#endif
