/* libFuzzer target: the whole request path of tuskd in-process. The input
 * is what a client writes on the socket (NDJSON, batches, anything); it
 * goes through the line reader, the parser, JSON-RPC validation, the
 * schema's params validation, the method's handler and the reply
 * serialisation of a real daemon (fuzz-daemon.h; no PostgreSQL). Every
 * line the daemon sends back must be a valid reply or notification
 * (fuzz-check.h), and the daemon must answer within a bound. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz-check.h"
#include "tests/fuzz/fuzz-daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs between fresh data dirs: saved connections, groups and history
 * made by one input are seen by the next ones until then. */
#define RESTART_EVERY 2000
#define TIMEOUT_MS    5000

static bool any_method(const json_t *requests, const char *prefix)
{
	const char *key;
	json_t *list;
	json_object_foreach((json_t *)requests, key, list)
	{
		size_t i;
		json_t *m;
		json_array_foreach(list, i, m)
		{
			if (strncmp(json_string_value(m), prefix, strlen(prefix)) == 0)
				return true;
		}
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned runs;
	json_t *requests = fuzz_requests((const char *)data, size);
	/* debug.sleep holds a worker thread for up to a minute by design. */
	if (memmem(data, size, "sleep", 5) || any_method(requests, "debug.sleep")) {
		json_decref(requests);
		return -1;
	}
	if (++runs % RESTART_EVERY == 0)
		fuzz_daemon_restart();
	else
		fuzz_daemon_start();

	struct fuzz_conn fc;
	fuzz_conn_open(&fc);
	fuzz_conn_talk(&fc, data, size, TIMEOUT_MS);
	if (fc.timed_out && !getenv("FUZZ_ALLOW_TIMEOUT")) {
		fprintf(stderr, "fuzz: no complete answer within %d ms\n", TIMEOUT_MS);
		abort();
	}
	if (getenv("FUZZ_PRINT"))
		fprintf(stderr, "%.*s", (int)fc.len, fc.out);
	fuzz_check_output(fc.out, fc.len, requests);
	fuzz_conn_close(&fc);
	if (any_method(requests, "settings."))
		fuzz_daemon_reset_settings();
	json_decref(requests);
	return 0;
}
