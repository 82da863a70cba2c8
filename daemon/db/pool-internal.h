/* Shared by pool.c (pools, waiters, status) and backend.c (one libpq
 * connection's life). */
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

/* pool.c, called by backend.c */
void pool_backend_connected(struct backend *b);
void pool_backend_failed(struct backend *b, const TuskError *e);
void pool_backend_lost(struct backend *b);
void pool_emit(const char *event, struct pool *p, json_t *extra);
struct pool *pool_ref(struct pool *p);
void pool_unref(struct pool *p);
