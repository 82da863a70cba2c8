/* tusk-conninfo: tuskd's helper for libpq's service-file lookup.
 *
 * stdin:  a JSON object of libpq keyword → value, holding "service".
 * stdout: {"values": {keyword: value, …}} — what libpq made of it with the
 *         service expanded, less the values that only repeat libpq's
 *         built-in defaults — or {"error": "libpq's message"}.
 *
 * tuskd starts it with an environment made for one lookup (see
 * daemon/db/conninfo.h for why a process). libpq offers no call that
 * expands a service and reports a failure without also connecting, so the
 * keywords go to PQconnectStartParams with one more, channel_binding set to
 * a value libpq refuses: libpq parses the options, reads the service file,
 * fills in the connection's fields and then stops while checking them,
 * before it resolves a host name or opens a socket. PQconninfo reads the
 * fields back. Any other failure (an unknown service, a bad value in the
 * file) is the caller's error. alarm() bounds the whole run in case a
 * future libpq checked channel_binding later. */
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STOPPER         "tusk-stop-before-connecting"
#define MAX_INPUT_BYTES (1024 * 1024)
#define MAX_KEYWORDS    128

static char input[MAX_INPUT_BYTES + 1];

static int reply(json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	int ok = text && fputs(text, stdout) >= 0 && fflush(stdout) == 0;
	if (text) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	json_decref(msg);
	return ok ? 0 : 1;
}

static int fail(const char *msg)
{
	/* libpq's messages end with a newline. */
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	return reply(json_pack("{s:s%}", "error", msg, n));
}

static size_t read_input(void)
{
	size_t len = 0;
	ssize_t n;
	while (len < MAX_INPUT_BYTES && (n = read(0, input + len, MAX_INPUT_BYTES - len)) != 0) {
		if (n < 0)
			return 0;
		len += (size_t)n;
	}
	input[len] = '\0';
	return len;
}

static const char *default_of(const PQconninfoOption *defaults, const char *keyword)
{
	for (const PQconninfoOption *o = defaults; o && o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return o->val;
	return NULL;
}

/* The option values; the password is erased from libpq's copy as well. */
static json_t *collect(PQconninfoOption *opts, const PQconninfoOption *defaults)
{
	json_t *values = json_object();
	for (PQconninfoOption *o = opts; values && o->keyword; o++) {
		if (!o->val || strcmp(o->keyword, "channel_binding") == 0)
			continue;
		const char *def = default_of(defaults, o->keyword);
		if (!def || strcmp(def, o->val) != 0)
			json_object_set_new(values, o->keyword, json_string(o->val));
		if (strcmp(o->keyword, "password") == 0)
			explicit_bzero(o->val, strlen(o->val));
	}
	return values;
}

/* The lookup itself; in is the parsed input. */
static int lookup(json_t *in)
{
	const char *keywords[MAX_KEYWORDS + 2];
	const char *vals[MAX_KEYWORDS + 2];
	size_t n = 0;
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v)
	{
		if (!json_is_string(v) || n >= MAX_KEYWORDS)
			return fail("tusk-conninfo: expected at most 128 string members");
		keywords[n] = key;
		vals[n++] = json_string_value(v);
	}
	/* Last, so it overrides any channel_binding given. */
	keywords[n] = "channel_binding";
	vals[n++] = STOPPER;
	keywords[n] = vals[n] = NULL;

	PGconn *conn = PQconnectStartParams(keywords, vals, 0);
	if (!conn)
		return fail("out of memory");
	int r;
	const char *msg = PQerrorMessage(conn);
	if (PQstatus(conn) != CONNECTION_BAD) {
		r = fail("tusk-conninfo: libpq began to connect; refusing to go on");
	} else if (!strstr(msg, STOPPER)) {
		r = fail(msg);
	} else {
		PQconninfoOption *opts = PQconninfo(conn);
		PQconninfoOption *defaults = PQconndefaults();
		json_t *values = opts ? collect(opts, defaults) : NULL;
		PQconninfoFree(opts);
		PQconninfoFree(defaults);
		r = values ? reply(json_pack("{s:O}", "values", values)) : fail("out of memory");
		json_t *pw = json_object_get(values, "password");
		if (pw)
			explicit_bzero((char *)json_string_value(pw), json_string_length(pw));
		json_decref(values);
	}
	PQfinish(conn);
	return r;
}

int main(void)
{
	alarm(10);
	size_t len = read_input();
	json_t *in = len ? json_loadb(input, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	explicit_bzero(input, len);
	int r = json_is_object(in) ? lookup(in)
	                           : fail("tusk-conninfo: expected a JSON object on stdin");
	json_decref(in);
	return r;
}
