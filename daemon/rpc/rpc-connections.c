/* connections.list, get, save, delete, import: saved connections. Reads
 * and small writes of tusk.db run on the loop; keyring calls and import's
 * parsing (which may spawn the service-file helper) run on workers.
 * connections.test is in rpc-connection.c with the pools. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "daemon/db/conninfo.h"
#include "daemon/db/pool.h"
#include "daemon/keyring.h"
#include "daemon/rpc.h"
#include "daemon/rpc/changes.h"
#include "daemon/session.h"
#include "daemon/storage/connections.h"
#include "daemon/storage/groups.h"
#include "daemon/tuskd.h"
#include "daemon/worker/worker.h"
#include "protocol/jsonrpc.h"

static enum rpc_ret oom(TuskError *e)
{
	tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return RPC_ERROR;
}

/* ---- list / get ---------------------------------------------------------- */

enum rpc_ret method_connections_list(struct rpc_request *req, TuskError *e)
{
	_cleanup_(connection_list_freep) ConnectionList *l = NULL;
	if (connections_list(tuskd.storage, &l, NULL, e) < 0)
		return RPC_ERROR;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < l->n; i++)
		if (json_array_append_new(arr, tusk_connection_config_to_json(l->items[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	req->result = arr ? json_pack("{s:o}", "connections", arr) : NULL;
	return req->result ? RPC_OK : oom(e);
}

enum rpc_ret method_connections_get(struct rpc_request *req, TuskError *e)
{
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	const char *id;
	if (tusk_param_string(req->params, "id", true, &id, e) < 0 ||
	    connections_get(tuskd.storage, id, &c, e) < 0)
		return RPC_ERROR;
	req->result = tusk_connection_config_to_json(c);
	return req->result ? RPC_OK : oom(e);
}

/* ---- save ---------------------------------------------------------------- */

/* Whether a live pool made from old would connect differently with new:
 * name, colour, group and the keyring flag do not matter to it. */
static bool connects_differently(const TuskConnectionConfig *old, const TuskConnectionConfig *new)
{
	static const char *const cosmetic[] = {"name", "color", "group_id", "password_in_keyring"};
	_cleanup_json_ json_t *a = tusk_connection_config_to_json(old);
	_cleanup_json_ json_t *b = tusk_connection_config_to_json(new);
	if (!a || !b)
		return true;
	for (size_t i = 0; i < sizeof(cosmetic) / sizeof(*cosmetic); i++) {
		json_object_del(a, cosmetic[i]);
		json_object_del(b, cosmetic[i]);
	}
	return !json_equal(a, b);
}

enum rpc_ret method_connections_save(struct rpc_request *req, TuskError *e)
{
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL, *old = NULL;
	json_t *obj;
	if (tusk_param_value(req->params, "config", true, &obj, e) < 0 ||
	    tusk_connection_config_from_json(obj, &c, e) < 0)
		return RPC_ERROR;
	if (connections_get(tuskd.storage, c->id, &old, NULL) < 0)
		old = NULL;
	bool created = false;
	if (connections_save(tuskd.storage, c, &created, e) < 0)
		return RPC_ERROR;
	changes_connection(req->client, created ? "created" : "updated", c->id, c->name);
	/* The next use of an open pool should get the new settings. */
	if (old && connects_differently(old, c))
		pool_forget(tuskd.db, c->id);
	req->result = tusk_connection_config_to_json(c);
	return req->result ? RPC_OK : oom(e);
}

/* ---- delete -------------------------------------------------------------- */

struct delete_job {
	struct rpc_request *req;
	char id[TUSK_UUID_STRLEN + 1];
	char *name;
};

/* The secrets are gone; now the row and the pool. */
static void delete_secrets_done(int r, char *secret, bool in_memory, const TuskError *ke, void *ud)
{
	struct delete_job *j = ud;
	TuskError e = TUSK_ERROR_INIT;

	if (r < 0) {
		tusk_error_copy(&e, ke);
		tusk_error_set_hint(&e, "Nothing was deleted; try again when the keyring answers.");
		rpc_reply_error(j->req, &e);
	} else if (connections_delete(tuskd.storage, j->id, NULL, &e) < 0) {
		rpc_reply_error(j->req, &e);
	} else {
		pool_forget(tuskd.db, j->id);
		session_forget(j->id);
		changes_connection(j->req->client, "deleted", j->id, j->name);
		rpc_reply_result(j->req, json_pack("{s:b, s:s}", "deleted", 1, "id", j->id));
	}
	tusk_error_clear(&e);
	free(j->name);
	free(j);
}

/* Secrets first: if the keyring fails, the connection stays and can be
 * deleted again later, rather than leaving secrets nothing points to. */
enum rpc_ret method_connections_delete(struct rpc_request *req, TuskError *e)
{
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	const char *id;
	if (tusk_param_string(req->params, "id", true, &id, e) < 0 ||
	    connections_get(tuskd.storage, id, &c, e) < 0)
		return RPC_ERROR;
	struct delete_job *j = calloc(1, sizeof(*j));
	if (!j)
		return oom(e);
	j->req = req;
	memcpy(j->id, c->id, sizeof(j->id));
	j->name = strdup(c->name);
	int r = keyring_delete_all(j->id, delete_secrets_done, j);
	if (r < 0) {
		free(j->name);
		free(j);
		tusk_error_set(e, TUSK_ERR_KEYRING, "cannot delete the connection's secrets: %s",
		               strerror(-r));
		return RPC_ERROR;
	}
	return RPC_WAIT;
}

/* ---- import -------------------------------------------------------------- */

struct import_job {
	struct rpc_request *req;
	/* request, read on the worker */
	char *source; /* may hold a password: erased */
	char *service;
	json_t *env; /* a private copy: jansson's counts are not thread-safe */
	/* request, applied on the loop */
	const char *name, *group_id, *color; /* borrowed from req->params */
	bool save, readonly, has_readonly;
	/* outcome */
	ConninfoImport *imp;
	TuskError e;
	bool password_found, in_memory;
	json_t *extra_warnings;
};

static void import_job_free(struct import_job *j)
{
	erase_and_freep(&j->source);
	free(j->service);
	json_decref(j->env);
	conninfo_import_free(j->imp);
	tusk_error_clear(&j->e);
	json_decref(j->extra_warnings);
	free(j);
}

static void import_work(void *arg)
{
	struct import_job *j = arg;
	conninfo_import(j->source, j->service, j->env, &j->imp, &j->e);
}

static json_t *import_result(struct import_job *j, const TuskConnectionConfig *c, bool saved)
{
	json_t *warnings = json_copy(j->imp->warnings);
	if (warnings)
		json_array_extend(warnings, j->extra_warnings);
	return json_pack("{s:o, s:b, s:b, s:b, s:O, s:o}", "config",
	                 tusk_connection_config_to_json(c), "saved", saved, "password_found",
	                 j->password_found, "password_in_memory", j->in_memory, "ignored",
	                 j->imp->ignored, "warnings", warnings);
}

static void import_finish(struct import_job *j, const TuskConnectionConfig *c, bool saved)
{
	json_t *result = import_result(j, c, saved);
	if (result) {
		rpc_reply_result(j->req, result);
	} else {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		rpc_reply_error(j->req, &e);
		tusk_error_clear(&e);
	}
	import_job_free(j);
}

static void import_fail(struct import_job *j, TuskError *e)
{
	rpc_reply_error(j->req, e);
	import_job_free(j);
}

static void add_warning(struct import_job *j, const char *text, const TuskError *why)
{
	char *s = NULL;
	if (asprintf(&s, "%s: %s", text, why ? tusk_error_message(why) : "unknown error") >= 0)
		json_array_append_new(j->extra_warnings, json_string(s));
	free(s);
}

/* The password is in the keyring (or not): mark the saved config. */
static void import_stored(int r, char *secret, bool in_memory, const TuskError *ke, void *ud)
{
	struct import_job *j = ud;
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	TuskError e = TUSK_ERROR_INIT;

	if (r < 0) {
		add_warning(j, "the password was not stored", ke);
		import_finish(j, j->imp->config, true);
		return;
	}
	/* Re-read: the connection may have been edited or deleted while the
	 * keyring worked, and neither must be undone here. */
	if (connections_get(tuskd.storage, j->imp->config->id, &c, &e) < 0) {
		if (e.kind == TUSK_ERR_CONNECTION_NOT_FOUND)
			keyring_delete_all(j->imp->config->id, NULL, NULL);
		import_fail(j, &e);
		tusk_error_clear(&e);
		return;
	}
	c->password_in_keyring = true;
	if (connections_save(tuskd.storage, c, NULL, &e) < 0) {
		import_fail(j, &e);
		tusk_error_clear(&e);
		return;
	}
	changes_connection(j->req->client, "updated", c->id, c->name);
	j->in_memory = in_memory;
	import_finish(j, c, true);
}

static int apply_request(struct import_job *j, TuskError *e)
{
	TuskConnectionConfig *c = j->imp->config;
	char **fields[] = {&c->name, &c->group_id, &c->color};
	const char *values[] = {j->name, j->group_id, j->color};
	for (size_t i = 0; i < 3; i++) {
		if (!values[i])
			continue;
		char *copy = strdup(values[i]);
		if (!copy)
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		free(*fields[i]);
		*fields[i] = copy;
	}
	if (j->has_readonly)
		c->options.readonly = j->readonly;
	return tusk_connection_config_validate(c, e);
}

/* The source held a password: wipe it from the request too, which lives
 * until the reply is sent. */
static void erase_source_param(struct rpc_request *req)
{
	json_t *s = json_object_get(req->params, "source");
	if (json_is_string(s))
		explicit_bzero((char *)json_string_value(s), json_string_length(s));
}

static void import_done(void *arg)
{
	struct import_job *j = arg;
	TuskError e = TUSK_ERROR_INIT;
	bool created = false;

	if (j->e.kind != TUSK_ERR_NONE) {
		import_fail(j, &j->e);
		return;
	}
	j->password_found = j->imp->password != NULL;
	if (j->password_found)
		erase_source_param(j->req);
	if (apply_request(j, &e) < 0 ||
	    (j->save && connections_save(tuskd.storage, j->imp->config, &created, &e) < 0)) {
		import_fail(j, &e);
		tusk_error_clear(&e);
		return;
	}
	if (j->save)
		changes_connection(j->req->client, created ? "created" : "updated",
		                   j->imp->config->id, j->imp->config->name);
	if (!j->save || !j->password_found) {
		import_finish(j, j->imp->config, j->save);
		return;
	}
	int r =
	    keyring_store(SECRET_PASSWORD, j->imp->config->id, j->imp->password, import_stored, j);
	erase_and_freep(&j->imp->password);
	j->imp->password = NULL;
	if (r < 0) {
		tusk_error_set(&e, TUSK_ERR_KEYRING, "%s", strerror(-r));
		add_warning(j, "the password was not stored", &e);
		tusk_error_clear(&e);
		import_finish(j, j->imp->config, true);
	}
}

static int import_params(struct rpc_request *req, struct import_job *j, TuskError *e)
{
	json_t *source, *env = NULL;
	if (tusk_param_value(req->params, "source", true, &source, e) < 0 ||
	    tusk_param_string(req->params, "name", false, &j->name, e) < 0 ||
	    tusk_param_string(req->params, "group_id", false, &j->group_id, e) < 0 ||
	    tusk_param_string(req->params, "color", false, &j->color, e) < 0 ||
	    tusk_param_value(req->params, "env", false, &env, e) < 0)
		return -1;
	j->save = true;
	if (tusk_param_bool(req->params, "save", false, &j->save, e) < 0)
		return -1;
	int r = tusk_param_bool(req->params, "readonly", false, &j->readonly, e);
	if (r < 0)
		return -1;
	j->has_readonly = r == 0;
	const char *service = NULL;
	if (json_is_string(source))
		j->source = strdup(json_string_value(source));
	else if (tusk_param_string(source, "service", true, &service, e) < 0)
		return -1;
	else
		j->service = strdup(service);
	if (!j->source && !j->service)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");

	const char *key;
	json_t *v;
	json_object_foreach(env, key, v)
	{
		if (!json_is_string(v))
			return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
			                      "params.env.%s: expected string", key);
	}
	if (env && !(j->env = json_deep_copy(env)))
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	return 0;
}

enum rpc_ret method_connections_import(struct rpc_request *req, TuskError *e)
{
	struct import_job *j = calloc(1, sizeof(*j));
	if (!j || !(j->extra_warnings = json_array())) {
		free(j);
		return oom(e);
	}
	j->req = req;
	if (import_params(req, j, e) < 0)
		goto fail;
	/* Checked now so a bad group fails before any work. */
	if (j->group_id) {
		int r =
		    tusk_uuid_valid(j->group_id) ? groups_exists(tuskd.storage, j->group_id, e) : 0;
		if (r < 0)
			goto fail;
		if (r == 0) {
			tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "group_id: no such group");
			goto fail;
		}
	}
	if (worker_submit(tuskd.workers, import_work, import_done, j) < 0) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "the daemon is stopping");
		goto fail;
	}
	return RPC_WAIT;
fail:
	import_job_free(j);
	return RPC_ERROR;
}
