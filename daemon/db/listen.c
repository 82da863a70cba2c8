/* The LISTEN backend of each connection (see listen.h). */
#include "daemon/db/listen.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/log.h"
#include "common/timestamp.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/pool.h"
#include "protocol/tusk-names.h"

#define RETRY_FIRST_MS 250
#define RETRY_MAX_MS   5000

struct chan {
	char *name;
	unsigned *holders; /* client ids */
	size_t n_holders;
	bool listened; /* LISTEN done on the current backend */
	bool in_batch; /* part of the statement in flight */
};

struct waiting {
	struct waiting *next;
	char *channel;
	unsigned client;
	listen_cb cb;
	void *ud;
};

struct listener {
	struct db *db;
	struct pool *pool; /* the pool this is attached to */
	struct backend *b; /* held BUSY while set */
	struct pool_waiter *waiter;
	struct chan *chans;
	size_t n_chans;
	struct waiting *waiting;
	bool sending; /* a LISTEN / UNLISTEN batch in flight */
	bool ever_up; /* a backend listened once: a later loss is a gap */
	bool lost;    /* lost since the last time every channel was listened */
	bool freeing; /* pool_set_attachment is freeing it */
	struct event *retry, *later;
	unsigned failures;
	int64_t lost_at_us;
	char *lost_reason;
	unsigned long long received;
	struct listener *next; /* all listeners */
};

static void emit(struct listener *l, const char *event, json_t *params)
{
	db_emit(l->db, event, params); /* TUSK_N_PG_NOTIFICATION or TUSK_N_NOTIFY_GAP */
}

static json_t *time_json(int64_t us, unsigned digits)
{
	char buf[TUSK_TIMESTAMP_STRLEN];
	return tusk_timestamp_format(us, digits, buf) < 0 ? json_null() : json_string(buf);
}

static int chan_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *listener_json(struct listener *l)
{
	const char **names = calloc(l->n_chans + 1, sizeof(*names));
	json_t *chans = json_array();
	size_t n = 0;
	for (size_t i = 0; names && i < l->n_chans; i++)
		if (l->chans[i].n_holders)
			names[n++] = l->chans[i].name;
	if (names)
		qsort(names, n, sizeof(*names), chan_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(chans, json_string(names[i]));
	free(names);
	const char *status = n == 0                  ? "stopped"
	                     : l->b && !l->lost      ? "listening"
	                     : l->ever_up || l->lost ? "reconnecting"
	                                             : "connecting";
	struct pool *p = l->pool;
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:I}", "connection_id", pool_id(p), "name",
	                 pool_label(p), "channels", chans, "status", status, "backend_pid",
	                 l->b ? json_integer(backend_pid(l->b)) : json_null(), "received",
	                 (json_int_t)l->received);
}

static struct listener *find(struct pool *p)
{
	return pool_attachment(p, POOL_SLOT_LISTENER);
}

static struct chan *find_chan(struct listener *l, const char *name)
{
	for (size_t i = 0; i < l->n_chans; i++)
		if (strcmp(l->chans[i].name, name) == 0)
			return &l->chans[i];
	return NULL;
}

static bool holds(const struct chan *c, unsigned client)
{
	for (size_t i = 0; i < c->n_holders; i++)
		if (c->holders[i] == client)
			return true;
	return false;
}

static void drop_holder(struct chan *c, unsigned client)
{
	for (size_t i = 0; i < c->n_holders; i++)
		if (c->holders[i] == client) {
			c->holders[i] = c->holders[--c->n_holders];
			return;
		}
}

static void chan_remove_at(struct listener *l, size_t i)
{
	free(l->chans[i].name);
	free(l->chans[i].holders);
	l->chans[i] = l->chans[--l->n_chans];
}

/* Answer the waiting requests: every one when e is set, else those whose
 * channel is listened to now. */
static void answer(struct listener *l, const TuskError *e)
{
	struct waiting **pp = &l->waiting, *w;
	while ((w = *pp)) {
		struct chan *c = find_chan(l, w->channel);
		bool ready = !e && c && c->listened;
		if (!e && !ready) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		if (e) {
			if (c)
				drop_holder(c, w->client);
			w->cb(NULL, e, w->ud);
		} else {
			w->cb(listener_json(l), NULL, w->ud);
		}
		free(w->channel);
		free(w);
	}
}

static void release_backend(struct listener *l, bool broken)
{
	struct backend *b = l->b;
	if (!b)
		return;
	l->b = NULL;
	l->sending = false;
	backend_set_io(b, NULL, NULL);
	if (broken)
		backend_mark_broken(b);
	else
		backend_mark_dirty(b); /* DISCARD ALL: UNLISTEN * before the next user */
	pool_release(b);
}

static void kick(struct listener *l);

static void detach(struct listener *l)
{
	/* Frees l through listener_free. */
	pool_set_attachment(l->pool, POOL_SLOT_LISTENER, NULL, NULL);
}

static void schedule_retry(struct listener *l)
{
	unsigned ms = RETRY_FIRST_MS << (l->failures < 5 ? l->failures : 5);
	if (ms > RETRY_MAX_MS)
		ms = RETRY_MAX_MS;
	l->failures++;
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	evtimer_add(l->retry, &tv);
}

static void gap_done(struct listener *l)
{
	json_t *chans = json_array();
	for (size_t i = 0; i < l->n_chans; i++)
		json_array_append_new(chans, json_string(l->chans[i].name));
	emit(l, TUSK_N_NOTIFY_GAP,
	     json_pack("{s:s, s:o, s:o, s:o, s:s}", "connection_id", pool_id(l->pool), "channels",
	               chans, "lost_at", time_json(l->lost_at_us, 3), "restored_at",
	               time_json(tusk_now_us(), 3), "reason",
	               l->lost_reason ? l->lost_reason : "the backend was lost"));
	log_info("notify", "%s: listening again on %zu channel(s)", pool_display(l->pool),
	         l->n_chans);
	l->lost = false;
	free(l->lost_reason);
	l->lost_reason = NULL;
}

static void lost(struct listener *l, const char *why)
{
	log_warn("notify", "%s: the LISTEN backend was lost: %s", pool_display(l->pool), why);
	if (l->ever_up && !l->lost) {
		l->lost = true;
		l->lost_at_us = tusk_now_us();
		free(l->lost_reason);
		l->lost_reason = strdup(why && *why ? why : "the connection broke");
		/* libpq's message: its first line, without the trailing newline. */
		char *nl = l->lost_reason ? strchr(l->lost_reason, '\n') : NULL;
		if (nl)
			*nl = '\0';
	}
	for (size_t i = 0; i < l->n_chans; i++)
		l->chans[i].listened = l->chans[i].in_batch = false;
	release_backend(l, true);
	l->failures = 0;
	schedule_retry(l);
}

static void deliver(struct listener *l, PGconn *conn)
{
	PGnotify *n;
	while ((n = PQnotifies(conn))) {
		l->received++;
		emit(l, TUSK_N_PG_NOTIFICATION,
		     json_pack("{s:s, s:s, s:s, s:i, s:o}", "connection_id", pool_id(l->pool),
		               "channel", n->relname, "payload", n->extra ? n->extra : "", "pid",
		               n->be_pid, "received_at", time_json(tusk_now_us(), 6)));
		PQfreemem(n);
	}
}

/* The batch's results are all in. */
static void batch_done(struct listener *l, const char *error)
{
	l->sending = false;
	for (size_t i = l->n_chans; i-- > 0;) {
		struct chan *c = &l->chans[i];
		if (!c->in_batch)
			continue;
		c->in_batch = false;
		if (c->n_holders == 0)
			chan_remove_at(l, i);
		else if (!error)
			c->listened = true;
	}
	if (error) {
		TuskError e = TUSK_ERROR_INIT;
		tusk_error_set(&e, TUSK_ERR_QUERY_FAILED, "LISTEN failed: %s", error);
		answer(l, &e);
		tusk_error_clear(&e);
	} else {
		answer(l, NULL);
	}
	kick(l);
}

static void on_io(struct backend *b, short what, void *ud)
{
	struct listener *l = ud;
	PGconn *conn = backend_conn(b);
	if (backend_pump(b, what) < 0 || PQstatus(conn) == CONNECTION_BAD) {
		lost(l, PQerrorMessage(conn));
		kick(l);
		return;
	}
	if (!(what & EV_READ))
		return;
	char *error = NULL;
	bool done = false;
	while (l->sending && !PQisBusy(conn)) {
		PGresult *res = PQgetResult(conn);
		if (!res) {
			done = true;
			break;
		}
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !error)
			error = strdup(PQresultErrorMessage(res));
		PQclear(res);
	}
	deliver(l, conn);
	if (done)
		batch_done(l, error);
	free(error);
}

/* The SQL that brings the server in line: LISTEN what is held and not yet
 * listened, UNLISTEN what is listened and no longer held. */
static char *batch_sql(struct listener *l, PGconn *conn)
{
	char *sql = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sql, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < l->n_chans; i++) {
		struct chan *c = &l->chans[i];
		bool want = c->n_holders > 0;
		if (want == c->listened)
			continue;
		char *id = PQescapeIdentifier(conn, c->name, strlen(c->name));
		if (!id)
			continue;
		fprintf(f, "%sLISTEN %s;", want ? "" : "UN", id);
		PQfreemem(id);
		c->in_batch = true;
		if (!want)
			c->listened = false;
	}
	fclose(f);
	if (len == 0) {
		free(sql);
		return NULL;
	}
	return sql;
}

static void acquired(struct backend *b, const TuskError *e, void *ud)
{
	struct listener *l = ud;
	l->waiter = NULL;
	if (!b) {
		log_debug("notify", "%s: no backend for LISTEN: %s", pool_display(l->pool),
		          tusk_error_message(e));
		if (!l->ever_up) {
			answer(l, e); /* the first listens fail with the connect error */
			for (size_t i = l->n_chans; i-- > 0;)
				if (l->chans[i].n_holders == 0)
					chan_remove_at(l, i);
			if (l->n_chans == 0) {
				detach(l);
				return;
			}
		}
		schedule_retry(l);
		return;
	}
	l->b = b;
	l->failures = 0;
	backend_set_io(b, on_io, l);
	backend_watch(b, EV_READ);
	kick(l);
}

static void kick(struct listener *l)
{
	bool any_held = false;
	for (size_t i = l->n_chans; i-- > 0;) {
		struct chan *c = &l->chans[i];
		if (c->n_holders == 0 && !c->listened && !c->in_batch)
			chan_remove_at(l, i);
		else
			any_held |= c->n_holders > 0;
	}
	if (!l->b) {
		if (!any_held && !l->sending) {
			detach(l);
			return;
		}
		if (!l->waiter && !evtimer_pending(l->retry, NULL))
			l->waiter = pool_acquire(l->pool, acquired, l);
		return;
	}
	if (l->sending)
		return;
	if (!any_held) {
		detach(l);
		return;
	}
	PGconn *conn = backend_conn(l->b);
	char *sql = batch_sql(l, conn);
	if (!sql) {
		if (l->lost)
			gap_done(l);
		l->ever_up = true;
		answer(l, NULL);
		return;
	}
	if (!PQsendQuery(conn, sql)) {
		free(sql);
		lost(l, PQerrorMessage(conn));
		return;
	}
	free(sql);
	l->sending = true;
	backend_watch(l->b, PQflush(conn) == 1 ? EV_READ | EV_WRITE : EV_READ);
}

static void on_retry(evutil_socket_t fd, short what, void *ud)
{
	kick(ud);
}

static void on_later(evutil_socket_t fd, short what, void *ud)
{
	kick(ud);
}

static void listener_free(void *data)
{
	struct listener *l = data;
	for (struct listener **pp = &l->db->listeners; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	if (l->waiter)
		pool_acquire_cancel(l->waiter);
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_NO_ACTIVE_CONNECTION, "the connection was closed");
	answer(l, &e);
	tusk_error_clear(&e);
	release_backend(l, false);
	event_free(l->retry);
	event_free(l->later);
	for (size_t i = 0; i < l->n_chans; i++) {
		free(l->chans[i].name);
		free(l->chans[i].holders);
	}
	free(l->chans);
	free(l->lost_reason);
	free(l);
}

void listen_add(struct pool *p, const char *channel, unsigned client, listen_cb cb, void *ud)
{
	struct listener *l = find(p);
	if (!l) {
		l = calloc(1, sizeof(*l));
		l->db = pool_db(p);
		l->pool = p;
		l->retry = evtimer_new(l->db->env.base, on_retry, l);
		l->later = evtimer_new(l->db->env.base, on_later, l);
		l->next = l->db->listeners;
		l->db->listeners = l;
		pool_set_attachment(p, POOL_SLOT_LISTENER, l, listener_free);
	}
	struct chan *c = find_chan(l, channel);
	if (!c) {
		struct chan *more = realloc(l->chans, (l->n_chans + 1) * sizeof(*more));
		if (!more)
			abort();
		l->chans = more;
		c = &l->chans[l->n_chans++];
		*c = (struct chan){.name = strdup(channel)};
	}
	if (!holds(c, client)) {
		unsigned *h = realloc(c->holders, (c->n_holders + 1) * sizeof(*h));
		if (!h)
			abort();
		c->holders = h;
		c->holders[c->n_holders++] = client;
	}
	struct waiting *w = calloc(1, sizeof(*w));
	*w = (struct waiting){.channel = strdup(channel), .client = client, .cb = cb, .ud = ud};
	w->next = l->waiting;
	l->waiting = w;
	/* Next loop turn: cb never runs inside this call. */
	evtimer_add(l->later, &(struct timeval){0});
}

json_t *listen_remove(struct pool *p, const char *channel, unsigned client)
{
	struct listener *l = find(p);
	if (!l)
		return json_pack("{s:s, s:s, s:[], s:s, s:n, s:i}", "connection_id", pool_id(p),
		                 "name", pool_label(p), "channels", "status", "stopped",
		                 "backend_pid", "received", 0);
	struct chan *c = find_chan(l, channel);
	if (c)
		drop_holder(c, client);
	json_t *ret = listener_json(l);
	kick(l);
	return ret;
}

void listen_client_gone(struct db *db, unsigned client)
{
	struct listener *l = db->listeners, *next;
	for (; l; l = next) {
		next = l->next;
		bool changed = false;
		for (size_t i = 0; i < l->n_chans; i++)
			if (holds(&l->chans[i], client)) {
				drop_holder(&l->chans[i], client);
				changed = true;
			}
		if (changed)
			kick(l);
	}
}

json_t *listen_list_json(struct db *db)
{
	json_t *arr = json_array();
	for (struct listener *l = db->listeners; l; l = l->next)
		json_array_append_new(arr, listener_json(l));
	return arr;
}
