/*
 * The multilevel partitioner (coh_partition, see cohgraph.h), after Karypis and Kumar, "A fast
 * and high quality multilevel scheme for partitioning irregular graphs", SIAM J. Sci. Comput.
 * 20(1), 1998, and their k-way scheme (JPDC 1998):
 *   1. coarsen: match each node with its unmatched neighbour of heaviest edge (heavy-edge
 *      matching, nodes visited in a seeded random order), merge matched pairs, repeat until
 *      the graph is small (about 15 nodes per part) or stops shrinking;
 *   2. initial partition of the coarsest graph: greedy graph growing (each part grows from a
 *      seed by its most connected neighbour, to its share of the weight), a few seeds, each
 *      refined by FM, the best kept;
 *   3. uncoarsen: project the placement one level up, restore capacities, refine by FM passes
 *      with rollback (fm.c) until a pass gains nothing.
 * It also refines the given placement by FM on the full graph, and returns the lower cut of
 * the two (never worse than the start). Cost: O(E) per level for matching and contraction,
 * O(E (k + log n)) per FM pass; levels shrink the graph geometrically.
 */
#include <ruvix/check.h>
#include <ruvix/cohgraph.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>

#include <ruvix/cohfm.h>

#ifndef COH_NOINIT
#define COH_NOINIT
#endif

#define MAX_LEVELS 32
#define NODE_ARENA (3 * COH_MAX_NODES)
#define HALF_ARENA (4 * COH_MAX_EDGES)
#define FM_PASSES  8
#define TRIALS	   4

/* Coarse graphs, one after another in the arenas (level 0 is the caller's graph). */
static u32 a_head[NODE_ARENA] COH_NOINIT, a_vw[NODE_ARENA] COH_NOINIT,
	a_cmap[NODE_ARENA] COH_NOINIT;
static u32 a_next[HALF_ARENA] COH_NOINIT, a_to[HALF_ARENA] COH_NOINIT;
static u64 a_w[HALF_ARENA] COH_NOINIT;
/* Per-level scratch, n entries of the largest level. */
static u32 s_match[COH_MAX_NODES] COH_NOINIT, s_order[COH_MAX_NODES] COH_NOINIT,
	s_mark[COH_MAX_NODES] COH_NOINIT, s_slot[COH_MAX_NODES] COH_NOINIT;
static u8 s_part[2][NODE_ARENA] COH_NOINIT, s_best[COH_MAX_NODES] COH_NOINIT,
	s_trial[COH_MAX_NODES] COH_NOINIT;
static struct fm_store store COH_NOINIT;
static struct fm fm;

struct level {
	struct coh_view v;
	u32 *cmap; /* node -> node of the next level */
	u32 node0, half0;
};

struct job {
	const u32 *cap;
	u32 k;
	u64 deadline;
	bool late;
	u64 rng;
};

static bool late(struct job *j)
{
	if (!j->late && j->deadline && hal_now_ns() >= j->deadline)
		j->late = true;
	return j->late;
}

static u32 rnd(struct job *j, u32 below)
{
	j->rng ^= j->rng << 13;
	j->rng ^= j->rng >> 7;
	j->rng ^= j->rng << 17;
	return (u32)(j->rng % below);
}

static u32 vw_of(const struct coh_view *v, u32 i)
{
	return v->vw ? v->vw[i] : 1;
}

/* Heavy-edge matching of @f into the next level, built at the arena positions given. False
 * when it does not fit, time is up, or the graph does not shrink by a tenth. */
static bool coarsen(struct job *j, struct level *f, struct level *c, u32 maxvw)
{
	const struct coh_view *g = &f->v;
	u32 n = g->n;

	if (c->node0 + n > NODE_ARENA)
		return false;
	for (u32 i = 0; i < n; i++) {
		s_match[i] = COH_NIL;
		s_order[i] = i;
	}
	for (u32 i = n; i > 1; i--) { /* Fisher-Yates */
		u32 r = rnd(j, i), t = s_order[i - 1];
		s_order[i - 1] = s_order[r];
		s_order[r] = t;
	}
	coh_work_units += n;
	u32 cn = 0;
	for (u32 o = 0; o < n; o++) {
		if ((o & 63) == 0 && late(j))
			return false;
		u32 v = s_order[o];
		if (s_match[v] != COH_NIL)
			continue;
		u32 best = COH_NIL;
		u64 bw = 0;
		for (u32 h = g->head[v]; h != COH_NIL; h = g->next[h]) {
			u32 u = g->to[h];
			u64 w = g->w[h >> g->wshift];
			coh_work_units++;
			if (s_match[u] != COH_NIL || u == v || vw_of(g, u) + vw_of(g, v) > maxvw)
				continue;
			if (best == COH_NIL || w > bw || (w == bw && vw_of(g, u) < vw_of(g, best)))
				best = u, bw = w;
		}
		s_match[v] = best == COH_NIL ? v : best;
		if (best != COH_NIL)
			s_match[best] = v;
		f->cmap[v] = cn;
		if (best != COH_NIL)
			f->cmap[best] = cn;
		cn++;
	}
	if (cn * 10 > n * 9)
		return false;
	/* Contract: coarse node cv's half-edges are contiguous; neighbours merge through
	 * s_mark (cu's entry names the coarse node whose list holds it, at s_slot[cu]). */
	c->v.n = cn;
	c->v.head = a_head + c->node0;
	c->v.vw = a_vw + c->node0;
	c->v.next = a_next;
	c->v.to = a_to;
	c->v.w = a_w;
	c->v.wshift = 0;
	c->cmap = a_cmap + c->node0;
	u32 *head = a_head + c->node0, *vw = a_vw + c->node0, nh = c->half0;
	for (u32 i = 0; i < cn; i++)
		s_mark[i] = COH_NIL;
	for (u32 o = 0, cv = 0; o < n; o++) {
		u32 v = s_order[o], m = s_match[v];
		if (f->cmap[v] != cv)
			continue; /* the second of a pair: done with the first */
		if ((cv & 63) == 0 && late(j))
			return false;
		u32 first = nh;
		vw[cv] = vw_of(g, v) + (m != v ? vw_of(g, m) : 0);
		for (u32 side = 0; side < (m != v ? 2u : 1u); side++) {
			u32 x = side ? m : v;
			for (u32 h = g->head[x]; h != COH_NIL; h = g->next[h]) {
				u32 cu = f->cmap[g->to[h]];
				coh_work_units++;
				if (cu == cv)
					continue;
				u64 w = g->w[h >> g->wshift];
				if (s_mark[cu] == cv) {
					a_w[s_slot[cu]] += w;
					continue;
				}
				if (nh >= HALF_ARENA)
					return false;
				s_mark[cu] = cv;
				s_slot[cu] = nh;
				a_to[nh] = cu;
				a_w[nh] = w;
				a_next[nh] = COH_NIL;
				if (nh > first)
					a_next[nh - 1] = nh;
				nh++;
			}
		}
		head[cv] = nh > first ? first : COH_NIL;
		cv++;
	}
	c->half0 = nh; /* where the next level's half-edges start */
	return true;
}

static void refine(struct job *j, const struct coh_view *g, u8 *part)
{
	fm_init(&fm, &store, g, j->k, j->cap, part, 0);
	fm.deadline = j->deadline;
	fm_balance(&fm);
	for (u32 p = 0; p < FM_PASSES; p++) {
		enum fm_end end = fm_run(&fm);
		i64 gained = fm.best;
		fm_rollback(&fm);
		if (end == FM_OUT_OF_TIME) {
			j->late = true;
			return;
		}
		fm_new_pass(&fm);
		fm_unlock(&fm, 0);
		if (gained <= 0)
			return;
	}
}

/* Greedy graph growing on the (small) coarsest graph: part p grows from a random seed by the
 * unplaced node most connected to it until it holds its share of the weight. */
static void grow(struct job *j, const struct coh_view *g, u8 *part)
{
	static u64 link[COH_MAX_NODES];
	u32 n = g->n, total = 0, placed = 0;

	for (u32 i = 0; i < n; i++) {
		part[i] = 0xff;
		total += vw_of(g, i);
	}
	for (u32 p = 0; p + 1 < j->k && placed < n; p++) {
		u32 share = total / j->k, got = 0;
		memset(link, 0, n * sizeof(link[0]));
		while (got < share && placed < n) {
			u32 pick = COH_NIL;
			for (u32 i = 0; i < n; i++) {
				coh_work_units++;
				if (part[i] != 0xff || got + vw_of(g, i) > j->cap[p])
					continue;
				if (pick == COH_NIL || link[i] > link[pick])
					pick = i;
			}
			if (pick == COH_NIL)
				break;
			if (got == 0 || link[pick] == 0) { /* a fresh region: a random seed */
				u32 r = rnd(j, n);
				for (u32 s = 0; s < n; s++) {
					u32 i = (r + s) % n;
					if (part[i] == 0xff && got + vw_of(g, i) <= j->cap[p]) {
						pick = i;
						break;
					}
				}
			}
			part[pick] = (u8)p;
			got += vw_of(g, pick);
			placed++;
			for (u32 h = g->head[pick]; h != COH_NIL; h = g->next[h])
				link[g->to[h]] += g->w[h >> g->wshift];
		}
	}
	for (u32 i = 0; i < n; i++)
		if (part[i] == 0xff)
			part[i] = (u8)(j->k - 1); /* fm_balance spreads any excess */
}

static u64 cut_of(const struct coh_view *g, const u8 *part)
{
	u64 twice = 0;
	for (u32 v = 0; v < g->n; v++)
		for (u32 h = g->head[v]; h != COH_NIL; h = g->next[h])
			if (part[v] != part[g->to[h]])
				twice += g->w[h >> g->wshift];
	coh_work_units += g->n;
	return twice / 2;
}

static bool fits(const struct job *j, const struct coh_view *g, const u8 *part)
{
	u32 size[COH_MAX_PARTS] = { 0 };
	for (u32 v = 0; v < g->n; v++)
		size[part[v]] += vw_of(g, v);
	for (u32 p = 0; p < j->k; p++)
		if (size[p] > j->cap[p])
			return false;
	return true;
}

/* Multilevel from scratch into @out; false if the budget ran out first. */
static bool multilevel(struct job *j, const struct coh_view *g0, u8 *out)
{
	static struct level lv[MAX_LEVELS];
	u32 levels = 1, mincap = ~0u;

	for (u32 p = 0; p < j->k; p++)
		if (j->cap[p] < mincap)
			mincap = j->cap[p];
	lv[0].v = *g0;
	lv[0].cmap = a_cmap;
	lv[0].node0 = 0;
	lv[0].half0 = 0;
	u32 target = 15 * j->k > 32 ? 15 * j->k : 32;
	u32 maxvw = (3 * g0->n) / (2 * target);
	if (maxvw > mincap / 3)
		maxvw = mincap / 3;
	if (maxvw < 2)
		maxvw = 2;
	/* Level 0's cmap uses the arena's first n entries; coarse levels follow it. */
	u32 node0 = g0->n, half0 = 0;
	while (levels < MAX_LEVELS && lv[levels - 1].v.n > target) {
		struct level *c = &lv[levels];
		c->node0 = node0;
		c->half0 = half0;
		if (!coarsen(j, &lv[levels - 1], c, maxvw))
			break;
		half0 = c->half0;
		node0 += c->v.n;
		c->half0 = half0;
		levels++;
	}
	if (late(j))
		return false;
	/* Initial partition of the coarsest level: the best of a few grown seeds. */
	const struct coh_view *top = &lv[levels - 1].v;
	u8 *cur = s_part[(levels - 1) & 1];
	u64 best = ~0ull;
	bool have = false;
	for (u32 t = 0; t < TRIALS; t++) {
		grow(j, top, s_trial);
		refine(j, top, s_trial);
		if (late(j))
			return false;
		u64 c = cut_of(top, s_trial);
		bool ok = fits(j, top, s_trial);
		if (!have || (ok && c < best)) {
			memcpy(cur, s_trial, top->n);
			best = c;
			have = ok;
		}
	}
	/* Uncoarsen: project, restore capacity, refine. */
	for (u32 l = levels - 1; l > 0; l--) {
		struct level *f = &lv[l - 1];
		u8 *fine = s_part[(l - 1) & 1];
		for (u32 v = 0; v < f->v.n; v++)
			fine[v] = cur[f->cmap[v]];
		coh_work_units += f->v.n;
		refine(j, &f->v, fine);
		if (late(j))
			return false;
		cur = fine;
	}
	memcpy(out, cur, g0->n);
	return fits(j, g0, out);
}

enum coh_result coh_partition(const struct coh_graph *g, u32 parts, const u32 *cap, u8 *place,
			      u64 budget_ns)
{
	return coh_partition_cuts(g, parts, cap, place, budget_ns, NULL, NULL);
}

enum coh_result coh_partition_cuts(const struct coh_graph *g, u32 parts, const u32 *cap, u8 *place,
				   u64 budget_ns, u64 *cut_before, u64 *cut_after)
{
	u64 total = 0;
	u32 size[COH_MAX_PARTS] = { 0 };
	struct coh_view v;

	CHECK(parts >= 1 && parts <= COH_MAX_PARTS);
	for (u32 p = 0; p < parts; p++)
		total += cap[p];
	CHECK(total >= g->n);
	for (u32 i = 0; i < g->n; i++) {
		CHECK(place[i] < parts);
		size[place[i]]++;
	}
	for (u32 p = 0; p < parts; p++)
		CHECK(size[p] <= cap[p]);
	coh_graph_view(g, &v);

	u64 now = hal_now_ns();
	/* Saturate: a budget past the end of time means "no deadline", not an early one. */
	struct job j = { .cap = cap,
			 .k = parts,
			 .deadline = !budget_ns		       ? 0
				     : budget_ns > ~0ull - now ? ~0ull
							       : now + budget_ns,
			 .rng = 0x2545f4914f6cdd1dull ^ g->n };
	u64 start_cut = cut_of(&v, place), best_cut = start_cut;

	/* From scratch first; the given placement is refined only when that did not beat it
	 * (or ran out of time), with what is left of the budget. */
	bool stale = false;
	if (parts > 1 && g->n > parts && multilevel(&j, &v, s_best)) {
		u64 c = cut_of(&v, s_best);
		if (c < best_cut) {
			best_cut = c;
			memcpy(place, s_best, g->n);
		}
	}
	if (best_cut == start_cut) {
		memcpy(s_best, place, g->n);
		refine(&j, &v, s_best);
		stale = j.late;
		u64 c = cut_of(&v, s_best);
		if (c < best_cut && fits(&j, &v, s_best)) {
			best_cut = c;
			memcpy(place, s_best, g->n);
		}
	}
	if (cut_before)
		*cut_before = start_cut;
	if (cut_after)
		*cut_after = best_cut;
	CHECK(best_cut <= start_cut);
	if (best_cut < start_cut)
		return COH_IMPROVED;
	return stale ? COH_STALE : COH_UNCHANGED;
}
