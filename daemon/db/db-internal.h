/* struct db: the instance db_new makes, with every module's state as its
 * members. Included only by daemon/db. Each module reaches it through what
 * it is handed: a pool (p->db) and what hangs off a pool (queries,
 * contexts, listeners, backends), or the struct db * of a public call. */
#pragma once

#include "daemon/db/env.h"
#include "daemon/db/store-internal.h"

struct pool;
struct query;
struct context;
struct listener;
struct pending;

struct db {
	struct db_env env;
	/* pool.c: the registry; pools made and not yet freed, closing too. */
	struct pool *pools;
	unsigned pools_alive;
	void (*ddl_hook)(struct pool *p, const char *sql);
	void (*open_hook)(struct pool *p);
	struct query *queries;          /* query.c: running and waiting */
	struct context *contexts;       /* context.c */
	struct listener *listeners;     /* listen.c */
	struct pending *trust_pendings; /* tunnel-trust.c: host keys being trusted */
	int utf8_encoding;              /* libpq's number for UTF8 */
	struct store_globals store;     /* store*.c: the result store */
};
