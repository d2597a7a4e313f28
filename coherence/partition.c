/*
 * The partitioner (see cohgraph.h). Local search in the style of Fiduccia and Mattheyses
 * (1982): keep, for every node and part, the weight from the node into that part; apply the
 * single move with the highest positive gain that fits the target's capacity, else the pair
 * swap with the highest positive gain; repeat until neither exists. Each step lowers the cut,
 * so the search ends, and never returns worse than it started. It runs twice, from the given
 * placement and from a heavy-edge greedy seed, and the lower cut wins.
 * Cost: O(n^2) to build each search's tables and for the seed; then O(n k) per move and
 * O(n^2) per swap search, per improving step. Cuts come from the tables in O(n k).
 */
#include <ruvix/check.h>
#include <ruvix/cohgraph.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>

struct search {
	const struct coh_graph *g;
	u32 parts;
	const u32 *cap;
	u8 place[COH_MAX_NODES];
	u32 size[COH_MAX_PARTS];
	u64 into[COH_MAX_NODES][COH_MAX_PARTS]; /* weight from node i into part p */
	u64 deadline;				/* hal_now_ns bound, 0 for none */
	bool out_of_time;
};

static void prepare(struct search *s, const u8 *place)
{
	const struct coh_graph *g = s->g;

	memcpy(s->place, place, g->n);
	memset(s->size, 0, sizeof(s->size));
	for (u32 i = 0; i < g->n; i++) {
		s->size[place[i]]++;
		for (u32 p = 0; p < s->parts; p++)
			s->into[i][p] = 0;
	}
	for (u32 i = 0; i < g->n; i++)
		for (u32 j = 0; j < g->n; j++)
			s->into[i][place[j]] += g->w[i][j];
	coh_work_units += (u64)g->n * g->n;
}

static void move(struct search *s, u32 i, u32 to)
{
	const struct coh_graph *g = s->g;
	u32 from = s->place[i];

	coh_work_units += g->n;
	for (u32 j = 0; j < g->n; j++) {
		s->into[j][from] -= g->w[j][i];
		s->into[j][to] += g->w[j][i];
	}
	s->size[from]--;
	s->size[to]++;
	s->place[i] = (u8)to;
}

/* Cut of the search's placement, from its tables: O(n k), not O(n^2). */
static u64 cut_of(const struct search *s)
{
	u64 twice = 0;

	coh_work_units += (u64)s->g->n * s->parts;
	for (u32 i = 0; i < s->g->n; i++)
		for (u32 p = 0; p < s->parts; p++)
			if (p != s->place[i])
				twice += s->into[i][p];
	return twice / 2; /* each cut edge counted from both ends */
}

static bool time_is_up(struct search *s)
{
	if (s->deadline && hal_now_ns() >= s->deadline)
		s->out_of_time = true;
	return s->out_of_time;
}

/* One improving step; false when there is none (or no time). */
static bool improve(struct search *s)
{
	const struct coh_graph *g = s->g;
	i64 best = 0;
	u32 bi = 0, bt = 0, bj = 0;
	bool swap = false;

	if (time_is_up(s))
		return false;
	coh_work_units += (u64)g->n * s->parts;
	for (u32 i = 0; i < g->n; i++) {
		u32 from = s->place[i];
		for (u32 t = 0; t < s->parts; t++) {
			if (t == from || s->size[t] >= s->cap[t])
				continue;
			i64 gain = (i64)s->into[i][t] - (i64)s->into[i][from];
			if (gain > best) {
				best = gain;
				bi = i;
				bt = t;
			}
		}
	}
	if (best == 0) {
		/* No single move helps (or fits): try exchanging two nodes of different parts. */
		for (u32 i = 0; i < g->n; i++) {
			if ((i & 15) == 0 && time_is_up(s))
				return false;
			u32 a = s->place[i];
			coh_work_units += g->n - i - 1;
			for (u32 j = i + 1; j < g->n; j++) {
				u32 b = s->place[j];
				if (a == b)
					continue;
				i64 gain = (i64)s->into[i][b] - (i64)s->into[i][a] +
					   (i64)s->into[j][a] - (i64)s->into[j][b] -
					   2 * (i64)g->w[i][j];
				if (gain > best) {
					best = gain;
					bi = i;
					bj = j;
					swap = true;
				}
			}
		}
		if (best == 0)
			return false;
	}
	if (swap) {
		u32 a = s->place[bi], b = s->place[bj];
		move(s, bi, b);
		move(s, bj, a);
	} else {
		move(s, bi, bt);
	}
	return true;
}

/*
 * Greedy growth seed: fill the parts one after another, each starting from the unplaced node
 * with the most traffic overall and then taking the unplaced node most connected to what the
 * part already holds, up to an even share of the nodes (or the part's capacity). O(n^2):
 * @total holds each node's traffic.
 */
static void greedy_seed(const struct coh_graph *g, u32 parts, const u32 *cap, const u64 *total,
			u8 *place)
{
	bool placed[COH_MAX_NODES];
	u64 link[COH_MAX_NODES];
	u32 left = g->n;

	memset(placed, 0, g->n * sizeof(placed[0])); /* only n entries: small graphs stay cheap */

	for (u32 p = 0; p < parts && left > 0; p++) {
		u32 share = (left + (parts - p) - 1) / (parts - p);
		u32 room = share < cap[p] ? share : cap[p];
		memset(link, 0, g->n * sizeof(link[0]));
		for (u32 taken = 0; taken < room && left > 0; taken++) {
			u32 pick = COH_MAX_NODES;
			u64 best = 0;
			coh_work_units += 2 * (u64)g->n;
			for (u32 v = 0; v < g->n; v++) {
				if (placed[v])
					continue;
				/* A fresh part: the busiest node leads it. */
				u64 score = taken == 0 ? total[v] : link[v];
				if (pick == COH_MAX_NODES || score > best) {
					pick = v;
					best = score;
				}
			}
			CHECK(pick < COH_MAX_NODES); /* left > 0: an unplaced node exists */
			placed[pick] = true;
			place[pick] = (u8)p;
			left--;
			for (u32 v = 0; v < g->n; v++)
				link[v] += g->w[v][pick];
		}
	}
	/* Capacities smaller than the even share leave nodes over: first part with room. */
	for (u32 v = 0, p = 0; v < g->n; v++) {
		if (placed[v])
			continue;
		u32 size = 0;
		for (;;) {
			size = 0;
			for (u32 u = 0; u < g->n; u++)
				size += placed[u] && place[u] == p;
			if (size < cap[p])
				break;
			p++;
			CHECK(p < parts);
		}
		place[v] = (u8)p;
		placed[v] = true;
	}
}

#ifndef COH_NOINIT
#define COH_NOINIT
#endif
/* Large: kept out of the stack, and (on bare metal) out of the memory boot zeroes. prepare()
 * sets every field a search reads. */
static struct search run_a COH_NOINIT, run_b COH_NOINIT;

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

	u64 now = hal_now_ns();
	/* Saturate: a budget past the end of time means "no deadline", not an early one. */
	u64 deadline = !budget_ns ? 0 : budget_ns > ~0ull - now ? ~0ull : now + budget_ns;
	struct search *a = &run_a, *b = &run_b;
	a->g = b->g = g;
	a->parts = b->parts = parts;
	a->cap = b->cap = cap;
	a->deadline = b->deadline = deadline;
	a->out_of_time = b->out_of_time = false;

	prepare(a, place);
	u64 start_cut = cut_of(a);
	while (improve(a))
		;
	const u8 *best = a->place;
	u64 best_cut = cut_of(a);
	/* Only the search from the given placement decides staleness: the seeded search is an
	 * extra that uses whatever budget is left, and its best so far is a valid placement. */
	bool stale = a->out_of_time;
	if (!stale && !time_is_up(a)) { /* no seed (O(n^2 k)) once the budget is spent */
		static u64 total[COH_MAX_NODES];
		u8 seed[COH_MAX_NODES];
		coh_work_units += (u64)g->n * parts;
		for (u32 i = 0; i < g->n; i++) { /* moves keep a node's total: a's tables have it */
			total[i] = 0;
			for (u32 p = 0; p < parts; p++)
				total[i] += a->into[i][p];
		}
		greedy_seed(g, parts, cap, total, seed);
		prepare(b, seed);
		while (improve(b))
			;
		u64 cut_b = cut_of(b);
		if (cut_b < best_cut) {
			best = b->place;
			best_cut = cut_b;
		}
	}
	CHECK(best_cut <= start_cut);
	if (best_cut < start_cut)
		memcpy(place, best, g->n);
	if (cut_before)
		*cut_before = start_cut;
	if (cut_after)
		*cut_after = best_cut < start_cut ? best_cut : start_cut;
	if (stale)
		return COH_STALE;
	return best_cut < start_cut ? COH_IMPROVED : COH_UNCHANGED;
}
