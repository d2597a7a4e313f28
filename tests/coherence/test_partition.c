/*
 * The coherence partitioner: never worse than its start, within 5 % of the exact optimum on
 * small graphs (brute force), capacities kept, the DC-2 budget honoured.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <ruvix/cohfm.h>
#include <ruvix/cohgraph.h>

#include "coherence_quality.h"
#include "test_hal.h"

static struct coh_graph g;
static u64 rng = 0x243f6a8885a308d3ull;

static u64 next(void)
{
	return quality_next(&rng);
}

static void make_graph(u32 n, bool clustered)
{
	quality_graph(&g, n, clustered, &rng);
}

/* A valid starting placement: round robin, as naive placement does. */
static void round_robin(u32 parts, u8 *place)
{
	for (u32 i = 0; i < g.n; i++)
		place[i] = (u8)(i % parts);
}

Test(coherence, within_five_percent_of_optimum_on_small_graphs, .timeout = 120)
{
	test_hal_reset();
	struct quality q = quality_run(); /* bench/coherence_quality.c: 144 graphs, brute force */
	cr_log_info("%u graphs: mean cut / optimum = %.4f, worst %.4f", q.graphs, q.mean_ratio,
		    q.worst_ratio);
	cr_assert_eq(q.graphs, 144);
	cr_assert_geq(q.mean_ratio, 1.0, "below the optimum: the brute force is wrong");
	cr_assert_leq(q.mean_ratio, 1.05, "mean cut is %.2f %% above the optimum",
		      (q.mean_ratio - 1) * 100);
}

Test(coherence, never_worse_than_the_start_and_capacities_kept)
{
	test_hal_reset();
	for (int k = 0; k < 200; k++) {
		u32 n = 4 + (u32)(next() % 40), parts = 2 + (u32)(next() % 3), cap[COH_MAX_PARTS];
		u8 place[COH_MAX_NODES];
		for (u32 p = 0; p < parts; p++)
			cap[p] = (n + parts - 1) / parts + (u32)(next() % 3);
		make_graph(n, k & 1);
		/* A random valid start. */
		u32 size[COH_MAX_PARTS] = { 0 };
		for (u32 i = 0; i < n; i++) {
			u32 p = (u32)(next() % parts);
			while (size[p] >= cap[p])
				p = (p + 1) % parts;
			place[i] = (u8)p;
			size[p]++;
		}
		u64 before = coh_cut(&g, place);
		enum coh_result r = coh_partition(&g, parts, cap, place, 0);
		u64 after = coh_cut(&g, place);
		cr_assert_leq(after, before);
		cr_assert_eq(r, after < before ? COH_IMPROVED : COH_UNCHANGED);
		memset(size, 0, sizeof(size));
		for (u32 i = 0; i < n; i++)
			cr_assert_leq(++size[place[i]], cap[place[i]], "part %u over capacity",
				      place[i]);
	}
}

Test(coherence, out_of_budget_keeps_the_best_so_far)
{
	u32 cap[2] = { 32, 32 };
	u8 place[COH_MAX_NODES], start[COH_MAX_NODES];

	test_hal_reset();
	make_graph(64, true);
	round_robin(2, place);
	memcpy(start, place, 64);
	u64 before = coh_cut(&g, place);
	/* Every clock read costs 1 us against a 5 us budget: the search stops early. */
	test_hal.tick_per_read = 1000;
	enum coh_result r = coh_partition(&g, 2, cap, place, 5000);
	cr_assert_eq(r, COH_STALE);
	cr_assert_leq(coh_cut(&g, place), before, "a stale result is never worse");
	/* A budget that would wrap the clock is no deadline at all. */
	test_hal.tick_per_read = 0;
	test_hal.now_ns = 1000;
	memcpy(place, start, 64);
	cr_assert_eq(coh_partition(&g, 2, cap, place, ~0ull - 10), COH_IMPROVED);
	/* With time to spare the same search does better still. */
	test_hal.tick_per_read = 0;
	memcpy(place, start, 64);
	cr_assert_eq(coh_partition(&g, 2, cap, place, 5000), COH_IMPROVED);
}

/* Anytime: at every budget the result is never worse than the start, capacities hold, and a
 * stale result is the start itself or better. */
Test(coherence, every_budget_gives_a_valid_result_never_worse)
{
	u32 cap[2] = { 32, 32 };
	u8 start[COH_MAX_NODES], place[COH_MAX_NODES];

	test_hal_reset();
	make_graph(64, true);
	round_robin(2, start);
	test_hal.tick_per_read = 1; /* the clock counts its own reads */
	u64 t0 = test_hal.now_ns;
	memcpy(place, start, 64);
	cr_assert_eq(coh_partition(&g, 2, cap, place, 1ull << 60), COH_IMPROVED);
	u64 full_reads = test_hal.now_ns - t0, best = coh_cut(&g, place);
	u32 stale = 0;
	for (u64 budget = 1; budget <= 2 * full_reads + 2; budget += 1 + budget / 64) {
		memcpy(place, start, 64);
		enum coh_result r = coh_partition(&g, 2, cap, place, budget);
		u64 c = coh_cut(&g, place);
		stale += r == COH_STALE;
		cr_assert_leq(c, coh_cut(&g, start));
		cr_assert_eq(r == COH_UNCHANGED || r == COH_STALE, c == coh_cut(&g, start));
		u32 size[2] = { 0 };
		for (u32 i = 0; i < 64; i++)
			cr_assert_leq(++size[place[i]], 32);
		/* FM keeps time to roll back as many moves as it made since its best prefix, so
		 * twice a full run's time always gives the full result. */
		if (budget > 2 * full_reads)
			cr_assert_eq(c, best, "with the time of a full run, the full result");
	}
	memcpy(place, start, 64);
	cr_assert_eq(coh_partition(&g, 2, cap, place, 2 * full_reads + 1), COH_IMPROVED);
	cr_assert_eq(coh_cut(&g, place), best, "twice a full run's time: the full result");
	cr_assert_gt(stale, 0, "small budgets run out");
}

Test(coherence, graph_is_symmetric_and_decays)
{
	coh_graph_init(&g, 3);
	coh_graph_add(&g, 0, 2, 1000);
	coh_graph_add(&g, 2, 0, 24);
	cr_assert_eq(coh_graph_weight(&g, 0, 2), 1024);
	cr_assert_eq(coh_graph_weight(&g, 2, 0), 1024);
	coh_graph_decay(&g, 1);
	cr_assert_eq(coh_graph_weight(&g, 0, 2), 512);
	u8 same[3] = { 0, 1, 0 }, split[3] = { 0, 1, 1 };
	cr_assert_eq(coh_cut(&g, same), 0);
	cr_assert_eq(coh_cut(&g, split), 512);
	coh_graph_add(&g, 0, 2, ~0ull);
	coh_graph_add(&g, 2, 0, ~0ull);
	cr_assert_eq(coh_graph_weight(&g, 0, 2), COH_WEIGHT_MAX,
		     "weights saturate instead of wrapping");
	cr_assert_eq(coh_graph_weight(&g, 2, 0), COH_WEIGHT_MAX);
}

/* FM on its own: a pass goes on through negative gains, then rolls back to its best balanced
 * prefix, so the cut it returns is never above the one it started from, and capacities hold
 * (a move may over-fill a part only inside the pass). Tight capacities (every part full) too. */
Test(coherence, fm_rollback_never_returns_a_worse_cut)
{
	static struct fm f;
	static struct fm_store store;
	struct coh_view v;
	u32 improved = 0;

	test_hal_reset();
	for (int k = 0; k < 300; k++) {
		u32 n = 8 + (u32)(next() % 60), parts = 2 + (u32)(next() % 3), cap[COH_MAX_PARTS];
		u8 place[COH_MAX_NODES];
		bool tight = k % 3 == 0;
		for (u32 p = 0; p < parts; p++)
			cap[p] = (n + parts - 1) / parts + (tight ? 0 : 1 + (u32)(next() % 3));
		make_graph(n, k & 1);
		for (u32 i = 0; i < n; i++)
			place[i] = (u8)(i % parts);
		u64 start = coh_cut(&g, place);
		coh_graph_view(&g, &v);
		fm_init(&f, &store, &v, parts, cap, place, (i64)(next() % 3));
		cr_assert_eq(f.cut, start);
		for (int pass = 0; pass < 4; pass++) {
			u64 before = f.cut;
			fm_run(&f);
			fm_rollback(&f);
			cr_assert_leq(f.cut, before,
				      "graph %d pass %d: the rollback left a worse cut", k, pass);
			cr_assert_eq(f.over, 0, "graph %d: a part over capacity after the rollback",
				     k);
			fm_new_pass(&f);
			fm_unlock(&f, 0);
			cr_assert(fm_check(&f), "graph %d: tables differ from a rebuild", k);
		}
		cr_assert_eq(f.cut, coh_cut(&g, place));
		improved += f.cut < start;
	}
	cr_assert_gt(improved, 200, "FM improves most round-robin starts");
}
