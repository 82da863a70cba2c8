/* Contexts keep a backend across calls while it is inside a transaction:
 * BEGIN, UPDATE, COMMIT sent as three calls run on one backend. A named
 * context (an editor tab, tuskctl --session NAME) is shared by every client
 * of the user and outlives them, up to query.context_idle_timeout_sec of
 * idleness in a transaction; an unnamed one belongs to one client and is
 * rolled back when that client goes. Keyed by (connection, name). */
#pragma once

#include <stdbool.h>

struct db;
struct pool;
struct backend;
struct context;

/* Find or make. owner is the client id for an unnamed context (name NULL). */
struct context *context_get(struct pool *p, const char *name, unsigned owner);
/* The pinned backend (PINNED → BUSY for the caller), or NULL when none. */
struct backend *context_take(struct context *c);
/* After a query: a backend inside a transaction, or any backend when the
 * query asked to hold the session, stays pinned to the context (idle timer
 * restarts) and this returns true; otherwise the transaction is over for
 * the context and false says the caller gives b back to the pool (at once,
 * or once a cancel still on its way is sent). A held session is reset
 * (DISCARD ALL) when it goes back to the pool. */
bool context_keep(struct context *c, struct backend *b, bool hold_session);
/* A statement ran in the context (before context_keep): a named context
 * keeps the SQL of its open transaction so a restart can name it. */
void context_note_statement(struct context *c, const char *sql);
/* The named context name of p, or NULL: context_get without making one. */
struct context *context_find(struct pool *p, const char *name);
/* What c holds: "none", "idle" (a session), "in_transaction", "in_error",
 * or "running" (a query of it runs). */
const char *context_held(const struct context *c);
/* context.release: give back what c holds (the pool rolls back an open
 * transaction and resets a held session) and free c. A busy context is let
 * go when its query ends (the caller cancels that query); c stays until then. */
void context_release(struct context *c);
bool context_busy(const struct context *c); /* a query of it is running */
void context_set_busy(struct context *c, bool busy);
const char *context_name(const struct context *c);
/* "idle" | "in_transaction" | "in_error" | "none" */
const char *context_transaction_state(const struct context *c);
/* A client left: roll back and drop its unnamed contexts. */
void context_client_gone(struct db *db, unsigned owner);
/* A pool closes: drop its contexts (their backends go with the pool). */
void context_pool_closed(struct pool *p);
/* DDL that ran inside the context's open transaction: the schema cache
 * hears of it when the transaction ends (COMMIT or ROLLBACK). */
void context_note_ddl(struct context *c, const char *sql);
char *context_take_ddl(struct context *c); /* the pending SQL, or NULL; caller frees */
