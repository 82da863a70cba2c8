/* A query.execute in flight, as rpc-query.c runs it; shared with the COPY
 * FROM STDIN methods in rpc-query-copy.c. */
#ifndef TUSK_DAEMON_RPC_QUERY_EXEC_H
#define TUSK_DAEMON_RPC_QUERY_EXEC_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/db/query.h"
#include "daemon/rpc/query-inline.h"

struct client;
struct rpc_request;
struct store_entry;

/* A client with more than this unsent makes its stream queries stop
 * reading from PostgreSQL until it has read most of it. */
#define STREAM_HIGH_WATER (4 * 1024 * 1024)

struct exec {
	struct rpc_request *req;
	struct client *client;
	struct query *q;
	char query_id[40];
	char *connection_id;
	char *database;
	bool started_pending;
	struct event *started_timer;
	int64_t wall_started_us;
	uint64_t started_us;
	struct exec *next;
	/* Store mode: where the rows go. */
	struct store_entry *store;
	bool client_gone;
	/* Until a pool is ready: the options to start with. */
	char *sql;
	char *context;
	json_t *params;
	struct query_options o;
	/* Each result set's columns, by result_index, for query.completed. */
	json_t *columns;
	unsigned rows_checked; /* result sets whose first batch was validated */
	/* inline: what is held back for the reply while inlining. */
	bool inlining;
	bool no_history; /* params.history false */
	struct inline_buf held;
	bool input_held; /* a COPY FROM STDIN holds the client's input */
	unsigned walk;   /* each_client_exec's mark */
};

/* The client's own running query with this id, or NULL. */
struct exec *exec_find(struct client *c, const char *query_id);

#endif
