/* The coherence graph: symmetric, decayed traffic weights between partitions. */
#include <ruvix/check.h>
#include <ruvix/cohgraph.h>
#include <ruvix/klib.h>

u64 coh_work_units;

void coh_graph_init(struct coh_graph *g, u32 n)
{
	CHECK(n <= COH_MAX_NODES);
	g->n = n;
	for (u32 i = 0; i < n; i++)
		memset(g->w[i], 0, n * sizeof(g->w[i][0]));
}

void coh_graph_add(struct coh_graph *g, u32 a, u32 b, u64 weight)
{
	CHECK(a < g->n && b < g->n && a != b);
	u64 w = g->w[a][b];
	w = weight > COH_WEIGHT_MAX - w ? COH_WEIGHT_MAX : w + weight;
	g->w[a][b] = w;
	g->w[b][a] = w;
}

void coh_graph_decay(struct coh_graph *g, u32 shift)
{
	CHECK(shift >= 1 && shift < 64);
	for (u32 i = 0; i < g->n; i++)
		for (u32 j = 0; j < g->n; j++)
			g->w[i][j] -= g->w[i][j] >> shift;
	coh_work_units += (u64)g->n * g->n;
}

u64 coh_cut(const struct coh_graph *g, const u8 *place)
{
	u64 cut = 0;

	coh_work_units += (u64)g->n * g->n / 2;
	for (u32 i = 0; i < g->n; i++)
		for (u32 j = i + 1; j < g->n; j++)
			if (place[i] != place[j])
				cut += g->w[i][j];
	return cut;
}
