/* libFuzzer target: connection import (daemon/db/conninfo*.c,
 * connparams.c): URIs and conninfo strings read by libpq, and
 * pg_service.conf text read by the tusk-conninfo helper. Byte 0 picks the
 * mode. An imported config must validate and survive a JSON round trip;
 * a password libpq finds in the input must not appear in the config, the
 * warnings, the ignored keywords, an error message or a display string. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model-connection.h"
#include "daemon/db/conninfo.h"
#include "daemon/db/connparams.h"
#include "tests/fuzz/fuzz-daemon.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *input, const char *detail)
{
	fprintf(stderr, "fuzz-conninfo: %s\ninput: %s\ndetail: %s\n", what, input,
	        detail ? detail : "");
	abort();
}

/* The password libpq reads from text, when it is one that can be looked
 * for: at least 6 bytes, in no other keyword's value, written once. */
static char *findable_password(const char *text)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(text, &err);
	PQfreemem(err);
	if (!opts)
		return NULL;
	char *pw = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && strlen(o->val) >= 6)
			pw = strdup(o->val);
	for (PQconninfoOption *o = opts; pw && o->keyword; o++)
		if (strcmp(o->keyword, "password") != 0 && o->val && strstr(o->val, pw)) {
			free(pw);
			pw = NULL;
		}
	PQconninfoFree(opts);
	/* Written once in the input, so that no other value (or two joined
	 * in a display string) can hold it. */
	const char *first = pw ? strstr(text, pw) : NULL;
	if (first && strstr(first + 1, pw)) {
		free(pw);
		pw = NULL;
	}
	return pw;
}

static void no_password(const char *pw, const json_t *v, const char *input, const char *what)
{
	if (!pw || !v)
		return;
	char *s = json_dumps(v, JSON_ENCODE_ANY);
	/* JSON escaping could hide it; the raw strings are what matter. */
	if (s && strstr(s, pw))
		fail(what, input, s);
	free(s);
}

static void check_import(const char *input, const char *pw, ConninfoImport *imp)
{
	TuskError e = TUSK_ERROR_INIT;
	if (!imp->config || tusk_connection_config_validate(imp->config, &e) < 0)
		fail("an imported config that does not validate", input, tusk_error_message(&e));
	json_t *j = tusk_connection_config_to_json(imp->config);
	if (!j)
		fail("an imported config without JSON", input, NULL);
	no_password(pw, j, input, "the password is in the imported config");
	no_password(pw, imp->warnings, input, "the password is in a warning");
	no_password(pw, imp->ignored, input, "the password is in the ignored keywords");
	TuskConnectionConfig *back = NULL;
	if (tusk_connection_config_from_json(j, &back, &e) < 0)
		fail("the config's JSON does not read back", input, tusk_error_message(&e));
	json_t *j2 = tusk_connection_config_to_json(back);
	if (!json_equal(j, j2))
		fail("the config's JSON changes in a round trip", input, json_dumps(j2, 0));
	json_decref(j);
	json_decref(j2);
	tusk_connection_config_free(back);
}

static void check_error(const char *input, const char *pw, TuskError *e)
{
	if (e->kind == TUSK_ERR_NONE)
		fail("a failure without an error", input, NULL);
	json_t *info = tusk_error_info_to_json(e);
	no_password(pw, info, input, "the password is in the error");
	json_decref(info);
	tusk_error_clear(e);
}

static void source(const char *text)
{
	char *pw = findable_password(text);
	ConninfoImport *imp = NULL;
	TuskError e = TUSK_ERROR_INIT;
	if (conninfo_import(text, NULL, NULL, &imp, &e) == 0)
		check_import(text, pw, imp);
	else
		check_error(text, pw, &e);
	conninfo_import_free(imp);

	json_t *env = json_pack("{s:s, s:s}", "PGUSER", "envuser", "PGAPPNAME", "envapp");
	struct connparams *p = connparams_from_conninfo(text, env, &e);
	if (p) {
		char *display = connparams_display(p);
		if (!display || (pw && strstr(display, pw)))
			fail("the display string holds the password (or is missing)", text,
			     display);
		free(display);
		free(connparams_identity(p));
		struct connparams *copy = connparams_copy(p);
		connparams_free(copy);
		connparams_free(p);
	} else {
		check_error(text, pw, &e);
	}
	json_decref(env);
	free(pw);
}

/* text is a service file; import its first section (or "s"). */
static void service(const char *text)
{
	static char *path;
	if (!path && asprintf(&path, "%s/pg_service.conf", fuzz_environment()) < 0)
		abort();
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	char name[64] = "s";
	const char *open = strchr(text, '[');
	const char *close = open ? strchr(open, ']') : NULL;
	if (close && close - open > 1 && close - open < (long)sizeof(name)) {
		memcpy(name, open + 1, (size_t)(close - open - 1));
		name[close - open - 1] = '\0';
	}
	json_t *env = json_pack("{s:s}", "PGSERVICEFILE", path);
	ConninfoImport *imp = NULL;
	TuskError e = TUSK_ERROR_INIT;
	if (conninfo_import(NULL, name, env, &imp, &e) == 0)
		check_import(text, NULL, imp);
	else if (e.kind == TUSK_ERR_NONE)
		fail("a failure without an error", text, NULL);
	tusk_error_clear(&e);
	conninfo_import_free(imp);
	json_decref(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_environment();
	char *text = fuzz_strndup(data + 1, size - 1);
	if (data[0] % 8 == 3) /* a process per input: fewer */
		service(text);
	else
		source(text);
	free(text);
	return 0;
}
