/* Reaching the daemon: connect to its socket, and when nothing answers,
 * start tuskd detached (as gpg-agent and tmux do) and wait for it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client-cli/tuskctl.h"
#include "common/cleanup.h"
#include "common/paths.h"
#include "protocol/jsonrpc.h"

#define AUTOSTART_WAIT_MS 2000

static bool is_executable(const char *path)
{
	return path && access(path, X_OK) == 0;
}

/* $TUSK_DAEMON, beside tuskctl, the build tree's ../daemon/tuskd, PATH. */
static char *find_daemon(void)
{
	const char *env = getenv("TUSK_DAEMON");
	if (env && *env)
		return strdup(env);

	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		_cleanup_free_ char *dir = tusk_path_dirname(self);
		const char *rel[] = {"tuskd", "../daemon/tuskd"};
		for (size_t i = 0; i < 2; i++) {
			char *p = NULL;
			if (asprintf(&p, "%s/%s", dir, rel[i]) < 0)
				return NULL;
			if (is_executable(p))
				return p;
			free(p);
		}
	}
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	_cleanup_free_ char *copy = strdup(path);
	char *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = NULL;
		if (asprintf(&p, "%s/tuskd", d) < 0)
			return NULL;
		if (is_executable(p))
			return p;
		free(p);
	}
	return NULL;
}

/* Double fork so tuskd is nobody's child and outlives us. */
static int spawn_daemon(const char *daemon, const char *socket_path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		/* GnuTLS (linked through libpq -> libldap, never called by
		 * tuskd itself) would initialise itself at load: ~1 MiB resident
		 * and ~0.8 M instructions of start-up for nothing. libldap still
		 * initialises it when an LDAP lookup needs it. */
		setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0);
		execl(daemon, "tuskd", "--socket", socket_path, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

static TuskClient *try_connect(const char *path, int *err, TuskError *e)
{
	tusk_error_clear(e);
	return tusk_client_connect(path, err, e);
}

int ctl_connect(struct ctl *ctl)
{
	TuskError e = TUSK_ERROR_INIT;
	int err = 0;

	if (ctl->client)
		return EXIT_OK;
	ctl->client = try_connect(ctl->socket_path, &err, &e);
	if (!ctl->client && ctl->autostart && (err == ENOENT || err == ECONNREFUSED)) {
		_cleanup_free_ char *daemon = find_daemon();
		if (!daemon) {
			fprintf(stderr,
			        "tuskctl: no tuskd answers on %s and none was found to "
			        "start (set TUSK_DAEMON or put tuskd on PATH)\n",
			        ctl->socket_path);
			tusk_error_clear(&e);
			return EXIT_UNREACHABLE;
		}
		if (spawn_daemon(daemon, ctl->socket_path) < 0) {
			fprintf(stderr, "tuskctl: cannot start %s: %s\n", daemon, strerror(errno));
			tusk_error_clear(&e);
			return EXIT_UNREACHABLE;
		}
		for (int waited = 0; !ctl->client && waited < AUTOSTART_WAIT_MS; waited += 10) {
			nanosleep(&(struct timespec){.tv_nsec = 10 * 1000000}, NULL);
			ctl->client = try_connect(ctl->socket_path, &err, &e);
		}
	}
	if (!ctl->client) {
		fprintf(stderr, "tuskctl: tuskd is not reachable: %s\n", tusk_error_message(&e));
		if (!ctl->autostart)
			fprintf(stderr, "tuskctl: (not starting one: --no-autostart)\n");
		tusk_error_clear(&e);
		return EXIT_UNREACHABLE;
	}

	json_t *result = NULL;
	json_t *params = tusk_req_daemon_hello("tuskctl " TUSK_VERSION, TUSK_PROTOCOL_VERSION);
	if (tusk_client_call(ctl->client, TUSK_M_DAEMON_HELLO, params, &result, NULL, NULL,
	                     ctl->timeout_ms, &e) < 0) {
		fprintf(stderr, "tuskctl: the daemon on %s refused the connection\n",
		        ctl->socket_path);
		ctl_print_error(&e);
		tusk_error_clear(&e);
		tusk_client_free(ctl->client);
		ctl->client = NULL;
		return EXIT_UNREACHABLE;
	}
	json_decref(result);
	return EXIT_OK;
}

int ctl_exit_status(const struct ctl *ctl, const TuskError *e)
{
	if (tusk_client_error_from_daemon(ctl->client))
		return EXIT_DAEMON_ERROR;
	return e->kind == TUSK_ERR_IO ? EXIT_UNREACHABLE : EXIT_DAEMON_ERROR;
}

int ctl_call(struct ctl *ctl, const char *method, json_t *params, json_t **ret_result)
{
	TuskError e = TUSK_ERROR_INIT;
	int r = ctl_connect(ctl);
	if (r != EXIT_OK) {
		json_decref(params);
		return r;
	}
	if (tusk_client_call(ctl->client, method, params, ret_result, NULL, NULL, ctl->timeout_ms,
	                     &e) < 0) {
		r = ctl_exit_status(ctl, &e);
		ctl_print_error(&e);
		tusk_error_clear(&e);
		return r;
	}
	return EXIT_OK;
}
