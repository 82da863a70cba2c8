/* The in-process daemon of the fuzz targets (fuzz-daemon.h). Start and stop
 * follow daemon/main.c's run(). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/log.h"
#include "common/paths.h"
#include "daemon/db/env.h"
#include "daemon/db/pool.h"
#include "daemon/db/query.h"
#include "daemon/keyring.h"
#include "daemon/rpc.h"
#include "daemon/server-internal.h"
#include "daemon/storage/history.h"
#include "daemon/storage/settings.h"
#include "daemon/storage/storage.h"
#include "daemon/tuskd.h"
#include "daemon/wire.h"
#include "daemon/worker/worker.h"
#include "tests/fuzz/fuzz-daemon.h"

struct tuskd tuskd = {.keyring_state = "unknown"};

static char *top_dir;
static unsigned generation;
static bool started;

/* daemon.shutdown: a real tuskd would stop; this one keeps serving the
 * next input. */
void tuskd_request_stop(const char *why) {}

static void die(const char *what, const TuskError *e)
{
	fprintf(stderr, "fuzz-daemon: %s: %s\n", what, e ? tusk_error_message(e) : strerror(errno));
	abort();
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void remove_top(void)
{
	if (top_dir)
		nftw(top_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(top_dir);
	top_dir = NULL;
}

/* A private HOME, XDG dirs, no keyring service to reach (the memory
 * fallback serves), no PG* defaults from whoever runs the fuzzer. */
static void environment(void)
{
	char tmpl[] = "/tmp/tusk-fuzz.XXXXXX";
	if (!mkdtemp(tmpl))
		die("mkdtemp", NULL);
	top_dir = strdup(tmpl);
	char *v = NULL;
#define SETDIR(name, sub)                                    \
	do {                                                 \
		if (asprintf(&v, "%s/%s", top_dir, sub) < 0) \
			die("asprintf", NULL);               \
		mkdir(v, 0700);                              \
		setenv(name, v, 1);                          \
		free(v);                                     \
	} while (0)
	SETDIR("HOME", "home");
	SETDIR("XDG_RUNTIME_DIR", "run");
	SETDIR("XDG_DATA_HOME", "data");
	SETDIR("XDG_STATE_HOME", "state");
	SETDIR("XDG_CACHE_HOME", "cache");
	SETDIR("XDG_CONFIG_HOME", "config");
#undef SETDIR
	if (asprintf(&v, "unix:path=%s/no-bus", top_dir) < 0)
		die("asprintf", NULL);
	setenv("DBUS_SESSION_BUS_ADDRESS", v, 1);
	free(v);
	static const char *const unset[] = {
	    "TUSK_SOCKET",   "TUSK_DATA_DIR", "TUSK_STATE_DIR", "TUSK_CACHE_DIR", "PGHOST",
	    "PGHOSTADDR",    "PGPORT",        "PGUSER",         "PGDATABASE",     "PGSERVICE",
	    "PGSERVICEFILE", "PGPASSWORD",    "PGPASSFILE",     "PGSYSCONFDIR",   NULL};
	for (const char *const *u = unset; *u; u++)
		unsetenv(*u);
#ifdef FUZZ_CONNINFO_HELPER
	setenv("TUSK_CONNINFO_HELPER", FUZZ_CONNINFO_HELPER, 1);
#endif
	tusk_log_set_spec(getenv("FUZZ_LOG") ? getenv("FUZZ_LOG") : "error");
	atexit(remove_top);
}

const char *fuzz_environment(void)
{
	if (!top_dir)
		environment();
	return top_dir;
}

static void start(void)
{
	TuskError e = TUSK_ERROR_INIT;
	generation++;
	/* debug.* too (debug.history_add fills history with any SQL); the
	 * targets leave out debug.sleep, which holds a worker by design. */
	tuskd = (struct tuskd){.keyring_state = "unknown", .debug_methods = true};
	tuskd.started_us = tuskd_now_us();
	if (asprintf(&tuskd.data_dir, "%s/data-%u", top_dir, generation) < 0 ||
	    asprintf(&tuskd.socket_path, "%s/tuskd-%u.sock", top_dir, generation) < 0)
		die("asprintf", NULL);
	if (tusk_mkdir_p(tuskd.data_dir, 0700, &e) < 0)
		die("data dir", &e);
	char *db = NULL;
	if (asprintf(&db, "%s/tusk.db", tuskd.data_dir) < 0)
		die("asprintf", NULL);
	tuskd.storage = storage_open(db, &e);
	free(db);
	if (!tuskd.storage)
		die("storage", &e);
	tuskd.settings = settings_new(tuskd.storage, &e);
	if (!tuskd.settings)
		die("settings", &e);
	tuskd.base = event_base_new();
	tuskd.workers = worker_pool_new(tuskd.base, 2);
	if (!tuskd.base || !tuskd.workers)
		die("loop or workers", NULL);
	tuskd.history = history_new(tuskd.storage, tuskd.base, tuskd.workers, &e);
	if (!tuskd.history)
		die("history", &e);
	tuskd.server = server_new(tuskd.base, tuskd.socket_path, &e);
	if (!tuskd.server)
		die("server", &e);
	if (tuskd_wire_db() < 0)
		die("db", NULL);
	rpc_schema_init();
	keyring_init(tuskd.workers, NULL, NULL);
}

static void stop(void)
{
	tuskd.stopping = true;
	server_stop_accepting(tuskd.server);
	query_cancel_all(tuskd.db);
	pool_close_all(tuskd.db);
	uint64_t until = tuskd_now_us() + 2000000u;
	while (pool_alive_count(tuskd.db) > 0 && tuskd_now_us() < until) {
		event_base_loopexit(tuskd.base, &(struct timeval){.tv_usec = 20000});
		event_base_dispatch(tuskd.base);
	}
	worker_pool_free(tuskd.workers);
	history_free(tuskd.history);
	keyring_shutdown();
	server_free(tuskd.server);
	db_free(tuskd.db);
	settings_free(tuskd.settings);
	storage_close(tuskd.storage);
	event_base_free(tuskd.base);
	free(tuskd.socket_path);
	free(tuskd.data_dir);
	tuskd = (struct tuskd){.keyring_state = "unknown"};
}

static void stop_at_exit(void)
{
	if (started)
		stop();
	started = false;
}

void fuzz_daemon_start(void)
{
	if (started)
		return;
	fuzz_environment();
	start();
	started = true;
	static bool registered;
	if (!registered)
		atexit(stop_at_exit); /* runs before remove_top */
	registered = true;
}

void fuzz_daemon_restart(void)
{
	if (started)
		stop();
	started = false;
	fuzz_daemon_start();
}

void fuzz_daemon_reset_settings(void)
{
	size_t n;
	const SettingDef *defs = settings_registry(&n);
	for (size_t i = 0; i < n; i++) {
		TuskError e = TUSK_ERROR_INIT;
		if (settings_reset(tuskd.settings, defs[i].key, &e) < 0)
			die("settings_reset", &e);
	}
}

void fuzz_conn_open(struct fuzz_conn *fc)
{
	int sv[2];
	*fc = (struct fuzz_conn){.peer = -1};
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair", NULL);
	fc->client = client_new(tuskd.server, sv[0], getpid());
	if (!fc->client)
		die("client_new", NULL);
	client_ref(fc->client);
	fc->peer = sv[1];
}

static void take_output(struct fuzz_conn *fc)
{
	for (;;) {
		if (fc->cap - fc->len < 65536) {
			fc->cap = fc->cap ? fc->cap * 2 : 131072;
			fc->out = realloc(fc->out, fc->cap);
			if (!fc->out)
				die("realloc", NULL);
		}
		ssize_t n = read(fc->peer, fc->out + fc->len, fc->cap - fc->len);
		if (n <= 0)
			return;
		fc->len += (size_t)n;
	}
}

/* Everything asked was answered, sent and read. */
static bool settled(struct fuzz_conn *fc, size_t written, size_t len)
{
	struct client *c = fc->client;
	if (c->dead)
		return true;
	if (written < len)
		return false;
	int unread = 0, unread_by_daemon = 0;
	ioctl(fc->peer, FIONREAD, &unread);
	ioctl(bufferevent_getfd(c->bev), FIONREAD, &unread_by_daemon);
	return c->pending == 0 && unread == 0 && unread_by_daemon == 0 && !c->read_paused &&
	       evbuffer_get_length(bufferevent_get_input(c->bev)) == 0 &&
	       evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
}

void fuzz_conn_talk(struct fuzz_conn *fc, const void *data, size_t len, unsigned timeout_ms)
{
	uint64_t deadline = tuskd_now_us() + (uint64_t)timeout_ms * 1000u;
	size_t written = 0;
	for (unsigned turn = 0;; turn++) {
		if (written < len) {
			ssize_t n = write(fc->peer, (const char *)data + written, len - written);
			if (n > 0)
				written += (size_t)n;
		}
		if (turn < 8) {
			event_base_loop(tuskd.base, EVLOOP_NONBLOCK);
		} else {
			/* Waiting for a worker or a timer: sleep in the loop. */
			event_base_loopexit(tuskd.base, &(struct timeval){.tv_usec = 1000});
			event_base_dispatch(tuskd.base);
		}
		take_output(fc);
		if (settled(fc, written, len)) {
			/* One more turn for what the last callbacks queued. */
			event_base_loop(tuskd.base, EVLOOP_NONBLOCK);
			take_output(fc);
			if (settled(fc, written, len))
				return;
		}
		if (tuskd_now_us() > deadline)
			break;
	}
	fc->timed_out = true;
	while (fc->len > 0 && fc->out[fc->len - 1] != '\n')
		fc->len--;
}

void fuzz_conn_close(struct fuzz_conn *fc)
{
	if (fc->client) {
		client_close(fc->client, false);
		client_unref(fc->client);
	}
	if (fc->peer >= 0)
		close(fc->peer);
	/* Let the daemon finish with the client (cancels, rollbacks). */
	event_base_loop(tuskd.base, EVLOOP_NONBLOCK);
	free(fc->out);
	*fc = (struct fuzz_conn){.peer = -1};
}
