/* An in-process tuskd for fuzz targets: the daemon's real pieces (SQLite
 * storage and settings in a temporary data dir, worker threads, the history
 * writer, the server listening on a socket there, the keyring falling back
 * to session memory) on a real event base, and clients on socketpairs.
 * There is no PostgreSQL: what needs one answers its error. Defines what
 * daemon/main.c defines (the `tuskd` global) so the daemon's sources link. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct client;

/* The private environment alone (HOME, XDG dirs, no PG* variables, no
 * keyring service), made once; returns its temporary directory. */
const char *fuzz_environment(void);
/* Start it (once; later calls do nothing). Everything is removed at exit. */
void fuzz_daemon_start(void);
/* Stop and start it again on a fresh data dir: no state survives. */
void fuzz_daemon_restart(void);
/* Put every setting back to its default. */
void fuzz_daemon_reset_settings(void);

/* One client connected through a socketpair: what the daemon sends it is
 * collected in out. */
struct fuzz_conn {
	struct client *client;
	int peer;
	char *out;
	size_t len, cap;
	bool timed_out;
};

void fuzz_conn_open(struct fuzz_conn *fc);
/* Send data and run the loop until every request is answered and every
 * byte sent and read, or timeout_ms passed (then timed_out is set and out
 * is cut after its last complete line). */
void fuzz_conn_talk(struct fuzz_conn *fc, const void *data, size_t len, unsigned timeout_ms);
/* Disconnect (the daemon sees the client go) and free out. */
void fuzz_conn_close(struct fuzz_conn *fc);
