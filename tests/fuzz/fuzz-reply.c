/* libFuzzer target: the hand-assembled JSON of tuskd's hot paths, with ids
 * and strings of any content. Byte 0 picks the id's form (integer, string,
 * null, a long repeated string); the rest, split at 0xff, gives the id and
 * the strings. Each input goes through
 *   - the raw-result reply (rpc_reply_raw_result, schema.get's fast path)
 *     of an in-process tuskd, whose bytes on the socket must be a valid
 *     schema.get reply;
 *   - rowjson_append over a PGresult built with libpq (the query.rows
 *     rows), plain and typed: a JSON array of the cells;
 *   - rowjson_string / tusk_json_string: a JSON string that reads back as
 *     the input when it is UTF-8. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/cellvalue.h"
#include "common/jsonstr.h"
#include "daemon/db/rowjson.h"
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/tuskd.h"
#include "tests/fuzz/fuzz-check.h"
#include "tests/fuzz/fuzz-daemon.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CELLS 16

static const TuskOid types[] = {25, 23, 20, 701, 16, 114, 3802, 1007, 1009, 1700, 17, 0};

static void fail(const char *what, const char *text, size_t len)
{
	fuzz_fail(what, text, len);
}

/* A string JSON can hold: the bytes when UTF-8, else a marker. */
static json_t *jstr(const char *s, size_t n)
{
	json_t *v = fuzz_utf8_valid(s, n) ? json_stringn(s, n) : NULL;
	return v ? v : json_string("(not UTF-8)");
}

static json_t *make_id(unsigned form, const char *s, size_t n)
{
	switch (form % 4) {
	case 0: {
		json_int_t x = 0;
		memcpy(&x, s, n < sizeof(x) ? n : sizeof(x));
		return json_integer(x);
	}
	case 1:
		return jstr(s, n);
	case 2:
		return json_null();
	default: {
		/* Long ids: the text repeated up to 255 times. */
		size_t times = 1 + (form >> 2) % 64 * 4;
		char *buf = malloc(n * times + 1);
		for (size_t i = 0; i < times; i++)
			memcpy(buf + i * n, s, n);
		json_t *v = jstr(buf, n * times);
		free(buf);
		return v;
	}
	}
}

static void raw_result(json_t *id, json_t *strings)
{
	fuzz_daemon_start();
	struct fuzz_conn fc;
	fuzz_conn_open(&fc);

	json_t *schemas = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(strings, i, s)
	{
		json_array_append_new(schemas,
		                      json_pack("{s:O, s:n, s:O, s:b, s:[], s:[], s:[], s:[]}",
		                                "name", s, "owner", "comment", s, "system", i % 2,
		                                "relations", "functions", "sequences", "types"));
	}
	json_t *conn_id =
	    json_array_size(strings) ? json_incref(json_array_get(strings, 0)) : json_string("c");
	json_t *tree = json_pack("{s:o, s:I, s:f, s:O, s:o}", "connection_id", conn_id,
	                         "loaded_at_us", (json_int_t)1700000000000000, "load_ms", 12.5,
	                         "search_path", strings, "schemas", schemas);
	char *text = tusk_json_dumps_exact(tree);
	json_decref(tree);

	struct rpc_request *req = calloc(1, sizeof(*req));
	client_request_begin(fc.client);
	req->client = client_ref(fc.client);
	req->id = json_incref(id);
	req->method = strdup("schema.get");
	req->params = json_object();
	req->started_us = tuskd_now_us();
	rpc_reply_raw_result(req, text, strlen(text));
	free(text);

	fuzz_conn_talk(&fc, "", 0, 5000);
	json_t *requests = json_object();
	char *key = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
	json_object_set_new(requests, key, json_pack("[s]", "schema.get"));
	free(key);
	if (fc.len == 0)
		fail("no reply from the raw-result path", "", 0);
	fuzz_check_output(fc.out, fc.len, requests);
	json_decref(requests);
	fuzz_conn_close(&fc);
}

static void rows(const char *const *cells, const size_t *lens, size_t n, unsigned form)
{
	if (n == 0)
		return;
	PGresAttDesc attrs[MAX_CELLS];
	TuskOid oids[MAX_CELLS];
	memset(attrs, 0, sizeof(attrs));
	for (size_t i = 0; i < n; i++) {
		attrs[i].name = "c";
		attrs[i].format = 0;
		oids[i] = types[(form + i) % (sizeof(types) / sizeof(types[0]))];
		attrs[i].typid = oids[i];
		attrs[i].typlen = -1;
		attrs[i].atttypmod = -1;
	}
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (!PQsetResultAttrs(res, (int)n, attrs))
		fail("PQsetResultAttrs", "", 0);
	for (size_t i = 0; i < n; i++) {
		/* PostgreSQL sends no NUL inside a text value: NULL instead. */
		bool null = !cells[i] || memchr(cells[i], 0, lens[i]);
		if (!PQsetvalue(res, 0, (int)i, null ? NULL : (char *)cells[i],
		                null ? -1 : (int)lens[i]))
			fail("PQsetvalue", "", 0);
	}
	for (int typed = 0; typed < 2; typed++) {
		struct evbuffer *out = evbuffer_new();
		rowjson_append(out, res, 0, (int)n, typed ? oids : NULL);
		size_t len = evbuffer_get_length(out);
		const char *text = (const char *)evbuffer_pullup(out, -1);
		json_error_t jerr;
		json_t *v = json_loadb(text, len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &jerr);
		if (!json_is_array(v) || json_array_size(v) != n)
			fail("a row that is not a JSON array of its cells", text, len);
		for (size_t i = 0; i < n; i++) {
			json_t *cell = json_array_get(v, i);
			if (PQgetisnull(res, 0, (int)i)) {
				if (!json_is_null(cell))
					fail("a NULL cell that is not null", text, len);
				continue;
			}
			const char *s = PQgetvalue(res, 0, (int)i);
			size_t sl = (size_t)PQgetlength(res, 0, (int)i);
			if (!fuzz_utf8_valid(s, sl)) {
				if (!json_is_string(cell))
					fail("a cell of bytes that are not UTF-8 is not a string",
					     text, len);
				continue;
			}
			json_t *want =
			    typed ? tusk_cell_typed(oids[i], s, sl) : json_stringn(s, sl);
			if (!fuzz_json_same(cell, want))
				fail("a cell that does not read back as its value", text, len);
			json_decref(want);
		}
		json_decref(v);
		evbuffer_free(out);
	}
	PQclear(res);
}

static int collect(const char *buf, size_t size, void *data)
{
	return evbuffer_add(data, buf, size);
}

static void string(const char *s, size_t n)
{
	for (int way = 0; way < 2; way++) {
		struct evbuffer *out = evbuffer_new();
		if (way == 0)
			rowjson_string(out, s, n);
		else if (tusk_json_string(s, n, collect, out) < 0)
			fail("tusk_json_string failed", s, n);
		size_t len = evbuffer_get_length(out);
		const char *text = (const char *)evbuffer_pullup(out, -1);
		json_error_t jerr;
		json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		if (!json_is_string(v))
			fail("a string literal that is not a JSON string", text, len);
		if (fuzz_utf8_valid(s, n) &&
		    (json_string_length(v) != n || memcmp(json_string_value(v), s, n) != 0))
			fail("a string literal that does not read back as its text", text, len);
		json_decref(v);
		evbuffer_free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *cells[MAX_CELLS + 1];
	size_t lens[MAX_CELLS + 1], n = 0;
	while (n <= MAX_CELLS) {
		const char *t = memchr(p, 0xff, (size_t)(end - p));
		size_t len = t ? (size_t)(t - p) : (size_t)(end - p);
		bool null = len == 1 && (unsigned char)p[0] == 0xfe;
		cells[n] = null ? NULL : p;
		lens[n++] = null ? 0 : len;
		if (!t)
			break;
		p = t + 1;
	}
	/* The first piece is the id; the others are strings. */
	json_t *id = make_id(data[0], cells[0] ? cells[0] : "", lens[0]);
	json_t *strings = json_array();
	for (size_t i = 1; i < n; i++)
		json_array_append_new(strings,
		                      cells[i] ? jstr(cells[i], lens[i]) : json_string(""));
	raw_result(id, strings);
	rows(cells + 1, lens + 1, n - 1, data[0]);
	string((const char *)data + 1, size - 1);
	json_decref(id);
	json_decref(strings);
	return 0;
}
