/*
 * The coherence graph: symmetric, decayed traffic weights between partitions, stored sparse.
 * Edge x joins to[2x+1] and to[2x] (its half-edge 2x is in the first end's list, 2x+1 in the
 * second's); the lists are doubly linked so an edge leaves in O(1). A hash of the unordered
 * pair finds an edge in O(1) expected (linear probing, backward-shift deletion: no tombstones).
 * Decay is lazy per edge: an edge's stamp says which decay period its weight is current for,
 * and coh_graph_catch_up applies the periods it missed.
 */
#include <ruvix/check.h>
#include <ruvix/cohgraph.h>
#include <ruvix/klib.h>

u64 coh_work_units;

_Static_assert((COH_HASH_SLOTS & (COH_HASH_SLOTS - 1)) == 0, "hash slots: a power of two");
_Static_assert(COH_HASH_SLOTS >= 2 * COH_MAX_EDGES, "hash at most half full");
_Static_assert(COH_MAX_EDGES < COH_NIL / 2, "half-edge numbers fit in u32");

void coh_graph_init(struct coh_graph *g, u32 n)
{
	CHECK(n <= COH_MAX_NODES);
	g->n = n;
	g->edges = g->used = 0;
	g->free = COH_NIL;
	g->decays = 0;
	g->shift = 1;
	g->dropped = 0;
	for (u32 i = 0; i < n; i++)
		g->head[i] = COH_NIL;
	memset(g->slot, 0, sizeof(g->slot));
}

static u32 hash_of(u32 a, u32 b)
{
	if (a > b) {
		u32 t = a;
		a = b;
		b = t;
	}
	u64 h = ((u64)a << 32 | b) * 0x9e3779b97f4a7c15ull;
	return (u32)(h >> 40) & (COH_HASH_SLOTS - 1);
}

static bool joins(const struct coh_graph *g, u32 x, u32 a, u32 b)
{
	u32 p = g->to[2 * x + 1], q = g->to[2 * x];
	return (p == a && q == b) || (p == b && q == a);
}

u32 coh_graph_find(const struct coh_graph *g, u32 a, u32 b)
{
	for (u32 s = hash_of(a, b);; s = (s + 1) & (COH_HASH_SLOTS - 1)) {
		coh_work_units++;
		u32 x = g->slot[s];
		if (x == 0)
			return COH_NIL;
		if (joins(g, x - 1, a, b))
			return x - 1;
	}
}

static void link_half(struct coh_graph *g, u32 v, u32 h)
{
	g->prev[h] = COH_NIL;
	g->next[h] = g->head[v];
	if (g->head[v] != COH_NIL)
		g->prev[g->head[v]] = h;
	g->head[v] = h;
}

static void unlink_half(struct coh_graph *g, u32 v, u32 h)
{
	if (g->prev[h] != COH_NIL)
		g->next[g->prev[h]] = g->next[h];
	else
		g->head[v] = g->next[h];
	if (g->next[h] != COH_NIL)
		g->prev[g->next[h]] = g->prev[h];
}

u32 coh_graph_edge(struct coh_graph *g, u32 a, u32 b)
{
	CHECK(a < g->n && b < g->n && a != b);
	u32 x = coh_graph_find(g, a, b);
	if (x != COH_NIL)
		return x;
	if (g->free != COH_NIL) {
		x = g->free;
		g->free = g->stamp[x];
	} else if (g->used < COH_MAX_EDGES) {
		x = g->used++;
	} else {
		return COH_NIL;
	}
	g->to[2 * x] = b; /* half-edge 2x is a's: it leads to b */
	g->to[2 * x + 1] = a;
	g->w[x] = 0;
	g->stamp[x] = g->decays;
	link_half(g, a, 2 * x);
	link_half(g, b, 2 * x + 1);
	u32 s = hash_of(a, b);
	while (g->slot[s])
		s = (s + 1) & (COH_HASH_SLOTS - 1);
	g->slot[s] = x + 1;
	g->edges++;
	coh_work_units += 4;
	return x;
}

void coh_graph_remove(struct coh_graph *g, u32 x)
{
	u32 a = g->to[2 * x + 1], b = g->to[2 * x];
	u32 s = hash_of(a, b);

	CHECK(g->w[x] == 0);
	while (g->slot[s] != x + 1)
		s = (s + 1) & (COH_HASH_SLOTS - 1);
	/* Backward-shift deletion: move later entries of the probe run into the hole when their
	 * home slot does not lie (cyclically) between the hole and them. */
	for (u32 hole = s, t = (s + 1) & (COH_HASH_SLOTS - 1);;
	     t = (t + 1) & (COH_HASH_SLOTS - 1)) {
		u32 y = g->slot[t];
		if (y == 0) {
			g->slot[hole] = 0;
			break;
		}
		u32 home = hash_of(g->to[2 * (y - 1) + 1], g->to[2 * (y - 1)]);
		bool stays = hole <= t ? (home > hole && home <= t) : (home > hole || home <= t);
		if (!stays) {
			g->slot[hole] = y;
			hole = t;
		}
	}
	unlink_half(g, a, 2 * x);
	unlink_half(g, b, 2 * x + 1);
	g->to[2 * x] = g->to[2 * x + 1] = COH_NIL; /* a free slot (the decay sweep skips it) */
	g->stamp[x] = g->free;
	g->free = x;
	g->edges--;
	coh_work_units += 4;
}

u64 coh_decayed(u64 w, u32 shift, u32 periods)
{
	if (periods == 0) /* the common case: an edge already at the graph's period */
		return w;
	if (shift == 1)
		return periods >= 64 ? 0 : w >> periods;
	if (periods >= (64u << shift)) /* below 1 long before: a weight is at most 2^48 */
		return 0;
	/* w -= ceil(w / 2^shift): a weight below 2^shift still goes, so idle edges end. */
	for (u32 i = 0; i < periods && w; i++)
		w -= (w + (1ull << shift) - 1) >> shift;
	return w;
}

u64 coh_graph_catch_up(struct coh_graph *g, u32 x)
{
	u32 missed = g->decays - g->stamp[x];
	if (missed == 0)
		return 0;
	u64 old = g->w[x];
	g->w[x] = coh_decayed(old, g->shift, missed);
	g->stamp[x] = g->decays;
	coh_work_units++;
	return old - g->w[x];
}

u64 coh_graph_weight(const struct coh_graph *g, u32 a, u32 b)
{
	u32 x = coh_graph_find(g, a, b);
	return x == COH_NIL ? 0 : coh_decayed(g->w[x], g->shift, g->decays - g->stamp[x]);
}

void coh_graph_add(struct coh_graph *g, u32 a, u32 b, u64 weight)
{
	u32 x = coh_graph_edge(g, a, b);
	if (x == COH_NIL) {
		g->dropped += weight;
		return;
	}
	coh_graph_catch_up(g, x);
	u64 w = g->w[x];
	g->w[x] = weight > COH_WEIGHT_MAX - w ? COH_WEIGHT_MAX : w + weight;
	if (g->w[x] == 0)
		coh_graph_remove(g, x);
}

void coh_graph_decay(struct coh_graph *g, u32 shift)
{
	CHECK(shift >= 1 && shift < 64);
	/* Edges first catch up with the old shift, then one period of the new one. */
	for (u32 v = 0; v < g->n; v++)
		for (u32 h = g->head[v], nx; h != COH_NIL; h = nx) {
			nx = g->next[h];
			if (h & 1)
				continue; /* each edge once, from its first end */
			coh_graph_catch_up(g, h >> 1);
		}
	g->shift = shift;
	g->decays++;
	for (u32 v = 0; v < g->n; v++)
		for (u32 h = g->head[v], nx; h != COH_NIL; h = nx) {
			nx = g->next[h];
			if (h & 1)
				continue;
			coh_graph_catch_up(g, h >> 1);
			if (g->w[h >> 1] == 0)
				coh_graph_remove(g, h >> 1);
		}
}

u64 coh_cut(const struct coh_graph *g, const u8 *place)
{
	u64 cut = 0, work = 0;

	/* work counted locally: a store to the global per edge may alias the graph's arrays,
	 * which kept the compiler from holding anything in registers (no clock read in here). */
	for (u32 v = 0; v < g->n; v++)
		for (u32 h = g->head[v]; h != COH_NIL; h = g->next[h]) {
			work++;
			u32 u = g->to[h], x = h >> 1;
			if (!(h & 1) && place[v] != place[u])
				cut += coh_decayed(g->w[x], g->shift, g->decays - g->stamp[x]);
		}
	coh_work_units += work;
	return cut;
}

void coh_graph_view(const struct coh_graph *g, struct coh_view *v)
{
	v->n = g->n;
	v->head = g->head;
	v->next = g->next;
	v->to = g->to;
	v->w = g->w;
	v->wshift = 1;
	v->vw = NULL;
}
