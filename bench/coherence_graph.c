/*
 * bench-coherence-graph: the partitioner on one whole recorded communication graph (success
 * criterion 3, placement quality). Reads from stdin
 *
 *   N PARTS
 *   CAP_0 ... CAP_{PARTS-1}      most nodes each part may hold
 *   PLACE_0 ... PLACE_{N-1}      the naive placement to start from (and compare with)
 *   A B WEIGHT                   one line per edge, any number, weights added up
 *
 * and prints one line: `naive_cut CUT partitioned_cut CUT moved K`, from coh_partition with
 * no time budget. Errors name the input line and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include <ruvix/cohgraph.h>

static struct coh_graph g;

static int fail(unsigned line, const char *what)
{
	fprintf(stderr, "bench-coherence-graph: stdin:%u: expected %s\n", line, what);
	return 1;
}

int main(void)
{
	unsigned n, parts, line = 1;
	u32 cap[COH_MAX_PARTS];
	u8 naive[COH_MAX_NODES], place[COH_MAX_NODES];

	if (scanf("%u %u", &n, &parts) != 2 || n < 1 || n > COH_MAX_NODES || parts < 1 ||
	    parts > COH_MAX_PARTS)
		return fail(line, "N (1..COH_MAX_NODES) and PARTS (1..COH_MAX_PARTS)");
	line++;
	for (unsigned p = 0; p < parts; p++)
		if (scanf("%u", &cap[p]) != 1)
			return fail(line, "one capacity per part");
	line++;
	unsigned size[COH_MAX_PARTS] = { 0 };
	for (unsigned i = 0; i < n; i++) {
		unsigned p;
		if (scanf("%u", &p) != 1 || p >= parts || ++size[p] > cap[p])
			return fail(line, "one part per node, within the capacities");
		naive[i] = place[i] = (u8)p;
	}
	coh_graph_init(&g, n);
	unsigned a, b;
	unsigned long long w;
	int got;
	while ((got = scanf("%u %u %llu", &a, &b, &w)) == 3) {
		line++;
		if (a >= n || b >= n || a == b)
			return fail(line, "an edge between two different nodes below N");
		coh_graph_add(&g, a, b, w);
	}
	if (got != EOF)
		return fail(line + 1, "A B WEIGHT");
	u64 before = coh_cut(&g, naive);
	coh_partition(&g, parts, cap, place, 0);
	unsigned moved = 0;
	for (unsigned i = 0; i < n; i++)
		moved += place[i] != naive[i];
	printf("naive_cut %llu partitioned_cut %llu moved %u\n", (unsigned long long)before,
	       (unsigned long long)coh_cut(&g, place), moved);
	return 0;
}
