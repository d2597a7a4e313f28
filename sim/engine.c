/* The discrete-event engine (model in engine.h). */
#include "engine.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/cap.h>
#include <ruvix/check.h>
#include <ruvix/edge.h>
#include <ruvix/kernel.h>
#include <ruvix/partition.h>
#include <ruvix/region.h>
#include <ruvix/sched.h>

#if RUVIX_COHERENCE
#include <ruvix/coherence.h>
#endif

#include "manifest.h"
#include "sim_hal.h"
#include "trace.h"

/* Batch work with no deadline is ordered under EDF as if due this long after it arrived. */
#define NO_DEADLINE_NS 1000000000ull
#define NO_DEMAND      UINT64_MAX /* no entry in the coherence policy's demand record */

/*
 * The shared window of an edge the simulator makes (runs without a manifest): the largest an
 * edge can have, a page multiple below 4 GiB, so that any message a trace may send on it fits
 * one descriptor. Edge k's window starts at (k + 1) * 4 GiB. Nothing is mapped: the
 * partitions run no code.
 */
#define SIM_EDGE_SIZE 0xfffff000ull

#define NO_REQ	UINT32_MAX
#define NO_SLOT UINT32_MAX

/* Steps name partitions and edges in 16 bits, and a pair of partitions fits 32. */
_Static_assert(RUVIX_MAX_PARTITIONS <= 65536 && RUVIX_MAX_EDGES <= 65536, "16-bit indices");

struct step {
	uint8_t kind;
	uint16_t part, to; /* engine partition indices */
	uint16_t edge;	   /* message: index into engine.edges */
	uint64_t value;	   /* compute: ns; message: bytes */
};

/* A request in flight: where it is in its chain. Pooled; memory follows what is in flight. */
struct req {
	uint64_t arrival_ns;
	uint64_t due_ns; /* absolute deadline; 0 when the trace gave none */
	uint64_t order;	 /* key inside a partition's queue: FIFO or deadline order */
	uint8_t cls;
	uint16_t nsteps, cur;
	uint32_t wait_next;  /* next request whose message waits on the same edge direction */
	uint64_t demand_seq; /* coherence: its last step's entry in the demand record (NO_DEMAND) */
	struct step steps[TRACE_MAX_STEPS];
};

/* A binary min-heap of request ids, keyed by (key, seq): partition queues and deliveries. */
struct heap {
	struct hent {
		uint64_t key, seq;
		uint32_t id;
	} * v;
	size_t n, cap;
};

struct sim_partition {
	char name[TRACE_NAME_MAX];
	handle_t handle; /* its index in the kernel's table is its index in engine.parts */
	bool declared;	 /* named by the trace (with a manifest, partitions exist before) */
	bool running;
	uint32_t node;	     /* NUMA node of its home CPU */
	uint32_t next_slot;  /* capability slot its next edge goes into (runs without a manifest) */
	uint64_t penalty_ns; /* migration cost still to charge to its next step */
	uint64_t load_ns;    /* CPU time it used, decayed each coherence epoch like the traffic */
	struct heap q;
};

/*
 * A CommEdge the trace's messages go through, and its two directions. Direction d carries
 * end[d] -> end[1 - d] (the kernel's own convention). A message is sent (edge_send) when its
 * step starts and received (edge_recv) when it is delivered, so a direction holds the
 * messages on the wire; when they fill the kernel's queue (RUVIX_EDGE_QUEUE), the next ones
 * wait at the sender, in order, until a delivery frees a place.
 */
struct sim_edge {
	handle_t handle;
	uint32_t end[2];  /* engine partition indices */
	uint32_t slot[2]; /* each end's capability slot for it (NO_SLOT: that end holds none) */
	uint64_t size;	  /* bytes of its shared region: the largest message it carries */
	struct sim_dir {
		uint64_t last_ns; /* delivery of the last one sent: the next is not earlier */
		uint32_t queued;  /* sent and not yet received */
		uint32_t wait_head, wait_tail; /* requests whose message waits for room (NO_REQ) */
	} dir[2];
};

struct sim_cpu {
	bool busy;
	bool idle; /* background work done since it last ran something */
	handle_t last;
	uint32_t part; /* index into parts[] of what it runs */
	uint32_t req;
	uint64_t end_ns;
};

struct engine {
	const struct sim_machine *m;
	double time_scale;
	bool oom;
	enum sim_policy policy;
	bool from_manifest;
	struct trace_reader trace;
	struct sim_partition parts[RUVIX_MAX_PARTITIONS];
	uint32_t nparts;
	uint32_t *names; /* open addressing: partition index + 1 by name hash, 0 when empty */
	uint32_t names_mask;
	struct sim_edge edges[RUVIX_MAX_EDGES];
	uint32_t nedges;
	uint32_t *pairs; /* open addressing: edge index + 1 by partition pair, 0 when empty */
	uint32_t pairs_mask;
	struct sim_cpu cpus[RUVIX_MAX_CPUS];
	struct req *pool;
	uint32_t *free_ids;
	uint32_t pool_cap, nfree;
	struct heap deliveries; /* messages on the wire, keyed by arrival time */
	uint64_t seq;
	struct sim_result *res;
#if RUVIX_COHERENCE
	struct coh_engine *coh; /* POLICY_COHERENCE only */
	uint64_t next_epoch;
	/* Recent CPU demand, for the what-if of a move (move_pays): the compute steps queued in
	 * the last DEMAND_EPOCHS epochs (at most DEMAND_MAX), oldest first, from demand[first].
	 * demand[k] is entry number demand_base + k; prev links the steps of a request. */
	struct demand {
		uint64_t at_ns, ns, epoch;
		uint64_t end_ns; /* when it ended (set at dispatch; 0 before) */
		uint64_t prev;	 /* entry number of the request's previous step, or NO_DEMAND */
		uint32_t part;
	} * demand;
	struct replay {
		uint64_t wait;	     /* when it was queued, then how long it waited */
		uint32_t succ, next; /* the request's next step; the next in its CPU's queue */
	} * replay;		     /* whatif_wait's scratch, as long as demand */
	struct heap replay_events;   /* whatif_wait's: arrivals and completions */
	size_t first, ndemand, demand_cap;
	uint64_t demand_base;
#endif
};

static int heap_push(struct heap *h, uint64_t key, uint64_t seq, uint32_t id)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 16;
		struct hent *v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	size_t i = h->n++;
	struct hent x = { key, seq, id };
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (h->v[up].key < x.key || (h->v[up].key == x.key && h->v[up].seq < x.seq))
			break;
		h->v[i] = h->v[up];
		i = up;
	}
	h->v[i] = x;
	return 0;
}

static bool less(const struct hent *a, const struct hent *b)
{
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

static struct hent heap_pop(struct heap *h)
{
	struct hent top = h->v[0], x = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && less(&h->v[c + 1], &h->v[c]))
			c++;
		if (!less(&h->v[c], &x))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0)
		h->v[i] = x;
	return top;
}

/* An arrival time under the load sweep's scale (rounded; deterministic). */
static uint64_t scaled(const struct engine *e, uint64_t at)
{
	if (e->time_scale == 1.0)
		return at;
	double t = (double)at * e->time_scale + 0.5;
	return t < 72057594037927936.0 ? (uint64_t)t : UINT64_MAX; /* past 2^56: refused */
}

/* The smallest power of two that is at least 2 * @n: a hash table at most half full. */
static uint32_t hash_size(uint32_t n)
{
	uint32_t s = 2;

	while (s < 2 * n)
		s *= 2;
	return s;
}

static uint32_t name_hash(const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

/* The hash table position of @name: where it is, or the empty place it would go. */
static uint32_t name_pos(const struct engine *e, const char *name)
{
	uint32_t i = name_hash(name) & e->names_mask;

	while (e->names[i] && strcmp(e->parts[e->names[i] - 1].name, name) != 0)
		i = (i + 1) & e->names_mask;
	return i;
}

static int find_partition(const struct engine *e, const char *name)
{
	return (int)e->names[name_pos(e, name)] - 1;
}

/* Append a partition the kernel made as @h (its index there must be its index here). */
static struct sim_partition *push_partition(struct engine *e, const char *name, handle_t h)
{
	CHECK(handle_index(h) == e->nparts && find_partition(e, name) < 0);
	struct sim_partition *p = &e->parts[e->nparts];
	memcpy(p->name, name, strlen(name) + 1);
	p->handle = h;
	e->names[name_pos(e, name)] = ++e->nparts;
	return p;
}

static uint32_t index_of(const struct engine *e, handle_t h)
{
	uint32_t i = handle_index(h);

	CHECK(i < e->nparts && e->parts[i].handle == h);
	return i;
}

static int64_t req_alloc(struct engine *e)
{
	if (e->nfree == 0) {
		uint32_t cap = e->pool_cap ? 2 * e->pool_cap : 256;
		struct req *p = realloc(e->pool, cap * sizeof(*p));
		if (!p)
			return -1;
		e->pool = p; /* grown: keep it even if the next step fails */
		uint32_t *f = realloc(e->free_ids, cap * sizeof(*f));
		if (!f)
			return -1;
		e->free_ids = f;
		for (uint32_t i = cap; i > e->pool_cap; i--)
			e->free_ids[e->nfree++] = i - 1;
		e->pool_cap = cap;
	}
	return e->free_ids[--e->nfree];
}

static int add_partition(struct engine *e, const char *name)
{
	handle_t h;
	int known = find_partition(e, name);

	if (known >= 0 && e->parts[known].declared) {
		trace_error(&e->trace, "partition '%s' is declared twice", name);
		return -1;
	}
	if (e->from_manifest) {
		if (known < 0) {
			trace_error(&e->trace, "partition '%s' is not in the manifest", name);
			return -1;
		}
		e->parts[known].declared = true;
		return 0;
	}
	if (e->nparts == RUVIX_MAX_PARTITIONS) {
		trace_error(&e->trace, "more than %d partitions (meson -Dmax_partitions)",
			    RUVIX_MAX_PARTITIONS);
		return -1;
	}
	/* Naive placement: round-robin over CPUs in declaration order. */
	sim_hal_set_cpu(0);
	enum kerr err = partition_create(name, &h);
	if (err == KERR_OK)
		err = partition_place(h, e->nparts % e->m->desc.ncpus);
	if (err == KERR_OK)
		err = partition_ctl_kernel(h, PART_START, 0);
	if (err != KERR_OK) {
		trace_error(&e->trace, "the kernel refused partition '%s': %s", name,
			    kerr_name(err));
		return -1;
	}
	push_partition(e, name, h)->declared = true;
	return 0;
}

/*
 * Tell the kernel partition @i has work: FIFO wake (naive) or, for edf, its most urgent queued
 * request's deadline. Work without one is woken as batch, ordered by arrival + NO_DEADLINE_NS:
 * cut pressure advances deadlines only (sched_wake_batch).
 */
static void wake(struct engine *e, uint32_t i)
{
	struct sim_partition *p = &e->parts[i];

	sim_hal_set_cpu(partition_cpu(p->handle));
	if (e->policy == POLICY_NAIVE) {
		sched_wake(p->handle);
		return;
	}
	const struct req *r = &e->pool[p->q.v[0].id];
	if (r->due_ns)
		sched_wake_deadline(p->handle, r->due_ns);
	else
		sched_wake_batch(p->handle, r->arrival_ns + NO_DEADLINE_NS);
}

static void finish(struct engine *e, struct req *r, uint32_t id, uint64_t now)
{
	uint64_t lat = now - r->arrival_ns;
	struct sim_result *res = e->res;

	/* The histograms are allocated at the first sample; a failure there is out of memory. */
	if (latency_add(&res->latency[r->cls], lat) != 0 ||
	    latency_add(&res->latency_all, lat) != 0)
		e->oom = true;
	if (r->due_ns && now > r->due_ns)
		res->deadline_misses[r->cls]++;
	res->requests++;
	e->free_ids[e->nfree++] = id;
}

/*
 * Delivery time of a message of @bytes: @fixed_ns plus @bytes at @ps_per_byte, saturating
 * instead of wrapping (traces allow up to 2^56 bytes, machines any 32-bit rate).
 */
static uint64_t message_ns(uint64_t fixed_ns, uint64_t ps_per_byte, uint64_t bytes)
{
	unsigned __int128 ns = (unsigned __int128)bytes * ps_per_byte / 1000 + fixed_ns;

	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

#if RUVIX_COHERENCE
/*
 * What a message of @bytes would lose by crossing nodes: the graph's weight unit, so that the
 * hysteresis compares like with like (a move must save more delay than its penalty costs).
 * At least 1, so every message counts even on a machine whose nodes cost the same.
 */
static uint64_t remote_penalty_ns(const struct sim_machine *m, uint64_t bytes)
{
	uint64_t remote = message_ns(m->msg_remote_ns, m->remote_ps_per_byte, bytes);
	uint64_t local = message_ns(m->msg_local_ns, m->local_ps_per_byte, bytes);

	return remote > local ? remote - local : 1;
}
#endif

#if RUVIX_COHERENCE
/*
 * The coherence policy's end of hal_edge_traffic (arch/sim): every edge_send reaches the engine
 * here, as on bare metal, weighted by what the message would lose by crossing nodes. Kernel
 * partition indices are the engine's node numbers (push_partition).
 */
static void feed_engine(void *ctx, uint32_t from, uint32_t to, uint32_t bytes)
{
	struct engine *e = ctx;

	coh_engine_traffic(e->coh, from, to, remote_penalty_ns(e->m, bytes));
}
#endif

/* The descriptor of a message of @bytes: the kernel refuses an empty one, so a message of no
 * bytes (a bare notification) takes one. */
static uint32_t descriptor_len(uint64_t bytes)
{
	return bytes ? (uint32_t)bytes : 1;
}

static uint32_t pair_key(uint32_t a, uint32_t b)
{
	return a < b ? a << 16 | b : b << 16 | a;
}

/* Mixes every bit of @x into the low ones (the "lowbias32" integer hash). */
static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	return x ^ x >> 16;
}

/* The hash table position of the pair @a, @b: where its edge is, or where it would go. */
static uint32_t pair_pos(const struct engine *e, uint32_t a, uint32_t b)
{
	uint32_t key = pair_key(a, b), i = mix32(key) & e->pairs_mask;

	while (e->pairs[i]) {
		const struct sim_edge *ed = &e->edges[e->pairs[i] - 1];
		if (pair_key(ed->end[0], ed->end[1]) == key)
			break;
		i = (i + 1) & e->pairs_mask;
	}
	return i;
}

/* Add edge @h between partitions @a (its end 0) and @b, with a shared region of @size bytes. */
static struct sim_edge *push_edge(struct engine *e, handle_t h, uint32_t a, uint32_t b,
				  uint64_t size)
{
	struct sim_edge *ed = &e->edges[e->nedges];

	*ed = (struct sim_edge){
		.handle = h, .end = { a, b }, .slot = { NO_SLOT, NO_SLOT }, .size = size
	};
	for (int d = 0; d < 2; d++)
		ed->dir[d].wait_head = ed->dir[d].wait_tail = NO_REQ;
	e->pairs[pair_pos(e, a, b)] = ++e->nedges;
	return ed;
}

/*
 * The edges a manifest made, by the capabilities their ends hold: an end uses the first slot
 * that names the edge with READ and WRITE, and a pair the first edge both its ends can use.
 */
static void manifest_edges(struct engine *e)
{
	for (uint32_t i = 0; i < e->nparts; i++)
		for (uint32_t s = 0; s < RUVIX_CAP_SLOTS; s++) {
			struct cap_info ci;
			uint32_t a, b;
			if (cap_info(i, s, &ci) != KERR_OK || ci.type != OBJ_EDGE ||
			    (ci.rights & (RIGHT_READ | RIGHT_WRITE)) != (RIGHT_READ | RIGHT_WRITE))
				continue;
			edge_ends(ci.object, &a, &b);
			if (a != i && b != i)
				continue; /* held by a third party: not a channel of its own */
			uint32_t pos = pair_pos(e, a, b);
			struct sim_edge *ed =
				e->pairs[pos] ? &e->edges[e->pairs[pos] - 1]
					      : push_edge(e, ci.object, a, b,
							  region_size(edge_region(ci.object)));
			uint32_t end = ed->end[0] == i ? 0 : 1;
			if (ed->handle == ci.object && ed->slot[end] == NO_SLOT)
				ed->slot[end] = s;
		}
}

/* Without a manifest, the simulator connects @a and @b the way a manifest would: an edge
 * (witnessed) and a capability to it for each end, with the rights to send and receive. */
static int new_edge(struct engine *e, uint32_t a, uint32_t b)
{
	struct sim_partition *pa = &e->parts[a], *pb = &e->parts[b];
	handle_t h = HANDLE_NONE;

	if (e->nedges == RUVIX_MAX_EDGES) {
		trace_error(
			&e->trace,
			"more than %d pairs of partitions exchange messages (meson -Dmax_edges)",
			RUVIX_MAX_EDGES);
		return -1;
	}
	for (int k = 0; k < 2; k++) {
		const struct sim_partition *p = k ? pb : pa;
		if (p->next_slot == RUVIX_CAP_SLOTS) {
			trace_error(&e->trace,
				    "'%s' exchanges messages with more partitions than it has "
				    "capability slots (%d: meson -Dcap_slots)",
				    p->name, RUVIX_CAP_SLOTS);
			return -1;
		}
	}
	sim_hal_set_cpu(0);
	enum kerr err = edge_create(pa->handle, pb->handle, (uint64_t)(e->nedges + 1) << 32,
				    SIM_EDGE_SIZE, &h);
	if (err == KERR_OK)
		err = cap_install(a, pa->next_slot, OBJ_EDGE, h, RIGHT_READ | RIGHT_WRITE);
	if (err == KERR_OK)
		err = cap_install(b, pb->next_slot, OBJ_EDGE, h, RIGHT_READ | RIGHT_WRITE);
	if (err != KERR_OK) {
		trace_error(&e->trace, "the kernel refused an edge between '%s' and '%s': %s%s",
			    pa->name, pb->name, kerr_name(err),
			    err == KERR_NO_SPACE ? " (meson -Dmax_regions, -Dmax_caps)" : "");
		return -1;
	}
	struct sim_edge *ed = push_edge(e, h, a, b, SIM_EDGE_SIZE);
	ed->slot[0] = pa->next_slot++;
	ed->slot[1] = pb->next_slot++;
	return 0;
}

/* The edge step @k of a request sends a message of @bytes from @a to @b on: made now if the
 * pair has none and the run has no manifest. */
static int edge_for(struct engine *e, uint32_t k, uint32_t a, uint32_t b, uint64_t bytes,
		    uint16_t *out)
{
	uint32_t pos = pair_pos(e, a, b);

	if (!e->pairs[pos] && !e->from_manifest && new_edge(e, a, b) != 0)
		return -1;
	const struct sim_edge *ed = e->pairs[pos] ? &e->edges[e->pairs[pos] - 1] : NULL;
	if (!ed || ed->slot[0] == NO_SLOT || ed->slot[1] == NO_SLOT) {
		trace_error(&e->trace,
			    "step %u: no edge of the manifest connects '%s' and '%s' (both ends "
			    "need a capability to one to exchange messages)",
			    k + 1, e->parts[a].name, e->parts[b].name);
		return -1;
	}
	if (bytes > ed->size) {
		trace_error(&e->trace,
			    "step %u: a message of %" PRIu64 " bytes does not fit the %" PRIu64
			    "-byte shared region of the edge between '%s' and '%s'",
			    k + 1, bytes, ed->size, e->parts[a].name, e->parts[b].name);
		return -1;
	}
	*out = (uint16_t)(ed - e->edges);
	return 0;
}

/* The end of edge @ed that partition @p is. */
static uint32_t end_of(const struct sim_edge *ed, uint32_t p)
{
	return ed->end[0] == p ? 0 : 1;
}

/* Request @id's current step, a message, goes on the wire now: edge_send from the sender. */
static int put_message(struct engine *e, uint32_t id, uint64_t now)
{
	struct req *r = &e->pool[id];
	const struct step *st = &r->steps[r->cur];
	struct sim_edge *ed = &e->edges[st->edge];
	uint32_t end = end_of(ed, st->part);
	struct sim_dir *d = &ed->dir[end];
	const struct sim_partition *from = &e->parts[st->part], *to = &e->parts[st->to];
	const struct sim_machine *m = e->m;

	sim_hal_set_cpu(partition_cpu(from->handle));
	enum kerr err = edge_send(st->part, ed->slot[end], 0, descriptor_len(st->value));
	if (err != KERR_OK) {
		fprintf(stderr, "ruvix-sim: the kernel refused a message from '%s' to '%s': %s\n",
			from->name, to->name, kerr_name(err));
		return -1;
	}
	bool local = from->node == to->node;
	uint64_t cost = local ? message_ns(m->msg_local_ns, m->local_ps_per_byte, st->value)
			      : message_ns(m->msg_remote_ns, m->remote_ps_per_byte, st->value);
	if (local)
		e->res->local_bytes += st->value;
	else
		e->res->cross_node_bytes += st->value;
	e->res->messages++;
	r->cur++;
	/* A delivery past 2^62 ns (only absurd sizes and rates get there) lands at 2^62: still
	 * after every trace time (below 2^56), and no sum wraps. An edge delivers in order, so
	 * a message never lands before one sent earlier the same way. */
	uint64_t at = cost > (1ull << 62) - now ? 1ull << 62 : now + cost;
	if (at < d->last_ns)
		at = d->last_ns;
	d->last_ns = at;
	d->queued++;
	return heap_push(&e->deliveries, at, e->seq++, id);
}

/* Request @id's current step is a message: send it, or queue it behind the messages waiting
 * for room on its edge's direction (backpressure: only a delivery makes room). */
static int send_message(struct engine *e, uint32_t id, uint64_t now)
{
	struct req *r = &e->pool[id];
	struct sim_edge *ed = &e->edges[r->steps[r->cur].edge];
	struct sim_dir *d = &ed->dir[end_of(ed, r->steps[r->cur].part)];

	/* Messages wait only while the queue is full (a delivery sends the first at once), so
	 * this keeps them in order too. */
	if (d->queued < RUVIX_EDGE_QUEUE)
		return put_message(e, id, now);
	r->wait_next = NO_REQ;
	if (d->wait_head == NO_REQ)
		d->wait_head = id;
	else
		e->pool[d->wait_tail].wait_next = id;
	d->wait_tail = id;
	e->res->message_waits++;
	return 0;
}

static int advance(struct engine *e, uint32_t id, uint64_t now);

/* The message request @id sent arrives: the receiver takes it (edge_recv), and the first
 * message waiting for room on that direction, if any, goes now. */
static int deliver(struct engine *e, uint32_t id, uint64_t now)
{
	struct req *r = &e->pool[id];
	const struct step *st = &r->steps[r->cur - 1];
	struct sim_edge *ed = &e->edges[st->edge];
	uint32_t end = end_of(ed, st->part);
	struct sim_dir *d = &ed->dir[end];
	u32 offset = 0, len = 0;

	sim_hal_set_cpu(partition_cpu(e->parts[st->to].handle));
	enum kerr err = edge_recv(st->to, ed->slot[1 - end], &offset, &len);
	if (err != KERR_OK) {
		fprintf(stderr, "ruvix-sim: the kernel refused '%s' its message from '%s': %s\n",
			e->parts[st->to].name, e->parts[st->part].name, kerr_name(err));
		return -1;
	}
	CHECK(len == descriptor_len(st->value) && d->queued > 0); /* in order: this message */
	d->queued--;
	if (d->wait_head != NO_REQ) {
		uint32_t w = d->wait_head;
		d->wait_head = e->pool[w].wait_next;
		if (put_message(e, w, now) != 0)
			return -1;
	}
	return advance(e, id, now);
}

#if RUVIX_COHERENCE
/* The what-if's evidence: 4 memories of the graph (weights fall to 1/e^4 in that many epochs at
 * decay_shift), and never more than 2^16 steps, which bounds its cost per epoch. */
#define DEMAND_EPOCHS(shift) (4ull << ((shift) < 16 ? (shift) : 16))
#define DEMAND_MAX	     65536u

/* Request @r's next step, @ns on partition @part, joined its queue at @now. */
static int note_demand(struct engine *e, struct req *r, uint32_t part, uint64_t now, uint64_t ns)
{
	if (e->ndemand - e->first == DEMAND_MAX)
		e->first++;
	if (e->first > 0 && e->first >= e->ndemand / 2) { /* drop the forgotten prefix */
		memmove(e->demand, e->demand + e->first,
			(e->ndemand - e->first) * sizeof(*e->demand));
		e->ndemand -= e->first;
		e->demand_base += e->first;
		e->first = 0;
	}
	if (e->ndemand == e->demand_cap) {
		size_t cap = e->demand_cap ? 2 * e->demand_cap : 1024;
		struct demand *d = realloc(e->demand, cap * sizeof(*d));
		if (!d)
			return -1;
		e->demand = d;
		struct replay *x = realloc(e->replay, cap * sizeof(*x));
		if (!x)
			return -1;
		e->replay = x;
		e->demand_cap = cap;
	}
	e->demand[e->ndemand] = (struct demand){ now, ns, e->coh->epoch, 0, r->demand_seq, part };
	r->demand_seq = e->demand_base + e->ndemand++;
	return 0;
}

/* The entry of entry number @seq if it is still recorded, else NULL. */
static struct demand *demand_entry(const struct engine *e, uint64_t seq)
{
	if (seq == NO_DEMAND || seq < e->demand_base + e->first ||
	    seq >= e->demand_base + e->ndemand)
		return NULL;
	return &e->demand[seq - e->demand_base];
}
#endif

/* Move request @id on from its current step at time @now. */
static int advance(struct engine *e, uint32_t id, uint64_t now)
{
	struct req *r = &e->pool[id];

	if (r->cur == r->nsteps) {
		finish(e, r, id, now);
		return 0;
	}
	const struct step *st = &r->steps[r->cur];
	if (st->kind == STEP_MESSAGE)
		return send_message(e, id, now);
	struct sim_partition *p = &e->parts[st->part];
	bool was_empty = p->q.n == 0;
	uint64_t key = e->policy != POLICY_NAIVE
			       ? (r->due_ns ? r->due_ns : r->arrival_ns + NO_DEADLINE_NS)
			       : e->seq;
	if (heap_push(&p->q, key, e->seq++, id) != 0)
		return -1;
#if RUVIX_COHERENCE
	if (e->coh && note_demand(e, r, st->part, now, st->value) != 0)
		return -1;
#endif
	if (!p->running && (was_empty || e->policy != POLICY_NAIVE))
		wake(e, st->part);
	return 0;
}

/*
 * Give idle CPU @c the next partition its run queue holds. A partition the coherence policy
 * moves while queued changes queues then (sched_rehome), so every CPU only sees its own
 * (sched_next asserts it).
 */
static void dispatch_cpu(struct engine *e, uint32_t c, uint64_t now)
{
	struct sim_cpu *cpu = &e->cpus[c];

	if (cpu->busy)
		return;
	sim_hal_set_cpu(c);
	handle_t h = sched_next(c);
	if (h == HANDLE_NONE) {
		/* A CPU that just went idle does the kernel's background work once: timers,
		 * one deferred check. */
		if (!cpu->idle) {
			cpu->idle = true;
			kernel_tick();
			kernel_idle(1);
		}
		return;
	}
	cpu->idle = false;
	uint32_t i = index_of(e, h);
	struct sim_partition *p = &e->parts[i];
	if (p->q.n == 0)
		return; /* woken twice (EDF moves), its work already taken */
	struct hent top = heap_pop(&p->q);
	struct req *r = &e->pool[top.id];
	uint64_t cost = 0;
	if (cpu->last != h) {
		cost = e->m->switch_ns;
		e->res->switches++;
	}
	cost += p->penalty_ns;
	p->penalty_ns = 0;
	cpu->busy = true;
	cpu->last = h;
	cpu->part = i;
	cpu->req = top.id;
	cpu->end_ns = now + cost + r->steps[r->cur].value;
	e->res->cpu_busy_ns[c] += cost + r->steps[r->cur].value;
	p->load_ns += cost + r->steps[r->cur].value;
#if RUVIX_COHERENCE
	struct demand *d = e->coh ? demand_entry(e, r->demand_seq) : NULL;
	if (d)
		d->end_ns = cpu->end_ns;
#endif
	p->running = true;
}

/* Give every idle CPU the next partition its run queue holds. */
static void dispatch(struct engine *e, uint64_t now)
{
	for (uint32_t c = 0; c < e->m->desc.ncpus; c++)
		dispatch_cpu(e, c, now);
}

static int arrive(struct engine *e, const struct trace_item *it, uint64_t now)
{
	int64_t id = req_alloc(e);

	if (id < 0) {
		trace_error(&e->trace, "out of memory for requests in flight");
		return -1;
	}
	struct req *r = &e->pool[id];
	r->arrival_ns = it->at_ns;
	r->due_ns = it->deadline_ns ? it->at_ns + it->deadline_ns : 0;
	r->cls = it->cls;
	r->nsteps = (uint16_t)it->nsteps;
	r->cur = 0;
	r->demand_seq = NO_DEMAND;
	for (uint32_t k = 0; k < it->nsteps; k++) {
		const struct trace_step *ts = &it->steps[k];
		int a = find_partition(e, ts->part);
		int b = ts->kind == STEP_MESSAGE ? find_partition(e, ts->to) : a;
		if (a < 0 || b < 0 || !e->parts[a].declared || !e->parts[b].declared) {
			trace_error(&e->trace,
				    "request names partition '%s', which is not declared",
				    a < 0 || !e->parts[a].declared ? ts->part : ts->to);
			e->free_ids[e->nfree++] = (uint32_t)id;
			return -1;
		}
		uint16_t edge = 0;
		if (ts->kind == STEP_MESSAGE &&
		    edge_for(e, k, (uint32_t)a, (uint32_t)b, ts->value, &edge) != 0) {
			e->free_ids[e->nfree++] = (uint32_t)id;
			return -1;
		}
		r->steps[k] = (struct step){ ts->kind, (uint16_t)a, (uint16_t)b, edge, ts->value };
	}
	return advance(e, (uint32_t)id, now);
}

static int complete(struct engine *e, uint32_t c, uint64_t now)
{
	struct sim_cpu *cpu = &e->cpus[c];
	struct sim_partition *p = &e->parts[cpu->part];

	cpu->busy = false;
	p->running = false;
	e->pool[cpu->req].cur++;
	if (p->q.n > 0)
		wake(e, cpu->part);
	return advance(e, cpu->req, now);
}

static struct sim_coherence coh_params = SIM_COHERENCE_DEFAULT;

void sim_set_coherence(const struct sim_coherence *c)
{
	CHECK(c->epoch_ns > 0 && c->budget_ns > 0 && c->decay_shift >= 1 && c->decay_shift < 64);
	coh_params = *c;
}

#if RUVIX_COHERENCE
static uint64_t epoch_work0;

/* The coherence epoch's modelled time so far: its work at SIM_PS_PER_WORK_UNIT. */
static uint64_t epoch_clock(void)
{
	return (coh_work_units - epoch_work0) * SIM_PS_PER_WORK_UNIT / 1000;
}

static bool move_pays(void *ctx, const u8 *place, const u8 *candidate, u32 n, u64 gain);

/* Start the engine on the placement in force: parts are NUMA nodes, each holding at most its
 * share of the partitions (in proportion to its CPUs, rounded up). */
static int coherence_start(struct engine *e)
{
	const struct machine_desc *d = &e->m->desc;
	struct coh_config cfg = { .parts = d->nnodes,
				  .decay_shift = coh_params.decay_shift,
				  /* --decay-by time: periods of virtual time, idle gaps too */
				  .decay_period_ns =
					  coh_params.decay_by_time ? coh_params.epoch_ns : 0,
				  .migration_cost = coh_params.move_cost_ns,
				  .budget_ns = coh_params.budget_ns };
	u8 place[COH_MAX_NODES];

	e->coh = calloc(1, sizeof(*e->coh));
	if (!e->coh) {
		fprintf(stderr, "ruvix-sim: out of memory\n");
		return -1;
	}
	for (u32 p = 0; p < d->nnodes; p++) {
		u32 cpus = 0;
		for (u32 c = 0; c < d->ncpus; c++)
			cpus += d->cpu_node[c] == p;
		cfg.cap[p] = (e->nparts * cpus + d->ncpus - 1) / d->ncpus;
	}
	for (u32 i = 0; i < e->nparts; i++)
		place[i] = (u8)e->parts[i].node;
	cfg.accept = move_pays;
	cfg.accept_ctx = e;
	coh_engine_init(e->coh, e->nparts, &cfg, place); /* widens a share the start exceeds */
	e->next_epoch = coh_params.epoch_ns;
	return 0;
}

#define STAYS	UINT32_MAX	 /* assign_cpus: not moving */
#define PENDING (UINT32_MAX - 1) /* moving, no CPU yet */

/*
 * Home CPUs for the partitions the engine moved to another node (@to[i]; STAYS for the others).
 * Heaviest first, each goes to the CPU of its new node with the least load: the decayed CPU time
 * (load_ns) of the partitions homed there, those that stay included; then the fewest partitions,
 * then the lowest number. Counting partitions alone put heavy ones on one CPU (docs/simulator.md,
 * "Tail latency").
 */
static void assign_cpus(const struct engine *e, const u8 *place, uint32_t *to)
{
	const struct machine_desc *d = &e->m->desc;
	uint64_t load[RUVIX_MAX_CPUS] = { 0 };
	uint32_t count[RUVIX_MAX_CPUS] = { 0 }, pending = 0;

	for (uint32_t i = 0; i < e->nparts; i++) {
		const struct sim_partition *p = &e->parts[i];
		if (place[i] != p->node) {
			to[i] = PENDING;
			pending++;
			continue;
		}
		uint32_t c = partition_cpu(p->handle);
		to[i] = STAYS;
		load[c] += p->load_ns;
		count[c]++;
	}
	while (pending--) {
		uint32_t m = STAYS, best = PENDING;
		for (uint32_t i = 0; i < e->nparts; i++)
			if (to[i] == PENDING &&
			    (m == STAYS || e->parts[i].load_ns > e->parts[m].load_ns))
				m = i;
		for (uint32_t c = 0; c < d->ncpus; c++)
			if (d->cpu_node[c] == place[m] &&
			    (best == PENDING || load[c] < load[best] ||
			     (load[c] == load[best] && count[c] < count[best])))
				best = c;
		to[m] = best; /* PENDING still when the node has no CPU: refused below */
		if (best != PENDING) {
			load[best] += e->parts[m].load_ns;
			count[best]++;
		}
	}
}

/*
 * The what-if of a placement: replay the recorded requests on the home CPUs @to gives (STAYS:
 * where it is now) and sum the time their steps would have waited. Each CPU runs its queue first
 * in, first out, paying the machine's switch cost as the engine does. A request's first recorded
 * step is queued when it really was; each next one as long after its previous step ends as it
 * really was (the message in between). The waits decay per epoch of the step as the traffic
 * graph does (w -= w >> decay_shift), so the sum is in the units of the cut the placement saves.
 * O(n log n) in the n steps recorded; 0 with e->oom set when out of memory.
 */
#define NONE	   UINT32_MAX
#define COMPLETION (1u << 31) /* in a replay event's id: the step ends, not arrives */

static uint64_t whatif_wait(struct engine *e, const uint32_t *to)
{
	uint32_t head[RUVIX_MAX_CPUS], tail[RUVIX_MAX_CPUS], last[RUVIX_MAX_CPUS];
	bool busy[RUVIX_MAX_CPUS] = { false };
	static uint32_t home[RUVIX_MAX_PARTITIONS];
	const struct demand *dem = e->demand + e->first;
	struct replay *x = e->replay;
	struct heap *ev = &e->replay_events;
	uint32_t n = (uint32_t)(e->ndemand - e->first);
	uint64_t seq = 0;

	for (uint32_t i = 0; i < e->nparts; i++)
		home[i] = to[i] == STAYS ? partition_cpu(e->parts[i].handle) : to[i];
	for (uint32_t c = 0; c < e->m->desc.ncpus; c++)
		head[c] = tail[c] = last[c] = NONE;
	ev->n = 0;
	for (uint32_t k = 0; k < n; k++)
		x[k] = (struct replay){ 0, NONE, NONE };
	for (uint32_t k = 0; k < n; k++) {
		const struct demand *p = demand_entry(e, dem[k].prev);
		if (p && p->end_ns && p->end_ns <= dem[k].at_ns)
			x[p - dem].succ = k;
		else if (heap_push(ev, dem[k].at_ns, seq++, k) != 0)
			goto oom;
	}
	while (ev->n > 0) {
		struct hent v = heap_pop(ev);
		uint32_t k = v.id & ~COMPLETION, c = home[dem[k].part];
		if (v.id & COMPLETION) {
			busy[c] = false;
			uint32_t s = x[k].succ;
			if (s != NONE &&
			    heap_push(ev, v.key + (dem[s].at_ns - dem[k].end_ns), seq++, s))
				goto oom;
		} else {
			x[k].wait = v.key; /* queued now */
			if (tail[c] == NONE)
				head[c] = k;
			else
				x[tail[c]].next = k;
			tail[c] = k;
		}
		if (busy[c] || head[c] == NONE)
			continue;
		uint32_t r = head[c];
		head[c] = x[r].next;
		if (head[c] == NONE)
			tail[c] = NONE;
		x[r].wait = v.key - x[r].wait;
		uint64_t cost = dem[r].ns + (last[c] != dem[r].part ? e->m->switch_ns : 0);
		last[c] = dem[r].part;
		busy[c] = true;
		if (heap_push(ev, v.key + cost, seq++, r | COMPLETION) != 0)
			goto oom;
	}
	uint64_t wait = 0, epoch = n ? dem[0].epoch : e->coh->epoch;
	uint32_t shift = coh_params.decay_shift;
	for (uint32_t k = 0; k <= n; k++) {
		uint64_t now = k < n ? dem[k].epoch : e->coh->epoch;
		for (; epoch < now && wait >> shift; epoch++)
			wait -= wait >> shift;
		epoch = now;
		if (k < n)
			wait += x[k].wait;
	}
	return wait;
oom:
	e->oom = true;
	return 0;
}

/*
 * The engine's accept hook. The cut counts message delay only, so the engine put partitions
 * that talk together even when they also compute at the same time, or beside the busiest
 * ones, and they queued behind each other (docs/simulator.md, "Tail latency"). A placement
 * that pays for its moves in cut is adopted only if the queueing delay it changes on the
 * recorded requests, either way, is smaller than the message delay it saves: both are decayed
 * ns of request delay over the same memory. A predicted queueing gain larger than that is
 * refused too: it bets on the recorded demand repeating, which the cut does not (taking those
 * bets on the Nezha traces ended 25 % better to 13.5 % worse than edf). Where queueing is
 * noise, its difference grows with the square root of the steps and the cut wins over time.
 */
static bool move_pays(void *ctx, const u8 *place, const u8 *candidate, u32 n, u64 gain)
{
	struct engine *e = ctx;
	static uint32_t to[RUVIX_MAX_PARTITIONS];

	(void)place; /* the simulator's homes are the placement in force */
	CHECK(n == e->nparts);
	for (uint32_t i = 0; i < e->nparts; i++)
		to[i] = STAYS;
	uint64_t before = whatif_wait(e, to);
	assign_cpus(e, candidate, to);
	for (uint32_t i = 0; i < e->nparts; i++)
		if (to[i] == PENDING)
			return false; /* a node without a CPU: coherence_epoch would refuse it */
	uint64_t after = whatif_wait(e, to);
	if (e->oom)
		return false;
	return (after > before ? after - before : before - after) < gain;
}

/* Forget the demand older than DEMAND_EPOCHS (after each epoch). */
static void forget_demand(struct engine *e)
{
	uint64_t keep = DEMAND_EPOCHS(coh_params.decay_shift);

	while (e->first < e->ndemand && e->demand[e->first].epoch + keep < e->coh->epoch)
		e->first++;
}

/* One epoch: the engine's placement becomes partition_place calls (witnessed), moved
 * partitions pay SIM_MIGRATE_NS on their next step, and every pressure goes to the scheduler. */
static int coherence_epoch(struct engine *e)
{
	struct coh_epoch_report rep;
	struct sim_result *res = e->res;

	epoch_work0 = coh_work_units;
	sim_hal_set_clock_extra(epoch_clock);
	coh_engine_epoch(e->coh, &rep);
	sim_hal_set_clock_extra(NULL);
	res->epochs++;
	res->stale_cut_epochs += rep.stale;
	sim_hal_set_cpu(0);
	if (rep.stale && kernel_coherence_stale(e->coh->epoch - 1, rep.elapsed_ns) != KERR_OK) {
		fprintf(stderr, "ruvix-sim: could not witness a stale coherence epoch\n");
		return -1;
	}
	if (latency_add(&res->mincut_ns, rep.elapsed_ns) != 0)
		e->oom = true;
	sim_hal_set_cpu(0);
	static uint32_t to[RUVIX_MAX_PARTITIONS];
	assign_cpus(e, e->coh->place, to);
	for (uint32_t i = 0; i < e->nparts; i++) {
		struct sim_partition *p = &e->parts[i];
		p->load_ns -= p->load_ns >> coh_params.decay_shift;
		if (to[i] != STAYS) {
			uint32_t cpu = to[i];
			enum kerr err =
				cpu == PENDING ? KERR_INVALID : partition_place(p->handle, cpu);
			if (err != KERR_OK) {
				fprintf(stderr, "ruvix-sim: the kernel refused to move '%s': %s\n",
					p->name, kerr_name(err));
				return -1;
			}
			p->node = e->coh->place[i];
			p->penalty_ns = SIM_MIGRATE_NS; /* once, however often it moved */
			res->migrations++;
		}
		CHECK(sched_set_pressure(p->handle, e->coh->pressure[i]) == KERR_OK);
	}
	forget_demand(e);
	return 0;
}
#endif

/* Read trace items until the next request; 1 = one in *it, 0 = end, -1 = error. */
static int next_request(struct engine *e, struct trace_item *it)
{
	int r;

	while ((r = trace_next(&e->trace, it)) == 1) {
		if (it->kind == TRACE_REQUEST)
			return 1;
		if (add_partition(e, it->name) != 0)
			return -1;
	}
	return r;
}

/* Build the manifest's objects and know its partitions by name. */
static int load_manifest(struct engine *e, const struct sim_blob *mf)
{
	static struct manifest_summary sum;
	char err[MANIFEST_ERR_MAX];

	if (manifest_load(mf->data, mf->size, &sum, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", mf->path, err);
		return -1;
	}
	e->from_manifest = true;
	for (u32 i = 0; i < sum.partitions; i++)
		push_partition(e, partition_name(sum.partition[i]), sum.partition[i]);
	manifest_edges(e);
	return 0;
}

int sim_run(const char *trace_path, const struct sim_machine *m, const struct sim_blob *manifest,
	    enum sim_policy policy, double time_scale, FILE *wlog, struct sim_result *res)
{
	struct engine *e = calloc(1, sizeof(*e));
	static struct trace_item it;
	int have, rc = -1;
	uint64_t now = 0;

	if (!e) {
		fprintf(stderr, "ruvix-sim: out of memory\n");
		return -1;
	}
	memset(res, 0, sizeof(*res));
	sim_hal_reset();
	e->names_mask = hash_size(RUVIX_MAX_PARTITIONS) - 1;
	e->pairs_mask = hash_size(RUVIX_MAX_EDGES) - 1;
	e->names = calloc(e->names_mask + 1, sizeof(*e->names));
	e->pairs = calloc(e->pairs_mask + 1, sizeof(*e->pairs));
	if (!e->names || !e->pairs) {
		fprintf(stderr, "ruvix-sim: out of memory\n");
		goto out;
	}
	e->m = m;
	e->policy = policy;
	e->res = res;
	if (trace_open(&e->trace, trace_path) != 0)
		goto out;

	sim_hal_set_witness_file(wlog);
	sim_hal_set_time(0);
	sim_hal_set_cpu(0);
	enum kerr err = kernel_boot(&m->desc);
	if (err != KERR_OK) {
		fprintf(stderr, "ruvix-sim: kernel_boot refused the machine: %s\n", kerr_name(err));
		goto out;
	}
	if (manifest && load_manifest(e, manifest) != 0)
		goto out;

	have = next_request(e, &it);
	e->time_scale = time_scale;
	if (have == 1)
		it.at_ns = scaled(e, it.at_ns);
	if (have == 1 && it.at_ns == UINT64_MAX) {
		trace_error(&e->trace, "--time-scale puts this arrival past 2^56 ns");
		goto out;
	}
	if (have >= 0)
		for (uint32_t i = 0; i < e->nparts; i++)
			e->parts[i].node = m->desc.cpu_node[partition_cpu(e->parts[i].handle)];
#if RUVIX_COHERENCE
	if (have >= 0 && policy == POLICY_COHERENCE && coherence_start(e) != 0)
		goto out;
	if (e->coh)
		sim_hal_set_edge_traffic(feed_engine, e);
#endif
	for (;;) {
		if (have < 0)
			goto out;
		/* The earliest event; at equal times: completions (lowest CPU first), then
		 * deliveries, then arrivals. */
		int done = -1;
		for (uint32_t c = 0; c < m->desc.ncpus; c++)
			if (e->cpus[c].busy &&
			    (done < 0 || e->cpus[c].end_ns < e->cpus[done].end_ns))
				done = (int)c;
		uint64_t t_done = done >= 0 ? e->cpus[done].end_ns : UINT64_MAX;
		uint64_t t_msg = e->deliveries.n ? e->deliveries.v[0].key : UINT64_MAX;
		uint64_t t_arr = have ? it.at_ns : UINT64_MAX;
		if (done >= 0 && t_done <= t_msg && t_done <= t_arr) {
			now = t_done;
			sim_hal_set_time(now);
			if (complete(e, (uint32_t)done, now) != 0)
				goto out;
		} else if (e->deliveries.n && t_msg <= t_arr) {
			now = t_msg;
			sim_hal_set_time(now);
			struct hent d = heap_pop(&e->deliveries);
			if (deliver(e, d.id, now) != 0)
				goto out;
		} else if (have) {
			now = it.at_ns;
			sim_hal_set_time(now);
			if (arrive(e, &it, now) != 0)
				goto out;
			have = next_request(e, &it);
			if (have == 1)
				it.at_ns = scaled(e, it.at_ns);
			if (have == 1 && it.at_ns == UINT64_MAX) {
				trace_error(&e->trace,
					    "--time-scale puts this arrival past 2^56 ns");
				goto out;
			}
		} else {
			break;
		}
		res->events++;
#if RUVIX_COHERENCE
		if (e->coh && now >= e->next_epoch) {
			if (coherence_epoch(e) != 0)
				goto out;
			e->next_epoch = now - now % coh_params.epoch_ns + coh_params.epoch_ns;
		}
#endif
		dispatch(e, now);
		if (e->oom) {
			fprintf(stderr, "ruvix-sim: out of memory\n");
			goto out;
		}
	}
	res->makespan_ns = now;
	res->partitions = e->nparts;
	res->edges = e->nedges;
	sim_hal_set_cpu(0);
	kernel_digest(res->state_digest);
	if (kernel_halt(0) != KERR_OK) {
		fprintf(stderr, "ruvix-sim: could not write the halt witness\n");
		goto out;
	}
	rc = 0;
out:
	sim_hal_set_edge_traffic(NULL, NULL);
	trace_close(&e->trace);
	for (uint32_t i = 0; i < e->nparts; i++)
		free(e->parts[i].q.v);
	free(e->deliveries.v);
	free(e->pool);
	free(e->free_ids);
	free(e->names);
	free(e->pairs);
#if RUVIX_COHERENCE
	free(e->coh);
	free(e->demand);
	free(e->replay);
	free(e->replay_events.v);
#endif
	free(e);
	return rc;
}
