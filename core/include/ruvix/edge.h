/*
 * CommEdges: channels between two partitions. Each end holds a capability to the edge (WRITE to
 * send, READ to receive). Payloads live in the edge's shared region, which only the two ends can
 * map: a message is an (offset, length) descriptor into it, so nothing is copied. Each direction
 * has a bounded queue (RUVIX_EDGE_QUEUE) and counters of messages and bytes, which feed the
 * coherence engine.
 */
#ifndef RUVIX_EDGE_H
#define RUVIX_EDGE_H

#include <ruvix/kernel.h>

/** Kernel: connect partitions @a and @b with a shared region [@base, @base + @size). */
enum kerr edge_create(handle_t a, handle_t b, u64 base, u64 size, handle_t *out);

/**
 * Partition @actor, an end of the edge in @slot (which needs WRITE), queues a message: @len
 * bytes at @offset of the shared region, already written there by the sender.
 */
enum kerr edge_send(actor_t actor, u32 slot, u32 offset, u32 len);

/** Partition @actor takes the oldest message sent to it on the edge in @slot (needs READ). */
enum kerr edge_recv(actor_t actor, u32 slot, u32 *offset, u32 *len);

bool edge_valid(handle_t e);

/** True when partition index @p is an end of the live edge at index @edge. */
bool edge_index_has_end(u32 edge, u32 p);

/** Ends of edge @e (partition indices). */
void edge_ends(handle_t e, u32 *a, u32 *b);

/** The shared region of edge @e. */
handle_t edge_region(handle_t e);

/** Traffic from end a to b (@dir 0) or b to a (@dir 1) since the edge was created. */
void edge_traffic(handle_t e, u32 dir, u64 *msgs, u64 *bytes);

/** Messages waiting in direction @dir. */
u32 edge_queued(handle_t e, u32 dir);

/* ---- for the rest of the kernel ---- */

/** Destroy every edge partition @p is an end of, with its shared region and capabilities. */
void edge_drop_partition(u32 p);

void edge_reset(void);
void edge_digest(u8 acc[16]);

#endif
