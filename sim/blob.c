/* Device-tree blobs for the simulator (see blob.h). */
#include "blob.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#define MAX_DTB (1u << 20)

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Read a whole file (at most MAX_DTB bytes) into a new buffer. */
static void *slurp(FILE *f, size_t *len)
{
	char *buf = malloc(MAX_DTB);
	if (!buf)
		return NULL;
	*len = fread(buf, 1, MAX_DTB, f);
	return buf;
}

void *blob_load(const char *spec, const char *dir, const char *what, char *path, size_t path_size,
		size_t *size)
{
	FILE *f;
	size_t len = 0;
	void *blob;
	bool is_dts = ends_with(spec, ".dts");

	if (strchr(spec, '/') || ends_with(spec, ".dtb") || is_dts)
		snprintf(path, path_size, "%s", spec);
	else
		snprintf(path, path_size, "%s/%s.dtb", dir, spec);

	if (is_dts) {
		/* dtc reports syntax errors with file:line on its own stderr. */
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -- '%s'", path);
		if (strchr(path, '\'')) {
			fprintf(stderr, "ruvix-sim: %s: a machine path may not contain a quote\n",
				path);
			return NULL;
		}
		f = popen(cmd, "r");
		if (!f) {
			fprintf(stderr, "ruvix-sim: cannot run dtc: %s\n", strerror(errno));
			return NULL;
		}
		blob = slurp(f, &len);
		if (pclose(f) != 0) {
			fprintf(stderr, "ruvix-sim: %s: dtc could not compile it (see above)\n",
				path);
			free(blob);
			return NULL;
		}
	} else {
		f = fopen(path, "rb");
		if (!f) {
			if (!strchr(spec, '/') && !ends_with(spec, ".dtb"))
				fprintf(stderr,
					"ruvix-sim: no shipped %s '%s' (looked for %s); give a "
					".dts or "
					"a .dtb path\n",
					what, spec, path);
			else
				fprintf(stderr, "ruvix-sim: %s: %s\n", path, strerror(errno));
			return NULL;
		}
		blob = slurp(f, &len);
		fclose(f);
	}
	if (!blob)
		return NULL;
	if (len < sizeof(struct fdt_header) || fdt_check_header(blob) != 0 ||
	    fdt_totalsize(blob) > len) {
		fprintf(stderr, "ruvix-sim: %s: not a valid device tree blob\n", path);
		free(blob);
		return NULL;
	}
	*size = len;
	return blob;
}
