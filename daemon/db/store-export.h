/* Writing a stored result set to a file on a worker (query.export). */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "daemon/db/store.h"

enum {
	STORE_EXPORT_CSV = 1,
	STORE_EXPORT_TSV,
	STORE_EXPORT_JSON,
	STORE_EXPORT_JSONL,
};

/* "csv", "tsv", "json", "jsonl" → the format; 0 for anything else. */
int store_export_format_from_name(const char *name);

struct store_export_job {
	struct store_snapshot *snap; /* owned by the caller */
	int format;
	const char *path;
	_Atomic uint64_t rows, bytes; /* progress, read from the loop */
	atomic_bool cancel;           /* set from the loop */
	TuskError error;              /* set when it did not succeed */
};

/* The worker function: writes j->path (0600), removed again when it
 * fails or is cancelled. */
void store_export_run(void *arg);
