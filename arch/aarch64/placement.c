/*
 * Placement on bare metal (docs/coherence.md, "On QEMU"). Every CommEdge send made reaches
 * hal_edge_traffic, which counts its bytes as across or within CPUs and, with the engine built
 * in, adds them to a pending table. On CPU 0, once per PLACEMENT_EPOCH_NS, placement_tick:
 *
 *   1. with the kernel lock held, adopts homes changed outside the engine and drains the
 *      pending table into the engine's graph;
 *   2. releases the lock and runs the epoch (coh_engine_epoch, under the DC-2 budget): only
 *      CPU 0 touches the engine, so the other CPUs go on scheduling meanwhile;
 *   3. takes the lock again, witnesses a stale epoch, moves each partition the engine placed
 *      elsewhere with partition_place (witnessed; a queued one changes queues at once, a
 *      running one goes to its new CPU when it next leaves its old one), and hands every cut
 *      pressure to the scheduler.
 *
 * Engine nodes are the partitions that run code, in manifest order; parts are the CPUs that
 * were started.
 */
#include "placement.h"

#include <ruvix/check.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>
#include <ruvix/partition.h>
#include <ruvix/sched.h>

#include "board.h"
#include "timer.h"
#include "vcpu.h"

#if RUVIX_COHERENCE
#include <ruvix/coherence.h>
#endif

#define NO_NODE 0xff

static u64 bytes_across, bytes_within; /* by the senders' home CPUs at the time of the send */

#if RUVIX_COHERENCE
_Static_assert(RUVIX_MAX_PARTITIONS <= NO_NODE, "node numbers are 8 bits");

/* 512 KiB: kept out of .bss so boot does not zero it; coh_engine_init clears what it uses. */
static struct coh_engine engine __attribute__((section(".noinit")));
static bool running_engine;
static u8 node_of[RUVIX_MAX_PARTITIONS];	 /* partition index -> engine node */
static handle_t handle_of[RUVIX_MAX_PARTITIONS]; /* engine node -> partition */

/* Traffic since the last drain, by node pair (low node first), and the pairs touched. Not
 * zeroed at boot (32 KiB at 64 partitions): placement_start clears the rows it uses. */
static u64 pending[RUVIX_MAX_PARTITIONS][RUVIX_MAX_PARTITIONS] __attribute__((section(".noinit")));
static u16 touched[RUVIX_MAX_PARTITIONS * RUVIX_MAX_PARTITIONS / 2]
	__attribute__((section(".noinit")));
static u32 ntouched;

static u64 next_epoch_ns;
static u64 moves, stale_epochs, epochs;
static u64 entries_during_search; /* other CPUs' kernel entries while the lock was released */
static u64 epoch_ns[PLACEMENT_EPOCH_SAMPLES] /* the first epochs' times, for the summary */
	__attribute__((section(".noinit"))); /* only entries below epochs are read */
#endif

void hal_edge_traffic(u32 from, u32 to, u32 bytes)
{
	handle_t a = partition_handle(from), b = partition_handle(to);

	if (a == HANDLE_NONE || b == HANDLE_NONE)
		return;
	if (partition_cpu(a) != partition_cpu(b))
		bytes_across += bytes;
	else
		bytes_within += bytes;
#if RUVIX_COHERENCE
	if (!running_engine || node_of[from] == NO_NODE || node_of[to] == NO_NODE)
		return;
	u32 lo = node_of[from] < node_of[to] ? node_of[from] : node_of[to];
	u32 hi = node_of[from] ^ node_of[to] ^ lo;
	if (pending[lo][hi] == 0)
		touched[ntouched++] = (u16)(lo * RUVIX_MAX_PARTITIONS + hi);
	pending[lo][hi] += bytes; /* cannot wrap: 2^64 bytes between two epochs */
#endif
}

#if RUVIX_COHERENCE
void placement_start(const handle_t *parts, u32 n, u64 online, u64 budget_ns)
{
	struct coh_config cfg = { .decay_shift = PLACEMENT_DECAY_SHIFT,
				  .migration_cost = PLACEMENT_MOVE_COST,
				  .budget_ns = budget_ns };
	u8 place[RUVIX_MAX_PARTITIONS];
	u32 ncpus = kernel_machine()->ncpus, started = 0;

	CHECK(n <= RUVIX_MAX_PARTITIONS && ncpus <= COH_MAX_PARTS);
	memset(node_of, NO_NODE, sizeof(node_of));
	for (u32 c = 0; c < ncpus; c++)
		started += (online >> c) & 1;
	cfg.parts = ncpus;
	for (u32 c = 0; c < ncpus; c++)
		cfg.cap[c] = (online >> c) & 1 ? (n + started - 1) / started : 0;
	for (u32 i = 0; i < n; i++) {
		node_of[handle_index(parts[i])] = (u8)i;
		handle_of[i] = parts[i];
		place[i] = (u8)partition_cpu(parts[i]);
	}
	for (u32 i = 0; i < n; i++)
		memset(pending[i], 0, n * sizeof(pending[i][0]));
	ntouched = 0;
	coh_engine_init(&engine, n, &cfg, place); /* widens a share the manifest exceeds */
	next_epoch_ns = timer_now_ns() + PLACEMENT_EPOCH_NS;
	running_engine = n >= 2 && started >= 2; /* otherwise there is nothing to place */
	if (running_engine)
		kprintf("coherence: placing %u partitions on %u CPUs, an epoch every %lu us, "
			"budget %lu ns\n",
			n, started, (unsigned long)(PLACEMENT_EPOCH_NS / 1000),
			(unsigned long)cfg.budget_ns);
}

/*
 * Homes changed outside the engine (a checkpoint restore puts back the CPU it recorded, the
 * lifecycle's migrate ops set one): the engine adopts them where the capacity allows, so it
 * neither "moves" a partition to where it already is nor judges a cut that is not there.
 * Where the capacity does not allow, the next epoch moves it back (witnessed).
 */
static void follow_homes(void)
{
	u32 size[COH_MAX_PARTS] = { 0 };

	for (u32 i = 0; i < engine.g.n; i++)
		size[engine.place[i]]++;
	for (u32 i = 0; i < engine.g.n; i++) {
		handle_t h = handle_of[i];
		if (!partition_valid(h))
			continue;
		u32 cpu = partition_cpu(h);
		if (cpu == engine.place[i] || size[cpu] >= engine.cfg.cap[cpu])
			continue;
		size[engine.place[i]]--;
		size[cpu]++;
		engine.place[i] = (u8)cpu;
		kprintf("coherence: %s was placed on cpu%u outside the engine; it stays there\n",
			partition_name(h), cpu);
	}
}

/* Step 1: pending traffic into the graph (lock held). */
static void drain(void)
{
	for (u32 k = 0; k < ntouched; k++) {
		u32 lo = touched[k] / RUVIX_MAX_PARTITIONS, hi = touched[k] % RUVIX_MAX_PARTITIONS;
		coh_engine_traffic(&engine, lo, hi, pending[lo][hi]);
		pending[lo][hi] = 0;
	}
	ntouched = 0;
}

/* Step 3: the engine's placement and pressures into the kernel (lock held). */
static void apply(const struct coh_epoch_report *rep)
{
	if (rep->stale && kernel_coherence_stale(engine.epoch - 1, rep->elapsed_ns) != KERR_OK)
		kprintf("coherence: epoch %lu: stale, and its witness was not exported\n",
			(unsigned long)(engine.epoch - 1));
	for (u32 i = 0; i < engine.g.n; i++) {
		handle_t h = handle_of[i];
		if (!partition_valid(h))
			continue; /* gone: its weights decay away */
		u32 from = partition_cpu(h), to = engine.place[i];
		if (to != from) {
			enum kerr err = partition_place(h, to);
			if (err != KERR_OK) {
				kprintf("coherence: epoch %lu: the kernel refused to move %s: %s\n",
					(unsigned long)(engine.epoch - 1), partition_name(h),
					kerr_name(err));
				continue;
			}
			vcpu_placed(handle_index(h)); /* wakes its new CPU if that one sleeps */
			kprintf("coherence: epoch %lu: %s cpu%u -> cpu%u (cut %lu -> %lu bytes)\n",
				(unsigned long)(engine.epoch - 1), partition_name(h), from, to,
				(unsigned long)rep->cut_before, (unsigned long)rep->cut_after);
			moves++;
		}
		if (partition_state(h) == PS_RUNNING)
			sched_set_pressure(h, engine.pressure[i]);
	}
}

void placement_tick(u32 cpu)
{
	struct coh_epoch_report rep;

	if (cpu != 0 || !running_engine || timer_now_ns() < next_epoch_ns)
		return;
	follow_homes();
	drain();
	u64 entries = vcpu_entries();
	board_unlock();
	coh_engine_epoch(&engine, &rep);
	board_lock();
	entries_during_search += vcpu_entries() - entries; /* DC-2: they did not wait for it */
	if (epochs < PLACEMENT_EPOCH_SAMPLES)
		epoch_ns[epochs] = rep.elapsed_ns;
	epochs++;
	stale_epochs += rep.stale;
	apply(&rep);
	next_epoch_ns = timer_now_ns() + PLACEMENT_EPOCH_NS;
}

#else
void placement_start(const handle_t *parts, u32 n, u64 online, u64 budget_ns)
{
	(void)parts;
	(void)n;
	(void)online;
	(void)budget_ns;
}

void placement_tick(u32 cpu)
{
	(void)cpu;
}
#endif

void placement_print_summary(void)
{
#if RUVIX_COHERENCE
	if (running_engine) {
		u32 n = epochs < PLACEMENT_EPOCH_SAMPLES ? (u32)epochs : PLACEMENT_EPOCH_SAMPLES;
		ksort_u64(epoch_ns, n);
		kprintf("coherence: %lu epochs (%lu stale), %lu moves, %lu vCPU arrivals on a new "
			"CPU, epoch ns median %lu max %lu\n",
			(unsigned long)epochs, (unsigned long)stale_epochs, (unsigned long)moves,
			(unsigned long)vcpu_arrivals(), (unsigned long)(n ? epoch_ns[n / 2] : 0),
			(unsigned long)(n ? epoch_ns[n - 1] : 0));
		kprintf("coherence: %lu kernel entries on other CPUs while epochs searched\n",
			(unsigned long)entries_during_search);
	} else {
		kprintf("coherence: idle (fewer than 2 partitions or CPUs to place)\n");
	}
#else
	kprintf("coherence: compiled out\n");
#endif
	kprintf("edge traffic: %lu bytes across CPUs, %lu within\n", (unsigned long)bytes_across,
		(unsigned long)bytes_within);
}
