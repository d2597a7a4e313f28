/* bench-coherence-quality MACHINE: the partitioner against brute force, one JSON line. */
#include <stdio.h>

#include "coherence_quality.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-coherence-quality MACHINE-DESCRIPTION\n");
		return 2;
	}
	struct quality q = quality_run();
	printf("{\"name\": \"placement_quality_pct_above_optimum\", \"unit\": \"%%\", "
	       "\"value\": %.2f, \"worst_pct\": %.2f, \"graphs\": %u, \"nodes\": \"8 to 14\", "
	       "\"spec_max\": 5, \"backend\": \"host\", \"machine\": \"%s\"}\n",
	       (q.mean_ratio - 1) * 100, (q.worst_ratio - 1) * 100, q.graphs, argv[1]);
	return 0;
}
