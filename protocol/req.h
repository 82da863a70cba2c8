/* Request builders: the one place that spells each method's params.
 * tuskctl and the GTK window build every request here, then send it under
 * the method's generated name (TUSK_M_QUERY_EXECUTE …, protocol/tusk-names.h).
 *
 * Each builder returns a new params object. Strings are copied; a NULL
 * string, a false bool or a zero number leaves an optional member out
 * unless said otherwise; json_t arguments are stolen. test-protocol-req
 * validates every builder's output against the protocol schema, so a
 * renamed or retyped member fails there, not at a user. One file per
 * method family: req-daemon.c, req-connections.c, req-query.c,
 * req-schema.c, req-state.c. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "protocol/tusk-names.h"

/* ---- daemon.*, settings.*, events.* (req-daemon.c) ---------------------- */
json_t *tusk_req_daemon_hello(const char *client, int protocol_version);
/* settings.get, settings.reset */
json_t *tusk_req_settings_key(const char *key);
json_t *tusk_req_settings_set(const char *key, json_t *value);
/* events.subscribe, events.unsubscribe: topics is an array of names. */
json_t *tusk_req_events_topics(json_t *topics);
json_t *tusk_req_events_topic(const char *topic);

/* ---- connection.*, connections.*, credentials.*, ssh.* (req-connections.c) */
/* A saved connection by id or name: connections.get, connections.delete,
 * connection.open, connection.close, connection.status, connections.test.
 * env (stolen, may be NULL): the client's environment for connection.open
 * (e.g. SSH_AUTH_SOCK for a tunnel with agent auth). */
json_t *tusk_req_connection_id(const char *id, json_t *env);
/* A transient connection by URI or conninfo with the client's PG*
 * environment (stolen, may be NULL): connection.open, connections.test. */
json_t *tusk_req_connection_conninfo(const char *conninfo, json_t *env);
json_t *tusk_req_connections_save(json_t *config);
/* connections.test of an unsaved configuration (stolen). */
/* password, ssh_secret, ssl_passphrase (the TLS client key's): typed, used
 * for this test only; NULL or "" for the keyring's. */
json_t *tusk_req_connections_test_config(json_t *config, const char *password,
                                         const char *ssh_secret, const char *ssl_passphrase);

typedef struct {
	const char *source;  /* a URI or conninfo string, or */
	const char *service; /* a pg_service.conf service name */
	json_t *env;         /* stolen; may be NULL */
	bool dry_run;        /* save: false */
	const char *name;
	const char *color;
	bool readonly;
	json_t *group_id; /* stolen; may be NULL */
} TuskReqConnectionsImport;
json_t *tusk_req_connections_import(const TuskReqConnectionsImport *a);

/* kind NULL: the schema's default (password). */
json_t *tusk_req_credentials_set(const char *connection_id, const char *kind, const char *secret);
/* Erase the text of the secrets a request's params may carry (secret of
 * credentials.set, password and ssh_secret of connections.test): hold a
 * reference across the call, then scrub, then drop it. */
void tusk_req_scrub_secret(json_t *params);
/* credentials.delete, credentials.has */
json_t *tusk_req_credentials_target(const char *connection_id, const char *kind);
json_t *tusk_req_ssh_trust_host_key(const char *connection_id, const char *fingerprint);
/* ssh.trust_host_key by the SSH server an unsaved config's test reached */
json_t *tusk_req_ssh_trust_host_key_at(const char *ssh_host, int ssh_port, const char *fingerprint);

/* ---- query.* (req-query.c) ---------------------------------------------- */
typedef struct {
	const char *connection_id; /* a saved connection, or */
	const char *conninfo;      /* a transient one ("" for the PG* defaults) */
	json_t *env;               /* stolen; may be NULL */
	const char *sql;
	json_t *params;      /* stolen; may be NULL: $1… values */
	const char *context; /* a named context (a session, an editor tab) */
	bool store;          /* mode "store": rows kept in the daemon */
	const char *render;  /* "csv" / "tsv": rows rendered by the daemon */
	const char *query_id;
	long long timeout_ms;
	long long max_rows;
	long long batch_rows;
	bool typed;
	bool inline_reply; /* inline: a small result comes in the reply */
	bool hold_session; /* the context keeps its backend (and SETs) after it */
	bool no_history;   /* history: false, not recorded */
} TuskReqQueryExecute;
json_t *tusk_req_query_execute(const TuskReqQueryExecute *a);
/* query.cancel, query.close, query.copy_end */
json_t *tusk_req_query_id(const char *query_id);
/* query.copy_data with the bytes as base64 text (tuskctl frames its
 * chunks itself, the same members, to skip a copy of each). */
json_t *tusk_req_query_copy_data(const char *query_id, const char *base64);
json_t *tusk_req_query_copy_fail(const char *query_id, const char *message);
/* context.release: a named context lets its backend go; keep_transaction:
 * rollback false (one inside a transaction stays). */
json_t *tusk_req_context_release(const char *connection_id, const char *context,
                                 bool keep_transaction);

typedef struct {
	const char *query_id;
	long long result_index;
	long long offset;
	long long limit; /* 0: the daemon's default */
	bool typed;
} TuskReqQueryFetch;
json_t *tusk_req_query_fetch(const TuskReqQueryFetch *a);
json_t *tusk_req_query_export(const char *query_id, long long result_index, const char *format,
                              const char *path, const char *export_id);
json_t *tusk_req_query_export_cancel(const char *export_id);

/* ---- schema.* (req-schema.c) -------------------------------------------- */
typedef struct {
	const char *connection_id;
	const char *schema;
	const char *kind;
	const char *pattern;
	bool include_system;
	long long offset;
} TuskReqSchemaGet;
json_t *tusk_req_schema_get(const TuskReqSchemaGet *a);
json_t *tusk_req_schema_refresh(const char *connection_id, const char *schema);
json_t *tusk_req_schema_describe(const char *connection_id, const char *object, const char *kind);
/* cursor < 0 and limit 0 leave them out. */
json_t *tusk_req_schema_complete(const char *connection_id, const char *prefix, const char *context,
                                 long long cursor, long long limit);

/* ---- groups.*, history.*, workspace.*, notify.* (req-state.c) ----------- */
json_t *tusk_req_groups_save(json_t *group);
/* A new group object for groups.save; color NULL for none, parent_id
 * (stolen) NULL for a top-level group. */
json_t *tusk_req_group_new(const char *name, long long sort_order, const char *color,
                           json_t *parent_id);
json_t *tusk_req_groups_delete(const char *id);

typedef struct {
	const char *connection_id;
	const char *search;
	const char *status;
	const char *stop_reason;
	long long limit; /* 0: the daemon's default */
	long long offset;
} TuskReqHistoryList;
json_t *tusk_req_history_list(const TuskReqHistoryList *a);
json_t *tusk_req_history_delete(const char *id);
json_t *tusk_req_history_clear(const char *connection_id);

json_t *tusk_req_workspace_get(const char *workspace);
json_t *tusk_req_workspace_save(const char *workspace, json_t *tabs, long long revision,
                                bool force);
/* notify.listen, notify.unlisten */
json_t *tusk_req_notify_channel(const char *connection_id, const char *channel);
