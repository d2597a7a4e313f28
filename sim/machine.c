/*
 * Machine descriptions for the simulator, parsed with libfdt: the same device-tree language
 * the bare-metal backend reads from QEMU. Layout (docs/simulator.md):
 *
 *   / { compatible = "ruvix,sim-machine"; model = "...";
 *       cpus { cpu@N { device_type = "cpu"; reg = <N>; numa-node-id = <K>; }; ... };
 *       memory@X { device_type = "memory"; reg = <addr size> (2 cells each); numa-node-id; };
 *       ruvix,costs { switch-ns = <N>; msg-local-ns = <N>; msg-remote-ns = <N>;
 *                     local-ps-per-byte = <N>; remote-ps-per-byte = <N>; }; };
 * Every cost but switch-ns is optional and 0 when absent.
 */
#include "machine.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "blob.h"

#ifndef RUVIX_MACHINE_DIR
#error "the build defines RUVIX_MACHINE_DIR (the compiled shipped machines)"
#endif

/* A machine file is untrusted: node names and property values may hold any byte, so every
 * message is made printable before it is shown. */
static int fail(const char *path, const char *node, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: %s", node, what);
	for (char *c = msg; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	fprintf(stderr, "ruvix-sim: %s: %s\n", path, msg);
	return -1;
}

/* A string property: NULL when absent; *bad when present but not one NUL-terminated string. */
static const char *str_prop(const void *fdt, int node, const char *name, bool *bad)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);

	*bad = p && (len <= 0 || memchr(p, '\0', (size_t)len) != p + len - 1);
	return p && !*bad ? p : NULL;
}

/* "/parent/name" of @node, with a placeholder for a name libfdt cannot read. */
static void node_path(const void *fdt, int node, const char *parent, char *out, size_t size)
{
	const char *n = fdt_get_name(fdt, node, NULL);

	snprintf(out, size, "%s/%s", parent, n ? n : "?");
}

/* A one-cell u32 property; -1 when absent, -2 when malformed. */
static long long u32_prop(const void *fdt, int node, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return -1;
	if (len != 4)
		return -2;
	return fdt32_to_cpu(*p);
}

static int parse(const void *fdt, const char *path, struct sim_machine *m)
{
	char name[128];
	int cpus, node, len;
	const char *model;
	bool bad;

	if (fdt_node_check_compatible(fdt, 0, "ruvix,sim-machine") != 0)
		return fail(path, "/", "compatible must include \"ruvix,sim-machine\"");
	model = str_prop(fdt, 0, "model", &bad);
	if (bad)
		return fail(path, "/", "model: expected a string");
	snprintf(m->model, sizeof(m->model), "%s", model ? model : "unnamed");
	for (char *c = m->model; *c; c++)
		if (*c < 0x20 || *c > 0x7e || *c == '"' || *c == '\\')
			*c = '?'; /* it is copied into report.json */

	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return fail(path, "/", "expected a /cpus node");
	fdt_for_each_subnode (node, fdt, cpus) {
		const char *type = str_prop(fdt, node, "device_type", &bad);
		node_path(fdt, node, "/cpus", name, sizeof(name));
		if (bad)
			return fail(path, name, "device_type: expected a string");
		if (!type || strcmp(type, "cpu") != 0)
			continue;
		if (m->desc.ncpus == RUVIX_MAX_CPUS)
			return fail(path, name,
				    "more CPUs than this build supports (meson -Dmax_cpus)");
		long long reg = u32_prop(fdt, node, "reg");
		if (reg != m->desc.ncpus)
			return fail(path, name,
				    "expected reg = <index>, CPUs numbered 0, 1, 2... in order");
		long long numa = u32_prop(fdt, node, "numa-node-id");
		if (numa == -2 || numa >= RUVIX_MAX_NODES)
			return fail(path, name,
				    "numa-node-id must be one cell below the node limit");
		m->desc.cpu_node[m->desc.ncpus] = (uint8_t)(numa < 0 ? 0 : numa);
		if ((uint32_t)m->desc.cpu_node[m->desc.ncpus] + 1 > m->desc.nnodes)
			m->desc.nnodes = m->desc.cpu_node[m->desc.ncpus] + 1u;
		m->desc.ncpus++;
	}
	if (m->desc.ncpus == 0)
		return fail(path, "/cpus",
			    "expected at least one cpu node (device_type = \"cpu\")");

	for (node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7); node >= 0;
	     node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) {
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		node_path(fdt, node, "", name, sizeof(name));
		if (!reg || len != 16)
			return fail(path, name, "expected reg = <addr-hi addr-lo size-hi size-lo>");
		uint64_t size = (uint64_t)fdt32_to_cpu(reg[2]) << 32 | fdt32_to_cpu(reg[3]);
		if (m->desc.mem_bytes + size < m->desc.mem_bytes)
			return fail(path, name, "the memory sizes add up to more than 2^64 bytes");
		m->desc.mem_bytes += size;
	}
	if (m->desc.mem_bytes == 0)
		return fail(path, "/", "expected a memory node with a non-zero size");

	int costs = fdt_path_offset(fdt, "/ruvix,costs");
	if (costs < 0)
		return fail(path, "/", "expected a /ruvix,costs node");
	long long sw = u32_prop(fdt, costs, "switch-ns");
	if (sw < 0)
		return fail(path, "/ruvix,costs", "expected switch-ns = <nanoseconds> (one cell)");
	m->switch_ns = (uint64_t)sw;
	static const struct {
		const char *name;
		size_t offset;
	} optional[] = {
		{ "msg-local-ns", offsetof(struct sim_machine, msg_local_ns) },
		{ "msg-remote-ns", offsetof(struct sim_machine, msg_remote_ns) },
		{ "local-ps-per-byte", offsetof(struct sim_machine, local_ps_per_byte) },
		{ "remote-ps-per-byte", offsetof(struct sim_machine, remote_ps_per_byte) },
	};
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		long long v = u32_prop(fdt, costs, optional[i].name);
		if (v == -2) {
			snprintf(name, sizeof(name), "%s: expected <N> (one cell)",
				 optional[i].name);
			return fail(path, "/ruvix,costs", name);
		}
		if (v > 1000000000) { /* one second (or 1 ms per byte): keeps sums far from 2^64 */
			snprintf(name, sizeof(name), "%s: expected at most 1000000000",
				 optional[i].name);
			return fail(path, "/ruvix,costs", name);
		}
		*(uint64_t *)((char *)m + optional[i].offset) = v < 0 ? 0 : (uint64_t)v;
	}
	return 0;
}

/*
 * Every token readable: node names, and property names inside the strings block. libfdt
 * 1.6.1's own fdt_check_full dereferences the name of a property whose name offset is out of
 * range (a NULL): fuzz_machine found that SIGSEGV, so this walk runs first. NULL or a message.
 */
static const char *check_tokens(const void *fdt)
{
	int off = 0, next = 0, depth = 0;

	for (;; off = next) {
		uint32_t tag = fdt_next_tag(fdt, off, &next);
		if (next < 0)
			return "the structure block is truncated or damaged";
		if (tag == FDT_END)
			return depth == 0 ? NULL : "the structure block ends inside a node";
		if (tag == FDT_BEGIN_NODE) {
			if (!fdt_get_name(fdt, off, NULL))
				return "a node without a readable name";
			depth++;
		} else if (tag == FDT_END_NODE) {
			if (--depth < 0)
				return "a node ends that never began";
		} else if (tag == FDT_PROP) {
			const char *name = NULL;
			if (!fdt_getprop_by_offset(fdt, off, &name, NULL) || !name)
				return "a property's name lies outside the strings block";
		}
	}
}

int machine_load(const char *spec, struct sim_machine *m)
{
	char path[4096];
	void *blob;
	int r;

	memset(m, 0, sizeof(*m));
	m->desc.nnodes = 1;
	size_t size;
	blob = blob_load(spec, RUVIX_MACHINE_DIR, "machine", path, sizeof(path), &size);
	if (!blob)
		return -1;
	/* The whole structure first: libfdt's node walks stop early, without a word, at a damaged
	 * token, and would drop the rest of the machine. */
	const char *bad = check_tokens(blob);
	if (bad || (r = fdt_check_full(blob, size)) != 0) {
		fprintf(stderr,
			"ruvix-sim: %s: a damaged device tree (%s); compile the .dts with dtc\n",
			path, bad ? bad : fdt_strerror(r));
		free(blob);
		return -1;
	}
	r = parse(blob, path, m);
	free(blob);
	return r;
}
