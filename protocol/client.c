/* The blocking client: one request outstanding at a time, poll() for every
 * wait so a timeout covers the whole exchange, sends with MSG_NOSIGNAL so a
 * daemon that went away is an error and not a SIGPIPE. */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "common/cleanup.h"
#include "protocol/client.h"
#include "protocol/jsonrpc.h"

#define READ_CHUNK (64 * 1024)

struct TuskClient {
	int fd;
	TuskLineReader *reader;
	long long next_id;
	bool error_from_daemon; /* the last failed call got an error reply */
	json_t *kept_reply;     /* read by tusk_client_write_pumping */
	TuskLineFn line_hook;
	void *line_hook_ud;
};

TuskClient *tusk_client_connect(const char *path, int *ret_errno, TuskError *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		err = ENAMETOOLONG;
		goto fail;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINTR) {
			err = errno;
			goto fail;
		}
	}

	TuskClient *c = calloc(1, sizeof(*c));
	if (!c || !(c->reader = tusk_line_reader_new(TUSK_RPC_MAX_MESSAGE))) {
		free(c);
		err = ENOMEM;
		goto fail;
	}
	c->fd = TAKE_FD(fd);
	c->next_id = 1;
	return c;

fail:
	if (ret_errno)
		*ret_errno = err;
	tusk_error_set(e, TUSK_ERR_IO, "cannot connect to %s: %s", path, strerror(err));
	return NULL;
}

void tusk_client_free(TuskClient *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	tusk_line_reader_free(c->reader);
	json_decref(c->kept_reply);
	free(c);
}

int tusk_client_fd(const TuskClient *c)
{
	return c->fd;
}

void tusk_client_set_line_hook(TuskClient *c, TuskLineFn fn, void *userdata)
{
	c->line_hook = fn;
	c->line_hook_ud = userdata;
}

static bool hooked(TuskClient *c, const char *line, size_t len)
{
	return c->line_hook && c->line_hook(line, len, c->line_hook_ud);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Wait for events on the socket until deadline (-1: forever). Returns 1
 * when ready, 0 on timeout, -errno on failure. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		int ms = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0)
				return 0;
			ms = left > 60000 ? 60000 : (int)left;
		}
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, ms);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int write_all(TuskClient *c, const char *buf, size_t len, long long deadline, TuskError *e)
{
	while (len > 0) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return tusk_error_from_errno(e, errno, "cannot send to the daemon");
		int r = wait_fd(c->fd, POLLOUT, deadline);
		if (r < 0)
			return tusk_error_from_errno(e, -r, "cannot send to the daemon");
		if (r == 0)
			return tusk_error_set(e, TUSK_ERR_IO, "timed out sending to the daemon");
	}
	return 0;
}

int tusk_client_send_raw(TuskClient *c, const void *buf, size_t len, TuskError *e)
{
	return write_all(c, buf, len, -1, e);
}

static int send_message(TuskClient *c, json_t *msg, long long deadline, TuskError *e)
{
	size_t len;
	_cleanup_free_ char *text = msg ? tusk_rpc_dump(msg, &len) : NULL;
	if (!text)
		return tusk_error_set(e, TUSK_ERR_SERIALIZATION, "cannot encode the request");
	return write_all(c, text, len, deadline, e);
}

/* The next parsed line, or NULL with e set (EOF, timeout, error). */
static json_t *read_message(TuskClient *c, long long deadline, int timeout_ms, const char *method,
                            TuskError *e)
{
	for (;;) {
		const char *line;
		size_t len;
		switch (tusk_line_reader_next(c->reader, &line, &len)) {
		case TUSK_LINE_OK: {
			if (hooked(c, line, len))
				continue;
			TuskError perr = TUSK_ERROR_INIT;
			json_t *msg = tusk_rpc_parse(line, len, TUSK_RPC_DEFAULT_MAX_DEPTH, &perr);
			if (!msg) {
				tusk_error_set(e, TUSK_ERR_PARSE,
				               "the daemon sent an unreadable message: %s",
				               tusk_error_message(&perr));
				tusk_error_clear(&perr);
			}
			return msg;
		}
		case TUSK_LINE_TOO_LONG:
			tusk_error_set(e, TUSK_ERR_LIMIT_EXCEEDED,
			               "the daemon sent a message longer than %u bytes",
			               TUSK_RPC_MAX_MESSAGE);
			return NULL;
		case TUSK_LINE_NONE:
			break;
		}

		int r = wait_fd(c->fd, POLLIN, deadline);
		if (r == 0) {
			if (method)
				tusk_error_set(e, TUSK_ERR_IO,
				               "timed out after %d ms waiting for the reply to %s",
				               timeout_ms, method);
			else
				tusk_error_set(e, TUSK_ERR_IO,
				               "timed out after %d ms waiting for the daemon",
				               timeout_ms);
			return NULL;
		}
		if (r < 0) {
			tusk_error_from_errno(e, -r, "cannot read from the daemon");
			return NULL;
		}
		char buf[READ_CHUNK];
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0) {
			tusk_error_set(e, TUSK_ERR_IO, "the daemon closed the connection");
			return NULL;
		}
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			tusk_error_from_errno(e, errno, "cannot read from the daemon");
			return NULL;
		}
		if (tusk_line_reader_feed(c->reader, buf, (size_t)n) < 0) {
			tusk_error_from_errno(e, ENOMEM, "cannot read from the daemon");
			return NULL;
		}
	}
}

bool tusk_client_error_from_daemon(const TuskClient *c)
{
	return c && c->error_from_daemon;
}

json_t *tusk_client_read(TuskClient *c, int timeout_ms, TuskError *e)
{
	return read_message(c, deadline_after(timeout_ms), timeout_ms, NULL, e);
}

long long tusk_client_send(TuskClient *c, const char *method, json_t *params, TuskError *e)
{
	long long id = c->next_id++;
	_cleanup_json_ json_t *jid = json_integer(id);
	_cleanup_json_ json_t *msg = tusk_rpc_request(jid, method, params);
	if (send_message(c, msg, -1, e) < 0)
		return -1;
	return id;
}

/* Whether msg answers the request with this id. An error reply with id
 * null counts: the daemon could not read the request well enough to know
 * its id, and with one request outstanding it can only be ours. */
static bool answers(const TuskRpcMessage *m, long long id)
{
	if (json_is_integer(m->id))
		return json_integer_value(m->id) == id;
	return json_is_null(m->id) && m->error;
}

int tusk_client_call(TuskClient *c, const char *method, json_t *params, json_t **ret_result,
                     TuskNotifyFn fn, void *userdata, int timeout_ms, TuskError *e)
{
	long long deadline = deadline_after(timeout_ms);
	long long id = c->next_id++;
	_cleanup_json_ json_t *jid = json_integer(id);
	_cleanup_json_ json_t *req = tusk_rpc_request(jid, method, params);

	c->error_from_daemon = false;
	if (send_message(c, req, deadline, e) < 0)
		return -1;

	for (;;) {
		_cleanup_json_ json_t *msg = c->kept_reply;
		c->kept_reply = NULL;
		if (!msg)
			msg = read_message(c, deadline, timeout_ms, method, e);
		if (!msg)
			return -1;
		TuskRpcMessage m;
		/* Anything that is not valid JSON-RPC cannot be the reply; skip it. */
		if (tusk_rpc_validate(msg, &m, NULL, NULL) < 0)
			continue;
		if (m.kind == TUSK_RPC_NOTIFICATION) {
			if (fn && fn(m.method, m.params, userdata) != 0)
				return tusk_error_set(e, TUSK_ERR_INTERNAL, "interrupted");
			continue;
		}
		if (m.kind != TUSK_RPC_RESPONSE || !answers(&m, id))
			continue;
		if (m.error) {
			if (e)
				tusk_error_from_rpc_json(e, m.error);
			c->error_from_daemon = true;
			return -1;
		}
		if (ret_result)
			*ret_result = json_incref(m.result);
		return 0;
	}
}

/* Hand over the complete messages read so far. 1: a reply was kept. */
static int dispatch_read(TuskClient *c, TuskNotifyFn fn, void *userdata, TuskError *e)
{
	const char *line;
	size_t len;
	TuskLineStatus st;
	while ((st = tusk_line_reader_next(c->reader, &line, &len)) != TUSK_LINE_NONE) {
		if (st == TUSK_LINE_TOO_LONG)
			return tusk_error_set(e, TUSK_ERR_LIMIT_EXCEEDED,
			                      "the daemon sent a message longer than %u bytes",
			                      TUSK_RPC_MAX_MESSAGE);
		if (hooked(c, line, len))
			continue;
		json_t *msg = tusk_rpc_parse(line, len, TUSK_RPC_DEFAULT_MAX_DEPTH, NULL);
		TuskRpcMessage m;
		if (!msg || tusk_rpc_validate(msg, &m, NULL, NULL) < 0) {
			json_decref(msg);
			continue;
		}
		if (m.kind == TUSK_RPC_NOTIFICATION) {
			if (fn)
				fn(m.method, m.params, userdata);
			json_decref(msg);
			continue;
		}
		json_decref(c->kept_reply);
		c->kept_reply = msg;
		return 1;
	}
	return 0;
}

int tusk_client_write_pumping(TuskClient *c, const void *buf, size_t len, TuskNotifyFn fn,
                              void *userdata, TuskError *e)
{
	const char *p = buf;
	if (c->kept_reply)
		return 1;
	while (len > 0) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN | POLLOUT};
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return tusk_error_from_errno(e, errno, "cannot send to the daemon");
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			char rbuf[READ_CHUNK];
			ssize_t n = recv(c->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
			if (n == 0)
				return tusk_error_set(e, TUSK_ERR_IO,
				                      "the daemon closed the connection");
			if (n > 0 && tusk_line_reader_feed(c->reader, rbuf, (size_t)n) < 0)
				return tusk_error_from_errno(e, ENOMEM,
				                             "cannot read from the daemon");
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				return tusk_error_from_errno(e, errno,
				                             "cannot read from the daemon");
			int r = dispatch_read(c, fn, userdata, e);
			if (r != 0)
				return r;
		}
		if (!(pfd.revents & POLLOUT))
			continue;
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno != EINTR && errno != EAGAIN) {
			return tusk_error_from_errno(e, errno, "cannot send to the daemon");
		}
	}
	return 0;
}
