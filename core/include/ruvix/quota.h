/*
 * Per-partition quotas on what a partition can make the kernel do for free: refused calls (each
 * one a witness record) and console bytes. Everything else a partition uses is bounded where it
 * lives: edge queues per direction (RUVIX_EDGE_QUEUE, each direction filled only by its
 * sender), capability slots, the P3 queue (one entry per partition and check), and CPU time
 * (the scheduler's slices and budgets). docs/quotas.md has the whole picture.
 *
 * Each quota is a token bucket: @burst units at once, refilled at @per_second units a second,
 * never above @burst. The level is kept exactly, in billionths of a unit, and only ever
 * changes by min(cap, level + refill) and by charges, so it does not matter how often it is
 * looked at. A partition without a quota of a kind is unlimited in it (the manifest sets
 * defaults for every partition, docs/manifest.md).
 *
 * Over its refusal quota, a partition's further refusals are not written one by one: they are
 * counted, and the count goes into a WK_QUOTA record (at most every 10 ms of kernel time, and
 * before the halt record), so nothing is dropped unseen. With QUOTA_THROTTLE (the default) its
 * backend also takes the CPU away from it at once; with QUOTA_STOP it is contained (stopped).
 * Over its console quota, a console write is refused (KERR_QUOTA, itself a refusal).
 */
#ifndef RUVIX_QUOTA_H
#define RUVIX_QUOTA_H

#include <ruvix/kernel.h>

enum quota_kind {
	QUOTA_REFUSALS = 0, /* refused calls that get a witness record each */
	QUOTA_CONSOLE = 1,  /* bytes of console output */
	QUOTA_KINDS = 2,
};

enum quota_action {
	QUOTA_THROTTLE = 1, /* count, summarise, and give its CPU away */
	QUOTA_STOP = 2,	    /* contain it (CONTAIN_QUOTA): it is terminated */
};

#define QUOTA_MAX	 0xffffffffull /* largest burst and rate */
#define QUOTA_SUMMARY_NS 10000000ull   /* the most often WK_QUOTA records are written */
#define QUOTA_UNIT	 1000000000ull /* billionths of a unit: one second of refill */

/**
 * Set @h's quota of @kind: @burst units at once, @per_second after that (both at most
 * QUOTA_MAX, @burst at least 1), and what happens over the refusal quota (@action). The bucket
 * starts full. Kernel operation, witnessed as WK_QUOTA_SET.
 */
enum kerr quota_set(handle_t h, u8 kind, u64 burst, u64 per_second, u8 action);

/**
 * May partition @p use @amount units of @kind at @now_ns? When it may, they are charged; when
 * it may not, nothing is charged, @amount is counted for the next summary, and the partition is
 * marked for its backend (quota_take_throttle) or for containment (quota_stop_due).
 */
bool quota_admit(u32 p, u8 kind, u64 amount, u64 now_ns);

/** Units of @kind refused to @p since its last summary. */
u64 quota_dropped(u32 p, u8 kind);

/**
 * Write a WK_QUOTA record (target: partition, arg0: kind, arg1: units refused since the last
 * one) for every partition and kind with refused units, and clear those counts. @force writes
 * them even if the last summaries are less than QUOTA_SUMMARY_NS old. Returns how many records
 * were written.
 */
u32 quota_summarise(bool force);

/** True once, after @p went over a quota: its backend should take its CPU away now. */
bool quota_take_throttle(u32 p);

/** True when @p went over its refusal quota and its action is QUOTA_STOP. */
bool quota_stop_due(u32 p);

/** Fold every quota setting into @acc (kernel_digest). */
void quota_digest(u8 acc[16]);

/** Forget every quota (at boot). */
void quota_reset(void);

#endif
