/*
 * bench-coherence-graph: the partitioner on one whole recorded communication graph (success
 * criterion 3, placement quality). Reads from stdin, one item per line:
 *
 *   N PARTS
 *   CAP_0 ... CAP_{PARTS-1}      most nodes each part may hold
 *   PLACE_0 ... PLACE_{N-1}      the naive placement to start from (and compare with)
 *   A B WEIGHT                   one line per edge, any number, weights added up
 *
 * and prints one line: `naive_cut CUT partitioned_cut CUT moved K`, from coh_partition with
 * no time budget. Numbers are unsigned decimal; a weight above COH_WEIGHT_MAX (2^48) is
 * refused rather than saturated. Errors name the input line and exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/cohgraph.h>

static struct coh_graph g;
static char line[1 << 16];
static unsigned lineno;

static int fail(const char *what)
{
	fprintf(stderr, "bench-coherence-graph: stdin:%u: expected %s\n", lineno, what);
	return 1;
}

/* The next line into `line`; false at the end of the input. */
static bool next_line(void)
{
	if (!fgets(line, sizeof(line), stdin))
		return false;
	lineno++;
	return true;
}

/* The next unsigned decimal of the line at *p, at most @max; false when there is none. */
static bool number(char **p, unsigned long long max, unsigned long long *out)
{
	char *end;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*out = strtoull(*p, &end, 10);
	if (errno || *out > max)
		return false;
	*p = end;
	return true;
}

/* Nothing but blanks left on the line at p. */
static bool line_done(const char *p)
{
	return p[strspn(p, " \t\r\n")] == '\0';
}

int main(void)
{
	unsigned long long n, parts, v, a, b, w;
	u32 cap[COH_MAX_PARTS], size[COH_MAX_PARTS] = { 0 };
	u8 naive[COH_MAX_NODES], place[COH_MAX_NODES];
	char *p;

	if (!next_line() || (p = line, !number(&p, COH_MAX_NODES, &n)) || n < 1 ||
	    !number(&p, COH_MAX_PARTS, &parts) || parts < 1 || !line_done(p))
		return fail("N (1..COH_MAX_NODES) and PARTS (1..COH_MAX_PARTS)");
	if (!next_line())
		return fail("a line of capacities");
	p = line;
	for (unsigned k = 0; k < parts; k++) {
		if (!number(&p, COH_MAX_NODES, &v))
			return fail("one capacity per part (0..COH_MAX_NODES)");
		cap[k] = (u32)v;
	}
	if (!line_done(p))
		return fail("one capacity per part, no more");
	if (!next_line())
		return fail("a line with the starting placement");
	p = line;
	for (unsigned i = 0; i < n; i++) {
		if (!number(&p, parts - 1, &v) || ++size[v] > cap[v])
			return fail("one part per node, within the capacities");
		naive[i] = place[i] = (u8)v;
	}
	if (!line_done(p))
		return fail("one part per node, no more");
	coh_graph_init(&g, (u32)n);
	while (next_line()) {
		p = line;
		if (!number(&p, n - 1, &a) || !number(&p, n - 1, &b) || a == b ||
		    !number(&p, COH_WEIGHT_MAX, &w) || !line_done(p))
			return fail(
				"A B WEIGHT: two different nodes below N and a weight up to 2^48");
		coh_graph_add(&g, (u32)a, (u32)b, w);
	}
	u64 before = coh_cut(&g, naive);
	coh_partition(&g, (u32)parts, cap, place, 0);
	unsigned moved = 0;
	for (unsigned i = 0; i < n; i++)
		moved += place[i] != naive[i];
	printf("naive_cut %llu partitioned_cut %llu moved %u\n", (unsigned long long)before,
	       (unsigned long long)coh_cut(&g, place), moved);
	return 0;
}
