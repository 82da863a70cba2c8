/* Sessions that outlive tuskd: the saved connections open when it stops
 * (SIGTERM, shutdown or a crash) are reopened when it starts again (setting
 * session.restore), and the named contexts that were inside a transaction
 * are reported lost (context.lost) and re-created empty. Rows live in the
 * tables session_connections and session_contexts (migration 5); each
 * write is one small statement on the loop. */
#pragma once

#include <jansson.h>
#include <stdint.h>

struct client;

/* At start, once the server listens: report lost contexts, reopen. */
void session_restore(void);
void session_free(void);
/* A pool connected (connection.connected): remember it if it is saved. */
void session_pool_connected(const char *connection_id);
/* connection.close or connections.delete: do not reopen it. */
void session_forget(const char *connection_id);
/* A named context of a saved connection is inside a transaction: what
 * ran in it so far (stmts: array of strings, borrowed). */
void session_context_save(const char *connection_id, const char *name, const char *state,
                          int64_t began_us, long long count, const json_t *stmts);
/* Its transaction ended (commit, rollback, idle timeout), unless the
 * daemon is stopping: then it stays to be reported at the next start. */
void session_context_drop(const char *connection_id, const char *name);
/* session.status's result. New reference. */
json_t *session_status_json(void);
/* Send the context.lost events of this start to one client (it just
 * subscribed to topic connection). */
void session_replay_lost(struct client *c);
/* The same on the next loop turn: after the reply to events.subscribe. */
void session_replay_lost_later(struct client *c);
