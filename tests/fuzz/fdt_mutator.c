/*
 * Structure-aware device tree mutator (see fdt_mutator.h). The blob is read with libfdt's
 * fdt_check_header and fdt_next_tag into a list of tokens that point into a copy of it; each
 * mutation edits that list, the strings block or the header, and the tree is written out again
 * as a version 17 blob with consistent offsets unless a header mutation says otherwise. Every
 * loader check is one mutation away: a property renamed to a known name or to an offset past
 * the strings block, a cell set to an edge value, a partition name copied into "ends".
 */
#include "fdt_mutator.h"

#include <libfdt.h>
#include <string.h>

#define MAX_TOKENS 2048
#define MAX_BLOB   65536

struct tok {
	uint32_t tag; /* FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP or FDT_NOP */
	uint32_t nameoff;
	uint32_t len; /* the node name's length without its NUL, or the property's length */
	const uint8_t *data;
};

static struct {
	struct tok t[MAX_TOKENS];
	uint32_t n;
	uint8_t strings[MAX_BLOB];
	uint32_t nstr;
	uint8_t rsv[MAX_BLOB];
	uint32_t nrsv;
	uint32_t boot_cpuid;
	uint8_t src[MAX_BLOB];
	uint8_t arena[4 * MAX_BLOB];
	uint32_t used;
	uint8_t out[MAX_BLOB];
} tr;

static uint32_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static const char *const prop_words[] = {
	"compatible",
	"cpu",
	"reg",
	"tier",
	"on-fault",
	"checkpoint",
	"mode",
	"program",
	"controls",
	"ends",
	"shared",
	"interrupts",
	"owner",
	"lease",
	"lease-ns",
	"max-lease-ns",
	"hot-quota-bytes",
	"max-caps",
	"#address-cells",
	"#size-cells",
};
static const char *const node_words[] = { "policy", "partitions", "edges",    "devices",
					  "web",    "db",	  "region@1", "" };
static const char *const value_words[] = { "ruvix,manifest", "hot",  "warm", "dormant", "cold",
					   "restore",	     "stop", "flow", "reflex",	"" };
static const uint32_t cells[] = { 0,	      1,	  2,	      3,	  4,
				  7,	      8,	  0x7f,	      0x80,	  0xff,
				  0x100,      0xfff,	  0x1000,     0x10000,	  0x100000,
				  0x4a000000, 0x7fffffff, 0x80000000, 0xfffff000, 0xfffffffe,
				  0xffffffff };

static uint8_t *alloc(uint32_t n)
{
	if (tr.used + n > sizeof(tr.arena))
		return NULL;
	uint8_t *p = tr.arena + tr.used;
	tr.used += n;
	return p;
}

static int parse(const uint8_t *blob, size_t size)
{
	if (size < sizeof(struct fdt_header) || size > MAX_BLOB)
		return -1;
	memcpy(tr.src, blob, size);
	const void *fdt = tr.src;
	if (fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) > size || fdt_version(fdt) < 16)
		return -1;
	uint32_t so = fdt_off_dt_strings(fdt), ss = fdt_size_dt_strings(fdt);
	if (so > size || ss > size - so)
		return -1;
	memcpy(tr.strings, tr.src + so, ss);
	tr.nstr = ss;
	tr.boot_cpuid = fdt_boot_cpuid_phys(fdt);
	/* The reservation map up to and including its terminating entry, or just a terminator. */
	uint32_t ro = fdt_off_mem_rsvmap(fdt), end = fdt_off_dt_struct(fdt);
	tr.nrsv = 0;
	for (uint32_t o = ro; o % 8 == 0 && o + 16 <= end && o + 16 <= size; o += 16) {
		memcpy(tr.rsv + tr.nrsv, tr.src + o, 16);
		tr.nrsv += 16;
		if (fdt64_ld((const fdt64_t *)(tr.src + o)) == 0 &&
		    fdt64_ld((const fdt64_t *)(tr.src + o + 8)) == 0)
			break;
	}
	if (tr.nrsv == 0 || fdt64_ld((const fdt64_t *)(tr.rsv + tr.nrsv - 16)) != 0 ||
	    fdt64_ld((const fdt64_t *)(tr.rsv + tr.nrsv - 8)) != 0) {
		memset(tr.rsv + tr.nrsv, 0, 16);
		tr.nrsv += 16;
	}
	tr.n = 0;
	for (int off = 0, next = 0;; off = next) {
		uint32_t tag = fdt_next_tag(fdt, off, &next);
		if (tag == FDT_END || next <= off)
			break;
		if (tr.n == MAX_TOKENS)
			return -1;
		struct tok *t = &tr.t[tr.n++];
		*t = (struct tok){ .tag = tag };
		if (tag == FDT_BEGIN_NODE) {
			t->data = fdt_offset_ptr(fdt, off + 4, (unsigned)(next - off - 4));
			if (!t->data)
				return -1;
			const uint8_t *nul = memchr(t->data, 0, (size_t)(next - off - 4));
			t->len = nul ? (uint32_t)(nul - t->data) : 0;
		} else if (tag == FDT_PROP) {
			const uint8_t *p = fdt_offset_ptr(fdt, off, 12);
			if (!p)
				return -1;
			t->len = fdt32_ld((const fdt32_t *)(p + 4));
			t->nameoff = fdt32_ld((const fdt32_t *)(p + 8));
			t->data = fdt_offset_ptr(fdt, off + 12, t->len);
			if (!t->data && t->len)
				return -1;
		}
	}
	return tr.n ? 0 : -1;
}

static int put(size_t *o, size_t max, const void *p, size_t n)
{
	if (*o + n > max)
		return -1;
	if (n)
		memcpy(tr.out + *o, p, n);
	*o += n;
	return 0;
}

static int put32(size_t *o, size_t max, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);
	return put(o, max, &be, 4);
}

static int pad4(size_t *o, size_t max)
{
	static const uint8_t zero[4];
	return put(o, max, zero, (4 - *o % 4) % 4);
}

/* Write the tree as a version 17 blob into tr.out; 0 when it does not fit in @max. */
static size_t emit(size_t max)
{
	size_t o = sizeof(struct fdt_header);

	if (max > sizeof(tr.out))
		max = sizeof(tr.out);
	if (put(&o, max, tr.rsv, tr.nrsv) < 0)
		return 0;
	size_t off_struct = o;
	for (uint32_t i = 0; i < tr.n; i++) {
		const struct tok *t = &tr.t[i];
		if (put32(&o, max, t->tag) < 0)
			return 0;
		if (t->tag == FDT_BEGIN_NODE && (put(&o, max, t->data, t->len) < 0 ||
						 put(&o, max, "", 1) < 0 || pad4(&o, max) < 0))
			return 0;
		if (t->tag == FDT_PROP &&
		    (put32(&o, max, t->len) < 0 || put32(&o, max, t->nameoff) < 0 ||
		     put(&o, max, t->data, t->len) < 0 || pad4(&o, max) < 0))
			return 0;
	}
	if (put32(&o, max, FDT_END) < 0)
		return 0;
	size_t off_strings = o;
	if (put(&o, max, tr.strings, tr.nstr) < 0)
		return 0;
	struct fdt_header *h = (struct fdt_header *)tr.out;
	h->magic = cpu_to_fdt32(FDT_MAGIC);
	h->totalsize = cpu_to_fdt32((uint32_t)o);
	h->off_dt_struct = cpu_to_fdt32((uint32_t)off_struct);
	h->off_dt_strings = cpu_to_fdt32((uint32_t)off_strings);
	h->off_mem_rsvmap = cpu_to_fdt32(sizeof(struct fdt_header));
	h->version = cpu_to_fdt32(17);
	h->last_comp_version = cpu_to_fdt32(16);
	h->boot_cpuid_phys = cpu_to_fdt32(tr.boot_cpuid);
	h->size_dt_strings = cpu_to_fdt32(tr.nstr);
	h->size_dt_struct = cpu_to_fdt32((uint32_t)(off_strings - off_struct));
	return o;
}

/* The @k-th token with tag @tag, as an index; -1 when there is none. */
static int nth(uint32_t tag, uint32_t k)
{
	for (uint32_t i = 0; i < tr.n; i++)
		if (tr.t[i].tag == tag && k-- == 0)
			return (int)i;
	return -1;
}

static uint32_t count(uint32_t tag)
{
	uint32_t c = 0;
	for (uint32_t i = 0; i < tr.n; i++)
		c += tr.t[i].tag == tag;
	return c;
}

static int random_tok(uint32_t tag)
{
	return nth(tag, below(count(tag)));
}

/* A node other than the root (the first node). */
static int random_subnode(void)
{
	uint32_t c = count(FDT_BEGIN_NODE);
	return c > 1 ? nth(FDT_BEGIN_NODE, 1 + below(c - 1)) : -1;
}

/* One past the END_NODE that closes the node starting at @i (or the end of the list). */
static uint32_t subtree_end(uint32_t i)
{
	int depth = 0;
	for (uint32_t j = i; j < tr.n; j++) {
		depth += tr.t[j].tag == FDT_BEGIN_NODE;
		depth -= tr.t[j].tag == FDT_END_NODE;
		if (depth == 0)
			return j + 1;
	}
	return tr.n;
}

static void remove_toks(uint32_t at, uint32_t n)
{
	memmove(&tr.t[at], &tr.t[at + n], (tr.n - at - n) * sizeof(tr.t[0]));
	tr.n -= n;
}

/* Insert copies of @n tokens from @from at @at; false when the list is full. */
static int insert_toks(uint32_t at, const struct tok *from, uint32_t n)
{
	static struct tok copy[MAX_TOKENS];
	if (tr.n + n > MAX_TOKENS)
		return -1;
	memcpy(copy, from, n * sizeof(copy[0]));
	memmove(&tr.t[at + n], &tr.t[at], (tr.n - at) * sizeof(tr.t[0]));
	memcpy(&tr.t[at], copy, n * sizeof(copy[0]));
	tr.n += n;
	return 0;
}

/* Offset of @s in the strings block, appending it if it is not there; -1 when it does not fit. */
static int64_t string_offset(const char *s)
{
	size_t n = strlen(s) + 1;
	for (uint32_t o = 0; o + n <= tr.nstr; o++)
		if ((o == 0 || tr.strings[o - 1] == 0) && memcmp(tr.strings + o, s, n) == 0)
			return o;
	if (tr.nstr + n > sizeof(tr.strings))
		return -1;
	memcpy(tr.strings + tr.nstr, s, n);
	tr.nstr += (uint32_t)n;
	return tr.nstr - (uint32_t)n;
}

/* A random string start in the strings block. */
static uint32_t random_string_start(void)
{
	uint32_t starts = 0, pick;
	for (uint32_t o = 0; o < tr.nstr; o++)
		starts += o == 0 || tr.strings[o - 1] == 0;
	pick = below(starts);
	for (uint32_t o = 0; o < tr.nstr; o++)
		if ((o == 0 || tr.strings[o - 1] == 0) && pick-- == 0)
			return o;
	return 0;
}

static void set_data(struct tok *t, const void *p, uint32_t n)
{
	uint8_t *d = alloc(n);
	if (!d)
		return;
	memcpy(d, p, n);
	t->data = d;
	t->len = n;
}

/* The name of a random node as a string value (a partition name for "ends", "owner", ...). */
static uint32_t node_name(uint8_t *buf, uint32_t cap)
{
	int i = random_subnode();
	uint32_t n = i < 0 ? 0 : tr.t[i].len < cap - 1 ? tr.t[i].len : cap - 1;
	if (n)
		memcpy(buf, tr.t[i].data, n);
	buf[n] = 0;
	return n + 1;
}

static void mutate_nameoff(struct tok *t)
{
	switch (below(6)) {
	case 0:
	case 1:
		t->nameoff = random_string_start();
		break;
	case 2:
		t->nameoff = below(tr.nstr + 1);
		break;
	case 3: /* just past the block, or on its last byte */
		t->nameoff = tr.nstr - 1 + below(10);
		break;
	case 4:
		t->nameoff = cells[below(sizeof(cells) / sizeof(cells[0]))];
		break;
	default:
		t->nameoff = 0x80000000u | rnd();
		break;
	}
}

static void mutate_length(struct tok *t)
{
	static const uint32_t lens[] = { 0, 1, 3, 4, 5, 8, 12, 16, 24 };
	uint8_t buf[64];
	uint32_t n = below(2) ? lens[below(sizeof(lens) / sizeof(lens[0]))] : below(t->len + 9);

	if (n <= t->len) { /* shorter: a prefix of the same value */
		t->len = n;
		return;
	}
	if (t->len >= sizeof(buf))
		return;
	if (n > sizeof(buf))
		n = sizeof(buf);
	if (t->len)
		memcpy(buf, t->data, t->len);
	for (uint32_t i = t->len; i < n; i++)
		buf[i] = (uint8_t)(below(2) ? 0 : rnd());
	set_data(t, buf, n);
}

static void mutate_value(struct tok *t)
{
	uint8_t buf[256];
	uint32_t n = t->len < sizeof(buf) ? t->len : sizeof(buf);

	if (n)
		memcpy(buf, t->data, n);
	switch (below(5)) {
	case 0: /* one 32-bit cell */
		if (n >= 4) {
			uint32_t at = 4 * below(n / 4);
			fdt32_t v = cpu_to_fdt32(cells[below(sizeof(cells) / sizeof(cells[0]))]);
			memcpy(buf + at, &v, 4);
		}
		break;
	case 1: /* one 64-bit value: a cell in each half, or a page count */
		if (n >= 8) {
			uint32_t at = 8 * below(n / 8);
			uint64_t v = (uint64_t)cells[below(sizeof(cells) / sizeof(cells[0]))]
					     << 32 |
				     cells[below(sizeof(cells) / sizeof(cells[0]))];
			if (below(2))
				v = (uint64_t)below(1u << 20) << 12;
			fdt64_t be = cpu_to_fdt64(v);
			memcpy(buf + at, &be, 8);
		}
		break;
	case 2: /* a known word */ {
		const char *w = value_words[below(sizeof(value_words) / sizeof(value_words[0]))];
		n = (uint32_t)strlen(w) + 1;
		memcpy(buf, w, n);
		break;
	}
	case 3: /* one or two node names, as "ends" and "controls" hold */
		n = node_name(buf, 24);
		if (below(2))
			n += node_name(buf + n, 24);
		break;
	default:
		if (n)
			buf[below(n)] ^= (uint8_t)(1u << below(8));
		break;
	}
	set_data(t, buf, n);
}

static void mutate_node_name(struct tok *t)
{
	uint8_t buf[40];
	uint32_t n;

	switch (below(4)) {
	case 0:
		n = node_name(buf, 24) - 1;
		break;
	case 1: {
		const char *w = node_words[below(sizeof(node_words) / sizeof(node_words[0]))];
		n = (uint32_t)strlen(w);
		memcpy(buf, w, n);
		break;
	}
	case 2: /* too long for a partition name */
		n = 17 + below(20);
		memset(buf, 'n', n);
		break;
	default: /* one odd byte: a control character, '@', a space, a high byte */ {
		static const uint8_t odd[] = { 1, '\t', ' ', '@', '/', 0x7f, 0xff };
		n = t->len < sizeof(buf) ? t->len : sizeof(buf) - 1;
		memcpy(buf, t->data, n);
		if (n == 0)
			n = 1;
		buf[below(n)] = odd[below(sizeof(odd))];
		break;
	}
	}
	set_data(t, buf, n);
}

static void add_property(void)
{
	int node = random_tok(FDT_BEGIN_NODE);
	int64_t name = string_offset(prop_words[below(sizeof(prop_words) / sizeof(prop_words[0]))]);
	struct tok t = { .tag = FDT_PROP, .len = 0, .data = NULL };

	if (node < 0 || name < 0)
		return;
	t.nameoff = (uint32_t)name;
	t.len = 4;
	t.data = (const uint8_t *)"\0\0\0\0";
	mutate_value(&t);
	if (below(2))
		mutate_length(&t);
	insert_toks((uint32_t)node + 1, &t, 1);
}

static void mutate_strings(void)
{
	if (below(2) && tr.nstr) {
		tr.nstr -= 1 + below(tr.nstr < 16 ? tr.nstr : 16);
	} else if (below(2)) {
		string_offset(prop_words[below(sizeof(prop_words) / sizeof(prop_words[0]))]);
	} else {
		for (uint32_t k = 1 + below(8); k && tr.nstr < sizeof(tr.strings); k--)
			tr.strings[tr.nstr++] = (uint8_t)rnd();
	}
}

/* Tokens in odd places: a NOP, a stray or missing END_NODE, a property after a subnode. */
static void mutate_tokens(void)
{
	struct tok t = { .tag = FDT_NOP };
	int i;

	switch (below(4)) {
	case 0:
		insert_toks(below(tr.n + 1), &t, 1);
		break;
	case 1:
		t.tag = FDT_END_NODE;
		insert_toks(below(tr.n + 1), &t, 1);
		break;
	case 2:
		if ((i = random_tok(FDT_END_NODE)) >= 0)
			remove_toks((uint32_t)i, 1);
		break;
	default:
		if ((i = random_tok(FDT_PROP)) >= 0) {
			int node = random_tok(FDT_BEGIN_NODE);
			struct tok p = tr.t[i];
			if (node >= 0) {
				uint32_t end = subtree_end((uint32_t)node);
				insert_toks(end ? end - 1 : 0, &p, 1);
			}
		}
		break;
	}
}

static void mutate_header(uint8_t *blob, size_t size)
{
	static const uint32_t versions[] = { 1, 2, 3, 15, 16, 17, 18, 0xffffffff };
	uint32_t field = 4 + 4 * below(9), v;
	fdt32_t be;

	memcpy(&be, blob + field, 4);
	v = fdt32_to_cpu(be);
	switch (below(4)) {
	case 0:
		v += below(2) ? below(9) : -below(9);
		break;
	case 1:
		v = field == 20 || field == 24
			    ? versions[below(sizeof(versions) / sizeof(versions[0]))]
			    : below((uint32_t)size + 1);
		break;
	case 2:
		v = cells[below(sizeof(cells) / sizeof(cells[0]))];
		break;
	default:
		v = (uint32_t)size - below(16);
		break;
	}
	be = cpu_to_fdt32(v);
	memcpy(blob + field, &be, 4);
}

/* One structural mutation of the token list. */
static void mutate_once(void)
{
	int i, j;

	switch (below(14)) {
	case 0:
	case 1:
		if ((i = random_tok(FDT_PROP)) >= 0)
			mutate_nameoff(&tr.t[i]);
		break;
	case 2:
		if ((i = random_tok(FDT_PROP)) >= 0)
			mutate_length(&tr.t[i]);
		break;
	case 3:
	case 4:
		if ((i = random_tok(FDT_PROP)) >= 0)
			mutate_value(&tr.t[i]);
		break;
	case 5:
		if ((i = random_tok(FDT_BEGIN_NODE)) >= 0)
			mutate_node_name(&tr.t[i]);
		break;
	case 6: /* delete a node and its subtree */
		if ((i = random_subnode()) >= 0)
			remove_toks((uint32_t)i, subtree_end((uint32_t)i) - (uint32_t)i);
		break;
	case 7: /* duplicate a node: the copy follows it, a sibling of the same name */
		if ((i = random_subnode()) >= 0) {
			uint32_t end = subtree_end((uint32_t)i);
			insert_toks(end, &tr.t[i], end - (uint32_t)i);
		}
		break;
	case 8: /* copy a node into another one, as its last child */
		if ((i = random_subnode()) >= 0 && (j = random_tok(FDT_BEGIN_NODE)) >= 0) {
			static struct tok sub[MAX_TOKENS];
			uint32_t end = subtree_end((uint32_t)i), n = end - (uint32_t)i;
			uint32_t at = subtree_end((uint32_t)j);
			memcpy(sub, &tr.t[i], n * sizeof(sub[0]));
			insert_toks(at ? at - 1 : 0, sub, n);
		}
		break;
	case 9:
		if ((i = random_tok(FDT_PROP)) >= 0)
			remove_toks((uint32_t)i, 1);
		break;
	case 10: /* duplicate a property, or copy it to another node */
		if ((i = random_tok(FDT_PROP)) >= 0) {
			struct tok p = tr.t[i];
			j = below(2) ? i : random_tok(FDT_BEGIN_NODE);
			insert_toks((uint32_t)j + 1, &p, 1);
		}
		break;
	case 11:
		add_property();
		break;
	case 12:
		mutate_strings();
		break;
	default:
		mutate_tokens();
		break;
	}
}

size_t fdt_mutate(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	rng = seed * 2654435761u + 1;
	if (!rng)
		rng = 1;
	if (below(8) == 0 || parse(data, size) < 0)
		return LLVMFuzzerMutate(data, size, max);
	tr.used = 0;
	for (uint32_t k = 1 + below(3); k; k--)
		mutate_once();
	size_t n = emit(max);
	if (n == 0)
		return LLVMFuzzerMutate(data, size, max);
	if (below(8) == 0)
		mutate_header(tr.out, n);
	if (below(16) == 0) /* a blob cut short */
		n -= below((uint32_t)n);
	memcpy(data, tr.out, n);
	return n;
}
