/* Handing out a pool's backends: waiters served in order, growth up to
 * pool.max_size with a backoff after failed connects, backends connecting,
 * failing, lost and given back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/db/env.h"
#include "daemon/db/pool-internal.h"
#include "protocol/tusk-names.h"
#include "daemon/db/tls.h"
#include "daemon/db/tunnel.h"
#include "daemon/storage/settings.h"

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
		tusk_error_set(
		    &e, TUSK_ERR_POOL_TIMEOUT,
		    "no connection of %s became free within %lld ms (%u in use)",
		    w->pool->name ? w->pool->name : w->pool->display,
		    settings_int(db_env(w->pool->db)->settings, "pool.acquire_timeout_ms"),
		    pool_live(w->pool));
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

void pool_fail_waiters(struct pool *p, const TuskError *e)
{
	struct pool_waiter *w;
	while ((w = TAILQ_FIRST(&p->waiters))) {
		TAILQ_REMOVE(&p->waiters, w, link);
		p->nwaiters--;
		w->queued = false;
		waiter_finish(w, NULL, e);
	}
}

void pool_start_backend(struct pool *p)
{
	struct backend *b = backend_new(p);
	if (b)
		backend_connect(b);
}

static void on_retry(evutil_socket_t fd, short what, void *ud);

/* Match idle backends with waiters, then grow for those still waiting. */
void pool_dispatch(struct pool *p)
{
	struct backend *b;
	struct pool_waiter *w;
	while ((w = TAILQ_FIRST(&p->waiters)) && (b = TAILQ_FIRST(&p->lists[BACKEND_IDLE])))
		grant(w, b);
	unsigned max = (unsigned)settings_int(db_env(p->db)->settings, "pool.max_size");
	if (p->closing || p->nwaiters <= p->counts[BACKEND_CONNECTING] || pool_total(p) >= max)
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
				p->retry_timer = evtimer_new(db_env(p->db)->base, on_retry, p);
			if (!evtimer_pending(p->retry_timer, NULL)) {
				uint64_t wait = p->last_fail_us + backoff - now;
				struct timeval tv = {.tv_sec = (time_t)(wait / 1000000u),
				                     .tv_usec = (suseconds_t)(wait % 1000000u)};
				evtimer_add(p->retry_timer, &tv);
			}
			return;
		}
	}
	while (p->nwaiters > p->counts[BACKEND_CONNECTING] && pool_total(p) < max)
		pool_start_backend(p);
}

static void on_retry(evutil_socket_t fd, short what, void *ud)
{
	struct pool *p = ud;
	pool_ref(p);
	pool_dispatch(p);
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
	w->timer = evtimer_new(db_env(p->db)->base, on_waiter_timer, w);
	long long ms = settings_int(db_env(p->db)->settings, "pool.acquire_timeout_ms");
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
	pool_dispatch(p);
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

bool pool_can_lend(const struct pool *p)
{
	if (p->closing || !p->opened)
		return false;
	return p->counts[BACKEND_IDLE] > p->nwaiters ||
	       pool_total(p) < (unsigned)settings_int(db_env(p->db)->settings, "pool.max_size");
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

void pool_backend_connected(struct backend *b)
{
	struct pool *p = b->pool;
	bool recovered = p->opened && pool_live(p) == 0;
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
		pool_set_status(p, TUSK_CONNECTION_CONNECTED);
		pool_opened_hook(p);
		json_t *extra = json_pack("{s:s?, s:b}", "server_version", p->server_version,
		                          "again", recovered);
		struct tunnel *tun = pool_attachment(p, POOL_SLOT_TUNNEL);
		unsigned rebuilds = tun ? tunnel_rebuilds(tun) : 0;
		if (tun)
			json_object_set_new(extra, "tunnel_rebuilt",
			                    json_boolean(rebuilds > p->tunnel_rebuilds_told));
		p->tunnel_rebuilds_told = rebuilds;
		pool_emit(TUSK_N_CONNECTION_CONNECTED, p, extra);
		if (recovered)
			log_info("pool", "%s: connected again", p->display);
	}
	pool_ref(p);
	pool_answer_openers(p, NULL);
	pool_dispatch(p);
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
		pool_answer_openers(p, e);
		/* Requests that found the pool while it was opening (e.g. one a
		 * restart reopens) are told why it failed, not just that it closed. */
		pool_fail_waiters(p, e);
		pool_close(p, "could not connect");
	} else if (pool_live(p) == 0 && p->counts[BACKEND_CONNECTING] == 0) {
		/* The server is gone: say so now rather than after the acquire
		 * timeout. The next request tries again. */
		pool_set_status(p, TUSK_CONNECTION_ERROR);
		pool_fail_waiters(p, e);
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
	if (!p->closing && pool_live(p) == 0) {
		pool_emit(TUSK_N_CONNECTION_DISCONNECTED, p,
		          json_pack("{s:s, s:b}", "reason", "the server closed the connection",
		                    "will_reconnect", 1));
	}
	if (!p->closing)
		pool_dispatch(p);
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
			b->discard = b->settings = false;
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
	pool_dispatch(p);
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
