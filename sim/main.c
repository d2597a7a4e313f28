/*
 * ruvix-sim: run the RuVix core over a simulated machine on a workload trace.
 *
 *   ruvix-sim run --trace FILE --machine NAME|FILE.dts|FILE.dtb --out DIR
 *                 [--manifest NAME|FILE.dts|FILE.dtb] [--policy naive|edf|coherence] [--seed N]
 *                 [--time-scale X] [--cdf FILE]
 *   ruvix-sim compare ...   (tools/sim_compare.py: a policy x load sweep with plots)
 *
 * Writes DIR/report.json and DIR/witness.wlog. Both are written under temporary names and
 * renamed only when the run succeeded, so a failed run leaves no half-written output.
 * Exit status: 0 done, 1 bad input or failed run, 2 usage error.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium/core.h>

#include <ruvix/witness.h>

#include "blob.h"
#include "engine.h"
#include "machine.h"

#define SIM_VERSION "0.1.0"

struct options {
	const char *trace, *machine, *out, *policy, *manifest, *cdf;
	double time_scale;
	uint64_t seed;
	struct sim_coherence coh;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ruvix-sim run --trace FILE --machine NAME|FILE.dts|FILE.dtb --out DIR\n"
		"                     [--manifest NAME|FILE.dts|FILE.dtb] [--policy "
		"naive|edf|coherence]\n"
		"                     [--seed N] [--time-scale X] [--cdf FILE]\n"
		"                     [--epoch-ns N] [--epoch-budget-ns N] [--decay-shift N] "
		"[--move-cost N]\n"
		"                     [--decay-by epoch|time]\n"
		"       ruvix-sim compare --trace FILE --machine M [--policies naive,edf]\n"
		"                     [--loads 0.5,0.7,0.9] --out DIR [--manifest X] [--seed N]\n"
		"                     [--load-basis busiest|mean]\n"
		"run writes DIR/report.json and DIR/witness.wlog; compare a sweep, a table and\n"
		"plots (docs/simulator.md).\n"
		"Shipped machines: see sim/machines/ (for example: virt2, numa2x2).\n");
}

/* A decimal integer in [@lo, @hi] for option @name into *@out; 0, or -1 after an error. */
static int parse_u64(const char *name, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno || *end || *v < '0' || *v > '9' || *out < lo || *out > hi) {
		fprintf(stderr,
			"ruvix-sim: %s wants an integer from %" PRIu64 " to %" PRIu64
			", got '%s'\n",
			name, lo, hi, v);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	uint64_t n;

	*o = (struct options){ .policy = "naive", .time_scale = 1.0, .coh = SIM_COHERENCE_DEFAULT };
	if (argc < 2 || strcmp(argv[1], "run") != 0)
		return -1;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc) {
			fprintf(stderr, "ruvix-sim: %s needs a value\n", a);
			return -1;
		}
		const char *v = argv[++i];
		if (!strcmp(a, "--trace"))
			o->trace = v;
		else if (!strcmp(a, "--machine"))
			o->machine = v;
		else if (!strcmp(a, "--out"))
			o->out = v;
		else if (!strcmp(a, "--manifest"))
			o->manifest = v;
		else if (!strcmp(a, "--cdf"))
			o->cdf = v;
		else if (!strcmp(a, "--time-scale")) {
			char *end;
			o->time_scale = strtod(v, &end);
			if ((v[0] != '.' && (v[0] < '0' || v[0] > '9')) || strchr(v, 'x') ||
			    strchr(v, 'X') || *end || !(o->time_scale > 0) || o->time_scale > 1e6) {
				fprintf(stderr,
					"ruvix-sim: --time-scale wants a number in (0, 1e6], got "
					"'%s'\n",
					v);
				return -1;
			}
		} else if (!strcmp(a, "--epoch-budget-ns")) {
			if (parse_u64(a, v, 1, UINT64_MAX, &o->coh.budget_ns) != 0)
				return -1;
		} else if (!strcmp(a, "--epoch-ns")) {
			if (parse_u64(a, v, 1000, 1000000000000ull, &o->coh.epoch_ns) != 0)
				return -1;
		} else if (!strcmp(a, "--decay-shift")) {
			if (parse_u64(a, v, 1, 63, &n) != 0)
				return -1;
			o->coh.decay_shift = (uint32_t)n;
		} else if (!strcmp(a, "--decay-by")) {
			if (strcmp(v, "epoch") && strcmp(v, "time")) {
				fprintf(stderr,
					"ruvix-sim: --decay-by wants epoch or time, got '%s'\n", v);
				return -1;
			}
			o->coh.decay_by_time = !strcmp(v, "time");
		} else if (!strcmp(a, "--move-cost")) {
			if (parse_u64(a, v, 0, 1ull << 48, &o->coh.move_cost_ns) != 0)
				return -1;
		} else if (!strcmp(a, "--policy"))
			o->policy = v;
		else if (!strcmp(a, "--seed")) {
			if (parse_u64(a, v, 0, UINT64_MAX, &o->seed) != 0)
				return -1;
		} else {
			fprintf(stderr, "ruvix-sim: unknown option '%s'\n", a);
			return -1;
		}
	}
	if (!o->trace || !o->machine || !o->out) {
		fprintf(stderr, "ruvix-sim: run needs --trace, --machine and --out\n");
		return -1;
	}
	if (strcmp(o->policy, "coherence") == 0 && !RUVIX_COHERENCE) {
		fprintf(stderr,
			"ruvix-sim: policy 'coherence' needs the coherence engine, and this "
			"build has none (-Dcoherence=disabled)\n");
		return -1;
	}
	if (strcmp(o->policy, "naive") != 0 && strcmp(o->policy, "edf") != 0 &&
	    strcmp(o->policy, "coherence") != 0) {
		fprintf(stderr, "ruvix-sim: unknown policy '%s' (known: naive, edf, coherence)\n",
			o->policy);
		return -1;
	}
	return 0;
}

/*
 * Cleanup that must also happen when the run dies in hal_panic (exit 70): temporary outputs
 * and an output folder this run created. Registered with atexit, disarmed on success.
 */
static struct {
	bool armed;
	char report_tmp[4300], wlog_tmp[4300], dir[4096];
	bool made_dir;
} cleanup;

static void clean_up(void)
{
	if (!cleanup.armed)
		return;
	unlink(cleanup.wlog_tmp);
	unlink(cleanup.report_tmp);
	if (cleanup.made_dir)
		rmdir(cleanup.dir); /* only succeeds while empty, as it should */
}

static int make_dir(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf)) {
		fprintf(stderr, "ruvix-sim: output path too long\n");
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(buf, 0777) == 0) {
		cleanup.made_dir = true;
		snprintf(cleanup.dir, sizeof(cleanup.dir), "%s", buf);
	} else if (errno != EEXIST) {
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "ruvix-sim: cannot create %s: %s\n", buf, strerror(errno));
	return -1;
}

/* JSON string: our inputs are paths and names; escape what JSON requires. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void write_report(FILE *f, const struct options *o, const struct sim_machine *m,
			 struct sim_result *r, const char *head_hex, uint64_t records)
{
	double seconds = (double)r->makespan_ns / 1e9;

	fprintf(f, "{\n  \"ruvix_sim_version\": \"%s\",\n  \"trace\": ", SIM_VERSION);
	json_string(f, o->trace);
	fprintf(f, ",\n  \"machine\": {\"spec\": ");
	json_string(f, o->machine);
	fprintf(f, ", \"model\": ");
	json_string(f, m->model);
	fprintf(f,
		", \"cpus\": %" PRIu32 ", \"numa_nodes\": %" PRIu32 ", \"switch_ns\": %" PRIu64
		"},\n",
		m->desc.ncpus, m->desc.nnodes, m->switch_ns);
	fprintf(f, "  \"policy\": ");
	json_string(f, o->policy);
	fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n", o->seed);
	fprintf(f, "  \"time_scale\": %.17g,\n", o->time_scale);
	fprintf(f, "  \"manifest\": ");
	if (o->manifest)
		json_string(f, o->manifest);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"partitions\": %" PRIu32 ",\n", r->partitions);
	fprintf(f, "  \"events\": %" PRIu64 ",\n", r->events);
	fprintf(f, "  \"requests\": %" PRIu64 ",\n", r->requests);
	fprintf(f, "  \"makespan_ns\": %" PRIu64 ",\n", r->makespan_ns);
	fprintf(f, "  \"throughput_rps\": %.3f,\n",
		seconds > 0 ? (double)r->requests / seconds : 0.0);
	fprintf(f, "  \"latency_ns\": {");
	const struct {
		const char *name;
		const struct latency_set *l;
	} sets[] = { { "all", &r->latency_all },
		     { "critical", &r->latency[CLASS_CRITICAL] },
		     { "batch", &r->latency[CLASS_BATCH] } };
	for (int i = 0; i < 3; i++) {
		const struct latency_set *l = sets[i].l;
		fprintf(f,
			"%s\"%s\": {\"count\": %" PRIu64 ", \"p50\": %" PRIu64 ", \"p90\": %" PRIu64
			", \"p99\": %" PRIu64 ", \"p999\": %" PRIu64 ", \"max\": %" PRIu64 "}",
			i ? ", " : "", sets[i].name, l->n, latency_quantile(l, 0.50),
			latency_quantile(l, 0.90), latency_quantile(l, 0.99),
			latency_quantile(l, 0.999), latency_quantile(l, 1.0));
	}
	fprintf(f, "},\n");
	fprintf(f, "  \"deadline_misses\": {\"critical\": %" PRIu64 ", \"batch\": %" PRIu64 "},\n",
		r->deadline_misses[CLASS_CRITICAL], r->deadline_misses[CLASS_BATCH]);
	fprintf(f, "  \"local_bytes\": %" PRIu64 ",\n", r->local_bytes);
	fprintf(f, "  \"cross_node_bytes\": %" PRIu64 ",\n", r->cross_node_bytes);
	fprintf(f, "  \"edges\": %" PRIu32 ",\n", r->edges);
	fprintf(f, "  \"messages\": %" PRIu64 ",\n", r->messages);
	fprintf(f, "  \"message_waits\": %" PRIu64 ",\n", r->message_waits);
	fprintf(f, "  \"edge_queue\": %d,\n", RUVIX_EDGE_QUEUE);
	fprintf(f, "  \"switches\": %" PRIu64 ",\n", r->switches);
	fprintf(f, "  \"cpu_busy_ns\": [");
	for (uint32_t c = 0; c < m->desc.ncpus; c++)
		fprintf(f, "%s%" PRIu64, c ? ", " : "", r->cpu_busy_ns[c]);
	fprintf(f, "],\n");
	fprintf(f, "  \"migrations\": %" PRIu64 ",\n", r->migrations);
	fprintf(f, "  \"epochs\": %" PRIu64 ",\n", r->epochs);
	fprintf(f, "  \"epoch_ns\": %" PRIu64 ",\n", o->coh.epoch_ns);
	fprintf(f, "  \"epoch_budget_ns\": %" PRIu64 ",\n", o->coh.budget_ns);
	fprintf(f, "  \"decay_shift\": %u,\n", o->coh.decay_shift);
	fprintf(f, "  \"decay_by\": \"%s\",\n", o->coh.decay_by_time ? "time" : "epoch");
	fprintf(f, "  \"move_cost_ns\": %" PRIu64 ",\n", o->coh.move_cost_ns);
	fprintf(f, "  \"stale_cut_epochs\": %" PRIu64 ",\n", r->stale_cut_epochs);
	if (r->epochs)
		fprintf(f,
			"  \"mincut_ns_per_epoch\": {\"p50\": %" PRIu64 ", \"p99\": %" PRIu64
			", \"max\": %" PRIu64 "},\n",
			latency_quantile(&r->mincut_ns, 0.50),
			latency_quantile(&r->mincut_ns, 0.99),
			latency_quantile(&r->mincut_ns, 1.0));
	else
		fprintf(f, "  \"mincut_ns_per_epoch\": null,\n");
	char digest[33];
	for (int i = 0; i < 16; i++)
		sprintf(digest + 2 * i, "%02x", r->state_digest[i]);
	fprintf(f, "  \"state_digest\": \"%s\",\n", digest);
	fprintf(f, "  \"witness\": {\"records\": %" PRIu64 ", \"head\": \"%s\"}\n}\n", records,
		head_hex);
}

/* The latency distribution as "ns fraction_all fraction_critical" lines (for plots). */
static int write_cdf(const char *path, const struct sim_result *r)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "ruvix-sim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	latency_cdf(f, &r->latency_all, &r->latency[CLASS_CRITICAL]);
	if (fclose(f) != 0) {
		fprintf(stderr, "ruvix-sim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct sim_machine m;
	struct sim_result res = { 0 };
	char report[4200], report_tmp[4300], wlog[4200], wlog_tmp[4300];
	int rc = 1;

	/* libsodium picks its fastest BLAKE2b for this CPU (AVX2, SSE4.1) only once initialised;
	 * otherwise every witness record is hashed by the portable code. Same digests either way.
	 */
	if (sodium_init() < 0) {
		fprintf(stderr, "ruvix-sim: libsodium failed to initialise\n");
		return 70;
	}
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "compare")) {
		/* The sweep, its table and its plots are a Python driver of `ruvix-sim run`. */
		char *args[64];
		int n = 0;
		args[n++] = (char *)"python3";
		args[n++] = (char *)RUVIX_COMPARE_SCRIPT;
		args[n++] = (char *)"--sim";
		args[n++] = argv[0];
		for (int i = 2; i < argc && n < 63; i++)
			args[n++] = argv[i];
		args[n] = NULL;
		execvp("python3", args);
		fprintf(stderr, "ruvix-sim: cannot run python3 for compare: %s\n", strerror(errno));
		return 1;
	}
	if (parse_args(argc, argv, &o) != 0) {
		usage(stderr);
		return 2;
	}
	if (machine_load(o.machine, &m) != 0)
		return 1;
	struct sim_blob manifest = { 0 };
	void *manifest_data = NULL;
	char manifest_path[4096];
	if (o.manifest) {
		manifest_data = blob_load(o.manifest, RUVIX_MANIFEST_DIR, "manifest", manifest_path,
					  sizeof(manifest_path), &manifest.size);
		if (!manifest_data)
			return 1;
		manifest.data = manifest_data;
		manifest.path = manifest_path;
	}
	if (make_dir(o.out) != 0)
		return 1;
	snprintf(report, sizeof(report), "%s/report.json", o.out);
	snprintf(wlog, sizeof(wlog), "%s/witness.wlog", o.out);
	snprintf(report_tmp, sizeof(report_tmp), "%s.tmp.%ld", report, (long)getpid());
	snprintf(wlog_tmp, sizeof(wlog_tmp), "%s.tmp.%ld", wlog, (long)getpid());
	memcpy(cleanup.report_tmp, report_tmp, sizeof(report_tmp));
	memcpy(cleanup.wlog_tmp, wlog_tmp, sizeof(wlog_tmp));
	cleanup.armed = true;
	atexit(clean_up);

	FILE *wf = fopen(wlog_tmp, "wb");
	FILE *rf = wf ? fopen(report_tmp, "w") : NULL;
	if (!wf || !rf) {
		fprintf(stderr, "ruvix-sim: cannot write in %s: %s\n", o.out, strerror(errno));
		goto out;
	}
	/* Two records per message: write the log in large blocks. */
	setvbuf(wf, NULL, _IOFBF, 1 << 20);
	sim_set_coherence(&o.coh);
	if (sim_run(o.trace, &m, o.manifest ? &manifest : NULL,
		    strcmp(o.policy, "coherence") == 0 ? POLICY_COHERENCE
		    : strcmp(o.policy, "edf") == 0     ? POLICY_EDF
						       : POLICY_NAIVE,
		    o.time_scale, wf, &res) != 0)
		goto out;
	if (o.cdf && write_cdf(o.cdf, &res) != 0)
		goto out;

	uint8_t head[WITNESS_CHAIN_SIZE];
	char head_hex[2 * WITNESS_CHAIN_SIZE + 1];
	witness_head(head);
	for (int i = 0; i < WITNESS_CHAIN_SIZE; i++)
		sprintf(head_hex + 2 * i, "%02x", head[i]);
	write_report(rf, &o, &m, &res, head_hex, witness_count());

	int werr = fclose(wf), rerr = fclose(rf);
	wf = rf = NULL;
	if (werr || rerr || rename(wlog_tmp, wlog) != 0 || rename(report_tmp, report) != 0) {
		fprintf(stderr, "ruvix-sim: cannot finish writing %s: %s\n", o.out,
			strerror(errno));
		unlink(wlog);
		goto out;
	}
	printf("ruvix-sim: %" PRIu64 " requests on %" PRIu32 " partitions, %" PRIu32
	       " CPUs: p50 %" PRIu64 " ns, p99 %" PRIu64 " ns, makespan %" PRIu64 " ns\n",
	       res.requests, res.partitions, m.desc.ncpus, latency_quantile(&res.latency_all, 0.5),
	       latency_quantile(&res.latency_all, 0.99), res.makespan_ns);
	printf("ruvix-sim: report %s\nruvix-sim: witness log %s (%" PRIu64 " records, head %s)\n",
	       report, wlog, witness_count(), head_hex);
	rc = 0;
out:
	if (wf)
		fclose(wf);
	if (rf)
		fclose(rf);
	if (rc == 0)
		cleanup.armed = false;
	latency_free(&res.latency_all);
	latency_free(&res.latency[0]);
	latency_free(&res.latency[1]);
	latency_free(&res.mincut_ns);
	free(manifest_data);
	return rc;
}
