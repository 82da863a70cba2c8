/* Contexts: which backend a tab or a session holds while in a transaction,
 * and for how long. */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/log.h"
#include "common/sql.h"
#include "common/timestamp.h"
#include "daemon/db/context.h"
#include "daemon/db/db-internal.h"
#include "daemon/db/pool.h"
#include "daemon/storage/settings.h"

struct context {
	struct db *db; /* the pool's: a busy context may outlive its pool */
	struct pool *pool;
	char *name; /* NULL: unnamed, owned by one client */
	unsigned owner;
	struct backend *pinned;
	struct event *idle_timer;
	bool busy;
	char *ddl_pending; /* DDL run inside the open transaction, not yet seen */
	/* Named contexts: the statements of the open transaction, kept by the
	 * session store so a restart can say what was lost. */
	json_t *stmts;
	long long n_stmts;
	int64_t began_us;
	bool saved;     /* a session_contexts row exists */
	bool releasing; /* context.release came while a query ran: let go at its end */
	struct context *next;
};

#define STMT_KEEP      50
#define STMT_MAX_BYTES 1000

/* The transaction is over (or was never open): forget its statements. */
static void txn_over(struct context *c)
{
	const struct db_context_keeper *k = &c->db->env.contexts;
	if (c->saved && k->drop)
		k->drop(k->ud, pool_id(c->pool), c->name);
	c->saved = false;
	c->n_stmts = 0;
	json_array_clear(c->stmts);
}

void context_note_statement(struct context *c, const char *sql)
{
	if (!c->name || !sql)
		return;
	if (!c->stmts && !(c->stmts = json_array()))
		return;
	if (c->n_stmts++ == 0)
		c->began_us = tusk_now_us();
	/* The session store writes these to SQLite: no password in them. */
	char *safe = tusk_sql_redact(sql);
	if (!safe)
		return;
	size_t len = strlen(safe);
	if (len > STMT_MAX_BYTES) {
		len = STMT_MAX_BYTES;
		while (len > 0 && ((unsigned char)safe[len] & 0xC0) == 0x80)
			len--; /* not inside a UTF-8 sequence */
	}
	json_t *s = json_stringn(safe, len);
	free(safe);
	if (s)
		json_array_append_new(c->stmts, s);
	if (json_array_size(c->stmts) > STMT_KEEP)
		json_array_remove(c->stmts, 0);
}

static bool matches(const struct context *c, struct pool *p, const char *name, unsigned owner)
{
	if (c->pool != p)
		return false;
	if (!name)
		return !c->name && c->owner == owner;
	return c->name && strcmp(c->name, name) == 0;
}

static void context_free(struct context *c)
{
	for (struct context **pp = &c->db->contexts; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->idle_timer)
		event_free(c->idle_timer);
	free(c->ddl_pending);
	json_decref(c->stmts);
	free(c->name);
	free(c);
}

/* Give the pinned backend back to the pool, which rolls back whatever
 * transaction it is in. */
static void unpin(struct context *c)
{
	struct backend *b = c->pinned;
	if (!b)
		return;
	c->pinned = NULL;
	evtimer_del(c->idle_timer);
	pool_unpin(b);
	pool_release(b);
	txn_over(c);
}

static void on_idle(evutil_socket_t fd, short what, void *ud)
{
	struct context *c = ud;
	log_info("context", "context %s: idle for too long; %s", c->name ? c->name : "(unnamed)",
	         c->pinned && PQtransactionStatus(backend_conn(c->pinned)) == PQTRANS_IDLE
	             ? "its held session goes back to the pool"
	             : "rolling back its transaction");
	unpin(c);
	if (!c->busy)
		context_free(c);
}

struct context *context_get(struct pool *p, const char *name, unsigned owner)
{
	for (struct context *c = pool_db(p)->contexts; c; c = c->next)
		if (matches(c, p, name, owner))
			return c;
	struct context *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->db = pool_db(p);
	c->pool = p;
	c->name = name ? strdup(name) : NULL;
	c->owner = owner;
	c->idle_timer = evtimer_new(pool_db(p)->env.base, on_idle, c);
	c->next = pool_db(p)->contexts;
	pool_db(p)->contexts = c;
	return c;
}

struct backend *context_take(struct context *c)
{
	struct backend *b = c->pinned;
	if (!b)
		return NULL;
	c->pinned = NULL;
	evtimer_del(c->idle_timer);
	pool_unpin(b);
	return b;
}

static void pin(struct context *c, struct backend *b)
{
	pool_pin(b);
	c->pinned = b;
	long long sec = settings_int(c->db->env.settings, "query.context_idle_timeout_sec");
	evtimer_add(c->idle_timer, &(struct timeval){.tv_sec = sec});
}

bool context_keep(struct context *c, struct backend *b, bool hold_session)
{
	PGTransactionStatusType st = PQtransactionStatus(backend_conn(b));
	if (c->releasing) {
		/* The pool rolls back and resets what it gets back. */
		if (hold_session)
			backend_mark_dirty(b);
		txn_over(c);
		return false;
	}
	if (st == PQTRANS_INTRANS || st == PQTRANS_INERROR) {
		pin(c, b);
		const struct db_context_keeper *k = &c->db->env.contexts;
		if (c->name && c->n_stmts > 0 && k->save) {
			k->save(k->ud, pool_id(c->pool), c->name,
			        st == PQTRANS_INTRANS ? "in_transaction" : "in_error", c->began_us,
			        c->n_stmts, c->stmts);
			c->saved = true;
		}
		return true;
	}
	txn_over(c);
	if (st == PQTRANS_IDLE && c->name && backend_has_settings(b)) {
		/* A SET in a tab or a shell holds for its next statements, as
		 * in one psql session (until the context idles out). */
		pin(c, b);
		return true;
	}
	if (hold_session && st == PQTRANS_IDLE) {
		/* Not every change of session state has a command tag that
		 * says so (SELECT set_config(…)): reset it when it goes back. */
		backend_mark_dirty(b);
		pin(c, b);
		return true;
	}
	return false;
}

struct context *context_find(struct pool *p, const char *name)
{
	for (struct context *c = pool_db(p)->contexts; c; c = c->next)
		if (matches(c, p, name, 0))
			return c;
	return NULL;
}

const char *context_held(const struct context *c)
{
	if (c->busy) /* whether it runs inside a transaction shows at its end */
		return "running";
	return c->pinned ? context_transaction_state(c) : "none";
}

void context_release(struct context *c)
{
	log_info("context", "context %s: released (%s)", c->name ? c->name : "(unnamed)",
	         context_held(c));
	if (c->busy) {
		c->releasing = true;
		return;
	}
	unpin(c);
	context_free(c);
}

bool context_busy(const struct context *c)
{
	return c->busy;
}

void context_set_busy(struct context *c, bool busy)
{
	c->busy = busy;
	/* A context with nothing pinned and nothing running holds nothing. */
	if (!busy && !c->pinned)
		context_free(c);
}

const char *context_name(const struct context *c)
{
	return c->name;
}

const char *context_transaction_state(const struct context *c)
{
	if (!c->pinned)
		return "idle";
	switch (PQtransactionStatus(backend_conn(c->pinned))) {
	case PQTRANS_INTRANS:
		return "in_transaction";
	case PQTRANS_INERROR:
		return "in_error";
	default:
		return "idle";
	}
}

void context_client_gone(struct db *db, unsigned owner)
{
	struct context *c = db->contexts, *next;
	for (; c; c = next) {
		next = c->next;
		if (!c->name && c->owner == owner && !c->busy) {
			unpin(c);
			context_free(c);
		}
	}
}

void context_pool_closed(struct pool *p)
{
	struct context *c = pool_db(p)->contexts, *next;
	for (; c; c = next) {
		next = c->next;
		if (c->pool == p && !c->busy) {
			unpin(c);
			context_free(c);
		}
	}
}

void context_note_ddl(struct context *c, const char *sql)
{
	char *joined = NULL;
	if (asprintf(&joined, "%s%s%s", c->ddl_pending ? c->ddl_pending : "",
	             c->ddl_pending ? ";\n" : "", sql) < 0)
		return;
	free(c->ddl_pending);
	c->ddl_pending = joined;
}

char *context_take_ddl(struct context *c)
{
	char *s = c->ddl_pending;
	c->ddl_pending = NULL;
	return s;
}
