/* k-way FM refinement with rollback (see fm.h). */
#include <ruvix/check.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>

#include <ruvix/cohfm.h>

#define GAIN_MAX (1ll << 61)

static i64 sat_add(i64 a, i64 b)
{
	i64 s = a + b; /* |a|, |b| <= 2^62: no overflow before the clamp */
	return s > GAIN_MAX ? GAIN_MAX : s < -GAIN_MAX ? -GAIN_MAX : s;
}

/* Heap order: higher key first, then lower node number (deterministic). */
static bool above(const struct fm *f, u32 a, u32 b)
{
	return f->key[a] > f->key[b] || (f->key[a] == f->key[b] && a < b);
}

/* Part p's boundary nodes are in heap 2p, its other nodes in heap 2p + 1. */
static u32 *heap_of(struct fm *f, u32 p)
{
	return f->heap + (u64)p * COH_MAX_NODES;
}

static void sift_up(struct fm *f, u32 p, u32 i)
{
	u32 *h = heap_of(f, p), v = h[i];
	while (i > 0) {
		u32 up = (i - 1) / 2;
		if (!above(f, v, h[up]))
			break;
		h[i] = h[up];
		f->pos[h[i]] = i;
		i = up;
	}
	h[i] = v;
	f->pos[v] = i;
}

static void sift_down(struct fm *f, u32 p, u32 i)
{
	u32 *h = heap_of(f, p), v = h[i], n = f->hn[p];
	for (;;) {
		u32 c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && above(f, h[c + 1], h[c]))
			c++;
		if (!above(f, h[c], v))
			break;
		h[i] = h[c];
		f->pos[h[i]] = i;
		i = c;
	}
	h[i] = v;
	f->pos[v] = i;
}

static void heap_remove(struct fm *f, u32 v)
{
	u32 p = f->hsel[v], i = f->pos[v], *h = heap_of(f, p);
	CHECK(i < f->hn[p] && h[i] == v);
	f->pos[v] = COH_NIL;
	u32 last = h[--f->hn[p]];
	if (last == v)
		return;
	h[i] = last;
	f->pos[last] = i;
	sift_up(f, p, i);
	sift_down(f, p, f->pos[last]);
}

/* Best other part for @v by connection (capacity aside) and the gain of going there. */
/* conn[v][t] plus the pull toward v's pulled part (0 without one). */
static i64 value(const struct fm *f, u32 v, u32 t)
{
	i64 c = (i64)f->conn[(u64)v * f->k + t];
	return f->pull && f->pull[v] == t ? c + f->pull_bonus : c;
}

static i64 best_gain(const struct fm *f, u32 v, bool *boundary)
{
	u32 own = f->part[v];
	i64 best = 0;

	*boundary = f->pull && f->pull[v] != own;
	for (u32 t = 0; t < f->k; t++)
		if (t != own && value(f, v, t) > 0) {
			*boundary = true;
			if (value(f, v, t) > best)
				best = value(f, v, t);
		}
	/* The cost is the same for every move: heaps keyed without it keep the same order, and
	 * the engine may change it between passes (docs/coherence.md, "Rent"). */
	return best - value(f, v, own);
}

void fm_update(struct fm *f, u32 v)
{
	bool boundary;

	coh_work_units += f->k;
	if (f->changed)
		f->changed(f->ctx, v);
	if (f->locked[v] == f->pass) {
		CHECK(f->pos[v] == COH_NIL);
		return;
	}
	i64 g = best_gain(f, v, &boundary);
	u32 p = 2 * f->part[v] + !boundary;
	if (f->pos[v] != COH_NIL && f->hsel[v] != p)
		heap_remove(f, v);
	if (f->pos[v] == COH_NIL) {
		f->hsel[v] = (u8)p;
		f->key[v] = g;
		f->pos[v] = f->hn[p]++;
		heap_of(f, p)[f->pos[v]] = v;
		sift_up(f, p, f->pos[v]);
		return;
	}
	i64 old = f->key[v];
	f->key[v] = g;
	if (g > old)
		sift_up(f, p, f->pos[v]);
	else if (g < old)
		sift_down(f, p, f->pos[v]);
}

void fm_init_begin(struct fm *f, struct fm_store *s, const struct coh_view *g, u32 k,
		   const u32 *cap, u8 *part, i64 cost)
{
	CHECK(k >= 1 && k <= COH_MAX_PARTS && g->n <= COH_MAX_NODES);
	CHECK(cost >= 0 && cost <= GAIN_MAX);
	f->g = g;
	f->k = k;
	f->cap = cap;
	f->part = part;
	f->cost = cost;
	f->conn = s->conn;
	f->heap = s->heap;
	f->pos = s->pos;
	f->hsel = s->hsel;
	f->key = s->key;
	f->locked = s->locked;
	f->lock_list = s->lock_list;
	f->log_v = s->log_v;
	f->log_from = s->log_from;
	f->pass = 1;
	f->nlocked = f->nlog = f->best_len = f->raw_len = 0;
	f->run = f->best = f->raw_run = f->raw_max = 0;
	f->limit = g->n / 32 > 25 ? g->n / 32 : 25;
	f->deadline = f->t_best = 0;
	f->out_of_time = false;
	f->changed = NULL;
	f->ctx = NULL;
	f->pull = NULL;
	f->pull_bonus = 0;
	f->unlock_pos = 0;
	f->unlocking = false;
	f->over = 0;
	f->cut = 0;
	memset(f->size, 0, sizeof(f->size));
	memset(f->hn, 0, sizeof(f->hn));
	f->init_phase = 0;
	f->init_pos = 0;
}

bool fm_init_step(struct fm *f, u64 deadline)
{
	const struct coh_view *g = f->g;
	u32 k = f->k;

	/* Phase 0: connections and sizes; phase 1: gains, heaps and the cut. 16 nodes between
	 * clock reads. */
	while (f->init_phase < 2) {
		if (f->init_pos == g->n) {
			if (f->init_phase == 0)
				for (u32 p = 0; p < k; p++)
					f->over += f->size[p] > f->cap[p];
			f->init_phase++;
			f->init_pos = 0;
			continue;
		}
		if (deadline && (f->init_pos & 15) == 0 && hal_now_ns() >= deadline)
			return false;
		u32 v = f->init_pos++;
		u64 *c = f->conn + (u64)v * k;
		if (f->init_phase == 0) {
			CHECK(f->part[v] < k);
			f->size[f->part[v]] += fm_vw(f, v);
			f->pos[v] = COH_NIL;
			f->locked[v] = 0;
			memset(c, 0, k * sizeof(c[0]));
			u64 work = 1 + k; /* counted once per node (see coh_cut in graph.c) */
			for (u32 h = g->head[v]; h != COH_NIL; h = g->next[h]) {
				c[f->part[g->to[h]]] += g->w[h >> g->wshift];
				work++;
			}
			coh_work_units += work;
		} else {
			fm_update(f, v);
			for (u32 p = 0; p < k; p++)
				if (p != f->part[v])
					f->cut += c[p]; /* twice the cut, halved below */
		}
	}
	if (f->init_phase == 2) {
		f->cut /= 2;
		f->init_phase = 3;
	}
	return true;
}

void fm_init(struct fm *f, struct fm_store *s, const struct coh_view *g, u32 k, const u32 *cap,
	     u8 *part, i64 cost)
{
	fm_init_begin(f, s, g, k, cap, part, cost);
	fm_init_step(f, 0);
}

i64 fm_move(struct fm *f, u32 v, u32 t)
{
	const struct coh_view *g = f->g;
	u32 from = f->part[v], vw = fm_vw(f, v);
	u64 *cv = f->conn + (u64)v * f->k;
	i64 raw = (i64)cv[t] - (i64)cv[from];

	CHECK(t < f->k && t != from);
	if (f->pos[v] != COH_NIL)
		heap_remove(f, v);
	f->over -= f->size[from] > f->cap[from];
	f->over -= f->size[t] > f->cap[t];
	f->size[from] -= vw;
	f->size[t] += vw;
	f->over += f->size[from] > f->cap[from];
	f->over += f->size[t] > f->cap[t];
	f->part[v] = (u8)t;
	for (u32 h = g->head[v]; h != COH_NIL; h = g->next[h]) {
		u32 u = g->to[h];
		u64 w = g->w[h >> g->wshift];
		u64 *cu = f->conn + (u64)u * f->k;
		cu[from] -= w;
		cu[t] += w;
		coh_work_units++;
		fm_update(f, u);
	}
	fm_update(f, v);
	f->cut -= (u64)raw; /* raw <= the cut: it only counts edges that cross */
	return raw;
}

/* Most connected part other than @v's own that can take it; COH_NIL if none. */
static u32 target(const struct fm *f, u32 v, bool may_overfill)
{
	u32 own = f->part[v], vw = fm_vw(f, v), best = COH_NIL;

	for (u32 t = 0; t < f->k; t++) {
		if (t == own)
			continue;
		/* Over-filling lets a full part take one node it must then pass on. */
		u32 room = f->cap[t] + (may_overfill ? vw : 0);
		if (f->size[t] + vw > room)
			continue;
		if (best == COH_NIL || value(f, v, t) > value(f, v, best) ||
		    (value(f, v, t) == value(f, v, best) && f->size[t] < f->size[best]))
			best = t;
	}
	return best;
}

static void lock(struct fm *f, u32 v)
{
	if (f->pos[v] != COH_NIL)
		heap_remove(f, v);
	f->locked[v] = f->pass;
	f->lock_list[f->nlocked++] = v;
}

/* Top of the heaps a move may come from: over-full parts only while any part is over. */
static u32 pick(const struct fm *f)
{
	u32 best = COH_NIL;

	for (u32 hp = 0; hp < 2 * f->k; hp++) {
		u32 p = hp / 2;
		/* Balanced: boundary nodes only. Over-full: any node of an over-full part. */
		if (f->hn[hp] == 0 || (f->over ? f->size[p] <= f->cap[p] : hp & 1))
			continue;
		u32 v = f->heap[(u64)hp * COH_MAX_NODES];
		if (best == COH_NIL || above(f, v, best))
			best = v;
	}
	return best;
}

bool fm_balance(struct fm *f)
{
	while (f->over) {
		u32 v = pick(f), t = COH_NIL;
		if (v == COH_NIL) {
			/* An over-full part with no boundary node: take any node of it. */
			for (u32 u = 0; u < f->g->n && v == COH_NIL; u++)
				if (f->size[f->part[u]] > f->cap[f->part[u]] &&
				    f->locked[u] != f->pass)
					v = u;
			coh_work_units += f->g->n;
			if (v == COH_NIL)
				return false;
		}
		t = target(f, v, false);
		if (t == COH_NIL)
			return false; /* too heavy for any part's room (coarse levels only) */
		fm_move(f, v, t);
	}
	return true;
}

static bool time_is_up(struct fm *f)
{
	if (f->out_of_time)
		return true;
	if (!f->deadline)
		return false;
	u64 now = hal_now_ns();
	/* Leave as much time as the moves since the best prefix took, to roll them back. */
	u64 back = now > f->t_best ? now - f->t_best : 0;
	if (now >= f->deadline || back >= f->deadline - now)
		f->out_of_time = true;
	return f->out_of_time;
}

enum fm_end fm_run(struct fm *f)
{
	CHECK(!f->unlocking);
	/* The reserve counts from here: a pass resumed from an earlier call (the multilevel job's)
	 * is not rolled back at this deadline. */
	if (f->deadline)
		f->t_best = hal_now_ns();
	for (;;) {
		if (f->nlog - f->best_len >= f->limit)
			return FM_PASS_DONE;
		if (time_is_up(f))
			return FM_OUT_OF_TIME;
		u32 v = pick(f);
		if (v == COH_NIL)
			return FM_PASS_DONE;
		u32 t = target(f, v, f->over == 0);
		if (t == COH_NIL) {
			lock(f, v); /* nowhere to go this pass */
			continue;
		}
		u32 from = f->part[v];
		lock(f, v);
		i64 raw = fm_move(f, v, t);
		f->log_v[f->nlog] = v;
		f->log_from[f->nlog] = (u8)from;
		f->nlog++;
		f->run = sat_add(f->run, value(f, v, t) - value(f, v, from) - f->cost);
		f->raw_run = sat_add(f->raw_run, raw);
		if (f->over == 0) {
			if (f->raw_run > f->raw_max) {
				f->raw_max = f->raw_run;
				f->raw_len = f->nlog;
			}
			if (f->run > f->best) {
				f->best = f->run;
				f->best_len = f->nlog;
				if (f->deadline)
					f->t_best = hal_now_ns();
			}
		}
	}
}

void fm_rollback(struct fm *f)
{
	while (f->nlog > f->best_len) {
		f->nlog--;
		fm_move(f, f->log_v[f->nlog], f->log_from[f->nlog]);
	}
	f->nlog = f->best_len = f->raw_len = 0;
	f->run = f->best = f->raw_run = f->raw_max = 0;
}

void fm_new_pass(struct fm *f)
{
	CHECK(f->nlog == 0 && f->unlock_pos == 0);
	f->pass++;
	if (f->pass == 0) { /* wrapped: no stamp may match the new pass by accident */
		for (u32 v = 0; v < f->g->n; v++)
			f->locked[v] = 0;
		f->pass = 1;
	}
	/* Nodes on the list are unlocked from now on (their stamp is old): a neighbour's move
	 * may put one back in a heap before fm_unlock reaches it, which is harmless. */
	f->unlock_pos = 0;
	f->unlocking = f->nlocked > 0;
}

void fm_refresh_all(struct fm *f)
{
	CHECK(f->nlog == 0);
	/* An unlock under way is replaced: every node is on the new list. */
	f->unlock_pos = 0;
	f->nlocked = 0;
	fm_new_pass(f);
	for (u32 v = 0; v < f->g->n; v++)
		f->lock_list[v] = v;
	f->nlocked = f->g->n;
	f->unlock_pos = 0;
	f->unlocking = f->nlocked > 0;
}

bool fm_unlock(struct fm *f, u64 deadline)
{
	while (f->unlock_pos < f->nlocked) {
		if (deadline && (f->unlock_pos & 7) == 0 && hal_now_ns() >= deadline)
			return false;
		fm_update(f, f->lock_list[f->unlock_pos++]);
	}
	f->nlocked = f->unlock_pos = 0;
	f->unlocking = false;
	return true;
}

u64 fm_cut(const struct fm *f)
{
	u64 twice = 0;

	coh_work_units += (u64)f->g->n;
	for (u32 v = 0; v < f->g->n; v++) {
		const u64 *c = f->conn + (u64)v * f->k;
		for (u32 p = 0; p < f->k; p++)
			if (p != f->part[v])
				twice += c[p];
	}
	return twice / 2;
}

bool fm_check(const struct fm *f)
{
	const struct coh_view *g = f->g;
	u32 size[COH_MAX_PARTS] = { 0 };
	u64 twice = 0;

	for (u32 v = 0; v < g->n; v++) {
		u64 c[COH_MAX_PARTS] = { 0 };
		size[f->part[v]] += fm_vw(f, v);
		for (u32 h = g->head[v]; h != COH_NIL; h = g->next[h]) {
			c[f->part[g->to[h]]] += g->w[h >> g->wshift];
			if (f->part[g->to[h]] != f->part[v])
				twice += g->w[h >> g->wshift];
		}
		bool boundary = false;
		for (u32 p = 0; p < f->k; p++) {
			if (c[p] != f->conn[(u64)v * f->k + p])
				return false;
			boundary |= p != f->part[v] && c[p] > 0;
		}
		if (f->locked[v] == f->pass) {
			if (f->pos[v] != COH_NIL)
				return false;
			continue;
		}
		if (f->unlocking) /* nodes waiting for fm_unlock may be out of the heaps */
			continue;
		bool pulled; /* the pull counts too: best_gain says what is boundary */
		i64 gain = best_gain(f, v, &pulled);
		u32 hp = 2 * f->part[v] + !(boundary || pulled);
		if (f->pos[v] == COH_NIL || f->hsel[v] != hp || f->pos[v] >= f->hn[hp] ||
		    f->heap[(u64)hp * COH_MAX_NODES + f->pos[v]] != v || f->key[v] != gain)
			return false;
	}
	u32 over = 0;
	for (u32 p = 0; p < f->k; p++) {
		if (size[p] != f->size[p])
			return false;
		over += size[p] > f->cap[p];
		for (u32 i = 1; i < f->hn[2 * p]; i++) /* heap order */
			if (above(f, f->heap[(u64)2 * p * COH_MAX_NODES + i],
				  f->heap[(u64)2 * p * COH_MAX_NODES + (i - 1) / 2]))
				return false;
	}
	return over == f->over && twice / 2 == f->cut;
}
