/*
 * Manifest loader (format in docs/manifest.md). Two passes over the tree: the first checks every
 * node and property and fills a plan; the second creates the objects in a fixed order through
 * the kernel's entry points. Capability slots are given in a documented, deterministic order.
 *
 * Freestanding: it runs inside the bare-metal image too, so it uses libfdt and the core's klib.
 */
#include "manifest.h"

#include <libfdt.h>
#include <ruvix/cap.h>
#include <ruvix/checkpoint.h>
#include <ruvix/quota.h>
#include <ruvix/edge.h>
#include <ruvix/klib.h>
#include <ruvix/lease.h>
#include <ruvix/partition.h>
#include <ruvix/policy.h>
#include <ruvix/region.h>
#include <ruvix/sched.h>

#define MAX_REGIONS_PER_PARTITION 8
#define MAX_CONTROLS		  8

/*
 * What a partition gets when its node does not say (docs/manifest.md, "Quotas"): 1,024 refused
 * calls written one by one, then 1,024 a second; 16 KiB of console output, then 4 KiB a
 * second; no CPU budget. The quotas bound what a partition can make the kernel write for free.
 */
#define DEFAULT_WITNESS_BURST 1024
#define DEFAULT_WITNESS_RATE  1024
#define DEFAULT_CONSOLE_BURST 16384
#define DEFAULT_CONSOLE_RATE  4096

struct plan_region {
	u64 base, size;
	u8 tier;
};

struct plan_partition {
	const char *name;
	const char *program;
	u8 mode;
	u32 cpu;
	u8 on_fault;
	bool checkpoint;
	u32 nregions;
	struct plan_region region[MAX_REGIONS_PER_PARTITION];
	u32 ncontrols;
	u32 controls[MAX_CONTROLS];			       /* plan indices */
	u64 quota_burst[QUOTA_KINDS], quota_rate[QUOTA_KINDS]; /* burst 0: unlimited */
	u8 on_quota;
	u64 cpu_budget_ns, cpu_period_ns;
};

struct plan_edge {
	u32 a, b;
	u64 base, size;
};

struct plan_device {
	u64 base, size;
	u32 irq;
	i32 owner; /* plan index of the partition that gets the device capability, or -1 */
	i32 lessee;
	u64 lease_ns;
};

struct plan {
	u64 policy[POLICY_KEY_MAX + 1];
	bool policy_set[POLICY_KEY_MAX + 1];
	u32 np, ne, nd;
	struct plan_partition p[RUVIX_MAX_PARTITIONS];
	struct plan_edge e[RUVIX_MAX_EDGES];
	struct plan_device d[RUVIX_MAX_DEVICES];
};

/* The plan is large; one static instance (boot is single-threaded on both backends). */
static struct plan plan;

struct ctx {
	const void *fdt;
	char *err;
	usize errlen;
	char path[96];
};

/* Names from the blob (nodes, unknown properties) may hold any byte: keep messages printable. */
static void printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}

static int fail(struct ctx *c, const char *prop, const char *what)
{
	ksnprintf(c->err, c->errlen, "%s: %s%s%s", c->path, prop ? prop : "", prop ? ": " : "",
		  what);
	printable(c->err);
	return -1;
}

/* Make @node the current path under @parent; -1 (with the message) when its name is unreadable. */
static int enter(struct ctx *c, const char *parent, int node)
{
	const char *name = fdt_get_name(c->fdt, node, NULL);

	ksnprintf(c->path, sizeof(c->path), "%s/%s", parent, name ? name : "?");
	printable(c->path);
	return name ? 0 : fail(c, NULL, "the node's name cannot be read (a damaged blob)");
}

#define MAX_DEPTH 8

/* A structural fault at the current path ("/" at the root). */
static int damaged(struct ctx *c, const char *what)
{
	if (!c->path[0])
		ksnprintf(c->path, sizeof(c->path), "/");
	return fail(c, NULL, what);
}

/*
 * Pass 0: walk every token of the structure block once, so that the passes after it read a
 * tree whose every node name and property name is readable. A blob is untrusted: libfdt
 * returns NULL for a property whose name offset lies outside the strings block and for a node
 * it cannot name, and it ends any iteration early at a damaged token, which would otherwise
 * drop the rest of the tree without a word. The message names the node where the damage is.
 */
static int check_structure(struct ctx *c)
{
	usize len[MAX_DEPTH] = { 0 };
	int depth = 0, off = 0, next = 0;
	bool closed = false;

	c->path[0] = '\0';
	for (;; off = next) {
		u32 tag = fdt_next_tag(c->fdt, off, &next);
		if (next < 0 || (tag == FDT_END && depth > 0))
			return damaged(c,
				       "the structure block is truncated or damaged (compile the "
				       ".dts with dtc)");
		if (tag == FDT_END)
			break;
		if (off == 0 && tag != FDT_BEGIN_NODE)
			return damaged(c, "the structure block does not start with the root node");
		if (closed && tag != FDT_NOP)
			return damaged(c, "data after the root node ends (a damaged blob)");
		if (tag == FDT_BEGIN_NODE) {
			const char *name = fdt_get_name(c->fdt, off, NULL);
			if (!name || (off == 0) != (*name == '\0'))
				return damaged(
					c, off == 0 ? "the root node has a name (a damaged blob)"
						    : "a node without a readable name (a "
						      "damaged blob)");
			if (depth == MAX_DEPTH)
				return damaged(c, "nodes nested deeper than 8 levels");
			/* The root adds nothing to the path; "/policy" is its child. */
			len[depth++] = strlen(c->path);
			if (off != 0) {
				ksnprintf(c->path + len[depth - 1],
					  sizeof(c->path) - len[depth - 1], "/%s", name);
				printable(c->path);
			}
		} else if (tag == FDT_END_NODE) {
			if (depth == 0)
				return damaged(c, "a node ends that never began (a damaged blob)");
			c->path[len[--depth]] = '\0';
			closed = depth == 0;
		} else if (tag == FDT_PROP) {
			const char *name = NULL;
			int plen;
			if (!fdt_getprop_by_offset(c->fdt, off, &name, &plen) || !name)
				return damaged(
					c, "a property's name lies outside the strings block (a "
					   "damaged blob)");
		}
	}
	if (!closed)
		return damaged(c, "no root node (a damaged blob)");
	return 0;
}

/* A string property; NULL when absent or not a NUL-terminated string. */
static const char *str_prop(struct ctx *c, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(c->fdt, node, name, &len);

	return s && len > 0 && s[len - 1] == '\0' && strlen(s) == (usize)len - 1 ? s : NULL;
}

/* Read a property of one u32 cell (want 4 bytes) or one u64 (/bits/ 64, 8 bytes). */
static int num_prop(struct ctx *c, int node, const char *name, bool wide, bool required, u64 *out)
{
	int len;
	const void *p = fdt_getprop(c->fdt, node, name, &len);

	if (!p)
		return required ? fail(c, name, "missing") : 0;
	if (len != (wide ? 8 : 4))
		return fail(c, name,
			    wide ? "expected one 64-bit value (/bits/ 64 <N>)"
				 : "expected one cell <N>");
	*out = wide ? fdt64_ld(p) : fdt32_ld(p);
	return 1;
}

/* A property of two cells <a b>: 0 when absent, 1 when read, -1 (with the message) when bad. */
static int pair_prop(struct ctx *c, int node, const char *name, const char *what, u64 *a, u64 *b)
{
	int len;
	const void *p = fdt_getprop(c->fdt, node, name, &len);

	if (!p)
		return 0;
	if (len != 8)
		return fail(c, name, what);
	*a = fdt32_ld((const fdt32_t *)p);
	*b = fdt32_ld((const fdt32_t *)((const u8 *)p + 4));
	return 1;
}

/* witness-quota, console-quota, on-quota and cpu-budget of partition @p. */
static int parse_quotas(struct ctx *c, int node, struct plan_partition *p)
{
	static const struct {
		const char *name;
		u8 kind;
		u64 burst, rate;
	} q[] = {
		{ "witness-quota", QUOTA_REFUSALS, DEFAULT_WITNESS_BURST, DEFAULT_WITNESS_RATE },
		{ "console-quota", QUOTA_CONSOLE, DEFAULT_CONSOLE_BURST, DEFAULT_CONSOLE_RATE },
	};
	u64 a, b;
	int r, prop;
	bool any = false;

	for (unsigned k = 0; k < ARRAY_SIZE(q); k++) {
		p->quota_burst[q[k].kind] = q[k].burst;
		p->quota_rate[q[k].kind] = q[k].rate;
	}
	p->on_quota = QUOTA_THROTTLE;
	/* Most nodes set none of these: one walk over the node's properties decides, instead of
	 * a look-up per name (each of which walks them all). Pass 0 made every name readable. */
	fdt_for_each_property_offset (prop, c->fdt, node) {
		const char *name = NULL;
		fdt_getprop_by_offset(c->fdt, prop, &name, NULL);
		any |= name &&
		       (strcmp(name, "witness-quota") == 0 || strcmp(name, "console-quota") == 0 ||
			strcmp(name, "on-quota") == 0 || strcmp(name, "cpu-budget") == 0);
	}
	if (!any)
		return 0;
	for (unsigned k = 0; k < ARRAY_SIZE(q); k++) {
		if ((r = pair_prop(c, node, q[k].name, "expected <burst per-second> (two cells)",
				   &a, &b)) < 0)
			return -1;
		if (r && a == 0 && b != 0)
			return fail(c, q[k].name,
				    "a burst of 0 means unlimited: the rate must be 0 too");
		if (r) {
			p->quota_burst[q[k].kind] = a;
			p->quota_rate[q[k].kind] = b;
		}
	}
	if (fdt_getprop(c->fdt, node, "on-quota", NULL)) {
		const char *s = str_prop(c, node, "on-quota");
		if (s && strcmp(s, "throttle") == 0)
			p->on_quota = QUOTA_THROTTLE;
		else if (s && strcmp(s, "stop") == 0)
			p->on_quota = QUOTA_STOP;
		else
			return fail(c, "on-quota", "expected \"throttle\" or \"stop\"");
	}
	if ((r = pair_prop(c, node, "cpu-budget", "expected <budget-us period-us> (two cells)", &a,
			   &b)) < 0)
		return -1;
	if (r && (a == 0 || a > b))
		return fail(c, "cpu-budget", "expected 0 < budget <= period (microseconds)");
	p->cpu_budget_ns = r ? a * 1000 : 0;
	p->cpu_period_ns = r ? b * 1000 : 0;
	return 0;
}

/* "reg" as /bits/ 64 <base size>, size at most @max. */
static int range_prop(struct ctx *c, int node, const char *name, u64 max, u64 *base, u64 *size)
{
	int len;
	const void *p = fdt_getprop(c->fdt, node, name, &len);

	if (!p)
		return fail(c, name, "missing");
	if (len != 16)
		return fail(c, name, "expected /bits/ 64 <base size>");
	*base = fdt64_ld((const fdt64_t *)p);
	*size = fdt64_ld((const fdt64_t *)((const u8 *)p + 8));
	if (*size == 0 || *base % REGION_PAGE || *size % REGION_PAGE || *base + *size < *base)
		return fail(c, name, "expected a non-empty, 4 KiB-aligned range");
	if (*size > max)
		return fail(c, name,
			    max == 0xffffffffull ? "expected a size below 4 GiB"
						 : "expected a size below 16 TiB");
	return 1;
}

/* strnlen, which C17 does not have: the length of @s, at most @max. */
static usize bounded_len(const char *s, usize max)
{
	const char *nul = memchr(s, '\0', max);
	return nul ? (usize)(nul - s) : max;
}

static i32 find_partition(const char *name)
{
	for (u32 i = 0; i < plan.np; i++)
		if (strcmp(plan.p[i].name, name) == 0)
			return (i32)i;
	return -1;
}

static int parse_tier(struct ctx *c, int node, u8 *tier)
{
	static const char *const names[] = { "hot", "warm", "dormant", "cold" };
	const char *t = str_prop(c, node, "tier");

	if (!fdt_getprop(c->fdt, node, "tier", NULL)) {
		*tier = MEM_HOT;
		return 0;
	}
	for (u8 i = 0; t && i < 4; i++)
		if (strcmp(t, names[i]) == 0) {
			*tier = i;
			return 0;
		}
	return fail(c, "tier", "expected \"hot\", \"warm\", \"dormant\" or \"cold\"");
}

static int parse_policy(struct ctx *c, int node)
{
	static const struct {
		const char *name;
		u32 key;
		bool wide;
	} keys[] = {
		{ "max-lease-ns", POLICY_MAX_LEASE_NS, true },
		{ "hot-quota-bytes", POLICY_HOT_QUOTA_BYTES, true },
		{ "max-caps", POLICY_MAX_CAPS, false },
	};
	int prop;

	ksnprintf(c->path, sizeof(c->path), "/policy");
	fdt_for_each_property_offset (prop, c->fdt, node) {
		const char *name = NULL;
		if (!fdt_getprop_by_offset(c->fdt, prop, &name, NULL) || !name)
			return fail(c, NULL,
				    "a property's name lies outside the strings block (a damaged "
				    "blob)");
		bool known = false;
		for (unsigned k = 0; k < ARRAY_SIZE(keys); k++)
			if (strcmp(name, keys[k].name) == 0) {
				u64 v;
				if (num_prop(c, node, name, keys[k].wide, true, &v) < 0)
					return -1;
				plan.policy[keys[k].key] = v;
				plan.policy_set[keys[k].key] = true;
				known = true;
			}
		if (!known)
			return fail(c, name,
				    "unknown policy (expected max-lease-ns, "
				    "hot-quota-bytes, max-caps)");
	}
	return 0;
}

static int parse_partition(struct ctx *c, int node, u32 ncpus)
{
	struct plan_partition *p = &plan.p[plan.np];
	const char *name = fdt_get_name(c->fdt, node, NULL);
	u64 v;
	int sub, r;

	if (enter(c, "/partitions", node) < 0)
		return -1;
	if (plan.np == RUVIX_MAX_PARTITIONS)
		return fail(c, NULL, "more partitions than this build supports (-Dmax_partitions)");
	usize len = strlen(name);
	bool printable = true;
	for (usize i = 0; i < len; i++)
		printable &= name[i] > 0x20 && name[i] < 0x7f && name[i] != '@';
	if (len == 0 || len >= PARTITION_NAME_MAX || !printable)
		return fail(c, NULL,
			    "a partition's node name is its name: 1-16 printable "
			    "characters, no '@'");
	if (find_partition(name) >= 0)
		return fail(c, NULL, "declared twice");
	*p = (struct plan_partition){ .name = name, .on_fault = CONTAIN_RESTORE };
	if ((r = num_prop(c, node, "cpu", false, false, &v)) < 0)
		return -1;
	if (r && v >= ncpus)
		return fail(c, "cpu", "expected a CPU this machine has");
	p->cpu = r ? (u32)v : plan.np % ncpus;
	const char *f = str_prop(c, node, "on-fault");
	if (fdt_getprop(c->fdt, node, "on-fault", NULL)) {
		if (f && strcmp(f, "restore") == 0)
			p->on_fault = CONTAIN_RESTORE;
		else if (f && strcmp(f, "stop") == 0)
			p->on_fault = CONTAIN_STOP;
		else
			return fail(c, "on-fault", "expected \"restore\" or \"stop\"");
	}
	p->checkpoint = fdt_getprop(c->fdt, node, "checkpoint", NULL) != NULL;
	if (fdt_getprop(c->fdt, node, "mode", NULL)) {
		const char *m = str_prop(c, node, "mode");
		if (m && strcmp(m, "flow") == 0)
			p->mode = SCHED_FLOW;
		else if (m && strcmp(m, "reflex") == 0)
			p->mode = SCHED_REFLEX;
		else
			return fail(c, "mode", "expected \"flow\" or \"reflex\"");
	}
	if (parse_quotas(c, node, p) < 0)
		return -1;
	if (fdt_getprop(c->fdt, node, "program", NULL)) {
		p->program = str_prop(c, node, "program");
		if (!p->program || !p->program[0] || strlen(p->program) >= PARTITION_NAME_MAX)
			return fail(c, "program",
				    "expected the name of a program (1-16 characters)");
	}
	fdt_for_each_subnode (sub, c->fdt, node) {
		char parent[96];
		memcpy(parent, c->path, sizeof(parent));
		if (enter(c, parent, sub) < 0)
			return -1;
		if (p->nregions == MAX_REGIONS_PER_PARTITION)
			return fail(c, NULL, "more than 8 regions in one partition");
		struct plan_region *rg = &p->region[p->nregions++];
		if (range_prop(c, sub, "reg", 0xffffffffull * REGION_PAGE, &rg->base, &rg->size) <
			    0 ||
		    parse_tier(c, sub, &rg->tier) < 0)
			return -1;
		memcpy(c->path, parent, sizeof(parent));
	}
	plan.np++;
	return 0;
}

/* Second look at partitions: "controls" names other partitions, so all must be known. */
static int parse_controls(struct ctx *c, int parts)
{
	int node;
	u32 i = 0;

	fdt_for_each_subnode (node, c->fdt, parts) {
		struct plan_partition *p = &plan.p[i++];
		int len;
		const char *list = fdt_getprop(c->fdt, node, "controls", &len);
		if (enter(c, "/partitions", node) < 0)
			return -1;
		for (int off = 0; list && off < len;) {
			const char *name = list + off;
			usize n = bounded_len(name, (usize)(len - off));
			if (n == (usize)(len - off))
				return fail(c, "controls", "expected a list of partition names");
			i32 k = find_partition(name);
			if (k < 0)
				return fail(c, "controls",
					    "names a partition that is not declared");
			if (p->ncontrols == MAX_CONTROLS)
				return fail(c, "controls", "more than 8 partitions");
			p->controls[p->ncontrols++] = (u32)k;
			off += (int)n + 1;
		}
	}
	return 0;
}

static int parse_edge(struct ctx *c, int node)
{
	struct plan_edge *e = &plan.e[plan.ne];
	int len;
	const char *ends = fdt_getprop(c->fdt, node, "ends", &len);

	if (enter(c, "/edges", node) < 0)
		return -1;
	if (plan.ne == RUVIX_MAX_EDGES)
		return fail(c, NULL, "more edges than this build supports (-Dmax_edges)");
	if (!ends)
		return fail(c, "ends", "missing");
	usize n1 = bounded_len(ends, (usize)len);
	if (n1 + 1 >= (usize)len ||
	    bounded_len(ends + n1 + 1, (usize)len - n1 - 1) + n1 + 2 != (usize)len)
		return fail(c, "ends", "expected two partition names: ends = \"a\", \"b\"");
	i32 a = find_partition(ends), b = find_partition(ends + n1 + 1);
	if (a < 0 || b < 0)
		return fail(c, "ends", "names a partition that is not declared");
	if (a == b)
		return fail(c, "ends", "expected two different partitions");
	e->a = (u32)a;
	e->b = (u32)b;
	if (range_prop(c, node, "shared", 0xffffffffull, &e->base, &e->size) < 0)
		return -1;
	plan.ne++;
	return 0;
}

static int parse_device(struct ctx *c, int node)
{
	struct plan_device *d = &plan.d[plan.nd];
	u64 v;
	int r;

	if (enter(c, "/devices", node) < 0)
		return -1;
	if (plan.nd == RUVIX_MAX_DEVICES)
		return fail(c, NULL, "more devices than this build supports (-Dmax_devices)");
	*d = (struct plan_device){ .owner = -1, .lessee = -1 };
	if (range_prop(c, node, "reg", 0xffffffffull, &d->base, &d->size) < 0 ||
	    num_prop(c, node, "interrupts", false, true, &v) < 0)
		return -1;
	d->irq = (u32)v;
	const char *owner = str_prop(c, node, "owner");
	if (fdt_getprop(c->fdt, node, "owner", NULL) &&
	    (!owner || (d->owner = find_partition(owner)) < 0))
		return fail(c, "owner", "expected the name of a declared partition");
	const char *lessee = str_prop(c, node, "lease");
	if (fdt_getprop(c->fdt, node, "lease", NULL)) {
		if (!lessee || (d->lessee = find_partition(lessee)) < 0)
			return fail(c, "lease", "expected the name of a declared partition");
		if ((r = num_prop(c, node, "lease-ns", true, true, &v)) < 0)
			return -1;
		if (v == 0)
			return fail(c, "lease-ns", "expected a duration above 0");
		d->lease_ns = v;
	}
	plan.nd++;
	return 0;
}

static bool overlap(u64 b1, u64 s1, u64 b2, u64 s2)
{
	return b1 < b2 + s2 && b2 < b1 + s1;
}

/* Conflicts between nodes: overlapping memory, overlapping MMIO, too many capabilities. */
static int check_conflicts(struct ctx *c)
{
	u32 slots[RUVIX_MAX_PARTITIONS] = { 0 }, nregions = 0;

	/* Every memory range: regions first, then shared pages, as (base, size, label). */
	for (u32 i = 0; i < plan.np; i++)
		for (u32 r = 0; r < plan.p[i].nregions; r++) {
			const struct plan_region *x = &plan.p[i].region[r];
			nregions++;
			for (u32 j = i; j < plan.np; j++)
				for (u32 q = j == i ? r + 1 : 0; q < plan.p[j].nregions; q++)
					if (overlap(x->base, x->size, plan.p[j].region[q].base,
						    plan.p[j].region[q].size)) {
						ksnprintf(c->path, sizeof(c->path),
							  "/partitions/%s", plan.p[j].name);
						return fail(c, "reg", "overlaps another region");
					}
			for (u32 k = 0; k < plan.ne; k++)
				if (overlap(x->base, x->size, plan.e[k].base, plan.e[k].size)) {
					ksnprintf(c->path, sizeof(c->path), "/partitions/%s",
						  plan.p[i].name);
					return fail(c, "reg", "overlaps an edge's shared pages");
				}
		}
	for (u32 k = 0; k < plan.ne; k++)
		for (u32 m = k + 1; m < plan.ne; m++)
			if (overlap(plan.e[k].base, plan.e[k].size, plan.e[m].base,
				    plan.e[m].size)) {
				ksnprintf(c->path, sizeof(c->path), "/edges (edge %u)", m);
				return fail(c, "shared", "overlaps another edge's shared pages");
			}
	u64 max_lease = plan.policy_set[POLICY_MAX_LEASE_NS] ? plan.policy[POLICY_MAX_LEASE_NS]
							     : policy_get(POLICY_MAX_LEASE_NS);
	for (u32 k = 0; k < plan.nd; k++)
		if (plan.d[k].lessee >= 0 && plan.d[k].lease_ns > max_lease) {
			ksnprintf(c->path, sizeof(c->path), "/devices (device %u)", k);
			return fail(c, "lease-ns", "longer than the policy's max-lease-ns");
		}
	for (u32 k = 0; k < plan.nd; k++)
		for (u32 m = k + 1; m < plan.nd; m++)
			if (overlap(plan.d[k].base, plan.d[k].size, plan.d[m].base,
				    plan.d[m].size)) {
				ksnprintf(c->path, sizeof(c->path), "/devices (device %u)", m);
				return fail(c, "reg", "overlaps another device");
			}
	if (nregions + plan.ne > RUVIX_MAX_REGIONS) {
		ksnprintf(c->path, sizeof(c->path), "/partitions");
		return fail(c, NULL, "more regions than this build supports (-Dmax_regions)");
	}
	for (u32 i = 0; i < plan.np; i++)
		slots[i] = plan.p[i].nregions + plan.p[i].ncontrols;
	for (u32 k = 0; k < plan.ne; k++) {
		slots[plan.e[k].a]++;
		slots[plan.e[k].b]++;
	}
	for (u32 k = 0; k < plan.nd; k++)
		if (plan.d[k].owner >= 0)
			slots[plan.d[k].owner]++;
	u32 total = 0;
	for (u32 i = 0; i < plan.np; i++)
		total += slots[i];
	if (total > RUVIX_MAX_CAPS) {
		ksnprintf(c->path, sizeof(c->path), "/partitions");
		return fail(c, NULL, "needs more capabilities than this build has (-Dmax_caps)");
	}
	for (u32 i = 0; i < plan.np; i++)
		if (slots[i] > RUVIX_CAP_SLOTS) {
			ksnprintf(c->path, sizeof(c->path), "/partitions/%s", plan.p[i].name);
			return fail(c, NULL,
				    "needs more capability slots than this build has "
				    "(-Dcap_slots)");
		}
	return 0;
}

/* Pass 1: check everything, build the plan. No kernel object is touched. */
static int check(struct ctx *c, usize size, u32 ncpus)
{
	const void *fdt = c->fdt;
	int node;

	ksnprintf(c->path, sizeof(c->path), "/");
	if (size < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 ||
	    fdt_totalsize(fdt) > size)
		return fail(c, NULL, "not a valid device tree blob (compile the .dts with dtc)");
	if (check_structure(c) < 0)
		return -1;
	ksnprintf(c->path, sizeof(c->path), "/");
	if (fdt_node_check_compatible(fdt, 0, "ruvix,manifest") != 0)
		return fail(c, "compatible", "expected \"ruvix,manifest\"");
	memset(&plan, 0, sizeof(plan));
	fdt_for_each_subnode (node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		if (!name || (strcmp(name, "policy") && strcmp(name, "partitions") &&
			      strcmp(name, "edges") && strcmp(name, "devices"))) {
			if (enter(c, "", node) < 0)
				return -1;
			return fail(c, NULL,
				    "unknown node (expected policy, partitions, edges, devices)");
		}
	}
	if ((node = fdt_subnode_offset(fdt, 0, "policy")) >= 0 && parse_policy(c, node) < 0)
		return -1;
	int parts = fdt_subnode_offset(fdt, 0, "partitions");
	ksnprintf(c->path, sizeof(c->path), "/");
	if (parts < 0)
		return fail(c, NULL, "expected a /partitions node");
	fdt_for_each_subnode (node, fdt, parts)
		if (parse_partition(c, node, ncpus) < 0)
			return -1;
	if (plan.np == 0) {
		ksnprintf(c->path, sizeof(c->path), "/partitions");
		return fail(c, NULL, "expected at least one partition");
	}
	if (parse_controls(c, parts) < 0)
		return -1;
	int edges = fdt_subnode_offset(fdt, 0, "edges");
	if (edges >= 0)
		fdt_for_each_subnode (node, fdt, edges)
			if (parse_edge(c, node) < 0)
				return -1;
	int devs = fdt_subnode_offset(fdt, 0, "devices");
	if (devs >= 0)
		fdt_for_each_subnode (node, fdt, devs)
			if (parse_device(c, node) < 0)
				return -1;
	return check_conflicts(c);
}

/* Pass 2 helpers: a kernel refusal here is a conflict the checks cannot see (overlaps). */
static int kernel_step(struct ctx *c, enum kerr e, const char *what)
{
	if (e == KERR_OK)
		return 0;
	ksnprintf(c->err, c->errlen, "%s: the kernel refused it: %s", what, kerr_name(e));
	return -1;
}

int manifest_load(const void *dtb, usize size, struct manifest_summary *out, char *err,
		  usize errlen)
{
	struct ctx c = { .fdt = dtb, .err = err, .errlen = errlen };
	u32 slot[RUVIX_MAX_PARTITIONS];
	char what[96];

	memset(out, 0, sizeof(*out));
	if (partition_count() != 0) {
		ksnprintf(err, errlen,
			  "/: a manifest builds a freshly booted kernel, and this one "
			  "already has partitions");
		return -1;
	}
	if (check(&c, size, kernel_machine()->ncpus) < 0)
		return -1;
	for (u32 k = 1; k <= POLICY_KEY_MAX; k++)
		if (plan.policy_set[k] &&
		    kernel_step(&c, policy_set(k, plan.policy[k]), "/policy") < 0)
			return -1;
	for (u32 i = 0; i < plan.np; i++) {
		handle_t h;
		ksnprintf(what, sizeof(what), "/partitions/%s", plan.p[i].name);
		if (kernel_step(&c, partition_create(plan.p[i].name, &h), what) < 0 ||
		    kernel_step(&c, partition_place(h, plan.p[i].cpu), what) < 0 ||
		    kernel_step(&c, partition_ctl_kernel(h, PART_ON_FAULT, plan.p[i].on_fault),
				what) < 0)
			return -1;
		if (kernel_step(&c, sched_set_mode(h, (enum sched_mode)plan.p[i].mode), what) < 0 ||
		    kernel_step(
			    &c,
			    sched_set_budget(h, plan.p[i].cpu_budget_ns, plan.p[i].cpu_period_ns),
			    what) < 0)
			return -1;
		for (u8 k = 0; k < QUOTA_KINDS; k++)
			if (plan.p[i].quota_burst[k] &&
			    kernel_step(&c,
					quota_set(h, k, plan.p[i].quota_burst[k],
						  plan.p[i].quota_rate[k], plan.p[i].on_quota),
					what) < 0)
				return -1;
		out->partition[i] = h;
		out->program[i] = plan.p[i].program;
		slot[i] = 0;
	}
	out->partitions = plan.np;
	/* Slots, in this order: own regions, edge ends, controlled partitions, owned devices. */
	for (u32 i = 0; i < plan.np; i++) {
		const struct plan_partition *p = &plan.p[i];
		for (u32 r = 0; r < p->nregions; r++) {
			handle_t h;
			ksnprintf(what, sizeof(what), "/partitions/%s region %u", p->name, r);
			if (kernel_step(&c,
					region_create(out->partition[i], p->region[r].base,
						      p->region[r].size, p->region[r].tier, &h),
					what) < 0 ||
			    kernel_step(&c,
					cap_install(handle_index(out->partition[i]), slot[i]++,
						    OBJ_REGION, h, RIGHTS_ALL),
					what) < 0)
				return -1;
			out->regions++;
		}
	}
	for (u32 k = 0; k < plan.ne; k++) {
		const struct plan_edge *e = &plan.e[k];
		handle_t h;
		ksnprintf(what, sizeof(what), "/edges/%s-%s", plan.p[e->a].name, plan.p[e->b].name);
		if (kernel_step(&c,
				edge_create(out->partition[e->a], out->partition[e->b], e->base,
					    e->size, &h),
				what) < 0)
			return -1;
		u8 rights = RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT | RIGHT_REVOKE;
		if (kernel_step(&c,
				cap_install(handle_index(out->partition[e->a]), slot[e->a]++,
					    OBJ_EDGE, h, rights),
				what) < 0 ||
		    kernel_step(&c,
				cap_install(handle_index(out->partition[e->b]), slot[e->b]++,
					    OBJ_EDGE, h, rights),
				what) < 0)
			return -1;
		out->edges++;
	}
	for (u32 i = 0; i < plan.np; i++)
		for (u32 k = 0; k < plan.p[i].ncontrols; k++) {
			ksnprintf(what, sizeof(what), "/partitions/%s controls", plan.p[i].name);
			if (kernel_step(&c,
					cap_install(handle_index(out->partition[i]), slot[i]++,
						    OBJ_PARTITION,
						    out->partition[plan.p[i].controls[k]],
						    RIGHT_WRITE | RIGHT_EXECUTE | RIGHT_READ),
					what) < 0)
				return -1;
		}
	for (u32 k = 0; k < plan.nd; k++) {
		const struct plan_device *d = &plan.d[k];
		handle_t h;
		ksnprintf(what, sizeof(what), "/devices (device %u)", k);
		if (kernel_step(&c, device_create(d->base, d->size, d->irq, &h), what) < 0)
			return -1;
		if (d->owner >= 0 &&
		    kernel_step(&c,
				cap_install(handle_index(out->partition[d->owner]),
					    slot[d->owner]++, OBJ_DEVICE, h,
					    RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT),
				what) < 0)
			return -1;
		if (d->lessee >= 0) {
			if (kernel_step(
				    &c,
				    lease_grant_kernel(h, out->partition[d->lessee], d->lease_ns),
				    what) < 0)
				return -1;
			out->leases++;
		}
		out->devices++;
	}
	for (u32 i = 0; i < plan.np; i++) {
		ksnprintf(what, sizeof(what), "/partitions/%s", plan.p[i].name);
		if (kernel_step(&c, partition_ctl_kernel(out->partition[i], PART_START, 0), what) <
		    0)
			return -1;
		if (plan.p[i].checkpoint &&
		    kernel_step(&c, checkpoint_take_kernel(out->partition[i]), what) < 0)
			return -1;
	}
	return 0;
}
