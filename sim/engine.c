/* The discrete-event engine (model in engine.h). */
#include "engine.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ruvix/kernel.h>
#include <ruvix/partition.h>
#include <ruvix/sched.h>

#include "manifest.h"
#include "sim_hal.h"
#include "trace.h"

struct request {
	uint64_t arrival_ns;
	uint64_t service_ns;
};

/* A partition's FIFO of waiting requests: a ring that grows with the backlog, not the trace. */
struct work_queue {
	struct request *r;
	size_t head, n, cap;
};

struct sim_partition {
	char name[TRACE_NAME_MAX];
	handle_t handle;
	bool declared; /* named by the trace (with a manifest, partitions exist before) */
	bool running;
	struct work_queue q;
};

struct sim_cpu {
	bool busy;
	bool idle; /* background work done since it last ran something */
	handle_t current, last;
	uint32_t part; /* index into partitions[] of current */
	uint64_t end_ns;
};

struct engine {
	const struct sim_machine *m;
	bool from_manifest;
	struct trace_reader trace;
	struct sim_partition parts[RUVIX_MAX_PARTITIONS];
	uint32_t nparts;
	struct sim_cpu cpus[RUVIX_MAX_CPUS];
	struct sim_result *res;
};

static int queue_push(struct work_queue *q, struct request r)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 16;
		struct request *v = malloc(cap * sizeof(*v));
		if (!v)
			return -1;
		for (size_t i = 0; i < q->n; i++)
			v[i] = q->r[(q->head + i) % q->cap];
		free(q->r);
		q->r = v;
		q->head = 0;
		q->cap = cap;
	}
	q->r[(q->head + q->n) % q->cap] = r;
	q->n++;
	return 0;
}

static struct request queue_pop(struct work_queue *q)
{
	struct request r = q->r[q->head];
	q->head = (q->head + 1) % q->cap;
	q->n--;
	return r;
}

static int find_partition(const struct engine *e, const char *name)
{
	for (uint32_t i = 0; i < e->nparts; i++)
		if (strcmp(e->parts[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int index_of(const struct engine *e, handle_t h)
{
	for (uint32_t i = 0; i < e->nparts; i++)
		if (e->parts[i].handle == h)
			return (int)i;
	return -1;
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
	struct sim_partition *p = &e->parts[e->nparts++];
	memcpy(p->name, name, strlen(name) + 1);
	p->handle = h;
	p->declared = true;
	return 0;
}

/* Give every idle CPU the next partition its run queue holds. */
static void dispatch(struct engine *e, uint64_t now)
{
	for (uint32_t c = 0; c < e->m->desc.ncpus; c++) {
		struct sim_cpu *cpu = &e->cpus[c];
		if (cpu->busy)
			continue;
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
			continue;
		}
		cpu->idle = false;
		int i = index_of(e, h);
		struct sim_partition *p = &e->parts[i];
		uint64_t cost = 0;
		if (cpu->last != h) {
			cost = e->m->switch_ns;
			e->res->switches++;
		}
		cpu->busy = true;
		cpu->current = cpu->last = h;
		cpu->part = (uint32_t)i;
		cpu->end_ns = now + cost + p->q.r[p->q.head].service_ns;
		p->running = true;
	}
}

static int arrive(struct engine *e, const struct trace_item *it)
{
	int i = find_partition(e, it->name);

	if (i < 0 || !e->parts[i].declared) {
		trace_error(&e->trace, "request names partition '%s', which is not declared",
			    it->name);
		return -1;
	}
	struct sim_partition *p = &e->parts[i];
	if (queue_push(&p->q, (struct request){ it->at_ns, it->service_ns }) != 0) {
		trace_error(&e->trace, "out of memory for the backlog of '%s'", it->name);
		return -1;
	}
	if (!p->running && p->q.n == 1)
		sched_wake(p->handle);
	return 0;
}

static int complete(struct engine *e, uint32_t c, uint64_t now)
{
	struct sim_cpu *cpu = &e->cpus[c];
	struct sim_partition *p = &e->parts[cpu->part];
	struct request r = queue_pop(&p->q);

	if (latency_add(&e->res->latency, now - r.arrival_ns) != 0) {
		fprintf(stderr, "ruvix-sim: out of memory for latency samples\n");
		return -1;
	}
	e->res->requests++;
	cpu->busy = false;
	p->running = false;
	if (p->q.n > 0) {
		sim_hal_set_cpu(c);
		sched_wake(p->handle);
	}
	return 0;
}

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
	for (u32 i = 0; i < sum.partitions; i++) {
		struct sim_partition *p = &e->parts[e->nparts++];
		const char *name = partition_name(sum.partition[i]);
		memcpy(p->name, name, strlen(name) + 1);
		p->handle = sum.partition[i];
	}
	return 0;
}

int sim_run(const char *trace_path, const struct sim_machine *m, const struct sim_blob *manifest,
	    FILE *wlog, struct sim_result *res)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct trace_item it;
	int have, rc = -1;
	uint64_t now = 0;

	if (!e) {
		fprintf(stderr, "ruvix-sim: out of memory\n");
		return -1;
	}
	memset(res, 0, sizeof(*res));
	e->m = m;
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
	for (;;) {
		if (have < 0)
			goto out;
		/* The earliest completion; ties go to the lowest CPU. */
		int done = -1;
		for (uint32_t c = 0; c < m->desc.ncpus; c++)
			if (e->cpus[c].busy &&
			    (done < 0 || e->cpus[c].end_ns < e->cpus[done].end_ns))
				done = (int)c;
		/* A completion at the same instant as an arrival is handled first. */
		if (done >= 0 && (!have || e->cpus[done].end_ns <= it.at_ns)) {
			now = e->cpus[done].end_ns;
			sim_hal_set_time(now);
			if (complete(e, (uint32_t)done, now) != 0)
				goto out;
		} else if (have) {
			now = it.at_ns;
			sim_hal_set_time(now);
			if (arrive(e, &it) != 0)
				goto out;
			have = next_request(e, &it);
		} else {
			break;
		}
		res->events++;
		dispatch(e, now);
	}
	res->makespan_ns = now;
	res->partitions = e->nparts;
	sim_hal_set_cpu(0);
	kernel_digest(res->state_digest);
	if (kernel_halt(0) != KERR_OK) {
		fprintf(stderr, "ruvix-sim: could not write the halt witness\n");
		goto out;
	}
	rc = 0;
out:
	trace_close(&e->trace);
	for (uint32_t i = 0; i < e->nparts; i++)
		free(e->parts[i].q.r);
	free(e);
	return rc;
}
