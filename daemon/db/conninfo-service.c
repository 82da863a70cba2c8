/* Running tusk-conninfo (conninfo-helper.c) for one service lookup: spawn
 * it with its own environment, feed it the keywords on a pipe, read its
 * JSON answer, and never wait longer than CONNINFO_HELPER_TIMEOUT_MS.
 * Called on a worker thread; posix_spawn is safe there (no fork of a
 * threaded process running arbitrary code). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/db/conninfo.h"

#define MAX_REPLY_BYTES (1024 * 1024)

/* Where the build may say the install puts it; the search below finds it
 * anyway for the usual layouts. */
#ifndef TUSK_CONNINFO_HELPER
#define TUSK_CONNINFO_HELPER "/usr/libexec/tusk-conninfo"
#endif

/* $TUSK_CONNINFO_HELPER, else beside the running tuskd (the build tree),
 * in ../libexec or ../libexec/tusk from it (an install), else the built-in
 * path. */
static char *helper_path(void)
{
	static const char *const rel[] = {"", "/../libexec", "/../libexec/tusk"};
	const char *env = getenv("TUSK_CONNINFO_HELPER");
	if (env && *env)
		return strdup(env);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
	for (size_t i = 0; slash && i < sizeof(rel) / sizeof(*rel); i++) {
		char *p = NULL;
		if (asprintf(&p, "%.*s%s/tusk-conninfo", (int)(slash - self), self, rel[i]) < 0)
			return NULL;
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return strdup(TUSK_CONNINFO_HELPER);
}

static const char *env_value(const json_t *env, const char *name)
{
	if (env)
		return json_string_value(json_object_get(env, name));
	return getenv(name);
}

struct envp {
	char *vars[8];
	size_t n;
};

static void envp_done(struct envp *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		free(ev->vars[i]);
}

static int envp_add(struct envp *ev, const char *name, const char *value)
{
	if (!value)
		return 0;
	if (ev->n + 1 >= sizeof(ev->vars) / sizeof(*ev->vars) ||
	    asprintf(&ev->vars[ev->n], "%s=%s", name, value) < 0)
		return -1;
	ev->vars[++ev->n] = NULL;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events until deadline; 1 ready, 0 timeout. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int write_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		int r = wait_fd(fd, POLLOUT, deadline);
		if (r <= 0)
			return r == 0 ? -ETIMEDOUT : r;
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

/* Read to EOF into buf (NUL-terminated); returns the length or -errno. */
static ssize_t read_all(int fd, char *buf, size_t size, int64_t deadline)
{
	size_t len = 0;
	for (;;) {
		int r = wait_fd(fd, POLLIN, deadline);
		if (r <= 0)
			return r == 0 ? -ETIMEDOUT : r;
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n > 0)
			len += (size_t)n;
		if (len >= size - 1)
			return -EMSGSIZE;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static pid_t spawn(const char *path, char *const *envp, int in_fd, int out_fd, int *ret_errno)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, deflt;
	char *argv[] = {"tusk-conninfo", NULL};
	pid_t pid = -1;

	sigemptyset(&none);
	/* tuskd ignores SIGPIPE; an ignored signal would stay ignored. */
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGALRM);
	sigaddset(&deflt, SIGTERM);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	*ret_errno = posix_spawn(&pid, path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return *ret_errno ? -1 : pid;
}

static int reap(pid_t pid, bool kill_it)
{
	int status = 0;
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* Talk to one helper: input in, reply out (erased and freed by caller). */
static int run_helper(const char *input, char *const *envp, char **ret_reply, TuskError *e)
{
	_cleanup_free_ char *path = helper_path();
	_cleanup_close_ int in_r = -1, in_w = -1, out_r = -1, out_w = -1;
	int fds[2], err = 0;
	int64_t deadline = now_ms() + CONNINFO_HELPER_TIMEOUT_MS;

	if (!path)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return tusk_error_from_errno(e, errno, "pipe");
	in_r = fds[0], in_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return tusk_error_from_errno(e, errno, "pipe");
	out_r = fds[0], out_w = fds[1];

	pid_t pid = spawn(path, envp, in_r, out_w, &err);
	if (pid < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL,
		                      "cannot run the service-file helper %s: %s", path,
		                      strerror(err));
	close(TAKE_FD(in_r));
	close(TAKE_FD(out_w));
	fcntl(in_w, F_SETFL, O_NONBLOCK);

	int r = write_all(in_w, input, strlen(input), deadline);
	close(TAKE_FD(in_w));
	char *reply = r < 0 ? NULL : malloc(MAX_REPLY_BYTES);
	ssize_t len = reply ? read_all(out_r, reply, MAX_REPLY_BYTES, deadline) : -ENOMEM;
	int status = reap(pid, len < 0);
	if (r < 0 || len < 0) {
		if (reply) {
			explicit_bzero(reply, MAX_REPLY_BYTES);
			free(reply);
		}
		int why = r < 0 ? -r : (int)-len;
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "the service-file helper failed: %s",
		                      why == ETIMEDOUT ? "it did not answer in time"
		                                       : strerror(why));
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		explicit_bzero(reply, (size_t)len);
		free(reply);
		return tusk_error_set(e, TUSK_ERR_INTERNAL,
		                      "the service-file helper failed (status %d)", status);
	}
	*ret_reply = reply;
	return 0;
}

int conninfo_expand_service(const json_t *explicit, const json_t *env, json_t **ret_values,
                            char **ret_password, TuskError *e)
{
	struct envp ev = {.vars = {NULL}};
	_cleanup_free_ char *input = json_dumps(explicit, JSON_COMPACT);
	char *reply = NULL;
	int r;

	if (!input || envp_add(&ev, "PGSERVICEFILE", env_value(env, "PGSERVICEFILE")) < 0 ||
	    envp_add(&ev, "PGSYSCONFDIR", env_value(env, "PGSYSCONFDIR")) < 0 ||
	    envp_add(&ev, "HOME", getenv("HOME")) < 0 ||
	    envp_add(&ev, "PGPASSFILE", "/dev/null") < 0) {
		envp_done(&ev);
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	r = run_helper(input, ev.vars, &reply, e);
	envp_done(&ev);
	if (r < 0)
		return -1;

	size_t len = strlen(reply);
	_cleanup_json_ json_t *out = json_loadb(reply, len, JSON_REJECT_DUPLICATES, NULL);
	explicit_bzero(reply, len);
	free(reply);
	json_t *values = json_object_get(out, "values");
	const char *error = json_string_value(json_object_get(out, "error"));
	if (error)
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT, "service: %s", error);
	if (!json_is_object(values))
		return tusk_error_set(e, TUSK_ERR_INTERNAL,
		                      "the service-file helper gave an unreadable answer");

	json_t *pw = json_object_get(values, "password");
	char *password = NULL;
	if (json_is_string(pw)) {
		password = strdup(json_string_value(pw));
		explicit_bzero((char *)json_string_value(pw), json_string_length(pw));
		if (!password)
			return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	}
	json_object_del(values, "password");
	*ret_values = json_incref(values);
	*ret_password = password;
	return 0;
}
