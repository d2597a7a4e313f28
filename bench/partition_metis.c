/*
 * bench-partition-metis: the coherence partitioner beside METIS 5.1 (Debian's libmetis), on
 * the same graphs, with the same capacity bound, in one process (issue 11's peer figures).
 *
 *   usage: bench-partition-metis MACHINE-DESCRIPTION [--reps R]
 *
 * Graph families, each with a fixed seed: random geometric (points in the unit square joined
 * within a radius giving about 8 neighbours, weight falling with distance), a 2-D grid (4
 * neighbours, unit weights with a heavier band every 8th row), and power-law (preferential
 * attachment, 3 edges per new node, weights 1..1000). n = 16, 64, 256 and, in a build with
 * more partitions (meson -Dmax_partitions=4096), 1,024 and 4,096; k = 2, 4, 8. Both start
 * from scratch: ours from the round-robin placement (node i on part i mod k) with no time
 * budget, METIS from nothing. The bound: each part holds at most ceil(1.03 n / k) nodes, which
 * is METIS's default imbalance (ubvec 1.03) for unit vertex weights; METIS's placements are
 * checked against it and counted when they exceed it.
 *
 * Prints one JSON object per figure: partition_cut_vs_metis and partition_time_vs_metis per
 * family and n (geometric mean over k, with each k), and over all families per n. Time is the
 * median of R runs (default 5) of each partitioner on the host's monotonic clock.
 *
 * Then the live engine (coh_engine_epoch with the DC-2 budget of 50 us on this host's clock),
 * k = 4, the geometric family: its graph is fed whole, epochs run until its multilevel job's
 * placement is in force (cold_start_epochs), then for 10 epochs 5 % of the edges get more
 * weight (up to their own again) before each. Per n: incremental_epoch_ns (median and max of
 * those 10), budget_overrun_ns (max minus the budget) and incremental_cut_vs_metis (the
 * engine's cut after them over METIS's on the same graph).
 */
#include <math.h>
#include <metis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ruvix/coherence.h>

#define MAX_EDGES_PER_NODE 64

static struct coh_graph g;
static u8 place[COH_MAX_NODES];
static idx_t xadj[COH_MAX_NODES + 1], adjncy[2 * COH_MAX_EDGES], adjwgt[2 * COH_MAX_EDGES],
	part[COH_MAX_NODES];

static u64 rng_state;

static u64 rng(void)
{
	/* splitmix64: a fixed, portable sequence per seed */
	u64 z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(void)
{
	return (double)(rng() >> 11) / (double)(1ull << 53);
}

static void geometric(u32 n)
{
	static double x[COH_MAX_NODES], y[COH_MAX_NODES];
	double r = sqrt(8.0 / (3.14159265358979 * n)); /* about 8 neighbours on average */

	for (u32 i = 0; i < n; i++) {
		x[i] = uniform();
		y[i] = uniform();
	}
	for (u32 i = 0; i < n; i++)
		for (u32 j = i + 1; j < n; j++) {
			double d = hypot(x[i] - x[j], y[i] - y[j]);
			if (d < r)
				coh_graph_add(&g, i, j, 1 + (u64)(1000 * (1 - d / r)));
		}
}

static void grid(u32 n)
{
	u32 side = (u32)sqrt((double)n);

	while (side * side < n)
		side++;
	for (u32 i = 0; i < n; i++) {
		u32 row = i / side, col = i % side;
		if (col + 1 < side && i + 1 < n)
			coh_graph_add(&g, i, i + 1, row % 8 == 0 ? 10 : 1);
		if (i + side < n)
			coh_graph_add(&g, i, i + side, 1);
	}
}

static void powerlaw(u32 n)
{
	static u32 ends[COH_MAX_NODES * 8];
	u32 nends = 0;

	for (u32 i = 1; i < n; i++) {
		for (u32 e = 0; e < 3 && e < i; e++) {
			/* preferential attachment: an end of an existing edge, or any earlier node
			 */
			u32 j = nends && rng() % 4 ? ends[rng() % nends] : (u32)(rng() % i);
			if (j == i)
				continue;
			coh_graph_add(&g, i, j, 1 + rng() % 1000);
			if (nends + 2 <= sizeof(ends) / sizeof(ends[0])) {
				ends[nends++] = i;
				ends[nends++] = j;
			}
		}
	}
}

static const struct {
	const char *name;
	void (*make)(u32 n);
} families[] = { { "geometric", geometric }, { "grid", grid }, { "powerlaw", powerlaw } };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The cut of @place counted again, pair by pair (n <= 1,024) or edge by edge, not by coh_cut;
 * and the largest part. A check on both partitioners' results. */
static u64 recount(u32 n, u32 *largest)
{
	u32 size[COH_MAX_PARTS] = { 0 };
	u64 cut = 0;

	*largest = 0;
	for (u32 i = 0; i < n; i++)
		if (++size[place[i]] > *largest)
			*largest = size[place[i]];
	for (u32 i = 0; i < n; i++) {
		if (n <= 1024) {
			for (u32 j = i + 1; j < n; j++)
				if (place[i] != place[j])
					cut += coh_graph_weight(&g, i, j);
		} else {
			for (u32 h = g.head[i]; h != COH_NIL; h = g.next[h])
				if (g.to[h] > i && place[g.to[h]] != place[i])
					cut += g.w[h >> 1];
		}
	}
	return cut;
}

/* Our partitioner from round-robin: its cut, and the median time of @reps runs. */
static u64 ours(u32 n, u32 k, const u32 *cap, int reps, double *ns)
{
	double t[16];

	for (int r = 0; r < reps; r++) {
		for (u32 i = 0; i < n; i++)
			place[i] = (u8)(i % k);
		double t0 = now_ns();
		coh_partition(&g, k, cap, place, 0);
		t[r] = now_ns() - t0;
	}
	*ns = median(t, reps);
	u32 largest;
	u64 cut = recount(n, &largest);
	if (cut != coh_cut(&g, place) || largest > cap[0]) {
		fprintf(stderr,
			"bench-partition-metis: our placement at n %u k %u: cut %llu "
			"(coh_cut %llu), largest part %u of %u\n",
			n, k, (unsigned long long)cut, (unsigned long long)coh_cut(&g, place),
			largest, cap[0]);
		exit(1);
	}
	return cut;
}

/* METIS k-way on the same graph (CSR from its edge lists): its cut, the largest part, time. */
static u64 metis(u32 n, u32 k, int reps, double *ns, u32 *largest)
{
	idx_t nv = (idx_t)n, ncon = 1, nparts = (idx_t)k, objval = 0, options[METIS_NOPTIONS];
	real_t ub = 1.03f;
	idx_t m = 0;
	double t[16];

	for (u32 i = 0; i < n; i++) {
		xadj[i] = m;
		for (u32 h = g.head[i]; h != COH_NIL; h = g.next[h]) {
			adjncy[m] = (idx_t)g.to[h];
			adjwgt[m] = (idx_t)g.w[h >> 1];
			m++;
		}
	}
	xadj[n] = m;
	METIS_SetDefaultOptions(options);
	options[METIS_OPTION_SEED] = 1;
	for (int r = 0; r < reps; r++) {
		double t0 = now_ns();
		int e = METIS_PartGraphKway(&nv, &ncon, xadj, adjncy, NULL, NULL, adjwgt, &nparts,
					    NULL, &ub, options, &objval, part);
		t[r] = now_ns() - t0;
		if (e != METIS_OK) {
			fprintf(stderr, "bench-partition-metis: METIS failed (%d) at n %u k %u\n",
				e, n, k);
			exit(1);
		}
	}
	*ns = median(t, reps);
	for (u32 i = 0; i < n; i++)
		place[i] = (u8)part[i];
	u64 cut = recount(n, largest);
	if ((u64)objval != cut)
		fprintf(stderr, "bench-partition-metis: METIS says cut %lld, counted %llu\n",
			(long long)objval, (unsigned long long)cut);
	return cut;
}

static void ratio_line(const char *name, const char *family, u32 n, const double *by_k,
		       const char *machine, u32 over_cap)
{
	double logsum = 0;

	for (int i = 0; i < 3; i++)
		logsum += log(by_k[i]);
	printf("{\"name\": \"%s\", \"unit\": \"ratio\", \"family\": \"%s\", \"nodes\": %u, "
	       "\"value\": %.3f, \"k2\": %.3f, \"k4\": %.3f, \"k8\": %.3f, "
	       "\"metis_over_capacity\": %u, \"peer\": \"METIS 5.1 METIS_PartGraphKway\", "
	       "\"backend\": \"host\", \"machine\": \"%s\"}\n",
	       name, family, n, exp(logsum / 3), by_k[0], by_k[1], by_k[2], over_cap, machine);
}

static struct coh_engine engine;

/* The live engine on the geometric graph at n nodes, k = 4 (see the top comment). */
static void incremental(u32 n, const char *machine)
{
	static u8 start[COH_MAX_NODES];
	static u32 ea[COH_MAX_EDGES], eb[COH_MAX_EDGES];
	static u64 ew[COH_MAX_EDGES];
	static double t[64];
	const u32 k = 4, epochs = 10;
	struct coh_config cfg = { .parts = k,
				  .decay_shift = 1,
				  .decay_period_ns = ~0ull, /* no decay: the graph only changes */
				  .migration_cost = 1,
				  .budget_ns = COH_BUDGET_NS_DEFAULT };
	struct coh_epoch_report rep;
	u32 m = 0;

	rng_state = 7777777ull + n;
	coh_graph_init(&g, n);
	geometric(n);
	for (u32 v = 0; v < n; v++)
		for (u32 h = g.head[v]; h != COH_NIL; h = g.next[h])
			if (!(h & 1)) {
				ea[m] = v, eb[m] = g.to[h], ew[m] = g.w[h >> 1];
				m++;
			}
	for (u32 p = 0; p < k; p++)
		cfg.cap[p] = (u32)ceil(1.03 * n / k);
	for (u32 i = 0; i < n; i++)
		start[i] = (u8)(i % k);
	coh_engine_init(&engine, n, &cfg, start);
	for (u32 x = 0; x < m; x++)
		coh_engine_traffic(&engine, ea[x], eb[x], ew[x]);
	/* Cold start: epochs under the budget until the multilevel job has run and its placement
	 * is in force (or 5,000 epochs). */
	u32 cold = 0;
	do {
		coh_engine_epoch(&engine, &rep);
		cold++;
	} while (cold < 5000 &&
		 (engine.job_runs == 0 || engine.job != JOB_IDLE || engine.pull_kind != PULL_NONE));
	double worst = 0;
	for (u32 e = 0; e < epochs; e++) {
		coh_engine_epoch(&engine, &rep);
		t[e] = (double)rep.elapsed_ns;
		if (t[e] > worst)
			worst = t[e];
		for (u32 x = 0; x < m; x++)
			if (rng() % 20 == 0)
				coh_engine_traffic(&engine, ea[x], eb[x], 1 + rng() % ew[x]);
	}
	/* METIS on the graph the engine has now. */
	g = engine.g;
	double ns_metis;
	u32 largest;
	memcpy(place, engine.place, n);
	u64 ours_cut = coh_cut(&g, place);
	u64 metis_cut = metis(n, k, 1, &ns_metis, &largest);
	double med = median(t, (int)epochs);
	printf("{\"name\": \"incremental_epoch_ns\", \"unit\": \"ns\", \"nodes\": %u, \"k\": %u, "
	       "\"value\": %.0f, \"max\": %.0f, \"budget_ns\": %u, \"edges\": %u, "
	       "\"changed_per_epoch_pct\": 5, \"backend\": \"host\", \"machine\": \"%s\"}\n",
	       n, k, med, worst, COH_BUDGET_NS_DEFAULT, m, machine);
	printf("{\"name\": \"budget_overrun_ns\", \"unit\": \"ns\", \"nodes\": %u, \"k\": %u, "
	       "\"value\": %.0f, \"epochs\": %u, \"backend\": \"host\", \"machine\": \"%s\"}\n",
	       n, k, worst > COH_BUDGET_NS_DEFAULT ? worst - COH_BUDGET_NS_DEFAULT : 0, epochs,
	       machine);
	printf("{\"name\": \"incremental_cut_vs_metis\", \"unit\": \"ratio\", \"nodes\": %u, "
	       "\"k\": %u, \"value\": %.3f, \"after_epochs\": %u, \"cold_start_epochs\": %u, "
	       "\"target_max\": 1.05, \"metis_over_capacity\": %u, "
	       "\"peer\": \"METIS 5.1 METIS_PartGraphKway\", \"backend\": \"host\", "
	       "\"machine\": \"%s\"}\n",
	       n, k, metis_cut ? (double)ours_cut / (double)metis_cut : 1.0, epochs, cold,
	       largest > cfg.cap[0], machine);
}

int main(int argc, char **argv)
{
	static const u32 sizes[] = { 16, 64, 256, 1024, 4096 };
	static const u32 ks[] = { 2, 4, 8 };
	int reps = 5;

	if (argc < 2 || (argc == 4 && strcmp(argv[2], "--reps")) || argc == 3 || argc > 4) {
		fprintf(stderr, "usage: bench-partition-metis MACHINE-DESCRIPTION [--reps R]\n");
		return 2;
	}
	if (argc == 4) {
		reps = atoi(argv[3]);
		if (reps < 1 || reps > 16) {
			fprintf(stderr, "bench-partition-metis: --reps wants 1 to 16\n");
			return 2;
		}
	}
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		u32 n = sizes[s];
		if (n > COH_MAX_NODES)
			break; /* this build's graph is smaller (meson -Dmax_partitions) */
		double all_cut[3 * 3], all_time[3 * 3];
		u32 all_over = 0;
		for (unsigned f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
			double cut_ratio[3], time_ratio[3];
			u32 over = 0;
			for (unsigned ki = 0; ki < 3; ki++) {
				u32 k = ks[ki], cap[COH_MAX_PARTS];
				u32 bound = (u32)ceil(1.03 * n / k);
				for (u32 p = 0; p < k; p++)
					cap[p] = bound;
				rng_state = 1000003ull * (f + 1) + n;
				coh_graph_init(&g, n);
				families[f].make(n);
				double ns_ours, ns_metis;
				u32 largest;
				u64 c_ours = ours(n, k, cap, reps, &ns_ours);
				u64 c_metis = metis(n, k, reps, &ns_metis, &largest);
				over += largest > bound;
				/* Equal cuts (both 0 too) are a ratio of 1. */
				cut_ratio[ki] = c_metis ? (double)c_ours / (double)c_metis
							: (c_ours ? 2.0 : 1.0);
				time_ratio[ki] = ns_ours / (ns_metis > 0 ? ns_metis : 1);
				all_cut[f * 3 + ki] = cut_ratio[ki];
				all_time[f * 3 + ki] = time_ratio[ki];
			}
			all_over += over;
			ratio_line("partition_cut_vs_metis", families[f].name, n, cut_ratio,
				   argv[1], over);
			ratio_line("partition_time_vs_metis", families[f].name, n, time_ratio,
				   argv[1], over);
		}
		/* Over all families: the geometric mean of the nine (family, k) ratios. */
		double lc = 0, lt = 0;
		for (int i = 0; i < 9; i++) {
			lc += log(all_cut[i]);
			lt += log(all_time[i]);
		}
		printf("{\"name\": \"partition_cut_vs_metis\", \"unit\": \"ratio\", \"family\": "
		       "\"all\", \"nodes\": %u, \"value\": %.3f, \"target_max\": 1.05, "
		       "\"metis_over_capacity\": %u, \"backend\": \"host\", \"machine\": \"%s\"}\n",
		       n, exp(lc / 9), all_over, argv[1]);
		printf("{\"name\": \"partition_time_vs_metis\", \"unit\": \"ratio\", \"family\": "
		       "\"all\", \"nodes\": %u, \"value\": %.3f, \"target_max\": 1.0, "
		       "\"backend\": \"host\", \"machine\": \"%s\"}\n",
		       n, exp(lt / 9), argv[1]);
	}
	/* Fault the engine's tables in first (tens of MiB at 4,096 nodes): a running kernel's
	 * are resident, and first touches would count page faults as epoch time. */
	memset(&engine, 0, sizeof(engine));
	for (unsigned s = 1; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		if (sizes[s] <= COH_MAX_NODES)
			incremental(sizes[s], argv[1]);
	return 0;
}
