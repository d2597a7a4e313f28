/*
 * chatter: writes WRITES console lines of 256 bytes (1 MiB in all) as fast as it can. Past its
 * console quota the kernel refuses them (E_QUOTA) and counts the bytes (WK_QUOTA); it reports
 * how many it got through, retrying the report itself until the quota lets it out.
 */
#include "rvp.h"

#define WRITES	4096
#define LINE	256
#define E_QUOTA 11

static char line[LINE];

/* put(), retried while the console quota refuses it. */
static void put_patiently(const char *s, uint64_t len)
{
	for (int i = 0; i < 1000000; i++) {
		if (hvc(HV_CONSOLE_WRITE, (uint64_t)(uintptr_t)s, len, 0).x0 != E_QUOTA)
			return;
		hvc(HV_YIELD, 0, 0, 0);
	}
}

int main(void)
{
	uint64_t shown = 0, refused = 0, other = 0;

	for (int i = 0; i < LINE - 1; i++)
		line[i] = (char)('a' + i % 26);
	line[LINE - 1] = '\n';
	for (int i = 0; i < WRITES; i++) {
		uint64_t e = hvc(HV_CONSOLE_WRITE, (uint64_t)(uintptr_t)line, LINE, 0).x0;
		if (e == E_OK)
			shown++;
		else if (e == E_QUOTA)
			refused++;
		else
			other++;
	}
	static char msg[96];
	char *p = msg;
	for (const char *w = "chatter: "; *w; w++)
		*p++ = *w;
	uint64_t v[3];
	v[0] = shown;
	v[1] = refused;
	v[2] = other;
	static const char *const words[3] = { " shown, ", " refused over the quota, ",
					      " other errors\n" };
	for (int k = 0; k < 3; k++) {
		char d[24];
		for (const char *c = u64_text(v[k], d); *c; c++)
			*p++ = *c;
		for (const char *w = words[k]; *w; w++)
			*p++ = *w;
	}
	put_patiently(msg, (uint64_t)(p - msg));
	return 0;
}
