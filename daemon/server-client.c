/* One connected client: NDJSON in through the line reader, replies and
 * notifications out through a bufferevent, with limits on what the peer can
 * make the daemon hold. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "common/log.h"
#include "daemon/db/listen.h"
#include "daemon/rpc.h"
#include "daemon/server-internal.h"
#include "daemon/storage/settings.h"
#include "daemon/tuskd.h"

static size_t max_output(void)
{
	return (size_t)settings_int(tuskd.settings, "rpc.max_output_bytes");
}

struct client *client_ref(struct client *c)
{
	c->refs++;
	return c;
}

void client_unref(struct client *c)
{
	if (!c || --c->refs > 0)
		return;
	tusk_line_reader_free(c->reader);
	free(c);
}

bool client_alive(const struct client *c)
{
	return c && !c->dead;
}
unsigned client_id(const struct client *c)
{
	return c->id;
}
unsigned client_topics(const struct client *c)
{
	return c->topics;
}
void client_set_topics(struct client *c, unsigned topics)
{
	c->topics = topics;
}

size_t client_unsent_bytes(const struct client *c)
{
	if (c->dead)
		return 0;
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

bool client_request_begin(struct client *c)
{
	if (c->pending >= (unsigned)settings_int(tuskd.settings, "rpc.max_pending_requests"))
		return false;
	c->pending++;
	return true;
}

void client_request_end(struct client *c)
{
	c->pending--;
}

/* Stop reading a peer that does not read its replies: it cannot make the
 * daemon queue without bound. Reading resumes when output drains. */
static void update_read_pause(struct client *c)
{
	size_t unsent = client_unsent_bytes(c);
	if (!c->read_paused && unsent > max_output() / 4) {
		c->read_paused = true;
		bufferevent_disable(c->bev, EV_READ);
	} else if (c->read_paused && unsent <= max_output() / 8) {
		c->read_paused = false;
		if (!c->input_held)
			bufferevent_enable(c->bev, EV_READ);
	}
}

void client_hold_input(struct client *c, bool held)
{
	if (c->dead || c->input_held == held)
		return;
	c->input_held = held;
	if (held) {
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	if (c->read_paused)
		return;
	bufferevent_enable(c->bev, EV_READ);
	/* Lines read before the hold wait in the reader, bytes in the input:
	 * read them soon (not from inside whatever released the hold). */
	if (tusk_line_reader_pending(c->reader) > 0 ||
	    evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		bufferevent_trigger(c->bev, EV_READ,
		                    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

static int sent(struct client *c)
{
	if (client_unsent_bytes(c) > max_output()) {
		log_warn("server", "client %u: %zu bytes unsent (limit %zu); disconnecting it",
		         c->id, client_unsent_bytes(c), max_output());
		client_close(c, false);
		return -ENOBUFS;
	}
	update_read_pause(c);
	return 0;
}

int client_send_raw(struct client *c, const void *buf, size_t len)
{
	if (c->dead)
		return -EPIPE;
	if (evbuffer_add(bufferevent_get_output(c->bev), buf, len) < 0)
		return -ENOMEM;
	return sent(c);
}

int client_send_buffer(struct client *c, struct evbuffer *buf)
{
	if (c->dead)
		return -EPIPE;
	if (evbuffer_add_buffer(bufferevent_get_output(c->bev), buf) < 0)
		return -ENOMEM;
	return sent(c);
}

int client_send(struct client *c, const json_t *msg)
{
	if (c->dead)
		return -EPIPE;
	rpc_check_outgoing(msg);
	size_t len;
	char *buf = tusk_rpc_dump(msg, &len);
	if (!buf)
		return -ENOMEM;
	if (len - 1 > TUSK_RPC_MAX_MESSAGE) {
		log_error("server",
		          "client %u: a %zu-byte message is over the protocol's limit of "
		          "%u bytes; not sent",
		          c->id, len - 1, TUSK_RPC_MAX_MESSAGE);
		free(buf);
		return -EMSGSIZE;
	}
	int r = client_send_raw(c, buf, len);
	free(buf);
	return r;
}

static void handle_line(struct client *c, const char *line, size_t len)
{
	if (rpc_copy_data_line(c, line, len))
		return; /* COPY data, without a JSON tree */
	TuskError e = TUSK_ERROR_INIT;
	json_t *msg = tusk_rpc_parse(line, len, TUSK_RPC_DEFAULT_MAX_DEPTH, &e);
	if (!msg) {
		log_debug("rpc", "client %u: %s", c->id, tusk_error_message(&e));
		rpc_reply_parse_error(c, &e);
		tusk_error_clear(&e);
		return;
	}
	rpc_handle_message(c, msg);
	json_decref(msg);
}

/* Bytes fed to a client's line reader at a time. */
#define READ_MAX (64 * 1024)

/* The complete lines read so far, until a COPY's server falls behind:
 * the rest wait in the reader (feeding PostgreSQL's connection beyond a
 * full socket would only grow libpq's buffer, which it then moves down
 * after every partial send). */
static void handle_lines(struct client *c)
{
	const char *line;
	size_t len;
	TuskLineStatus st;
	while (!c->dead && !c->input_held &&
	       (st = tusk_line_reader_next(c->reader, &line, &len)) != TUSK_LINE_NONE) {
		if (st == TUSK_LINE_TOO_LONG) {
			TuskError e = TUSK_ERROR_INIT;
			tusk_error_set(&e, TUSK_ERR_PARSE,
			               "message longer than the limit of %lld bytes",
			               settings_int(tuskd.settings, "rpc.max_message_bytes"));
			rpc_reply_parse_error(c, &e);
			tusk_error_clear(&e);
		} else {
			handle_line(c, line, len);
		}
	}
}

static void on_read(struct bufferevent *bev, void *data)
{
	struct client *c = data;
	struct evbuffer *in = bufferevent_get_input(bev);

	client_ref(c);
	handle_lines(c); /* the ones a hold left */
	while (!c->dead && !c->read_paused && !c->input_held && evbuffer_get_length(in) > 0) {
		/* The input's first chunk goes to the reader as it lies. */
		struct evbuffer_iovec v;
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
			break;
		size_t n = v.iov_len < READ_MAX ? v.iov_len : READ_MAX;
		int r = tusk_line_reader_feed(c->reader, v.iov_base, n);
		evbuffer_drain(in, n);
		if (r < 0) {
			log_error("server", "client %u: out of memory", c->id);
			client_close(c, false);
			break;
		}
		handle_lines(c);
	}
	client_unref(c);
}

static void on_write(struct bufferevent *bev, void *data)
{
	struct client *c = data;
	rpc_client_drained(c);
	if (c->read_paused) {
		update_read_pause(c);
		/* Bytes that arrived while paused are waiting in the input. */
		if (!c->read_paused && !c->input_held &&
		    (tusk_line_reader_pending(c->reader) > 0 ||
		     evbuffer_get_length(bufferevent_get_input(bev)) > 0))
			on_read(bev, c);
	}
}

static void on_event(struct bufferevent *bev, short what, void *data)
{
	struct client *c = data;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		log_debug("server", "client %u (pid %d) disconnected", c->id, (int)c->pid);
		client_close(c, false);
	}
}

struct client *client_new(struct server *s, int fd, pid_t pid)
{
	struct client *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->server = s;
	c->refs = 1; /* the server's list */
	c->pid = pid;
	c->id = ++s->next_client_id;
	c->reader =
	    tusk_line_reader_new((size_t)settings_int(tuskd.settings, "rpc.max_message_bytes"));
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->reader || !c->bev) {
		if (c->bev)
			bufferevent_free(c->bev);
		else
			close(fd);
		tusk_line_reader_free(c->reader);
		free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	/* libevent moves at most 16 KiB per call by default: a 17 MiB schema
	 * tree or a stream of rows would take a thousand loop turns. */
	bufferevent_set_max_single_write(c->bev, 1024 * 1024);
	bufferevent_set_max_single_read(c->bev, 1024 * 1024);
	/* Called back when output drains below this: paused queries resume. */
	bufferevent_setwatermark(c->bev, EV_WRITE, CLIENT_LOW_WATER, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);

	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nclients++;
	log_debug("server", "client %u connected (pid %d)", c->id, (int)pid);
	return c;
}

/* Best effort: push what is queued before the socket closes (shutdown and
 * refusal replies), with a short bound so a stuck peer cannot hold us. */
static void flush_blocking(int fd, struct evbuffer *out)
{
	struct timeval tv = {.tv_sec = 1};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	/* A socket bufferevent keeps its output frozen at the front except
	 * inside its own write path. */
	evbuffer_unfreeze(out, 1);
	while (evbuffer_get_length(out) > 0)
		if (evbuffer_write(out, fd) <= 0)
			break;
}

void client_close(struct client *c, bool flush)
{
	if (c->dead)
		return;
	c->dead = true;
	rpc_client_closed(c);
	listen_client_gone(tuskd.db, c->id);
	if (flush)
		flush_blocking(bufferevent_getfd(c->bev), bufferevent_get_output(c->bev));
	bufferevent_free(c->bev);
	c->bev = NULL;

	struct server *s = c->server;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nclients--;
	client_unref(c);
}

void client_refuse(int fd, uid_t uid)
{
	TuskError e = TUSK_ERROR_INIT;
	tusk_error_set(&e, TUSK_ERR_INVALID_REQUEST,
	               "permission denied: this tuskd serves uid %u only, not uid %u",
	               (unsigned)getuid(), (unsigned)uid);
	json_t *msg = tusk_rpc_error(NULL, &e);
	rpc_check_outgoing(msg);
	size_t len;
	char *buf = tusk_rpc_dump(msg, &len);
	if (buf) {
		/* The socket is fresh and the message small: one send fits. */
		(void)!send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		free(buf);
	}
	json_decref(msg);
	tusk_error_clear(&e);
	close(fd);
}
