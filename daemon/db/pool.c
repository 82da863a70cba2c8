/* Pools: the registry of open connections, opening (secrets and file checks
 * first, then one tested backend), handing out backends to waiters in
 * order, growth, loss and recovery, closing, and status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/uuid.h"
#include "daemon/db/context.h"
#include "daemon/db/env.h"
#include "daemon/db/meta.h"
#include "daemon/db/pool-internal.h"
#include "daemon/db/tls.h"
#include "daemon/db/tunnel.h"
#include "daemon/storage/settings.h"
#include "daemon/worker/worker.h"
#include "protocol/tusk-names.h"

static struct pool *pools;
static unsigned pools_alive; /* made and not yet freed, closing ones too */

unsigned pool_alive_count(void)
{
	return pools_alive;
}
struct pool *pool_ref(struct pool *p)
{
	p->refs++;
	return p;
}

void pool_unref(struct pool *p)
{
	if (--p->refs > 0)
		return;
	connparams_free(p->params);
	tusk_connection_config_free(p->tunnel_cfg);
	if (p->key_passphrase) {
		explicit_bzero(p->key_passphrase, strlen(p->key_passphrase));
		free(p->key_passphrase);
	}
	if (p->identity) {
		explicit_bzero(p->identity, strlen(p->identity));
		free(p->identity);
	}
	if (p->raw_key) {
		explicit_bzero(p->raw_key, strlen(p->raw_key));
		free(p->raw_key);
	}
	free(p->agent_sock);
	free(p->name);
	free(p->display);
	free(p->server_version);
	json_decref(p->tls);
	meta_cache_free(p->meta);
	for (int i = 0; i < _POOL_SLOT_MAX; i++)
		if (p->attachments[i] && p->attachment_free[i])
			p->attachment_free[i](p->attachments[i]);
	tusk_error_clear(&p->last_error);
	if (p->retry_timer)
		event_free(p->retry_timer);
	pools_alive--;
	free(p);
}

struct meta_cache *pool_meta(struct pool *p)
{
	if (!p->meta)
		p->meta = meta_cache_new();
	return p->meta;
}

const char *pool_id(const struct pool *p)
{
	return p->id;
}

bool pool_transient(const struct pool *p)
{
	return p->transient;
}

static void (*ddl_hook)(struct pool *p, const char *sql);
static void (*open_hook)(struct pool *p);

void *pool_attachment(struct pool *p, enum pool_slot slot)
{
	return p->attachments[slot];
}

void pool_set_attachment(struct pool *p, enum pool_slot slot, void *data,
                         void (*free_fn)(void *data))
{
	if (p->attachments[slot] && p->attachment_free[slot])
		p->attachment_free[slot](p->attachments[slot]);
	p->attachments[slot] = data;
	p->attachment_free[slot] = free_fn;
}

void pool_set_ddl_hook(void (*fn)(struct pool *p, const char *sql))
{
	ddl_hook = fn;
}

void pool_ran_ddl(struct pool *p, const char *sql)
{
	if (ddl_hook && !p->closing)
		ddl_hook(p, sql);
}

void pool_set_open_hook(void (*fn)(struct pool *p))
{
	open_hook = fn;
}

const char *pool_database(const struct pool *p)
{
	const char *db = connparams_get(p->params, "dbname");
	return db ? db : connparams_get(p->params, "user");
}

struct pool *pool_find(const char *connection_id)
{
	for (struct pool *p = pools; p; p = p->next)
		if (strcmp(p->id, connection_id) == 0 ||
		    (p->name && !p->transient && strcmp(p->name, connection_id) == 0))
			return p;
	return NULL;
}

static unsigned live(const struct pool *p)
{
	return p->counts[BACKEND_IDLE] + p->counts[BACKEND_BUSY] + p->counts[BACKEND_PINNED];
}

static unsigned total(const struct pool *p)
{
	return live(p) + p->counts[BACKEND_CONNECTING];
}

static const char *status_name(const struct pool *p)
{
	return tusk_connection_status_name(p->status);
}

void pool_emit(const char *event, struct pool *p, json_t *extra)
{
	if (p->ephemeral) {
		json_decref(extra);
		return;
	}
	json_t *params = json_pack("{s:s, s:s, s:s}", "connection_id", p->id, "name",
	                           p->name ? p->name : p->display, "status", status_name(p));
	if (extra)
		json_object_update(params, extra);
	json_decref(extra);
	db_emit(event, params);
}

static void set_status(struct pool *p, TuskConnectionStatus st)
{
	if (p->status == st)
		return;
	p->status = st;
	pool_emit(TUSK_N_CONNECTION_STATUS_CHANGED, p, NULL);
}

/* ---- waiters ------------------------------------------------------------ */

static void waiter_finish(struct pool_waiter *w, struct backend *b, const TuskError *e)
{
	struct pool *p = w->pool;
	if (w->queued) {
		TAILQ_REMOVE(&p->waiters, w, link);
		p->nwaiters--;
	}
	event_free(w->timer);
	pool_acquire_cb cb = w->cb;
	void *ud = w->ud;
	free(w);
	cb(b, e, ud);
	pool_unref(p);
}

static void on_waiter_timer(evutil_socket_t fd, short what, void *ud)
{
	struct pool_waiter *w = ud;
	if (w->granted) {
		waiter_finish(w, w->granted, NULL);
		return;
	}
	TuskError e = TUSK_ERROR_INIT;
	if (w->pool->failures > 0 && w->pool->last_error.kind != TUSK_ERR_NONE) {
		tusk_error_copy(&e, &w->pool->last_error);
	} else {
		tusk_error_set(&e, TUSK_ERR_POOL_TIMEOUT,
		               "no connection of %s became free within %lld ms (%u in use)",
		               w->pool->name ? w->pool->name : w->pool->display,
		               settings_int(db_env()->settings, "pool.acquire_timeout_ms"),
		               live(w->pool));
	}
	waiter_finish(w, NULL, &e);
	tusk_error_clear(&e);
}

/* Hand b to w on the next loop turn (never inside the caller's call). */
static void grant(struct pool_waiter *w, struct backend *b)
{
	struct pool *p = w->pool;
	TAILQ_REMOVE(&p->waiters, w, link);
	p->nwaiters--;
	w->queued = false;
	backend_set_state(b, BACKEND_BUSY);
	w->granted = b;
	event_del(w->timer);
	event_active(w->timer, EV_TIMEOUT, 0);
}

static void fail_waiters(struct pool *p, const TuskError *e)
{
	struct pool_waiter *w;
	while ((w = TAILQ_FIRST(&p->waiters))) {
		TAILQ_REMOVE(&p->waiters, w, link);
		p->nwaiters--;
		w->queued = false;
		waiter_finish(w, NULL, e);
	}
}

static void start_backend(struct pool *p)
{
	struct backend *b = backend_new(p);
	if (b)
		backend_connect(b);
}

/* Match idle backends with waiters, then grow for those still waiting. */
static void on_retry(evutil_socket_t fd, short what, void *ud);

static void dispatch(struct pool *p)
{
	struct backend *b;
	struct pool_waiter *w;
	while ((w = TAILQ_FIRST(&p->waiters)) && (b = TAILQ_FIRST(&p->lists[BACKEND_IDLE])))
		grant(w, b);
	unsigned max = (unsigned)settings_int(db_env()->settings, "pool.max_size");
	if (p->closing || p->nwaiters <= p->counts[BACKEND_CONNECTING] || total(p) >= max)
		return;
	/* After failed connects, wait a little longer each time before the
	 * next attempt (100 ms, doubling, at most 5 s) rather than hammering
	 * a server that is down; waiters wait meanwhile. */
	if (p->failures > 0) {
		unsigned shift = p->failures - 1 < 6 ? p->failures - 1 : 6;
		uint64_t backoff = 100000u << shift;
		if (backoff > 5000000u)
			backoff = 5000000u;
		uint64_t now = tusk_mono_us();
		if (now < p->last_fail_us + backoff) {
			if (!p->retry_timer)
				p->retry_timer = evtimer_new(db_env()->base, on_retry, p);
			if (!evtimer_pending(p->retry_timer, NULL)) {
				uint64_t wait = p->last_fail_us + backoff - now;
				struct timeval tv = {.tv_sec = (time_t)(wait / 1000000u),
				                     .tv_usec = (suseconds_t)(wait % 1000000u)};
				evtimer_add(p->retry_timer, &tv);
			}
			return;
		}
	}
	while (p->nwaiters > p->counts[BACKEND_CONNECTING] && total(p) < max)
		start_backend(p);
}

static void on_retry(evutil_socket_t fd, short what, void *ud)
{
	struct pool *p = ud;
	pool_ref(p);
	dispatch(p);
	pool_unref(p);
}

struct pool_waiter *pool_acquire(struct pool *p, pool_acquire_cb cb, void *ud)
{
	struct pool_waiter *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->pool = pool_ref(p);
	w->cb = cb;
	w->ud = ud;
	w->timer = evtimer_new(db_env()->base, on_waiter_timer, w);
	long long ms = settings_int(db_env()->settings, "pool.acquire_timeout_ms");
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	evtimer_add(w->timer, &tv);
	TAILQ_INSERT_TAIL(&p->waiters, w, link);
	p->nwaiters++;
	w->queued = true;
	if (p->closing) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_NO_ACTIVE_CONNECTION, "the connection is closing");
		TAILQ_REMOVE(&p->waiters, w, link);
		p->nwaiters--;
		w->queued = false;
		/* Deliver on the next turn like every other outcome. */
		tusk_error_copy(&p->last_error, &e);
		p->failures++;
		event_del(w->timer);
		event_active(w->timer, EV_TIMEOUT, 0);
		tusk_error_clear(&e);
		return w;
	}
	dispatch(p);
	return w;
}

void pool_acquire_cancel(struct pool_waiter *w)
{
	if (!w)
		return;
	if (w->granted) {
		/* Already handed a backend: give it back. */
		struct backend *b = w->granted;
		w->granted = NULL;
		w->cb = NULL;
		pool_release(b);
	}
	struct pool *p = w->pool;
	if (w->queued) {
		TAILQ_REMOVE(&p->waiters, w, link);
		p->nwaiters--;
	}
	event_free(w->timer);
	free(w);
	pool_unref(p);
}

/* ---- backends coming and going ------------------------------------------ */

/* The server asked for a password the keyring no longer has: say that,
 * with the command that fixes it, rather than the server's bare refusal.
 * Returns the error every waiter, opener and event of the pool is given. */
static const TuskError *lost_password_error(struct pool *p, const TuskError *e, TuskError *lost)
{
	if (!p->password_lost || e->kind != TUSK_ERR_AUTHENTICATION_FAILED)
		return e;
	tusk_error_set(lost, TUSK_ERR_CREDENTIAL_NOT_FOUND,
	               "the saved password of %s is no longer in the keyring (removed "
	               "outside Tusk?) and the server asks for one",
	               p->name ? p->name : p->display);
	tusk_error_set_detail(lost, "%s", tusk_error_message(e));
	char *hint = NULL;
	if (asprintf(&hint, "Store it again: tuskctl secret set %s --password-stdin",
	             p->name ? p->name : p->id) >= 0) {
		tusk_error_set_hint(lost, hint);
		free(hint);
	}
	return lost;
}

static void answer_openers(struct pool *p, const TuskError *e)
{
	struct open_request *o = p->openers;
	p->openers = NULL;
	while (o) {
		struct open_request *next = o->next;
		o->cb(e ? NULL : p, e, o->ud);
		free(o);
		o = next;
	}
}

static void unregister(struct pool *p)
{
	for (struct pool **pp = &pools; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			p->next = NULL;
			p->registered = false;
			return;
		}
}

void pool_backend_connected(struct backend *b)
{
	struct pool *p = b->pool;
	bool recovered = p->opened && live(p) == 0;
	backend_set_state(b, BACKEND_IDLE);
	p->failures = 0;
	tusk_error_clear(&p->last_error);
	log_debug("pool", "%s: backend %d connected in %.1f ms", p->display, b->pid,
	          (double)(tusk_mono_us() - b->connect_started_us) / 1000.0);
	if (!p->opened || recovered) {
		p->opened = true;
		free(p->server_version);
		const char *v = PQparameterStatus(b->conn, "server_version");
		p->server_version = v ? strdup(v) : NULL;
		json_decref(p->tls);
		p->tls = tls_describe(b->conn);
		set_status(p, TUSK_CONNECTION_CONNECTED);
		if (open_hook && !p->ephemeral)
			open_hook(p);
		pool_emit(TUSK_N_CONNECTION_CONNECTED, p,
		          json_pack("{s:s?}", "server_version", p->server_version));
		if (recovered)
			log_info("pool", "%s: connected again", p->display);
	}
	pool_ref(p);
	answer_openers(p, NULL);
	dispatch(p);
	pool_unref(p);
}

void pool_backend_failed(struct backend *b, const TuskError *e)
{
	struct pool *p = pool_ref(b->pool);
	/* Through a tunnel that is down, libpq only saw a closed socket: the
	 * tunnel's own error says why. */
	TuskError tunnel_e = TUSK_ERROR_INIT;
	struct tunnel *t = pool_attachment(p, POOL_SLOT_TUNNEL);
	if (t && tunnel_error(t, &tunnel_e))
		e = &tunnel_e;
	TuskError lost = TUSK_ERROR_INIT;
	e = lost_password_error(p, e, &lost);
	backend_set_state(b, BACKEND_BROKEN);
	backend_free(b);
	p->failures++;
	p->last_fail_us = tusk_mono_us();
	tusk_error_copy(&p->last_error, e);
	log_info("pool", "%s: connect failed: %s", p->display, tusk_error_message(e));
	pool_emit(TUSK_N_CONNECTION_ERROR, p,
	          json_pack("{s:o}", "error", tusk_error_info_to_json(e)));

	if (!p->opened) {
		answer_openers(p, e);
		/* Requests that found the pool while it was opening (e.g. one a
		 * restart reopens) are told why it failed, not just that it closed. */
		fail_waiters(p, e);
		pool_close(p, "could not connect");
	} else if (live(p) == 0 && p->counts[BACKEND_CONNECTING] == 0) {
		/* The server is gone: say so now rather than after the acquire
		 * timeout. The next request tries again. */
		set_status(p, TUSK_CONNECTION_ERROR);
		fail_waiters(p, e);
	}
	tusk_error_clear(&tunnel_e);
	tusk_error_clear(&lost);
	pool_unref(p);
}

void pool_backend_lost(struct backend *b)
{
	struct pool *p = pool_ref(b->pool);
	log_info("pool", "%s: backend %d lost: %s", p->display, b->pid,
	         b->conn ? PQerrorMessage(b->conn) : "");
	if (b->state != BACKEND_BROKEN)
		backend_set_state(b, BACKEND_BROKEN);
	backend_free(b);
	if (!p->closing && live(p) == 0) {
		pool_emit(TUSK_N_CONNECTION_DISCONNECTED, p,
		          json_pack("{s:s, s:b}", "reason", "the server closed the connection",
		                    "will_reconnect", 1));
	}
	if (!p->closing)
		dispatch(p);
	pool_unref(p);
}

/* ---- releasing ---------------------------------------------------------- */

void pool_release(struct backend *b)
{
	struct pool *p = b->pool;
	backend_set_io(b, NULL, NULL);
	if (b->marked_broken || PQstatus(b->conn) != CONNECTION_OK) {
		pool_backend_lost(b);
		return;
	}
	switch (PQtransactionStatus(b->conn)) {
	case PQTRANS_IDLE:
		if (b->discard) {
			/* The last user changed session state (SET, temp tables,
			 * prepared statements…): the next one gets a clean session,
			 * as a new psql would. */
			b->discard = false;
			b->checking = true;
			if (!PQsendQuery(b->conn, "DISCARD ALL")) {
				b->checking = false;
				pool_backend_lost(b);
			} else {
				backend_watch(b, EV_READ);
			}
			return;
		}
		break;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		/* Never hand the next user someone else's transaction. */
		b->checking = true;
		if (!PQsendQuery(b->conn, "ROLLBACK")) {
			b->checking = false;
			pool_backend_lost(b);
		} else {
			backend_watch(b, EV_READ);
		}
		return;
	default:
		pool_backend_lost(b);
		return;
	}
	if (p->closing) {
		backend_set_state(b, BACKEND_BROKEN);
		backend_free(b);
		return;
	}
	backend_set_state(b, BACKEND_IDLE);
	pool_ref(p);
	dispatch(p);
	pool_unref(p);
}

void pool_pin(struct backend *b)
{
	backend_set_state(b, BACKEND_PINNED);
}
void pool_unpin(struct backend *b)
{
	backend_set_state(b, BACKEND_BUSY);
}

/* ---- opening and closing ----------------------------------------------- */

static struct pool *pool_new(const char *id, const char *name, struct connparams *params)
{
	struct pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->name = name ? strdup(name) : NULL;
	p->params = params;
	p->display = connparams_display(params);
	p->status = TUSK_CONNECTION_CONNECTING;
	p->opened_at_us = tusk_mono_us();
	p->refs = 1; /* the registry's, or the tester's */
	pools_alive++;
	for (int i = 0; i < _BACKEND_STATE_MAX; i++)
		TAILQ_INIT(&p->lists[i]);
	TAILQ_INIT(&p->waiters);
	return p;
}

static void add_opener(struct pool *p, pool_open_cb cb, void *ud)
{
	struct open_request *o = calloc(1, sizeof(*o));
	o->cb = cb;
	o->ud = ud;
	o->next = p->openers;
	p->openers = o;
}

/* Certificate and key files are checked on a worker before the first
 * connect, so a bad one gets a clear error of its own rather than libpq's.
 * The check reads the pool's own libpq keywords, saved or transient. */
struct check_job {
	struct pool *p;
	char *sslmode, *sslrootcert, *sslcert, *sslkey, *passphrase;
	TuskError e;
	int r;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void check_work(void *arg)
{
	struct check_job *j = arg;
	j->r = tls_check_params(j->sslmode, j->sslrootcert, j->sslcert, j->sslkey, j->passphrase,
	                        &j->e);
}

static void check_done(void *arg)
{
	struct check_job *j = arg;
	struct pool *p = j->p;
	if (j->r < 0) {
		p->failures++;
		tusk_error_copy(&p->last_error, &j->e);
		pool_emit(TUSK_N_CONNECTION_ERROR, p,
		          json_pack("{s:o}", "error", tusk_error_info_to_json(&j->e)));
		answer_openers(p, &j->e);
		pool_close(p, "certificate or key files are not usable");
	} else if (!p->closing) {
		start_backend(p);
	}
	free(j->sslmode);
	free(j->sslrootcert);
	free(j->sslcert);
	free(j->sslkey);
	if (j->passphrase) {
		explicit_bzero(j->passphrase, strlen(j->passphrase));
		free(j->passphrase);
	}
	tusk_error_clear(&j->e);
	free(j);
	pool_unref(p);
}

static void begin_connect(struct pool *p)
{
	const char *mode = connparams_get(p->params, "sslmode");
	if (mode && strcmp(mode, "disable") == 0) {
		start_backend(p);
		return;
	}
	struct check_job *j = calloc(1, sizeof(*j));
	j->p = pool_ref(p);
	j->sslmode = dup_or_null(mode);
	j->sslrootcert = dup_or_null(connparams_get(p->params, "sslrootcert"));
	j->sslcert = dup_or_null(connparams_get(p->params, "sslcert"));
	j->sslkey = dup_or_null(connparams_get(p->params, "sslkey"));
	j->passphrase = dup_or_null(p->key_passphrase);
	if (worker_submit(db_env()->workers, check_work, check_done, j) < 0) {
		j->r = 0;
		check_done(j);
	}
}

/* ---- SSH tunnel: set up before the first backend connects ---------------- */

static void open_failed(struct pool *p, const TuskError *e, const char *reason)
{
	p->failures++;
	tusk_error_copy(&p->last_error, e);
	pool_emit(TUSK_N_CONNECTION_ERROR, p,
	          json_pack("{s:o}", "error", tusk_error_info_to_json(e)));
	answer_openers(p, e);
	pool_close(p, reason);
}

/* libpq connects to the tunnel's listener by hostaddr/port and keeps host
 * (the database host as the SSH server sees it) for TLS verify-full. */
static void tunnel_ready(struct tunnel *t, const TuskError *e, void *ud)
{
	struct pool *p = ud;
	if (p->closing)
		return;
	if (e) {
		open_failed(p, e, "the SSH tunnel could not be opened");
		return;
	}
	char port[8];
	snprintf(port, sizeof(port), "%d", tunnel_local_port(t));
	connparams_set(p->params, "hostaddr", "127.0.0.1");
	connparams_set(p->params, "port", port);
	begin_connect(p);
}

static void start_tunnel(struct pool *p, const char *secret)
{
	const TuskConnectionConfig *cfg = p->tunnel_cfg;
	const TuskSshTunnelConfig *st = cfg->ssh_tunnel;
	struct tunnel_conf conf = {
	    .connection_id = cfg->id,
	    .ssh_host = st->host,
	    .ssh_port = st->port,
	    .ssh_user = st->username,
	    .auth = st->auth,
	    .key_path = st->key_path,
	    .passphrase = st->auth == TUSK_SSH_AUTH_KEY ? secret : NULL,
	    .password = st->auth == TUSK_SSH_AUTH_PASSWORD ? secret : NULL,
	    .remote_host = cfg->host && *cfg->host ? cfg->host : "127.0.0.1",
	    .remote_port = cfg->port,
	    .connect_timeout_sec = cfg->options.connect_timeout_sec,
	    .keepalive_sec =
	        (unsigned)settings_int(db_env()->settings, "ssh.keepalive_interval_sec"),
	    .agent_sock = getenv("SSH_AUTH_SOCK") ? NULL : p->agent_sock,
	};
	struct tunnel *t = tunnel_start(&conf, tunnel_ready, p);
	if (!t) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_SSH, "cannot start the SSH tunnel");
		open_failed(p, &e, "the SSH tunnel could not be started");
		tusk_error_clear(&e);
		return;
	}
	/* Freed with the pool, which also stops its callback. */
	pool_set_attachment(p, POOL_SLOT_TUNNEL, t, tunnel_free);
}

static void got_ssh_secret(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct pool *p = ud;
	if (!secret && e && e->kind != TUSK_ERR_CREDENTIAL_NOT_FOUND)
		log_warn("pool", "%s: SSH secret not read from the keyring: %s", p->display,
		         tusk_error_message(e));
	if (!p->closing)
		start_tunnel(p, secret);
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	pool_unref(p);
}

/* A pool with a tunnel: its SSH secret, then the tunnel, then libpq. */
static void tunnel_then_connect(struct pool *p)
{
	if (!p->tunnel_cfg) {
		begin_connect(p);
		return;
	}
	const TuskSshTunnelConfig *st = p->tunnel_cfg->ssh_tunnel;
	int kind = st->auth == TUSK_SSH_AUTH_PASSWORD ? SECRET_SSH_PASSWORD
	           : st->auth == TUSK_SSH_AUTH_KEY && st->passphrase_in_keyring
	               ? SECRET_SSH_PASSPHRASE
	               : -1;
	if (kind >= 0 &&
	    db_secret_lookup((SecretKind)kind, p->id, got_ssh_secret, pool_ref(p)) == 0)
		return;
	if (kind >= 0)
		pool_unref(p);
	start_tunnel(p, NULL);
}

static void keep_tunnel_config(struct pool *p, const TuskConnectionConfig *cfg)
{
	if (cfg->ssh_tunnel && cfg->ssh_tunnel->enabled)
		p->tunnel_cfg = tusk_connection_config_copy(cfg);
}

/* Secrets come from the keyring (on a worker) before anything connects. */
struct secrets_job {
	struct pool *p;
	bool want_password, want_passphrase;
};

static void got_passphrase(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct secrets_job *j = ud;
	if (secret) {
		j->p->key_passphrase = secret; /* erased with the pool */
	}
	if (!j->p->closing)
		tunnel_then_connect(j->p);
	pool_unref(j->p);
	free(j);
}

static void got_password(int r, char *secret, bool in_memory, const TuskError *e, void *ud)
{
	struct secrets_job *j = ud;
	if (secret) {
		connparams_set(j->p->params, "password", secret);
		explicit_bzero(secret, strlen(secret));
		free(secret);
	} else if (e && e->kind != TUSK_ERR_CREDENTIAL_NOT_FOUND) {
		log_warn("pool", "%s: password not read from the keyring: %s", j->p->display,
		         tusk_error_message(e));
	} else if (e) {
		/* Removed behind our back: try without, and say so if the
		 * server wants one. */
		j->p->password_lost = true;
		log_warn("pool", "%s: its password is no longer in the keyring", j->p->display);
	}
	if (j->want_passphrase &&
	    db_secret_lookup(SECRET_SSL_PASSPHRASE, j->p->id, got_passphrase, j) == 0)
		return;
	got_passphrase(0, NULL, false, NULL, j);
}

static void register_pool(struct pool *p)
{
	p->next = pools;
	pools = p;
	p->registered = true;
}

void pool_open_saved(const TuskConnectionConfig *cfg, pool_open_cb cb, void *ud)
{
	pool_open_saved_env(cfg, NULL, cb, ud);
}

void pool_open_saved_env(const TuskConnectionConfig *cfg, const json_t *env, pool_open_cb cb,
                         void *ud)
{
	struct pool *p = pool_find(cfg->id);
	if (p && !p->closing) {
		if (p->opened) {
			cb(p, NULL, ud);
		} else {
			add_opener(p, cb, ud);
		}
		return;
	}
	TuskError e = TUSK_ERROR_INIT;
	struct connparams *params = connparams_from_config(cfg, &e);
	if (!params || !(p = pool_new(cfg->id, cfg->name, params))) {
		connparams_free(params);
		if (e.kind == TUSK_ERR_NONE)
			tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		cb(NULL, &e, ud);
		tusk_error_clear(&e);
		return;
	}
	keep_tunnel_config(p, cfg);
	/* The opening client's agent, for a tunnel with agent auth when the
	 * daemon has none of its own. */
	const char *agent = json_string_value(json_object_get(env, "SSH_AUTH_SOCK"));
	if (agent && *agent)
		p->agent_sock = strdup(agent);
	register_pool(p);
	add_opener(p, cb, ud);
	pool_emit(TUSK_N_CONNECTION_STATUS_CHANGED, p, NULL);

	struct secrets_job *j = calloc(1, sizeof(*j));
	j->p = pool_ref(p);
	j->want_passphrase = cfg->ssl_client_key != NULL;
	if (cfg->password_in_keyring &&
	    db_secret_lookup(SECRET_PASSWORD, cfg->id, got_password, j) == 0)
		return;
	got_password(0, NULL, false, NULL, j);
}

static struct pool *transient_pool_parse(const char *conninfo, const json_t *env, TuskError *e);

/* The request as given, for a cheap second look-up: parsing a conninfo
 * with libpq (and its defaults table) costs more than the query itself. */
static char *raw_key(const char *conninfo, const json_t *env)
{
	char *envtext = env ? json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *key = NULL;
	if (asprintf(&key, "%s\x1f%s", conninfo, envtext ? envtext : "") < 0)
		key = NULL;
	if (envtext) {
		explicit_bzero(envtext, strlen(envtext));
		free(envtext);
	}
	return key;
}

static void erase_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static struct pool *transient_pool(const char *conninfo, const json_t *env, TuskError *e)
{
	char *raw = raw_key(conninfo, env);
	for (struct pool *p = pools; raw && p; p = p->next)
		if (p->transient && !p->closing && p->raw_key && strcmp(p->raw_key, raw) == 0) {
			erase_free(raw);
			return p;
		}
	struct pool *found = transient_pool_parse(conninfo, env, e);
	if (found && !found->raw_key)
		found->raw_key = raw;
	else
		erase_free(raw);
	return found;
}

static struct pool *transient_pool_parse(const char *conninfo, const json_t *env, TuskError *e)
{
	struct connparams *params = connparams_from_conninfo(conninfo, env, e);
	if (!params)
		return NULL;
	char *identity = connparams_identity(params);
	for (struct pool *p = pools; p; p = p->next)
		if (p->transient && !p->closing && identity && strcmp(p->identity, identity) == 0) {
			connparams_free(params);
			explicit_bzero(identity, strlen(identity));
			free(identity);
			return p;
		}
	char id[TUSK_UUID_STRLEN + 1];
	tusk_uuid_v4(id);
	struct pool *p = pool_new(id, NULL, params);
	if (!p) {
		connparams_free(params);
		free(identity);
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	p->transient = true;
	p->identity = identity;
	return p;
}

int pool_open_transient(const char *conninfo, const json_t *env, pool_open_cb cb, void *ud,
                        TuskError *e)
{
	struct pool *p = transient_pool(conninfo, env, e);
	if (!p)
		return -1;
	if (p->registered) {
		/* Already open (or opening): reuse. */
		if (p->opened)
			cb(p, NULL, ud);
		else
			add_opener(p, cb, ud);
		return 0;
	}
	register_pool(p);
	add_opener(p, cb, ud);
	pool_emit(TUSK_N_CONNECTION_STATUS_CHANGED, p, NULL);
	begin_connect(p);
	return 0;
}

void pool_close(struct pool *p, const char *reason)
{
	if (p->closing)
		return;
	p->closing = true;
	pool_ref(p);
	unregister(p);
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_NO_ACTIVE_CONNECTION, "the connection was closed (%s)", reason);
	answer_openers(p, &e);
	fail_waiters(p, &e);
	tusk_error_clear(&e);
	struct backend *b;
	while ((b = TAILQ_FIRST(&p->lists[BACKEND_IDLE]))) {
		backend_set_state(b, BACKEND_BROKEN);
		backend_free(b);
	}
	while ((b = TAILQ_FIRST(&p->lists[BACKEND_CONNECTING]))) {
		backend_set_state(b, BACKEND_BROKEN);
		backend_free(b);
	}
	context_pool_closed(p);
	/* What other modules keep for the pool (the schema cache and its load
	 * in flight, the SSH tunnel) goes now: it may hold references to the
	 * pool that would otherwise keep it alive. */
	for (int i = 0; i < _POOL_SLOT_MAX; i++)
		pool_set_attachment(p, (enum pool_slot)i, NULL, NULL);
	/* Busy backends go when their users release them. */
	set_status(p, TUSK_CONNECTION_DISCONNECTED);
	pool_emit(TUSK_N_CONNECTION_DISCONNECTED, p,
	          json_pack("{s:s, s:b}", "reason", reason, "will_reconnect", 0));
	log_info("pool", "%s: closed (%s)", p->display, reason);
	pool_unref(p); /* ours */
	pool_unref(p); /* the registry's */
}

void pool_forget(const char *connection_id)
{
	struct pool *p = pool_find(connection_id);
	if (p)
		pool_close(p, "the saved connection changed or was deleted");
}

/* ---- connections.test: one backend, no pool kept ----------------------- */

struct test_job {
	pool_test_cb cb;
	void *ud;
	uint64_t started_us;
};

static void test_opened(struct pool *p, const TuskError *e, void *ud)
{
	struct test_job *t = ud;
	if (!p) {
		t->cb(NULL, e, t->ud);
	} else {
		struct backend *b = TAILQ_FIRST(&p->lists[BACKEND_IDLE]);
		json_t *r = json_pack(
		    "{s:b, s:s?, s:i, s:s, s:s?, s:O, s:f}", "ok", 1, "server_version",
		    p->server_version, "backend_pid", b ? b->pid : 0, "display", p->display, "user",
		    b ? PQuser(b->conn) : NULL, "tls", p->tls ? p->tls : json_null(), "connect_ms",
		    (double)(tusk_mono_us() - t->started_us) / 1000.0);
		t->cb(r, NULL, t->ud);
		json_decref(r);
		pool_close(p, "test finished");
	}
	free(t);
}

static void start_test(struct pool *p, pool_test_cb cb, void *ud)
{
	struct test_job *t = calloc(1, sizeof(*t));
	t->cb = cb;
	t->ud = ud;
	t->started_us = tusk_mono_us();
	p->ephemeral = true;
	add_opener(p, test_opened, t);
	begin_connect(p);
}

void pool_test_saved(const TuskConnectionConfig *cfg, pool_test_cb cb, void *ud)
{
	TuskError e = TUSK_ERROR_INIT;
	struct connparams *params = connparams_from_config(cfg, &e);
	struct pool *p = params ? pool_new(cfg->id, cfg->name, params) : NULL;
	if (!p) {
		connparams_free(params);
		if (e.kind == TUSK_ERR_NONE)
			tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		cb(NULL, &e, ud);
		tusk_error_clear(&e);
		return;
	}
	p->ephemeral = true;
	keep_tunnel_config(p, cfg);
	struct test_job *t = calloc(1, sizeof(*t));
	t->cb = cb;
	t->ud = ud;
	t->started_us = tusk_mono_us();
	add_opener(p, test_opened, t);
	struct secrets_job *j = calloc(1, sizeof(*j));
	j->p = pool_ref(p);
	j->want_passphrase = cfg->ssl_client_key != NULL;
	if (cfg->password_in_keyring &&
	    db_secret_lookup(SECRET_PASSWORD, cfg->id, got_password, j) == 0)
		return;
	got_password(0, NULL, false, NULL, j);
}

int pool_test_transient(const char *conninfo, const json_t *env, pool_test_cb cb, void *ud,
                        TuskError *e)
{
	struct connparams *params = connparams_from_conninfo(conninfo, env, e);
	if (!params)
		return -1;
	char id[TUSK_UUID_STRLEN + 1];
	tusk_uuid_v4(id);
	struct pool *p = pool_new(id, NULL, params);
	if (!p) {
		connparams_free(params);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	p->transient = true;
	start_test(p, cb, ud);
	return 0;
}

void pool_close_all(void)
{
	while (pools)
		pool_close(pools, "the daemon is stopping");
}

/* ---- status ------------------------------------------------------------- */

json_t *pool_status_json(struct pool *p)
{
	struct tunnel *tun = pool_attachment(p, POOL_SLOT_TUNNEL);
	json_t *tunnel = tun ? tunnel_status_json(tun) : json_null();
	json_t *pids = json_array();
	for (int st = BACKEND_IDLE; st <= BACKEND_PINNED; st++) {
		struct backend *b;
		TAILQ_FOREACH(b, &p->lists[st], link)
		json_array_append_new(pids, json_integer(b->pid));
	}
	json_t *err = p->last_error.kind != TUSK_ERR_NONE ? tusk_error_info_to_json(&p->last_error)
	                                                  : json_null();
	return json_pack("{s:s, s:s?, s:s, s:b, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:s?, s:o,"
	                 " s:O, s:o, s:o, s:I, s:b}",
	                 "connection_id", p->id, "name", p->name, "display", p->display,
	                 "transient", p->transient, "status", status_name(p), "size", (int)live(p),
	                 "available", (int)p->counts[BACKEND_IDLE], "busy",
	                 (int)p->counts[BACKEND_BUSY], "pinned", (int)p->counts[BACKEND_PINNED],
	                 "connecting", (int)p->counts[BACKEND_CONNECTING], "waiting",
	                 (int)p->nwaiters, "max",
	                 (int)settings_int(db_env()->settings, "pool.max_size"), "server_version",
	                 p->server_version, "backend_pids", pids, "tls",
	                 p->tls ? p->tls : json_null(), "tunnel", tunnel, "last_error", err,
	                 "uptime_ms", (json_int_t)((tusk_mono_us() - p->opened_at_us) / 1000),
	                 "readonly", p->params->readonly);
}

json_t *pool_list_json(void)
{
	json_t *list = json_array();
	for (struct pool *p = pools; p; p = p->next)
		json_array_append_new(list, pool_status_json(p));
	return list;
}

/* ---- janitor ------------------------------------------------------------ */

void pool_janitor(void)
{
	uint64_t interval =
	    (uint64_t)settings_int(db_env()->settings, "pool.health_check_interval_sec") * 1000000u;
	uint64_t now = tusk_mono_us();
	for (struct pool *p = pools; p; p = p->next) {
		struct backend *b, *next;
		for (b = TAILQ_FIRST(&p->lists[BACKEND_IDLE]); b; b = next) {
			next = TAILQ_NEXT(b, link);
			if (now - b->since_us >= interval)
				backend_health_check(b);
		}
	}
}
