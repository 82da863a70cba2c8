/* libFuzzer target for everything that reads bytes from a peer: the line
 * reader (input split at a data-chosen point), parse, validate, the schema
 * validator on the params of known methods, and a dump/parse round trip
 * that must reproduce the message. Crashes, leaks, sanitizer reports and
 * aborts are findings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/jsonrpc.h"
#include "protocol/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(json_t *msg)
{
	TuskRpcMessage m;
	json_t *bad_id;
	TuskError e = TUSK_ERROR_INIT;

	if (tusk_rpc_validate(msg, &m, &bad_id, &e) == 0 && m.method)
		tusk_schema_validate_params(m.method, m.params, &e);
	tusk_error_clear(&e);
}

static void one_line(const char *line, size_t len)
{
	TuskError e = TUSK_ERROR_INIT;
	json_t *v = tusk_rpc_parse(line, len, TUSK_RPC_DEFAULT_MAX_DEPTH, &e);
	if (!v) {
		if (e.kind != TUSK_ERR_PARSE)
			abort();
		tusk_error_clear(&e);
		return;
	}
	if (tusk_rpc_is_batch(v)) {
		size_t i;
		json_t *el;
		json_array_foreach(v, i, el)
		{
			check_message(el);
		}
	} else {
		check_message(v);
	}

	/* What we send must read back as the same value. */
	size_t out_len;
	char *out = tusk_rpc_dump(v, &out_len);
	if (out) {
		if (out_len == 0 || out[out_len - 1] != '\n' || memchr(out, '\n', out_len - 1))
			abort();
		json_t *back = tusk_rpc_parse(out, out_len - 1, TUSK_RPC_DEFAULT_MAX_DEPTH, &e);
		if (!back || !json_equal(back, v))
			abort();
		json_decref(back);
	}
	free(out);
	json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A small limit so the oversized-line path is reached too. */
	TuskLineReader *r = tusk_line_reader_new(1024);
	size_t split = size ? data[0] % (size + 1) : 0;
	const char *line;
	size_t len;
	TuskLineStatus st;

	tusk_line_reader_feed(r, data, split);
	while ((st = tusk_line_reader_next(r, &line, &len)) != TUSK_LINE_NONE)
		if (st == TUSK_LINE_OK)
			one_line(line, len);
	tusk_line_reader_feed(r, data + split, size - split);
	while ((st = tusk_line_reader_next(r, &line, &len)) != TUSK_LINE_NONE)
		if (st == TUSK_LINE_OK)
			one_line(line, len);
	tusk_line_reader_free(r);
	return 0;
}
