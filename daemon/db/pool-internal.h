/* The pool's own files only: pool.c (registry, life), pool-lend.c
 * (waiters, growth, release), pool-open.c (secrets, tunnel, first
 * backend), pool-test.c (connections.test), pool-status.c (status,
 * janitor) and backend.c (one libpq connection's life). Every other module
 * uses pool.h. */
#pragma once

#include <event2/event.h>
#include <sys/queue.h>

#include "common/model-query.h"
#include "daemon/db/connparams.h"
#include "daemon/db/pool.h"

struct backend {
	struct pool *pool;
	PGconn *conn;
	enum backend_state state;
	TAILQ_ENTRY(backend) link; /* in pool->lists[state] */
	struct event *ev;          /* PQsocket; re-made when the socket changes */
	int fd;
	short watching;
	struct event *timer; /* connect timeout */
	uint64_t since_us;   /* entered the current state */
	uint64_t connect_started_us;
	int pid;
	bool checking; /* BUSY for a health check, not for a user */
	bool marked_broken;
	bool discard;   /* DISCARD ALL before the next user */
	bool settings;  /* a SET, PREPARE, … its context keeps (until DISCARD) */
	bool resolving; /* a worker holds it: backend_free leaves it to resolve_done */
	backend_io_fn io;
	void *io_ud;
	char *hostaddr; /* resolved on a worker */
};

TAILQ_HEAD(backend_list, backend);

struct pool_waiter {
	struct pool *pool;
	TAILQ_ENTRY(pool_waiter) link;
	pool_acquire_cb cb;
	void *ud;
	struct event *timer;
	struct backend *granted; /* set when handed a backend, delivered next turn */
	bool queued;
};

TAILQ_HEAD(waiter_list, pool_waiter);

struct open_request {
	pool_open_cb cb;
	void *ud;
	struct open_request *next;
};

struct pool {
	struct db *db; /* the instance it belongs to */
	char id[40];
	char *name;
	char *display;
	char *identity; /* transient pools: reuse key */
	char *raw_key;
	char *agent_sock;
	/* SSH_AUTH_SOCK of the client that opened it */ /* transient pools: conninfo and env as
	                                                    first given */
	bool transient;
	bool ephemeral;  /* connections.test: not registered, emits nothing */
	bool registered; /* in the list of pools */
	bool closing;
	bool opened;        /* a first backend connected */
	bool password_lost; /* saved as in the keyring, but the keyring had none */
	struct connparams *params;
	char *key_passphrase;             /* SSL client key, from the keyring */
	TuskConnectionConfig *tunnel_cfg; /* saved connections with ssh_tunnel.enabled */
	unsigned tunnel_rebuilds_told; /* the tunnel's rebuilds at the last connection.connected */
	char *typed_ssh_secret; /* connections.test: the SSH secret typed, not the keyring's */
	bool unsaved;           /* connections.test of a config not saved: its id is made up */
	TuskConnectionStatus status;
	struct backend_list lists[_BACKEND_STATE_MAX];
	unsigned counts[_BACKEND_STATE_MAX];
	struct waiter_list waiters;
	unsigned nwaiters;
	struct open_request *openers;
	char *server_version;
	json_t *tls;
	TuskError last_error;
	unsigned failures;
	uint64_t last_fail_us;
	struct event *retry_timer; /* the next connect attempt after a backoff */
	uint64_t opened_at_us;
	struct pool *next;
	int refs;
	struct meta_cache *meta;
	void *attachments[_POOL_SLOT_MAX];
	void (*attachment_free[_POOL_SLOT_MAX])(
	    void *); /* column descriptions (db/meta.h), made on first use */
};

/* backend.c */
struct backend *backend_new(struct pool *p);
void backend_free(struct backend *b);
void backend_connect(struct backend *b);
void backend_set_state(struct backend *b, enum backend_state st);
void backend_health_check(struct backend *b);

static inline unsigned pool_live(const struct pool *p)
{
	return p->counts[BACKEND_IDLE] + p->counts[BACKEND_BUSY] + p->counts[BACKEND_PINNED];
}

static inline unsigned pool_total(const struct pool *p)
{
	return pool_live(p) + p->counts[BACKEND_CONNECTING];
}

/* pool.c: the registry and a pool's life */
struct pool *pool_new(struct db *db, const char *id, const char *name, struct connparams *params);
void pool_register(struct pool *p);
/* The registered pools: NULL gives the first, then the one after p. */
struct pool *pool_next_registered(struct db *db, struct pool *p);
void pool_add_opener(struct pool *p, pool_open_cb cb, void *ud);
void pool_answer_openers(struct pool *p, const TuskError *e);
void pool_set_status(struct pool *p, TuskConnectionStatus st);
const char *pool_status_name(const struct pool *p);
/* An event of p (connection.*) to the sink; extra merged, stolen. */
void pool_emit(const char *event, struct pool *p, json_t *extra);
void pool_opened_hook(struct pool *p);

/* pool-lend.c: waiters and growth; called by backend.c */
void pool_dispatch(struct pool *p);
void pool_fail_waiters(struct pool *p, const TuskError *e);
void pool_start_backend(struct pool *p);
void pool_backend_connected(struct backend *b);
void pool_backend_failed(struct backend *b, const TuskError *e);
void pool_backend_lost(struct backend *b);

/* pool-open.c */
void pool_begin_connect(struct pool *p);
void pool_keep_tunnel_config(struct pool *p, const TuskConnectionConfig *cfg);
/* The password and key passphrase of a saved connection, then the tunnel
 * and the first backend. */
void pool_fetch_secrets(struct pool *p, const TuskConnectionConfig *cfg);
