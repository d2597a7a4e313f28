/*
 * hal_edge_traffic for host programs that run no coherence engine (replay, the host benchmark,
 * the fuzz targets): the edge has counted the send already, and nothing else listens. The
 * simulator has its own (arch/sim/hal_sim.c), which feeds the engine under --policy coherence.
 */
#include <ruvix/hal.h>

void hal_edge_traffic(u32 from, u32 to, u32 bytes)
{
	(void)from;
	(void)to;
	(void)bytes;
}
