#include "daemon/db/env.h"

#include <assert.h>

static struct db_env env;

void db_init(const struct db_env *e)
{
	env = *e;
}

const struct db_env *db_env(void)
{
	assert(env.base);
	return &env;
}

int db_secret_lookup(SecretKind kind, const char *connection_id, credential_cb cb, void *ud)
{
	if (!env.credentials.lookup)
		return -1;
	return env.credentials.lookup(env.credentials.ud, kind, connection_id, cb, ud);
}

void db_emit(const char *method, json_t *params)
{
	if (env.sink.event)
		env.sink.event(env.sink.ud, method, params);
	else
		json_decref(params);
}
