#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol/schema.h"
#include "tests/lib/tt.h"

double tt_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int try_connect(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Fork and exec $TUSKD on d's dirs with extra_env; its output to d's log,
 * opened with log_flags. Returns once the socket answers. */
static void spawn(struct tt_daemon *d, const char *const *extra_env, int log_flags)
{
	const char *tuskd = getenv("TUSKD");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char state[300], cache[300];
		snprintf(state, sizeof(state), "%s/state", d->dir);
		snprintf(cache, sizeof(cache), "%s/cache", d->dir);
		setenv("TUSK_STATE_DIR", state, 1);
		setenv("TUSK_CACHE_DIR", cache, 1);
		setenv("TUSK_VALIDATE_REPLIES", "1", 1);
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_PID");
		for (const char *const *env = extra_env; env && *env; env++) {
			const char *eq = strchr(*env, '=');
			if (eq && eq[1] == '\0') {
				/* "NAME=" removes NAME: e.g. no session bus. */
				char name[128];
				snprintf(name, sizeof(name), "%.*s", (int)(eq - *env), *env);
				unsetenv(name);
			} else {
				putenv((char *)*env);
			}
		}
		int log = open(d->log_path, O_WRONLY | O_CLOEXEC | log_flags, 0600);
		if (log >= 0) {
			dup2(log, 1);
			dup2(log, 2);
		}
		execl(tuskd, "tuskd", "--socket", d->socket, "--data-dir", d->data_dir,
		      (char *)NULL);
		_exit(127);
	}
	d->pid = pid;
	for (int i = 0; i < 1000; i++) {
		int fd = try_connect(d->socket);
		if (fd >= 0) {
			close(fd);
			return;
		}
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid)
			ck_abort_msg("tuskd exited early (status %d); see %s", status, d->log_path);
		usleep(10000);
	}
	ck_abort_msg("tuskd did not answer on %s within 10 s", d->socket);
}

void tt_daemon_start(struct tt_daemon *d, const char *const *extra_env)
{
	const char *tuskd = getenv("TUSKD");
	ck_assert_msg(tuskd && *tuskd, "TUSKD must name the tuskd binary (ctest sets it)");
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/tusk-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d->dir));
	snprintf(d->socket, sizeof(d->socket), "%s/run/tuskd.sock", d->dir);
	snprintf(d->data_dir, sizeof(d->data_dir), "%s/data", d->dir);
	snprintf(d->log_path, sizeof(d->log_path), "%s/stderr.log", d->dir);
	spawn(d, extra_env, O_CREAT | O_TRUNC);
}

void tt_daemon_respawn(struct tt_daemon *d, const char *const *extra_env)
{
	unlink(d->socket);
	/* Append: the first run's log stays for the tests that read it. */
	spawn(d, extra_env, O_CREAT | O_APPEND);
}

void tt_daemon_restart(struct tt_daemon *d, const char *const *extra_env)
{
	int status = -1;
	kill(d->pid, SIGTERM);
	ck_assert_int_eq(waitpid(d->pid, &status, 0), d->pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	              "tuskd did not stop cleanly (status %d); see %s", status, d->log_path);
	tt_daemon_respawn(d, extra_env);
}

int tt_daemon_stop(struct tt_daemon *d)
{
	int status = -1;
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		for (int i = 0; i < 1000; i++) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid)
				break;
			usleep(10000);
		}
		if (waitpid(d->pid, &status, WNOHANG) == 0) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* Show what the daemon said (sanitizer reports land here). */
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "cat %s >&2", d->log_path);
		(void)!system(cmd);
	}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
	(void)!system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int tt_daemon_open(struct tt_daemon *d, const char *const *extra_env)
{
	tt_daemon_start(d, extra_env);
	return tt_connect(d->socket);
}

void tt_daemon_close(struct tt_daemon *d, int fd)
{
	close(fd);
	ck_assert_msg(tt_daemon_stop(d) == 0, "tuskd did not stop cleanly");
}

int tt_connect(const char *socket_path)
{
	int fd = try_connect(socket_path);
	ck_assert_msg(fd >= 0, "cannot connect to %s: %s", socket_path, strerror(errno));
	return fd;
}

void tt_send(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "send failed: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

void tt_send_str(int fd, const char *s)
{
	tt_send(fd, s, strlen(s));
}

json_t *tt_read(int fd, int timeout_ms)
{
	/* Peek, then read exactly up to the newline: no state is kept
	 * between calls (tests close and reuse descriptors), yet a 17 MiB
	 * reply is not read one byte per system call. */
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	char chunk[65536];
	double deadline = tt_now_ms() + timeout_ms;
	for (;;) {
		int left = (int)(deadline - tt_now_ms());
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		ssize_t n = recv(fd, chunk, sizeof(chunk), MSG_PEEK);
		if (n <= 0)
			break;
		char *nl = memchr(chunk, '\n', (size_t)n);
		size_t take = nl ? (size_t)(nl - chunk) + 1 : (size_t)n;
		if (read(fd, chunk, take) != (ssize_t)take)
			break;
		if (len + take + 1 > cap) {
			while (len + take + 1 > cap)
				cap *= 2;
			buf = realloc(buf, cap);
		}
		memcpy(buf + len, chunk, take);
		len += take;
		if (nl) {
			json_error_t jerr;
			json_t *v = json_loadb(buf, len - 1, 0, &jerr);
			ck_assert_msg(v, "daemon sent a line that is not JSON: %.*s",
			              (int)(len - 1), buf);
			free(buf);
			return v;
		}
	}
	free(buf);
	return NULL;
}

void tt_send_json(int fd, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	ck_assert_ptr_nonnull(s);
	tt_send_str(fd, s);
	tt_send_str(fd, "\n");
	free(s);
}

json_t *tt_call(int fd, int id, const char *method, json_t *params)
{
	json_t *req = json_pack("{s:s, s:i, s:s}", "jsonrpc", "2.0", "id", id, "method", method);
	if (params)
		json_object_set_new(req, "params", params);
	tt_send_json(fd, req);
	for (;;) {
		/* Generous: a 10,000-table schema refresh under ASan on a busy
		 * 2-core machine takes well over ten seconds. A reply that never
		 * comes still fails the test. */
		json_t *reply = tt_read(fd, 120000);
		ck_assert_msg(reply, "no reply to %s", method);
		json_t *rid = json_object_get(reply, "id");
		if (json_is_integer(rid) && json_integer_value(rid) == id) {
			json_t *result = json_object_get(reply, "result");
			if (result) {
				TuskError e = TUSK_ERROR_INIT;
				ck_assert_msg(tusk_schema_validate_result(method, result, &e) == 0,
				              "%s reply does not match the schema: %s", method,
				              tusk_error_message(&e));
			}
			return reply;
		}
		json_decref(reply); /* a notification or another reply */
	}
}

int tt_error_code(const json_t *reply)
{
	json_t *err = json_object_get(reply, "error");
	return err ? (int)json_integer_value(json_object_get(err, "code")) : 0;
}

const char *tt_error_kind(const json_t *reply)
{
	return json_string_value(
	    json_object_get(json_object_get(json_object_get(reply, "error"), "data"), "kind"));
}

const json_t *tt_result_of(const json_t *reply)
{
	const json_t *r = json_object_get(reply, "result");
	if (!r)
		ck_abort_msg("call failed: %s", json_dumps(reply, JSON_COMPACT));
	return r;
}

const json_t *tt_error_data(const json_t *reply, int code)
{
	const json_t *data = json_object_get(json_object_get(reply, "error"), "data");
	if (!data || (code && tt_error_code(reply) != code))
		ck_abort_msg("expected error %d, got: %s", code, json_dumps(reply, JSON_COMPACT));
	return data;
}

bool tt_ping(int fd, int timeout_ms)
{
	static int id = 900000;
	char line[128];
	snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"daemon.ping\"}\n",
	         ++id);
	tt_send_str(fd, line);
	json_t *reply = tt_read(fd, timeout_ms);
	bool ok = reply && json_integer_value(json_object_get(reply, "id")) == id &&
	          json_is_true(json_object_get(json_object_get(reply, "result"), "pong"));
	json_decref(reply);
	return ok;
}
