/* The listening socket: systemd's when socket-activated, else our own at
 * the configured path, guarded by a lock file so two daemons never race for
 * it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/listener.h>
#include <systemd/sd-daemon.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "daemon/rpc.h"
#include "common/paths.h"
#include "daemon/server-internal.h"
#include "protocol/schema.h"

static int socket_address(const char *path, struct sockaddr_un *sa, TuskError *e)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		                      "socket path is too long (%zu bytes, at most %zu): %s",
		                      strlen(path), sizeof(sa->sun_path) - 1, path);
	strcpy(sa->sun_path, path);
	return 0;
}

/* Is a daemon answering on path? A connect that succeeds means yes. */
static bool socket_is_live(const struct sockaddr_un *sa)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	return connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
}

static int take_lock(const char *path, TuskError *e)
{
	_cleanup_free_ char *lock_path = NULL;
	if (asprintf(&lock_path, "%s.lock", path) < 0)
		return tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
	int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return tusk_error_from_errno(e, errno, lock_path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		close(fd);
		if (err == EWOULDBLOCK)
			return tusk_error_set(e, TUSK_ERR_IO,
			                      "another tuskd is already running on %s", path);
		return tusk_error_from_errno(e, err, lock_path);
	}
	return fd;
}

static int make_listener(const char *path, int *ret_lock, TuskError *e)
{
	struct sockaddr_un sa;
	if (socket_address(path, &sa, e) < 0)
		return -1;

	_cleanup_free_ char *dir = tusk_path_dirname(path);
	if (tusk_mkdir_p(dir, 0700, e) < 0)
		return -1;

	_cleanup_close_ int lock = take_lock(path, e);
	if (lock < 0)
		return -1;

	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return tusk_error_set(e, TUSK_ERR_IO,
		                      "%s exists and is not a socket; not replacing it", path);
	if (socket_is_live(&sa))
		return tusk_error_set(e, TUSK_ERR_IO, "another tuskd is already running on %s",
		                      path);
	if (unlink(path) == 0)
		log_info("server", "replaced a stale socket at %s", path);

	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return tusk_error_from_errno(e, errno, "socket");
	/* umask makes the socket 0600 from the moment it exists. */
	mode_t old = umask(0177);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return tusk_error_from_errno(e, errno, path);
	if (chmod(path, 0600) < 0 || listen(fd, 128) < 0) {
		int err = errno;
		unlink(path);
		return tusk_error_from_errno(e, err, path);
	}
	*ret_lock = TAKE_FD(lock);
	return TAKE_FD(fd);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int len,
                      void *data)
{
	struct server *s = data;
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		log_warn("server", "refusing a client whose credentials cannot be read: %s",
		         strerror(errno));
		close(fd);
		return;
	}
	if (cred.uid != getuid()) {
		log_warn("server", "refused a client of uid %u (pid %d): only uid %u is served",
		         (unsigned)cred.uid, (int)cred.pid, (unsigned)getuid());
		client_refuse(fd, cred.uid);
		return;
	}
	if (s->stopping) {
		close(fd);
		return;
	}
	client_new(s, fd, cred.pid);
}

struct server *server_new(struct event_base *base, const char *path, TuskError *e)
{
	struct server *s = calloc(1, sizeof(*s));
	if (!s) {
		tusk_error_set(e, TUSK_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	s->base = base;
	s->lock_fd = -1;
	s->path = strdup(path);

	int fd = -1;
	int n = sd_listen_fds(true);
	if (n > 1) {
		tusk_error_set(e, TUSK_ERR_INVALID_INPUT,
		               "systemd passed %d sockets; tuskd takes exactly one", n);
		goto fail;
	} else if (n == 1) {
		fd = SD_LISTEN_FDS_START;
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
			tusk_error_set(
			    e, TUSK_ERR_INVALID_INPUT,
			    "the socket systemd passed is not a listening Unix stream socket");
			goto fail;
		}
		evutil_make_socket_nonblocking(fd);
		evutil_make_socket_closeonexec(fd);
		s->activated = true;
		struct sockaddr_un sa;
		socklen_t slen = sizeof(sa);
		if (getsockname(fd, (struct sockaddr *)&sa, &slen) == 0 && sa.sun_path[0]) {
			free(s->path);
			s->path = strdup(sa.sun_path);
		}
	} else {
		fd = make_listener(path, &s->lock_fd, e);
		if (fd < 0)
			goto fail;
	}

	s->listener = evconnlistener_new(base, on_accept, s,
	                                 LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (!s->listener) {
		if (!s->activated)
			unlink(s->path);
		close(fd);
		tusk_error_set(e, TUSK_ERR_IO, "cannot listen on %s", s->path);
		goto fail;
	}
	return s;
fail:
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->path);
	free(s);
	return NULL;
}

void server_stop_accepting(struct server *s)
{
	if (s && !s->stopping) {
		s->stopping = true;
		evconnlistener_disable(s->listener);
	}
}

void server_free(struct server *s)
{
	if (!s)
		return;
	server_stop_accepting(s);
	while (s->clients)
		client_close(s->clients, true);
	evconnlistener_free(s->listener);
	if (!s->activated) {
		unlink(s->path);
		_cleanup_free_ char *lock_path = NULL;
		if (asprintf(&lock_path, "%s.lock", s->path) >= 0)
			unlink(lock_path);
	}
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->path);
	free(s);
}

bool server_socket_activated(const struct server *s)
{
	return s->activated;
}
const char *server_path(const struct server *s)
{
	return s->path;
}

unsigned server_client_count(const struct server *s)
{
	return s->nclients;
}

unsigned server_requests_in_flight(const struct server *s)
{
	unsigned n = 0;
	for (struct client *c = s->clients; c; c = c->next)
		n += c->pending;
	return n;
}

static const char *const topic_names[] = {"connection", "query",  "schema",
                                          "notify",     "config", "workspace"};

int event_topic_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(topic_names) / sizeof(*topic_names); i++)
		if (strcmp(name, topic_names[i]) == 0)
			return 1 << i;
	return 0;
}

const char *event_topic_name(unsigned topic)
{
	for (size_t i = 0; i < sizeof(topic_names) / sizeof(*topic_names); i++)
		if (topic == 1u << i)
			return topic_names[i];
	return NULL;
}

unsigned event_topic_of(const char *method)
{
	const char *topic =
	    json_string_value(json_object_get(tusk_schema_notification(method), "topic"));
	return topic ? (unsigned)event_topic_from_name(topic) : 0;
}

void server_emit_event(struct server *s, const char *method, json_t *params)
{
	unsigned topic = event_topic_of(method);
	if (!topic) {
		log_warn("server", "dropping event %s: it belongs to no topic", method);
		json_decref(params);
		return;
	}
	server_emit(s, topic, method, params);
}

bool server_has_subscribers(const struct server *s, unsigned topic)
{
	for (struct client *c = s->clients; c; c = c->next)
		if (c->topics & topic)
			return true;
	return false;
}

void server_emit(struct server *s, unsigned topic, const char *method, json_t *params)
{
	rpc_check_event(method, event_topic_name(topic), params);
	if (!server_has_subscribers(s, topic)) {
		json_decref(params);
		return;
	}
	json_t *msg = tusk_rpc_notification(method, params);
	for (struct client *c = s->clients; c; c = c->next)
		if (c->topics & topic)
			client_send(c, msg);
	json_decref(msg);
}
