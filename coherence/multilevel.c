/*
 * The multilevel partitioner (cohml.h, and coh_partition in cohgraph.h), after Karypis and
 * Kumar, "A fast and high quality multilevel scheme for partitioning irregular graphs", SIAM
 * J. Sci. Comput. 20(1), 1998, and their k-way scheme (JPDC 48(1), 1998):
 *   0. snapshot the graph, edge by edge;
 *   1. coarsen: match each node with its unmatched neighbour of heaviest edge (heavy-edge
 *      matching, nodes visited in a seeded random order), merge matched pairs, repeat until
 *      the graph is small (about 15 nodes per part) or stops shrinking;
 *   2. initial partition of the coarsest graph: greedy graph growing (each part grows from a
 *      seed by its most connected neighbour, to its share of the weight), a few seeds, each
 *      refined by FM, the best kept;
 *   3. uncoarsen: project the placement one level up and refine by FM passes with rollback
 *      (fm.c) until a pass gains nothing.
 * Every loop is a step of a state machine (coh_ml_run), so the job stops at any deadline and
 * goes on from the same place. Cost: O(E) per level for matching and contraction, O(E (k +
 * log n)) per FM pass; levels shrink the graph geometrically.
 */
#include <ruvix/check.h>
#include <ruvix/cohml.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>

#define FM_PASSES 8
#define TRIALS	  4

enum {
	SNAP_NODES,
	SNAP_EDGES,
	LEVELS,
	MATCH_INIT,
	MATCH_SHUFFLE,
	MATCH,
	CONTRACT,
	GROW,
	REFINE_INIT,
	REFINE,
	TRIAL_END,
	PROJECT,
	DONE,
	FAILED,
};

static u32 vw_of(const struct coh_view *v, u32 i)
{
	return v->vw ? v->vw[i] : 1;
}

static u32 rnd(struct coh_ml *m, u32 below)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return (u32)(m->rng % below);
}

/* True when the deadline has passed; the clock is read every 16th call (@every: each call). */
static bool late(struct coh_ml *m, u64 deadline, bool every)
{
	if (!deadline || (!every && (++m->ticks & 15) != 0))
		return false;
	return hal_now_ns() >= deadline;
}

void coh_ml_start(struct coh_ml *m, const struct coh_graph *g, u32 k, const u32 *cap)
{
	CHECK(k >= 1 && k <= COH_MAX_PARTS && g->n <= COH_MAX_NODES);
	m->src = g;
	m->k = k;
	memcpy(m->cap, cap, k * sizeof(cap[0]));
	/* Coarse nodes are heavy, so exact balance there cuts badly: the coarse levels may fill
	 * a part to 3 % past its share of the nodes (METIS's default imbalance), never less than
	 * its capacity, and the finest level is balanced back to @cap (fm_balance) before its
	 * refinement. Capacities that already leave that much room stay as they are. */
	u64 total = 0;
	for (u32 p = 0; p < k; p++)
		total += cap[p];
	for (u32 p = 0; p < k; p++) {
		u64 share =
			total ? ((u64)g->n * cap[p] * 103 + total * 100 - 1) / (total * 100) : 0;
		m->loose[p] = share > cap[p] ? (u32)share : cap[p];
	}
	m->rng = 0x2545f4914f6cdd1dull ^ g->n;
	m->phase = SNAP_NODES;
	m->pos = m->ticks = 0;
	m->levels = 1;
	m->result = NULL;
	struct coh_view *v = &m->lv[0].v;
	v->n = g->n;
	v->head = m->head;
	v->next = m->next;
	v->to = m->to;
	v->w = m->w;
	v->wshift = 0;
	v->vw = NULL;
	m->lv[0].cmap = m->cmap;
	m->nh = 0;
}

/* Heavy-edge matching of level f into the next one; the coarse ids go to f->cmap. */
static bool match_step(struct coh_ml *m, u64 deadline)
{
	struct coh_ml_level *f = &m->lv[m->levels - 1];
	const struct coh_view *g = &f->v;

	while (m->pos < g->n) {
		if (late(m, deadline, false))
			return false;
		u32 v = m->order[m->pos++];
		if (m->match[v] != COH_NIL)
			continue;
		u32 best = COH_NIL;
		u64 bw = 0, work = 0;
		for (u32 h = g->head[v]; h != COH_NIL; h = g->next[h]) {
			u32 u = g->to[h];
			u64 w = g->w[h >> g->wshift];
			work++;
			if (m->match[u] != COH_NIL || u == v ||
			    vw_of(g, u) + vw_of(g, v) > m->maxvw)
				continue;
			if (best == COH_NIL || w > bw || (w == bw && vw_of(g, u) < vw_of(g, best)))
				best = u, bw = w;
		}
		coh_work_units += work; /* once per node: see coh_cut */
		m->match[v] = best == COH_NIL ? v : best;
		f->cmap[v] = m->cn;
		if (best != COH_NIL) {
			m->match[best] = v;
			f->cmap[best] = m->cn;
		}
		m->cn++;
	}
	return true;
}

/* Contraction: coarse node cv's half-edges are contiguous; neighbours merge through mark (an
 * entry equal to mark_base + cv names cv's list, the half-edge at slot). False: out of time,
 * and *full set when the arena cannot hold the level. */
static bool contract_step(struct coh_ml *m, u64 deadline, bool *full)
{
	struct coh_ml_level *f = &m->lv[m->levels - 1], *c = &m->lv[m->levels];
	const struct coh_view *g = &f->v;
	u32 *head = m->head + m->node0, *vw = m->vw + m->node0;

	*full = false;
	while (m->pos < g->n) {
		u32 v = m->order[m->pos], x = m->match[v];
		if (f->cmap[v] != m->cv) {
			m->pos++; /* the second of a pair: done with the first */
			continue;
		}
		if (late(m, deadline, false))
			return false;
		u32 first = m->nh, nh = m->nh, cv = m->cv, tag = m->mark_base + cv;
		vw[cv] = vw_of(g, v) + (x != v ? vw_of(g, x) : 0);
		u64 work = 0; /* counted once per coarse node (see coh_cut in graph.c) */
		for (u32 side = 0; side < (x != v ? 2u : 1u); side++) {
			u32 y = side ? x : v;
			for (u32 h = g->head[y]; h != COH_NIL; h = g->next[h]) {
				u32 cu = f->cmap[g->to[h]];
				work++;
				if (cu == cv)
					continue;
				u64 w = g->w[h >> g->wshift];
				if (m->mark[cu] == tag) {
					m->w[m->slot[cu]] += w;
					continue;
				}
				if (nh >= COH_ML_HALVES) {
					coh_work_units += work;
					*full = true;
					return false;
				}
				m->mark[cu] = tag;
				m->slot[cu] = nh;
				m->to[nh] = cu;
				m->w[nh] = w;
				m->next[nh] = COH_NIL;
				if (nh > first)
					m->next[nh - 1] = nh;
				nh++;
			}
		}
		coh_work_units += work;
		head[cv] = nh > first ? first : COH_NIL;
		m->nh = nh;
		m->cv++;
		m->pos++;
	}
	c->v.n = m->cn;
	c->v.head = head;
	c->v.vw = vw;
	c->v.next = m->next;
	c->v.to = m->to;
	c->v.w = m->w;
	c->v.wshift = 0;
	c->cmap = m->cmap + m->node0;
	return true;
}

/* The capacities level @l is refined under: the target at level 0, loose above. */
static const u32 *caps(const struct coh_ml *m, u32 l)
{
	return l == 0 ? m->cap : m->loose;
}

/* One pick of greedy graph growing on the coarsest level (O(nc)): part gp takes the unplaced
 * node most connected to it, or a random one to start a region. False when all are placed. */
static bool grow_pick(struct coh_ml *m)
{
	const struct coh_view *g = &m->lv[m->levels - 1].v;
	u8 *part = m->trial_part;
	u32 n = g->n;

	while (m->gp + 1 < m->k && m->got >= m->share)
		m->gp++, m->got = 0;
	if (m->placed == n)
		return false;
	if (m->gp + 1 == m->k) { /* the last part takes the rest; fm_balance spreads excess */
		for (u32 i = 0; i < n; i++)
			if (part[i] == 0xff)
				part[i] = (u8)(m->k - 1);
		m->placed = n;
		coh_work_units += n;
		return false;
	}
	u32 pick = COH_NIL;
	for (u32 i = 0; i < n; i++) {
		coh_work_units++;
		if (part[i] != 0xff || m->got + vw_of(g, i) > caps(m, m->levels - 1)[m->gp])
			continue;
		if (pick == COH_NIL || m->link[i] > m->link[pick])
			pick = i;
	}
	if (pick == COH_NIL) { /* nothing fits this part any more */
		m->got = m->share;
		return true;
	}
	if (m->got == 0 || m->link[pick] == 0) { /* a fresh region: a random seed */
		u32 r = rnd(m, n);
		for (u32 s = 0; s < n; s++) {
			u32 i = (r + s) % n;
			if (part[i] == 0xff &&
			    m->got + vw_of(g, i) <= caps(m, m->levels - 1)[m->gp]) {
				pick = i;
				break;
			}
		}
	}
	if (m->got == 0)
		memset(m->link, 0, n * sizeof(m->link[0]));
	part[pick] = (u8)m->gp;
	m->got += vw_of(g, pick);
	m->placed++;
	for (u32 h = g->head[pick]; h != COH_NIL; h = g->next[h])
		m->link[g->to[h]] += g->w[h >> g->wshift];
	return true;
}

/* FM passes on the level being refined until one gains nothing; false when out of time. */
static bool refine_step(struct coh_ml *m, u64 deadline)
{
	struct fm *f = &m->fm;

	for (;;) {
		if (f->unlocking && !fm_unlock(f, deadline))
			return false;
		if (m->passes == FM_PASSES || (m->passes > 0 && m->pass_gain <= 0))
			return true;
		f->deadline = deadline;
		f->out_of_time = false;
		enum fm_end end = fm_run(f);
		if (end == FM_OUT_OF_TIME)
			return false; /* the pass goes on next time, from the same state */
		m->pass_gain = f->best;
		fm_rollback(f);
		fm_new_pass(f);
		m->passes++;
	}
}

static u8 *level_part(struct coh_ml *m, u32 l)
{
	return m->part[l & 1];
}

enum coh_ml_status coh_ml_run(struct coh_ml *m, u64 deadline)
{
	const struct coh_graph *src = m->src;

	for (;;) {
		switch (m->phase) {
		case SNAP_NODES:
			while (m->pos < src->n) {
				if (late(m, deadline, false))
					return COH_ML_PENDING;
				m->head[m->pos] = COH_NIL;
				m->mark[m->pos] = COH_NIL;
				m->pos++;
			}
			m->phase = SNAP_EDGES;
			m->pos = 0;
			break;
		case SNAP_EDGES:
			/* Each edge whole: both half-edges at once, so the copy stays symmetric. */
			while (m->pos < src->used) {
				if (late(m, deadline, false))
					return COH_ML_PENDING;
				u32 x = m->pos++;
				coh_work_units++;
				if (src->to[2 * x] == COH_NIL || m->nh + 2 > COH_ML_HALVES)
					continue;
				u64 w = coh_decayed(src->w[x], src->shift,
						    src->decays - src->stamp[x]);
				if (w == 0)
					continue;
				u32 a = src->to[2 * x + 1], b = src->to[2 * x], h = m->nh;
				m->to[h] = b;
				m->to[h + 1] = a;
				m->w[h] = m->w[h + 1] = w;
				m->next[h] = m->head[a];
				m->head[a] = h;
				m->next[h + 1] = m->head[b];
				m->head[b] = h + 1;
				m->nh += 2;
			}
			m->node0 = src->n;
			m->target = 15 * m->k > 32 ? 15 * m->k : 32;
			u32 mincap = ~0u;
			for (u32 p = 0; p < m->k; p++)
				if (m->cap[p] < mincap)
					mincap = m->cap[p];
			m->maxvw = (3 * src->n) / (2 * m->target);
			if (m->maxvw > mincap / 3)
				m->maxvw = mincap / 3;
			if (m->maxvw < 2)
				m->maxvw = 2;
			m->mark_base = src->n; /* above every mark set so far (COH_NIL aside) */
			m->phase = LEVELS;
			break;
		case LEVELS:
			if (m->levels < COH_ML_LEVELS && m->lv[m->levels - 1].v.n > m->target &&
			    m->node0 + m->lv[m->levels - 1].v.n <= COH_ML_NODES && m->k > 1) {
				m->phase = MATCH_INIT;
				m->pos = 0;
			} else {
				m->phase = GROW;
				m->trial = 0;
				m->have_best = false;
				m->sub = 0;
			}
			break;
		case MATCH_INIT: {
			const struct coh_view *g = &m->lv[m->levels - 1].v;
			while (m->pos < g->n) {
				if (late(m, deadline, false))
					return COH_ML_PENDING;
				m->match[m->pos] = COH_NIL;
				m->order[m->pos] = m->pos;
				m->pos++;
			}
			m->phase = MATCH_SHUFFLE;
			m->pos = g->n;
			break;
		}
		case MATCH_SHUFFLE: /* Fisher-Yates, from the top */
			while (m->pos > 1) {
				if (late(m, deadline, false))
					return COH_ML_PENDING;
				u32 r = rnd(m, m->pos), t = m->order[m->pos - 1];
				m->order[m->pos - 1] = m->order[r];
				m->order[r] = t;
				m->pos--;
			}
			m->phase = MATCH;
			m->pos = 0;
			m->cn = 0;
			break;
		case MATCH: {
			if (!match_step(m, deadline))
				return COH_ML_PENDING;
			const struct coh_view *g = &m->lv[m->levels - 1].v;
			if (m->cn * 10 > g->n * 9) { /* it hardly shrinks: stop coarsening */
				m->phase = GROW;
				m->trial = 0;
				m->have_best = false;
				m->sub = 0;
				break;
			}
			m->phase = CONTRACT;
			m->pos = m->cv = 0;
			break;
		}
		case CONTRACT: {
			bool full;
			if (!contract_step(m, deadline, &full)) {
				if (!full)
					return COH_ML_PENDING;
				m->phase = GROW; /* the arena is full: partition what we have */
				m->trial = 0;
				m->have_best = false;
				m->sub = 0;
				break;
			}
			m->mark_base += m->cn;
			m->node0 += m->cn;
			m->levels++;
			m->phase = LEVELS;
			break;
		}
		case GROW: {
			const struct coh_view *g = &m->lv[m->levels - 1].v;
			if (m->sub == 0) { /* a new trial */
				u32 total = 0;
				for (u32 i = 0; i < g->n; i++) {
					m->trial_part[i] = 0xff;
					total += vw_of(g, i);
				}
				coh_work_units += g->n;
				m->share = total / m->k;
				m->gp = m->got = m->placed = 0;
				m->sub = 1;
			}
			for (;;) {
				if (late(m, deadline, true))
					return COH_ML_PENDING;
				if (!grow_pick(m))
					break;
			}
			fm_init_begin(&m->fm, &m->store, g, m->k, caps(m, m->levels - 1),
				      m->trial_part, 0);
			m->refine_level = m->levels - 1;
			m->phase = REFINE_INIT;
			break;
		}
		case REFINE_INIT:
			if (!fm_init_step(&m->fm, deadline))
				return COH_ML_PENDING;
			m->fm.deadline = 0;
			/* Over-full parts: a coarsest trial, or level 0 after the loose coarse
			 * levels (projections keep part weights). */
			fm_balance(&m->fm);
			m->passes = 0;
			m->pass_gain = 0;
			m->phase = REFINE;
			break;
		case REFINE:
			if (!refine_step(m, deadline))
				return COH_ML_PENDING;
			if (m->refine_level == m->levels - 1 && m->fm.part == m->trial_part) {
				m->phase = TRIAL_END;
				break;
			}
			if (m->refine_level == 0) {
				m->phase = m->fm.over == 0 ? DONE : FAILED;
				break;
			}
			m->refine_level--;
			m->phase = PROJECT;
			m->pos = 0;
			break;
		case TRIAL_END: {
			const struct coh_view *g = &m->lv[m->levels - 1].v;
			bool ok = m->fm.over == 0;
			if (!m->have_best || (ok && m->fm.cut < m->best_cut)) {
				memcpy(level_part(m, m->levels - 1), m->trial_part, g->n);
				m->best_cut = m->fm.cut;
				m->have_best = ok;
			}
			coh_work_units += g->n;
			if (++m->trial < TRIALS) {
				m->phase = GROW;
				m->sub = 0;
				break;
			}
			if (m->levels == 1) {
				/* No coarsening: the best trial is the answer. */
				m->result = level_part(m, 0);
				m->phase = m->have_best ? DONE : FAILED;
				break;
			}
			m->refine_level = m->levels - 2;
			m->phase = PROJECT;
			m->pos = 0;
			break;
		}
		case PROJECT: {
			struct coh_ml_level *f = &m->lv[m->refine_level];
			u8 *fine = level_part(m, m->refine_level),
			   *coarse = level_part(m, m->refine_level + 1);
			while (m->pos < f->v.n) {
				if (late(m, deadline, false))
					return COH_ML_PENDING;
				fine[m->pos] = coarse[f->cmap[m->pos]];
				m->pos++;
			}
			coh_work_units += f->v.n;
			fm_init_begin(&m->fm, &m->store, &f->v, m->k, caps(m, m->refine_level),
				      fine, 0);
			m->phase = REFINE_INIT;
			break;
		}
		case DONE:
			m->result = level_part(m, 0);
			return COH_ML_DONE;
		case FAILED:
			return COH_ML_FAILED;
		}
	}
}

#ifndef COH_NOINIT
#define COH_NOINIT
#endif
/* Large: kept out of the stack, and (on bare metal) out of the memory boot zeroes. */
static struct coh_ml job COH_NOINIT;
static u8 refined[COH_MAX_NODES] COH_NOINIT;

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
	u64 deadline = !budget_ns ? 0 : budget_ns > ~0ull - now ? ~0ull : now + budget_ns;
	u64 start_cut = coh_cut(g, place), best_cut = start_cut;
	bool stale = false;

	/* From scratch first; the given placement is refined only when that did not beat it
	 * (or ran out of time), with what is left of the budget. */
	coh_ml_start(&job, g, parts, cap);
	if (parts > 1 && g->n > parts && coh_ml_run(&job, deadline) == COH_ML_DONE) {
		u64 c = coh_cut(g, job.result);
		if (c < best_cut) {
			best_cut = c;
			memcpy(place, job.result, g->n);
		}
	}
	if (best_cut == start_cut) {
		struct fm *f = &job.fm;
		memcpy(refined, place, g->n);
		fm_init(f, &job.store, &v, parts, cap, refined, 0);
		for (u32 p = 0; p < FM_PASSES && !stale; p++) {
			f->deadline = deadline;
			enum fm_end end = fm_run(f);
			i64 gained = f->best;
			fm_rollback(f);
			stale = end == FM_OUT_OF_TIME;
			fm_new_pass(f);
			fm_unlock(f, 0);
			if (gained <= 0)
				break;
		}
		if (f->cut < best_cut && f->over == 0) {
			best_cut = f->cut;
			memcpy(place, refined, g->n);
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
