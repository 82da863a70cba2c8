/* credentials.set, credentials.delete, credentials.has: a connection's
 * secrets in the keyring (keyring.c). Whether a saved connection has that
 * id is not checked: a transient connection may have secrets too. Replies
 * never carry the secret, and the copy jansson parsed is erased as soon as
 * it has been handed to the keyring. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/uuid.h"
#include "daemon/keyring.h"
#include "daemon/rpc.h"
#include "daemon/rpc/changes.h"
#include "daemon/storage/connections.h"
#include "daemon/tuskd.h"
#include "protocol/jsonrpc.h"

/* connection_id and kind (kind_default when absent; -1 when absent and
 * absence is allowed as "every kind"). */
static int read_target(struct rpc_request *req, int kind_default, const char **ret_id,
                       int *ret_kind, TuskError *e)
{
	const char *id = NULL, *kind_name = NULL;
	if (tusk_param_string(req->params, "connection_id", true, &id, e) < 0)
		return -1;
	if (!tusk_uuid_valid(id))
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      "params.connection_id: not a UUID (8-4-4-4-12 hex digits)");
	int r = tusk_param_string(req->params, "kind", false, &kind_name, e);
	if (r < 0)
		return -1;
	int kind = r == 1 ? kind_default : secret_kind_from_name(kind_name);
	if (r == 0 && kind < 0)
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      "params.kind: not one of password, ssh_password, "
		                      "ssh_passphrase, ssl_passphrase");
	*ret_id = id;
	*ret_kind = kind;
	return 0;
}

static enum rpc_ret submitted(int r, TuskError *e)
{
	if (r == 0)
		return RPC_WAIT;
	if (r == -ESHUTDOWN)
		tusk_error_set(e, TUSK_ERR_INTERNAL, "the daemon is stopping");
	else
		tusk_error_set(e, TUSK_ERR_INTERNAL, "cannot start the keyring call: %s",
		               strerror(-r));
	return RPC_ERROR;
}

static json_t *state_json(void)
{
	return json_string(keyring_state_name(keyring_state()));
}

/* One truth for "a password is stored": a saved connection's
 * password_in_keyring follows every credentials.set and .delete of its
 * password, so conn show says so and its pool looks the password up. */
static void mark_password(struct rpc_request *req, bool stored)
{
	const char *id = NULL, *kind = NULL;
	TuskError e = TUSK_ERROR_INIT;
	tusk_param_string(req->params, "connection_id", true, &id, &e);
	tusk_param_string(req->params, "kind", false, &kind, &e);
	_cleanup_connection_config_ TuskConnectionConfig *c = NULL;
	if (id && (!kind || strcmp(kind, "password") == 0) &&
	    connections_get(tuskd.storage, id, &c, &e) == 0 && c->password_in_keyring != stored) {
		c->password_in_keyring = stored;
		if (connections_save(tuskd.storage, c, NULL, &e) < 0)
			log_warn("keyring",
			         "connection %s: cannot record that its password is %s: %s", id,
			         stored ? "stored" : "gone", tusk_error_message(&e));
		else
			changes_connection(req->client, "updated", c->id, c->name);
	}
	tusk_error_clear(&e);
}

static void set_done(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct rpc_request *req = ud;
	if (r < 0) {
		rpc_reply_error(req, e);
		return;
	}
	mark_password(req, true);
	rpc_reply_result(req, json_pack("{s:b, s:b, s:o}", "stored", 1, "in_memory", in_memory,
	                                "keyring", state_json()));
}

/* Overwrite the secret's bytes in the parsed params: jansson frees them
 * without erasing, and params live until the reply is sent. */
static void erase_param(json_t *params, const char *name)
{
	json_t *v = json_object_get(params, name);
	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v), json_string_length(v));
}

enum rpc_ret method_credentials_set(struct rpc_request *req, TuskError *e)
{
	const char *id, *secret;
	int kind;
	if (read_target(req, SECRET_PASSWORD, &id, &kind, e) < 0 ||
	    tusk_param_string(req->params, "secret", true, &secret, e) < 0) {
		erase_param(req->params, "secret");
		return RPC_ERROR;
	}
	/* The schema asks for one character at least; a NUL inside would cut
	 * the secret short without anyone noticing. */
	if (strlen(secret) != json_string_length(json_object_get(req->params, "secret"))) {
		erase_param(req->params, "secret");
		return tusk_error_set(e, TUSK_ERR_INVALID_PARAMS,
		                      "params.secret: must not contain a NUL character"),
		       RPC_ERROR;
	}
	/* keyring_store copies the secret before returning. */
	int r = keyring_store((SecretKind)kind, id, secret, set_done, req);
	erase_param(req->params, "secret");
	return submitted(r, e);
}

static void delete_done(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct rpc_request *req = ud;
	if (r < 0) {
		rpc_reply_error(req, e);
		return;
	}
	mark_password(req, false);
	rpc_reply_result(req, json_pack("{s:b, s:b, s:o}", "deleted", 1, "in_memory", in_memory,
	                                "keyring", state_json()));
}

enum rpc_ret method_credentials_delete(struct rpc_request *req, TuskError *e)
{
	const char *id;
	int kind;
	if (read_target(req, -1, &id, &kind, e) < 0)
		return RPC_ERROR;
	int r = kind < 0 ? keyring_delete_all(id, delete_done, req)
	                 : keyring_delete((SecretKind)kind, id, delete_done, req);
	return submitted(r, e);
}

static void has_done(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct rpc_request *req = ud;
	if (r < 0 && e->kind != TUSK_ERR_CREDENTIAL_NOT_FOUND) {
		rpc_reply_error(req, e);
		return;
	}
	rpc_reply_result(req, json_pack("{s:b, s:b, s:o}", "present", r == 0, "in_memory",
	                                in_memory, "keyring", state_json()));
}

enum rpc_ret method_credentials_has(struct rpc_request *req, TuskError *e)
{
	const char *id;
	int kind;
	if (read_target(req, SECRET_PASSWORD, &id, &kind, e) < 0)
		return RPC_ERROR;
	return submitted(keyring_has((SecretKind)kind, id, has_done, req), e);
}
