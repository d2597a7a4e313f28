/*
 * The coherence epoch loop (see coherence.h and docs/coherence.md).
 *
 * Order inside an epoch: (1) the partitioner, on a copy, within what is left of the budget;
 * it also gives the cut of the current placement and of the copy; (2) adopt the copy only if
 * it was not cut short and cut_before - cut_new > moved * migration_cost; (3) scores and
 * pressures against the placement now in force, and in the same pass the decay, so traffic of
 * this epoch counts fully before it ages.
 * Cost: the partitioner's, plus one O(n^2 + n k) pass for scores and decay.
 */
#include <ruvix/check.h>
#include <ruvix/coherence.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>

void coh_engine_init(struct coh_engine *e, u32 n, const struct coh_config *cfg, const u8 *place)
{
	u32 size[COH_MAX_PARTS] = { 0 };

	CHECK(cfg->parts >= 1 && cfg->parts <= COH_MAX_PARTS);
	CHECK(cfg->decay_shift >= 1 && cfg->decay_shift < 64);
	CHECK(n <= COH_MAX_NODES);
	/* Not the whole engine: its weight matrix is 512 KiB, and only n x n of it is used (a
	 * kernel keeps the engine in memory it does not zero at boot). */
	e->cfg = *cfg;
	coh_graph_init(&e->g, n);
	memset(e->place, 0, sizeof(e->place));
	memset(e->score, 0, sizeof(e->score));
	memset(e->pressure, 0, sizeof(e->pressure));
	e->epoch = e->stale_epochs = e->migrations = 0;
	for (u32 i = 0; i < n; i++) {
		CHECK(place[i] < cfg->parts);
		/* A start that holds more than a part's share widens it: the placement a system
		 * boots with (its manifest) is always allowed. */
		if (++size[place[i]] > e->cfg.cap[place[i]])
			e->cfg.cap[place[i]] = size[place[i]];
		e->place[i] = place[i];
		e->score[i] = COH_PER_MILLE;
	}
}

void coh_engine_traffic(struct coh_engine *e, u32 a, u32 b, u64 weight)
{
	coh_graph_add(&e->g, a, b, weight);
}

/* weight * COH_PER_MILLE / total without overflow for weights below 2^54. */
static u16 per_mille(u64 weight, u64 total)
{
	CHECK(weight <= total && total > 0);
	if (total > (1ull << 53)) { /* scale both down: the ratio keeps 10+ bits */
		weight >>= 11;
		total >>= 11;
		if (total == 0)
			return 0;
	}
	return (u16)(weight * COH_PER_MILLE / total);
}

/*
 * CoherenceScore(i) = 1000 * internal(i) / total(i): the share of i's traffic that stays on its
 *   own node (1000 with no traffic).
 * CutPressure(i) = 1000 * max(0, max_q into(i, q) - internal(i)) / total(i), q another part:
 *   what moving i to its best other node would take off the cut, as a share of its traffic.
 *   It is 0 for a partition already on its best node, however much traffic crosses.
 * The same pass over the weights then decays them (the end of the epoch).
 */
static void score_and_decay(struct coh_engine *e)
{
	struct coh_graph *g = &e->g;
	u32 shift = e->cfg.decay_shift;
	u64 into[COH_MAX_PARTS];

	coh_work_units += (u64)g->n * g->n;
	for (u32 i = 0; i < g->n; i++) {
		u64 total = 0;
		memset(into, 0, sizeof(into));
		for (u32 j = 0; j < g->n; j++) {
			u64 w = g->w[i][j];
			into[e->place[j]] += w;
			total += w;
			g->w[i][j] =
				w -
				(w >> shift); /* the decay (coh_graph_decay), in the same pass */
		}
		if (total == 0) {
			e->score[i] = COH_PER_MILLE;
			e->pressure[i] = 0;
			continue;
		}
		u64 own = into[e->place[i]], best = own;
		for (u32 q = 0; q < e->cfg.parts; q++)
			if (into[q] > best)
				best = into[q];
		e->score[i] = per_mille(own, total);
		e->pressure[i] = per_mille(best - own, total);
	}
}

static u8 candidate[COH_MAX_NODES]; /* kept out of the stack, like the partitioner's state */

/*
 * Part numbers are names: the partitioner's seeded search numbers parts as it likes, so two
 * placements with the same cut can differ only by a renaming. Before counting moves, rename
 * the candidate's parts to keep as many partitions where they are as the capacities allow.
 * Exhaustive over renamings for up to RENAME_EXACT parts (8! = 40,320 at most, 24 at 4
 * parts), greedy by overlap beyond.
 */
#define RENAME_EXACT 6

struct rename {
	u32 parts;
	u32 overlap[COH_MAX_PARTS][COH_MAX_PARTS]; /* candidate part p, current part q */
	u32 size[COH_MAX_PARTS];		   /* candidate part sizes */
	const u32 *cap;
	u8 perm[COH_MAX_PARTS], best[COH_MAX_PARTS];
	bool used[COH_MAX_PARTS];
	u32 best_keep;
};

static void rename_search(struct rename *r, u32 p, u32 keep)
{
	if (p == r->parts) {
		if (keep > r->best_keep) {
			r->best_keep = keep;
			memcpy(r->best, r->perm, r->parts);
		}
		return;
	}
	for (u32 q = 0; q < r->parts; q++) {
		if (r->used[q] || r->size[p] > r->cap[q])
			continue;
		r->used[q] = true;
		r->perm[p] = (u8)q;
		rename_search(r, p + 1, keep + r->overlap[p][q]);
		r->used[q] = false;
	}
}

static void rename_parts(const struct coh_engine *e, u8 *cand, u32 n)
{
	static struct rename r;

	memset(&r, 0, sizeof(r));
	r.parts = e->cfg.parts;
	r.cap = e->cfg.cap;
	for (u32 i = 0; i < n; i++) {
		r.overlap[cand[i]][e->place[i]]++;
		r.size[cand[i]]++;
	}
	for (u32 p = 0; p < r.parts; p++)
		r.best[p] = (u8)p; /* the identity is always allowed */
	for (u32 p = 0; p < r.parts; p++)
		r.best_keep += r.overlap[p][p];
	if (r.parts <= RENAME_EXACT) {
		rename_search(&r, 0, 0);
	} else {
		/* Greedy: repeatedly give the largest remaining overlap its name, if it fits. */
		bool named[COH_MAX_PARTS] = { false };
		u8 perm[COH_MAX_PARTS];
		u32 keep = 0, done = 0;
		while (done < r.parts) {
			u32 bp = 0, bq = 0;
			bool found = false;
			for (u32 p = 0; p < r.parts; p++)
				for (u32 q = 0; q < r.parts; q++)
					if (!named[p] && !r.used[q] && r.size[p] <= r.cap[q] &&
					    (!found || r.overlap[p][q] > r.overlap[bp][bq])) {
						bp = p, bq = q, found = true;
					}
			if (!found)
				return; /* no full renaming fits this way: keep the candidate's */
			named[bp] = r.used[bq] = true;
			perm[bp] = (u8)bq;
			keep += r.overlap[bp][bq];
			done++;
		}
		if (keep > r.best_keep)
			memcpy(r.best, perm, r.parts);
	}
	for (u32 i = 0; i < n; i++)
		cand[i] = r.best[cand[i]];
}

/* gain > moved * cost, without the product overflowing. */
static bool pays(u64 gain, u32 moved, u64 cost)
{
	u64 q = gain / moved, rem = gain % moved;

	return q > cost || (q == cost && rem != 0);
}

void coh_engine_epoch(struct coh_engine *e, struct coh_epoch_report *rep)
{
	u64 start = hal_now_ns(), work = coh_work_units;
	u32 n = e->g.n;

	u64 cut = 0;

	memset(rep, 0, sizeof(*rep));
	memcpy(candidate, e->place, n);
	u64 used = hal_now_ns() - start;
	u64 left = e->cfg.budget_ns > used ? e->cfg.budget_ns - used : 1;
	enum coh_result r = coh_partition_cuts(&e->g, e->cfg.parts, e->cfg.cap, candidate,
					       e->cfg.budget_ns ? left : 0, &rep->cut_before, &cut);
	rep->cut_after = rep->cut_before;
	if (r == COH_STALE) {
		rep->stale = true; /* DC-2: keep the last good cut */
		e->stale_epochs++;
	} else if (r == COH_IMPROVED) {
		rename_parts(e, candidate, n); /* names only: the cut stays */
		u32 moved = 0;
		for (u32 i = 0; i < n; i++)
			moved += candidate[i] != e->place[i];
		CHECK(cut < rep->cut_before && moved > 0);
		if (pays(rep->cut_before - cut, moved, e->cfg.migration_cost) &&
		    (!e->cfg.accept || e->cfg.accept(e->cfg.accept_ctx, e->place, candidate, n,
						     rep->cut_before - cut))) {
			memcpy(e->place, candidate, n);
			rep->cut_after = cut;
			rep->moved = moved;
			e->migrations += moved;
		} else {
			rep->held_back = true;
		}
	}
	score_and_decay(e);
	e->epoch++;
	/* May pass the budget: table building, scoring and decay are O(n^2) work outside the
	 * budget checks (docs/coherence.md, "DC-2"). */
	rep->elapsed_ns = hal_now_ns() - start;
	rep->work = coh_work_units - work;
	CHECK(rep->cut_after <= rep->cut_before);
}
