/* tusk-protodoc: print PROTOCOL.md, the protocol's reference for people,
 * from the embedded schema, so that the document cannot drift from what
 * the daemon validates. A ctest compares its output with the committed
 * protocol/PROTOCOL.md. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/jsonrpc.h"
#include "protocol/schema.h"

static const json_t *doc;

/* Text inside a table cell: no raw newline, no column separator. */
static void cell(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else if (*s == '\n')
			putchar(' ');
		else
			putchar(*s);
	}
}

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *ref_name(const json_t *t)
{
	const char *ref = str(t, "$ref");
	const char *slash = ref ? strrchr(ref, '/') : NULL;
	return slash ? slash + 1 : NULL;
}

static const json_t *deref(const json_t *t)
{
	const char *name = ref_name(t);
	return name ? json_object_get(json_object_get(doc, "definitions"), name) : t;
}

static void print_link(const char *name)
{
	_cleanup_free_ char *anchor = strdup(name);
	for (char *p = anchor; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	printf("[%s](#%s)", name, anchor ? anchor : name);
}

static void print_json_code(const json_t *v)
{
	_cleanup_free_ char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	putchar('`');
	cell(s);
	putchar('`');
}

static void print_number(const json_t *n)
{
	if (json_is_integer(n))
		printf("%" JSON_INTEGER_FORMAT, json_integer_value(n));
	else
		printf("%g", json_number_value(n));
}

static void print_type(const json_t *t);

static void print_constraints(const json_t *t)
{
	const json_t *lo = json_object_get(t, "minimum");
	const json_t *hi = json_object_get(t, "maximum");
	if (lo && hi) {
		fputs(", ", stdout);
		print_number(lo);
		fputs("…", stdout);
		print_number(hi);
	} else if (lo) {
		fputs(" ≥ ", stdout);
		print_number(lo);
	} else if (hi) {
		fputs(" ≤ ", stdout);
		print_number(hi);
	}

	static const char *const bounds[][3] = {{"minLength", "maxLength", "characters"},
	                                        {"minItems", "maxItems", "items"}};
	for (size_t i = 0; i < 2; i++) {
		const json_t *min = json_object_get(t, bounds[i][0]);
		const json_t *max = json_object_get(t, bounds[i][1]);
		if (min && max)
			printf(", %" JSON_INTEGER_FORMAT "…%" JSON_INTEGER_FORMAT " %s",
			       json_integer_value(min), json_integer_value(max), bounds[i][2]);
		else if (min && json_integer_value(min) == 1)
			fputs(", non-empty", stdout);
		else if (min)
			printf(", at least %" JSON_INTEGER_FORMAT " %s", json_integer_value(min),
			       bounds[i][2]);
		else if (max)
			printf(", at most %" JSON_INTEGER_FORMAT " %s", json_integer_value(max),
			       bounds[i][2]);
	}
}

/* "integer ≥ 0", "array of [Topic](#topic)", "`"ok"` \| `"locked"`". */
static void print_type(const json_t *t)
{
	const char *name = ref_name(t);
	if (name) {
		print_link(name);
		return;
	}
	const json_t *choices = json_object_get(t, "enum");
	if (choices) {
		size_t i;
		json_t *c;
		json_array_foreach(choices, i, c)
		{
			if (i)
				fputs(" \\| ", stdout);
			print_json_code(c);
		}
		return;
	}
	const json_t *type = json_object_get(t, "type");
	if (json_is_array(type)) {
		size_t i;
		json_t *one;
		json_array_foreach(type, i, one)
		{
			printf("%s%s", i ? " \\| " : "", json_string_value(one));
		}
	} else if (json_is_string(type)) {
		fputs(json_string_value(type), stdout);
	} else {
		fputs("any", stdout);
	}
	const json_t *items = json_object_get(t, "items");
	if (items) {
		fputs(" of ", stdout);
		print_type(items);
	}
	print_constraints(t);
}

static const char *description_of(const json_t *t)
{
	const char *d = str(t, "description");
	return d ? d : str(deref(t), "description");
}

/* One row per member, nested objects flattened as "storage.state" and
 * arrays of objects as "settings[].key". */
static void print_rows(const char *prefix, const json_t *t)
{
	const json_t *props = json_object_get(t, "properties");
	const json_t *required = json_object_get(t, "required");
	const char *key;
	json_t *pt;

	json_object_foreach((json_t *)props, key, pt)
	{
		bool req = false;
		size_t i;
		json_t *r;
		json_array_foreach(required, i, r)
		{
			if (strcmp(json_string_value(r), key) == 0)
				req = true;
		}
		printf("| `%s%s` | ", prefix, key);
		print_type(pt);
		printf(" | %s | ", req ? "yes" : "no");
		cell(description_of(pt));
		puts(" |");

		_cleanup_free_ char *sub = NULL;
		if (json_object_get(pt, "properties")) {
			if (asprintf(&sub, "%s%s.", prefix, key) >= 0)
				print_rows(sub, pt);
		} else if (json_object_get(json_object_get(pt, "items"), "properties")) {
			if (asprintf(&sub, "%s%s[].", prefix, key) >= 0)
				print_rows(sub, json_object_get(pt, "items"));
		}
	}
}

static void print_object_table(const json_t *t, bool params)
{
	const json_t *props = json_object_get(t, "properties");
	if (json_object_size(props) == 0) {
		puts(params ? "None: omit `params` or send `{}`." : "An empty object.");
		return;
	}
	puts("| member | type | required | description |");
	puts("| --- | --- | --- | --- |");
	print_rows("", t);
	if (json_is_true(json_object_get(t, "additionalProperties")))
		puts("\nOther members are ignored.");
}

/* A method's params or result. A $ref is expanded one level so that the
 * reader sees the members right there. */
static void print_payload(const char *title, const json_t *t, bool params)
{
	printf("**%s**", title);
	const char *name = ref_name(t);
	const char *note = name ? str(t, "description") : NULL;
	if (name) {
		fputs(" — a ", stdout);
		print_link(name);
		t = deref(t);
	}
	puts("\n");
	if (note)
		printf("%s\n\n", note);
	if (json_object_get(t, "properties") || json_object_get(t, "additionalProperties")) {
		print_object_table(t, params);
	} else {
		print_type(t);
		putchar('\n');
	}
	putchar('\n');
}

static void print_error_refs(const json_t *list)
{
	size_t i;
	json_t *k;
	json_array_foreach(list, i, k)
	{
		const json_t *err;
		size_t j;
		json_array_foreach(json_object_get(doc, "errors"), j, err)
		{
			if (strcmp(str(err, "kind"), json_string_value(k)) == 0)
				printf("%s`%s` (%" JSON_INTEGER_FORMAT ")", i ? ", " : "",
				       json_string_value(k),
				       json_integer_value(json_object_get(err, "code")));
		}
	}
}

static void print_preamble(void)
{
	printf("# Tusk protocol, version %" JSON_INTEGER_FORMAT "\n\n",
	       json_integer_value(json_object_get(doc, "protocol_version")));
	puts("<!-- Generated from protocol/schema.json by tusk-protodoc; do not edit.\n"
	     "     Regenerate with: build/protocol/tusk-protodoc > protocol/PROTOCOL.md -->\n");
	puts("tuskd and its clients speak JSON-RPC 2.0 over a Unix socket. This page is\n"
	     "generated from `protocol/schema.json` and its per-family fragments in\n"
	     "`protocol/schema.d/`, the machine-readable schema that the daemon validates\n"
	     "every request against and that every test run's tuskd validates each of\n"
	     "its replies, error kinds and notifications against.\n");
	puts("## The schema drives the code\n");
	puts("- **Dispatch.** The daemon's method table is generated from the schema at\n"
	     "  build time (`protocol/gen-names.cmake`): method `family.name` is handled by\n"
	     "  `method_family_name()` in `daemon/rpc/rpc-family.c`. A schema method without\n"
	     "  its handler fails the link; a handler without its method fails the compile.\n"
	     "- **Names.** `protocol/tusk-names.h` (generated) spells every method\n"
	     "  (`TUSK_M_QUERY_EXECUTE`) and notification (`TUSK_N_QUERY_STARTED`) once;\n"
	     "  the daemon emits notifications and the clients send requests by these\n"
	     "  names. ctest `protocol-schema-drift` fails when a handler, the generated\n"
	     "  table, an emitted notification or an event topic differs from the schema.\n"
	     "- **Requests.** Clients build params with `protocol/req.h`\n"
	     "  (`tusk_req_query_execute(…)`, one file per family); `test-protocol-req`\n"
	     "  validates every builder against the schema.\n"
	     "- **Self-check.** A tuskd started with `TUSK_VALIDATE_REPLIES` (every ctest\n"
	     "  suite) turns a reply that does not match its method's result, or an error\n"
	     "  kind the method does not list, into an `internal` error, and aborts on a\n"
	     "  notification whose params or topic do not match.\n");
	puts("To add a method: describe it in `schema.d/FAMILY.json` (params, result,\n"
	     "errors), regenerate this page, write `method_FAMILY_NAME()` in\n"
	     "`daemon/rpc/rpc-FAMILY.c`, add its builder to `protocol/req.h`, and test it\n"
	     "through tuskctl or raw socket bytes.\n");
	puts("## The schema file\n");
	puts("`protocol/schema.json` is one JSON object:\n");
	puts("| member | holds |\n| --- | --- |");
	puts("| `protocol_version` | the version this schema describes; clients send it in "
	     "`daemon.hello` |");
	puts("| `errors` | every error: `{code, kind, error_type, description, guide}`; `kind` is "
	     "the name in `error.data.kind`, `error_type` the coarse category in "
	     "`error.data.error_type`, `guide` what a person sees and does (rendered as "
	     "docs/ERRORS.md) |");
	puts("| `common_errors` | kinds any call may fail with, whatever its own list says |");
	puts("| `topics` | event topics for `events.subscribe`: `{name, description}` |");
	puts(
	    "| `definitions` | named types, referred to as `{\"$ref\": \"#/definitions/Name\"}` |");
	puts("| `methods` | by name: `{summary, description?, params, result, errors}`; `errors` "
	     "lists the kinds the method itself may return |");
	puts("| `notifications` | by name: `{summary, description?, params, topic?}` |");
	puts("");
	puts("A type is a small subset of JSON Schema: `type` (one of `object`, `array`,\n"
	     "`string`, `integer`, `number`, `boolean`, `null`, or an array of them),\n"
	     "`properties`, `required`, `additionalProperties` (a boolean), `items`,\n"
	     "`minItems`, `maxItems`, `enum`, `minimum`, `maximum`, `minLength`,\n"
	     "`maxLength` (counted in code points), `description`, and `$ref` (beside\n"
	     "which only `description` may appear). `number` accepts integers too;\n"
	     "`integer` accepts no fractional number, not even `1.0`. Absent params are\n"
	     "validated as `{}`. A validation failure names the first offending member:\n"
	     "`params.topics[1]: \"x\" is not one of \"connection\", \"query\", ...`.\n");
}

static void print_framing(void)
{
	puts("## Framing\n");
	printf("- Each message is one JSON text in UTF-8 on one line, ended by `\\n`; `\\r\\n` is\n"
	       "  accepted and empty lines are ignored. A sender never puts a raw newline\n"
	       "  inside a message (JSON escapes newlines in strings).\n"
	       "- **The message limit** is %u bytes (16 MiB), not counting the line end,\n"
	       "  one number for both directions (`TUSK_RPC_MAX_MESSAGE` in\n"
	       "  `protocol/jsonrpc.h`, used by the daemon and every client):\n"
	       "  - a longer line from a client is discarded up to the next newline and\n"
	       "    answered with `parse_error` (-32700) and id null; the connection stays\n"
	       "    open and the next line is read normally (the daemon's incoming limit is\n"
	       "    the setting `rpc.max_message_bytes`, by default this number);\n"
	       "  - the daemon never sends a longer message: a reply that would be longer is\n"
	       "    replaced by a `limit_exceeded` (-32060) error with the request's id (in a\n"
	       "    batch, the member whose reply does not fit gets that error), and clients\n"
	       "    refuse longer lines as a protocol error;\n"
	       "  - answers that can grow without bound come in pieces of about %u bytes\n"
	       "    (4 MiB): `schema.get` pages (`next_offset`), `history.list` pages, and\n"
	       "    `query.rows` batches (at most `batch_rows` rows or about 1 MiB).\n"
	       "- Text must be strict UTF-8: stray continuation bytes, overlong forms,\n"
	       "  UTF-16 surrogates (U+D800…U+DFFF) and code points above U+10FFFF are\n"
	       "  `parse_error` (\"invalid UTF-8 at byte 17: overlong encoding\"). Byte\n"
	       "  offsets in messages count from 0.\n"
	       "- A NUL byte anywhere in the line, or a `\\u0000` escape, is `parse_error`.\n"
	       "- Objects and arrays may nest at most %u deep (the outermost counts as 1);\n"
	       "  deeper is `parse_error` (\"nesting deeper than %u\").\n"
	       "- An object with the same key twice is `parse_error`; so is anything after\n"
	       "  the JSON text on the same line.\n\n",
	       TUSK_RPC_MAX_MESSAGE, TUSK_RPC_PAGE_BYTES, TUSK_RPC_DEFAULT_MAX_DEPTH,
	       TUSK_RPC_DEFAULT_MAX_DEPTH);

	puts("## Messages\n");
	puts("- A request is\n"
	     "  `{\"jsonrpc\": \"2.0\", \"id\": ID, \"method\": NAME, \"params\": {...}}`.\n"
	     "  `jsonrpc` must be exactly `\"2.0\"`; the method a non-empty string;\n"
	     "  params an object (or an array, which no method here accepts) or absent; the\n"
	     "  id a string, an integer or null. A fractional or structured id is\n"
	     "  `invalid_request` (-32600).\n"
	     "- Without `id` it is a notification: it gets no reply, not even an error.\n"
	     "- A reply is `{\"jsonrpc\": \"2.0\", \"id\": ID, \"result\": ...}` or\n"
	     "  `{\"jsonrpc\": \"2.0\", \"id\": ID, \"error\": {\"code\", \"message\", "
	     "\"data\"}}`,\n"
	     "  never both. When the request's id could not be read, the error's id is null.\n"
	     "- Requests run concurrently; replies come in any order. Match them by id.\n"
	     "- A batch is a non-empty array of requests, answered by one array holding the\n"
	     "  replies (notifications get none; if none is due, nothing is sent). Each\n"
	     "  element is checked on its own. An empty array `[]` is `invalid_request`.\n"
	     "- Any JSON value that is not an object or array (e.g. `42`) is\n"
	     "  `invalid_request`.\n"
	     "- The daemon sends notifications (no `id`) for the topics a client has\n"
	     "  subscribed to.\n"
	     "- A client starts with `daemon.hello`, naming the protocol version it speaks.\n");
}

static void print_limits(void)
{
	puts("## Limits\n");
	puts("Every resource a client controls has a limit. Going over one gives the\n"
	     "error below and nothing else: the daemon keeps serving this connection\n"
	     "(except for a flood of unread output) and every other.\n");
	puts("| limit | value | over it |\n| --- | --- | --- |");
	printf("| message length, both directions | %u bytes (`TUSK_RPC_MAX_MESSAGE`; "
	       "the daemon's incoming limit is the setting `rpc.max_message_bytes`, by "
	       "default the same) | from a client: `parse_error`, the line is skipped; "
	       "a reply of the daemon: `limit_exceeded` instead of the reply |\n",
	       TUSK_RPC_MAX_MESSAGE);
	printf("| params size | inside the message limit | `parse_error` |\n");
	printf("| nesting depth (params included) | %u | `parse_error` |\n",
	       TUSK_RPC_DEFAULT_MAX_DEPTH);
	printf("| request id | a string of at most %u bytes (or an integer, or null) | "
	       "`limit_exceeded` with id null |\n",
	       TUSK_RPC_MAX_ID_BYTES);
	printf("| batch members | %u | one `limit_exceeded` with id null for the whole "
	       "batch; no member runs |\n",
	       TUSK_RPC_MAX_BATCH);
	puts("| requests in flight on one connection | 256 (setting "
	     "`rpc.max_pending_requests`; batch members count) | `limit_exceeded` for that "
	     "request |\n"
	     "| unsent output to one connection | 64 MiB (setting `rpc.max_output_bytes`): "
	     "above a quarter of it the daemon stops reading the connection's requests "
	     "and streaming queries stop reading from PostgreSQL until it drains | over "
	     "the whole, the connection is closed (a client that floods requests and "
	     "reads no replies) |\n"
	     "| notification subscriptions | the topics of `events.subscribe`, a set: "
	     "subscribing again changes nothing | — |\n"
	     "| large answers | pieces of about 4 MiB: `schema.get` pages (`next_offset`), "
	     "`history.list` pages; `query.rows` batches of at most `batch_rows` rows or "
	     "about 1 MiB | — |\n");
}

static void print_errors(void)
{
	puts("## Errors\n");
	puts("`error.code` is one of the codes below. `error.message` is one line for\n"
	     "people. `error.data` is an ErrorInfo object: `error_type` and `kind` (as in\n"
	     "the table), `message`, and where known `detail`, `hint`, `position` (1-based,\n"
	     "in the query text), `code` (SQLSTATE), `severity`, `context`, `schema`,\n"
	     "`table`, `column`, `datatype`, `constraint`, `internal_position`,\n"
	     "`internal_query`. Absent fields are omitted.\n");
	puts("| code | kind | error_type | meaning |\n| --- | --- | --- | --- |");
	size_t i;
	json_t *err;
	json_array_foreach(json_object_get(doc, "errors"), i, err)
	{
		printf("| %" JSON_INTEGER_FORMAT " | `%s` | %s | ",
		       json_integer_value(json_object_get(err, "code")), str(err, "kind"),
		       str(err, "error_type"));
		cell(str(err, "description"));
		puts(" |");
	}
	fputs("\nAny call may also fail with ", stdout);
	print_error_refs(json_object_get(doc, "common_errors"));
	puts(".\n");
}

static void print_methods(void)
{
	puts("## Methods\n");
	const char *name;
	json_t *m;
	json_object_foreach(json_object_get(doc, "methods"), name, m)
	{
		printf("### `%s`\n\n%s\n\n", name, str(m, "summary"));
		if (str(m, "description"))
			printf("%s\n\n", str(m, "description"));
		print_payload("Params", json_object_get(m, "params"), true);
		print_payload("Result", json_object_get(m, "result"), false);
		fputs("**Errors:** ", stdout);
		print_error_refs(json_object_get(m, "errors"));
		puts(", and the common errors.\n");
		if (json_is_true(json_object_get(m, "persists")))
			puts("**Saves:** what it changes is kept in tuskd's database. While that "
			     "file "
			     "cannot be used (written by a newer Tusk, a failed migration, not "
			     "writable) tuskd runs on a temporary in-memory database and refuses "
			     "this "
			     "method with `migration_error` or `storage_error` (the same error as "
			     "`daemon.status` `storage.error`); nothing changes.\n");
	}
}

static void print_notifications(void)
{
	puts("## Notifications\n");
	const json_t *table = json_object_get(doc, "notifications");
	if (json_object_size(table) == 0)
		puts("None yet: later protocol additions send them on the topics below.\n");
	const char *name;
	json_t *n;
	json_object_foreach((json_t *)table, name, n)
	{
		printf("### `%s`\n\n%s\n\n", name, str(n, "summary"));
		if (str(n, "topic"))
			printf("Topic: `%s`.\n\n", str(n, "topic"));
		if (str(n, "description"))
			printf("%s\n\n", str(n, "description"));
		print_payload("Params", json_object_get(n, "params"), true);
	}

	puts("## Event topics\n");
	puts("| topic | events |\n| --- | --- |");
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(doc, "topics"), i, t)
	{
		printf("| `%s` | ", str(t, "name"));
		cell(str(t, "description"));
		puts(" |");
	}
	putchar('\n');
}

static void print_definitions(void)
{
	bool first = true;
	puts("## Types\n");
	const char *name;
	json_t *t;
	json_object_foreach(json_object_get(doc, "definitions"), name, t)
	{
		printf("%s### %s\n\n", first ? "" : "\n", name);
		first = false;
		if (str(t, "description"))
			printf("%s\n\n", str(t, "description"));
		if (json_object_get(t, "properties")) {
			print_object_table(t, false);
		} else {
			print_type(t);
			putchar('\n');
		}
	}
}

/* ---- docs/ERRORS.md: the error catalogue for people ----------------------- */

static void print_methods_naming(const char *kind)
{
	bool common = false, any = false;
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(doc, "common_errors"), i, k)
	{
		if (strcmp(json_string_value(k), kind) == 0)
			common = true;
	}
	if (common) {
		puts("- **Returned by:** any method.");
		return;
	}
	fputs("- **Returned by:** ", stdout);
	const char *name;
	json_t *m;
	json_object_foreach(json_object_get(doc, "methods"), name, m)
	{
		json_array_foreach(json_object_get(m, "errors"), i, k)
		{
			if (strcmp(json_string_value(k), kind) == 0) {
				printf("%s`%s`", any ? ", " : "", name);
				any = true;
			}
		}
	}
	puts(any ? "." : "no method (see below).");
}

static void print_catalogue(void)
{
	puts("# Tusk error catalogue\n");
	puts("Generated from `protocol/schema.json` by `tusk-protodoc --errors`; do not edit\n"
	     "(a ctest fails when this file differs from the schema). Every error tuskd\n"
	     "answers has a `kind` below; the wire form is in "
	     "[PROTOCOL.md](../protocol/PROTOCOL.md#errors).\n");
	puts("tuskctl prints an error on stderr as\n\n"
	     "```\ntuskctl: MESSAGE\n  detail: DETAIL\n  hint: HINT\n```\n\n"
	     "and exits **1** when tuskd reported it (every kind below), **2** for a usage\n"
	     "error it found itself, **3** when tuskd could not be reached. A hint that\n"
	     "names a command writes NAME for the saved connection. Secrets (passwords,\n"
	     "passphrases) never appear in a message, detail, hint or log line.\n");
	puts("| kind | code | category | in short |\n| --- | --- | --- | --- |");
	size_t i;
	json_t *err;
	json_array_foreach(json_object_get(doc, "errors"), i, err)
	{
		printf("| [`%s`](#%s) | %" JSON_INTEGER_FORMAT " | %s | ", str(err, "kind"),
		       str(err, "kind"), json_integer_value(json_object_get(err, "code")),
		       str(err, "error_type"));
		cell(str(err, "description"));
		puts(" |");
	}
	json_array_foreach(json_object_get(doc, "errors"), i, err)
	{
		const json_t *g = json_object_get(err, "guide");
		printf("\n## %s\n\n", str(err, "kind"));
		printf("- **Code:** %" JSON_INTEGER_FORMAT " (`error.code`); category `%s`.\n",
		       json_integer_value(json_object_get(err, "code")), str(err, "error_type"));
		printf("- **When:** %s\n", str(err, "description"));
		print_methods_naming(str(err, "kind"));
		printf("- **In tuskctl:** %s\n", str(g, "tuskctl"));
		printf("- **What to do:** %s\n", str(g, "remedy"));
		puts("\n| cause | hint tuskd gives |\n| --- | --- |");
		size_t j;
		json_t *c;
		json_array_foreach(json_object_get(g, "causes"), j, c)
		{
			fputs("| ", stdout);
			cell(str(c, "cause"));
			fputs(" | ", stdout);
			cell(str(c, "hint") ? str(c, "hint") : "—");
			puts(" |");
		}
	}
}

int main(int argc, char **argv)
{
	TuskError e = TUSK_ERROR_INIT;
	bool errors = argc == 2 && strcmp(argv[1], "--errors") == 0;

	if (argc > 2 || (argc == 2 && !errors)) {
		fprintf(stderr, "usage: %s > PROTOCOL.md\n       %s --errors > ERRORS.md\n",
		        argv[0], argv[0]);
		return 2;
	}
	doc = tusk_schema();
	if (!doc || tusk_schema_check(doc, &e) < 0) {
		fprintf(stderr, "%s: protocol/schema.json is broken: %s\n", argv[0],
		        doc ? tusk_error_message(&e) : "not valid JSON");
		tusk_error_clear(&e);
		return 1;
	}
	if (errors) {
		print_catalogue();
		return fflush(stdout) != 0 || ferror(stdout) ? (perror(argv[0]), 1) : 0;
	}
	print_preamble();
	print_framing();
	print_limits();
	print_errors();
	print_methods();
	print_notifications();
	print_definitions();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror(argv[0]);
		return 1;
	}
	return 0;
}
