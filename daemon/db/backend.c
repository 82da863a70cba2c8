/* One libpq connection of a pool: name resolution on a worker, then the
 * whole connect sequence driven by PQconnectPoll from the loop, then the
 * idle watcher that notices a server going away. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/db/env.h"
#include "daemon/db/pool-internal.h"
#include "daemon/db/tls.h"
#include "daemon/worker/worker.h"

static const char *const state_names[] = {"connecting", "idle", "busy", "pinned", "broken"};

const char *backend_state_name(enum backend_state st)
{
	return state_names[st];
}

/* Which state may follow which: everything else is a bug. */
static bool transition_allowed(enum backend_state from, enum backend_state to)
{
	switch (from) {
	case BACKEND_CONNECTING:
		return to == BACKEND_IDLE || to == BACKEND_BROKEN;
	case BACKEND_IDLE:
		return to == BACKEND_BUSY || to == BACKEND_BROKEN;
	case BACKEND_BUSY:
		return to == BACKEND_IDLE || to == BACKEND_PINNED || to == BACKEND_BROKEN;
	case BACKEND_PINNED:
		return to == BACKEND_BUSY || to == BACKEND_BROKEN;
	default:
		return false;
	}
}

void backend_set_state(struct backend *b, enum backend_state st)
{
	struct pool *p = b->pool;
	if (!transition_allowed(b->state, st)) {
		log_error("pool", "impossible backend transition %s → %s", state_names[b->state],
		          state_names[st]);
		abort();
	}
	TAILQ_REMOVE(&p->lists[b->state], b, link);
	p->counts[b->state]--;
	b->state = st;
	TAILQ_INSERT_TAIL(&p->lists[st], b, link);
	p->counts[st]++;
	b->since_us = tusk_mono_us();
}

static void on_io(evutil_socket_t fd, short what, void *ud);

static void unwatch(struct backend *b)
{
	if (b->ev) {
		event_free(b->ev);
		b->ev = NULL;
	}
	b->fd = -1;
	b->watching = 0;
}

void backend_watch(struct backend *b, short what)
{
	int fd = b->conn ? PQsocket(b->conn) : -1;
	if (fd == b->fd && what == b->watching && b->ev)
		return;
	unwatch(b);
	if (fd < 0 || !what)
		return;
	b->ev = event_new(db_env(b->pool->db)->base, fd, what | EV_PERSIST, on_io, b);
	event_add(b->ev, NULL);
	b->fd = fd;
	b->watching = what;
}

void backend_kick(struct backend *b)
{
	if (b->ev)
		event_active(b->ev, EV_READ, 0);
}

struct backend *backend_new(struct pool *p)
{
	struct backend *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->pool = p;
	b->fd = -1;
	b->state = BACKEND_CONNECTING;
	b->since_us = tusk_mono_us();
	TAILQ_INSERT_TAIL(&p->lists[BACKEND_CONNECTING], b, link);
	p->counts[BACKEND_CONNECTING]++;
	pool_ref(p);
	return b;
}

/* Frees now, or — while a worker still resolves its host — when the worker
 * is done (resolve_done sees pool == NULL). */
void backend_free(struct backend *b)
{
	struct pool *p = b->pool;
	TAILQ_REMOVE(&p->lists[b->state], b, link);
	p->counts[b->state]--;
	unwatch(b);
	if (b->timer) {
		event_free(b->timer);
		b->timer = NULL;
	}
	if (b->conn) {
		tls_set_key_passphrase(b->conn, NULL);
		PQfinish(b->conn);
		b->conn = NULL;
	}
	b->pool = NULL;
	pool_unref(p);
	if (b->resolving)
		return; /* resolve_done frees it */
	free(b->hostaddr);
	free(b);
}

static void fail(struct backend *b, const TuskError *e)
{
	unwatch(b);
	if (b->timer)
		event_del(b->timer);
	pool_backend_failed(b, e);
}

static void on_connect_timeout(evutil_socket_t fd, short what, void *ud)
{
	struct backend *b = ud;
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_CONNECTION_TIMEOUT, "Connection timeout after %us",
	               b->pool->params->connect_timeout_sec);
	tusk_error_set_detail(&e, "%s did not complete the connection in time", b->pool->display);
	fail(b, &e);
	tusk_error_clear(&e);
}

/* Notices that arrive while no query owns the backend (a server shutting
 * down says why): nobody to show them to. */
void backend_idle_notice(void *arg, const PGresult *res)
{
	log_debug("pool", "notice on an idle backend: %s", PQresultErrorMessage(res));
}

static void poll_connect(struct backend *b)
{
	switch (PQconnectPoll(b->conn)) {
	case PGRES_POLLING_READING:
		backend_watch(b, EV_READ);
		return;
	case PGRES_POLLING_WRITING:
		backend_watch(b, EV_WRITE);
		return;
	case PGRES_POLLING_OK:
		event_del(b->timer);
		PQsetnonblocking(b->conn, 1);
		PQsetNoticeReceiver(b->conn, backend_idle_notice, NULL);
		b->pid = PQbackendPID(b->conn);
		backend_watch(b, EV_READ);
		pool_backend_connected(b);
		return;
	default: {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_from_pgconn(&e, b->conn, b->pool->params->connect_timeout_sec);
		fail(b, &e);
		tusk_error_clear(&e);
		return;
	}
	}
}

static void start_libpq(struct backend *b)
{
	struct pool *p = b->pool;
	struct connparams *cp = p->params;
	const char *saved_hostaddr = NULL;
	bool added = false;

	if (b->hostaddr && !connparams_get(cp, "hostaddr")) {
		connparams_set(cp, "hostaddr", b->hostaddr);
		added = true;
	}
	b->conn = PQconnectStartParams(cp->keys, cp->values, 0);
	if (added)
		connparams_set(cp, "hostaddr", saved_hostaddr);
	if (!b->conn) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_INTERNAL, "out of memory");
		fail(b, &e);
		tusk_error_clear(&e);
		return;
	}
	if (PQstatus(b->conn) == CONNECTION_BAD) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_from_pgconn(&e, b->conn, cp->connect_timeout_sec);
		fail(b, &e);
		tusk_error_clear(&e);
		return;
	}
	if (p->key_passphrase)
		tls_set_key_passphrase(b->conn, p->key_passphrase);
	/* libpq: after PQconnectStart, behave as if PQconnectPoll had
	 * returned PGRES_POLLING_WRITING. */
	backend_watch(b, EV_WRITE);
}

/* A host that needs getaddrinfo: not a socket directory, not an address. */
static bool needs_resolving(const char *host)
{
	if (!host || !*host || host[0] == '/' || host[0] == '@')
		return false;
	return true;
}

struct resolve_job {
	struct backend *b;
	char *hosts;
	char *result;
	TuskError e;
};

static void resolve_work(void *arg)
{
	struct resolve_job *j = arg;
	size_t cap = strlen(j->hosts) * 4 + 64, len = 0;
	char *out = calloc(1, cap);
	char *save = NULL;
	char *copy = strdup(j->hosts);
	for (char *h = strtok_r(copy, ",", &save); h && out; h = strtok_r(NULL, ",", &save)) {
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
		struct addrinfo *res = NULL;
		char addr[INET6_ADDRSTRLEN] = "";
		int r = getaddrinfo(h, NULL, &hints, &res);
		if (r != 0) {
			tusk_error_set(&j->e, TUSK_ERR_CONNECTION_FAILED,
			               "could not translate host name \"%s\" to an address", h);
			tusk_error_set_detail(&j->e, "%s", gai_strerror(r));
			free(out);
			out = NULL;
			break;
		}
		void *a = res->ai_family == AF_INET6
		              ? (void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
		              : (void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
		inet_ntop(res->ai_family, a, addr, sizeof(addr));
		freeaddrinfo(res);
		if (len + strlen(addr) + 2 > cap)
			break;
		len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "," : "", addr);
	}
	free(copy);
	j->result = out;
}

static void resolve_done(void *arg)
{
	struct resolve_job *j = arg;
	struct backend *b = j->b;
	b->resolving = false;
	if (!b->pool) {
		/* The backend was dropped while we resolved. */
		free(b);
	} else if (!j->result) {
		fail(b, &j->e);
	} else {
		b->hostaddr = j->result;
		j->result = NULL;
		start_libpq(b);
	}
	free(j->result);
	free(j->hosts);
	tusk_error_clear(&j->e);
	free(j);
}

void backend_connect(struct backend *b)
{
	struct pool *p = b->pool;
	b->connect_started_us = tusk_mono_us();
	b->timer = evtimer_new(db_env(b->pool->db)->base, on_connect_timeout, b);
	struct timeval tv = {.tv_sec = p->params->connect_timeout_sec};
	evtimer_add(b->timer, &tv);

	const char *host = connparams_get(p->params, "host");
	if (!needs_resolving(host) || connparams_get(p->params, "hostaddr")) {
		start_libpq(b);
		return;
	}
	struct resolve_job *j = calloc(1, sizeof(*j));
	j->b = b;
	j->hosts = strdup(host);
	b->resolving = true;
	if (worker_submit(db_env(b->pool->db)->workers, resolve_work, resolve_done, j) < 0) {
		b->resolving = false;
		free(j->hosts);
		free(j);
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_INTERNAL, "the daemon is stopping");
		fail(b, &e);
		tusk_error_clear(&e);
	}
}

static void health_io(struct backend *b)
{
	if (!PQconsumeInput(b->conn)) {
		pool_backend_lost(b);
		return;
	}
	while (!PQisBusy(b->conn)) {
		PGresult *res = PQgetResult(b->conn);
		if (!res) {
			b->checking = false;
			pool_release(b);
			return;
		}
		ExecStatusType st = PQresultStatus(res);
		PQclear(res);
		if (st != PGRES_EMPTY_QUERY && st != PGRES_COMMAND_OK) {
			b->checking = false;
			pool_backend_lost(b);
			return;
		}
	}
}

void backend_health_check(struct backend *b)
{
	backend_set_state(b, BACKEND_BUSY);
	b->checking = true;
	if (!PQsendQuery(b->conn, "")) {
		b->checking = false;
		pool_backend_lost(b);
		return;
	}
	backend_watch(b, PQflush(b->conn) == 1 ? EV_READ | EV_WRITE : EV_READ);
}

static void on_io(evutil_socket_t fd, short what, void *ud)
{
	struct backend *b = ud;

	if (b->state == BACKEND_CONNECTING) {
		poll_connect(b);
		return;
	}
	if (b->io) {
		b->io(b, what, b->io_ud);
		return;
	}
	if (b->checking) {
		if ((what & EV_WRITE) && PQflush(b->conn) == 0)
			backend_watch(b, EV_READ);
		health_io(b);
		return;
	}
	/* Idle (or pinned, waiting for its context): the server may have
	 * closed the connection, or sent a notice or notification. */
	if (!PQconsumeInput(b->conn) || PQstatus(b->conn) == CONNECTION_BAD) {
		pool_backend_lost(b);
		return;
	}
	PGnotify *n;
	while ((n = PQnotifies(b->conn)))
		PQfreemem(n);
}

PGconn *backend_conn(struct backend *b)
{
	return b->conn;
}
int backend_pid(const struct backend *b)
{
	return b->pid;
}
enum backend_state backend_state(const struct backend *b)
{
	return b->state;
}

void backend_set_io(struct backend *b, backend_io_fn fn, void *ud)
{
	b->io = fn;
	b->io_ud = ud;
	if (!fn)
		backend_watch(b, EV_READ);
}

void backend_mark_broken(struct backend *b)
{
	b->marked_broken = true;
}

int backend_pump(struct backend *b, short what)
{
	PGconn *conn = b->conn;
	if (what & EV_WRITE) {
		int f = PQflush(conn);
		if (f < 0)
			return -1;
		backend_watch(b, f == 1 ? EV_READ | EV_WRITE : EV_READ);
	}
	if ((what & EV_READ) && !PQconsumeInput(conn))
		return -1;
	return 0;
}

void backend_mark_dirty(struct backend *b)
{
	b->discard = true;
}

void backend_mark_settings(struct backend *b)
{
	b->discard = b->settings = true;
}

void backend_mark_clean(struct backend *b)
{
	b->discard = b->settings = false;
}

bool backend_has_settings(const struct backend *b)
{
	return b->settings;
}
