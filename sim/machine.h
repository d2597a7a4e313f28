/* The simulated machine, read from a device tree (docs/simulator.md "Machine descriptions"). */
#ifndef RUVIX_SIM_MACHINE_H
#define RUVIX_SIM_MACHINE_H

#include <stdint.h>

#include <ruvix/kernel.h>

struct sim_machine {
	char model[64];
	struct machine_desc desc; /* CPUs, NUMA nodes, memory: what the kernel is told */
	uint64_t switch_ns;	  /* cost of switching a CPU to another partition */
	uint64_t msg_local_ns;	  /* latency of a message within a NUMA node */
	uint64_t msg_remote_ns;	  /* latency of a message across NUMA nodes */
	uint64_t local_ps_per_byte, remote_ps_per_byte; /* transfer cost, picoseconds per byte */
};

/**
 * Load a machine from @spec: a path to a .dtb or .dts file (a .dts is compiled with dtc), or
 * the name of a shipped machine (sim/machines/NAME.dts). On error prints "file: node: what was
 * expected" to stderr and returns -1.
 */
int machine_load(const char *spec, struct sim_machine *m);

#endif
