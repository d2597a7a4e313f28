/*
 * Read the machine from the device tree QEMU passes (Devicetree Specification v0.4):
 * memory, CPUs (with numa-node-id when present), the PL011 console, the GICv3 distributor and
 * redistributors, the PSCI conduit and /chosen/bootargs.
 */
#include "platform.h"

#include <libfdt.h>
#include <ruvix/klib.h>

#include "mmu.h"

#define QEMU_VIRT_DTB 0x40000000ull /* where QEMU leaves the DTB for ELF kernels */

static u64 read_cells(const fdt32_t *p, int cells)
{
	u64 v = 0;

	for (int i = 0; i < cells; i++)
		v = v << 32 | fdt32_to_cpu(p[i]);
	return v;
}

/* #address-cells / #size-cells a node gives its children; the spec's defaults are 2 and 1. */
struct cells {
	int addr, size;
};

#define MAX_DEPTH 16

/* The properties of one node that the platform needs, gathered in one pass over them. */
struct node_props {
	struct cells cells; /* for the node's children */
	const char *device_type;
	const char *compatible;
	int compatible_len;
	const fdt32_t *reg;
	int reg_len;
	int numa_node; /* -1 when absent */
	bool method_hvc;
};

static bool name_is(const char *name, const char *want)
{
	return strcmp(name, want) == 0;
}

static u32 be32_at(const void *p)
{
	return fdt32_to_cpu(*(const fdt32_t *)p);
}

/*
 * Every libfdt property look-up walks the node's properties and checks each string, which
 * costs hundreds of instructions per property; one walk per node that collects everything
 * keeps the whole parse in a single pass over the tree.
 */
static void gather(const void *fdt, int node, struct node_props *np)
{
	int prop;

	*np = (struct node_props){ .cells = { 2, 1 }, .numa_node = -1 };
	fdt_for_each_property_offset (prop, fdt, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(fdt, prop, &name, &len);

		if (!val || !name)
			continue;
		if (name_is(name, "#address-cells") && len == 4)
			np->cells.addr = (int)be32_at(val);
		else if (name_is(name, "#size-cells") && len == 4)
			np->cells.size = (int)be32_at(val);
		else if (name_is(name, "device_type") && len > 0 &&
			 ((const char *)val)[len - 1] == 0)
			np->device_type = val;
		else if (name_is(name, "compatible")) {
			np->compatible = val;
			np->compatible_len = len;
		} else if (name_is(name, "reg")) {
			np->reg = val;
			np->reg_len = len;
		} else if (name_is(name, "numa-node-id") && len == 4)
			np->numa_node = (int)be32_at(val);
		else if (name_is(name, "method"))
			np->method_hvc = len == 4 && memcmp(val, "hvc", 4) == 0;
	}
}

static bool compatible_with(const struct node_props *np, const char *what)
{
	return np->compatible && fdt_stringlist_contains(np->compatible, np->compatible_len, what);
}

/* Entry @index of "reg", decoded with the parent's cell counts @pc. */
static bool read_reg(const struct node_props *np, struct cells pc, int index, u64 *addr, u64 *size)
{
	if (!np->reg || pc.addr < 1 || pc.addr > 2 || pc.size < 0 || pc.size > 2)
		return false;
	int stride = pc.addr + pc.size;
	if (np->reg_len < (index + 1) * stride * 4)
		return false;
	*addr = read_cells(np->reg + index * stride, pc.addr);
	*size = pc.size ? read_cells(np->reg + index * stride + pc.addr, pc.size) : 0;
	return true;
}

static const char *add_cpu(const struct node_props *np, struct cells pc, struct platform *plat)
{
	u64 mpidr, unused;

	if (plat->machine.ncpus == RUVIX_MAX_CPUS)
		return NULL; /* more CPUs than the kernel was built for: use the first ones */
	if (!read_reg(np, pc, 0, &mpidr, &unused))
		return "/cpus/cpu: missing reg (MPIDR)";
	u32 numa_id = np->numa_node < 0 ? 0 : (u32)np->numa_node;
	if (numa_id >= RUVIX_MAX_NODES)
		return "/cpus/cpu: numa-node-id beyond RUVIX_MAX_NODES";
	plat->cpu_mpidr[plat->machine.ncpus] = mpidr;
	plat->machine.cpu_node[plat->machine.ncpus] = (u8)numa_id;
	plat->machine.ncpus++;
	if (numa_id + 1 > plat->machine.nnodes)
		plat->machine.nnodes = numa_id + 1;
	return NULL;
}

/*
 * One walk over every node. libfdt's look-ups by compatible and its parent search each walk
 * the tree from the start; one pass keeps boot to first witness short.
 */
static const char *walk(const void *fdt, struct platform *plat)
{
	struct cells stack[MAX_DEPTH];
	struct node_props np;
	int depth = 0;
	const char *err;
	u64 size;

	for (int node = 0; node >= 0; node = fdt_next_node(fdt, node, &depth)) {
		if (depth >= MAX_DEPTH)
			return "device tree nested deeper than 16 levels";
		gather(fdt, node, &np);
		stack[depth] = np.cells;
		if (depth == 0)
			continue;
		struct cells pc = stack[depth - 1];

		if (np.device_type && name_is(np.device_type, "memory")) {
			if (plat->mem_size == 0 &&
			    (!read_reg(&np, pc, 0, &plat->mem_base, &plat->mem_size) ||
			     plat->mem_size == 0))
				return "/memory: missing or malformed reg";
		} else if (np.device_type && name_is(np.device_type, "cpu")) {
			if ((err = add_cpu(&np, pc, plat)))
				return err;
		} else if (compatible_with(&np, "arm,pl011")) {
			/* The first PL011 is QEMU virt's console (/chosen/stdout-path names it). */
			if (plat->uart_base == 0 && !read_reg(&np, pc, 0, &plat->uart_base, &size))
				return "PL011 UART: missing reg";
		} else if (compatible_with(&np, "virtio,mmio")) {
			u64 vbase;
			if (plat->nvirtio < PLATFORM_VIRTIO_MAX &&
			    read_reg(&np, pc, 0, &vbase, &size))
				plat->virtio_base[plat->nvirtio++] = vbase;
		} else if (compatible_with(&np, "arm,gic-v3")) {
			if (!read_reg(&np, pc, 0, &plat->gicd_base, &size) ||
			    !read_reg(&np, pc, 1, &plat->gicr_base, &plat->gicr_size))
				return "GICv3: reg needs the distributor and the redistributor "
				       "range";
		} else if (compatible_with(&np, "arm,psci-0.2") ||
			   compatible_with(&np, "arm,psci-1.0")) {
			plat->psci_smc = !np.method_hvc;
		}
	}
	if (plat->mem_size == 0)
		return "no /memory node (device_type = \"memory\")";
	if (plat->mem_base < 0x40000000ull || plat->mem_base + plat->mem_size > MMU_RAM_END)
		return "/memory: RAM outside [1 GiB, 2 GiB), which the EL2 map covers";
	if (plat->machine.ncpus == 0)
		return "/cpus: no cpu nodes";
	if (plat->uart_base == 0)
		return "no PL011 UART (compatible \"arm,pl011\")";
	if (plat->gicd_base == 0)
		return "no GICv3 (compatible \"arm,gic-v3\"); boot QEMU with gic-version=3";
	return NULL;
}

static void read_bootargs(const void *fdt, struct platform *plat)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	int len = 0;
	const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", &len) : NULL;

	plat->bootargs[0] = '\0';
	if (args && len > 0) {
		const char *nul = memchr(args, '\0', (usize)len);
		usize n = nul ? (usize)(nul - args) : (usize)len;
		if (n >= sizeof(plat->bootargs)) {
			plat->bootargs_truncated = true;
			n = sizeof(plat->bootargs) - 1;
		}
		memcpy(plat->bootargs, args, n);
		plat->bootargs[n] = '\0';
	}
}

const char *platform_parse(const void *dtb, struct platform *plat)
{
	const char *err;

	memset(plat, 0, sizeof(*plat));
	plat->psci_smc = true;
	plat->machine.nnodes = 1;
	if (!dtb || fdt_check_header(dtb) != 0)
		dtb = (const void *)(uintptr_t)QEMU_VIRT_DTB;
	if (fdt_check_header(dtb) != 0)
		return "no valid device tree in x0 or at the start of RAM";
	plat->dtb = dtb;
	plat->dtb_size = fdt_totalsize(dtb);
	if ((err = walk(dtb, plat)))
		return err;
	read_bootargs(dtb, plat);
	plat->machine.mem_bytes = plat->mem_size;
	return NULL;
}

bool platform_bootarg(const struct platform *plat, const char *key, char *out, usize size)
{
	usize klen = strlen(key);

	for (const char *p = plat->bootargs; *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((usize)(end - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			usize n = (usize)(end - p) - klen - 1;
			if (n >= size)
				return false;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

bool platform_has_bootarg(const struct platform *plat, const char *key)
{
	char probe[PLATFORM_BOOTARGS_MAX];

	return platform_bootarg(plat, key, probe, sizeof(probe));
}
