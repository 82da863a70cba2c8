/* tuskd: the per-user Tusk daemon. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/paths.h"
#include "daemon/db/env.h"
#include "daemon/db/pool.h"
#include "daemon/db/query.h"
#include "daemon/db/store.h"
#include "daemon/keyring-probe.h"
#include "daemon/keyring.h"
#include "daemon/rpc.h"
#include "daemon/server.h"
#include "daemon/session.h"
#include "daemon/storage/history.h"
#include "daemon/storage/settings.h"
#include "daemon/storage/storage.h"
#include "daemon/tuskd.h"
#include "daemon/wire.h"
#include "daemon/worker/worker.h"

struct tuskd tuskd = {.keyring_state = "unknown"};

static struct event *stop_event;
static struct event *janitor_event;

#define JANITOR_INTERVAL_SEC 5

/* Periodic work in one place, as PgBouncer's janitor: pool health checks
 * now, idle contexts and history retention as they arrive. */
static void on_janitor(evutil_socket_t fd, short what, void *data)
{
	pool_janitor(tuskd.db);
	TuskError e = TUSK_ERROR_INIT;
	if (tuskd.history && history_apply_retention(
	                         tuskd.history, settings_int(tuskd.settings, "history.max_entries"),
	                         settings_int(tuskd.settings, "history.retention_days"), &e) < 0)
		log_warn("history", "retention: %s", tusk_error_message(&e));
	tusk_error_clear(&e);
	if (tuskd.history && history_take_error(tuskd.history, &e))
		log_warn("history", "writing query history failed: %s", tusk_error_message(&e));
	tusk_error_clear(&e);
}

static void on_stop(evutil_socket_t fd, short what, void *data)
{
	event_base_loopexit(tuskd.base, NULL);
}

void tuskd_request_stop(const char *why)
{
	if (tuskd.stopping)
		return;
	tuskd.stopping = true;
	log_info("tuskd", "stopping (%s)", why);
	sd_notify(0, "STOPPING=1");
	server_stop_accepting(tuskd.server);
	event_active(stop_event, 0, 0);
}

static void on_signal(evutil_socket_t sig, short what, void *data)
{
	if (sig == SIGHUP) {
		log_info("tuskd", "SIGHUP: reopening the log file");
		tusk_log_reopen();
		return;
	}
	tuskd_request_stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: tuskd [OPTION]...\n"
	        "The Tusk daemon: owns connection pools, queries, history and\n"
	        "credentials for one user, and serves tuskctl and the Tusk window.\n\n"
	        "  --socket PATH      listen on PATH (default $TUSK_SOCKET, else\n"
	        "                     $XDG_RUNTIME_DIR/tusk/tuskd.sock)\n"
	        "  --data-dir DIR     keep tusk.db in DIR (default $TUSK_DATA_DIR, else\n"
	        "                     $XDG_DATA_HOME/tusk)\n"
	        "  --log-level SPEC   e.g. info or warn,db=debug (default $TUSK_LOG, else info)\n"
	        "  --foreground       accepted for clarity; tuskd always runs in the foreground\n"
	        "  --debug-methods    offer the debug.* methods (tests only; also\n"
	        "                     TUSK_DEBUG_METHODS=1)\n"
	        "  --version          print the version and exit\n"
	        "  --help             print this help and exit\n");
}

struct options {
	char *socket;
	char *data_dir;
	const char *log_spec;
	bool debug_methods;
};

/* Returns 0 to run, 1 to exit 0 at once, -1 for a usage error. */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_SOCKET = 256,
		OPT_DATA_DIR,
		OPT_LOG_LEVEL,
		OPT_FOREGROUND,
		OPT_VERSION,
		OPT_DEBUG_METHODS
	};
	static const struct option longopts[] = {
	    {"socket", required_argument, NULL, OPT_SOCKET},
	    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
	    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	    {"foreground", no_argument, NULL, OPT_FOREGROUND},
	    {"debug-methods", no_argument, NULL, OPT_DEBUG_METHODS},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			free(o->socket);
			o->socket = strdup(optarg);
			break;
		case OPT_DATA_DIR:
			free(o->data_dir);
			o->data_dir = strdup(optarg);
			break;
		case OPT_LOG_LEVEL:
			o->log_spec = optarg;
			break;
		case OPT_FOREGROUND:
			break;
		case OPT_DEBUG_METHODS:
			o->debug_methods = true;
			break;
		case OPT_VERSION:
			printf("tuskd %s\n", TUSK_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tuskd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int fail(const char *what, const TuskError *e)
{
	log_error("tuskd", "%s: %s", what, tusk_error_message(e));
	fprintf(stderr, "tuskd: %s\n", tusk_error_message(e));
	return 1;
}

/* retention_days 0 keeps every old file (the settings are not read yet). */
static int open_log(unsigned retention_days)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_free_ char *dir = tusk_path_log_dir(&e);
	if (!dir) {
		log_warn("tuskd", "logging to the console only: %s", tusk_error_message(&e));
		tusk_error_clear(&e);
		return -1;
	}
	return tusk_log_open_file(dir, "tuskd.log", retention_days);
}

/* libpq fills every keyword a connection leaves unset from PG* variables
 * of the process that connects. In tuskd that would be whoever started it,
 * not the client asking: a transient connection must see the client's
 * environment (sent with the request) and libpq's compiled-in defaults
 * only. So tuskd drops its own PG* variables before any connection. */
static void forget_pg_environment(void)
{
	extern char **environ;
	for (;;) {
		char name[256] = "";
		for (char **v = environ; v && *v; v++) {
			const char *eq = strchr(*v, '=');
			if (strncmp(*v, "PG", 2) == 0 && eq && (size_t)(eq - *v) < sizeof(name)) {
				memcpy(name, *v, (size_t)(eq - *v));
				name[eq - *v] = '\0';
				break;
			}
		}
		if (!name[0] || unsetenv(name) < 0)
			return;
		log_debug("tuskd", "ignoring %s from my own environment", name);
	}
}

/* The result store under the cache dir: results/. */
static int open_store(void)
{
	TuskError e = TUSK_ERROR_INIT;
	_cleanup_free_ char *cache = tusk_path_cache_dir(&e);
	_cleanup_free_ char *dir = NULL;
	if (!cache || asprintf(&dir, "%s/results", cache) < 0 || store_init(tuskd.db, dir, &e) < 0)
		return fail("cannot open the result store", &e);
	return 0;
}

static int run(struct options *o)
{
	TuskError e = TUSK_ERROR_INIT;
	int ret = 1;

	tuskd.started_us = tuskd_now_us();
	tuskd.validate_replies = getenv("TUSK_VALIDATE_REPLIES") != NULL;
	const char *dbg = getenv("TUSK_DEBUG_METHODS");
	tuskd.debug_methods = o->debug_methods || (dbg && *dbg && strcmp(dbg, "0") != 0);
	forget_pg_environment();

	/* The daily file opens first, so what start-up says (a corrupt database
	 * moved aside, storage falling back to memory, a failure) is in it. */
	open_log(0);
	tuskd.socket_path = o->socket ? strdup(o->socket) : tusk_path_socket(&e);
	tuskd.data_dir = o->data_dir ? strdup(o->data_dir) : tusk_path_data_dir(&e);
	if (!tuskd.socket_path || !tuskd.data_dir)
		return fail("cannot find my places", &e);
	if (tusk_mkdir_p(tuskd.data_dir, 0700, &e) < 0)
		return fail("cannot create the data directory", &e);

	_cleanup_free_ char *db_path = NULL;
	if (asprintf(&db_path, "%s/tusk.db", tuskd.data_dir) < 0)
		return 1;
	tuskd.storage = storage_open(db_path, &e);
	if (!tuskd.storage)
		return fail("cannot open local storage", &e);
	if (storage_warning(tuskd.storage))
		log_warn("storage", "%s", storage_warning(tuskd.storage));
	tuskd.settings = settings_new(tuskd.storage, &e);
	if (!tuskd.settings) {
		storage_close(tuskd.storage);
		return fail("cannot load settings", &e);
	}
	/* Again with the retention the settings ask for (old files pruned). */
	open_log((unsigned)settings_int(tuskd.settings, "log.retention_days"));

	tuskd.base = event_base_new();
	if (!tuskd.base) {
		fprintf(stderr, "tuskd: cannot create the event loop\n");
		return 1;
	}
	stop_event = event_new(tuskd.base, -1, 0, on_stop, NULL);
	struct event *sigs[] = {
	    evsignal_new(tuskd.base, SIGTERM, on_signal, NULL),
	    evsignal_new(tuskd.base, SIGINT, on_signal, NULL),
	    evsignal_new(tuskd.base, SIGHUP, on_signal, NULL),
	};
	for (size_t i = 0; i < 3; i++)
		event_add(sigs[i], NULL);

	tuskd.workers =
	    worker_pool_new(tuskd.base, (unsigned)settings_int(tuskd.settings, "workers.threads"));
	if (!tuskd.workers) {
		fprintf(stderr, "tuskd: cannot start worker threads\n");
		goto out;
	}
	tuskd.history = history_new(tuskd.storage, tuskd.base, tuskd.workers, &e);
	if (!tuskd.history) {
		fail("cannot start the history writer", &e);
		goto out;
	}
	tuskd.server = server_new(tuskd.base, tuskd.socket_path, &e);
	if (!tuskd.server) {
		fail("cannot listen", &e);
		goto out;
	}
	tuskd.socket_activated = server_socket_activated(tuskd.server);
	if (tuskd_wire_db() < 0) {
		fprintf(stderr, "tuskd: out of memory\n");
		goto out;
	}
	rpc_schema_init();
	if (open_store() < 0)
		goto out;
	/* keyring.c keeps tuskd.keyring_state current and logs changes. */
	keyring_probe_in_child("/proc/self/exe");
	keyring_init(tuskd.workers, NULL, NULL);
	/* Connections open when tuskd last stopped, and lost transactions. */
	session_restore();
	janitor_event = event_new(tuskd.base, -1, EV_PERSIST, on_janitor, NULL);
	event_add(janitor_event, &(struct timeval){.tv_sec = JANITOR_INTERVAL_SEC});

	log_info("tuskd", "tuskd %s ready on %s%s (pid %d, data %s, storage %s) in %.1f ms",
	         TUSK_VERSION, server_path(tuskd.server),
	         tuskd.socket_activated ? " (socket-activated)" : "", (int)getpid(), tuskd.data_dir,
	         storage_state_name(storage_state(tuskd.storage)),
	         (double)(tuskd_now_us() - tuskd.started_us) / 1000.0);
	sd_notifyf(0, "READY=1\nSTATUS=Serving %s\nMAINPID=%d", server_path(tuskd.server),
	           (int)getpid());

	event_base_dispatch(tuskd.base);
	ret = 0;
out:
	tuskd.stopping = true;
	server_stop_accepting(tuskd.server);
	if (janitor_event)
		event_free(janitor_event);
	/* Queries still running are cancelled and their clients told; pools
	 * close; then the loop runs a little longer (at most 2 s) so that
	 * cancels, rollbacks and session resets finish and every backend is
	 * given back before anything is freed. */
	if (tuskd.db) {
		query_cancel_all(tuskd.db);
		pool_close_all(tuskd.db);
	}
	uint64_t drain_until = tuskd_now_us() + 2000000u;
	while (tuskd.db && pool_alive_count(tuskd.db) > 0 && tuskd_now_us() < drain_until) {
		event_base_loopexit(tuskd.base, &(struct timeval){.tv_usec = 20000});
		event_base_dispatch(tuskd.base);
	}
	/* Workers finish first: their done callbacks still reply to clients.
	 * The store writes what is left itself, then keeps complete results. */
	if (tuskd.db)
		store_stop(tuskd.db);
	rpc_store_stop();
	worker_pool_free(tuskd.workers);
	rpc_workspace_shutdown();
	session_free();
	if (tuskd.db)
		store_free(tuskd.db);
	/* After the workers (the last job's callbacks are answered), before
	 * the server (queued history callbacks still reply) and storage. */
	history_free(tuskd.history);
	tuskd.history = NULL;
	keyring_shutdown();
	server_free(tuskd.server);
	/* Last of the db library: nothing above refers to it any more. */
	db_free(tuskd.db);
	tuskd.db = NULL;
	settings_free(tuskd.settings);
	storage_close(tuskd.storage);
	for (size_t i = 0; i < 3; i++)
		event_free(sigs[i]);
	event_free(stop_event);
	event_base_free(tuskd.base);
	log_info("tuskd", "stopped");
	tusk_log_close();
	free(tuskd.socket_path);
	free(tuskd.data_dir);
	tusk_error_clear(&e);
	return ret;
}

int main(int argc, char **argv)
{
	/* The start-up keyring probe's child (keyring-probe.h). */
	if (argc == 2 && strcmp(argv[1], KEYRING_PROBE_ARG) == 0)
		return keyring_probe_main();
	struct options o = {0};
	int r = parse_args(argc, argv, &o);
	if (r != 0) {
		free(o.socket);
		free(o.data_dir);
		return r > 0 ? 0 : 2;
	}
	const char *spec = o.log_spec ? o.log_spec : getenv("TUSK_LOG");
	if (spec && tusk_log_set_spec(spec) < 0) {
		fprintf(stderr,
		        "tuskd: invalid log level '%s' (use error, warn, info, debug or "
		        "trace, e.g. info,db=debug)\n",
		        spec);
		free(o.socket);
		free(o.data_dir);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	r = run(&o);
	free(o.socket);
	free(o.data_dir);
	return r;
}
