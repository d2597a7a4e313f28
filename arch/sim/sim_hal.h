/*
 * The simulator's side of the HAL: the engine sets the virtual clock and the CPU the core runs
 * on, and says where witness records go. hal_* themselves are in hal_sim.c.
 */
#ifndef RUVIX_SIM_HAL_H
#define RUVIX_SIM_HAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/** Start a new run: time 0, CPU 0, no witness file. */
void sim_hal_reset(void);

/** Set virtual time; it must never go backwards (checked). */
void sim_hal_set_time(uint64_t now_ns);

/** Set the CPU on whose behalf the core is called next. */
void sim_hal_set_cpu(uint32_t cpu);

/** Send witness records to @f (NULL: refuse them, so the core refuses actions). */
void sim_hal_set_witness_file(FILE *f);

/**
 * While @extra is set, hal_now_ns returns the virtual time plus @extra(): the simulator's
 * model of time spent inside a coherence epoch (NULL: plain virtual time).
 */
void sim_hal_set_clock_extra(uint64_t (*extra)(void));

/**
 * While @fn is set, hal_edge_traffic (called by the core's edge_send after the send is witnessed
 * and queued) calls @fn(@ctx, from, to, bytes) with the partition indices and the message's
 * length: the simulator's coherence policy feeds its engine there (NULL: traffic goes nowhere).
 */
void sim_hal_set_edge_traffic(void (*fn)(void *ctx, uint32_t from, uint32_t to, uint32_t bytes),
			      void *ctx);

/** Records exported so far. */
uint64_t sim_hal_witness_records(void);

#endif
