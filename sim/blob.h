/* Loading device-tree blobs for the simulator: a .dtb file, a .dts file (compiled with dtc),
 * or the name of a shipped one. */
#ifndef RUVIX_SIM_BLOB_H
#define RUVIX_SIM_BLOB_H

#include <stddef.h>

/**
 * Load @spec. A spec with a '/' or ending in .dts/.dtb is a path; otherwise it names
 * @dir/@spec.dtb (@what, e.g. "machine", is used in messages). Returns a malloc'd valid blob
 * and its size, and the path used in @path; NULL after printing an error.
 */
void *blob_load(const char *spec, const char *dir, const char *what, char *path, size_t path_size,
		size_t *size);

#endif
