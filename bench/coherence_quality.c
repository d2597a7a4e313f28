/* Placement quality against the exact optimum (see coherence_quality.h). */
#include "coherence_quality.h"

u64 quality_next(u64 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

void quality_graph(struct coh_graph *g, u32 n, bool clustered, u64 *state)
{
	coh_graph_init(g, n);
	for (u32 i = 0; i < n; i++)
		for (u32 j = i + 1; j < n; j++) {
			u64 r = quality_next(state) % 100;
			if (clustered)
				r = i / 4 == j / 4 ? 50 + r : (r < 80 ? 0 : r / 10);
			else if (r < 40)
				r = 0;
			if (r)
				coh_graph_add(g, i, j, r);
		}
}

u64 quality_brute_force(const struct coh_graph *g, u32 parts, const u32 *cap)
{
	u8 place[COH_MAX_NODES] = { 0 };
	u64 best = ~0ull;

	for (;;) {
		u32 size[COH_MAX_PARTS] = { 0 };
		bool ok = true;
		for (u32 i = 0; i < g->n && ok; i++)
			ok = ++size[place[i]] <= cap[place[i]];
		if (ok) {
			u64 c = coh_cut(g, place);
			if (c < best)
				best = c;
		}
		u32 i = 0;
		while (i < g->n && ++place[i] == parts)
			place[i++] = 0;
		if (i == g->n)
			return best;
	}
}

struct quality quality_run(void)
{
	static struct coh_graph g; /* 512 KiB: not on the stack */
	static const struct {
		u32 n, parts;
	} shapes[] = { { 8, 2 }, { 10, 2 }, { 12, 2 }, { 14, 2 }, { 9, 3 }, { 10, 3 } };
	struct quality q = { 0, 0, 0 };
	u64 state = 0x243f6a8885a308d3ull;
	double sum = 0;

	for (unsigned s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
		for (int clustered = 0; clustered < 2; clustered++)
			for (int k = 0; k < 12; k++) {
				u32 n = shapes[s].n, parts = shapes[s].parts, cap[COH_MAX_PARTS];
				u8 place[COH_MAX_NODES];
				for (u32 p = 0; p < parts; p++)
					cap[p] = (n + parts - 1) / parts;
				quality_graph(&g, n, clustered, &state);
				for (u32 i = 0; i < n; i++)
					place[i] =
						(u8)(i %
						     parts); /* round-robin, as naive placement */
				u64 opt = quality_brute_force(&g, parts, cap);
				coh_partition(&g, parts, cap, place, 0);
				u64 got = coh_cut(&g, place);
				double ratio = opt ? (double)got / (double)opt : (got ? 2.0 : 1.0);
				sum += ratio;
				if (ratio > q.worst_ratio)
					q.worst_ratio = ratio;
				q.graphs++;
			}
	q.mean_ratio = sum / q.graphs;
	return q;
}
