/* Connection pools: one per open connection, keyed by its id (a saved
 * connection's uuid, or a fresh one for a transient connection). Backends
 * are libpq connections driven non-blocking from the loop; name resolution,
 * file checks and keyring look-ups happen on workers first. */
#pragma once

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/model-connection.h"

struct db;
struct pool;
struct backend;
struct pool_waiter;

/* A backend's state is the list it sits on; backend_set_state is the one
 * place that changes it and aborts on a transition that cannot happen. */
enum backend_state {
	BACKEND_CONNECTING,
	BACKEND_IDLE,
	BACKEND_BUSY,
	BACKEND_PINNED, /* inside a transaction, reserved for one context */
	BACKEND_BROKEN,
	_BACKEND_STATE_MAX,
};

const char *backend_state_name(enum backend_state st);

/* ---- opening ------------------------------------------------------------ */

/* Called once with the pool (now connected: one backend tested) or with the
 * error that stopped it. */
typedef void (*pool_open_cb)(struct pool *p, const TuskError *e, void *ud);

/* Open the pool for a saved connection (config copied). Opening an already
 * open pool answers at once with it. */
void pool_open_saved(struct db *db, const TuskConnectionConfig *cfg, pool_open_cb cb, void *ud);
/* The same, with the opening client's environment: its SSH_AUTH_SOCK serves
 * a tunnel with agent auth when the daemon has no agent of its own. */
void pool_open_saved_env(struct db *db, const TuskConnectionConfig *cfg, const json_t *env,
                         pool_open_cb cb, void *ud);
/* Open a transient pool from a URI / conninfo string and the asking
 * client's PG* environment (env: object of name → string, or NULL). The
 * same conninfo and env reuse the same pool. Returns -1 with e set for
 * input libpq cannot parse; otherwise the result comes through cb. */
int pool_open_transient(struct db *db, const char *conninfo, const json_t *env, pool_open_cb cb,
                        void *ud, TuskError *e);
/* Connect one backend with cfg / conninfo without keeping a pool
 * (connections.test). cb gets a description object (server version, TLS,
 * time taken) or an error. */
typedef void (*pool_test_cb)(json_t *result, const TuskError *e, void *ud);
/* connections.test of a saved connection or a config. */
struct pool_test_opts {
	/* Typed for this test (copied), or NULL for the keyring's: password,
	 * ssh_secret (the SSH password or key passphrase, by the tunnel's
	 * auth), ssl_passphrase (the TLS client key's, given to this test's own
	 * connection only). */
	const char *password, *ssh_secret, *ssl_passphrase;
	/* A config not saved: its id is made up, so an unknown SSH host key
	 * it meets is remembered by server only (ssh.trust_host_key by host). */
	bool unsaved;
};
void pool_test_saved(struct db *db, const TuskConnectionConfig *cfg, const struct pool_test_opts *o,
                     pool_test_cb cb, void *ud);
int pool_test_transient(struct db *db, const char *conninfo, const json_t *env, pool_test_cb cb,
                        void *ud, TuskError *e);

/* The db instance p belongs to. */
struct db *pool_db(const struct pool *p);
struct pool *pool_find(struct db *db, const char *connection_id);
const char *pool_id(const struct pool *p);
bool pool_transient(const struct pool *p); /* opened from a URI / conninfo */
bool pool_closing(const struct pool *p);
/* For logs: user@host:port/db (never a password), else the id. */
const char *pool_display(const struct pool *p);
/* The name a person gave a saved connection, else pool_display. */
const char *pool_label(const struct pool *p);
/* Keep p alive across an asynchronous step (it is freed at the last
 * unref, closed or not). */
struct pool *pool_ref(struct pool *p);
void pool_unref(struct pool *p);
/* The database the pool connects to (dbname, else the user name), or NULL. */
const char *pool_database(const struct pool *p);
/* Close: idle backends now, busy ones when released; the pool disappears
 * from pool_find at once. */
void pool_close(struct pool *p, const char *reason);
/* connections.delete / edits: close the pool of that id if one is open. */
void pool_forget(struct db *db, const char *connection_id);
void pool_close_all(struct db *db);
/* Pools not yet freed, closing ones included (a stopping daemon waits for
 * their busy backends). */
unsigned pool_alive_count(struct db *db);

/* connection.status: see protocol/schema.d/connection.json. New reference. */
json_t *pool_status_json(struct pool *p);
/* Every open pool's status, for daemon.status. */
json_t *pool_list_json(struct db *db);

/* ---- using backends (the query engine) ---------------------------------- */

typedef void (*pool_acquire_cb)(struct backend *b, const TuskError *e, void *ud);

/* Hand out an idle backend (FIFO), grow up to pool.max_size, or wait up to
 * pool.acquire_timeout_ms (then TUSK_ERR_POOL_TIMEOUT, or the last connect
 * error when backends could not be made). cb always runs from the loop,
 * never inside this call. Returns a handle to cancel the wait. */
struct pool_waiter *pool_acquire(struct pool *p, pool_acquire_cb cb, void *ud);
void pool_acquire_cancel(struct pool_waiter *w);
/* Whether pool_acquire would be served at once: an idle backend no earlier
 * waiter takes, or room to connect one more. */
bool pool_can_lend(const struct pool *p);
/* Give a BUSY backend back: clean and idle → IDLE; inside a transaction →
 * ROLLBACK first; bad → BROKEN and replaced. */
void pool_release(struct backend *b);
/* Keep a BUSY backend for its context (in a transaction) / take it again. */
void pool_pin(struct backend *b);
void pool_unpin(struct backend *b); /* PINNED → BUSY */

/* The pool's cache of column descriptions (db/meta.h); lives as long as
 * the pool. NULL only when out of memory. */
struct meta_cache *pool_meta(struct pool *p);

PGconn *backend_conn(struct backend *b);
int backend_pid(const struct backend *b);
enum backend_state backend_state(const struct backend *b);
/* While BUSY the user drives the socket: fn runs on EV_READ / EV_WRITE as
 * asked with backend_watch. NULL fn restores the pool's idle watcher. */
typedef void (*backend_io_fn)(struct backend *b, short what, void *ud);
void backend_set_io(struct backend *b, backend_io_fn fn, void *ud);
void backend_watch(struct backend *b, short what);
/* Run the backend's I/O callback soon, as if the socket were readable:
 * libpq may already hold the answer the caller waits for. */
void backend_kick(struct backend *b);
/* For the user of a BUSY backend, on an I/O event: send what libpq holds
 * on EV_WRITE (watching for writability again while it must), read what
 * arrived on EV_READ. -1 when the connection broke; after 0, PQisBusy
 * says whether a result can be taken. */
int backend_pump(struct backend *b, short what);
/* The user saw the connection die (PQstatus bad): mark it; pool_release
 * then drops it. */
void backend_mark_broken(struct backend *b);
/* The user changed session state: reset it before anyone else uses b. */
void backend_mark_dirty(struct backend *b);
/* … with a statement that sets something for the session's next
 * statements (SET, RESET, PREPARE, DECLARE … WITH HOLD, LOAD): a named
 * context keeps b, as one psql session keeps it. Marks it dirty too. */
void backend_mark_settings(struct backend *b);
bool backend_has_settings(const struct backend *b);
/* The user ran DISCARD ALL: the session is a fresh one again. */
void backend_mark_clean(struct backend *b);
/* The notice receiver of a backend no query owns. */
void backend_idle_notice(void *arg, const PGresult *res);

/* Periodic work (health checks); called by the daemon's janitor timer. */
void pool_janitor(struct db *db);

/* ---- for other modules ---------------------------------------------------- */

/* Per-pool data other modules keep (the schema cache, an SSH tunnel): held
 * until the pool is freed, then released with free_fn. */
enum pool_slot {
	POOL_SLOT_SCHEMA,
	POOL_SLOT_TUNNEL,
	POOL_SLOT_LISTENER,
	_POOL_SLOT_MAX,
};
void *pool_attachment(struct pool *p, enum pool_slot slot);
void pool_set_attachment(struct pool *p, enum pool_slot slot, void *data,
                         void (*free_fn)(void *data));
/* Called after a query that ran DDL (a CREATE / ALTER / DROP / COMMENT /
 * GRANT … command tag) finished on p, with its SQL. */
void pool_set_ddl_hook(struct db *db, void (*fn)(struct pool *p, const char *sql));
void pool_ran_ddl(struct pool *p, const char *sql);
/* Called when a pool connects its first backend (opened). */
void pool_set_open_hook(struct db *db, void (*fn)(struct pool *p));
