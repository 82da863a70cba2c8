/* The daemon's process-wide state. One instance, owned by main.c; every
 * module reaches it through the global `tuskd`. Loop thread only, except
 * where a field says otherwise. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/clock.h"

struct worker_pool;
struct server;
struct Storage;
struct Settings;
struct history;

struct tuskd {
	struct event_base *base;
	struct server *server;
	struct worker_pool *workers;
	struct Storage *storage;
	struct Settings *settings;
	struct history *history; /* query history writer (storage/history.h) */
	struct db *db;           /* the db library's instance (db/env.h: db_new) */

	char *socket_path;
	char *data_dir;
	char *state_dir;
	uint64_t started_us; /* monotonic */
	bool socket_activated;
	bool stopping;
	bool validate_replies; /* TUSK_VALIDATE_REPLIES: check results against the schema */
	bool debug_methods;    /* --debug-methods or TUSK_DEBUG_METHODS=1: debug.* exist */
	const char *keyring_state;
};

extern struct tuskd tuskd;

/* Begin a graceful stop on the next loop turn: no new clients, finish
 * replies and worker jobs, close storage, remove the socket. */
void tuskd_request_stop(const char *why);

/* CLOCK_MONOTONIC in µs (common/clock.h). */
static inline uint64_t tuskd_now_us(void)
{
	return tusk_mono_us();
}
